import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { ColorizeError, initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';

import { openEngine } from '../engine.js';
import { MAX_SIDE, shippedModelDir } from '../model-dir.js';
import { collectImages, colorizeFile } from '../images.js';
import type { ImageJob } from '../images.js';
import type { CliIO } from '../io.js';
import { colorizeOnPool, workerScript } from '../pool.js';
import { ProgressBar } from '../progress.js';
import { intFlag, numberFlag, UsageError } from '../usage-error.js';

export const COLORIZE_HELP = `Usage: colorize <images or folders…> [options]

Colorizes photos at full resolution: the model predicts a and b at the render size, which are
resized back and joined with each photo's own L, so every detail of the original stays.
JPEG, PNG and WebP; grey, RGB, RGBA (alpha kept), CMYK and 16-bit; EXIF orientation applied.

Options:
  -o, --out <dir>         output folder (default colorized); folders keep their structure
  --model <dir>           a model folder or a colorize train run (default: the shipped models,
                          the hint model for photos with hints and the automatic one for others)
  --render-size <px>      side the model runs at, at most 4096 (default: the size it was
                          trained at, else 256)
  --engine <name>         onnx | tfjs (default onnx): onnx runs the model in onnxruntime on
                          every core, exporting it once and caching the export beside the model
                          (model.<hash>.onnx); tfjs runs it on the tfjs backend. Same images.
  -j, --jobs <n>          photos colorized at once, each on its own worker thread with a
                          one-thread engine (default: one per core)
  --timeout <s>           seconds one photo may take in a folder before it is given up as
                          failed (default 120): a hostile file cannot stall the run
  --hints <file>          colour hints for the photo (one photo only): a JSON array of
                          { "x": 120, "y": 45, "color": "#a03020", "radius": 2 } in the photo's
                          own pixels (0-based, y down; radius in pixels, default 2); only the
                          colour's a, b are used. Any photo's <name>.hints.json beside it is
                          used by itself. Hints need a hint model (colorize train --hints)
  --backend <name>        tfjs backend: tensorflow | webgpu | wasm | cpu (default: the fastest
                          available); with the onnx engine it only resizes

Examples:
  colorize old-photo.jpg
  colorize scans/ -o colorized --render-size 256
  colorize photo.png --model runs/flowers/model
  colorize photo.png --model exported.onnx
  colorize scans/ --engine tfjs --backend wasm
`;

export async function colorizeCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      model: { type: 'string' },
      'render-size': { type: 'string' },
      backend: { type: 'string' },
      engine: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      timeout: { type: 'string' },
      hints: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(COLORIZE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one image or folder to colorize (see colorize --help).');
  const engineFlag = values.engine ?? 'onnx';
  if (engineFlag !== 'onnx' && engineFlag !== 'tfjs') throw new UsageError(`--engine: expected onnx or tfjs, got "${engineFlag}".`);
  const renderFlag = values['render-size'] === undefined ? undefined : intFlag('render-size', values['render-size'], 256, 16);
  if (renderFlag !== undefined && renderFlag > MAX_SIDE) throw new UsageError(`--render-size expects a side of at most ${MAX_SIDE} px, got ${renderFlag}.`);
  const outDir = resolve(values.out ?? 'colorized');
  const { jobs, errors } = await collectImages(positionals, outDir, values.hints === undefined ? undefined : resolve(values.hints));
  if (values.hints !== undefined && jobs.length > 1) throw new UsageError(`--hints is for one photo; for ${jobs.length}, put each photo's hints beside it as <name>.hints.json.`);
  for (const e of errors) io.err(`colorize: ${e}\n`);
  if (jobs.length === 0) return 1;
  const backend = values.backend as BackendName | undefined;
  await initBackend(backend === undefined ? {} : { backend });
  const workers = intFlag('jobs', values.jobs, availableParallelism(), 1);
  const timeoutSeconds = numberFlag('timeout', values.timeout, 120, 0.001);
  let failed = errors.length;
  let done = 0;
  const bar = new ProgressBar(io.err, jobs.length, 'colorizing', jobs.length > 1 && Boolean((process.stderr as { isTTY?: boolean }).isTTY));
  const report = (error: string | null): void => {
    if (error === null) {
      done += 1;
    } else {
      failed += 1;
      bar.done();
      io.err(`colorize: ${error}\n`);
    }
    bar.update(done + failed - errors.length);
  };
  const run: ColorizeRun = { engineFlag, backend, renderFlag, workers, timeoutSeconds, report, io, single: jobs.length === 1 };
  try {
    if (values.model !== undefined) {
      await colorizeJobs(jobs, values.model, run);
    } else {
      // The shipped models: the hint model for photos with hints, the automatic one for the rest.
      const plain = jobs.filter((j) => j.hints === undefined);
      const withHints = jobs.filter((j) => j.hints !== undefined);
      if (plain.length > 0) await colorizeJobs(plain, undefined, run);
      if (withHints.length > 0) await colorizeJobs(withHints, shippedModelDir('hint-model'), run);
    }
  } finally {
    bar.done();
  }
  const hinted = jobs.filter((j) => j.hints !== undefined).length;
  if (jobs.length > 1) io.out(`colorized ${done} of ${jobs.length} images${hinted > 0 ? ` (${hinted} with hints)` : ''} into ${outDir}\n`);
  return failed > 0 ? 1 : 0;
}

interface ColorizeRun {
  engineFlag: 'onnx' | 'tfjs';
  backend: BackendName | undefined;
  renderFlag: number | undefined;
  workers: number;
  timeoutSeconds: number;
  report: (error: string | null) => void;
  io: CliIO;
  /** The run's only photo: its output path is printed. */
  single: boolean;
}

/** Colorizes jobs with one model: one photo on one engine in this thread, several on a pool. */
async function colorizeJobs(jobs: ImageJob[], model: string | undefined, run: ColorizeRun): Promise<void> {
  // One photo: one engine in this thread (onnxruntime on every core). Several: a pool of
  // worker threads, each with its own one-thread engine, one photo each at a time.
  const script = jobs.length > 1 ? workerScript() : null;
  const engine = await openEngine(run.engineFlag, model, run.backend, run.io, script === null ? undefined : 1);
  const renderSize = run.renderFlag ?? engine.trainedSize ?? 256;
  try {
    if (script !== null) {
      // The workers open engines of their own; this one only found the model (and cached its
      // export), so it need not hold its session or weights while they run.
      await engine.release();
      await colorizeOnPool(jobs, { spec: engine.spec, trainedSize: engine.trainedSize, multiple: engine.multiple, renderSize, workers: run.workers, timeoutSeconds: run.timeoutSeconds, script, onResult: (_, error) => run.report(error) });
    } else {
      for (const job of jobs) {
        try {
          await colorizeFile(job, engine, renderSize);
          run.report(null);
          if (run.single) run.io.out(`${job.output}\n`);
        } catch (err) {
          if (!ColorizeError.isInstance(err)) throw err;
          run.report(err.message);
        }
      }
    }
  } finally {
    if (script === null) await engine.release();
  }
}
