import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

// The built packages in plain Node, as users import them. `npm test` builds first.
describe('built packages', () => {
  it('are built (run `npm run build` first)', () => {
    for (const p of ['core', 'lab', 'models', 'train', 'cli']) {
      expect(existsSync(`packages/${p}/dist/index.js`), `packages/${p}/dist/index.js`).toBe(true);
      expect(existsSync(`packages/${p}/dist/index.cjs`), `packages/${p}/dist/index.cjs`).toBe(true);
    }
  });

  it('import from an ESM script in plain Node', () => {
    expect(execFileSync(process.execPath, ['scripts/smoke/esm.mjs'], { encoding: 'utf8' })).toMatch(/^esm ok: wasm/);
  });

  it('require from a CJS script in plain Node, and exit by itself after running wasm on two threads', () => {
    // A timeout, not a hang, if the wasm thread pool kept the process alive.
    const out = execFileSync(process.execPath, ['scripts/smoke/cjs.cjs'], { encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/^cjs ok: cpu, .* 2 replicas, wasm threads 2$/m);
  });

  it('run the colorize binary', () => {
    const out = execFileSync(process.execPath, ['packages/cli/bin/colorize.js', 'backends'], { encoding: 'utf8' });
    expect(out).toMatch(/^wasm\s+yes$/m);
  });
});
