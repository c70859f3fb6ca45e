import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { ColorizeError, initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';

import { collectImages, colorizePhoto, readPhoto, writePhoto } from '../images.js';
import type { CliIO } from '../io.js';
import { loadGenerator } from '../model-dir.js';
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
  --backend <name>        tensorflow | webgpu | wasm | cpu (default: the fastest available)

Examples:
  colorize old-photo.jpg
  colorize scans/ -o colorized --render-size 256
  colorize photo.png --model runs/flowers/model
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(COLORIZE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one image or folder to colorize (see colorize --help).');
  const renderFlag = values['render-size'] === undefined ? undefined : intFlag('render-size', values['render-size'], 256, 16);
  const outDir = resolve(values.out ?? 'colorized');
  const { jobs, errors } = await collectImages(positionals, outDir);
  for (const e of errors) io.err(`colorize: ${e}\n`);
  if (jobs.length === 0) return 1;
  await initBackend(values.backend === undefined ? {} : { backend: values.backend as BackendName });
  const generator = await loadGenerator(values.model);
  const renderSize = renderFlag ?? generator.trainedSize ?? 256;
  const bar = new ProgressBar(io.err, jobs.length, 'colorizing', jobs.length > 1 && Boolean((process.stderr as { isTTY?: boolean }).isTTY));
  let failed = errors.length;
  let done = 0;
  for (const job of jobs) {
    try {
      const photo = await readPhoto(job.input);
      const rgb = await colorizePhoto(photo, generator, renderSize);
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
  generator.model.dispose();
  if (jobs.length > 1) io.out(`colorized ${done} of ${jobs.length} images into ${outDir}\n`);
  return failed > 0 ? 1 : 0;
}
