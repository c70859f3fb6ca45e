// The browser demo: pick a backend, pick or drop a photo, colorize it with the shipped model; in
// hint mode, add colour points and watch the hint model follow them live.
// `?backend=wasm&src=sample.jpg` runs once on load and leaves the result in `window.colorizeResult`
// (the browser tests read it); `&hints=1` starts in hint mode, `&render=256` sets the render size.
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
import type { ColorHint } from '@colorize/models';

import { HintEditor } from './hint-editor.js';

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
  /** The hints it followed (hint mode), in the photo's pixels. */
  hints: number;
  /** Milliseconds from the change (a hint added, moved, recoloured or removed) to its colours on screen. */
  updateMs?: number;
  error?: string;
}
declare global {
  interface Window {
    colorizeResult?: DemoResult;
    colorizeBackends?: Record<string, string>;
    /** Colorizations finished so far; with `colorizeBusy` false, the output shows the latest hints. */
    colorizeUpdates?: number;
    colorizeBusy?: boolean;
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

function hex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Colorizes a photo (RGBA) and shows it; `updateMs` runs from the call to the colours on the canvas. */
async function colorizePhoto(generator: tfl.LayersModel, backend: BackendName, image: ImageData, hints: ColorHint[] | undefined, renderSize: number | undefined): Promise<{ result: DemoResult; out: Uint8Array }> {
  const started = performance.now();
  await initBackend({ backend });
  const { width, height, data } = image;
  const out = await colorizeImage(generator, { width, height, data }, { channels: 4, ...(hints ? { hints } : {}), ...(renderSize ? { renderSize } : {}) });
  const ms = performance.now() - started;
  draw('colorized', width, height, out.data);
  const updateMs = performance.now() - started;
  // What the tests read, measured after the colours are shown.
  const { L } = rgb8ToModelLab(data, { channels: 4 });
  const Lout = rgb8ToModelLab(out.data, { channels: 4 }).L;
  let sum = 0;
  for (let i = 0; i < L.length; i++) sum += Math.abs(Lout[i]! - L[i]!) * 50;
  const result = { backend, width, height, ms, updateMs, meanAbsDeltaL: sum / L.length, colorfulness: colorfulness(out.data), inputColorfulness: colorfulness(data), hints: hints?.length ?? 0 };
  return { result, out: out.data as Uint8Array };
}

function showInput(image: ImageData): void {
  const { width, height, data } = image;
  const { L } = rgb8ToModelLab(data, { channels: 4 });
  draw('grey', width, height, modelLabToRgb8(L, new Float32Array(L.length * 2), { channels: 4 }));
  draw('original', width, height, data);
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
  const load = async (path: string) => foldBatchNorm(await tfl.loadLayersModel(new URL(path, location.href).href));
  const generator = await load('./model/model.json');
  const hintGenerator = await load('./hint-model/model.json');
  const render = params.get('render');
  const renderSize = render ? Number(render) : undefined;
  const hintMode = $<HTMLInputElement>('hint-mode');
  hintMode.checked = params.get('hints') === '1';
  let file: Blob | undefined;
  let image: ImageData | undefined;
  let output: Uint8Array | undefined;
  let busy = false;
  let again = false;
  window.colorizeUpdates = 0;
  // One colorization at a time; changes made meanwhile are drawn by one more run after it.
  const update = async (): Promise<void> => {
    if (!image) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    window.colorizeBusy = true;
    try {
      do {
        again = false;
        const hints = editor.enabled ? editor.colorHints() : undefined;
        status(`colorizing on ${select.value}…`);
        try {
          const r = await colorizePhoto(editor.enabled ? hintGenerator : generator, select.value as BackendName, image, hints, renderSize);
          output = r.out;
          editor.draw();
          window.colorizeResult = r.result;
          status(`${r.result.width}×${r.result.height} colorized on ${r.result.backend} in ${r.result.ms.toFixed(0)} ms${editor.enabled ? ` with ${r.result.hints} hints: click to add a point, drag to move it, pick its colour, Delete to remove it` : ''}`);
        } catch (err) {
          window.colorizeResult = { backend: select.value, width: 0, height: 0, ms: 0, meanAbsDeltaL: NaN, colorfulness: NaN, inputColorfulness: NaN, hints: 0, error: (err as Error).message };
          status(`failed: ${(err as Error).message}`);
        }
        window.colorizeUpdates! += 1;
      } while (again);
    } finally {
      busy = false;
      window.colorizeBusy = false;
    }
  };
  const editor = new HintEditor({
    canvas: $<HTMLCanvasElement>('colorized'),
    overlay: $<HTMLCanvasElement>('hint-layer'),
    picker: $<HTMLInputElement>('hint-color'),
    colorAt: (x, y) => {
      if (!output || !image) return '#808080';
      const i = (y * image.width + x) * 4;
      return hex(output[i]!, output[i + 1]!, output[i + 2]!);
    },
    onChange: () => void update(),
  });
  editor.enabled = hintMode.checked;
  hintMode.onchange = () => {
    editor.enabled = hintMode.checked;
    void update();
  };
  $<HTMLButtonElement>('hint-delete').onclick = () => editor.remove();
  $<HTMLButtonElement>('hint-clear').onclick = () => editor.clear();
  select.onchange = () => void update();
  const run = async (): Promise<void> => {
    if (!file) return;
    image = await imageDataOf(file);
    editor.reset();
    showInput(image);
    await update();
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
