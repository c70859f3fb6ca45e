// colorize's numerical checks in the browser, on each backend: sRGB ↔ CIELAB against scikit-image,
// the tiny U-Net's forward pass against PyTorch, the PatchGAN critic's WGAN-GP loss and its
// second-order weight gradients against PyTorch, and colour classification's loss, gradient and
// annealed mean against float64 references. Leaves the worst errors in `window.checks`, and
// the typed-array Lab path's (with colorize's SIMD kernel) in `window.typedArrayChecks`.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import { abGamutBins, labToRgb, rgb8ToModelLab, rgbToLab } from '@colorize/lab';
import { buildPatchCritic, buildUNet, setClassBias } from '@colorize/models';
import { abClassificationLoss, criticLoss, gradientPenalty } from '@colorize/train';

import { modelLabToRgb8Simd } from '../../packages/lab/src/internal/wasm/lab-rgb8-simd.js';
import { rgb8ToModelLabSimd } from '../../packages/lab/src/internal/wasm/rgb8-lab-simd.js';
import { modelLabToRgb8Loop, rgb8ToModelLabLoop } from '../../packages/lab/src/typed-arrays.js';
import { referenceAnnealedMean, referenceLoss } from '../ab-class-reference.js';
import { CASES, secondOrderError } from '../second-order-cases.js';

import critic from '../../fixtures/critic-gp.json';
import unet from '../../fixtures/unet-tiny.json';
import vectors from '../../packages/lab/src/__fixtures__/lab-vectors.json';

declare global {
  interface Window {
    checks?: Record<string, Record<string, number> | string>;
    typedArrayChecks?: unknown;
  }
}

type Entry = { shape: number[]; values?: number[]; value_all?: number };
const tensorOf = (e: Entry): tf.Tensor => (e.values === undefined ? tf.fill(e.shape, e.value_all!) : tf.tensor(e.values, e.shape, 'float32'));

function setWeights(model: tfl.LayersModel, params: Record<string, Entry>): void {
  for (const layer of model.layers) {
    if (layer.weights.length > 0) layer.setWeights(layer.weights.map((w) => tensorOf(params[w.originalName]!)));
  }
}

/** max |a − b| / max |b|. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

async function run(backend: BackendName): Promise<Record<string, number>> {
  await initBackend({ backend });
  const out: Record<string, number> = {};
  // Lab: absolute error in Lab units and in RGB.
  const lab = await tf.tidy(() => rgbToLab(tf.tensor(vectors.rgb2lab.flatMap((v) => v.rgb.map((c) => c / 255)), [1, vectors.rgb2lab.length, 1, 3]))).data();
  out['rgbToLab max abs'] = Math.max(...vectors.rgb2lab.flatMap((v, i) => v.lab.map((x, c) => Math.abs(lab[i * 3 + c]! - x))));
  const rgb = await tf.tidy(() => labToRgb(tf.tensor(vectors.lab2rgb.flatMap((v) => v.lab), [vectors.lab2rgb.length, 1, 3]))).data();
  out['labToRgb max abs'] = Math.max(...vectors.lab2rgb.flatMap((v, i) => v.rgb.map((x, c) => Math.abs(rgb[i * 3 + c]! - x))));
  // U-Net forward in eval mode.
  const fixture = unet as unknown as { config: { base: number; depth: number }; params: Record<string, Entry>; bn_moving_stats_initial: Record<string, Entry>; inputs: { x: Entry }; outputs: { train: Entry } };
  const g = buildUNet({ base: fixture.config.base, depth: fixture.config.depth });
  setWeights(g, { ...fixture.params, ...fixture.bn_moving_stats_initial });
  const y = await tf.tidy(() => g.apply(tensorOf(fixture.inputs.x), { training: true }) as tf.Tensor).data();
  out['U-Net train-mode forward rel'] = relative(y, fixture.outputs.train.values!);
  g.dispose();
  // The critic's WGAN-GP loss and its gradient for every weight (second order).
  const d = buildPatchCritic({ base: critic.config.base });
  setWeights(d, critic.params as Record<string, Entry>);
  const real = tensorOf(critic.inputs.real) as tf.Tensor4D;
  const fake = tensorOf(critic.inputs.fake) as tf.Tensor4D;
  const alpha = tensorOf(critic.inputs.alpha) as tf.Tensor1D;
  const { value, grads } = tf.variableGrads(() => {
    const w = criticLoss(d.apply(real, { training: true }) as tf.Tensor, d.apply(fake, { training: true }) as tf.Tensor);
    return tf.add(w, gradientPenalty(d, real, fake, { alpha, weight: 10 })) as tf.Scalar;
  }, d.trainableWeights.map((w) => w.read() as tf.Variable));
  out['critic loss rel'] = Math.abs((await value.data())[0]! - critic.outputs.critic_loss) / Math.abs(critic.outputs.critic_loss);
  let worst = 0;
  for (const w of d.trainableWeights) {
    const ref = (critic.critic_loss_grads as Record<string, { values: number[] }>)[w.originalName]!.values;
    if (critic.analytically_zero_gradients.names.includes(w.originalName)) continue;
    worst = Math.max(worst, relative(await grads[(w.read() as tf.Variable).name]!.data(), ref));
  }
  out['critic weight gradients rel'] = worst;
  tf.dispose([value, ...Object.values(grads), real, fake, alpha]);
  d.dispose();
  // Colour classification: the rebalanced cross-entropy and its logit gradient, and the
  // classification head's annealed mean (Rescaling, softmax over channels, the decoding conv),
  // against the float64 references.
  const { centres } = abGamutBins();
  const Q = centres.length / 2;
  const units = Array.from({ length: 16 }, (_, i) => [((i * 37) % 201) - 100, ((i * 53) % 201) - 100]);
  const classWeights = Array.from({ length: Q }, (_, q) => 1 + (q % 3));
  const logits = tf.randomNormal([1, 4, 4, Q], 0, 2, 'float32', 3) as tf.Tensor4D;
  const abUnits = tf.tensor4d(units.flat().map((u) => u / 110), [1, 4, 4, 2]);
  const expected = referenceLoss(centres, await logits.data(), units, classWeights);
  const ce = abClassificationLoss(logits, abUnits, centres, { classWeights });
  out['classification loss rel'] = Math.abs((await ce.data())[0]! - expected.loss) / expected.loss;
  const ceGrad = tf.grad((z: tf.Tensor) => abClassificationLoss(z as tf.Tensor4D, abUnits, centres, { classWeights }))(logits);
  out['classification logit gradients rel'] = relative(await ceGrad.data(), Array.from(expected.grad));
  const head = buildUNet({ base: 4, depth: 2, head: 'classification' });
  const logitsOf = tfl.model({ inputs: head.inputs, outputs: head.getLayer('head_conv').output as tfl.SymbolicTensor });
  const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 4);
  const [annealed, headLogits] = [head.predict(x) as tf.Tensor, logitsOf.predict(x) as tf.Tensor];
  const z = await headLogits.data();
  out['classification head annealed mean rel'] = relative(await annealed.data(), Array.from(referenceAnnealedMean(centres, z, 0.38)));
  // Rebalancing at decoding: a bias per class folded into head_conv's.
  const bias = Float32Array.from({ length: Q }, (_, q) => Math.sin(q * 0.37) * 2);
  setClassBias(head, bias);
  const biased = head.predict(x) as tf.Tensor;
  out['classification head with class bias rel'] = relative(await biased.data(), Array.from(referenceAnnealedMean(centres, Float64Array.from(z, (v, i) => v + bias[i % Q]!), 0.38)));
  tf.dispose([logits, abUnits, ce, ceGrad, x, annealed, headLogits, biased]);
  head.dispose();
  // Every op case of the Node suite's second-order check, against finite differences.
  for (const [name, critic, inputs] of CASES) out[`second order: ${name}`] = await secondOrderError(critic, inputs, 7);
  return out;
}

interface TypedArrayChecks {
  simdLoaded: boolean;
  rgb8ToModelLabMaxAbs: number;
  simdDifferences: number;
  /** modelLabToRgb8's kernel: loaded, and bytes that differ from its loop's, at full size and with ab resized. */
  backSimdLoaded: boolean;
  backSimdDifferences: number;
}

/** The typed-array path (no backend): both SIMD kernels load on the main thread and equal their JavaScript loops. */
function typedArrayChecks(): TypedArrayChecks {
  const bytes = Uint8Array.from(vectors.rgb2lab.flatMap((v) => v.rgb));
  const { L, ab } = rgb8ToModelLab(bytes);
  const lab = (p: number) => [(L[p]! + 1) * 50, ab[2 * p]! * 110, ab[2 * p + 1]! * 110];
  const rgb8ToModelLabMaxAbs = Math.max(...vectors.rgb2lab.flatMap((v, p) => lab(p).map((x, c) => Math.abs(x - v.lab[c]!))));
  const simd = rgb8ToModelLabSimd();
  const n = 100_003;
  const random = Uint8Array.from({ length: 3 * n }, (_, i) => (i * 2654435761) >>> 24);
  const a = { L: new Float32Array(n), ab: new Float32Array(2 * n) };
  const b = { L: new Float32Array(n), ab: new Float32Array(2 * n) };
  simd?.(random, n, 3, a.L, a.ab);
  rgb8ToModelLabLoop(random, n, 3, b.L, b.ab);
  let simdDifferences = 0;
  for (let i = 0; i < n; i++) if (!Object.is(a.L[i], b.L[i]) || !Object.is(a.ab[2 * i], b.ab[2 * i]) || !Object.is(a.ab[2 * i + 1], b.ab[2 * i + 1])) simdDifferences++;
  // Back to bytes: the random pixels' Lab as one row, then that L as 211 × 473 with ab of 31 × 17.
  const back = modelLabToRgb8Simd();
  let backSimdDifferences = 0;
  for (const [h, w, ah, aw] of [[1, n, 1, n], [211, 473, 31, 17]] as const) {
    const [x, y] = [new Uint8Array(h * w * 4), new Uint8Array(h * w * 4)];
    const L = b.L.subarray(0, h * w);
    const ab = b.ab.subarray(0, 2 * ah * aw);
    back?.(ab, h, w, ah, aw, 4)(L, 0, h, x);
    modelLabToRgb8Loop(ab, h, w, ah, aw, 4)(L, 0, h, y);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) backSimdDifferences++;
  }
  return { simdLoaded: simd !== null, rgb8ToModelLabMaxAbs, simdDifferences, backSimdLoaded: back !== null, backSimdDifferences };
}

async function main(): Promise<void> {
  try {
    window.typedArrayChecks = typedArrayChecks();
  } catch (err) {
    window.typedArrayChecks = (err as Error).message;
  }
  setWasmPaths(new URL('../', location.href).href);
  tf.env().set('PROD', true);
  const checks: Record<string, Record<string, number> | string> = {};
  for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as BackendName[]) {
    try {
      checks[backend] = await run(backend);
    } catch (err) {
      checks[backend] = (err as Error).message;
    }
  }
  window.checks = checks;
}

void main();
