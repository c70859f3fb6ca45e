import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { describe, expect, it, vi } from 'vitest';

// @ts-expect-error -- a plain .mjs script without types
import { buildModule, sha256, WASM_MODULES } from '../../../../../scripts/build-wasm-kernels.mjs';
import { trainingKernels } from './training-kernels.js';
import type * as loader from './training-kernels.js';
import { MODULE_BASE64, SOURCES_SHA256 } from './training-kernels.wasm.js';

function hasClang(): boolean {
  try {
    execFileSync('clang-14', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-ld-14', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the embedded training-kernels module', () => {
  it('was built from the C sources beside it', () => {
    expect(Object.keys(SOURCES_SHA256).sort()).toEqual(['conv2d-backprop-filter.c', 'conv2d-backprop-input.c']);
    for (const [name, hash] of Object.entries(SOURCES_SHA256)) {
      expect(sha256(readFileSync(new URL(`./${name}`, import.meta.url))), name).toBe(hash);
    }
  });

  // CI installs clang-14 and lld-14 (.ci/run), so there this compares the bytes.
  it.skipIf(!hasClang())('is byte for byte what scripts/build-wasm-kernels.mjs builds from them', () => {
    const module = (WASM_MODULES as { output: string }[]).find((m) => m.output.endsWith('/training-kernels.wasm.ts'));
    expect(buildModule(module)).toBe(readFileSync(new URL('./training-kernels.wasm.ts', import.meta.url), 'utf8'));
  });

  it('loads synchronously in Node, and asynchronously (as on a browser\'s main thread, which refuses modules over 4 KB) when asked first', async () => {
    expect(atob(MODULE_BASE64).length).toBeGreaterThan(4096); // why initBackend loads it asynchronously
    expect(trainingKernels()).not.toBeNull();
    vi.resetModules();
    const fresh = (await import('./training-kernels.js')) as typeof loader;
    const pending = fresh.loadTrainingKernels();
    expect(fresh.trainingKernels()).toBeNull(); // still compiling: callers take the tfjs-op forms
    await pending;
    const kernels = fresh.trainingKernels();
    expect(kernels).not.toBeNull();
    expect(kernels).not.toBe(trainingKernels());
  });
});
