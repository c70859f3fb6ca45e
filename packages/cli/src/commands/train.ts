import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, fileSystem, initBackend, writeFileAtomic } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { abGamutBins } from '@colorize/lab';
import { ADAM_DEFAULTS, abClassPrior, abClassWeights, createL1Trainer, createWganGpTrainer, deriveSeed, fileCheckpoints, startWorkerReplicas, withSimulatedHints } from '@colorize/train';
import type { GradientReplicas, LabBatch, SampleGrid, Trainer, TrainingCallbacks } from '@colorize/train';
import sharp from 'sharp';

import { openData } from '../data-source.js';
import type { CliIO } from '../io.js';
import { formatSeconds, ProgressBar } from '../progress.js';
import { acquireRunLock } from '../run-lock.js';
import { intFlag, numberFlag, UsageError } from '../usage-error.js';

export const TRAIN_HELP = `Usage: colorize train --data <demo|flowers102|folder|archive> [options]

Trains the seed's model: L1 pretraining of the U-Net, then WGAN-GP with a PatchGAN critic
(critic once, generator twice per batch). Writes to --out: config.json, log.jsonl, a sample
grid per epoch (samples/*.png: grey / colorized / real rows), checkpoints/ and model/ (the
generator, for colorize --model). Ctrl-C saves a checkpoint and exits; --resume continues.

Options:
  --data <what>           demo (the shipped photos), flowers102, a folder, or a .tgz archive
  --extra-train <dir>     more photos for the training split only; validation and test stay
                          --data's own held-out photos
  --out <dir>             run folder (default runs/<data>-<size>)
  --size <px>             training image side (default 128)
  --epochs <n>            WGAN-GP epochs (default 110)
  --pretrain-epochs <n>   L1 pretraining epochs first (default 5)
  --batch <n>             batch size (default 16)
  --base <n>              U-Net and critic base width (default 64)
  --depth <n>             U-Net depth (default 4)
  --upsample <how>        transpose | bilinear (default transpose)
  --l1-weight <x>         λ_L1, the reconstruction term's weight in the generator loss (default 100)
  --critic-steps <n>      critic updates per batch in WGAN-GP (default 1, the seed's)
  --critic-norm <norm>    instance (the seed's) or none: the critic's normalisation after its
                          first block (default instance)
  --average <decay>       keep a moving average of the generator's weights in WGAN-GP, updated
                          after each generator update with this decay (0.99: about the last
                          100 updates), and validate, sample and save it; 0: none (default 0,
                          the seed's)
  --reconstruction <loss> l1 (the seed's), psnr (minus each image's PSNR of ab), or
                          classification: a U-Net with Zhang et al.'s head (one class per
                          in-gamut ab bin, decoded by annealed mean) trained on their
                          rebalanced cross-entropy, the weights from the training photos'
                          colours (default l1)
  --temperature <T>       classification: the annealed mean's temperature, lower is more
                          vivid (default 0.38, Zhang et al.'s)
  --rebalance <λ>         classification: the class rebalancing's mix with uniform, 1 for no
                          rebalancing (default 0.5, Zhang et al.'s)
  --lr <x>                Adam learning rate of both models (default 2e-4, the seed's)
  --adam-betas <b1,b2>    Adam's β1 and β2 for both models (default 0,0.9: the seed's main.py,
                          WGAN-GP's; pix2pix used 0.5,0.999)
  --gan-lr <x>            Adam learning rate of both models in WGAN-GP, where a lower rate
                          than pretraining's can keep the colours the L1 phase learned
                          (default: --lr)
  --hints                 train a hint model: the U-Net sees L and colour hints simulated from
                          the real colours (Zhang et al. 2017: a geometric number of patches
                          per photo, 7 on average and none one time in eight, each 1-9 px set
                          to its mean colour), so it colorizes with or without a user's hints
  --spread-hints          with --hints: the model also sees the hints spread over the photo by
                          Levin et al. 2004's propagation and learns a correction to it
  --hint-mean <k>         with --hints: simulated hints per photo on average, geometric
                          (default 7, Zhang et al.'s)
  --hint-placement <p>    with --hints: normal (about the centre, Zhang et al.'s) or uniform
                          (default normal)
  --random-crop <a,b>     random resized crops of a…b of the short side (default: centre crop)
  --seed <n>              split, shuffle, augmentation and penalty seed (default 0)
  --backend <name>        tensorflow | webgpu | wasm | cpu (default: the fastest available)
  --workers <n>           replicas training on worker threads, each on a share of every batch,
                          their gradients averaged (data parallel; default: one per core on wasm
                          and cpu, where each backend runs one thread; 1 on tensorflow and webgpu)
  --resume                continue the run in --out from its last checkpoint

Examples:
  colorize train --data demo --size 64 --base 16 --epochs 20 --out runs/demo
  colorize train --data ~/photos --random-crop 0.5,1 --out runs/mine
  colorize train --data demo --extra-train ~/photos --size 64 --base 16 --out runs/demo-plus
  colorize train --out runs/mine --resume
`;

interface TrainConfig {
  data: string;
  size: number;
  epochs: number;
  pretrainEpochs: number;
  batch: number;
  base: number;
  depth: number;
  upsample: 'transpose' | 'bilinear';
  l1Weight: number;
  /** Critic updates per batch (absent in runs made before the flag: 1). */
  criticSteps?: number;
  /** The decay of the generator's weight average in WGAN-GP; 0 for none (absent in runs made before the flag: 0). */
  averageDecay?: number;
  /** The critic's normalisation (absent in runs made before the flag: instance). */
  criticNorm?: 'instance' | 'none';
  reconstruction?: 'l1' | 'psnr' | 'classification';
  /** Classification: the annealed mean's temperature. */
  temperature?: number;
  /** Classification: the rebalancing's λ. */
  rebalance?: number;
  /** Classification: the class weights, computed from the training split when the run starts. */
  classWeights?: number[] | null;
  /**
   * Classification: the training split's colour-class frequencies the weights came from, also
   * kept in the model's metadata for `colorize eval --rebalance` (absent in runs made before it).
   */
  classPrior?: number[];
  lr: number;
  /** Adam's β1, β2 (absent in runs made before the flag, which trained with 0.5, 0.999). */
  adamBetas?: [number, number];
  /** The learning rate of WGAN-GP (absent in runs made before the flag: `lr`). */
  ganLr?: number;
  randomCrop: [number, number] | null;
  seed: number;
  /** A folder whose photos join the training split only (absolute path). */
  extraTrain?: string | null;
  /** A hint model: the generator sees `[L, hint a, hint b, mask]` (absent in runs made before the flag: false). */
  hints?: boolean;
  /** A hint model that also sees the hints spread by `spreadHints` and corrects them (6 input channels; absent before the flag: false). */
  spreadHints?: boolean;
  /** Simulated hints per photo on average (absent before the flag: 7). */
  hintMean?: number;
  /** Where simulated hints fall (absent before the flag: normal). */
  hintPlacement?: 'normal' | 'uniform';
}

/** What runs made before `--adam-betas` trained with (then the library's default, pix2pix's). */
const LEGACY_BETAS: [number, number] = [0.5, 0.999];

/** `--adam-betas b1,b2`, each in [0, 1); absent: the library's defaults (the seed's). */
function parseBetas(value: string | undefined): [number, number] {
  if (value === undefined) return [ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2];
  const parts = value.split(',').map((v) => Number(v.trim()));
  if (parts.length !== 2 || parts.some((b) => !Number.isFinite(b) || b < 0 || b >= 1)) {
    throw new UsageError(`--adam-betas expects two numbers in [0, 1) such as 0,0.9, got "${value}".`);
  }
  return parts as [number, number];
}

function hintPlacementFlag(value: string | undefined): 'normal' | 'uniform' {
  if (value === undefined || value === 'normal' || value === 'uniform') return value ?? 'normal';
  throw new UsageError(`--hint-placement: expected normal or uniform, got "${value}".`);
}

/** The hint simulation of a run's config: a geometric count of mean k has p = 1 / (k + 1). */
function hintSimulation(config: TrainConfig): { p: number; placement: 'normal' | 'uniform'; spread: boolean } {
  return { p: 1 / ((config.hintMean ?? 7) + 1), placement: config.hintPlacement ?? 'normal', spread: config.spreadHints === true };
}

function parseCrop(value: string | undefined): [number, number] | null {
  if (value === undefined) return null;
  const parts = value.split(',').map(Number);
  if (parts.length !== 2 || parts.some((v) => !(v > 0 && v <= 1)) || parts[0]! > parts[1]!) {
    throw new UsageError(`--random-crop expects two fractions "min,max" with 0 < min ≤ max ≤ 1, got "${value}".`);
  }
  return [parts[0]!, parts[1]!];
}

async function writePng(path: string, grid: SampleGrid): Promise<void> {
  await sharp(grid.data, { raw: { width: grid.width, height: grid.height, channels: 3 } }).png().toFile(path);
}

export async function train(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      'extra-train': { type: 'string' },
      out: { type: 'string' },
      size: { type: 'string' },
      epochs: { type: 'string' },
      'pretrain-epochs': { type: 'string' },
      batch: { type: 'string' },
      base: { type: 'string' },
      depth: { type: 'string' },
      upsample: { type: 'string' },
      'l1-weight': { type: 'string' },
      'critic-steps': { type: 'string' },
      'critic-norm': { type: 'string' },
      average: { type: 'string' },
      reconstruction: { type: 'string' },
      temperature: { type: 'string' },
      rebalance: { type: 'string' },
      lr: { type: 'string' },
      'gan-lr': { type: 'string' },
      'adam-betas': { type: 'string' },
      'random-crop': { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      workers: { type: 'string' },
      resume: { type: 'boolean', default: false },
      hints: { type: 'boolean', default: false },
      'spread-hints': { type: 'boolean', default: false },
      'hint-mean': { type: 'string' },
      'hint-placement': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(TRAIN_HELP);
    return 0;
  }
  const size = intFlag('size', values.size, 128, 8);
  if (criticSide(size) < 1) throw new UsageError(`--size ${size} is too small: the PatchGAN critic would see no patch; use at least 24.`);
  const out = resolve(values.out ?? join('runs', `${values.data ?? 'run'}-${size}`.replace(/[^\w.-]+/g, '_')));
  const configPath = join(out, 'config.json');
  let config: TrainConfig;
  if (values.resume) {
    const text = await readFile(configPath, 'utf8').catch(() => {
      throw new UsageError(`--resume: ${configPath} not found; is --out the folder of an earlier run?`);
    });
    config = parseJson(text, configPath) as TrainConfig;
    // A resumed run may be given more epochs; everything else is the run's own.
    config.epochs = intFlag('epochs', values.epochs, config.epochs, 0);
    config.pretrainEpochs = intFlag('pretrain-epochs', values['pretrain-epochs'], config.pretrainEpochs, 0);
  } else {
    const upsample = values.upsample ?? 'transpose';
    if (upsample !== 'transpose' && upsample !== 'bilinear') throw new UsageError(`--upsample expects transpose or bilinear, got "${upsample}".`);
    const criticNorm = values['critic-norm'] ?? 'instance';
    if (criticNorm !== 'instance' && criticNorm !== 'none') throw new UsageError(`--critic-norm expects instance or none, got "${criticNorm}".`);
    const averageDecay = numberFlag('average', values.average, 0);
    if (!(averageDecay >= 0 && averageDecay < 1)) throw new UsageError(`--average expects a decay in [0, 1), got "${values.average}".`);
    const reconstruction = values.reconstruction ?? 'l1';
    if (reconstruction !== 'l1' && reconstruction !== 'psnr' && reconstruction !== 'classification') throw new UsageError(`--reconstruction expects l1, psnr or classification, got "${reconstruction}".`);
    const temperature = numberFlag('temperature', values.temperature, 0.38);
    if (!(temperature > 0 && temperature <= 1)) throw new UsageError(`--temperature expects a number in (0, 1], got "${values.temperature}".`);
    const rebalance = numberFlag('rebalance', values.rebalance, 0.5);
    if (!(rebalance >= 0 && rebalance <= 1)) throw new UsageError(`--rebalance expects λ in [0, 1], got "${values.rebalance}".`);
    if (reconstruction !== 'classification' && (values.temperature !== undefined || values.rebalance !== undefined)) throw new UsageError('--temperature and --rebalance go with --reconstruction classification.');
    const lr = numberFlag('lr', values.lr, 2e-4);
    config = {
      data: values.data ?? '',
      size,
      epochs: intFlag('epochs', values.epochs, 110, 0),
      pretrainEpochs: intFlag('pretrain-epochs', values['pretrain-epochs'], 5, 0),
      batch: intFlag('batch', values.batch, 16),
      base: intFlag('base', values.base, 64),
      depth: intFlag('depth', values.depth, 4),
      upsample,
      l1Weight: numberFlag('l1-weight', values['l1-weight'], 100),
      criticSteps: intFlag('critic-steps', values['critic-steps'], 1),
      criticNorm,
      averageDecay,
      reconstruction,
      ...(reconstruction === 'classification' ? { temperature, rebalance, classWeights: null } : {}),
      lr,
      ganLr: numberFlag('gan-lr', values['gan-lr'], lr),
      adamBetas: parseBetas(values['adam-betas']),
      randomCrop: parseCrop(values['random-crop']),
      seed: intFlag('seed', values.seed, 0, 0),
      extraTrain: values['extra-train'] === undefined ? null : resolve(values['extra-train']),
      hints: values.hints === true || values['spread-hints'] === true,
      spreadHints: values['spread-hints'] === true,
      hintMean: numberFlag('hint-mean', values['hint-mean'], 7, 0.01),
      hintPlacement: hintPlacementFlag(values['hint-placement']),
    };
    if (values.data === undefined) throw new UsageError('--data is required: demo, flowers102, a folder of photos or a .tgz archive.');
  }
  const workers = values.workers === undefined ? undefined : intFlag('workers', values.workers, 1, 1);
  await mkdir(out, { recursive: true });
  const release = await acquireRunLock(out);
  try {
    return await trainRun(config, out, { backend: values.backend as BackendName | undefined, workers }, values.resume, io);
  } finally {
    await release();
  }
}

/** The training run itself, once its folder is locked. */
async function trainRun(config: TrainConfig, out: string, flags: { backend: BackendName | undefined; workers: number | undefined }, resume: boolean, io: CliIO): Promise<number> {
  // Data parallel by default where each backend computes on one thread: one replica per core,
  // each on one wasm thread (faster than one backend on every wasm thread: bench/results). With
  // --workers 1, wasm gets every core's thread instead.
  const backend = await initBackend({ ...(flags.backend ? { backend: flags.backend } : {}), ...(flags.workers === 1 ? {} : { wasmThreads: 1 }) });
  const workers = flags.workers ?? (backend === 'wasm' || backend === 'cpu' ? Math.min(availableParallelism(), 8) : 1);
  const replicas = workers > 1 ? await startWorkerReplicas({ workers: workers - 1 }) : undefined;
  try {
    return await trainWith(config, out, backend, replicas, resume, io);
  } finally {
    await replicas?.close();
  }
}

async function trainWith(config: TrainConfig, out: string, backend: BackendName, replicas: GradientReplicas | undefined, resume: boolean, io: CliIO): Promise<number> {
  const configPath = join(out, 'config.json');
  const skipped: string[] = [];
  const common = { size: config.size, batchSize: config.batch, seed: config.seed, onSkip: (path: string, reason: string) => skipped.push(`${path}: ${reason}`) };
  const extraTrainFiles = config.extraTrain ? [config.extraTrain] : [];
  const openedTrain = await openData(config.data, { ...common, split: 'train', randomCrop: config.randomCrop, extraTrainFiles }, io.err);
  const openedValidation = await openData(config.data, { ...common, split: 'validation' });
  // A hint model trains and validates on simulated hints; validation's are the same each epoch.
  const trainData = config.hints ? withSimulatedHints(openedTrain, { ...hintSimulation(config), seed: deriveSeed(config.seed, 1) }) : openedTrain;
  const validation = config.hints ? withSimulatedHints(openedValidation, { ...hintSimulation(config), seed: deriveSeed(config.seed, 2) }) : openedValidation;
  for (const s of skipped) io.err(`colorize train: skipped ${s}\n`);
  await mkdir(join(out, 'samples'), { recursive: true });
  const classification = config.reconstruction === 'classification';
  if (classification && !config.classWeights) {
    io.err(`colorize train: weighing the colour classes by their frequency in the ${trainData.size} training images (one pass)\n`);
    const { centres } = abGamutBins();
    const prior = await abClassPrior(trainData, centres);
    config.classPrior = Array.from(prior);
    config.classWeights = Array.from(abClassWeights(prior, centres, { rebalance: config.rebalance ?? 0.5 }));
  }
  if (!resume) await writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
  io.err(`colorize train: ${trainData.size} training and ${validation.size} validation images at ${config.size} px, on ${backend}${replicas ? ` with ${replicas.count} replicas (data parallel)` : ''}; writing to ${out}\n`);

  const generator = buildUNet({ base: config.base, depth: config.depth, upsample: config.upsample, inChannels: config.hints ? 4 : 1, ...(config.spreadHints ? { inChannels: 6, residualPrior: true, outputActivation: 'linear' as const } : {}), ...(classification ? { head: 'classification' as const, temperature: config.temperature ?? 0.38 } : {}) });
  const critic = buildPatchCritic({ base: config.base, norm: config.criticNorm ?? 'instance' });
  const metadata = { colorize: { size: config.size, data: config.data, base: config.base, depth: config.depth, ...(config.hints ? { hints: true } : {}), ...(config.spreadHints ? { spreadHints: true } : {}), ...(config.classPrior ? { classPrior: config.classPrior } : {}) } };
  generator.setUserDefinedMetadata(metadata);
  // Runs made before --adam-betas trained with pix2pix's betas; resuming one keeps them.
  const [beta1, beta2] = config.adamBetas ?? LEGACY_BETAS;
  const adam = { learningRate: config.lr, beta1, beta2 };
  const ganAdam = { learningRate: config.ganLr ?? config.lr, beta1, beta2 };
  const reconstructionLoss = config.reconstruction ?? 'l1';
  const shared = { ...(replicas ? { replicas } : {}), ...(classification ? { classification: { classWeights: config.classWeights! } } : {}) };
  const pretrainer = createL1Trainer({ generator, optimizer: adam, reconstructionLoss, seed: config.seed, ...shared });
  const gan = createWganGpTrainer({ generator, critic, criticSteps: config.criticSteps ?? 1, l1Weight: config.l1Weight, reconstructionLoss, generatorOptimizer: ganAdam, criticOptimizer: ganAdam, seed: config.seed, averageDecay: config.averageDecay ?? 0, ...shared });
  gan.averageGenerator?.setUserDefinedMetadata(metadata);
  const pretrainCheckpoints = fileCheckpoints(join(out, 'checkpoints', 'pretrain'));
  const ganCheckpoints = fileCheckpoints(join(out, 'checkpoints', 'gan'));
  if (resume) {
    // The latest phase with a checkpoint wins; the GAN phase's generator includes the pretraining.
    if (await ganCheckpoints.restore(gan as unknown as Trainer<Record<string, number>>)) io.err(`colorize train: resumed WGAN-GP at epoch ${gan.position.epoch}, batch ${gan.position.batch}\n`);
    else if (await pretrainCheckpoints.restore(pretrainer as unknown as Trainer<Record<string, number>>)) io.err(`colorize train: resumed pretraining at epoch ${pretrainer.position.epoch}, batch ${pretrainer.position.batch}\n`);
  }

  const samples: LabBatch = await firstBatch(validation, 8);
  const controller = new AbortController();
  const onSigint = (): void => {
    io.err('\ncolorize train: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  const logPath = join(out, 'log.jsonl');
  const bestPath = join(out, 'best.json');
  let best = parseJson(await readFile(bestPath, 'utf8').catch(() => '{"valPsnr": null}'), bestPath) as { valPsnr: number | null };
  const tty = Boolean((process.stderr as { isTTY?: boolean }).isTTY);

  // The classifier's own loss beside L1, which it does not train on.
  const ce = (logs: Record<string, number>): string => (classification ? `  ce ${logs.reconstruction!.toFixed(3)}` : '');
  function callbacks(phase: 'pretrain' | 'gan', epochs: number): TrainingCallbacks<Record<string, number>> {
    let bar: ProgressBar | undefined;
    return {
      onEpochBegin: (epoch) => {
        bar = new ProgressBar(io.err, trainData.batchesPerEpoch, `${phase} ${epoch + 1}/${epochs}`, tty);
      },
      onBatchEnd: async (batch, logs) => {
        bar?.update(batch + 1, (phase === 'pretrain' ? `l1 ${logs.l1!.toFixed(4)}` : `W ${logs.wasserstein!.toFixed(3)} gp ${logs.gradientPenalty!.toFixed(3)} l1 ${logs.l1!.toFixed(4)}`) + ce(logs));
        await appendFile(logPath, `${JSON.stringify({ phase, type: 'batch', time: new Date().toISOString(), ...logs })}\n`);
      },
      onSampleGrid: async (epoch, grid) => writePng(join(out, 'samples', `${phase}-epoch-${String(epoch + 1).padStart(4, '0')}.png`), grid),
      onEpochEnd: async (epoch, logs) => {
        bar?.done();
        // What was validated: in WGAN-GP with --average, the averaged generator.
        const kept = phase === 'gan' ? (gan.averageGenerator ?? generator) : generator;
        await kept.save(fileSystem(join(out, 'model')));
        if (best.valPsnr === null || logs.valPsnr! > best.valPsnr) {
          await kept.save(fileSystem(join(out, 'best-model')));
          best = { phase, epoch: epoch + 1, valPsnr: logs.valPsnr!, valGreyPsnr: logs.valGreyPsnr } as typeof best;
          await writeFileAtomic(bestPath, `${JSON.stringify(best, null, 2)}\n`);
        }
        await appendFile(logPath, `${JSON.stringify({ phase, type: 'epoch', time: new Date().toISOString(), ...logs })}\n`);
        const losses = (phase === 'pretrain' ? `l1 ${logs.l1!.toFixed(4)}` : `critic ${logs.criticLoss!.toFixed(3)}  W ${logs.wasserstein!.toFixed(3)}  gp ${logs.gradientPenalty!.toFixed(3)}  l1 ${logs.l1!.toFixed(4)}`) + ce(logs);
        io.err(`${phase} epoch ${epoch + 1}/${epochs}  ${losses}  val PSNR ${logs.valPsnr!.toFixed(2)} dB (grey ${logs.valGreyPsnr!.toFixed(2)} dB)  ${formatSeconds(logs.seconds)}\n`);
      },
    };
  }

  try {
    const fitOptions = { validation, samples, signal: controller.signal };
    let stopped = false;
    if (gan.position.step === 0 && pretrainer.position.epoch < config.pretrainEpochs) {
      const r = await pretrainer.fit(trainData, { ...fitOptions, epochs: config.pretrainEpochs, checkpoints: pretrainCheckpoints, callbacks: callbacks('pretrain', config.pretrainEpochs) });
      stopped = r.stopped;
    }
    if (!stopped) {
      const r = await gan.fit(trainData, { ...fitOptions, epochs: config.epochs, checkpoints: ganCheckpoints, callbacks: callbacks('gan', config.epochs) });
      stopped = r.stopped;
    }
    if (stopped) {
      io.err(`colorize train: stopped; checkpoint saved. Continue with: colorize train --out ${out} --resume\n`);
      return 130;
    }
    io.err(`colorize train: done; the generator is in ${join(out, 'model')}\n`);
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    tf.dispose([samples.L, samples.ab, ...(samples.hints ? [samples.hints] : [])]);
    pretrainer.dispose();
    gan.dispose();
  }
}

/** The first `n` images of a dataset's first epoch, as one batch. */
async function firstBatch(data: { batches(epoch: number): AsyncIterable<LabBatch> }, n: number): Promise<LabBatch> {
  const parts: LabBatch[] = [];
  let have = 0;
  for await (const b of data.batches(0)) {
    parts.push(b);
    have += b.L.shape[0];
    if (have >= n) break;
  }
  const batch = tf.tidy(() => {
    const join = (key: keyof LabBatch): tf.Tensor4D => {
      const all = tf.concat(parts.map((p) => p[key]!), 0) as tf.Tensor4D;
      return tf.slice(all, 0, Math.min(n, all.shape[0])) as tf.Tensor4D;
    };
    return { L: join('L'), ab: join('ab'), ...(parts[0]?.hints ? { hints: join('hints') } : {}) };
  });
  tf.dispose(parts.flatMap((p) => [p.L, p.ab, ...(p.hints ? [p.hints] : [])]));
  return batch;
}

/** JSON.parse with the house error naming the file. */
function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ColorizeError('IO_ERROR', `colorize train: ${path} is not valid JSON (${(err as Error).message}); it was not written by colorize train, or was damaged.`, { cause: err });
  }
}

/** The side of the seed critic's score map for a square input: three 4×4/2 and two 4×4/1 convs, each padded by 1. */
function criticSide(size: number): number {
  let side = size;
  for (const stride of [2, 2, 2, 1, 1]) side = Math.floor((side + 2 - 4) / stride) + 1;
  return side;
}
