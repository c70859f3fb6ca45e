import { describe, expect, it } from 'vitest';

import { MODULE_BASE64 } from '../training/wasm/training-kernels.wasm.js';
import { align16, EmbeddedModule, heapStart, reserve } from './embedded-module.js';
import type { EmbeddedExports } from './embedded-module.js';

describe('EmbeddedModule', () => {
  it('gives null, synchronously and asynchronously, for bytes the runtime does not validate (as without WebAssembly SIMD)', async () => {
    const module = new EmbeddedModule<EmbeddedExports>(btoa('\0asm\x01\0\0\0\x7f'));
    expect(module.instance()).toBeNull();
    await module.load();
    expect(module.instance()).toBeNull();
  });

  it('instantiates once per module, and reserve grows its memory to whole pages past heapStart', () => {
    const module = new EmbeddedModule<EmbeddedExports>(MODULE_BASE64);
    const instance = module.instance()!;
    expect(module.instance()).toBe(instance);
    const start = heapStart(instance);
    expect(start % 16).toBe(0);
    expect(start).toBeGreaterThanOrEqual(instance.exports.__heap_base.value as number);
    const view = reserve(instance, start + 5 * 65536 + 1);
    expect(instance.memory.buffer.byteLength).toBeGreaterThanOrEqual(start + 5 * 65536 + 1);
    expect(instance.memory.buffer.byteLength % 65536).toBe(0);
    expect(view.buffer).toBe(instance.memory.buffer);
    expect([align16(0), align16(1), align16(16), align16(17)]).toEqual([0, 16, 16, 32]);
  });
});
