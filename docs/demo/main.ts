// The browser demo: pick a backend, pick or drop a photo, colorize it with the shipped model.
// `?backend=wasm&src=sample.jpg` runs once on load and leaves the result in `window.colorizeResult`
// (the browser tests read it).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import { modelLabToRgb8, rgb8ToModelLab } from '@colorize/lab';
import { colorizeImage, foldBatchNorm } from '@colorize/models';

/** What one colorization reports, left in `window.colorizeResult` for the browser tests. */
export interface DemoResult {
  backend: string;
  width: number;
  height: number;
  ms: number;
  meanAbsDeltaL: number;
  /** Hasler–Süsstrunk colorfulness (0–255 scale) of the output and of the input. */
  colorfulness: number;
  inputColorfulness: number;
  error?: string;
}
declare global {
  interface Window {
    colorizeResult?: DemoResult;
    colorizeBackends?: Record<string, string>;
  }
}

const BACKENDS: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = (text: string): void => void ($('status').textContent = text);

setWasmPaths(new URL('./', location.href).href);
tf.env().set('PROD', true);

/** Which backends start here, and why not. */
async function probe(): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const b of BACKENDS) {
    try {
      await initBackend({ backend: b });
      found[b] = 'ok';
    } catch (err) {
      found[b] = (err as Error).message;
    }
  }
  return found;
}

async function imageDataOf(blob: Blob): Promise<ImageData> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

function draw(id: string, width: number, height: number, rgba: Uint8Array | Uint8ClampedArray): void {
  const canvas = $<HTMLCanvasElement>(id);
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
}

/** Hasler and Süsstrunk's colorfulness of RGBA bytes. */
function colorfulness(rgba: Uint8Array | Uint8ClampedArray): number {
  const n = rgba.length / 4;
  let srg = 0, syb = 0, qrg = 0, qyb = 0;
  for (let p = 0; p < rgba.length; p += 4) {
    const rg = rgba[p]! - rgba[p + 1]!;
    const yb = 0.5 * (rgba[p]! + rgba[p + 1]!) - rgba[p + 2]!;
    srg += rg; syb += yb; qrg += rg * rg; qyb += yb * yb;
  }
  const mrg = srg / n, myb = syb / n;
  return Math.sqrt(qrg / n - mrg * mrg + (qyb / n - myb * myb)) + 0.3 * Math.sqrt(mrg * mrg + myb * myb);
}

async function colorizeBlob(generator: tfl.LayersModel, backend: BackendName, blob: Blob): Promise<DemoResult> {
  await initBackend({ backend });
  const image = await imageDataOf(blob);
  const { width, height, data } = image;
  const started = performance.now();
  const out = await colorizeImage(generator, { width, height, data }, { channels: 4 });
  const ms = performance.now() - started;
  const { L } = rgb8ToModelLab(data, { channels: 4 });
  const grey = modelLabToRgb8(L, new Float32Array(L.length * 2), { channels: 4 });
  const Lout = rgb8ToModelLab(out.data, { channels: 4 }).L;
  let sum = 0;
  for (let i = 0; i < L.length; i++) sum += Math.abs(Lout[i]! - L[i]!) * 50;
  draw('grey', width, height, grey);
  draw('colorized', width, height, out.data);
  draw('original', width, height, data);
  return { backend, width, height, ms, meanAbsDeltaL: sum / L.length, colorfulness: colorfulness(out.data), inputColorfulness: colorfulness(data) };
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const available = await probe();
  window.colorizeBackends = available;
  const select = $<HTMLSelectElement>('backend');
  for (const b of BACKENDS) {
    const option = new Option(available[b] === 'ok' ? b : `${b} (unavailable)`, b);
    option.disabled = available[b] !== 'ok';
    option.title = available[b] === 'ok' ? '' : available[b]!;
    select.add(option);
  }
  select.value = params.get('backend') ?? BACKENDS.find((b) => available[b] === 'ok') ?? 'cpu';
  // Its norms folded into its convs: the same colors, a fifth less work.
  const generator = foldBatchNorm(await tfl.loadLayersModel(new URL('./model/model.json', location.href).href));
  let file: Blob | undefined;
  const run = async (): Promise<void> => {
    if (!file) return;
    status(`colorizing on ${select.value}…`);
    try {
      const r = await colorizeBlob(generator, select.value as BackendName, file);
      window.colorizeResult = r;
      status(`${r.width}×${r.height} colorized on ${r.backend} in ${r.ms.toFixed(0)} ms`);
    } catch (err) {
      window.colorizeResult = { backend: select.value, width: 0, height: 0, ms: 0, meanAbsDeltaL: NaN, colorfulness: NaN, inputColorfulness: NaN, error: (err as Error).message };
      status(`failed: ${(err as Error).message}`);
    }
  };
  $<HTMLButtonElement>('run').onclick = () => void run();
  $<HTMLInputElement>('file').onchange = (e) => {
    file = (e.target as HTMLInputElement).files?.[0];
    $<HTMLButtonElement>('run').disabled = !file;
    void run();
  };
  const drop = $('drop');
  drop.ondragover = (e) => e.preventDefault();
  drop.ondrop = (e) => {
    e.preventDefault();
    file = e.dataTransfer?.files[0];
    $<HTMLButtonElement>('run').disabled = !file;
    void run();
  };
  status('Choose or drop a photo.');
  const src = params.get('src');
  if (src) {
    file = await (await fetch(src)).blob();
    await run();
  }
}

void main();
