// ONNX export run by onnxruntime-node (issue #12): generator inference beside PyTorch and the
// issue's onnxruntime references, the overhead of colorize's onnxruntime path over a bare
// session.run. The CLI on a folder is bench/suites/folder-colorize.mjs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { initBackend } from '@colorize/core';
import { buildUNet, colorizeImage } from '@colorize/models';
import { exportOnnx, onnxPredictor } from '@colorize/models/onnx';

import { time } from '../timing.mjs';

export const title = 'ONNX export on onnxruntime-node (@colorize/models/onnx, colorize --engine onnx)';
export const description =
  'Generator inference: seconds per batch of `session.run` on `exportOnnx(buildUNet({ base }))` (eval mode, random ' +
  'weights, median of repeated runs), onnxruntime-node 1.30 CPU provider with its default threads (all cores), beside ' +
  'PyTorch 1.13 with 2 threads (issue #5: batch 16 at 128 px, 1.73 s for base 64, 0.41 s for base 32) and the ' +
  'onnxruntime figures issue #12 measured (0.804 s and 0.210 s). "layout" is the export\'s interface: NHWC (colorize\'s, ' +
  'a transpose inside the graph at each end) or NCHW. "colorize engine" rows run the model as the CLI does, through ' +
  '`onnxPredictor` (Float32Array in, ab out, checked), against a bare `session.run` on the same session and input; goal at ' +
  'most 1.2×. "colorizeImage" rows add what the CLI does per photo besides file IO, for scale: a 1024×768 photo at render ' +
  'size 128 (the photo\'s L at 128 px, made only at the pixels the resize reads; the model; then each band of rows\' L ' +
  'made from the photo\'s bytes and joined with ab, resized as it is read, back to sRGB: `rgb8ToModelL` with `outSize` ' +
  'and `recolorRgb8`); the full-resolution colour conversion, both ways per pixel (about 0.8 Mpix, ' +
  'bench/results/lab-conversions.md), is most of the difference. ' +
  'The CLI on a folder: bench/results/folder-colorize.md. What limits inference: onnxruntime\'s profile puts 88 % of the base-64 batch in Conv ' +
  '(7 % ConvTranspose), and the U-Net\'s 23 GFLOP per 128-px image make batch 16 368 GFLOP: about 200 GFLOP/s here, ' +
  'near the peak of these two cores (AVX-512 on AMD family 25 model 17: 32 FLOP per cycle per core at about 3 GHz). ' +
  'The issue\'s onnxruntime figures (0.804 s, 458 GFLOP/s) cannot come from two such cores, so they were taken on a ' +
  'faster machine; the ratios to them are left out, and the PyTorch ratios carry the same caveat. The two layouts ' +
  'measure the same (the transposes of 1 and 2 channels are negligible), so NHWC, colorize\'s own, is the default.';

const PYTORCH = { 64: 1.73, 32: 0.41 };
const ORT_ISSUE = { 64: 0.804, 32: 0.21 };

async function sessionOf(model, layout) {
  return ort.InferenceSession.create(exportOnnx(model, { layout }));
}

/** Median ms of a bare `session.run` on `dims` (shorter in a quick run). */
async function bare(session, dims, quick) {
  const x = new ort.Tensor('float32', Float32Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => Math.sin(i)), dims);
  return time(async () => {
    await session.run({ [session.inputNames[0]]: x });
  }, { warmup: 1, minRuns: 3, minMs: quick ? 300 : 2000 });
}

export async function run({ quick, log }) {
  tf.env().set('PROD', true);
  await initBackend({ backend: 'wasm', env: {} });
  const rows = [];
  const push = (row) => {
    log(Object.values(row).join(' | '));
    rows.push(row);
  };
  for (const base of quick ? [32] : [64, 32]) {
    const model = buildUNet({ base, inputSize: null });
    for (const layout of quick ? ['nhwc'] : ['nhwc', 'nchw']) {
      const session = await sessionOf(model, layout);
      for (const batch of quick ? [1] : [16, 1]) {
        const dims = layout === 'nhwc' ? [batch, 128, 128, 1] : [batch, 1, 128, 128];
        const s = (await bare(session, dims, quick)) / 1000;
        const pytorch = PYTORCH[base] * (batch / 16);
        push({
          work: 'generator inference',
          base,
          layout,
          batch,
          's / batch': s.toFixed(3),
          reference: `PyTorch ${pytorch.toFixed(3)} s; onnxruntime, issue's machine ${(ORT_ISSUE[base] * (batch / 16)).toFixed(3)} s`,
          ratio: `${(s / pytorch).toFixed(2)}× PyTorch`,
        });
      }
      await session.release();
    }
    // colorize's onnxruntime path (onnxPredictor, as the CLI runs it) against the bare session
    const session = await sessionOf(model, 'nhwc');
    const predictor = onnxPredictor(session, ort.Tensor);
    for (const batch of quick ? [1] : [16, 1]) {
      const L = Float32Array.from({ length: batch * 128 * 128 }, (_, i) => Math.sin(i));
      const ms = await time(() => predictor.predictAb(L, [batch, 128, 128, 1]), { warmup: 1, minRuns: 3, minMs: quick ? 300 : 2000 });
      const bareMs = await bare(session, [batch, 128, 128, 1], quick);
      push({
        work: 'colorize engine (onnxPredictor)',
        base,
        layout: 'nhwc',
        batch,
        's / batch': (ms / 1000).toFixed(3),
        reference: `bare session.run ${(bareMs / 1000).toFixed(3)} s`,
        ratio: `${(ms / bareMs).toFixed(2)}× bare (goal ≤ 1.2)`,
      });
    }
    // the whole per-photo path, for scale: Lab at full resolution costs as much as a small model
    const width = 1024;
    const height = 768;
    const data = new Uint8Array(width * height * 3).map((_, i) => (i * 31 + (i >> 11)) & 255);
    const ms = await time(() => colorizeImage(predictor, { width, height, data }, { renderSize: 128 }), { warmup: 1, minRuns: 5, minMs: quick ? 300 : 2000 });
    const bareMs = await bare(session, [1, 128, 128, 1], quick);
    push({
      work: 'colorizeImage, 1024×768 photo at 128 px',
      base,
      layout: 'nhwc',
      batch: 1,
      's / batch': (ms / 1000).toFixed(3),
      reference: `bare session.run ${(bareMs / 1000).toFixed(3)} s`,
      ratio: `${(ms / bareMs).toFixed(2)}× bare`,
    });
    await session.release();
    model.dispose();
  }
  return rows;
}
