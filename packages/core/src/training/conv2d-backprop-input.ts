import * as tf from '@tensorflow/tfjs-core';

/**
 * The filter's taps, flipped and grouped by phase, as `[sh·kh·kw·sw, ci·co]` in the order
 * (ty, jy, jx, tx): row (ty, jy, jx, tx) is tap (ty + (kh−1−jy)·sh, tx + (kw−1−jx)·sw), or zero
 * past the filter's edge. Done as a product with a 0/1 permutation matrix: on wasm, `reverse`
 * and `gather` of a 3×3×1024×1024 filter take 440–490 ms, this product about 10 ms.
 */
function reorderTaps(filter: tf.Tensor4D, kh: number, kw: number, sh: number, sw: number): tf.Tensor2D {
  const [fh, fw, ci, co] = filter.shape;
  const rows = kh * kw * sh * sw;
  const select = new Float32Array(rows * fh * fw);
  for (let jy = 0; jy < kh; jy += 1) {
    for (let jx = 0; jx < kw; jx += 1) {
      for (let ty = 0; ty < sh; ty += 1) {
        for (let tx = 0; tx < sw; tx += 1) {
          const y = ty + (kh - 1 - jy) * sh;
          const x = tx + (kw - 1 - jx) * sw;
          if (y < fh && x < fw) select[(((ty * kh + jy) * kw + jx) * sw + tx) * fh * fw + y * fw + x] = 1;
        }
      }
    }
  }
  return tf.matMul(tf.tensor2d(select, [rows, fh * fw]), tf.reshape(filter, [fh * fw, ci * co]));
}

/**
 * The input gradient of a conv2d (and so `conv2dTranspose`), NHWC, from forward convolutions only.
 *
 * For stride s, output pixels fall into s × s phases by `(i + padTop) mod s`; each phase is a
 * stride-1 correlation of `dy` with a sub-filter (every s-th tap, flipped). The column phases
 * of each row phase run as one stride-1 conv whose output channels are `phase × inChannels`,
 * and stacking the row phases interleaves everything (a depth-to-space): the same arithmetic as
 * the direct method, in the backend's fastest kernel. A 2×2/2 transposed conv becomes 1×1
 * convs; a 4×4/2 one 2×2 convs; stride 1 the classic flipped conv. With one to four input
 * channels the convs have as few outputs, which leave XNNPACK's 8-wide tiles mostly empty: on
 * wasm those take colorize's SIMD kernel instead (`wasm/conv2d-backprop-input-simd.ts`).
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
  // Per row phase ty, a filter [kh, kw, co, sw·ci]: tap (jy, jx) of phase (ty, tx) is
  // filter[ty + (kh-1-jy)·sh, tx + (kw-1-jx)·sw]. (A 4-D transpose: wasm's 6-D one of the same
  // values is 20 times slower, 38 ms for a 4×4×128×256 filter.)
  const taps = tf.reshape(reorderTaps(filter, kh, kw, sh, sw), [sh * kh * kw, sw, ci, co]);
  const byRowPhase = tf.unstack(tf.reshape(tf.transpose(taps, [0, 3, 1, 2]), [sh, kh, kw, co, sw * ci]));
  // Phase grid: rows u = i + top in [0, qh·sh) cover every input row i in [0, h).
  const qh = Math.ceil((h + top) / sh);
  const qw = Math.ceil((w + left) / sw);
  // tf.pad + 'valid' beats the conv's own explicit padding on wasm (XNNPACK takes a slower path).
  const pads: [number, number][] = [[0, 0], [kh - 1, Math.max(0, qh - oh)], [kw - 1, Math.max(0, qw - ow)], [0, 0]];
  const padded = pads.every(([a, b2]) => a === 0 && b2 === 0) ? dy : tf.pad(dy, pads);
  const rows = byRowPhase.map((f) => {
    const z = tf.conv2d(padded, f as tf.Tensor4D, 1, 'valid');
    return z.shape[1] === qh && z.shape[2] === qw ? z : tf.slice(z, [0, 0, 0, 0], [b, qh, qw, sw * ci]);
  });
  // Interleave: each row phase's output already holds its column phases in channel order
  // ([qw, sw, ci] is [qw·sw, ci]), so stacking the row phases is the whole depth-to-space, in
  // contiguous blocks. (wasm's DepthToSpace, and a 6-D transpose, are 2–9 times slower.)
  const full: tf.Tensor4D =
    sh === 1 ? tf.reshape(rows[0]!, [b, qh, qw * sw, ci]) : tf.reshape(tf.stack(rows, 2), [b, qh * sh, qw * sw, ci]);
  return top === 0 && left === 0 && full.shape[1] === h && full.shape[2] === w
    ? full
    : tf.slice(full, [0, top, left, 0], [b, h, w, ci]);
}
