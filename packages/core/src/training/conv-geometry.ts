import * as tf from '@tensorflow/tfjs-core';

/** The padding forms tfjs accepts for convolutions. */
export type ConvPad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Normalises a stride or dilation attribute to `[h, w]`. */
export function pair(v: number | [number, number] | readonly number[]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0]!, v[1]!];
}

/** `NCHW` → `NHWC` for an explicit padding array (tfjs orders it like the data). */
function padNHWC(pad: ConvPad, dataFormat: string): ConvPad {
  if (!Array.isArray(pad) || dataFormat !== 'NCHW') return pad;
  return [pad[0], pad[2], pad[3], pad[1]];
}

/** The geometry of a forward conv in NHWC, as tfjs computes it (so padding matches exactly). */
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: [number, number],
  dilations: [number, number],
  pad: ConvPad,
  dataFormat: string,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise = false,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    padNHWC(pad, dataFormat) as 'same',
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** NCHW ↔ NHWC for 4-D tensors and shapes. */
export const toNHWC = (t: tf.Tensor4D): tf.Tensor4D => tf.transpose(t, [0, 2, 3, 1]);
export const toNCHW = (t: tf.Tensor4D): tf.Tensor4D => tf.transpose(t, [0, 3, 1, 2]);
export const shapeNHWC = (s: readonly number[]): [number, number, number, number] => [s[0]!, s[2]!, s[3]!, s[1]!];
