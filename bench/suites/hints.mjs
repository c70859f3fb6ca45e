// The hint model against the classical and the simplest way to spread a user's colour hints
// (issue 33): on the demo set's held-out test photos (never trained on), for 0 … 100 hints
// revealed from the real colours exactly as `colorize eval --hints` reveals them, the PSNR and
// colorfulness of the shipped hint model, of Levin et al. 2004 (bench/reference/levin.py, a port
// of the authors' getColorExact.m, on Debian's python3-scipy) and of "nearest hint" (each pixel
// takes the nearest hint's colour), all beside the grey baseline, on the same grey photos.
// HINT_MODEL=<model.json> measures another hint model; HINT_SPLIT=validation measures on the
// validation photos (for choosing between models; the committed table is the test split's).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { colorfulness, fileSystem, initBackend, psnr } from '@colorize/core';
import { AB_SCALE, colorize } from '@colorize/lab';
import { rasterizeHints, spreadHints } from '@colorize/models';
import { demoPhotos, hintSeed, revealHints } from '@colorize/train';

export const title = 'Colour hints: the hint model beside Levin et al. 2004 and nearest hint';
export const description =
  'PSNR (dB, RGB) on the demo set\'s 11 held-out test photos at the hint model\'s training size, with N hints revealed from ' +
  'the real colours (`colorize eval --hints`: points uniform over the photo, seeded by file name and N, each the mean sRGB ' +
  'of the 5×5 pixels there, radius 2), beside the grey baseline (a = b = 0), Levin, Lischinski and Weiss 2004 ' +
  '(bench/reference/levin.py: the authors\' getColorExact.m on L, spreading a and b) and "nearest hint" (each pixel the ' +
  'nearest hint\'s ab). Colorfulness is Hasler–Süsstrunk\'s, % of the originals\'. Target (issue 33): the model at least ' +
  '1 dB above Levin at 10 hints and at least Levin at 50; at 0 hints no worse than the automatic model.';

export const COUNTS = [0, 1, 2, 5, 10, 20, 50, 100];
const DEFAULT_MODEL = 'packages/cli/hint-model/model.json';
// Debian's python3 has python3-scipy; a python3 earlier on the PATH (pyenv) may not.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Each pixel takes the ab of the nearest hinted pixel; none: grey. Model space in, model space out. */
function nearestHint(hints, size) {
  const out = new Float32Array(size * size * 2);
  const points = [];
  for (let p = 0; p < size * size; p += 1) if (hints[p * 3 + 2] > 0.5) points.push(p);
  if (points.length === 0) return out;
  for (let p = 0; p < size * size; p += 1) {
    const y = Math.floor(p / size);
    const x = p % size;
    let best = points[0];
    let bestD = Infinity;
    for (const q of points) {
      const d = (Math.floor(q / size) - y) ** 2 + ((q % size) - x) ** 2;
      if (d < bestD) {
        bestD = d;
        best = q;
      }
    }
    out[p * 2] = hints[best * 3];
    out[p * 2 + 1] = hints[best * 3 + 1];
  }
  return out;
}

async function scores(L, ab, real) {
  const rgb = tf.tidy(() => colorize(L, ab));
  try {
    const p = await psnr(rgb, real, { dataRange: 1 });
    const c = await colorfulness(rgb, { dataRange: 1 });
    return { psnr: p.mean, colorfulness: c.mean };
  } finally {
    rgb.dispose();
  }
}

export async function run({ log }) {
  await initBackend({ backend: 'wasm' });
  const modelPath = process.env.HINT_MODEL ?? DEFAULT_MODEL;
  const model = await tfl.loadLayersModel(fileSystem(modelPath));
  const size = model.getUserDefinedMetadata()?.colorize?.size ?? 64;
  const inChannels = model.inputs[0].shape[3];
  const split = process.env.HINT_SPLIT ?? 'test';
  const data = await demoPhotos({ split, size, batchSize: 64, shuffle: false, flip: false, seed: 0 });
  const batches = [];
  for await (const b of data.batches(0)) batches.push(b);
  const L = tf.concat(batches.map((b) => b.L));
  const ab = tf.concat(batches.map((b) => b.ab));
  tf.dispose(batches.flatMap((b) => [b.L, b.ab]));
  const n = L.shape[0];
  const real = tf.tidy(() => colorize(L, ab));
  const bytes = Uint8Array.from(await tf.tidy(() => tf.round(tf.mul(tf.clipByValue(real, 0, 1), 255))).data());
  const lab100 = await tf.tidy(() => tf.mul(tf.add(L, 1), 50)).data();
  const greyScores = await scores(L, tf.zerosLike(ab), real);
  const realColor = (await colorfulness(real, { dataRange: 1 })).mean;
  const work = mkdtempSync(join(tmpdir(), 'colorize-hints-bench-'));
  const rows = [];
  try {
    const cases = [];
    const hintArrays = [];
    for (const count of COUNTS) {
      const all = new Float32Array(n * size * size * 3);
      for (let i = 0; i < n; i += 1) {
        const image = { width: size, height: size, data: bytes.subarray(i * size * size * 3, (i + 1) * size * size * 3) };
        const hints = rasterizeHints(revealHints(image, count, { seed: hintSeed(basename(data.files[i]), count) }), image, size);
        all.set(hints, i * size * size * 3);
        cases.push({ L: Array.from(lab100.subarray(i * size * size, (i + 1) * size * size)), hints: Array.from(hints, (v, k) => (k % 3 === 2 ? v : v * AB_SCALE)) });
      }
      hintArrays.push(all);
    }
    writeFileSync(join(work, 'in.json'), JSON.stringify({ size, cases }));
    log(`Levin et al. on ${cases.length} cases (python3 bench/reference/levin.py)`);
    execFileSync(PYTHON, ['bench/reference/levin.py', join(work, 'in.json'), join(work, 'out.json')], { stdio: 'inherit' });
    const levin = JSON.parse(readFileSync(join(work, 'out.json'), 'utf8')).ab;
    for (const [c, count] of COUNTS.entries()) {
      const hints = tf.tensor4d(hintArrays[c], [n, size, size, 3]);
      const nearest = new Float32Array(n * size * size * 2);
      for (let i = 0; i < n; i += 1) nearest.set(nearestHint(hintArrays[c].subarray(i * size * size * 3, (i + 1) * size * size * 3), size), i * size * size * 2);
      const levinAb = tf.tensor4d(Float32Array.from(levin.slice(c * n, (c + 1) * n).flat(), (v) => v / AB_SCALE), [n, size, size, 2]);
      const nearestAb = tf.tensor4d(nearest, [n, size, size, 2]);
      const spread = new Float32Array(n * size * size * 2);
      const lm = await L.data();
      for (let i = 0; i < n; i += 1) spread.set(spreadHints(lm.subarray(i * size * size, (i + 1) * size * size), hintArrays[c].subarray(i * size * size * 3, (i + 1) * size * size * 3), size, size), i * size * size * 2);
      const spreadAb = tf.tensor4d(spread, [n, size, size, 2]);
      const input = tf.concat(inChannels === 6 ? [L, hints, spreadAb] : [L, hints], 3);
      const predicted = model.predict(input);
      const m = await scores(L, predicted, real);
      const l = await scores(L, levinAb, real);
      const h = await scores(L, nearestAb, real);
      const sp = await scores(L, spreadAb, real);
      tf.dispose([hints, input, predicted, levinAb, nearestAb, spreadAb]);
      const pct = (x) => `${((100 * x) / realColor).toFixed(0)} %`;
      const d = (x) => `${x - greyScores.psnr >= 0 ? '+' : ''}${(x - greyScores.psnr).toFixed(2)}`;
      rows.push({
        hints: count,
        'grey PSNR': greyScores.psnr.toFixed(2),
        'model PSNR': m.psnr.toFixed(2),
        'model Δ grey': d(m.psnr),
        'Levin PSNR': l.psnr.toFixed(2),
        'Levin Δ grey': d(l.psnr),
        'model − Levin': `${m.psnr - l.psnr >= 0 ? '+' : ''}${(m.psnr - l.psnr).toFixed(2)}`,
        'nearest PSNR': h.psnr.toFixed(2),
        'spreadHints PSNR': sp.psnr.toFixed(2),
        'model color': pct(m.colorfulness),
        'Levin color': pct(l.colorfulness),
        'nearest color': pct(h.colorfulness),
      });
      log(JSON.stringify(rows.at(-1)));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    tf.dispose([L, ab, real]);
    model.dispose();
  }
  return rows;
}
