import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';

import { run } from './run.js';

function buffered(): { io: { out: (t: string) => void; err: (t: string) => void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t) }, out: () => out, err: () => err };
}

describe('colorize', () => {
  it('prints help and the version', async () => {
    const b = buffered();
    expect(await run(['--help'], b.io)).toBe(0);
    expect(b.out()).toMatch(/^colorize 0\.1\.0: /);
    expect(b.out()).toMatch(/colorize backends/);
    const v = buffered();
    expect(await run(['--version'], v.io)).toBe(0);
    expect(v.out()).toBe('0.1.0\n');
  });

  it('reports which backends start here: wasm and cpu yes, tfjs-node and WebGPU no, with reasons', async () => {
    const b = buffered();
    expect(await run(['backends', '--json'], b.io)).toBe(0);
    const reports = JSON.parse(b.out()) as { backend: string; available: boolean; reason?: string }[];
    const byName = Object.fromEntries(reports.map((r) => [r.backend, r]));
    expect(byName['wasm']?.available).toBe(true);
    expect(byName['cpu']?.available).toBe(true);
    expect(byName['tensorflow']?.available).toBe(false);
    expect(byName['tensorflow']?.reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    expect(byName['webgpu']?.reason).toMatch(/navigator\.gpu is not defined/);
    const table = buffered();
    expect(await run(['backends'], table.io)).toBe(0);
    expect(table.out()).toMatch(/^wasm\s+yes$/m);
  });

  it('exits 2 with help on an unknown option; anything else is a photo to colorize', async () => {
    const b = buffered();
    expect(await run(['--paint'], b.io)).toBe(2);
    expect(b.err()).toMatch(/^colorize: unknown option "--paint"\./);
    const p = buffered();
    expect(await run(['paint'], p.io)).toBe(1);
    expect(p.err()).toBe('colorize: paint: no such file or folder\n');
    const o = buffered();
    expect(await run(['backends', '--jsn'], o.io)).toBe(2);
    expect(o.err()).toMatch(/^colorize: Unknown option '--jsn'/);
  });
});
