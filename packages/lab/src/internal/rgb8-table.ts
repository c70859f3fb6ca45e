import { AB_SCALE, L_SCALE } from '../model-space.js';
import { T_FROM_LINEAR } from './matrices.js';
import { srgbToLinearValue } from '../pixel.js';

/**
 * For each 8-bit value k and each (RGB channel j, XYZ row i), at `k · 9 + j · 3 + i`:
 * `T_FROM_LINEAR[i][j] · decode(k / 255)`, that is `M[i][j] · decode(k / 255) / white[i]`. Exact float64 values of scikit-image's steps (uint8 →
 * `k · (1/255)` → sRGB decode → matrix → divide by the white point), so a pixel's t = X / Xn is
 * three table reads and two additions; one interleaved table keeps each byte's reads together.
 */
export const T_FROM_RGB8: Float64Array = (() => {
  const table = new Float64Array(256 * 9);
  for (let k = 0; k < 256; k += 1) {
    const linear = srgbToLinearValue(k * (1 / 255));
    for (let j = 0; j < 3; j += 1) {
      for (let i = 0; i < 3; i += 1) table[k * 9 + j * 3 + i] = T_FROM_LINEAR[i]![j]! * linear;
    }
  }
  return table;
})();

/** rgb8ToModelLab's model-space scales: L / 50 − 1 = (116 fy − 16) / 50 − 1 = lScale · fy − lOffset; a / 110 = aScale · (fx − fy); b / 110 = bScale · (fy − fz). */
export const RGB8_LAB_SCALES = {
  lScale: 116 / L_SCALE,
  lOffset: 16 / L_SCALE + 1,
  aScale: 500 / AB_SCALE,
  bScale: 200 / AB_SCALE,
} as const;
