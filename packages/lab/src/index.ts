/**
 * sRGB ↔ CIELAB (D65, 2°), scikit-image compatible, on tfjs tensors and plain numbers.
 *
 * Not yet released: the conversions are tracked in issue 4. The constants they use are
 * exported today by `@colorize/core` as `SKIMAGE_CIELAB`.
 *
 * @packageDocumentation
 */
export {};
