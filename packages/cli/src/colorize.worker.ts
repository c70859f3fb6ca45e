// One worker of `colorize`'s pool: opens its own engine (a one-thread onnxruntime session, or
// its own tfjs backend) and colorizes the photos the main thread sends, one at a time, in order,
// writing each while it colorizes the next.
import { parentPort } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { ColorizeError } from '@colorize/core';

import { openEngineFromSpec } from './engine.js';
import type { Engine } from './engine.js';
import type { Photo } from './images.js';
import { colorizePhoto, readJob, savePhoto } from './images.js';
import type { FromWorker, ToWorker } from './pool.js';

tf.env().set('PROD', true);
// The pool has a worker per core: libvips's own threads per image would only contend with them.
sharp.concurrency(1);
const port = parentPort!;
let engine: Engine | undefined;
let renderSize = 256;

const send = (message: FromWorker): void => port.postMessage(message);

/** Tells the pool that photo `index` failed: a bad photo (a ColorizeError) fails alone, anything else the pool. */
function fail(index: number, err: unknown): void {
  if (ColorizeError.isInstance(err)) send({ type: 'error', index, message: err.message });
  else send({ type: 'fatal', message: (err as Error).stack ?? String(err) });
}

/**
 * The photo before, being encoded and written, and its report to the pool. The next photo is
 * colorized meanwhile, so this thread's model runs beside the encoder's threads instead of waiting
 * for them with a core idle; one photo is written at a time, so a worker holds at most two, and
 * the pool hears of the photos in the order it sent them.
 */
let writing: Promise<void> = Promise.resolve();

/** Handles one message; the pool may send a photo while the one before is still being done. */
async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    try {
      engine = await openEngineFromSpec(message.spec, message.trainedSize, message.multiple);
      renderSize = message.renderSize;
      send({ type: 'ready' });
    } catch (err) {
      send({ type: 'fatal', message: (err as Error).message });
    }
  } else if (message.type === 'job') {
    const { index, job } = message;
    let photo: Photo;
    let rgb: Uint8Array;
    try {
      const read = await readJob(job);
      photo = read.photo;
      rgb = await colorizePhoto(photo, engine!.generator, renderSize, engine!.multiple, read.hints);
    } catch (err) {
      await writing;
      fail(index, err);
      return;
    }
    await writing;
    writing = savePhoto(job.output, photo, rgb).then(
      () => send({ type: 'done', index }),
      (err: unknown) => fail(index, err),
    );
  } else {
    await writing;
    await engine?.release();
    engine = undefined;
    port.close();
  }
}

// One message at a time, in the order they came: a photo held ahead waits for the one before.
// Anything handle() did not expect fails the pool; the chain itself never stays rejected.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message)).catch((err: unknown) => send({ type: 'fatal', message: (err as Error).stack ?? String(err) }));
});
