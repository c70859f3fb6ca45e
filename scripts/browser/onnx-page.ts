// onnxruntime-web as colorize's engine in the browser: the shipped model exported with
// exportOnnx, run on onnxruntime-web's wasm backend through onnxPredictor, against the same
// model on tfjs. Leaves the outcome in `window.onnxResult`.
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web/wasm';
import { initBackend } from '@colorize/core';
import { colorizeImage } from '@colorize/models';
import { exportOnnx, onnxPredictor } from '@colorize/models/onnx';

declare global {
  interface Window {
    onnxResult?: { error?: string; maxDiff: number; width: number; height: number; colorful: number };
  }
}

async function main(): Promise<void> {
  await initBackend({ backend: 'cpu' });
  const model = await tfl.loadLayersModel('../model/model.json');
  ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(exportOnnx(model), { executionProviders: ['wasm'] });
  const width = 77;
  const height = 51;
  const data = new Uint8ClampedArray(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : ((i >> 2) * 13 + (i % 4) * 70) & 255));
  const viaOnnx = await colorizeImage(onnxPredictor(session, ort.Tensor), { width, height, data }, { renderSize: 64 });
  const viaTfjs = await colorizeImage(model, { width, height, data }, { renderSize: 64 });
  let maxDiff = 0;
  let colorful = 0;
  for (let i = 0; i < data.length; i += 1) {
    maxDiff = Math.max(maxDiff, Math.abs(viaOnnx.data[i]! - viaTfjs.data[i]!));
    if (i % 4 === 0) colorful = Math.max(colorful, Math.abs(viaOnnx.data[i]! - viaOnnx.data[i + 2]!));
  }
  await session.release();
  model.dispose();
  window.onnxResult = { maxDiff, width: viaOnnx.width, height: viaOnnx.height, colorful };
}

main().catch((err: unknown) => {
  window.onnxResult = { error: String((err as Error).stack ?? err), maxDiff: NaN, width: 0, height: 0, colorful: 0 };
});
