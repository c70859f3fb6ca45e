// One worker of `colorize`'s pool: opens its own engine (a one-thread onnxruntime session, or
// its own tfjs backend) and colorizes the photos the main thread sends, one at a time, in order.
import { parentPort } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { ColorizeError } from '@colorize/core';

import { openEngineFromSpec } from './engine.js';
import type { Engine } from './engine.js';
import { colorizeFile } from './images.js';
import type { FromWorker, ToWorker } from './pool.js';

tf.env().set('PROD', true);
// The pool has a worker per core: libvips's own threads per image would only contend with them.
sharp.concurrency(1);
const port = parentPort!;
let engine: Engine | undefined;
let renderSize = 256;

const send = (message: FromWorker): void => port.postMessage(message);

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
    try {
      await colorizeFile(message.job, engine!, renderSize);
      send({ type: 'done', index: message.index });
    } catch (err) {
      if (!ColorizeError.isInstance(err)) {
        send({ type: 'fatal', message: (err as Error).stack ?? String(err) });
        return;
      }
      send({ type: 'error', index: message.index, message: err.message });
    }
  } else {
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
