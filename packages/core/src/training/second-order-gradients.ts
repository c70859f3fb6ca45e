import * as tf from '@tensorflow/tfjs-core';

import { ColorizeError } from '../errors.js';
import { pair } from './conv-geometry.js';

type Saved = tf.Tensor[];
type Attrs = tf.NamedAttrMap;

/** A gradient of a single-output op (tfjs types `dy` as possibly a list, for multi-output ops). */
interface SingleOutputGrad {
  kernelName: string;
  inputsToSave: string[];
  gradFunc: (dy: tf.Tensor, saved: Saved, attrs: Attrs) => Record<string, () => tf.Tensor>;
}
const define = (config: SingleOutputGrad): tf.GradConfig => config as unknown as tf.GradConfig;

/** Sums a broadcast gradient back to the shape of the input it belongs to. */
function unbroadcast(grad: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape);
}

/** `dy · mask` where mask marks the elements equal to the (recomputed) extreme along `axes`. */
function extremeGrad(dy: tf.Tensor, x: tf.Tensor, axesAttr: number | number[], which: 'max' | 'min'): tf.Tensor {
  const axes = tf.util.parseAxisParam(axesAttr, x.shape);
  const y = which === 'max' ? tf.max(x, axes, true) : tf.min(x, axes, true);
  return tf.mul(tf.reshape(dy, y.shape), tf.cast(tf.equal(x, y), dy.dtype));
}

/**
 * Gradients for the ops whose tfjs 4.22 gradient reads the op's saved output. tfjs puts the
 * saved output on the tape in a way that drops what flows through it when the gradient is
 * differentiated again (tfjs issue #3252), so second-order gradients are silently wrong: a
 * finite-difference check of a critic with tanh gave −210 from autodiff against +142.
 *
 * Ops that tfjs builds with `tf.customGrad` instead of a kernel (notably `tf.logSoftmax`) keep
 * the same problem and cannot be re-registered: write `tf.sub(x, tf.logSumExp(x, axis, true))`
 * in a critic instead.
 *
 * Each replacement saves the op's inputs and recomputes the output inside the gradient, so the
 * backward pass is itself an ordinary differentiable graph. First-order values are those of
 * tfjs's own formulas. Branches that autodiff still differentiates are guarded (the input of
 * `exp` and `log` is clamped before `where`), so unused branches cannot turn into NaN.
 */
export const SECOND_ORDER_GRADIENTS: readonly tf.GradConfig[] = [
  define({
    kernelName: 'Tanh',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor, [x]: Saved) => ({ x: () => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x!)))) }),
  }),
  define({
    kernelName: 'Sigmoid',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor, [x]: Saved) => ({
      x: () => {
        const s = tf.sigmoid(x!);
        return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
      },
    }),
  }),
  define({
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor, [x]: Saved) => ({ x: () => tf.mul(dy, tf.exp(x!)) }),
  }),
  define({
    // tfjs: EluGrad(dy, y), a kernel without a gradient. Here: dy for x > 0, dy·exp(x) otherwise.
    kernelName: 'Elu',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor, [x]: Saved) => ({
      x: () => tf.where(tf.greater(x!, 0), dy, tf.mul(dy, tf.exp(tf.minimum(x!, 0)))),
    }),
  }),
  define({
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: tf.Tensor, [a, b]: Saved) => {
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
      return {
        a: () => {
          const e = tf.cast(b!, 'float32');
          return unbroadcast(tf.mul(dy, tf.mul(e, tf.pow(a!, tf.sub(e, 1)))), a!.shape, outShape);
        },
        b: () => {
          const positive = tf.greater(a!, 0);
          const logBase = tf.where(positive, tf.log(tf.where(positive, a!, tf.onesLike(a!))), tf.zerosLike(a!));
          return unbroadcast(tf.mul(dy, tf.mul(tf.pow(a!, b!), logBase)), b!.shape, outShape);
        },
      };
    },
  }),
  define({
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy: tf.Tensor, [logits]: Saved, attrs: Attrs) => ({
      logits: () => {
        const dim = attrs['dim'] as number;
        const y = tf.softmax(logits!, dim);
        const dyTimesY = tf.mul(dy, y);
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
      },
    }),
  }),
  define({
    kernelName: 'Max',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor, [x]: Saved, attrs: Attrs) => ({
      x: () => extremeGrad(dy, x!, attrs['reductionIndices'] as number[], 'max'),
    }),
  }),
  define({
    kernelName: 'Min',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor, [x]: Saved, attrs: Attrs) => ({
      x: () => extremeGrad(dy, x!, attrs['axis'] as number[], 'min'),
    }),
  }),
  define({
    // AvgPoolGrad is linear in dy: its adjoint is the average pool itself. The input only gives a shape.
    kernelName: 'AvgPoolGrad',
    inputsToSave: ['input'],
    gradFunc: (ddx: tf.Tensor, [input]: Saved, attrs: Attrs) => ({
      dy: () => tf.avgPool(ddx as tf.Tensor4D, attrs['filterSize'] as [number, number], attrs['strides'] as [number, number], attrs['pad'] as 'same'),
      input: () => tf.zerosLike(input!),
    }),
  }),
  define({
    // MaxPoolGrad(dy, x, y) routes each dy to its window's argmax: linear in dy, with the adjoint
    // "read u at each window's argmax". For windows that do not overlap, that is the window sum
    // of mask ⊙ u, with mask = MaxPoolGrad(1) marking the argmaxes (tfjs's own choice of ties).
    kernelName: 'MaxPoolGrad',
    inputsToSave: ['dy', 'input', 'output'],
    gradFunc: (ddx: tf.Tensor, [dy, input, output]: Saved, attrs: Attrs) => {
      const filterSize = pair(attrs['filterSize'] as number | [number, number]);
      const strides = pair(attrs['strides'] as number | [number, number]);
      const pad = attrs['pad'] as 'same';
      const [fh, fw] = filterSize;
      if (strides[0] < fh || strides[1] < fw) {
        throw new ColorizeError(
          'UNSUPPORTED',
          `maxPool second-order gradient: expected windows that do not overlap (strides ≥ filter size), got filter ${fh}×${fw} with strides ${strides[0]}×${strides[1]}; use avgPool or a strided conv in the critic.`,
        );
      }
      return {
        dy: () => {
          const mask = tf.engine().runKernel(
            'MaxPoolGrad',
            { dy: tf.onesLike(dy!), input: input!, output: output! },
            attrs,
          ) as tf.Tensor4D;
          const channels = input!.shape[3]!;
          const windowSum = tf.ones([fh, fw, channels, 1]) as tf.Tensor4D;
          return tf.depthwiseConv2d(tf.mul(mask, ddx) as tf.Tensor4D, windowSum, strides, pad);
        },
        input: () => tf.zerosLike(input!),
        output: () => tf.zerosLike(output!),
      };
    },
  }),
  define({
    // DepthwiseConv2dNativeBackpropInput(dy, filter) is bilinear: its gradients are the forward
    // depthwise conv (for dy) and the filter gradient (for the filter).
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx: tf.Tensor, [dy, filter]: Saved, attrs: Attrs) => {
      const { strides, pad, dilations, dimRoundingMode } = attrs as {
        strides: [number, number];
        pad: 'same';
        dilations: [number, number];
        dimRoundingMode: 'floor';
      };
      return {
        dy: () => tf.depthwiseConv2d(ddx as tf.Tensor4D, filter as tf.Tensor4D, strides, pad, 'NHWC', dilations, dimRoundingMode),
        filter: () =>
          tf.engine().runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: ddx, dy: dy! },
            { strides, pad, dilations, dimRoundingMode, filterShape: filter!.shape } as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
      };
    },
  }),
];

/** Registers {@link SECOND_ORDER_GRADIENTS}, replacing tfjs's own where it has one. */
export function registerSecondOrderGradients(): void {
  for (const config of SECOND_ORDER_GRADIENTS) {
    if (tf.getGradient(config.kernelName) === config) continue;
    tf.registerGradient(config);
  }
}
