// The `colorize` command on a folder (issues #10 and #12): onnxruntime and tfjs wasm, one worker
// thread against one per core.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import sharp from 'sharp';

export const title = 'Colorizing a folder with the colorize command (@colorize/cli)';
export const description =
  'The built `colorize` command on a folder of 48 JPEGs of 1600 × 1200 (the shipped demo photos, resized) with the ' +
  'shipped model at render size 256, whole process, in rounds of every configuration in turn (so a slow spell of the ' +
  'shared machine falls on all of them alike). `-j 1` is one worker thread with a one-thread engine (libvips also held ' +
  'to one thread); "cores" is what the process may run on: the single-thread throughput is `-j 1` pinned to one core ' +
  '(`taskset -c 0`), since unpinned its garbage collector\'s helper threads, libuv\'s and the main thread\'s work take ' +
  'the idle second core (that row is shown too); `-j 2` is one worker per core. "steady photos/s" is the throughput ' +
  'once started, within each run: from the output files\' modification times, the photos done between the 2·jobs-th ' +
  'and the jobs-th from last, over the time between them, which leaves out start-up (loading tfjs and wasm, the model ' +
  'or its ONNX export, in every worker) and the end (where a worker may have nothing left to take). "vs one core" is ' +
  'the median over the rounds of each round\'s ratio to its own single-thread run, with the rounds\' range. Goal ' +
  '(issue #10): at least 1.8× the single-thread throughput on 2 cores. Per photo the work is decoding, the photo\'s L ' +
  'at 256 px (made only at the pixels the resize reads), the model at 256 px, then a band of rows at a time the ' +
  'photo\'s own L made from its bytes and joined with the model\'s ab, resized as it is read, back to sRGB ' +
  '(`recolorRgb8`: colorize\'s two WebAssembly SIMD kernels, so no full-size L is made) and encoding; every part runs ' +
  'in the worker that took the photo, ' +
  'each worker holds the next photo while more remain than workers, and it writes each photo (sharp encodes on a ' +
  'libuv thread) while it colorizes the next. onnxruntime runs the model about twice as ' +
  'fast as tfjs on wasm, which is what separates the engines. An earlier form of this benchmark took the steady rate ' +
  'as the difference of the median runs on 24 and on 48 photos; two runs of it on 2026-11-24 gave 2.16× and 1.66× ' +
  '(onnxruntime), 2.06× and 1.59× (tfjs wasm), a difference of two noisy times being noisier than either. This form ' +
  'gave 1.76× and 1.66× on 2026-11-25 before colorize stopped making a full-size L: a profile of one photo\'s stages ' +
  '(onnxruntime, 1600 × 1200, two worker threads of one process against one thread pinned to a core, 24 photos each, ' +
  'several pairs) had the memory-bound ones grow most beside a second worker, the full-resolution L by about 30 % and ' +
  'decoding and encoding by about 20 %, the model by about 9 % (two separate processes were not reliably faster than two threads). ' +
  'The photo\'s L is now made a band of rows at a time inside the join (7.7 MB less per photo, and no copy of it into a ' +
  'tfjs tensor), which took 10–15 ms off a photo on one core and most of the growth away. Three runs of 7 rounds then ' +
  'gave 1.87×, 1.81× and 1.83× (onnxruntime) and 1.88×, 1.90× and 1.72× (tfjs wasm): a median of 7 rounds moved by ' +
  'about ±0.1 from one run to the next, so the benchmark now takes 11 rounds. Its first run gave 1.83× (onnxruntime) ' +
  'and 1.74× (tfjs wasm); after wasm\'s `Concat` stopped making a typed-array view per row (about 12 ms less per ' +
  'photo on tfjs wasm; a profile of the model in two workers, bench/probes/tfjs-model-kernels.mjs, showed no kernel ' +
  'growing beyond the host\'s own swings), the next gave 1.80× and 1.77×, on a slower, noisier spell of the host: ' +
  'single-thread tfjs wasm runs pinned to either core moved from 3.2 to 4.0 photos/s, and the rounds\' ratios ' +
  'ranged from 1.52× to 2.06×. Each worker then began writing a photo while it colorizes the next (before, its model ' +
  'waited for sharp\'s encoder): in an A/B of 6 rounds of both builds in turn on 2026-12-07 (tfjs wasm), -j 2 rose ' +
  'over the same rounds\' pinned -j 1 from 1.82–1.90× to 1.87–2.00×, higher in every round, and this run, on a faster ' +
  'spell of the host than 2026-11-25\'s, gave 1.96× (onnxruntime) and 1.90× (tfjs wasm), every round at 1.83× or ' +
  'more. One worker unpinned now also gains from the second core (1.16× and 1.09×), where its encoder runs.';

const BIN = resolve('packages/cli/bin/colorize.js');

/** `count` 1600 × 1200 JPEGs made from the first 24 demo photos (also bench/probes/folder-photo-stages.mjs's input). */
export function makeFolder(dir, count, photos) {
  mkdirSync(dir, { recursive: true });
  const sources = readdirSync(photos).filter((f) => f.endsWith('.jpg')).slice(0, 24);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp(join(photos, sources[i % sources.length]))
        .resize(1600, 1200, { fit: 'fill' })
        .jpeg({ quality: 90 })
        .toFile(join(dir, `photo-${String(i).padStart(2, '0')}.jpg`)),
    ),
  );
}

/** Whether `taskset` (Linux util-linux) can pin a process to a core here. */
function canPin() {
  try {
    execFileSync('taskset', ['-c', '0', process.execPath, '-e', '0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * One run of the command with `args` (writing into `out`), pinned to core 0 when `pinned`: its seconds, and the steady
 * photos per second, from the output files' modification times (each is written when its photo
 * is done) between the photo done 2·jobs-th and the one done jobs-th from last, which leaves out
 * the start (loading tfjs and wasm, the model or its ONNX export, in every worker) and the end
 * (where a worker may have nothing left to take).
 */
function measure(args, pinned, out, jobs) {
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  if (pinned) execFileSync('taskset', ['-c', '0', process.execPath, BIN, ...args], { stdio: 'ignore' });
  else execFileSync(process.execPath, [BIN, ...args], { stdio: 'ignore' });
  const seconds = (performance.now() - t0) / 1000;
  const done = readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => Number(statSync(join(e.parentPath, e.name), { bigint: true }).mtimeNs) / 1e9)
    .sort((x, y) => x - y);
  const [a, b] = [2 * jobs - 1, done.length - jobs];
  return { seconds, steady: (b - a) / (done[b] - done[a]) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'colorize-folder-'));
  const rows = [];
  try {
    const photos = resolve('packages/train/demo-photos');
    const count = quick ? 8 : 48;
    const input = join(dir, 'in');
    await makeFolder(input, count, photos);
    const model = join(dir, 'model');
    cpSync(resolve('packages/cli/model'), model, { recursive: true, filter: (f) => !f.endsWith('.onnx') && !f.includes('training') });
    const runs = quick ? 1 : 11;
    const pin = canPin();
    const cores = Math.max(2, Math.min(cpus().length, 2));
    // One worker on one core (the single-thread throughput; unpinned where taskset is missing),
    // one worker with every core free, one worker per core.
    const configs = [{ jobs: 1, pinned: pin }, ...(pin && !quick ? [{ jobs: 1, pinned: false }] : []), { jobs: cores, pinned: false }];
    for (const engine of quick ? ['onnx'] : ['onnx', 'tfjs']) {
      const argsOf = (jobs) => {
        const args = [input, '-o', join(dir, 'out'), '--model', model, '--engine', engine, '-j', String(jobs), '--render-size', '256'];
        if (engine === 'tfjs') args.push('--backend', 'wasm');
        return args;
      };
      // Rounds of every configuration in turn, so that a slow spell of this shared machine falls on
      // all of them alike rather than on one configuration's runs; each round's ratio to the
      // round's single-thread run is kept, and the median ratio reported.
      const samples = configs.map(() => []);
      if (!quick) for (const { jobs, pinned } of configs) measure(argsOf(jobs), pinned, join(dir, 'out'), jobs); // warm: the ONNX export is cached, files are in the page cache
      for (let r = 0; r < runs; r += 1) {
        configs.forEach(({ jobs, pinned }, c) => samples[c].push(measure(argsOf(jobs), pinned, join(dir, 'out'), jobs)));
      }
      configs.forEach(({ jobs, pinned }, c) => {
        const baseline = c === 0;
        const seconds = samples[c].map((x) => x.seconds);
        const steady = samples[c].map((x) => x.steady);
        const ratios = samples[c].map((x, r) => x.steady / samples[0][r].steady);
        const row = {
          engine: engine === 'onnx' ? 'onnxruntime' : 'tfjs wasm',
          jobs,
          cores: pinned ? '1 (pinned)' : String(cpus().length),
          [`s for ${count} (min–max)`]: `${median(seconds).toFixed(2)} (${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)})`,
          'photos/s, whole run': (count / median(seconds)).toFixed(2),
          'steady photos/s (min–max)': `${median(steady).toFixed(2)} (${Math.min(...steady).toFixed(2)}–${Math.max(...steady).toFixed(2)})`,
          'vs one core, median of rounds (min–max)': baseline ? '1.00' : `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})${jobs > 1 ? ' (goal ≥ 1.8)' : ''}`,
        };
        log(Object.values(row).join(' | '));
        rows.push(row);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
