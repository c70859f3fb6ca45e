import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertOptions, describeValue, invalid } from '@colorize/core';
import { AB_SCALE, abGamutBins } from '@colorize/lab';

import { decoderBlock, doubleConv, encoderBlock, torchConvInitializer } from './blocks.js';
import type { Norm, Upsample } from './blocks.js';

/** Options of {@link buildUNet}. */
export interface UNetOptions {
  /** Width of the first block; block i has `base · 2^i` channels. Defaults to 64. */
  base?: number;
  /** Encoder (and decoder) blocks; the bottleneck is at 1 / 2^depth of the input size. Defaults to 4. */
  depth?: number;
  /** Normalisation after each conv. Defaults to `'batch'` (PyTorch-compatible BatchNorm). */
  norm?: Norm;
  /** How decoder blocks upsample. Defaults to `'transpose'` (2×2 stride-2 transposed conv). */
  upsample?: Upsample;
  /** Dropout rate after each decoder concatenation, 0 for none. Defaults to 0. */
  dropout?: number;
  /** Activation of the regression head. Defaults to `'tanh'` (ab in model space, [−1, 1]). */
  outputActivation?: 'tanh' | 'linear';
  /**
   * The head: `'regression'` (the seed's: 1×1 conv to `outChannels`, then `outputActivation`) or
   * `'classification'` (Zhang et al. 2016: 1×1 conv to one logit per in-gamut ab bin of
   * `abGamutBins()`, divided by `temperature`, softmax, then a fixed 1×1 conv that takes the mean
   * of the bin centres under those probabilities, / 110: the annealed mean, ab in model space as
   * before, so the model is used the same way). Train it with `reconstructionLoss:
   * 'classification'`. Defaults to `'regression'`.
   */
  head?: 'regression' | 'classification';
  /**
   * The classification head's annealed-mean temperature T in (0, 1]: 1 decodes the mean colour of
   * the predicted distribution, lower ones move towards its mode (more vivid). Training does not
   * see it; {@link setAnnealingTemperature} changes it afterwards. Defaults to 0.38 (Zhang et al.'s).
   */
  temperature?: number;
  /** `[h, w]` of the input, each divisible by 2^depth, or null for any size at inference. Defaults to null. */
  inputSize?: readonly [number, number] | null;
  /** Input channels. Defaults to 1 (L in model space). */
  inChannels?: number;
  /** Output channels. Defaults to 2 (a and b in model space). */
  outChannels?: number;
  /**
   * The last `outChannels` input channels are a prior answer (e.g. hints spread by
   * {@link spreadHints}) that the regression head corrects: `head_prior` (a fixed 1×1 conv)
   * picks them, `head_add` adds the head's output to them before `outputActivation`, and the
   * head starts at zero, so the untrained model returns the prior (use `outputActivation:
   * 'linear'` for exactly that). Defaults to false.
   */
  residualPrior?: boolean;
}

/** The seed's generator: base 64, depth 4, BatchNorm, transposed-conv upsampling, tanh; 31,036,546 trainable parameters. */
export const UNET_SEED: Readonly<Required<UNetOptions>> = {
  base: 64,
  depth: 4,
  norm: 'batch',
  upsample: 'transpose',
  dropout: 0,
  outputActivation: 'tanh',
  head: 'regression',
  temperature: 0.38,
  inputSize: null,
  inChannels: 1,
  outChannels: 2,
  residualPrior: false,
};

const FN = 'buildUNet';
const positiveInt = (name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid('INVALID_OPTION', FN, `${name} to be a positive integer`, describeValue(v));
  return v;
};
const oneOf = <T extends string>(name: string, v: unknown, allowed: readonly T[]): T => {
  if (!allowed.includes(v as T)) throw invalid('INVALID_OPTION', FN, `${name} to be one of ${allowed.join(', ')}`, describeValue(v));
  return v as T;
};

/** Resolves and checks {@link UNetOptions} against {@link UNET_SEED}. */
export function resolveUNetOptions(options?: UNetOptions): Required<UNetOptions> {
  const o = { ...UNET_SEED, ...assertOptions(FN, options, Object.keys(UNET_SEED) as (keyof UNetOptions)[]) };
  positiveInt('base', o.base);
  positiveInt('depth', o.depth);
  positiveInt('inChannels', o.inChannels);
  positiveInt('outChannels', o.outChannels);
  oneOf('norm', o.norm, ['batch', 'instance', 'none'] as const);
  oneOf('upsample', o.upsample, ['transpose', 'bilinear'] as const);
  oneOf('outputActivation', o.outputActivation, ['tanh', 'linear'] as const);
  oneOf('head', o.head, ['regression', 'classification'] as const);
  if (typeof o.temperature !== 'number' || !(o.temperature > 0 && o.temperature <= 1)) {
    throw invalid('INVALID_OPTION', FN, 'temperature in (0, 1]', describeValue(o.temperature));
  }
  if (o.head === 'classification' && o.outChannels !== 2) {
    throw invalid('INVALID_OPTION', FN, 'outChannels 2 (a and b) with the classification head', describeValue(o.outChannels));
  }
  if (typeof o.residualPrior !== 'boolean') throw invalid('INVALID_OPTION', FN, 'residualPrior to be true or false', describeValue(o.residualPrior));
  if (o.residualPrior && (o.head !== 'regression' || o.inChannels <= o.outChannels)) {
    throw invalid('INVALID_OPTION', FN, `residualPrior with the regression head and more than outChannels (${o.outChannels}) input channels`, `head ${o.head}, ${o.inChannels} input channels`);
  }
  if (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout < 1)) {
    throw invalid('INVALID_OPTION', FN, 'dropout to be a rate in [0, 1)', describeValue(o.dropout));
  }
  if (o.inputSize !== null) {
    const step = 2 ** o.depth;
    const ok = Array.isArray(o.inputSize) && o.inputSize.length === 2 && o.inputSize.every((d) => Number.isInteger(d) && d > 0 && d % step === 0);
    if (!ok) {
      throw invalid('INVALID_SHAPE', FN, `inputSize [h, w] with h and w multiples of 2^depth = ${step} (e.g. ${step * 4}, ${step * 8}, ${step * 16})`, describeValue(o.inputSize));
    }
  }
  return o;
}

/**
 * The U-Net generator (Ronneberger et al., 2015) of the seed: L in, ab out.
 *
 * ```
 * input [h, w, 1] ─ enc1 (64) ──────────────────────────── concat ─ dec1 (64) ─ head 1×1 → tanh → [h, w, 2]
 *                     └ pool ─ enc2 (128) ──────── concat ─ dec2 (128) ┘ up
 *                                └ pool ─ enc3 (256) ─ … ─ dec3 ┘ up
 *                                          └ pool ─ enc4 (512) ─ dec4 ┘ up
 *                                                    └ pool ─ bottleneck (1024) ┘ up
 * ```
 * Each block is 2 × (conv 3×3 same, no bias → BatchNorm → ReLU); `up` is a 2×2 stride-2
 * transposed conv with bias halving the width; concat puts the skip first. Layers are named
 * `enc2_conv1`, `enc2_bn1`, `bottleneck_conv2`, `dec1_up`, `head_conv`, … The classification
 * head is `head_conv` (Q logits) → `head_temperature` (× 1/T) → `head_activation` (softmax) →
 * `head_decode` (fixed, no bias).
 *
 * @param options - see {@link UNetOptions}; defaults are {@link UNET_SEED}.
 * @returns an uncompiled `LayersModel` from `[b, h, w, inChannels]` to `[b, h, w, outChannels]`.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a bad option, `INVALID_SHAPE` for an input size not divisible by 2^depth.
 * @remarks Matches the reference PyTorch `UNetGenerator` (weights in tfjs layouts) to 1e-4.
 * @example
 * ```ts
 * const generator = buildUNet();                       // the seed: 31,036,546 parameters
 * const small = buildUNet({ base: 32, upsample: 'bilinear' });
 * ```
 */
export function buildUNet(options?: UNetOptions): tfl.LayersModel {
  const o = resolveUNetOptions(options);
  const [h, w] = o.inputSize ?? [null, null];
  const input = tfl.input({ shape: [h, w, o.inChannels], name: 'L' });
  const skips: tfl.SymbolicTensor[] = [];
  let x = input;
  for (let i = 1; i <= o.depth; i += 1) {
    const { skip, down } = encoderBlock(x, o.base * 2 ** (i - 1), `enc${i}`, o.norm);
    skips.push(skip);
    x = down;
  }
  x = doubleConv(x, o.base * 2 ** o.depth, 'bottleneck', o.norm);
  for (let i = o.depth; i >= 1; i -= 1) {
    x = decoderBlock(x, skips[i - 1]!, o.base * 2 ** (i - 1), `dec${i}`, { norm: o.norm, upsample: o.upsample, dropout: o.dropout });
  }
  if (o.head === 'classification') return tfl.model({ inputs: input, outputs: classificationHead(x, o.temperature), name: 'unet' });
  const head = tfl.layers
    .conv2d({ filters: o.outChannels, kernelSize: 1, useBias: true, kernelInitializer: o.residualPrior ? 'zeros' : torchConvInitializer(), name: 'head_conv' })
    .apply(x) as tfl.SymbolicTensor;
  const sum = o.residualPrior ? (tfl.layers.add({ name: 'head_add' }).apply([head, priorOf(input, o.inChannels, o.outChannels)]) as tfl.SymbolicTensor) : head;
  const output = tfl.layers.activation({ activation: o.outputActivation, name: 'head_activation' }).apply(sum) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'unet' });
}

/** The input's last `count` channels, by a fixed 1×1 conv (`head_prior`) that picks them. */
function priorOf(input: tfl.SymbolicTensor, inChannels: number, count: number): tfl.SymbolicTensor {
  const pick = tfl.layers.conv2d({ filters: count, kernelSize: 1, useBias: false, trainable: false, kernelInitializer: 'zeros', name: 'head_prior' });
  const prior = pick.apply(input) as tfl.SymbolicTensor;
  const kernel = tf.tidy(() => tf.reshape(tf.slice(tf.eye(inChannels), [0, inChannels - count], [inChannels, count]), [1, 1, inChannels, count]));
  pick.setWeights([kernel]);
  kernel.dispose();
  return prior;
}

/** Logits per ab bin → / T → softmax → their probability-weighted mean centre in model space (a fixed 1×1 conv). */
function classificationHead(x: tfl.SymbolicTensor, temperature: number): tfl.SymbolicTensor {
  const bins = abGamutBins();
  const logits = tfl.layers
    .conv2d({ filters: bins.count, kernelSize: 1, useBias: true, kernelInitializer: torchConvInitializer(), name: 'head_conv' })
    .apply(x) as tfl.SymbolicTensor;
  const annealed = tfl.layers.rescaling({ scale: 1 / temperature, name: 'head_temperature' }).apply(logits) as tfl.SymbolicTensor;
  const probabilities = tfl.layers.activation({ activation: 'softmax', name: 'head_activation' }).apply(annealed) as tfl.SymbolicTensor;
  const decode = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, trainable: false, kernelInitializer: 'zeros', name: 'head_decode' });
  const ab = decode.apply(probabilities) as tfl.SymbolicTensor;
  const kernel = tf.tidy(() => tf.div(tf.tensor4d(bins.centres, [1, 1, bins.count, 2]), AB_SCALE));
  decode.setWeights([kernel]);
  kernel.dispose();
  return ab;
}

/**
 * Sets the annealed-mean temperature of a U-Net with a classification head, in place: the
 * logits are divided by `temperature` before the softmax. The trained weights do not change, so
 * a model can be tried at several temperatures (on validation photos) after training; save it
 * afterwards to keep the choice.
 *
 * @param model - a model from `buildUNet({ head: 'classification' })`, or one loaded from its files.
 * @param temperature - T in (0, 1].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a model without the head or a bad T.
 * @example
 * ```ts
 * setAnnealingTemperature(generator, 0.3);   // more vivid than the default 0.38
 * ```
 */
export function setAnnealingTemperature(model: tfl.LayersModel, temperature: number): void {
  const fn = 'setAnnealingTemperature';
  const layer = model?.layers?.find((l) => l.name === 'head_temperature');
  if (layer === undefined || layer.getClassName() !== 'Rescaling') {
    throw invalid('INVALID_OPTION', fn, 'a U-Net with a classification head (a Rescaling layer head_temperature)', describeValue(model));
  }
  if (typeof temperature !== 'number' || !(temperature > 0 && temperature <= 1)) throw invalid('INVALID_OPTION', fn, 'temperature in (0, 1]', describeValue(temperature));
  (layer as unknown as { scale: number }).scale = 1 / temperature;
}
