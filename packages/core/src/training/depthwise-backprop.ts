import * as tf from '@tensorflow/tfjs-core';

type Info = tf.backend_util.Conv2DInfo;

/**
 * The filter gradient of a depthwise conv, NHWC, as one depthwise conv: each (channel, batch)
 * pair becomes a channel of a single image, and `dy` its filter; the forward dilation becomes
 * the stride and the forward stride the dilation. Summing over the batch gives the gradient.
 *
 * @returns `[fh, fw, ci, multiplier]`. Call inside `tidy`.
 */
export function depthwiseBackpropFilterNHWC(x: tf.Tensor4D, dy: tf.Tensor4D, info: Info): tf.Tensor4D {
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const m = info.outChannels / ci;
  const { top, left } = info.padInfo;
  const bottom = Math.max(0, (fh - 1) * dh + (oh - 1) * sh + 1 - h - top);
  const right = Math.max(0, (fw - 1) * dw + (ow - 1) * sw + 1 - w - left);
  const image = tf.reshape(tf.transpose(x, [1, 2, 3, 0]), [1, h, w, ci * b]) as tf.Tensor4D;
  const kernel = tf.reshape(tf.transpose(tf.reshape(dy, [b, oh, ow, ci, m]), [1, 2, 3, 0, 4]), [oh, ow, ci * b, m]) as tf.Tensor4D;
  const r = tf.depthwiseConv2d(image, kernel, [dh, dw], [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', [sh, sw]);
  const cropped = r.shape[1] === fh && r.shape[2] === fw ? r : tf.slice(r, [0, 0, 0, 0], [1, fh, fw, ci * b * m]);
  return tf.sum(tf.reshape(cropped, [fh, fw, ci, b, m]), 3) as tf.Tensor4D;
}

/**
 * The input gradient of a depthwise conv, NHWC: a depthwise correlation of `dy` with the
 * flipped filter (with the forward dilation), then a sum over the channel multiplier. Strides
 * above 1 (where tfjs requires dilation 1) first spread `dy` onto the input grid with zeros.
 *
 * @returns `[b, h, w, ci]`. Call inside `tidy`.
 */
export function depthwiseBackpropInputNHWC(dy: tf.Tensor4D, filter: tf.Tensor4D, info: Info): tf.Tensor4D {
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const m = info.outChannels / ci;
  const { top, left } = info.padInfo;
  let spread: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    const z = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, ci * m]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    spread = tf.reshape(z, [b, oh * sh, ow * sw, ci * m]);
  }
  const [gh, gw] = [spread.shape[1], spread.shape[2]];
  const padTop = (fh - 1) * dh - top;
  const padLeft = (fw - 1) * dw - left;
  const padBottom = h - gh + top;
  const padRight = w - gw + left;
  const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, ci * m, 1]) as tf.Tensor4D;
  let r = tf.depthwiseConv2d(
    spread,
    flipped,
    1,
    [[0, 0], [Math.max(0, padTop), Math.max(0, padBottom)], [Math.max(0, padLeft), Math.max(0, padRight)], [0, 0]],
    'NHWC',
    [dh, dw],
  );
  if (padTop < 0 || padLeft < 0 || r.shape[1] !== h || r.shape[2] !== w) {
    r = tf.slice(r, [0, Math.max(0, -padTop), Math.max(0, -padLeft), 0], [b, h, w, ci * m]);
  }
  return m === 1 ? r : (tf.sum(tf.reshape(r, [b, h, w, ci, m]), 4) as tf.Tensor4D);
}
