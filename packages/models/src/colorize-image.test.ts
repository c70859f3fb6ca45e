import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend } from '@colorize/core';
import { modelLabToRgb8, rgb8ToModelL, rgb8ToModelLab } from '@colorize/lab';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { colorizeImage } from './colorize-image.js';
import { buildUNet } from './unet.js';

/** A deterministic test photo: smooth gradients with some texture. */
function photo(width: number, height: number, channels: 3 | 4): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * channels;
      data[p] = (x * 7 + y * 3) % 256;
      data[p + 1] = (x * 2 + y * 9 + 40) % 256;
      data[p + 2] = (255 - x * 5) & 255;
      if (channels === 4) data[p + 3] = (x + y) % 256;
    }
  }
  return data;
}

describe.each(TEST_BACKENDS)('colorizeImage on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('keeps the size, the alpha and the photo\'s own L at full resolution, and leaks nothing', async () => {
    const generator = buildUNet({ base: 4, depth: 2 });
    const before = tf.memory().numTensors;
    for (const channels of [3, 4] as const) {
      const data = photo(37, 23, channels);
      const out = await colorizeImage(generator, { width: 37, height: 23, data }, { renderSize: 16, multiple: 4 });
      expect([out.width, out.height, out.data.length]).toEqual([37, 23, 37 * 23 * channels]);
      const Lin = rgb8ToModelLab(data, { channels }).L;
      const Lout = rgb8ToModelLab(out.data, { channels }).L;
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < Lin.length; i++) {
        const d = Math.abs(Lout[i]! - Lin[i]!) * 50; // L units
        worst = Math.max(worst, d);
        sum += d;
      }
      // 8-bit rounding of each channel moves L by at most about half a code step.
      expect(sum / Lin.length).toBeLessThan(0.3);
      if (channels === 4) for (let p = 3; p < data.length; p += 4) expect(out.data[p]).toBe(data[p]);
    }
    expect(tf.memory().numTensors).toBe(before);
    generator.dispose();
  });

  it('gives the predictor the photo\'s L at the render size, and joins its ab, resized to the photo, with the photo\'s own L', async () => {
    let given: { L: Float32Array; dims: readonly number[] } | undefined;
    let predicted = new Float32Array(0);
    const predictor = {
      predictAb: async (L: Float32Array, dims: readonly [number, number, number, 1]): Promise<Float32Array> => {
        given = { L, dims };
        predicted = Float32Array.from({ length: 2 * L.length }, (_, i) => Math.sin(i * 0.37 + L[i >> 1]!) * 0.5);
        return predicted;
      },
    };
    const before = tf.memory().numTensors;
    for (const channels of [3, 4] as const) {
      const data = photo(45, 29, channels);
      const out = await colorizeImage(predictor, { width: 45, height: 29, data }, { renderSize: 21, multiple: 8 });
      expect(given!.dims).toEqual([1, 24, 24, 1]);
      // The model's input is the photo's L resized with corners aligned (tfjs cpu's values, tested in @colorize/lab).
      expect(given!.L).toEqual(rgb8ToModelL(data, { channels, size: [29, 45], outSize: [24, 24] }));
      const L = rgb8ToModelL(data, { channels });
      const want = modelLabToRgb8(L, predicted, { channels, size: [29, 45], abSize: [24, 24] });
      if (channels === 4) for (let p = 3; p < data.length; p += 4) want[p] = data[p]!;
      expect(out.data).toEqual(want);
      // In place: the same bytes, written into the photo's own array.
      const own = data.slice();
      const inPlace = await colorizeImage(predictor, { width: 45, height: 29, data: own }, { renderSize: 21, multiple: 8, inPlace: true });
      expect(inPlace.data).toBe(own);
      expect(own).toEqual(want);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a generator whose output is not ab at the render size, and leaks nothing', async () => {
    const L = tfl.input({ shape: [null, null, 1] });
    const three = tfl.model({ inputs: L, outputs: tfl.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(L) as tfl.SymbolicTensor });
    const before = tf.memory().numTensors;
    let caught: unknown;
    try {
      await colorizeImage(three, { width: 9, height: 7, data: photo(9, 7, 3) }, { renderSize: 8, multiple: 8 });
    } catch (err) {
      caught = err;
    }
    expect(ColorizeError.isInstance(caught) && caught.code).toBe('INVALID_SHAPE');
    expect((caught as Error).message).toBe('colorizeImage: expected the generator to give ab of [1, 8, 8, 2], got [1, 8, 8, 3].');
    expect(tf.memory().numTensors).toBe(before);
    three.dispose();
  });

  it('rejects data that does not match the size, and an inPlace that is not a boolean', async () => {
    const generator = buildUNet({ base: 4, depth: 2 });
    let caught: unknown;
    try {
      await colorizeImage(generator, { width: 4, height: 4, data: new Uint8Array(47) });
    } catch (err) {
      caught = err;
    }
    expect(ColorizeError.isInstance(caught) && caught.code).toBe('INVALID_SHAPE');
    expect((caught as Error).message).toBe('colorizeImage: expected 4×4×3 or ×4 bytes, got 47 bytes.');
    await expect(colorizeImage(generator, { width: 4, height: 4, data: new Uint8Array(48) }, { inPlace: 'yes' as never })).rejects.toThrow(
      'colorizeImage: expected inPlace to be true or false, got "yes".',
    );
    generator.dispose();
  });
});
