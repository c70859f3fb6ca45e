import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

// @ts-expect-error -- a plain .mjs script without types
import { buildModule, sha256, WASM_MODULES } from './build-wasm-kernels.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function hasClang(): boolean {
  try {
    execFileSync('clang-14', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-ld-14', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The tests every embedded WebAssembly module gets (inside a describe): it was built from the C
 * sources beside it, by their sha256 everywhere and byte for byte where clang-14 is installed
 * (CI installs it: .ci/run).
 *
 * @param output - the generated file, relative to the repository root, as in WASM_MODULES.
 * @param sourcesSha256 - that file's SOURCES_SHA256.
 */
export function itIsTheBuildOfItsSources(output: string, sourcesSha256: Readonly<Record<string, string>>): void {
  const module = (WASM_MODULES as { output: string; sources: string[] }[]).find((m) => m.output === output)!;
  const dir = output.slice(0, output.lastIndexOf('/'));

  it('was built from the C sources beside it', () => {
    expect(module, `${output} in scripts/build-wasm-kernels.mjs`).toBeDefined();
    expect(Object.keys(sourcesSha256).sort()).toEqual(module.sources.map((s) => s.split('/').pop()).sort());
    for (const [name, hash] of Object.entries(sourcesSha256)) {
      expect(sha256(readFileSync(join(root, dir, name))), name).toBe(hash);
    }
  });

  it.skipIf(!hasClang())('is byte for byte what scripts/build-wasm-kernels.mjs builds from them', () => {
    expect(buildModule(module)).toBe(readFileSync(join(root, output), 'utf8'));
  });
}

/**
 * The test of a module a browser's main thread uses at once (inside a describe): at most 4 KB,
 * the most Chromium compiles synchronously there, so `EmbeddedModule` loads it on first use
 * instead of in the background; and `load()` (the module's kernel getter) gives its kernel here.
 *
 * @param moduleBase64 - the generated file's MODULE_BASE64.
 * @param load - returns the kernel, or null where the module did not load.
 */
export function itLoadsOnABrowsersMainThread(moduleBase64: string, load: () => unknown): void {
  it('is small enough (≤ 4 KB) for a browser\'s main thread to compile synchronously, so it loads on first use there too', () => {
    expect(atob(moduleBase64).length).toBeLessThanOrEqual(4096);
    expect(load()).not.toBeNull();
  });
}
