import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@colorize/core';
import { AB_SCALE, rgb8ToModelLab, rgbToLabPixel } from '@colorize/lab';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { assertHints, hintColorToAb, paintHints, rasterizeHints } from './color-hints.js';
import { colorizeImage } from './colorize-image.js';
import { buildUNet } from './unet.js';

/** ΔE-scale tolerance on a and b after the output's 8-bit rounding (a code step moves a or b by under 1.5). */
const AB_8BIT_TOLERANCE = 1.5;

/** A model that outputs its hint channels as ab: [L, a, b, mask] → [a, b]. Hints pass straight through. */
function hintEcho(): tfl.LayersModel {
  const input = tfl.input({ shape: [null, null, 4] });
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, kernelInitializer: 'zeros' });
  const output = conv.apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  const kernel = tf.tensor4d([0, 0, 1, 0, 0, 1, 0, 0], [1, 1, 4, 2]);
  conv.setWeights([kernel]);
  kernel.dispose();
  return model;
}

/** A grey photo of mid tones (110–145), where the test's hint colours stay inside the sRGB gamut. */
function greyPhoto(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p += 1) data.fill(110 + ((p * 7) % 36), p * 3, p * 3 + 3);
  return data;
}

describe('hint colours and rasterizing', () => {
  it('reads #rrggbb, #rgb and [r, g, b] as CIELAB a, b (scikit-image)', () => {
    const [, a, b] = rgbToLabPixel([0xa0 / 255, 0x30 / 255, 0x20 / 255]);
    expect(hintColorToAb('#a03020')).toEqual([a, b]);
    expect(hintColorToAb('#A03020')).toEqual([a, b]);
    expect(hintColorToAb([0xa0, 0x30, 0x20])).toEqual([a, b]);
    expect(hintColorToAb('#f00')).toEqual(hintColorToAb('#ff0000'));
    for (const bad of ['red', '#12345', '#gg0000', [1, 2], [0, 0, 256], [0, Number.NaN, 0], null]) {
      expect(() => hintColorToAb(bad)).toThrow(/hintColorToAb: expected color as "#rrggbb" or \[r, g, b\] in \[0, 255\]/);
    }
  });

  it('maps photo pixels to the render size with corners aligned, radius scaled, mask 1 under each hint', () => {
    const out = rasterizeHints([{ x: 99, y: 0, color: '#ff0000', radius: 10 }, { x: 0, y: 49, color: '#0000ff' }], { width: 100, height: 50 }, 10);
    const at = (x: number, y: number) => Array.from(out.subarray((y * 10 + x) * 3, (y * 10 + x) * 3 + 3));
    const [ra, rb] = hintColorToAb('#ff0000');
    // x 99 → 9, y 0 → 0; radius 10 → floor(10 · 9/99) = 0 across, floor(10 · 9/49) = 1 down.
    expect(at(9, 0)).toEqual([Math.fround(ra / AB_SCALE), Math.fround(rb / AB_SCALE), 1]);
    expect(at(9, 1)[2]).toBe(1);
    expect(at(9, 2)[2]).toBe(0);
    expect(at(8, 0)[2]).toBe(0);
    // The default radius 2 is under one render pixel here: the hint's own pixel only.
    expect(at(0, 9)[2]).toBe(1);
    expect(out.reduce((s, v, i) => s + (i % 3 === 2 ? v : 0), 0)).toBe(3);
  });

  it('names the bad entry, what was expected and what came', () => {
    const size = { width: 640, height: 480 };
    expect(() => assertHints('f', {}, 640, 480)).toThrow(/f: expected hints as an array/);
    expect(() => rasterizeHints([{ x: 700, y: 1, color: '#000000' }], size, 16)).toThrow(/rasterizeHints: expected hints\[0\]\.x in \[0, 639\] \(the photo is 640×480\), got 700/);
    expect(() => rasterizeHints([{ x: 1, y: 1, color: '#000000' }, { x: 1, y: -1, color: '#000000' }], size, 16)).toThrow(/hints\[1\]\.y in \[0, 479\]/);
    expect(() => rasterizeHints([{ x: 1, y: 1, color: 'blue' }], size, 16)).toThrow(/hints\[0\]\.color as "#rrggbb"/);
    expect(() => rasterizeHints([{ x: 1, y: 1, color: '#000000', radius: 0 }], size, 16)).toThrow(/hints\[0\]\.radius in \(0, 640\)/);
    expect(() => rasterizeHints([{ x: 1, y: 1, color: '#000000', colour: 1 } as never], size, 16)).toThrow(/hints\[0\] to have only x, y, color and radius, got a key "colour"/);
    expect(() => rasterizeHints([null as never], size, 16)).toThrow(/hints\[0\] as \{ x, y, color, radius\? \}/);
  });

  it('paints each hint\'s square with its a, b and the pixel\'s own L, and nothing else', () => {
    const width = 12;
    const height = 9;
    const data = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p += 1) data.set([90 + p, 90 + p, 90 + p, 200], p * 4);
    const before = Uint8Array.from(data);
    paintHints(data, { width, height, channels: 4 }, [{ x: 3, y: 4, color: '#a06040', radius: 1.5 }, { x: 11, y: 0, color: [60, 90, 160] }]);
    const [, ha, hb] = rgbToLabPixel([0xa0 / 255, 0x60 / 255, 0x40 / 255]);
    let painted = 0;
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const i = (y * width + x) * 4;
        const inFirst = Math.abs(x - 3) <= 1.5 && Math.abs(y - 4) <= 1.5;
        const inSecond = Math.abs(x - 11) <= 2 && y <= 2;
        expect(data[i + 3]).toBe(200);
        if (!inFirst && !inSecond) {
          expect(Array.from(data.subarray(i, i + 4))).toEqual(Array.from(before.subarray(i, i + 4)));
          continue;
        }
        painted += 1;
        const [L, a, b] = rgbToLabPixel([data[i]! / 255, data[i + 1]! / 255, data[i + 2]! / 255]);
        const [L0] = rgbToLabPixel([before[i]! / 255, before[i + 1]! / 255, before[i + 2]! / 255]);
        expect(Math.abs(L - L0)).toBeLessThan(0.5);
        if (inFirst) expect(Math.hypot(a - ha, b - hb)).toBeLessThan(AB_8BIT_TOLERANCE * 1.5);
      }
    }
    expect(painted).toBe(9 + 9);
  });
});

describe.each(TEST_BACKENDS)('colorizeImage with hints on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('gives each hint\'s a, b at its photo pixel, grey far from hints, the photo\'s own L, and leaks nothing', async () => {
    const model = hintEcho();
    const [width, height] = [64, 48];
    const data = greyPhoto(width, height);
    const hints = [
      { x: 10, y: 10, color: '#b07060', radius: 10 },
      { x: 50, y: 30, color: '#6080b0', radius: 10 },
    ];
    const before = tf.memory().numTensors;
    const out = await colorizeImage(model, { width, height, data }, { renderSize: 16, multiple: 4, hints });
    expect(tf.memory().numTensors).toBe(before);
    const lab = rgb8ToModelLab(out.data);
    const inL = rgb8ToModelLab(data).L;
    const abAt = (x: number, y: number) => [lab.ab[(y * width + x) * 2]! * AB_SCALE, lab.ab[(y * width + x) * 2 + 1]! * AB_SCALE];
    for (const h of hints) {
      const [a, b] = hintColorToAb(h.color);
      const [oa, ob] = abAt(h.x, h.y);
      expect(Math.abs(oa! - a)).toBeLessThan(AB_8BIT_TOLERANCE);
      expect(Math.abs(ob! - b)).toBeLessThan(AB_8BIT_TOLERANCE);
      expect(Math.abs(lab.L[h.y * width + h.x]! - inL[h.y * width + h.x]!) * 50).toBeLessThan(1);
    }
    const [fa, fb] = abAt(63, 0);
    expect(Math.hypot(fa!, fb!)).toBeLessThan(AB_8BIT_TOLERANCE);
    model.dispose();
  });

  it('colorizes without hints on a hint model, and refuses hints to a model of L alone', async () => {
    const hintModel = buildUNet({ base: 4, depth: 2, inChannels: 4 });
    const plain = buildUNet({ base: 4, depth: 2 });
    const image = { width: 20, height: 20, data: greyPhoto(20, 20) };
    const out = await colorizeImage(hintModel, image, { renderSize: 16, multiple: 4 });
    expect(out.data.length).toBe(20 * 20 * 3);
    await expect(colorizeImage(plain, image, { renderSize: 16, multiple: 4, hints: [{ x: 1, y: 1, color: '#ff0000' }] })).rejects.toThrow(
      /colorizeImage: expected a hint model \(4 or 6 input channels: colorize train --hints\) for hints, got a model of L alone/,
    );
    await expect(colorizeImage(hintModel, image, { renderSize: 16, multiple: 4, hints: [{ x: 20, y: 1, color: '#ff0000' }] })).rejects.toThrow(/colorizeImage: expected hints\[0\]\.x in \[0, 19\]/);
    hintModel.dispose();
    plain.dispose();
  });
});
