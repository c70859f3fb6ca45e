import { describe, expect, it, vi } from 'vitest';

import { itIsTheBuildOfItsSources } from '../../../../../scripts/embedded-module-tests.js';
import { trainingKernels } from './training-kernels.js';
import type * as loader from './training-kernels.js';
import { MODULE_BASE64, SOURCES_SHA256 } from './training-kernels.wasm.js';

describe('the embedded training-kernels module', () => {
  itIsTheBuildOfItsSources('packages/core/src/training/wasm/training-kernels.wasm.ts', SOURCES_SHA256);

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
