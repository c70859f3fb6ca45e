import { invalid, SKIMAGE_CIELAB as K } from '@colorize/core';

/** A colour as three plain numbers. */
export type Triple = readonly [number, number, number];

const [XN, YN, ZN] = K.whiteD65;
const M = K.xyzFromRgb;
const MI = K.rgbFromXyz;

/** sRGB decode of one channel, float64, as scikit-image: power branch for `c > 0.04045`. */
export function srgbToLinearValue(c: number): number {
  return c > K.srgbDecodeThreshold ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92;
}

/** sRGB encode of one channel, float64, without clipping: power branch for `c > 0.0031308`. */
export function linearToSrgbValue(c: number): number {
  return c > K.srgbEncodeThreshold ? 1.055 * c ** (1 / 2.4) - 0.055 : 12.92 * c;
}

/** The CIELAB companding function f(t) of scikit-image. */
export function labF(t: number): number {
  return t > K.labForwardThreshold ? Math.cbrt(t) : K.labLinearSlope * t + K.labLinearOffset;
}

/** The inverse of {@link labF} as scikit-image computes it (threshold 0.2068966). */
export function labFInverse(f: number): number {
  return f > K.labInverseThreshold ? f * f * f : (f - K.labLinearOffset) / K.labLinearSlope;
}

function checkTriple(fn: string, what: string, v: unknown): Triple {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw invalid('INVALID_SHAPE', fn, `${what} as three finite numbers`, Array.isArray(v) ? `[${v.join(', ')}]` : String(v));
  }
  return v as unknown as Triple;
}

/**
 * One sRGB colour to CIELAB (D65, 2°), in float64, exactly as scikit-image's `rgb2lab`.
 *
 * @param rgb - `[r, g, b]` in [0, 1] (values outside are converted as given, as scikit-image does).
 * @returns `[L, a, b]`: L in [0, 100], a and b about [−128, 127].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` unless three finite numbers.
 * @remarks Matches `skimage.color.rgb2lab` to 1e-9 (float64, scikit-image 0.19.3 constants).
 * @example
 * ```ts
 * rgbToLabPixel([1, 0, 0]); // [53.2406, 80.0923, 67.2028]
 * ```
 */
export function rgbToLabPixel(rgb: Triple): [number, number, number] {
  const [r, g, b] = checkTriple('rgbToLabPixel', 'an sRGB colour', rgb);
  const lr = srgbToLinearValue(r);
  const lg = srgbToLinearValue(g);
  const lb = srgbToLinearValue(b);
  const fx = labF((M[0][0] * lr + M[0][1] * lg + M[0][2] * lb) / XN);
  const fy = labF((M[1][0] * lr + M[1][1] * lg + M[1][2] * lb) / YN);
  const fz = labF((M[2][0] * lr + M[2][1] * lg + M[2][2] * lb) / ZN);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/**
 * One CIELAB (D65, 2°) colour to sRGB, in float64, exactly as scikit-image's `lab2rgb`: a
 * negative fz (z < 0) is clamped to 0, and each channel is clipped to [0, 1] after the gamma.
 *
 * @param lab - `[L, a, b]`.
 * @param options - `clip`: clip to [0, 1] as scikit-image does. Defaults to true.
 * @returns `[r, g, b]` in [0, 1] (or unclipped).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` unless three finite numbers.
 * @remarks Matches `skimage.color.lab2rgb` to 1e-9.
 * @example
 * ```ts
 * labToRgbPixel([53.24, 80.09, 67.2]); // ≈ [1, 0, 0]
 * ```
 */
export function labToRgbPixel(lab: Triple, options: { clip?: boolean } = {}): [number, number, number] {
  const [L, a, b] = checkTriple('labToRgbPixel', 'a CIELAB colour', lab);
  const fy = (L + 16) / 116;
  const fx = a / 500 + fy;
  const fz = Math.max(fy - b / 200, 0);
  const x = labFInverse(fx) * XN;
  const y = labFInverse(fy) * YN;
  const z = labFInverse(fz) * ZN;
  const out: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 3; i += 1) {
    const row = MI[i]!;
    const c = linearToSrgbValue(row[0] * x + row[1] * y + row[2] * z);
    out[i] = options.clip === false ? c : Math.min(1, Math.max(0, c));
  }
  return out;
}
