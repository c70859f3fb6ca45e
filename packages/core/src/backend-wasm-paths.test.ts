import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';

import { initBackend } from './backend.js';
import { rejection } from '../../../scripts/test-utils.js';

// Its own file: wasm can be initialised once per process, and these must come before any success.
describe('initBackend with a wrong wasm path', () => {
  it('names a .wasm file that does not exist', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const err = await rejection(initBackend({ backend: 'wasm', wasmPaths: '/nonexistent/tfjs-wasm/', env: {} }));
    expect(err.code).toBe('BACKEND_UNAVAILABLE');
    expect(err.message).toBe(
      'initBackend: backend "wasm" cannot start here: wasmPaths names /nonexistent/tfjs-wasm/tfjs-backend-wasm.wasm, which does not exist.',
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('checks the boolean of tf.setBackend: files that exist but do not load throw instead of silently staying on cpu', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colorize-wasm-'));
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      await writeFile(join(dir, f), 'not wasm');
    }
    const warn = vi.spyOn(console, 'warn');
    const err = await rejection(initBackend({ backend: 'wasm', wasmPaths: `${dir}/`, env: {} }));
    expect(err.code).toBe('BACKEND_UNAVAILABLE');
    expect(err.message).toMatch(/^initBackend: backend "wasm" cannot start here: tf\.setBackend\("wasm"\) returned false: .+/);
    expect(tf.getBackend()).toBe('cpu');
    // tfjs's own "Initialization of backend wasm failed" is muted; what emscripten itself prints
    // about the broken binary ("failed to asynchronously prepare wasm") is out of our hands.
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/Initialization of backend/);
  });
});
