/**
 * The foundation of colorize: backend selection, errors and input validation, metrics (PSNR,
 * SSIM, colorfulness, the grey baseline), colour constants shared with `@colorize/lab`, and a
 * leak-check helper. In Node, importing it also registers a `file://` model handler (see
 * {@link fileSystem}).
 *
 * @example
 * ```ts
 * import { initBackend, psnr, greyBaselinePsnr } from '@colorize/core';
 * await initBackend();
 * const model = await psnr(colorized, original, { dataRange: 255 });
 * const grey = await greyBaselinePsnr(original, { dataRange: 255 });
 * ```
 * @packageDocumentation
 */
export { BACKEND_NAMES, DEFAULT_BACKEND_ORDER, initBackend } from './backend.js';
export type { BackendName, InitBackendOptions } from './backend.js';
export { SKIMAGE_CIELAB } from './color/cielab-constants.js';
export { ColorizeError, describeValue, invalid } from './errors.js';
export type { ColorizeErrorCode } from './errors.js';
export { assertNoLeakedTensors, countLeakedTensors } from './memory.js';
export { colorfulness } from './metrics/colorfulness.js';
export type { ColorfulnessOptions } from './metrics/colorfulness.js';
export { greyBaselinePsnr } from './metrics/grey-baseline.js';
export type { GreyBaselineOptions } from './metrics/grey-baseline.js';
export type { MetricResult } from './metrics/metric-result.js';
export { psnr } from './metrics/psnr.js';
export type { PsnrOptions } from './metrics/psnr.js';
export { PsnrMeter } from './metrics/psnr-meter.js';
export { ssim } from './metrics/ssim.js';
export { registerTrainingSupport, TRAINING_SUPPORT } from './training/register-training-support.js';
export type { SsimOptions } from './metrics/ssim.js';
export { align16, EmbeddedModule, heapStart, reserve } from './wasm/embedded-module.js';
export type { EmbeddedExports, EmbeddedInstance } from './wasm/embedded-module.js';
export { assertImage, assertOptions, assertPositive, assertSameShape } from './validate.js';
export type { AssertImageOptions } from './validate.js';
