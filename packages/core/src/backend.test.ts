import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { BACKEND_NAMES, DEFAULT_BACKEND_ORDER, initBackend } from './backend.js';
import { WASM_TRAINING_KERNELS } from './training/wasm-kernels.js';
import { rejection } from '../../../scripts/test-utils.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('initBackend', () => {
  it('starts cpu when asked for, and really switches tfjs to it', async () => {
    expect(await initBackend({ backend: 'cpu', env: {} })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(Array.from(await tf.add(tf.scalar(1), tf.scalar(2)).data())).toEqual([3]);
  });

  it('starts wasm when asked for, with colorize\'s training kernels in place of tfjs\'s', async () => {
    // This file does not import the wasm package itself: initBackend does, and importing it
    // registers tfjs's kernels, so training support must be registered after that.
    expect(await initBackend({ backend: 'wasm', env: {} })).toBe('wasm');
    for (const [name, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc, name).toBe(kernelFunc);
    }
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.conv2d(tf.ones([1, 5, 5, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(await y.data())).toEqual(Array(9).fill(18));
  });

  it('picks the first of tensorflow → webgpu → wasm → cpu that starts when nothing is asked', async () => {
    expect(DEFAULT_BACKEND_ORDER).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    // Here tfjs-node is not installed and Node has no WebGPU adapter, so wasm is first.
    expect(await initBackend({ env: {} })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('honours COLORIZE_BACKEND, from the env option and from process.env', async () => {
    expect(await initBackend({ env: { COLORIZE_BACKEND: 'cpu' } })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    vi.stubEnv('COLORIZE_BACKEND', 'wasm');
    expect(await initBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    vi.stubEnv('COLORIZE_BACKEND', 'cpu');
    expect(await initBackend({ backend: 'wasm' })).toBe('wasm'); // the option wins over the variable
  });

  it('throws BACKEND_UNAVAILABLE with the reason, and stays where it was, when the asked-for backend cannot start', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const warn = vi.spyOn(console, 'warn');
    const tensorflow = await rejection(initBackend({ backend: 'tensorflow', env: {} }));
    expect(tensorflow.code).toBe('BACKEND_UNAVAILABLE');
    expect(tensorflow.message).toMatch(/^initBackend: backend "tensorflow" cannot start here: @tensorflow\/tfjs-node-gpu is not installed/);
    expect(tensorflow.message).toMatch(/@tensorflow\/tfjs-node is not installed/);

    const webgpu = await rejection(initBackend({ backend: 'webgpu', env: {} }));
    expect(webgpu.code).toBe('BACKEND_UNAVAILABLE');
    expect(webgpu.message).toMatch(/navigator\.gpu is not defined/);

    const webgl = await rejection(initBackend({ env: { COLORIZE_BACKEND: 'webgl' } }));
    expect(webgl.code).toBe('BACKEND_UNAVAILABLE');
    // Installed here for the browser demo; in Node it declines to register.
    expect(webgl.message).toMatch(/@tensorflow\/tfjs-backend-webgl registers WebGL only in a browser/);

    expect(tf.getBackend()).toBe('cpu'); // no silent fallback, no switch
    expect(warn).not.toHaveBeenCalled();
  });

  it('asks WebGPU for an adapter, and reports a missing one', async () => {
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => null } });
    const err = await rejection(initBackend({ backend: 'webgpu', env: {} }));
    expect(err.message).toMatch(/requestAdapter\(\) returned null/);
    vi.unstubAllGlobals();
  });

  it('rejects unknown backend names, listing the valid ones', async () => {
    const fromOption = await rejection(initBackend({ backend: 'gpu' as never }));
    expect(fromOption.code).toBe('INVALID_OPTION');
    expect(fromOption.message).toBe(`initBackend: expected backend to be one of ${BACKEND_NAMES.join(', ')}, got "gpu".`);
    const fromEnv = await rejection(initBackend({ env: { COLORIZE_BACKEND: 'cuda' } }));
    expect(fromEnv.message).toMatch(/expected COLORIZE_BACKEND to be one of .*, got "cuda"\.$/);
    const unknownOption = await rejection(initBackend({ backends: 'cpu' } as never));
    expect(unknownOption.message).toBe('initBackend: expected an option among backend, wasmPaths, wasmThreads, env, got "backends".');
  });
});
