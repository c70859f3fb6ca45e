import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { rgbToLabPixel } from '@colorize/lab';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { build } from 'esbuild';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DemoResult } from '../docs/demo/main.js';

// @ts-expect-error -- plain ESM scripts without types
import { buildDemo } from './build-demo.mjs';
import { CASES, FD_REL_TOL } from './second-order-cases.js';
// @ts-expect-error -- plain ESM scripts without types
import { serveFolder } from './serve.mjs';

/**
 * The browser demo in a real headless Chromium (Debian's, installed by .ci/run): the shipped model
 * colorizes a photo on each browser backend, keeping the photo's size and its own L. WebGPU and
 * WebGL run on SwiftShader here.
 */
const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshots go: CI keeps this folder as an artefact. */
const ARTEFACTS = resolve('test-results');
let out: string;
let profile: string;
let server: Server;
let context: BrowserContext;
let base: string;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} (apt-get install -y chromium)`).toBe(true);
  expect(existsSync('packages/models/dist/index.js'), 'built packages (npm run build)').toBe(true);
  out = await mkdtemp(join(tmpdir(), 'colorize-demo-'));
  profile = await mkdtemp(join(tmpdir(), 'colorize-chromium-'));
  await buildDemo(out);
  // A black-and-white photo, as users bring them.
  await sharp(join('packages', 'train', 'demo-photos', 'mate-backgrounds__nature_GreenMeadow.jpg')).grayscale().jpeg().toFile(join(out, 'grey.jpg'));
  // The data test page: @colorize/train's browser entry, and three photos to read.
  await build({ entryPoints: ['scripts/browser/dataset-page.ts'], bundle: true, format: 'esm', platform: 'browser', outfile: join(out, 'data', 'page.js'), logLevel: 'warning' });
  await writeFile(join(out, 'data', 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>');
  await build({ entryPoints: ['scripts/browser/checks-page.ts'], bundle: true, format: 'esm', platform: 'browser', outfile: join(out, 'checks', 'page.js'), logLevel: 'warning', external: ['fs', 'path', 'worker_threads', 'perf_hooks', 'os', 'crypto'] });
  await writeFile(join(out, 'checks', 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>');
  // onnxruntime-web as an engine: the page, and onnxruntime's wasm files beside it.
  await build({ entryPoints: ['scripts/browser/onnx-page.ts'], bundle: true, format: 'esm', platform: 'browser', outfile: join(out, 'onnx', 'page.js'), logLevel: 'warning' });
  await writeFile(join(out, 'onnx', 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>');
  await mkdir(join(out, 'onnx', 'ort'), { recursive: true });
  for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) await copyFile(join('node_modules', 'onnxruntime-web', 'dist', f), join(out, 'onnx', 'ort', f));
  const photos = 'packages/train/demo-photos';
  await sharp(join(photos, 'python3-skimage__rocket.jpg')).toFile(join(out, 'data', 'a.jpg'));
  await sharp(join(photos, 'opencv-doc__data_orange.jpg')).resize(300, 200).toFile(join(out, 'data', 'b.jpg'));
  await sharp(join(photos, 'opencv-doc__data_butterfly.jpg')).ensureAlpha(0.5).png().toFile(join(out, 'data', 'c.png'));
  server = (await serveFolder(out, 0)) as Server;
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.close();
  await rm(out, { recursive: true, force: true });
  await rm(profile, { recursive: true, force: true });
});


describe('the browser demo in headless Chromium', () => {
  it.each(['webgpu', 'webgl', 'wasm', 'cpu'])('colorizes a grey photo on %s: coloured, its size and its own L kept; screenshot saved', async (backend) => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}?backend=${backend}&src=grey.jpg`);
    await page.waitForFunction(() => window.colorizeResult !== undefined, undefined, { timeout: 90_000 });
    await mkdir(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, `browser-demo-${backend}.png`), fullPage: true });
    const result = (await page.evaluate(() => window.colorizeResult)) as DemoResult;
    const backends = (await page.evaluate(() => window.colorizeBackends)) as Record<string, string>;
    await page.close();
    expect(errors).toEqual([]);
    expect(backends[backend]).toBe('ok');
    expect(result.error).toBeUndefined();
    expect(result.backend).toBe(backend);
    expect([result.width, result.height]).toEqual([256, 256]);
    expect(result.meanAbsDeltaL).toBeLessThan(0.5);
    expect(result.inputColorfulness).toBeLessThan(0.5);
    expect(result.colorfulness).toBeGreaterThan(5);
    expect(result.ms).toBeGreaterThan(0);
  }, 120_000);
});

/** Three points on the grey meadow (256 × 256, photo pixels) and the colours clicked there, mid tones that stay in gamut at its L. */
const HINT_POINTS = [
  { x: 50, y: 40, color: '#c86450' },
  { x: 200, y: 200, color: '#5a82c8' },
  { x: 60, y: 200, color: '#64aa5a' },
] as const;
/** ΔE (a, b) allowed between a clicked colour and the output's mean over the 3 × 3 pixels at its point (8-bit rounding). */
const HINT_TOLERANCE = 2;

describe('hint mode of the browser demo in headless Chromium', () => {
  it.each(['wasm', 'webgl'])('on %s: three clicked points with three picked colours colour the photo there, live; screenshot saved', async (backend) => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}?backend=${backend}&src=grey.jpg&hints=1`);
    await page.waitForFunction(() => window.colorizeResult !== undefined && window.colorizeBusy === false, undefined, { timeout: 90_000 });
    const box = (await page.locator('#colorized').boundingBox())!;
    for (const p of HINT_POINTS) {
      const before = (await page.evaluate(() => window.colorizeUpdates))!;
      await page.mouse.click(box.x + ((p.x + 0.5) / 256) * box.width, box.y + ((p.y + 0.5) / 256) * box.height);
      await page.locator('#hint-color').fill(p.color);
      await page.waitForFunction((n) => window.colorizeUpdates! > n && window.colorizeBusy === false, before, { timeout: 60_000 });
    }
    await mkdir(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, `browser-demo-hints-${backend}.png`), fullPage: true });
    const result = (await page.evaluate(() => window.colorizeResult)) as DemoResult;
    // At each point (3 × 3, inside the hint's own square) and around it (the 17 × 17 square, 64
    // model pixels → 4 at the demo's render size): mean sRGB in [0, 1].
    const means = await page.evaluate((points) => {
      const ctx = (document.getElementById('colorized') as HTMLCanvasElement).getContext('2d')!;
      const mean = (x: number, y: number, r: number): number[] => {
        const d = ctx.getImageData(x - r, y - r, 2 * r + 1, 2 * r + 1).data;
        const n = d.length / 4;
        return [0, 1, 2].map((c) => Array.from({ length: n }, (_, i) => d[i * 4 + c]!).reduce((s, v) => s + v, 0) / n / 255);
      };
      return points.map(({ x, y }) => ({ at: mean(x, y, 1), around: mean(x, y, 8) }));
    }, HINT_POINTS.map(({ x, y }) => ({ x, y })));
    await page.close();
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.hints).toBe(3);
    expect(result.meanAbsDeltaL).toBeLessThan(0.5);
    const ab = (rgb: number[]): [number, number] => rgbToLabPixel(rgb as [number, number, number]).slice(1) as [number, number];
    const hintAb = HINT_POINTS.map((p) => ab([1, 3, 5].map((k) => parseInt(p.color.slice(k, k + 2), 16) / 255)));
    const dist = (u: [number, number], v: [number, number]): number => Math.hypot(u[0] - v[0], u[1] - v[1]);
    HINT_POINTS.forEach((p, i) => {
      const at = ab(means[i]!.at);
      const around = ab(means[i]!.around);
      expect(dist(at, hintAb[i]!), `${p.color} at (${p.x}, ${p.y}): output a ${at[0].toFixed(1)}, b ${at[1].toFixed(1)}`).toBeLessThan(HINT_TOLERANCE);
      // Around it, the colour is this hint's more than any other's, and far from grey.
      const others = hintAb.filter((_, j) => j !== i).map((h) => dist(around, h));
      expect(dist(around, hintAb[i]!), `${p.color} around (${p.x}, ${p.y}): a ${around[0].toFixed(1)}, b ${around[1].toFixed(1)}`).toBeLessThan(Math.min(...others));
      expect(Math.hypot(...around)).toBeGreaterThan(Math.hypot(...hintAb[i]!) / 2);
    });
  }, 180_000);
});

describe('numerical checks in headless Chromium, on webgpu, webgl, wasm and cpu', () => {
  it('Lab against scikit-image, the U-Net and the critic\'s WGAN-GP gradients against PyTorch, colour classification against float64, every second-order op case against finite differences', async () => {
    const page = await context.newPage();
    await page.goto(`${base}checks/`);
    await page.waitForFunction(() => window.checks !== undefined, undefined, { timeout: 280_000 });
    const checks = (await page.evaluate(() => window.checks)) as Record<string, Record<string, number> | string>;
    await page.close();
    for (const [backend, c] of Object.entries(checks)) {
      if (typeof c === 'string') continue;
      const worst = Math.max(...Object.entries(c).filter(([k]) => k.startsWith('second order: ')).map(([, v]) => v));
      console.log(`${backend}: critic gradients rel ${c['critic weight gradients rel']!.toExponential(1)}, worst second-order case ${worst.toExponential(1)}`);
    }
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
      const c = checks[backend];
      expect(typeof c, `${backend}: ${String(c)}`).toBe('object');
      const r = c as Record<string, number>;
      expect(r['rgbToLab max abs'], backend).toBeLessThan(2e-3); // the Node suite's tolerances
      expect(r['labToRgb max abs'], backend).toBeLessThan(1e-4);
      expect(r['U-Net train-mode forward rel'], backend).toBeLessThan(1e-4);
      expect(r['critic loss rel'], backend).toBeLessThan(1e-4);
      expect(r['critic weight gradients rel'], backend).toBeLessThan(1e-3);
      expect(r['classification loss rel'], backend).toBeLessThan(1e-5); // as in the Node suite
      expect(r['classification logit gradients rel'], backend).toBeLessThan(1e-4);
      expect(r['classification head annealed mean rel'], backend).toBeLessThan(1e-4);
      expect(r['classification head with class bias rel'], backend).toBeLessThan(1e-4);
      const cases = Object.keys(r).filter((k) => k.startsWith('second order: '));
      expect(cases.length, backend).toBe(CASES.length);
      for (const k of cases) expect(r[k], `${backend} ${k}`).toBeLessThan(FD_REL_TOL);
    }
  }, 300_000);

  it('rgb8ToModelLab against scikit-image; its and modelLabToRgb8\'s WebAssembly SIMD kernels loaded on the main thread and equal to their JavaScript loops bit for bit', async () => {
    const page = await context.newPage();
    await page.goto(`${base}checks/`);
    await page.waitForFunction(() => window.typedArrayChecks !== undefined, undefined, { timeout: 60_000 });
    const r = await page.evaluate(() => window.typedArrayChecks);
    await page.close();
    expect(typeof r, String(r)).toBe('object');
    const c = r as { simdLoaded: boolean; rgb8ToModelLabMaxAbs: number; simdDifferences: number; backSimdLoaded: boolean; backSimdDifferences: number };
    expect(c.simdLoaded).toBe(true);
    expect(c.simdDifferences).toBe(0);
    expect(c.backSimdLoaded).toBe(true);
    expect(c.backSimdDifferences).toBe(0);
    expect(c.rgb8ToModelLabMaxAbs).toBeLessThan(2e-3); // typed-arrays.test.ts's tolerance
  }, 120_000);
});

describe('onnxruntime-web as the engine in headless Chromium', () => {
  it('exportOnnx + onnxPredictor on onnxruntime-web\'s wasm give the photo tfjs gives', async () => {
    const page = await context.newPage();
    await page.goto(`${base}onnx/`);
    await page.waitForFunction(() => window.onnxResult !== undefined, undefined, { timeout: 120_000 });
    const r = (await page.evaluate(() => window.onnxResult))!;
    await page.close();
    expect(r.error).toBeUndefined();
    expect([r.width, r.height]).toEqual([77, 51]);
    expect(r.maxDiff).toBeLessThanOrEqual(1); // float rounding crossing an 8-bit step
    expect(r.colorful).toBeGreaterThan(5);
  }, 180_000);
});

describe('@colorize/train in headless Chromium', () => {
  it('imageSources decodes Blobs with createImageBitmap into Lab batches, and reports a file that is not an image', async () => {
    const page = await context.newPage();
    await page.goto(`${base}data/`);
    await page.waitForFunction(() => window.datasetResult !== undefined, undefined, { timeout: 60_000 });
    const r = (await page.evaluate(() => window.datasetResult)) as {
      error?: string;
      size: number;
      skipped: [string, string][];
      batches: { L: number[]; ab: number[]; Lrange: [number, number]; abFinite: boolean }[];
      tensors: number;
    };
    await page.close();
    expect(r.error).toBeUndefined();
    expect(r.size).toBe(3);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]![0]).toBe('broken.jpg');
    expect(r.skipped[0]![1]).toMatch(/not a readable image/);
    expect(r.batches.map((b) => [b.L, b.ab])).toEqual([
      [[2, 32, 32, 1], [2, 32, 32, 2]],
      [[1, 32, 32, 1], [1, 32, 32, 2]],
    ]);
    for (const b of r.batches) {
      expect(b.Lrange[0]).toBeGreaterThanOrEqual(-1);
      expect(b.Lrange[1]).toBeLessThanOrEqual(1);
      expect(b.Lrange[1] - b.Lrange[0]).toBeGreaterThan(0.2);
      expect(b.abFinite).toBe(true);
    }
    expect(r.tensors).toBe(0);
  }, 120_000);
});

declare global {
  interface Window {
    datasetResult?: unknown;
    checks?: Record<string, Record<string, number> | string>;
    typedArrayChecks?: unknown;
  }
}
