// The convolution gradients colorize adds to the wasm backend, on the seed's layer shapes, each
// beside the forward conv of the same layer. Target (issue #3): every gradient at least half the
// forward conv's GFLOP/s.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingSupport } from '@colorize/core';

import { runInOwnProcess, whenMain } from '../own-process.mjs';
import { time } from '../timing.mjs';

export const title = 'Convolution gradients on wasm (@colorize/core training support)';
export const description =
  'GFLOP/s (2 · multiply-adds of the forward conv\'s direct form) on the wasm backend in Node (SIMD, one thread), batch 16 (the ' +
  'seed\'s), median of repeated runs. "input grad" is Conv2DBackpropInput (every layer\'s input gradient, and conv2dTranspose), ' +
  '"filter grad" Conv2DBackpropFilter, which tfjs 4.22 lacks on wasm. For the 3 × 3 and 4 × 4 stride-1 layers with channels in ' +
  'multiples of 4 the forward conv and both gradients are colorize\'s Winograd kernel (a quarter of the multiply-adds, so its ' +
  'GFLOP/s of the direct form pass what SIMD can do directly); for the others the filter gradient is colorize\'s direct SIMD ' +
  'kernel (packages/core/src/training/wasm/), as is the input gradient with up to four input channels, and the other input ' +
  'gradients are forward convs on XNNPACK. "tfjs input grad" is the kernel colorize replaces. "ratio" is the ' +
  'slower gradient over the forward conv with cached weights (the strict comparison); the target is at least 0.5. ' +
  '"forward, new weights" times the forward conv with a new filter tensor each call, as in training, where every step ' +
  'changes the weights and XNNPACK repacks them (each gradient call packs a new filter too). For the U-Net\'s 2×2/2 ' +
  'up-convolutions, the transposed conv itself is the input-gradient kernel. Each time is the kernel call and the ' +
  'disposal of its result (wasm kernels are synchronous), not a copy of the result back to JavaScript, which training ' +
  'never makes: an up-convolution\'s input gradient is twice the size of its forward output, and reading it back would ' +
  'charge that copy to the gradient.';

/** The seed's batch size (`colorize train --batch 16`). */
const B = 16;
const explicit1 = [[0, 0], [1, 1], [1, 1], [0, 0]];
// [name, input [h, w, cin], cout, kernel, stride, pad]
const LAYERS = [
  ['U-Net enc1 conv1 (128 px)', [128, 128, 1], 64, 3, 1, 'same'],
  ['U-Net enc1 conv2 (128 px)', [128, 128, 64], 64, 3, 1, 'same'],
  ['U-Net enc2 conv2 (64 px)', [64, 64, 128], 128, 3, 1, 'same'],
  ['U-Net enc3 conv2 (32 px)', [32, 32, 256], 256, 3, 1, 'same'],
  ['U-Net enc4 conv2 (16 px)', [16, 16, 512], 512, 3, 1, 'same'],
  ['U-Net bottleneck conv2 (8 px)', [8, 8, 1024], 1024, 3, 1, 'same'],
  ['U-Net dec1 conv1 (16 px, after concat)', [16, 16, 1024], 512, 3, 1, 'same'],
  ['U-Net dec4 conv1 (128 px, after concat)', [128, 128, 128], 64, 3, 1, 'same'],
  ['U-Net up 2×2/2 8→16 px', [16, 16, 512], 1024, 2, 2, 'valid'],
  ['U-Net up 2×2/2 32→64 px', [64, 64, 128], 256, 2, 2, 'valid'],
  ['U-Net up 2×2/2 64→128 px', [128, 128, 64], 128, 2, 2, 'valid'],
  ['critic conv1 4×4/2', [128, 128, 3], 64, 4, 2, explicit1],
  ['critic conv2 4×4/2', [64, 64, 64], 128, 4, 2, explicit1],
  ['critic conv3 4×4/2', [32, 32, 128], 256, 4, 2, explicit1],
  ['critic conv4 4×4/1', [16, 16, 256], 512, 4, 1, explicit1],
  ['critic out 4×4/1', [15, 15, 512], 1, 4, 1, explicit1],
];
const QUICK = new Set(['critic conv2 4×4/2']);

/** Each layer runs in its own Node process (see own-process.mjs): at batch 16 the 128-px layers need hundreds of MB of wasm heap. */
export async function run({ quick, log }) {
  const rows = [];
  for (const [index, [name]] of LAYERS.entries()) {
    if (quick && !QUICK.has(name)) continue;
    const row = runInOwnProcess(import.meta.url, quick ? [index, '--quick'] : [index]);
    log(Object.values(row).join(' | '));
    rows.push(row);
  }
  return rows;
}

async function measureLayer(index, quick) {
  const [name, [h, w, ci], co, k, s, pad] = LAYERS[index];
  tf.env().set('PROD', true);
  const tfjsKernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerTrainingSupport();
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm did not start');
  // tfjs binds its wasm function in the kernel's setup, which ran only for registered kernels.
  tfjsKernel.setupFunc?.(tf.backend());
  const x = tf.randomNormal([B, h, w, ci]);
  const f = tf.randomNormal([k, k, ci, co], 0, 0.05);
  const y = tf.conv2d(x, f, s, pad);
  const dy = tf.randomNormal(y.shape);
  const [, oh, ow] = y.shape;
  const gflop = (2 * B * oh * ow * k * k * ci * co) / 1e9;
  const opts = { minMs: quick ? 300 : 1500, minRuns: 3, warmup: 1 };
  const attrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x.shape };
  // wasm kernels run synchronously inside the call, so the time of the call and the disposal is
  // the kernel's. The result is not read back to JavaScript: training never does that with a
  // gradient, and the copy out of the wasm heap (a 2×2/2 up-convolution's output is 67 MB at
  // batch 16) would be charged to whichever result is larger.
  const kernel = (make) => () => tf.dispose(tf.tidy(make));
  const fwd = await time(kernel(() => tf.conv2d(x, f, s, pad)), opts);
  // As in training, where every step brings new weights and the backend repacks them: a distinct
  // copy of the filter per call (made outside the timing).
  const copies = Array.from({ length: 6 }, () => tf.add(f, 0));
  const fresh = await time(kernel(() => tf.conv2d(x, copies.pop(), s, pad)), { warmup: 1, minRuns: 5, minMs: 0 });
  tf.dispose(copies);
  const input = await time(kernel(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, attrs)), opts);
  const filter = await time(kernel(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape })), opts);
  // tfjs's own kernel, called directly (it is no longer registered); slow, so on small layers only.
  const tfjs =
    quick || gflop > 5
      ? undefined
      : await time(
          () => tf.engine().makeTensorFromTensorInfo(tfjsInputGrad(tfjsKernel, dy, f, attrs)).dispose(),
          { minRuns: 2, minMs: 500, warmup: 1 },
        );
  const gfs = (ms) => gflop / (ms / 1000);
  return {
    layer: name,
    shape: `${B}×${h}×${w}×${ci} → ${co}, ${k}×${k}/${s}`,
    GFLOP: gflop.toFixed(2),
    'forward GFLOP/s': gfs(fwd).toFixed(1),
    'forward, new weights GFLOP/s': gfs(fresh).toFixed(1),
    'input grad GFLOP/s': gfs(input).toFixed(1),
    'filter grad GFLOP/s': gfs(filter).toFixed(1),
    'tfjs input grad GFLOP/s': tfjs === undefined ? '–' : gfs(tfjs).toFixed(1),
    ratio: (Math.min(gfs(input), gfs(filter)) / gfs(fwd)).toFixed(2),
  };
}

function tfjsInputGrad(kernel, dy, filter, attrs) {
  return kernel.kernelFunc({ inputs: { dy, filter }, attrs, backend: tf.backend() });
}

await whenMain(import.meta.url, (args) => measureLayer(Number(args[0]), args.includes('--quick')));
