// One replica of startWorkerReplicas: rebuilds the models it is sent, takes their weights with
// every job, and returns the job's gradient on its share of the batch, its loss terms and its
// models' BatchNorm statistics.
import { parentPort } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend, registerTrainingSupport } from '@colorize/core';
import type { BackendName } from '@colorize/core';

import { localGradients } from './step-loss.js';
import type { StepModels } from './step-loss.js';
import { ownValues } from './worker-replicas.node.js';
import type { FromReplica, ToReplica, WireModel } from './worker-replicas.node.js';

const port = parentPort!;
const built = new Map<number, tfl.LayersModel>();
const send = (message: FromReplica): void => port.postMessage(message);

/** Imports a module for its side effects (layer registration); `optional` ones may be missing. */
async function importModule(name: string, optional: boolean): Promise<void> {
  try {
    await import(name);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (optional && (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')) return;
    throw new Error(`could not import ${name}: ${(err as Error).message}`, { cause: err });
  }
}

async function model(w: WireModel): Promise<tfl.LayersModel> {
  let m = w.topology === undefined ? built.get(w.key) : undefined;
  if (m === undefined) {
    if (w.topology === undefined) throw new Error(`model ${w.key} was never sent`);
    built.get(w.key)?.dispose();
    try {
      m = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(w.topology) as tf.io.ModelJSON['modelTopology'] });
    } catch (err) {
      throw new Error(`could not rebuild a model (${(err as Error).message.split('\n')[0]!.replace(/ This may be due to.*$/, '')}); name the module that registers its layers in startWorkerReplicas' modules option`, { cause: err });
    }
    built.set(w.key, m);
  }
  const target = m;
  tf.tidy(() =>
    target.weights.forEach((v, i) => {
      const values = w.weights[i];
      if (values) v.write(tf.tensor(values, v.shape as number[], v.dtype));
    }),
  );
  return m;
}

async function handle(message: ToReplica): Promise<void> {
  if (message.type === 'init') {
    tf.env().set('PROD', message.prod);
    await importModule('@colorize/models', true);
    for (const name of message.modules) await importModule(name, false);
    await initBackend({ backend: message.backend as BackendName, wasmThreads: 1 });
    registerTrainingSupport();
    send({ type: 'ready' });
  } else if (message.type === 'job') {
    const models = {} as StepModels;
    for (const [name, w] of Object.entries(message.models)) models[name as keyof StepModels] = await model(w);
    const L = tf.tensor4d(message.L.data, message.L.shape as [number, number, number, number]);
    const ab = tf.tensor4d(message.ab.data, message.ab.shape as [number, number, number, number]);
    const hints = message.hints ? tf.tensor4d(message.hints.data, message.hints.shape as [number, number, number, number]) : undefined;
    const alpha = message.alpha ? tf.tensor1d(message.alpha) : undefined;
    try {
      const { grads, terms } = await localGradients({ loss: message.loss, settings: message.settings, L, ab, ...(hints ? { hints } : {}), ...(alpha ? { alpha } : {}) }, models);
      const data = grads.map(ownValues);
      tf.dispose(grads);
      const state = Object.fromEntries(Object.entries(models).map(([name, m]) => [name, (m as tfl.LayersModel).nonTrainableWeights.map((v) => ownValues(v.read()))]));
        port.postMessage({ type: 'result', grads: data, terms, state } satisfies FromReplica, [...data, ...Object.values(state).flat()].map((a) => a.buffer as ArrayBuffer));
    } finally {
      tf.dispose([L, ab, ...(hints ? [hints] : []), ...(alpha ? [alpha] : [])]);
    }
  } else {
    for (const m of built.values()) m.dispose();
    port.close();
  }
}

// One message at a time, in order.
let queue = Promise.resolve();
port.on('message', (message: ToReplica) => {
  queue = queue.then(() =>
    handle(message).catch((err: unknown) => {
      send({ type: 'error', message: (err as Error).message, ...(ColorizeError.isInstance(err) ? { code: err.code } : {}) });
    }),
  );
});
