import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeValue, invalid } from '@colorize/core';

/** Where the bias in force is kept: the model's user-defined metadata, saved with it. */
const METADATA_KEY = 'classBias';

/** The classification head's logit layer, or a clear error for a model without one. */
function headConv(fn: string, model: tfl.LayersModel): tfl.layers.Layer {
  const layer = model?.layers?.find((l) => l.name === 'head_conv');
  if (layer === undefined || !model.layers.some((l) => l.name === 'head_temperature') || layer.getWeights().length !== 2) {
    throw invalid('INVALID_OPTION', fn, 'a U-Net with a classification head (head_conv with a bias, then head_temperature)', describeValue(model));
  }
  return layer;
}

/**
 * The per-class bias that {@link setClassBias} added to a classification U-Net's logits, or null
 * if none.
 *
 * @param model - a model from `buildUNet({ head: 'classification' })`, or one loaded from its files.
 * @returns `[Q]` the bias in force, or null.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a model without the head;
 *   `INVALID_MODEL_FILE` for a stored bias that is not one number per class.
 * @group Classification head
 */
export function getClassBias(model: tfl.LayersModel): Float32Array | null {
  const fn = 'getClassBias';
  const count = (headConv(fn, model).getWeights()[1] as tf.Tensor).size;
  const stored = (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[METADATA_KEY];
  if (stored === undefined) return null;
  // A bias the metadata claims but that cannot be the one added: replacing it would corrupt the logits.
  if (!Array.isArray(stored) || stored.length !== count || !stored.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw invalid('INVALID_MODEL_FILE', fn, `the metadata's ${METADATA_KEY} as ${count} finite numbers`, describeValue(stored));
  }
  return Float32Array.from(stored as number[]);
}

/**
 * Adds a fixed bias per colour class to the logits of a U-Net with a classification head, in
 * place, replacing the one added before (null removes it). The bias is folded into `head_conv`'s
 * own bias, so the model's architecture, its speed, the browser and ONNX export are unchanged; the
 * bias in force is kept in the model's user-defined metadata, so a saved and reloaded model can be
 * given another one.
 *
 * Its use is class rebalancing at decoding time (logit adjustment, Menon et al. 2021): a model
 * trained without rebalancing learns p(q | x) under the training photos' colour prior, and
 * adding `log w_q`, the log of the rebalancing weights `abClassWeights(prior, centres,
 * { rebalance: λ })` of `@colorize/train`, gives the distribution that training with those
 * weights aims at, `∝ w_q · p(q | x)`, so λ can be chosen on validation photos after one
 * training instead of one training per λ.
 *
 * @param model - a model from `buildUNet({ head: 'classification' })`, or one loaded from its files.
 * @param bias - `[Q]` finite numbers added to the logits before the temperature, or null for none.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a model without the head or a
 *   bias of the wrong length or with a non-finite value.
 * @see Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
 * @example
 * ```ts
 * const prior = await abClassPrior(trainData, centres);   // @colorize/train
 * setClassBias(generator, abClassWeights(prior, centres, { rebalance: 0.9 }).map(Math.log));
 * setClassBias(generator, null);                          // back to the trained logits
 * ```
 * @group Classification head
 */
export function setClassBias(model: tfl.LayersModel, bias: ArrayLike<number> | null): void {
  const fn = 'setClassBias';
  const layer = headConv(fn, model);
  const [kernel, trained] = layer.getWeights() as [tf.Tensor, tf.Tensor];
  const count = trained.size;
  const ok = bias === null || (typeof bias === 'object' && bias.length === count && Array.from(bias).every((x) => typeof x === 'number' && Number.isFinite(x)));
  if (!ok) throw invalid('INVALID_OPTION', fn, `bias as ${count} finite numbers (one per class) or null`, describeValue(bias));
  const previous = getClassBias(model) ?? new Float32Array(count);
  const next = bias === null ? new Float32Array(count) : Float32Array.from(bias);
  const updated = tf.tidy(() => tf.add(trained, tf.tensor1d(Float32Array.from(next, (x, q) => x - previous[q]!))));
  layer.setWeights([kernel, updated]);
  updated.dispose();
  const { [METADATA_KEY]: _, ...rest } = (model.getUserDefinedMetadata() as Record<string, unknown> | undefined) ?? {};
  model.setUserDefinedMetadata(bias === null ? rest : { ...rest, [METADATA_KEY]: Array.from(next) });
}
