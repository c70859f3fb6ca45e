import * as tf from '@tensorflow/tfjs-core';

/**
 * The filter gradient of a conv2d, NHWC:
 * `dW[ky, kx, c, o] = Σ_{b,i,j} x[b, i·s + ky − pad, j·s + kx − pad, c] · dy[b, i, j, o]`.
 *
 * As one forward convolution: a correlation over batch and output positions is a conv whose
 * input is `x` transposed to `[c, h, w, b]` (channels as batch, batch as channels) and whose
 * filter is `dy` transposed to `[oh, ow, b, o]`, with `dilations = strides`. Padding is passed
 * to the conv, so no padded copy of `x` is made. The cpu backend's filter gradient; on wasm,
 * colorize's SIMD kernel (`wasm/conv2d-backprop-filter-simd.ts`) is about twice as fast, and
 * this is the fallback where the runtime lacks WebAssembly SIMD.
 *
 * @param x - `[b, h, w, ci]`, the conv input.
 * @param dy - `[b, oh, ow, co]`, the gradient of the conv output.
 * @param info - the forward conv's geometry.
 * @returns `[fh, fw, ci, co]`. Call inside `tidy`.
 */
export function conv2dBackpropFilterNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  // Rows the taps reach: fh + (oh − 1)·sh from −top. Pad the bottom/right as far as needed;
  // rows beyond that are never read (valid padding may leave some unused).
  const bottom = Math.max(0, fh + (oh - 1) * sh - h - top);
  const right = Math.max(0, fw + (ow - 1) * sw - w - left);
  const xT = tf.transpose(x, [3, 1, 2, 0]);
  const dyT = tf.transpose(dy, [1, 2, 0, 3]);
  const r = tf.conv2d(xT, dyT as tf.Tensor4D, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', [sh, sw]);
  const cropped = r.shape[1] === fh && r.shape[2] === fw ? r : tf.slice(r, [0, 0, 0, 0], [ci, fh, fw, co]);
  return tf.transpose(cropped, [1, 2, 0, 3]);
}
