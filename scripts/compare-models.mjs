// A figure of one split of the shipped demo photos colorized by several generators: rows grey,
// then one row per model folder in the order given, then the real photos; one 64-px column per
// photo. Used for the model record's comparisons (packages/cli/model/README.md).
//
// Usage: node scripts/compare-models.mjs <validation|test|train> <out.png> <model folder>...
// Run `npm run build` first.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';

import { fileSystem, initBackend } from '@colorize/core';
import { colorize } from '@colorize/lab';
import { demoPhotos } from '@colorize/train';

const [split, out, ...models] = process.argv.slice(2);
if (!['validation', 'test', 'train'].includes(split) || !out?.endsWith('.png') || models.length === 0) {
  console.error('usage: node scripts/compare-models.mjs <validation|test|train> <out.png> <model folder>...');
  process.exit(2);
}
const SIZE = 64;
await initBackend({ backend: 'wasm' });
const generators = await Promise.all(models.map((m) => tfl.loadLayersModel(fileSystem(m))));
const data = await demoPhotos({ split, size: SIZE, seed: 0, batchSize: 1024, shuffle: false, flip: false });
for await (const { L, ab } of data.batches(0)) {
  const pixels = tf.tidy(() => {
    const rows = [colorize(L, tf.zerosLike(ab)), ...generators.map((g) => colorize(L, g.predict(L))), colorize(L, ab)];
    const grid = tf.concat(rows.map((rgb) => tf.concat(tf.unstack(rgb), 1)), 0);
    return tf.cast(tf.clipByValue(tf.round(tf.mul(grid, 255)), 0, 255), 'int32');
  });
  const [height, width] = pixels.shape;
  await sharp(Buffer.from(Uint8Array.from(await pixels.data())), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toFile(out);
  tf.dispose([pixels, L, ab]);
  console.log(`${out}: ${data.size} ${split} photos × ${models.length + 2} rows`);
}
