import { describe, expect, it } from 'vitest';

import { MODULE_BASE64 } from '../training/wasm/training-kernels.wasm.js';
import { align16, EmbeddedModule, heapStart, memoryImport, reserve } from './embedded-module.js';
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

  it('reads the memory a module imports, and gives a module linked with a shared memory a shared one where asked, else unshares it', () => {
    const bytes = Uint8Array.from(atob(MODULE_BASE64), (ch) => ch.charCodeAt(0));
    // The training kernels are linked with a shared memory of at most 4 GiB (scripts/build-wasm-kernels.mjs).
    const limits = memoryImport(bytes)!;
    expect(limits.flags).toBe(3);
    expect(limits.maximum).toBe(65536);
    expect(limits.initial).toBeGreaterThanOrEqual(2);
    expect(bytes[limits.flagsAt]).toBe(3);

    const shared = new EmbeddedModule<EmbeddedExports>(MODULE_BASE64).instance()!;
    expect(shared.shared).toBe(true);
    expect(shared.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.memory.buffer.byteLength).toBe(limits.initial * 65536);
    const unshared = new EmbeddedModule<EmbeddedExports>(MODULE_BASE64, false).instance()!;
    expect(unshared.shared).toBe(false);
    expect(unshared.memory.buffer).toBeInstanceOf(ArrayBuffer);
    // Growing works on both, up to the linked maximum.
    for (const instance of [shared, unshared]) expect(reserve(instance, 40 * 65536).length).toBeGreaterThanOrEqual(10 * 65536);
  });

  it('finds no memory import in a module without one', () => {
    expect(memoryImport(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBeNull();
    // An import section with one function import (type 0) and no memory.
    const section = [1, 3, 0x65, 0x6e, 0x76, 1, 0x66, 0, 0];
    expect(memoryImport(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, section.length, ...section]))).toBeNull();
  });
});
