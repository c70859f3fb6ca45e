import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingSupport, SKIMAGE_CIELAB as K } from '@colorize/core';

import { decodeFast, encodeFast, labFFast, labFInverseFast } from './curves.js';
import { applyMatrix } from './image.js';
import { F_FROM_LAB, LAB_FROM_F, LINEAR_FROM_T, T_FROM_LINEAR, transpose } from './matrices.js';

/**
 * rgbToLab and labToRgb as single kernels on the cpu and wasm backends: one pass over the
 * pixels in float64 JavaScript on the backend's own memory, instead of about twenty tfjs ops
 * (two of them `pow`, at 55 ms per megapixel on wasm). Other backends (webgl, webgpu) run the
 * op-by-op version, where each op is a GPU pass anyway.
 *
 * Their gradients are vector–Jacobian products written in tfjs ops, so they are themselves
 * differentiable (second order), and tested against finite differences like the op version.
 */
export const RGB_TO_LAB = 'ColorizeRgbToLab';
export const LAB_TO_RGB = 'ColorizeLabToRgb';
const BACKENDS = ['cpu', 'wasm'] as const;

type Backend = { data?: { get(id: unknown): { values: unknown } }; typedArrayFromHeap?(t: tf.TensorInfo): unknown; makeOutput?(s: number[], d: tf.DataType): tf.TensorInfo; makeTensorInfo?(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo };

function run(backendName: string, fn: (input: Float32Array, output: Float32Array) => void) {
  return ({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo => {
    const x = Object.values(inputs)[0]!;
    const b = backend as Backend;
    if (backendName === 'wasm') {
      const out = b.makeOutput!(x.shape, 'float32');
      fn(b.typedArrayFromHeap!(x) as Float32Array, b.typedArrayFromHeap!(out) as Float32Array);
      return out;
    }
    const values = b.data!.get(x.dataId).values as Float32Array;
    const output = new Float32Array(values.length);
    fn(values, output);
    return b.makeTensorInfo!(x.shape, 'float32', output);
  };
}

const [t00, t01, t02] = T_FROM_LINEAR[0]!;
const [t10, t11, t12] = T_FROM_LINEAR[1]!;
const [t20, t21, t22] = T_FROM_LINEAR[2]!;

function rgbToLabPixels(input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i += 3) {
    const r = decodeFast(input[i]!);
    const g = decodeFast(input[i + 1]!);
    const b = decodeFast(input[i + 2]!);
    const fx = labFFast(t00 * r + t01 * g + t02 * b);
    const fy = labFFast(t10 * r + t11 * g + t12 * b);
    const fz = labFFast(t20 * r + t21 * g + t22 * b);
    output[i] = 116 * fy - 16;
    output[i + 1] = 500 * (fx - fy);
    output[i + 2] = 200 * (fy - fz);
  }
}

const [l00, l01, l02] = LINEAR_FROM_T[0]!;
const [l10, l11, l12] = LINEAR_FROM_T[1]!;
const [l20, l21, l22] = LINEAR_FROM_T[2]!;

/** One loop per clip setting, so the clamp is inlined rather than a call per channel. */
function labToRgbPixels(clip: boolean) {
  return (input: Float32Array, output: Float32Array): void => {
    for (let i = 0; i < input.length; i += 3) {
      const fy = (input[i]! + 16) * (1 / 116);
      const fx = input[i + 1]! * (1 / 500) + fy;
      const fzRaw = fy - input[i + 2]! * (1 / 200);
      const x = labFInverseFast(fx);
      const y = labFInverseFast(fy);
      const z = labFInverseFast(fzRaw > 0 ? fzRaw : 0);
      const r = encodeFast(l00 * x + l01 * y + l02 * z);
      const g = encodeFast(l10 * x + l11 * y + l12 * z);
      const b = encodeFast(l20 * x + l21 * y + l22 * z);
      if (clip) {
        output[i] = r > 1 ? 1 : r > 0 ? r : 0;
        output[i + 1] = g > 1 ? 1 : g > 0 ? g : 0;
        output[i + 2] = b > 1 ? 1 : b > 0 ? b : 0;
      } else {
        output[i] = r;
        output[i + 1] = g;
        output[i + 2] = b;
      }
    }
  };
}

const LAB_TO_RGB_CLIPPED = labToRgbPixels(true);
const LAB_TO_RGB_UNCLIPPED = labToRgbPixels(false);

/** `where(x > threshold, a, b)` with b a number: the op graph is differentiable (Greater has a zero gradient once training support is registered). */
function select(x: tf.Tensor, threshold: number, a: tf.Tensor, b: number | tf.Tensor): tf.Tensor {
  return tf.where(tf.greater(x, threshold), a, typeof b === 'number' ? tf.fill(x.shape, b) : b);
}

/** dy · ∂rgbToLab/∂rgb, in tfjs ops. */
function rgbToLabVjp(rgb: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const th = K.srgbDecodeThreshold;
  const base = tf.div(tf.add(tf.maximum(rgb, th), 0.055), 1.055);
  const linear = select(rgb, th, tf.pow(base, 2.4), tf.div(rgb, 12.92));
  const dLinear = select(rgb, th, tf.mul(tf.pow(base, 1.4), 2.4 / 1.055), 1 / 12.92);
  const t = applyMatrix(linear, T_FROM_LINEAR);
  const th2 = K.labForwardThreshold;
  const dF = select(t, th2, tf.mul(tf.pow(tf.maximum(t, th2), -2 / 3), 1 / 3), K.labLinearSlope);
  const gF = applyMatrix(dy, transpose(LAB_FROM_F));
  const gLinear = applyMatrix(tf.mul(gF, dF), transpose(T_FROM_LINEAR));
  return tf.mul(gLinear, dLinear);
}

/** dy · ∂labToRgb/∂lab, in tfjs ops. */
function labToRgbVjp(lab: tf.Tensor, dy: tf.Tensor, clip: boolean): tf.Tensor {
  const f = tf.add(applyMatrix(lab, F_FROM_LAB), K.labLinearOffset);
  const zFloor = tf.tensor1d([-Infinity, -Infinity, 0]);
  const fc = tf.maximum(f, zFloor);
  const zMask = tf.cast(tf.greaterEqual(f, zFloor), 'float32'); // as tf.maximum's own gradient
  const th = K.labInverseThreshold;
  const u = select(fc, th, tf.mul(tf.square(fc), fc), tf.div(tf.sub(fc, K.labLinearOffset), K.labLinearSlope));
  const dU = select(fc, th, tf.mul(tf.square(fc), 3), 1 / K.labLinearSlope);
  const linear = applyMatrix(u, LINEAR_FROM_T);
  const th2 = K.srgbEncodeThreshold;
  const clamped = tf.maximum(linear, th2);
  const dS = select(linear, th2, tf.mul(tf.pow(clamped, 1 / 2.4 - 1), 1.055 / 2.4), 12.92);
  let g = tf.mul(dy, dS);
  if (clip) {
    const srgb = select(linear, th2, tf.sub(tf.mul(tf.pow(clamped, 1 / 2.4), 1.055), 0.055), tf.mul(linear, 12.92));
    g = tf.mul(g, tf.cast(tf.logicalAnd(tf.greaterEqual(srgb, 0), tf.lessEqual(srgb, 1)), 'float32'));
  }
  const gU = applyMatrix(g, transpose(LINEAR_FROM_T));
  return applyMatrix(tf.mul(tf.mul(gU, dU), zMask), transpose(F_FROM_LAB));
}

/** Registers the fused kernels and their gradients (once; later calls do nothing). */
export function ensureFusedKernels(): void {
  if (tf.getGradient(RGB_TO_LAB) !== undefined) return;
  registerTrainingSupport();
  for (const backendName of BACKENDS) {
    tf.registerKernel({ kernelName: RGB_TO_LAB, backendName, kernelFunc: run(backendName, rgbToLabPixels) as tf.KernelFunc });
    tf.registerKernel({
      kernelName: LAB_TO_RGB,
      backendName,
      kernelFunc: ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }) =>
        run(backendName, args.attrs['clip'] !== false ? LAB_TO_RGB_CLIPPED : LAB_TO_RGB_UNCLIPPED)(args)) as unknown as tf.KernelFunc,
    });
  }
  tf.registerGradient({ kernelName: RGB_TO_LAB, inputsToSave: ['rgb'], gradFunc: (dy, [rgb]) => ({ rgb: () => rgbToLabVjp(rgb!, dy as tf.Tensor) }) });
  tf.registerGradient({
    kernelName: LAB_TO_RGB,
    inputsToSave: ['lab'],
    gradFunc: (dy, [lab], attrs) => ({ lab: () => labToRgbVjp(lab!, dy as tf.Tensor, (attrs as { clip?: boolean }).clip !== false) }),
  });
}

/** Whether the active backend runs the fused kernels. */
export function fusedBackend(): boolean {
  return (BACKENDS as readonly string[]).includes(tf.getBackend());
}
