import { Worker } from 'node:worker_threads';
import * as workerThreads from 'node:worker_threads';

import { describe, expect, it } from 'vitest';

import { MODULE_BASE64, STACK_SLOT_BYTES, STACK_SLOTS } from '../training/wasm/training-kernels.wasm.js';
import type { TrainingKernelExports } from '../training/wasm/training-kernels.js';
import { EmbeddedModule, heapStart, reserve } from './embedded-module.js';
import { KernelThreads } from './kernel-threads.js';

const STACK = { slotBytes: STACK_SLOT_BYTES, slots: STACK_SLOTS };

describe('KernelThreads', () => {
  it('refuses a module on unshared memory, and helper counts outside 1 to slots − 1', async () => {
    const unshared = new EmbeddedModule<TrainingKernelExports>(MODULE_BASE64, false).instance()!;
    await expect(KernelThreads.start(unshared, ['wino_blocks'], 1, STACK, workerThreads)).rejects.toThrow(/not shared/);
    const shared = new EmbeddedModule<TrainingKernelExports>(MODULE_BASE64).instance()!;
    for (const helpers of [0, STACK_SLOTS, 1.5]) {
      await expect(KernelThreads.start(shared, ['wino_blocks'], helpers, STACK, workerThreads)).rejects.toThrow(/helpers must be/);
    }
  });

  it('runs a function on every thread, each on its own stack; a trap on the threads is an error and they work on after it', async () => {
    const kernels = new EmbeddedModule<TrainingKernelExports>(MODULE_BASE64).instance()!;
    const threads = await KernelThreads.start(kernels, ['wino_blocks'], 3, STACK, { Worker });
    try {
      expect(threads.count).toBe(4);
      // A 1 × 4 × 4 image, 4 channels in and out, through wino_blocks on four threads: 1 tile, so
      // three threads find no block left (and still report back).
      const k = kernels.exports;
      const at = heapStart(kernels);
      const [next, u, g, x, y, scratch] = [at, at + 16, at + 16 + 4 * 36 * 16, at + 4096 * 2, at + 4096 * 3, at + 4096 * 4];
      const memory = reserve(kernels, scratch + 4 * 4 * 36 * 4 * 8);
      memory.fill(0, at / 4, scratch / 4);
      memory[g / 4 + 4 * 4 * 4 + 0] = 1; // the centre tap passes channel 0 to channel 0
      for (let i = 0; i < 16; i += 1) memory[x / 4 + 4 * i] = i + 1;
      k.wino_geometry(4, 4, 4, 4, 1, 1, 4, 4, 3);
      k.wino_filter(g, u, 0);
      threads.run('wino_blocks', [x, u, 0, 0, y, 1, 4, next, scratch]);
      const out = Array.from({ length: 16 }, (_, i) => memory[y / 4 + 4 * i]);
      expect(out.map((v) => Math.round(v! * 1e4) / 1e4)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      // Each thread claims until it finds no block: one block, so 4 + 1 claims in all.
      expect(new Int32Array(memory.buffer, next, 1)[0]).toBe(5);
      expect(() => threads.run('nothing', [])).toThrow(/nothing/);
      // Pointers past the memory's end trap on every thread.
      new Int32Array(memory.buffer, next, 1)[0] = 0;
      expect(() => threads.run('wino_blocks', [x, u, 0, 0, 0x7fff0000, 1, 4, next, scratch])).toThrow();
      new Int32Array(memory.buffer, next, 1)[0] = 0;
      threads.run('wino_blocks', [x, u, 0, 0, y, 1, 4, next, scratch]);
      expect(memory[y / 4]).toBeCloseTo(1, 5);
    } finally {
      await threads.close();
    }
    expect(threads.count).toBe(1);
  });
});
