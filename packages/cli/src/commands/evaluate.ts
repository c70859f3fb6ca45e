import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { colorfulness, fileSystem, initBackend, psnr, ssim } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import { abGamutBins, colorize } from '@colorize/lab';
import { generatorInChannels, hintModelInput, rasterizeHints, setAnnealingTemperature, setClassBias } from '@colorize/models';
import { abClassWeights, hintSeed, revealHints } from '@colorize/train';
import type { Split } from '@colorize/train';

import { openData } from '../data-source.js';
import type { CliIO } from '../io.js';
import { loadGenerator, shippedModelDir } from '../model-dir.js';
import type { LoadedGenerator } from '../model-dir.js';
import { intFlag, numberFlag, UsageError } from '../usage-error.js';

export const EVAL_HELP = `Usage: colorize eval --data <demo|folder> [options]

Measures a model on a split of a dataset: PSNR, SSIM and colorfulness (Hasler–Süsstrunk) per
image and their means, always beside the grey baseline (the same L with a = b = 0) and the
originals, on the same images, in RGB.

Options:
  --data <what>           demo (the shipped photos) or a folder of photos
  --model <dir>           a model folder or a colorize train run (default: the shipped model)
  --split <name>          train | validation | test | all (default test)
  --size <px>             image side (default: the size the model was trained at, else 128)
  --seed <n>              the split's seed (default 0, as colorize train)
  --temperature <T>       a model with a classification head (train --reconstruction
                          classification): decode at this annealed-mean temperature in (0, 1]
                          instead of the model's own, to choose one on validation photos
  --rebalance <λ>         a classification model: rebalance its colour classes when decoding
                          (logit adjustment): add log w to its logits, w the weights that
                          train --rebalance λ would have trained with, from the training
                          photos' colour frequencies kept in the model; 1 for none. Lower is
                          more colourful; a model trained with --rebalance 1 can so be tried
                          at several λ on validation photos without training again
  --hints <N[,N…]>        a hint model (train --hints): reveal N hints of each photo's real
                          colours (points uniform over the photo, seeded by its file name and
                          N; each the mean sRGB of the 5×5 pixels there) to the model, which
                          sees the grey photo; one report per N (e.g. 0,1,2,5,10,20,50,100);
                          without --model, the shipped hint model
  --save <dir>            write the model, decoding at the --temperature and --rebalance given
                          (as trained otherwise), to <dir>, a model folder for colorize --model
  --backend <name>        tensorflow | webgpu | wasm | cpu (default: the fastest available)
  --json                  print JSON instead of a table

Examples:
  colorize eval --data demo
  colorize eval --model runs/mine --data ~/photos --split validation --json
  colorize eval --model runs/classes --data demo --split validation --temperature 0.3
  colorize eval --model runs/classes --data demo --split validation --rebalance 0.9 --save runs/classes-0.9
  colorize eval --model runs/hints --data demo --hints 0,1,2,5,10,20,50,100
`;

export interface EvalRow {
  file: string;
  psnr: number;
  greyPsnr: number;
  ssim: number;
  greySsim: number;
  colorfulness: number;
  realColorfulness: number;
}

export interface EvalReport {
  model: string;
  /** The classification head's decoding, where --temperature or --rebalance changed it. */
  temperature?: number;
  rebalance?: number;
  /** Hints revealed to a hint model per photo (absent: none given). */
  hints?: number;
  data: string;
  split: Split;
  size: number;
  images: EvalRow[];
  mean: Omit<EvalRow, 'file'>;
}

/** Sets a classification model's decoding as --temperature and --rebalance ask, in place. */
function setDecoding(model: tfl.LayersModel, from: LoadedGenerator, options: { temperature?: number; rebalance?: number }): void {
  const classifier = model.layers.some((l) => l.name === 'head_temperature');
  for (const flag of ['temperature', 'rebalance'] as const) {
    if (options[flag] !== undefined && !classifier) throw new UsageError(`--${flag} needs a model with a classification head (colorize train --reconstruction classification).`);
  }
  if (options.temperature !== undefined) setAnnealingTemperature(model, options.temperature);
  if (options.rebalance !== undefined) {
    if (!from.classPrior) throw new UsageError(`--rebalance needs the training photos' colour frequencies, which colorize train keeps in the models it writes; ${from.jsonPath} has none.`);
    const { centres } = abGamutBins();
    setClassBias(model, abClassWeights(from.classPrior, centres, { rebalance: options.rebalance }).map(Math.log));
  }
}

/**
 * Writes the generator's model to `out` with the decoding --temperature and --rebalance chose, as
 * trained otherwise (its norms not folded), for `colorize --model out`.
 */
async function saveDecoding(from: LoadedGenerator, out: string, options: { temperature?: number; rebalance?: number }): Promise<void> {
  const model = await tfl.loadLayersModel(fileSystem(from.path));
  try {
    setDecoding(model, from, options);
    await model.save(fileSystem(out));
  } finally {
    model.dispose();
  }
}

/**
 * Runs the evaluation; shared by `eval` and `demo`. With `save`, also writes the model as it
 * decoded (`saveDecoding`).
 */
export async function evaluateModel(options: { model?: string; data: string; split: Split; size?: number; seed: number; temperature?: number; rebalance?: number; save?: string; hints?: number }): Promise<{ report: EvalReport; grid: { L: tf.Tensor4D; ab: tf.Tensor4D; pred: tf.Tensor4D; hints?: tf.Tensor4D } }> {
  const generator = await loadGenerator(options.model);
  setDecoding(generator.model, generator, options);
  const inChannels = generatorInChannels(generator.model);
  const hintModel = inChannels > 1;
  if (options.hints !== undefined && !hintModel) {
    generator.model.dispose();
    throw new UsageError(`--hints needs a hint model (colorize train --hints); ${generator.jsonPath} colorizes from L alone.`);
  }
  const size = options.size ?? generator.trainedSize ?? 128;
  const data = await openData(options.data, { split: options.split, size, seed: options.seed, batchSize: 64, shuffle: false, flip: false });
  const rows: EvalRow[] = [];
  const Ls: tf.Tensor4D[] = [];
  const abs: tf.Tensor4D[] = [];
  const preds: tf.Tensor4D[] = [];
  const hintParts: tf.Tensor4D[] = [];
  for await (const batch of data.batches(0)) {
    const input = hintModel ? await hintInput(batch.L, batch.ab, data.files.slice(rows.length), options.hints ?? 0, inChannels) : batch.L;
    const pred = generator.model.predict(input) as tf.Tensor4D;
    if (input !== batch.L) {
      hintParts.push(tf.slice(input, [0, 0, 0, 1], [-1, -1, -1, 3]));
      input.dispose();
    }
    const [rgb, real, grey] = tf.tidy(() => [colorize(batch.L, pred), colorize(batch.L, batch.ab), colorize(batch.L, tf.zerosLike(batch.ab))]);
    const metrics = {
      psnr: await psnr(rgb, real, { dataRange: 1 }),
      greyPsnr: await psnr(grey, real, { dataRange: 1 }),
      ssim: await ssim(rgb, real, { dataRange: 1 }),
      greySsim: await ssim(grey, real, { dataRange: 1 }),
      colorfulness: await colorfulness(rgb, { dataRange: 1 }),
      realColorfulness: await colorfulness(real, { dataRange: 1 }),
    };
    metrics.psnr.perImage.forEach((_, i) => {
      rows.push({
        file: data.files[rows.length]!,
        ...(Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, m.perImage[i]!])) as Omit<EvalRow, 'file'>),
      });
    });
    tf.dispose([rgb, real, grey]);
    Ls.push(batch.L);
    abs.push(batch.ab);
    preds.push(pred);
  }
  const keys = ['psnr', 'greyPsnr', 'ssim', 'greySsim', 'colorfulness', 'realColorfulness'] as const;
  const mean = Object.fromEntries(keys.map((k) => [k, rows.reduce((s, r) => s + r[k], 0) / rows.length])) as Omit<EvalRow, 'file'>;
  const grid = tf.tidy(() => ({ L: tf.concat(Ls) as tf.Tensor4D, ab: tf.concat(abs) as tf.Tensor4D, pred: tf.concat(preds) as tf.Tensor4D, ...(hintParts.length > 0 ? { hints: tf.concat(hintParts) as tf.Tensor4D } : {}) }));
  tf.dispose([...Ls, ...abs, ...preds, ...hintParts]);
  generator.model.dispose();
  if (options.save !== undefined) await saveDecoding(generator, options.save, options);
  const decoding = { ...(options.temperature === undefined ? {} : { temperature: options.temperature }), ...(options.rebalance === undefined ? {} : { rebalance: options.rebalance }) };
  return { report: { model: generator.path, ...decoding, ...(options.hints === undefined ? {} : { hints: options.hints }), data: options.data, split: options.split, size, images: rows, mean }, grid };
}

/**
 * A hint model's input for a batch: `[L, hint a, hint b, mask]` with `count` hints revealed from
 * each image's real colours (`revealHints`, seeded by its file name and the count).
 */
async function hintInput(L: tf.Tensor4D, ab: tf.Tensor4D, files: readonly string[], count: number, inChannels: number): Promise<tf.Tensor4D> {
  const [n, h, w] = L.shape;
  const rgb = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(colorize(L, ab), 0, 1), 255)));
  const bytes = Uint8Array.from(await rgb.data());
  rgb.dispose();
  const l = (await L.data()) as Float32Array;
  const input = new Float32Array(n * h * w * inChannels);
  for (let i = 0; i < n; i += 1) {
    const image = { width: w, height: h, data: bytes.subarray(i * h * w * 3, (i + 1) * h * w * 3) };
    const name = files[i]!.split(/[\\/]/).pop()!;
    const hints = rasterizeHints(revealHints(image, count, { seed: hintSeed(name, count) }), image, h);
    input.set(hintModelInput(l.subarray(i * h * w, (i + 1) * h * w), hints, h, w, inChannels), i * h * w * inChannels);
  }
  return tf.tensor4d(input, [n, h, w, inChannels]);
}

export function formatReport(r: EvalReport): string {
  const name = (f: string) => f.split(/[\\/]/).pop()!;
  const width = Math.max(5, ...r.images.map((row) => name(row.file).length));
  const line = (file: string, x: Omit<EvalRow, 'file'>) =>
    `${file.padEnd(width)}  ${x.psnr.toFixed(2).padStart(6)}  ${x.greyPsnr.toFixed(2).padStart(6)}  ${x.ssim.toFixed(3)}  ${x.greySsim.toFixed(3)}  ${x.colorfulness.toFixed(1).padStart(5)}  ${x.realColorfulness.toFixed(1).padStart(5)}\n`;
  const decoding = [r.temperature === undefined ? '' : `temperature ${r.temperature}`, r.rebalance === undefined ? '' : `rebalance ${r.rebalance}`].filter(Boolean).join(', ');
  let out = `model ${r.model}${decoding ? ` (decoded at ${decoding})` : ''}${r.hints === undefined ? '' : `, ${r.hints} hints per photo`}\ndata ${r.data}, split ${r.split}, ${r.images.length} images at ${r.size} px\n\n`;
  out += `${'image'.padEnd(width)}  ${'PSNR'.padStart(6)}  ${'grey'.padStart(6)}  SSIM   grey   color  real\n`;
  for (const row of r.images) out += line(name(row.file), row);
  out += line('mean', r.mean);
  const m = r.mean;
  out += `\nPSNR ${m.psnr.toFixed(2)} dB against the grey baseline's ${m.greyPsnr.toFixed(2)} dB (${m.psnr - m.greyPsnr >= 0 ? '+' : ''}${(m.psnr - m.greyPsnr).toFixed(2)} dB); colorfulness ${((100 * m.colorfulness) / m.realColorfulness).toFixed(0)} % of the originals'.\n`;
  return out;
}

export async function evalCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      model: { type: 'string' },
      split: { type: 'string' },
      size: { type: 'string' },
      seed: { type: 'string' },
      temperature: { type: 'string' },
      rebalance: { type: 'string' },
      save: { type: 'string' },
      hints: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(EVAL_HELP);
    return 0;
  }
  if (values.data === undefined) throw new UsageError('--data is required: demo or a folder of photos.');
  const split = (values.split ?? 'test') as Split;
  if (!['train', 'validation', 'test', 'all'].includes(split)) throw new UsageError(`--split expects train, validation, test or all, got "${split}".`);
  await initBackend(values.backend === undefined ? {} : { backend: values.backend as BackendName });
  const size = values.size === undefined ? undefined : intFlag('size', values.size, 128, 16);
  const temperature = values.temperature === undefined ? undefined : numberFlag('temperature', values.temperature, 1);
  if (temperature !== undefined && !(temperature > 0 && temperature <= 1)) throw new UsageError(`--temperature expects a number in (0, 1], got "${values.temperature}".`);
  const rebalance = values.rebalance === undefined ? undefined : numberFlag('rebalance', values.rebalance, 1);
  if (rebalance !== undefined && !(rebalance >= 0 && rebalance <= 1)) throw new UsageError(`--rebalance expects λ in [0, 1], got "${values.rebalance}".`);
  if (values.save !== undefined && temperature === undefined && rebalance === undefined) throw new UsageError('--save writes the model decoding as --temperature and --rebalance set it; give one of them.');
  const hintCounts = values.hints === undefined ? [undefined] : parseHintCounts(values.hints);
  if (values.save !== undefined && values.hints !== undefined) throw new UsageError('--save and --hints are separate evaluations; give one of them.');
  const reports: EvalReport[] = [];
  for (const hints of hintCounts) {
    const { report, grid } = await evaluateModel({
      // Without --model: the shipped hint model for --hints, else the shipped automatic one.
      ...(values.model ? { model: values.model } : hints !== undefined ? { model: shippedModelDir('hint-model') } : {}),
      data: values.data,
      split,
      ...(size ? { size } : {}),
      seed: intFlag('seed', values.seed, 0, 0),
      ...(temperature === undefined ? {} : { temperature }),
      ...(rebalance === undefined ? {} : { rebalance }),
      ...(values.save === undefined ? {} : { save: values.save }),
      ...(hints === undefined ? {} : { hints }),
    });
    tf.dispose([grid.L, grid.ab, grid.pred, ...(grid.hints ? [grid.hints] : [])]);
    reports.push(report);
  }
  if (values.json) io.out(`${JSON.stringify(values.hints === undefined ? reports[0] : reports, null, 2)}\n`);
  else if (reports.length === 1) io.out(formatReport(reports[0]!));
  else io.out(formatHintSummary(reports));
  if (values.save !== undefined) io.err(`colorize eval: wrote the model, decoding as evaluated, to ${values.save}\n`);
  return 0;
}

/** `--hints`: counts of hints, each an integer ≥ 0, comma-separated. */
function parseHintCounts(value: string): number[] {
  const counts = value.split(',').map((v) => Number(v.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 0 || n > 10_000)) {
    throw new UsageError(`--hints expects counts of hints per photo, integers in [0, 10000] separated by commas (e.g. 0,1,10), got "${value}".`);
  }
  return counts;
}

/** One line per hint count: PSNR beside the grey baseline, and colorfulness. */
export function formatHintSummary(reports: readonly EvalReport[]): string {
  const r = reports[0]!;
  let out = `model ${r.model}\ndata ${r.data}, split ${r.split}, ${r.images.length} images at ${r.size} px; hints revealed from the real colours\n\n`;
  out += 'hints    PSNR    grey   difference  colorfulness\n';
  for (const x of reports) {
    const m = x.mean;
    const d = m.psnr - m.greyPsnr;
    out += `${String(x.hints ?? 0).padStart(5)}  ${m.psnr.toFixed(2).padStart(6)}  ${m.greyPsnr.toFixed(2).padStart(6)}  ${`${d >= 0 ? '+' : ''}${d.toFixed(2)} dB`.padStart(10)}  ${`${((100 * m.colorfulness) / m.realColorfulness).toFixed(0)} %`.padStart(12)}\n`;
  }
  return out;
}
