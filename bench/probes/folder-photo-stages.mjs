// Where a photo's time goes in `colorize`'s folder work, and which stages grow beside a second
// worker (bench/suites/folder-colorize.mjs measures the whole command). Each thread colorizes 24
// JPEGs of 1600 × 1200 (the demo photos, resized) as a worker does — sharp on one thread, decode,
// the model's input L, the shipped model at 256 px on a one-thread onnxruntime session (or, with
// --engine tfjs, on tfjs's wasm backend, one thread, its norms folded as the command does), the
// join back to sRGB, encode — and prints each stage's mean ms per photo, after 4 photos of warm-up.
//
//   taskset -c 0 node bench/probes/folder-photo-stages.mjs 1   # one thread on one core
//   node bench/probes/folder-photo-stages.mjs 2                # two worker threads of one process
//   … --full-l                                                 # the path before recolorRgb8: a full-size L
//   … --engine tfjs                                            # the model on tfjs wasm
//
// Compare a pair of the first two, several times (this shared machine moves by ±10 %): on
// 2026-11-25, with --full-l, the full-size L grew by about 30 % beside a second worker, decoding
// and encoding by about 20 %, the model by about 9 %.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem, initBackend } from '@colorize/core';
import { modelLabToRgb8, recolorRgb8, rgb8ToModelL } from '@colorize/lab';
import { foldBatchNorm } from '@colorize/models';
import { onnxPredictor } from '@colorize/models/onnx';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

import { makeFolder } from '../suites/folder-colorize.mjs';

const SIDE = 256;
const PHOTOS = 24;
const WARM_UP = 4;

/** The shipped model as an AbPredictor on `engine`, and how to release it. */
async function openModel(engine) {
  const modelDir = resolve('packages/cli/model');
  if (engine === 'tfjs') {
    const loaded = await tfl.loadLayersModel(fileSystem(modelDir));
    const model = foldBatchNorm(loaded);
    loaded.dispose();
    const predictAb = async (L, dims) => {
      const ab = tf.tidy(() => model.predict(tf.tensor4d(L, dims)));
      const values = await ab.data();
      ab.dispose();
      return values;
    };
    return { predictor: { predictAb }, release: async () => model.dispose() };
  }
  const onnx = readdirSync(modelDir).find((f) => f.endsWith('.onnx'));
  if (onnx === undefined) throw new Error('no ONNX export beside the shipped model: run `npm run demo` once');
  const session = await ort.InferenceSession.create(join(modelDir, onnx), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  return { predictor: onnxPredictor(session, ort.Tensor), release: () => session.release() };
}

async function colorizeAll({ dir, fullL, engine, label }) {
  sharp.concurrency(1);
  tf.env().set('PROD', true);
  await initBackend({ backend: 'wasm', wasmThreads: 1 });
  const { predictor, release } = await openModel(engine);
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).map((f) => join(dir, f));
  const out = mkdtempSync(join(tmpdir(), 'colorize-stages-out-'));
  const total = { decode: 0, input: 0, model: 0, join: 0, encode: 0 };
  for (let i = 0; i < PHOTOS + WARM_UP; i += 1) {
    const t0 = performance.now();
    const { data, info } = await sharp(files[i % files.length]).rotate().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const size = [info.height, info.width];
    const t1 = performance.now();
    let L = null;
    let input;
    if (fullL) {
      L = rgb8ToModelL(data);
      const small = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(L, [1, ...size, 1]), [SIDE, SIDE], true));
      input = await small.data();
      small.dispose();
    } else {
      input = rgb8ToModelL(data, { size, outSize: [SIDE, SIDE] });
    }
    const t2 = performance.now();
    const ab = await predictor.predictAb(input, [1, SIDE, SIDE, 1]);
    const t3 = performance.now();
    const rgb = fullL ? modelLabToRgb8(L, ab, { size, abSize: [SIDE, SIDE] }) : recolorRgb8(data, ab, { size, abSize: [SIDE, SIDE] }, data);
    const t4 = performance.now();
    await sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toFile(join(out, `${i}.jpg`));
    const t5 = performance.now();
    if (i < WARM_UP) continue;
    total.decode += t1 - t0;
    total.input += t2 - t1;
    total.model += t3 - t2;
    total.join += t4 - t3;
    total.encode += t5 - t4;
  }
  await release();
  rmSync(out, { recursive: true, force: true });
  const sum = Object.values(total).reduce((a, b) => a + b, 0);
  const stages = Object.entries(total).map(([k, v]) => `${k} ${(v / PHOTOS).toFixed(1)}`).join('  ');
  process.stdout.write(`${label}: ${stages}  total ${(sum / PHOTOS).toFixed(1)} ms per photo\n`);
}

if (isMainThread) {
  const threads = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1);
  const fullL = process.argv.includes('--full-l');
  const engine = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : 'onnx';
  const dir = mkdtempSync(join(tmpdir(), 'colorize-stages-'));
  await makeFolder(dir, PHOTOS, resolve('packages/train/demo-photos'));
  try {
    if (threads === 1) {
      await colorizeAll({ dir, fullL, engine, label: 'this thread' });
    } else {
      const workers = Array.from({ length: threads }, (_, i) => new Worker(new URL(import.meta.url), { workerData: { dir, fullL, engine, label: `worker ${i}` } }));
      await Promise.all(workers.map((w) => new Promise((ok, fail) => w.on('exit', ok).on('error', fail))));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  await colorizeAll(workerData);
}
