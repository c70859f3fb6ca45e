/**
 * The seed's U-Net generator and PatchGAN critic as tfjs-layers builders, the blocks they are
 * made of, and an InstanceNormalization layer; all serialisable like any tfjs layers model.
 *
 * @example
 * ```ts
 * import { buildUNet, buildPatchCritic } from '@colorize/models';
 * const generator = buildUNet();        // L [h, w, 1] → ab [h, w, 2]
 * const critic = buildPatchCritic();    // Lab [h, w, 3] → patch scores
 * ```
 * @packageDocumentation
 */
export { criticBlock, criticInitializer, decoderBlock, doubleConv, encoderBlock, normLayer, torchConvInitializer } from './blocks.js';
export type { Norm, Upsample } from './blocks.js';
export { getClassBias, setClassBias } from './class-bias.js';
export { assertHints, DEFAULT_HINT_RADIUS, hintColorToAb, paintHints, rasterizeHints } from './color-hints.js';
export type { ColorHint } from './color-hints.js';
export { spreadHints } from './spread-hints.js';
export type { SpreadHintsOptions } from './spread-hints.js';
export { colorizeImage, generatorInChannels, hintModelInput } from './colorize-image.js';
export type { AbPredictor, ColorizeImageOptions, Rgb8Image } from './colorize-image.js';
export { foldBatchNorm } from './fold-batch-norm.js';
export { InstanceNormalization } from './instance-normalization.js';
export type { InstanceNormalizationArgs } from './instance-normalization.js';
export { buildPatchCritic, PATCH_CRITIC_SEED, resolvePatchCriticOptions } from './patch-critic.js';
export type { PatchCriticOptions } from './patch-critic.js';
export { buildUNet, resolveUNetOptions, setAnnealingTemperature, UNET_SEED } from './unet.js';
export type { UNetOptions } from './unet.js';
