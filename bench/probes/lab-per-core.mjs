// A probe, not a suite: times rgb8ToModelLab on a 1024 × 1024 image pinned to each core in turn
// (Linux `taskset`), to see how much the shared machine's cores differ from each other right now.
// A one-core benchmark gets whichever core it lands on. Usage: node bench/probes/lab-per-core.mjs
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

import { rgb8ToModelLab } from '@colorize/lab';

if (process.argv[2] === 'measure') {
  const bytes = new Uint8Array(1024 * 1024 * 3);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 2654435761) >>> 24;
  const out = rgb8ToModelLab(bytes);
  const ms = [];
  for (let r = 0; r < 40; r += 1) {
    const t0 = performance.now();
    rgb8ToModelLab(bytes, {}, out);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`min ${ms[0].toFixed(1)} ms, median ${ms[20].toFixed(1)} ms`);
} else {
  for (let round = 0; round < 2; round += 1) {
    for (let core = 0; core < availableParallelism(); core += 1) {
      const line = execFileSync('taskset', ['-c', String(core), process.execPath, fileURLToPath(import.meta.url), 'measure'], { encoding: 'utf8' }).trim();
      console.log(`core ${core}: ${line}`);
    }
  }
}
