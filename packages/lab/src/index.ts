/**
 * sRGB ↔ CIELAB (D65, 2°), scikit-image compatible, on tfjs tensors (differentiable, every
 * backend) and on plain numbers (float64 pixels, and a fast typed-array path for the data
 * pipeline), plus the model space the colorization network uses (`L / 50 − 1`, `ab / 110`).
 *
 * @example
 * ```ts
 * import { rgbToLab, labToModel, splitLab, colorize } from '@colorize/lab';
 * const { L, ab } = splitLab(labToModel(rgbToLab(rgb)));   // model input and target
 * const rgbOut = colorize(L, predictedAb);                   // what inference returns
 * ```
 * @packageDocumentation
 */
export { abGamutBins } from './ab-bins.js';
export type { AbBins } from './ab-bins.js';
export { labToXyz, xyzToLab } from './cielab.js';
export { AB_SCALE, colorize, joinLab, L_SCALE, labToModel, modelToLab, splitLab } from './model-space.js';
export { labToRgbPixel, rgbToLabPixel } from './pixel.js';
export type { Triple } from './pixel.js';
export { labToRgb, rgbToLab } from './rgb-lab.js';
export type { LabToRgbOptions } from './rgb-lab.js';
export { linearToSrgb, srgbToLinear } from './srgb.js';
export { modelLabToRgb8, recolorRgb8, rgb8ToModelL, rgb8ToModelLab } from './typed-arrays.js';
export type { ModelLabArrays, ModelLabToRgb8Options, RecolorRgb8Options, Rgb8Options, Rgb8ToModelLOptions } from './typed-arrays.js';
export { linearRgbToXyz, xyzToLinearRgb } from './xyz.js';
