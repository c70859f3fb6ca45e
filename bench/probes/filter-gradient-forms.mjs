// Why colorize computes the wasm filter gradient with its own SIMD kernel
// (packages/core/src/training/wasm/conv2d-backprop-filter.c) and not through tfjs's ops: every
// form of it there stopped near half the forward conv's speed on the 128-px U-Net layers. These
// are those forms, on tfjs's ops only. Run alone: `node bench/probes/filter-gradient-forms.mjs`.
//
// The filter gradient is a matrix product with a huge reduction (b·oh·ow = 262 144 for
// 16×128×128) and a small result (576 × 64). XNNPACK's GEMM walks the result in tiles of 4 rows
// and streams the whole packed operand (dy, 67 MB) for each, about 0.5 bytes per flop, so it runs
// at the memory's pace, whatever form the product takes. Splitting the reduction into chunks that
// fit the cache would cut that traffic, but every chunk is a new XNNPACK operator whose creation
// and packing cost more than the chunk saves. This probe measures both.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import { time } from '../timing.mjs';

tf.env().set('PROD', true);
await tf.setBackend('wasm');
const kernel = (make) => () => tf.dispose(tf.tidy(make));
const opts = { minMs: 3000, minRuns: 3, warmup: 1 };

// 1. The convolution form (x as [c, h, w, b] convolved with dy as [oh, ow, b, o]) with the
//    reduction split into row chunks: one conv per chunk, summed. A fresh dyᵀ each call, as in
//    training, so every call packs its operand.
{
  const [B, h, ci, co] = [16, 128, 64, 64];
  const x = tf.randomNormal([B, h, h, ci]);
  const dy = tf.randomNormal([B, h, h, co]);
  const gflop = (2 * B * h * h * 9 * ci * co) / 1e9;
  const xT = tf.pad(tf.transpose(x, [3, 1, 2, 0]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
  console.log('filter gradient of 16×128×128×64 → 64, 3×3, convolution form, reduction in row chunks:');
  for (const chunks of [1, 2, 4, 8]) {
    const rows = h / chunks;
    const ms = await time(
      kernel(() => {
        const dyT = tf.transpose(dy, [1, 2, 0, 3]);
        let sum = null;
        for (let c = 0; c < chunks; c += 1) {
          const xs = chunks === 1 ? xT : tf.slice(xT, [0, c * rows, 0, 0], [ci, rows + 2, h + 2, B]);
          const ds = chunks === 1 ? dyT : tf.slice(dyT, [c * rows, 0, 0, 0], [rows, h, B, co]);
          const r = tf.conv2d(xs, ds, 1, 'valid');
          sum = sum === null ? r : tf.add(sum, r);
        }
        return sum;
      }),
      opts,
    );
    console.log(`  ${chunks} chunk(s): ${ms.toFixed(0)} ms, ${(gflop / (ms / 1000)).toFixed(1)} GFLOP/s`);
  }
  tf.dispose([x, dy, xT]);
}

// 2. The same question for a plain product of the critic's first layer's size (48 × 65 536 times
//    65 536 × 64): chunks of the reduction, each its own matMul, summed.
{
  const [M, K, N] = [48, 65536, 64];
  const a = tf.randomNormal([M, K]);
  const b = tf.randomNormal([K, N]);
  const gflop = (2 * M * K * N) / 1e9;
  console.log(`matMul ${M}×${K} · ${K}×${N}, reduction in chunks (a fresh right operand per call):`);
  for (const chunks of [1, 4, 16, 64]) {
    const kc = K / chunks;
    const parts = tf.unstack(tf.transpose(tf.reshape(a, [M, chunks, kc]), [1, 0, 2]));
    const ms = await time(
      kernel(() => {
        const fresh = tf.add(b, 0);
        let sum = null;
        for (let c = 0; c < chunks; c += 1) {
          const r = tf.matMul(parts[c], chunks === 1 ? fresh : tf.slice(fresh, [c * kc, 0], [kc, N]));
          sum = sum === null ? r : tf.add(sum, r);
        }
        return sum;
      }),
      opts,
    );
    console.log(`  ${chunks} chunk(s): ${ms.toFixed(1)} ms, ${(gflop / (ms / 1000)).toFixed(1)} GFLOP/s`);
    tf.dispose(parts);
  }
  tf.dispose([a, b]);
}
