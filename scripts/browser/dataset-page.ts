// A test page for @colorize/train's browser data path: imageSources over fetched photos (Blobs)
// and one that is not an image; it leaves what it saw in `window.datasetResult`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { imageSources } from '@colorize/train';

declare global {
  interface Window {
    datasetResult?: unknown;
  }
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const names = ['a.jpg', 'b.jpg', 'c.png'];
  const blobs: Blob[] = [];
  for (const n of names) blobs.push(new File([await (await fetch(n)).blob()], n));
  blobs.push(new File([new TextEncoder().encode('not an image')], 'broken.jpg', { type: 'image/jpeg' }));
  const skipped: [string, string][] = [];
  const data = await imageSources({ sources: blobs, split: 'all', size: 32, batchSize: 2, flip: true, randomCrop: [0.5, 1], onSkip: (p, why) => skipped.push([p, why]) });
  const batches: { L: number[]; ab: number[]; Lrange: [number, number]; abFinite: boolean }[] = [];
  for await (const b of data.batches(0)) {
    const L = await b.L.data();
    const ab = await b.ab.data();
    batches.push({ L: b.L.shape, ab: b.ab.shape, Lrange: [Math.min(...L), Math.max(...L)], abFinite: ab.every(Number.isFinite) });
    tf.dispose([b.L, b.ab]);
  }
  window.datasetResult = { size: data.size, files: data.files, skipped, batches, tensors: tf.memory().numTensors };
}

main().catch((err: Error) => (window.datasetResult = { error: err.message }));
