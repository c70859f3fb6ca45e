// Every CLI flag and public option given a wrong type or an out-of-range value: a clear error
// naming the option and what it accepts.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, colorfulness, initBackend, psnr, ssim } from '@colorize/core';
import { abGamutBins, labToRgb, rgb8ToModelLab } from '@colorize/lab';
import { buildPatchCritic, buildUNet, colorizeImage } from '@colorize/models';
import { exportOnnx } from '@colorize/models/onnx';
import { abClassWeights, createL1Trainer, createWganGpTrainer, demoPhotos, evaluateGenerator, fileCheckpoints, flowers102, gradientPenalty, imageArchive, imageFolder } from '@colorize/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { colorize, photoFolder, tempDir } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('options');
  await photoFolder(join(dir, 'in'), 2);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CLI flags', () => {
  // [arguments, the message]: each names the flag and what it accepts, exit 2 (a usage error) or 1.
  const cases: [string[], RegExp][] = [
    [['in', '--render-size', 'big'], /--render-size expects an integer ≥ 16, got "big"/],
    [['in', '--render-size', '8'], /--render-size expects an integer ≥ 16, got "8"/],
    [['in', '--jobs=-1'], /--jobs expects an integer ≥ 1, got "-1"/],
    [['in', '--jobs', '-1'], /Option '--jobs' argument is ambiguous\.[\s\S]*'--jobs=-XYZ'/],
    [['in', '--jobs', '1.5'], /--jobs expects an integer ≥ 1, got "1\.5"/],
    [['in', '--timeout', 'soon'], /--timeout expects a number ≥ 0\.001, got "soon"/],
    [['in', '--engine', 'gpu'], /--engine: expected onnx or tfjs, got "gpu"/],
    [['in', '--backend', 'cuda'], /initBackend: expected backend to be one of tensorflow, webgpu, webgl, wasm, cpu, got "cuda"/],
    [['in', '--render-size'], /Option '--render-size <value>' argument missing/],
    [['train', '--data', 'in', '--size', 'x'], /--size expects an integer ≥ 8, got "x"/],
    [['train', '--data', 'in', '--size', '16'], /--size 16 is too small: the PatchGAN critic would see no patch; use at least 24/],
    [['train', '--data', 'in', '--epochs=-3'], /--epochs expects an integer ≥ 0, got "-3"/],
    [['train', '--data', 'in', '--pretrain-epochs', 'two'], /--pretrain-epochs expects an integer ≥ 0, got "two"/],
    [['train', '--data', 'in', '--batch', '0'], /--batch expects an integer ≥ 1, got "0"/],
    [['train', '--data', 'in', '--base', '0.5'], /--base expects an integer ≥ 1, got "0\.5"/],
    [['train', '--data', 'in', '--depth', '0'], /--depth expects an integer ≥ 1, got "0"/],
    [['train', '--data', 'in', '--upsample', 'nearest'], /--upsample expects transpose or bilinear, got "nearest"/],
    [['train', '--data', 'in', '--l1-weight=-1'], /--l1-weight expects a number ≥ 0, got "-1"/],
    [['train', '--data', 'in', '--reconstruction', 'l2'], /--reconstruction expects l1, psnr or classification, got "l2"/],
    [['train', '--data', 'in', '--reconstruction', 'classification', '--temperature', '1.5'], /--temperature expects a number in \(0, 1\], got "1\.5"/],
    [['train', '--data', 'in', '--reconstruction', 'classification', '--rebalance=1.5'], /--rebalance expects λ in \[0, 1\], got "1\.5"/],
    [['train', '--data', 'in', '--lr', 'fast'], /--lr expects a number/],
    [['train', '--data', 'in', '--random-crop', '0.5'], /--random-crop/],
    [['train', '--data', 'in', '--random-crop', '0.9,0.2'], /--random-crop/],
    [['train', '--data', 'in', '--seed=-1'], /--seed expects an integer ≥ 0, got "-1"/],
    [['train', '--data', 'in', '--resume=yes'], /--resume/],
    [['train', '--size', '64'], /--data is required: demo, flowers102, a folder of photos or a \.tgz archive/],
    [['train', '--out', 'nowhere', '--resume'], /--resume: .*config\.json not found; is --out the folder of an earlier run\?/],
    [['eval', '--data', 'in', '--split', 'dev'], /--split/],
    [['eval', '--data', 'in', '--size', '0'], /--size expects an integer/],
    [['eval', '--data', 'in', '--seed', 'x'], /--seed expects an integer/],
    [['demo', '--backend', 'tpu'], /initBackend: expected backend to be one of/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = colorize(args, dir, { timeout: 60_000 });
      expect(r.signal).toBeNull();
      expect([1, 2], r.stderr).toContain(r.status);
      expect(r.stderr.split('\n')[0], r.stderr).toMatch(/^colorize: /);
      expect(r.stderr, r.stderr).toMatch(message);
    });
  }
});

describe('public options', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
  });
  const x = (): tf.Tensor4D => tf.zeros([1, 8, 8, 3]);
  const photo = { width: 2, height: 2, data: new Uint8Array(12) };
  // [call, message]: each names the function, the option and what it accepts.
  const cases: [string, () => unknown, RegExp][] = [
    ['initBackend backend', () => initBackend({ backend: 5 as never }), /initBackend: expected backend to be one of tensorflow, webgpu, webgl, wasm, cpu, got 5/],
    ['initBackend wasmThreads', () => initBackend({ backend: 'wasm', wasmThreads: 0 }), /initBackend: expected wasmThreads to be an integer from 1 to 8, got 0/],
    ['initBackend unknown option', () => initBackend({ threads: 2 } as never), /initBackend: expected an option among backend, wasmPaths, wasmThreads, env, got "threads"/],
    ['psnr dataRange', () => psnr(x(), x(), { dataRange: -1 }), /psnr: expected dataRange to be a finite number > 0, got -1/],
    ['psnr dataRange type', () => psnr(x(), x(), { dataRange: '255' as never }), /psnr: expected dataRange to be a finite number > 0, got "255"/],
    ['ssim option name', () => ssim(x(), x(), { winSize: 4 } as never), /ssim: expected an option among dataRange, windowSize, k1, k2, got "winSize"/],
    ['colorfulness dataRange', () => colorfulness(x(), { dataRange: 'a' as never }), /colorfulness: expected dataRange to be a finite number > 0, got "a"/],
    ['labToRgb clip', () => labToRgb(x(), { clip: 'yes' as never }), /labToRgb: expected clip to be true or false, got "yes"/],
    ['rgb8ToModelLab channels', () => rgb8ToModelLab(new Uint8Array(9), { channels: 5 as never }), /rgb8ToModelLab: expected channels to be 3 or 4, got 5/],
    ['buildUNet base', () => buildUNet({ base: 1.5 }), /buildUNet: expected base to be a positive integer, got 1\.5/],
    ['buildUNet depth type', () => buildUNet({ depth: '4' as never }), /buildUNet: expected depth to be a positive integer, got "4"/],
    ['buildUNet norm', () => buildUNet({ norm: 'layer' as never }), /buildUNet: expected norm to be one of batch, instance, none, got "layer"/],
    ['buildUNet dropout', () => buildUNet({ dropout: 1.5 }), /buildUNet: expected dropout to be a rate in \[0, 1\), got 1\.5/],
    ['buildUNet upsample', () => buildUNet({ upsample: 'pixelshuffle' as never }), /buildUNet: expected upsample to be one of transpose, bilinear, got "pixelshuffle"/],
    ['buildUNet head', () => buildUNet({ head: 'bins' as never }), /buildUNet: expected head to be one of regression, classification, got "bins"/],
    ['buildUNet temperature', () => buildUNet({ head: 'classification', temperature: 0 }), /buildUNet: expected temperature in \(0, 1\], got 0/],
    ['abClassWeights rebalance', () => abClassWeights([1, 0], new Float32Array([0, 0, 10, 0]), { rebalance: 1.5 }), /abClassWeights: expected rebalance \(λ\) in \[0, 1\], got 1\.5/],
    ['abGamutBins grid', () => abGamutBins(1), /abGamutBins: expected grid to be a number in \[2, 50\]/],
    ['buildPatchCritic base', () => buildPatchCritic({ base: -2 }), /buildPatchCritic: expected base to be a positive integer, got -2/],
    ['buildPatchCritic norm', () => buildPatchCritic({ norm: 'group' as never }), /buildPatchCritic: expected norm to be one of batch, instance, none, got "group"/],
    ['colorizeImage renderSize', () => colorizeImage(buildUNet({ base: 2, depth: 1 }), photo, { renderSize: -5 }), /colorizeImage: expected renderSize to be a finite number > 0, got -5/],
    ['colorizeImage renderSize type', () => colorizeImage(buildUNet({ base: 2, depth: 1 }), photo, { renderSize: '64' as never }), /colorizeImage: expected renderSize to be a finite number > 0, got "64"/],
    ['colorizeImage multiple', () => colorizeImage(buildUNet({ base: 2, depth: 1 }), photo, { multiple: 0 }), /colorizeImage: expected multiple to be an integer ≥ 1, got 0/],
    ['exportOnnx opset', () => exportOnnx(buildUNet({ base: 2, depth: 1 }), { opset: '13' as never }), /exportOnnx: expected opset to be an integer ≥ 13, got "13"/],
    ['exportOnnx layout', () => exportOnnx(buildUNet({ base: 2, depth: 1 }), { layout: 'hwc' as never }), /exportOnnx: expected layout "nhwc" or "nchw", got "hwc"/],
    ['createL1Trainer generator', () => createL1Trainer({} as never), /createL1Trainer: expected generator as a tfjs layers model, got undefined/],
    ['createL1Trainer learningRate', () => createL1Trainer({ generator: buildUNet({ base: 2, depth: 1 }), optimizer: { learningRate: -1 } }), /createL1Trainer: expected optimizer\.learningRate to be a finite number > 0, got -1/],
    ['createL1Trainer reconstructionLoss', () => createL1Trainer({ generator: buildUNet({ base: 2, depth: 1 }), reconstructionLoss: 'l2' as never }), /createL1Trainer: expected reconstructionLoss "l1", "psnr" or "classification", got "l2"/],
    ['createL1Trainer seed', () => createL1Trainer({ generator: buildUNet({ base: 2, depth: 1 }), seed: 1.5 }), /createL1Trainer: expected seed to be an integer/],
    ['createWganGpTrainer l1Weight', () => createWganGpTrainer({ generator: buildUNet({ base: 2, depth: 1 }), critic: buildPatchCritic({ base: 2 }), l1Weight: -1 }), /createWganGpTrainer: expected l1Weight to be a finite number ≥ 0, got -1/],
    ['createWganGpTrainer generatorSteps', () => createWganGpTrainer({ generator: buildUNet({ base: 2, depth: 1 }), critic: buildPatchCritic({ base: 2 }), generatorSteps: 0 }), /createWganGpTrainer: expected generatorSteps to be an integer ≥ 1, got 0/],
    ['createWganGpTrainer beta1', () => createWganGpTrainer({ generator: buildUNet({ base: 2, depth: 1 }), critic: buildPatchCritic({ base: 2 }), generatorOptimizer: { beta1: 2 } }), /createWganGpTrainer: expected generatorOptimizer\.beta1 to be in \[0, 1\), got 2/],
    ['gradientPenalty weight', () => gradientPenalty((t) => t, x(), x(), { weight: -1 }), /gradientPenalty: expected weight to be a finite number ≥ 0, got -1/],
    ['imageFolder dir', () => imageFolder({ folder: '.' } as never), /imageFolder: expected options with dir, a folder path/],
    ['imageFolder size', () => imageFolder({ dir, size: 0 }), /imageFolder: expected size to be an integer ≥ 8, got 0/],
    ['imageFolder batchSize', () => imageFolder({ dir, batchSize: 1.5 }), /imageFolder: expected batchSize to be an integer ≥ 1, got 1\.5/],
    ['imageFolder split', () => imageFolder({ dir, split: 'dev' as never }), /imageFolder: expected split/],
    ['imageFolder randomCrop', () => imageFolder({ dir, randomCrop: [0.5, 2] }), /imageFolder: expected randomCrop/],
    ['demoPhotos size', () => demoPhotos({ size: -1 }), /demoPhotos: expected size to be an integer ≥ 8, got -1/],
    ['fileCheckpoints keep', () => fileCheckpoints(dir, { keep: 0 }), /fileCheckpoints: expected keep to be an integer ≥ 1, got 0/],
    ['fileCheckpoints folder', () => fileCheckpoints(5 as never), /fileCheckpoints: expected a folder path, got 5/],
    ['ssim windowSize', () => ssim(x(), x(), { dataRange: 1, windowSize: 4 }), /ssim: expected windowSize/],
    ['ssim k1', () => ssim(x(), x(), { dataRange: 1, k1: 'a' as never }), /ssim: expected k1/],
    // checked before anything is downloaded: the URL is never fetched
    ['flowers102 size', () => flowers102({ size: 'x' as never, url: 'http://127.0.0.1:9/never', cacheDir: join(dir, 'never') }), /flowers102: expected size to be an integer ≥ 8, got "x"/],
    ['flowers102 md5', () => flowers102({ md5: 5 as never, url: 'http://127.0.0.1:9/never', cacheDir: join(dir, 'never') }), /flowers102: expected md5 as 32 hexadecimal digits, or null to skip the check, got 5/],
    ['flowers102 split', () => flowers102({ split: 'dev' as never, url: 'http://127.0.0.1:9/never', cacheDir: join(dir, 'never') }), /flowers102: expected split "train", "validation", "test" or "all", got "dev"/],
    ['imageArchive archive', () => imageArchive({ archive: 5 as never }), /imageArchive: expected options with archive, a \.tar or \.tgz path, got 5/],
    ['evaluateGenerator data', () => evaluateGenerator(buildUNet({ base: 2, depth: 1 }), null as never), /evaluateGenerator: expected data as a dataset with batches\(epoch\), got null/],
    ['evaluateGenerator generator', () => evaluateGenerator({} as never, null as never), /evaluateGenerator: expected generator as a tfjs layers model/],
  ];
  for (const [name, call, message] of cases) {
    it(name, async () => {
      const err = await (async () => call())().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ColorizeError.isInstance(err), `${name}: ${String(err)}`).toBe(true);
      expect((err as ColorizeError).code).toBe('INVALID_OPTION');
      expect((err as ColorizeError).message).toMatch(message);
    });
  }

  it('no download or extraction started on refused options', () => {
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
