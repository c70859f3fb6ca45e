import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, fileSystem } from '@colorize/core';
import { foldBatchNorm } from '@colorize/models'; // importing it also registers InstanceNormalization for loading

/** A model shipped with the CLI: `model/` (automatic) or `hint-model/` (colour hints) in this package. */
export function shippedModelDir(name: 'model' | 'hint-model' = 'model'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, name, 'model.json'))) return join(dir, name);
    dir = dirname(dir);
  }
  throw new ColorizeError('IO_ERROR', `colorize: the shipped ${name === 'model' ? 'model' : 'hint model'} is missing from this installation; give --model.`);
}

/** What `--model` may name: a model folder, its model.json, a `colorize train` run folder, or an ONNX file. */
export function resolveModelPath(path: string | undefined): string {
  if (path === undefined) return shippedModelDir();
  const p = resolve(path);
  if (p.endsWith('.json') || p.endsWith('.onnx') || existsSync(join(p, 'model.json'))) return p;
  if (existsSync(join(p, 'model', 'model.json'))) {
    // A training run's model/ must be its own folder, not a link out of the run.
    const run = realpathSync(p);
    const model = realpathSync(join(p, 'model'));
    if (model !== join(run, 'model')) throw new ColorizeError('INVALID_MODEL_FILE', `--model: ${join(p, 'model')} is a link to ${model}, outside the training run ${p}; give that folder itself.`);
    return join(p, 'model');
  }
  throw new ColorizeError('INVALID_MODEL_FILE', `--model: "${path}" holds no model.json (nor model/model.json of a training run).`);
}

export interface LoadedGenerator {
  model: tfl.LayersModel;
  /** The image side it was trained at, from its metadata. */
  trainedSize: number | undefined;
  /** Multiple its input sides must be (2^depth). */
  multiple: number;
  path: string;
  /** Its model.json. */
  jsonPath: string;
  /** A classification model's training colour-class frequencies, from its metadata (`colorize train` keeps them). */
  classPrior: number[] | undefined;
}

/**
 * Loads a generator for inference and checks it maps [b, h, w, 1] to [b, h, w, 2]; its norms
 * folded into its convs (`foldBatchNorm`: the same output, a fifth less work).
 */
export async function loadGenerator(path: string | undefined): Promise<LoadedGenerator> {
  const dir = resolveModelPath(path);
  if (dir.endsWith('.onnx')) throw new ColorizeError('INVALID_MODEL_FILE', `--model: ${dir} is an ONNX file, which only the onnx engine runs (colorize --engine onnx); this command needs a tfjs model folder.`);
  const model = await tfl.loadLayersModel(fileSystem(dir)).catch((err: unknown) => {
    if (ColorizeError.isInstance(err)) throw err;
    // tfjs's own errors (an unknown layer class, a malformed topology) as one clear line
    const why = (err as Error).message.split('\n')[0]!.replace(/\. This may be due to.*$/, '');
    throw new ColorizeError('INVALID_MODEL_FILE', `--model: ${dir} is not a model colorize can load (${why}).`, { cause: err });
  });
  const inShape = model.inputs[0]?.shape ?? [];
  const outShape = model.outputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || inShape.length !== 4 || (inShape[3] !== 1 && inShape[3] !== 4 && inShape[3] !== 6) || outShape[3] !== 2) {
    model.dispose();
    throw new ColorizeError('INVALID_MODEL_FILE', `--model: ${dir} is not a colorize generator (expected input [b, h, w, 1], or [b, h, w, 4] for a hint model, and output [b, h, w, 2], got [${inShape.join(', ')}] → [${outShape.join(', ')}]).`);
  }
  const meta = (model.getUserDefinedMetadata() as { colorize?: { size?: number; depth?: number; classPrior?: number[] } } | undefined)?.colorize;
  for (const [key, low, high] of [['size', 16, MAX_SIDE], ['depth', 1, 8]] as const) {
    const v = meta?.[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= low && v <= high)) {
      model.dispose();
      throw new ColorizeError('INVALID_MODEL_FILE', `--model: ${dir} has colorize.${key} ${JSON.stringify(v)} in its metadata; expected an integer in [${low}, ${high}].`);
    }
  }
  const pools = model.layers.filter((l) => l.getClassName() === 'MaxPooling2D').length;
  const folded = foldBatchNorm(model);
  model.dispose();
  const multiple = 2 ** (meta?.depth ?? pools);
  if (!(await givesFiniteColours(folded, multiple, inShape[3]!))) {
    folded.dispose();
    throw new ColorizeError('INVALID_MODEL_FILE', `--model: ${dir} gives NaN or infinite colours for a test image: its weights are broken (NaN or infinite values, a negative BatchNorm variance, or a scale that overflows).`);
  }
  return { model: folded, trainedSize: meta?.size, multiple, path: dir, jsonPath: dir.endsWith('.json') ? dir : join(dir, 'model.json'), classPrior: meta?.classPrior };
}

/** The largest side a model may be trained at or run at (px): a 4096² input is already 1 GB of activations per 16 channels. */
export const MAX_SIDE = 4096;

/** Runs the generator once on a small ramp of L (hints empty) and checks every output is finite. */
async function givesFiniteColours(model: tfl.LayersModel, multiple: number, channels: number): Promise<boolean> {
  const side = Math.max(16, multiple);
  const out = tf.tidy(() => {
    const ramp = tf.reshape(tf.linspace(-1, 1, side * side), [1, side, side, 1]);
    const input = channels === 1 ? ramp : tf.concat([ramp, tf.zeros([1, side, side, channels - 1])], 3);
    return tf.all(tf.isFinite(model.predict(input) as tf.Tensor));
  });
  try {
    return (await out.data())[0] === 1;
  } finally {
    out.dispose();
  }
}
