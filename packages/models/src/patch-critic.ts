import * as tfl from '@tensorflow/tfjs-layers';
import { assertOptions, describeValue, invalid } from '@colorize/core';

import { criticBlock } from './blocks.js';
import type { Norm } from './blocks.js';

/** Options of {@link buildPatchCritic}. */
export interface PatchCriticOptions {
  /** Width of the first block; later blocks `base · min(2^i, 8)`. Defaults to 64. */
  base?: number;
  /** Stride-2 blocks after the first (the receptive field grows with each). Defaults to 3. */
  layers?: number;
  /** Normalisation after blocks 2 … layers + 1. Defaults to `'instance'` (WGAN-GP forbids BatchNorm in the critic). */
  norm?: Norm;
  /** Input channels. Defaults to 3 (L and ab). */
  inChannels?: number;
  /** `[h, w]` of the input, or null for any size of at least 24 × 24. Defaults to null. */
  inputSize?: readonly [number, number] | null;
}

/** The seed's critic: base 64, 3 layers, InstanceNorm; 2,764,737 trainable parameters; 14 × 14 patches for 128 × 128 input. */
export const PATCH_CRITIC_SEED: Readonly<Required<PatchCriticOptions>> = { base: 64, layers: 3, norm: 'instance', inChannels: 3, inputSize: null };

const FN = 'buildPatchCritic';

/** Resolves and checks {@link PatchCriticOptions} against {@link PATCH_CRITIC_SEED}. */
export function resolvePatchCriticOptions(options?: PatchCriticOptions): Required<PatchCriticOptions> {
  const o = { ...PATCH_CRITIC_SEED, ...assertOptions(FN, options, Object.keys(PATCH_CRITIC_SEED) as (keyof PatchCriticOptions)[]) };
  for (const key of ['base', 'layers', 'inChannels'] as const) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid('INVALID_OPTION', FN, `${key} to be a positive integer`, describeValue(v));
  }
  if (!['batch', 'instance', 'none'].includes(o.norm)) throw invalid('INVALID_OPTION', FN, 'norm to be one of batch, instance, none', describeValue(o.norm));
  if (o.inputSize !== null) {
    // Each 4×4 pad-1 conv maps n to ⌊(n − 2) / s⌋ + 1; the map must keep at least one cell.
    let [h, w] = o.inputSize;
    for (let i = 0; i < o.layers + 2; i += 1) {
      const s = i < o.layers ? 2 : 1;
      h = Math.floor((h - 2) / s) + 1;
      w = Math.floor((w - 2) / s) + 1;
    }
    if (!(h >= 1 && w >= 1)) throw invalid('INVALID_SHAPE', FN, 'an inputSize that leaves at least one output cell (24 × 24 for 3 layers)', describeValue(o.inputSize));
  }
  return o;
}

/**
 * The PatchGAN critic (Isola et al., 2017) of the seed, as a WGAN-GP critic: no sigmoid, one
 * score per overlapping patch.
 *
 * ```
 * [h, w, 3] → conv 4×4/2 (64) → LReLU → conv 4×4/2 (128) → IN → LReLU → conv 4×4/2 (256) → IN → LReLU
 *           → conv 4×4/1 (512) → IN → LReLU → conv 4×4/1 (1) → [h/8 − 2, w/8 − 2, 1]
 * ```
 * Every conv pads 1 with zeros then runs `valid`, with bias, weights ~ N(0, 0.02), biases 0;
 * widths `base · min(2^i, 8)` as pix2pix. Layers are named `critic_conv1` … `critic_conv4`, `critic_out`.
 *
 * @param options - see {@link PatchCriticOptions}; defaults are {@link PATCH_CRITIC_SEED}.
 * @returns an uncompiled `LayersModel` from `[b, h, w, inChannels]` to `[b, h', w', 1]`.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` or `INVALID_SHAPE`.
 * @remarks Matches the reference PyTorch `NLayerDiscriminator` (n_layers 3, InstanceNorm2d) to 1e-4.
 * @example
 * ```ts
 * const critic = buildPatchCritic();   // 2,764,737 parameters; 14 × 14 output for 128 × 128
 * ```
 */
export function buildPatchCritic(options?: PatchCriticOptions): tfl.LayersModel {
  const o = resolvePatchCriticOptions(options);
  const [h, w] = o.inputSize ?? [null, null];
  const input = tfl.input({ shape: [h, w, o.inChannels], name: 'Lab' });
  let x = criticBlock(input, o.base, 2, 'critic_conv1', { norm: 'none', activation: true });
  for (let i = 1; i <= o.layers; i += 1) {
    // stride 2 for all but the last: the seed's strides are 2, 2, 2, 1, then 1 for the output
    x = criticBlock(x, o.base * Math.min(2 ** i, 8), i < o.layers ? 2 : 1, `critic_conv${i + 1}`, { norm: o.norm, activation: true });
  }
  const out = criticBlock(x, 1, 1, 'critic_out', { norm: 'none', activation: false });
  return tfl.model({ inputs: input, outputs: out, name: 'patch_critic' });
}
