import * as tf from '@tensorflow/tfjs-core';

/**
 * Below this many input channels (at stride 1), the filter gradient is computed by im2col and
 * one matrix product instead of a convolution: the convolution form then runs with the batch as
 * its only input channels and reaches a third of the forward conv's speed on wasm (measured in
 * `bench/results/wasm-conv-gradients.md`), while the product reaches 2–3 times it.
 */
const IM2COL_MAX_CHANNELS = 8;

/**
 * The filter gradient of a conv2d, NHWC:
 * `dW[ky, kx, c, o] = Σ_{b,i,j} x[b, i·s + ky − pad, j·s + kx − pad, c] · dy[b, i, j, o]`.
 *
 * Usually as one forward convolution: a correlation over batch and output positions is a conv
 * whose input is `x` transposed to `[c, h, w, b]` (channels as batch, batch as channels) and
 * whose filter is `dy` transposed to `[oh, ow, b, o]`, with `dilations = strides`. Padding is
 * passed to the conv, so no padded copy of `x` is made. For few input channels at stride 1,
 * as im2col: the `fh · fw` shifted views of `x` stacked to `[fh·fw·c, n]`, times `dy` as `[n, o]`.
 *
 * @param x - `[b, h, w, ci]`, the conv input.
 * @param dy - `[b, oh, ow, co]`, the gradient of the conv output.
 * @param info - the forward conv's geometry.
 * @param im2colMaxChannels - use im2col below this many input channels at stride 1 (0: never;
 *   the cpu backend's slices are slow, so it always takes the convolution form).
 * @returns `[fh, fw, ci, co]`. Call inside `tidy`.
 */
export function conv2dBackpropFilterNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, im2colMaxChannels = IM2COL_MAX_CHANNELS): tf.Tensor4D {
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  // Rows the taps reach: fh + (oh − 1)·sh from −top. Pad the bottom/right as far as needed;
  // rows beyond that are never read (valid padding may leave some unused).
  const bottom = Math.max(0, fh + (oh - 1) * sh - h - top);
  const right = Math.max(0, fw + (ow - 1) * sw - w - left);
  if (sh === 1 && sw === 1 && ci < im2colMaxChannels) {
    const xp = tf.pad(tf.transpose(x, [3, 0, 1, 2]), [[0, 0], [0, 0], [top, bottom], [left, right]]);
    const views: tf.Tensor[] = [];
    for (let ky = 0; ky < fh; ky += 1) {
      for (let kx = 0; kx < fw; kx += 1) views.push(tf.reshape(tf.slice(xp, [0, 0, ky, kx], [ci, b, oh, ow]), [ci, b * oh * ow]));
    }
    const product = tf.matMul(tf.concat(views, 0), tf.reshape(dy, [b * oh * ow, co]));
    return tf.reshape(product, [fh, fw, ci, co]);
  }
  const xT = tf.transpose(x, [3, 1, 2, 0]);
  const dyT = tf.transpose(dy, [1, 2, 0, 3]);
  const r = tf.conv2d(xT, dyT as tf.Tensor4D, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', [sh, sw]);
  const cropped = r.shape[1] === fh && r.shape[2] === fw ? r : tf.slice(r, [0, 0, 0, 0], [ci, fh, fw, co]);
  return tf.transpose(cropped, [1, 2, 0, 3]);
}
