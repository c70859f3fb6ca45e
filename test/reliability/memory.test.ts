// Long runs keep memory flat: 500 WGAN-GP training steps and 1,000 colorized photos, with the
// tensor count unchanged after warm-up and the process's memory bounded.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet, colorizeImage } from '@colorize/models';
import { createWganGpTrainer } from '@colorize/train';
import type { LabBatch } from '@colorize/train';
import { describe, expect, it } from 'vitest';

/** Resident memory in MB after a collection when `--expose-gc` is on (vitest's forks may not have it). */
function residentMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}

describe('memory over long runs (wasm)', () => {
  it('500 WGAN-GP steps: the tensor count after step 50 is the count after step 500, memory bounded', async () => {
    await initBackend({ backend: 'wasm', env: {} });
    const generator = buildUNet({ base: 4, depth: 2 });
    const critic = buildPatchCritic({ base: 4 });
    const trainer = createWganGpTrainer({ generator, critic, seed: 3 });
    const L = tf.randomUniform([2, 32, 32, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    const ab = tf.randomUniform([2, 32, 32, 2], -0.3, 0.3, 'float32', 2) as tf.Tensor4D;
    let tensors = 0;
    let rss = 0;
    for (let i = 1; i <= 500; i += 1) {
      await trainer.step({ L, ab } satisfies LabBatch);
      if (i === 50) {
        tensors = tf.memory().numTensors;
        rss = residentMb();
      }
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(residentMb() - rss).toBeLessThan(150);
    trainer.dispose();
    tf.dispose([L, ab]);
    generator.dispose();
    critic.dispose();
  }, 300_000);

  it('1,000 photos colorized: the tensor count and memory stay flat', async () => {
    await initBackend({ backend: 'wasm', env: {} });
    const generator = buildUNet({ base: 4, depth: 2, inputSize: null });
    const photo = (i: number) => {
      const width = 40 + (i % 7) * 9;
      const height = 30 + (i % 5) * 11;
      return { width, height, data: new Uint8Array(width * height * 3).map((_, k) => (k * 31 + i) & 255) };
    };
    let tensors = 0;
    let rss = 0;
    for (let i = 1; i <= 1000; i += 1) {
      const out = await colorizeImage(generator, photo(i), { renderSize: 32, multiple: 4 });
      expect(out.data.length).toBe(photo(i).data.length);
      if (i === 100) {
        tensors = tf.memory().numTensors;
        rss = residentMb();
      }
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(residentMb() - rss).toBeLessThan(100);
    generator.dispose();
  }, 300_000);
});
