import { SKIMAGE_CIELAB as K } from '@colorize/core';

type Row = readonly [number, number, number];
/** A 3 × 3 matrix as rows. */
export type Rows = readonly [Row, Row, Row];

/** `[fx, fy, fz] → [L, a, b]`: L = 116 fy − 16 (bias below), a = 500 (fx − fy), b = 200 (fy − fz). */
export const LAB_FROM_F: Rows = [
  [0, 116, 0],
  [500, -500, 0],
  [0, 200, -200],
];
export const LAB_BIAS = [-16, 0, 0] as const;
/** `[L, a, b] → [fx, fy, fz]` without the common offset 16/116 (the inverse of {@link LAB_FROM_F}). */
export const F_FROM_LAB: Rows = [
  [1 / 116, 1 / 500, 0],
  [1 / 116, 0, 0],
  [1 / 116, 0, -1 / 200],
];
/** Linear RGB → t = XYZ / white: scikit-image's matrix with each row divided by the white point. */
export const T_FROM_LINEAR = K.xyzFromRgb.map((row, i) => row.map((m) => m / K.whiteD65[i]!)) as unknown as Rows;
/** t = XYZ / white → linear RGB: `rgb_from_xyz` with each column times the white point. */
export const LINEAR_FROM_T = K.rgbFromXyz.map((row) => row.map((m, j) => m * K.whiteD65[j]!)) as unknown as Rows;

export function transpose(rows: Rows): Rows {
  return [0, 1, 2].map((j) => rows.map((row) => row[j])) as unknown as Rows;
}
