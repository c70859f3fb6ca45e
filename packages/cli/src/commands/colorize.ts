import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import type { AbPredictor } from '@colorize/models';
import { readOnnxMetadata } from '@colorize/models/onnx';

import { collectImages, colorizePhoto, readPhoto, writePhoto } from '../images.js';
import type { CliIO } from '../io.js';
import { loadGenerator, resolveModelPath } from '../model-dir.js';
import { exportedEngine, loadOnnxRuntime, onnxFileEngine } from '../onnx-engine.js';
import { ProgressBar } from '../progress.js';
import { intFlag, UsageError } from '../usage-error.js';

export const COLORIZE_HELP = `Usage: colorize <images or folders…> [options]

Colorizes photos at full resolution: the model predicts a and b at the render size, which are
resized back and joined with each photo's own L, so every detail of the original stays.
JPEG, PNG and WebP; grey, RGB, RGBA (alpha kept), CMYK and 16-bit; EXIF orientation applied.

Options:
  -o, --out <dir>         output folder (default colorized); folders keep their structure
  --model <dir>           a model folder or a colorize train run (default: the shipped model)
  --render-size <px>      side the model runs at (default: the size it was trained at, else 256)
  --engine <name>         onnx | tfjs (default onnx): onnx runs the model in onnxruntime on
                          every core, exporting it once and caching the export beside the model
                          (model.<hash>.onnx); tfjs runs it on the tfjs backend. Same images.
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
  const outDir = resolve(values.out ?? 'colorized');
  const { jobs, errors } = await collectImages(positionals, outDir);
  for (const e of errors) io.err(`colorize: ${e}\n`);
  if (jobs.length === 0) return 1;
  await initBackend(values.backend === undefined ? {} : { backend: values.backend as BackendName });
  const engine = await openEngine(engineFlag, values.model, io);
  const renderSize = renderFlag ?? engine.trainedSize ?? 256;
  const bar = new ProgressBar(io.err, jobs.length, 'colorizing', jobs.length > 1 && Boolean((process.stderr as { isTTY?: boolean }).isTTY));
  let failed = errors.length;
  let done = 0;
  for (const job of jobs) {
    try {
      const photo = await readPhoto(job.input);
      const rgb = await colorizePhoto(photo, engine.generator, renderSize, engine.multiple);
      await mkdir(dirname(job.output), { recursive: true });
      await writePhoto(job.output, photo, rgb);
      done += 1;
      bar.update(done + failed - errors.length);
      if (jobs.length === 1) io.out(`${job.output}\n`);
    } catch (err) {
      failed += 1;
      bar.done();
      if (!ColorizeError.isInstance(err)) throw err;
      io.err(`colorize: ${err.message}\n`);
    }
  }
  bar.done();
  await engine.release();
  if (jobs.length > 1) io.out(`colorized ${done} of ${jobs.length} images into ${outDir}\n`);
  return failed > 0 ? 1 : 0;
}

interface Engine {
  generator: tfl.LayersModel | AbPredictor;
  trainedSize: number | undefined;
  multiple: number;
  release(): Promise<void>;
}

/** The engine `--engine` asks for; onnx falls back to tfjs, saying so, when onnxruntime-node is not installed. */
async function openEngine(name: 'onnx' | 'tfjs', modelFlag: string | undefined, io: CliIO): Promise<Engine> {
  const path = resolveModelPath(modelFlag);
  if (name === 'onnx') {
    const ort = await loadOnnxRuntime();
    if (typeof ort === 'string') {
      io.err(`colorize: ${ort}; colorizing with tfjs instead (--engine tfjs).\n`);
    } else if (path.endsWith('.onnx')) {
      const meta = readOnnxMetadata(new Uint8Array(await readFile(path).catch((err: Error) => {
        throw new ColorizeError('IO_ERROR', `--model: cannot read ${path} (${err.message})`, { cause: err });
      })));
      const e = await onnxFileEngine(ort, path);
      const info = (meta as { colorize?: { size?: number; depth?: number } } | undefined)?.colorize;
      return { generator: e.predictor, trainedSize: info?.size, multiple: 2 ** (info?.depth ?? 4), release: e.release };
    } else {
      const generator = await loadGenerator(modelFlag);
      try {
        const e = await exportedEngine(ort, generator);
        return { generator: e.predictor, trainedSize: generator.trainedSize, multiple: generator.multiple, release: e.release };
      } finally {
        generator.model.dispose();
      }
    }
  }
  const generator = await loadGenerator(modelFlag);
  return { generator: generator.model, trainedSize: generator.trainedSize, multiple: generator.multiple, release: async () => {
    generator.model.dispose();
  } };
}
