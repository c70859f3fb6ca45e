import * as tf from '@tensorflow/tfjs-core';

/**
 * The input gradient of a conv2d (and so `conv2dTranspose`), NHWC, from forward convolutions only.
 *
 * For stride s, output pixels fall into s × s phases by `(i + padTop) mod s`; each phase is a
 * stride-1 correlation of `dy` with a sub-filter (every s-th tap, flipped). All phases run as one
 * stride-1 conv whose output channels are `phase × inChannels`, and `depthToSpace` interleaves
 * them: the same arithmetic as the direct method, in the backend's fastest kernel. A 2×2/2
 * transposed conv becomes a 1×1 conv; a 4×4/2 one a 2×2 conv; stride 1 the classic flipped conv.
 *
 * @param dy - `[b, oh, ow, co]`, the gradient of the conv output.
 * @param filter - `[fh, fw, ci, co]`.
 * @param info - the forward conv's geometry (input shape, padding, strides).
 * @returns `[b, h, w, ci]`. Call inside `tidy`.
 */
export function conv2dBackpropInputNHWC(dy: tf.Tensor4D, filter: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const kh = Math.ceil(fh / sh);
  const kw = Math.ceil(fw / sw);
  // Combined filter [kh, kw, co, sh·sw·ci]: tap (jy, jx) of phase (ty, tx) is filter[ty + (kh-1-jy)·sh, tx + (kw-1-jx)·sw].
  const padded = tf.pad(filter, [[0, kh * sh - fh], [0, kw * sw - fw], [0, 0], [0, 0]]);
  const split = tf.reverse(tf.reshape(padded, [kh, sh, kw, sw, ci, co]), [0, 2]);
  const combined = tf.reshape(tf.transpose(split, [0, 2, 5, 1, 3, 4]), [kh, kw, co, sh * sw * ci]) as tf.Tensor4D;
  // Phase grid: rows u = i + top in [0, qh·sh) cover every input row i in [0, h).
  const qh = Math.ceil((h + top) / sh);
  const qw = Math.ceil((w + left) / sw);
  let z = tf.conv2d(dy, combined, 1, [[0, 0], [kh - 1, Math.max(0, qh - oh)], [kw - 1, Math.max(0, qw - ow)], [0, 0]]);
  if (z.shape[1] !== qh || z.shape[2] !== qw) z = tf.slice(z, [0, 0, 0, 0], [b, qh, qw, sh * sw * ci]);
  let full: tf.Tensor4D;
  if (sh === 1 && sw === 1) full = z;
  else if (sh === sw) full = tf.depthToSpace(z, sh, 'NHWC');
  else {
    const z6 = tf.reshape(z, [b, qh, qw, sh, sw, ci]);
    full = tf.reshape(tf.transpose(z6, [0, 1, 3, 2, 4, 5]), [b, qh * sh, qw * sw, ci]);
  }
  return top === 0 && left === 0 && full.shape[1] === h && full.shape[2] === w
    ? full
    : tf.slice(full, [0, top, left, 0], [b, h, w, ci]);
}
