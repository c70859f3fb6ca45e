import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem, initBackend } from '@colorize/core';
import { AB_SCALE, rgb8ToModelLab } from '@colorize/lab';
import { hintColorToAb } from '@colorize/models';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `colorize --hints`, hint sidecars and `colorize eval --hints`, run as a user runs them (the
 * built binary). The model is a hint "echo" saved as a model folder: its ab is its hint channels,
 * so where each hint lands, at what size and with which colour is seen exactly in the output.
 */
const BIN = resolve('packages/cli/bin/colorize.js');
/** a and b after 8-bit output (and JPEG for .jpg): within this many CIELAB units of the hint's. */
const HINT_AB_TOLERANCE = 3;
let dir: string;

function colorize(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, COLORIZE_BACKEND: 'wasm' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function saveHintEcho(path: string): Promise<void> {
  const input = tfl.input({ shape: [null, null, 4], name: 'L' });
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, kernelInitializer: 'zeros', name: 'head_conv' });
  const model = tfl.model({ inputs: input, outputs: conv.apply(input) as tfl.SymbolicTensor });
  const kernel = tf.tensor4d([0, 0, 1, 0, 0, 1, 0, 0], [1, 1, 4, 2]);
  conv.setWeights([kernel]);
  kernel.dispose();
  model.setUserDefinedMetadata({ colorize: { size: 32, depth: 2, hints: true } });
  await model.save(fileSystem(path));
  model.dispose();
}

/** A grey photo of mid tones, where the hint colours below stay inside the sRGB gamut. */
async function greyPhoto(path: string, width: number, height: number): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p += 1) data.fill(115 + ((p * 13) % 25), p * 3, p * 3 + 3);
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

async function abAt(path: string, x: number, y: number): Promise<[number, number]> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const p = (y * info.width + x) * info.channels;
  const { ab } = rgb8ToModelLab(Uint8Array.from([data[p]!, data[p + 1]!, data[p + 2]!]));
  return [ab[0]! * AB_SCALE, ab[1]! * AB_SCALE];
}

const HINTS = [
  { x: 20, y: 15, color: '#b07060', radius: 12 },
  { x: 100, y: 70, color: '#6080b0', radius: 12 },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colorize-hints-'));
  await initBackend({ backend: 'cpu', env: {} });
  await saveHintEcho(join(dir, 'echo'));
  await mkdir(join(dir, 'in'));
  await greyPhoto(join(dir, 'in', 'a.png'), 128, 96);
  await greyPhoto(join(dir, 'in', 'b.png'), 128, 96);
  await greyPhoto(join(dir, 'in', 'c.png'), 128, 96);
  await writeFile(join(dir, 'hints.json'), JSON.stringify(HINTS));
  await writeFile(join(dir, 'in', 'a.hints.json'), JSON.stringify(HINTS));
  await writeFile(join(dir, 'in', 'b.hints.json'), JSON.stringify([HINTS[1]]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('colorize --hints', () => {
  it.each(['onnx', 'tfjs'])('gives each hint\'s colour at its point and keeps the photo\'s L (engine %s)', async (engine) => {
    const out = `one-${engine}`;
    const r = colorize([join('in', 'c.png'), '--hints', 'hints.json', '--model', 'echo', '--engine', engine, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const h of HINTS) {
      const [a, b] = hintColorToAb(h.color);
      const [oa, ob] = await abAt(join(dir, out, 'c.png'), h.x, h.y);
      expect(Math.hypot(oa - a, ob - b)).toBeLessThan(HINT_AB_TOLERANCE);
    }
    // Far from any hint the echo gives no colour.
    const [fa, fb] = await abAt(join(dir, out, 'c.png'), 127, 0);
    expect(Math.hypot(fa, fb)).toBeLessThan(HINT_AB_TOLERANCE);
    const inL = rgb8ToModelLab(Uint8Array.from((await sharp(join(dir, 'in', 'c.png')).raw().toBuffer()))).L;
    const outL = rgb8ToModelLab(Uint8Array.from((await sharp(join(dir, out, 'c.png')).raw().toBuffer()))).L;
    let sum = 0;
    for (let i = 0; i < inL.length; i += 1) sum += Math.abs(outL[i]! - inL[i]!) * 50;
    expect(sum / inL.length).toBeLessThan(0.5);
  });

  it('uses <name>.hints.json beside each photo of a folder, says how many had hints, and colorizes the others without', async () => {
    const r = colorize(['in', '--model', 'echo', '-o', 'folder', '-j', '2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/colorized 3 of 3 images \(2 with hints\) into/);
    const [a, b] = hintColorToAb(HINTS[0]!.color);
    const [oa, ob] = await abAt(join(dir, 'folder', 'in', 'a.png'), 20, 15);
    expect(Math.hypot(oa - a, ob - b)).toBeLessThan(HINT_AB_TOLERANCE);
    // b.png has only the second hint; c.png none.
    const [ba, bb] = await abAt(join(dir, 'folder', 'in', 'b.png'), 20, 15);
    expect(Math.hypot(ba, bb)).toBeLessThan(HINT_AB_TOLERANCE);
    const [ca, cb] = await abAt(join(dir, 'folder', 'in', 'c.png'), 100, 70);
    expect(Math.hypot(ca, cb)).toBeLessThan(HINT_AB_TOLERANCE);
  });

  it('without --model, colorizes the photos with hints on the shipped hint model and the others on the automatic one', async () => {
    const r = colorize(['in', '-o', 'shipped', '-j', '2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/colorized 3 of 3 images \(2 with hints\) into/);
    // The hint model spreads each hint over the flat grey photo: a point 6 px beyond the first
    // hint's square takes its hue (the automatic model would refuse hints).
    const [a, b] = hintColorToAb(HINTS[0]!.color);
    const [oa, ob] = await abAt(join(dir, 'shipped', 'in', 'a.png'), 20 + 12 + 6, 15);
    expect(Math.hypot(oa - a, ob - b)).toBeLessThan(Math.hypot(a, b) / 2);
    const [ca, cb] = await abAt(join(dir, 'shipped', 'in', 'c.png'), 100, 70);
    expect(Number.isFinite(ca) && Number.isFinite(cb)).toBe(true);
  });

  it('refuses every kind of bad hint file in one line naming the file and the entry, and still does the folder\'s other photos', async () => {
    const cases: [string, string, RegExp][] = [
      ['broken', '[{"x": 1,', /broken\.hints\.json: not a valid hint file \(.*\); expected a JSON array of/],
      ['object', '{"x": 1, "y": 1, "color": "#ff0000"}', /object\.hints\.json: expected hints as an array of \{ x, y, color, radius\? \}/],
      ['outside', JSON.stringify([{ x: 1, y: 1, color: '#ff0000' }, { x: 128, y: 1, color: '#ff0000' }]), /outside\.hints\.json: expected entry 1\.x in \[0, 127\] \(the photo is 128×96\), got 128/],
      ['colour', JSON.stringify([{ x: 1, y: 1, color: 'red' }]), /colour\.hints\.json: expected entry 0\.color as "#rrggbb" or \[r, g, b\] in \[0, 255\], got "red"/],
      ['radius', JSON.stringify([{ x: 1, y: 1, color: '#ff0000', radius: -1 }]), /radius\.hints\.json: expected entry 0\.radius in \(0, 128\) photo pixels, got -1/],
      ['key', JSON.stringify([{ x: 1, y: 1, colour: '#ff0000' }]), /key\.hints\.json: expected entry 0 to have only x, y, color and radius, got a key "colour"/],
    ];
    await mkdir(join(dir, 'bad'));
    for (const [name, text] of cases) {
      await greyPhoto(join(dir, 'bad', `${name}.png`), 128, 96);
      await writeFile(join(dir, 'bad', `${name}.hints.json`), text);
    }
    await greyPhoto(join(dir, 'bad', 'good.png'), 128, 96);
    const r = colorize(['bad', '--model', 'echo', '-o', 'bad-out']);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(cases.length);
    for (const [, , pattern] of cases) expect(lines.some((l) => pattern.test(l)), String(pattern)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/colorized 1 of 7 images \(6 with hints\)/);
  });

  it('refuses hints for a model of L alone, --hints for several photos, and a missing hint file, in one line each', () => {
    const plain = colorize([join('in', 'c.png'), '--hints', 'hints.json', '--model', resolve('packages/cli/model'), '--engine', 'tfjs', '-o', 'plain']);
    expect(plain.status).toBe(1);
    expect(plain.stderr.trim().split('\n')).toEqual([expect.stringMatching(/hints need a hint model \(one trained with colorize train --hints/)]);
    const many = colorize(['in', '--hints', 'hints.json', '--model', 'echo']);
    expect(many.status).not.toBe(0);
    expect(many.stderr).toMatch(/--hints is for one photo; for 3, put each photo's hints beside it as <name>\.hints\.json/);
    const missing = colorize([join('in', 'c.png'), '--hints', 'nowhere.json', '--model', 'echo', '-o', 'missing']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringMatching(/nowhere\.json: cannot read the hint file/)]);
  });
});

describe('colorize eval --hints', () => {
  it('reports PSNR beside the grey baseline for each number of hints revealed from the real colours', () => {
    const r = colorize(['eval', '--data', 'demo', '--model', 'echo', '--size', '32', '--hints', '0,10,100', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const reports = JSON.parse(r.stdout) as { hints: number; mean: { psnr: number; greyPsnr: number } }[];
    expect(reports.map((x) => x.hints)).toEqual([0, 10, 100]);
    // The echo with no hints is the grey baseline; revealed hints (the real colours) raise PSNR.
    expect(reports[0]!.mean.psnr).toBeCloseTo(reports[0]!.mean.greyPsnr, 6);
    expect(reports[1]!.mean.psnr).toBeGreaterThan(reports[0]!.mean.psnr + 0.1);
    expect(reports[2]!.mean.psnr).toBeGreaterThan(reports[1]!.mean.psnr + 0.1);
    // The same seeds each run.
    expect(JSON.parse(colorize(['eval', '--data', 'demo', '--model', 'echo', '--size', '32', '--hints', '10', '--json']).stdout)[0].mean).toEqual(reports[1]!.mean);
    const table = colorize(['eval', '--data', 'demo', '--model', 'echo', '--size', '32', '--hints', '0,5']);
    expect(table.stdout).toMatch(/hints {4}PSNR {4}grey {3}difference {2}colorfulness\n {4}0 /);
  });

  it('refuses --hints for a model of L alone and a bad count, in one line', () => {
    const plain = colorize(['eval', '--data', 'demo', '--hints', '10', '--model', resolve('packages/cli/model')]);
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/--hints needs a hint model \(colorize train --hints\)/);
    const bad = colorize(['eval', '--data', 'demo', '--model', 'echo', '--hints', '1,x']);
    expect(bad.stderr).toMatch(/--hints expects counts of hints per photo/);
  });
});
