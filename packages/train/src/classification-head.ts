import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertOptions, invalid } from '@colorize/core';
import { AB_SCALE } from '@colorize/lab';

import { abClassificationLoss } from './ab-classes.js';
import type { AbClassTargetOptions } from './ab-classes.js';

/** The plain settings of the classification loss (they cross to worker replicas as they are). @group Training */
export interface ClassificationSettings {
  neighbours: number;
  sigma: number;
  /** One per bin, or null for none. */
  classWeights: number[] | null;
}

/** A classification generator seen from training: its logits and ab in one pass, and its bins. */
interface ClassificationView {
  /** L → [logits `[b, h, w, Q]`, ab `[b, h, w, 2]`], sharing the generator's layers. */
  model: tfl.LayersModel;
  /** The bin centres in ab units, read from the head's fixed decoding kernel. */
  centres: Float32Array;
}

const views = new WeakMap<tfl.LayersModel, ClassificationView>();

/**
 * The logits and bins of a generator with a classification head (`buildUNet({ head:
 * 'classification' })`: layers `head_conv` → softmax → `head_decode`), or an error naming `fn`.
 */
export function classificationView(fn: string, generator: tfl.LayersModel): ClassificationView {
  const hit = views.get(generator);
  if (hit) return hit;
  const layer = (name: string): tfl.layers.Layer | undefined => generator.layers.find((l) => l.name === name);
  const logits = layer('head_conv');
  const decode = layer('head_decode');
  const kernel = decode?.getWeights()[0];
  if (logits === undefined || kernel === undefined || kernel.rank !== 4 || kernel.shape[3] !== 2) {
    throw invalid('INVALID_OPTION', fn, 'a generator with a classification head (buildUNet({ head: "classification" }): layers head_conv, head_decode) for reconstructionLoss "classification"', `a model with layers ${generator.layers.slice(-3).map((l) => l.name).join(', ')} at its end`);
  }
  const centres = tf.tidy(() => tf.mul(tf.reshape(kernel, [-1]), AB_SCALE).dataSync() as Float32Array);
  const model = tfl.model({ inputs: generator.inputs, outputs: [logits.output as tfl.SymbolicTensor, generator.outputs[0]!] });
  const view = { model, centres };
  views.set(generator, view);
  return view;
}

/** Checks the classification options of a trainer and the generator they go with. */
export function classificationSettings(fn: string, generator: tfl.LayersModel, options: AbClassTargetOptions | undefined): ClassificationSettings {
  const o = assertOptions(fn, options ?? {}, ['neighbours', 'sigma', 'classWeights']);
  const { centres } = classificationView(fn, generator);
  const settings: ClassificationSettings = {
    neighbours: o.neighbours ?? 5,
    sigma: o.sigma ?? 5,
    classWeights: o.classWeights ? Array.from(o.classWeights) : null,
  };
  // Checked by the loss itself on a one-pixel batch, so the messages are the loss's own.
  tf.tidy(() => abClassificationLoss(tf.zeros([1, 1, 1, centres.length / 2]), tf.zeros([1, 1, 1, 2]), centres, settings));
  return settings;
}

/** The generator's logits and ab on its input (L, and hints if any) in training mode, and the classification loss against ab. */
export function classificationTerms(generator: tfl.LayersModel, input: tf.Tensor4D, ab: tf.Tensor4D, settings: ClassificationSettings): { fakeAb: tf.Tensor4D; loss: tf.Scalar } {
  const { model, centres } = classificationView('classificationTerms', generator);
  const [logits, fakeAb] = model.apply(input, { training: true }) as tf.Tensor4D[];
  return { fakeAb: fakeAb!, loss: abClassificationLoss(logits!, ab, centres, settings) };
}
