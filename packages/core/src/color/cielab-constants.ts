/**
 * The constants of sRGB ↔ CIELAB (D65, 2°) exactly as scikit-image 0.19 `skimage/color/colorconv.py`
 * uses them, the reference of the colorization literature. They differ slightly from the exact CIE
 * values (216/24389, 24389/27, 6/29): matching scikit-image is what makes PSNR and Lab numbers
 * comparable with published results, so these are kept as they are.
 *
 * @see https://github.com/scikit-image/scikit-image/blob/v0.19.3/skimage/color/colorconv.py
 * @group Color constants
 */
export const SKIMAGE_CIELAB = {
  /** Reference white `xyz_ref_white` for D65, 2° observer: (Xn, Yn, Zn). */
  whiteD65: [0.95047, 1.0, 1.08883] as const,
  /** `xyz_from_rgb`: linear sRGB → XYZ, rows X, Y, Z. Rounded to 6 decimals, as scikit-image has it. */
  xyzFromRgb: [
    [0.412453, 0.35758, 0.180423],
    [0.212671, 0.71516, 0.072169],
    [0.019334, 0.119193, 0.950227],
  ] as const,
  /** `rgb_from_xyz = numpy.linalg.inv(xyz_from_rgb)`, computed once in float64. */
  rgbFromXyz: [
    [3.2404813432005266, -1.5371515162713183, -0.4985363261688878],
    [-0.9692549499965682, 1.8759900014898907, 0.04155592655829284],
    [0.05564663913517717, -0.20404133836651123, 1.0573110696453443],
  ] as const,
  /** sRGB decode uses the power branch for `c > 0.04045`: `((c + 0.055) / 1.055) ** 2.4`, else `c / 12.92`. */
  srgbDecodeThreshold: 0.04045,
  /** sRGB encode uses the power branch for `c > 0.0031308`: `1.055 * c ** (1 / 2.4) - 0.055`, else `12.92 * c`. */
  srgbEncodeThreshold: 0.0031308,
  /** Lab forward: `f(t) = cbrt(t)` for `t > 0.008856`, else `7.787 * t + 16 / 116`. */
  labForwardThreshold: 0.008856,
  /** Slope of the linear segment, both directions. */
  labLinearSlope: 7.787,
  /** Offset of the linear segment, `16 / 116`. */
  labLinearOffset: 16 / 116,
  /** Lab inverse: `t = f ** 3` for `f > 0.2068966`, else `(f - 16 / 116) / 7.787`. */
  labInverseThreshold: 0.2068966,
} as const;
