// Train a small colorizer on a folder of photos: L1 pretraining, then WGAN-GP, with validation
// PSNR beside the grey baseline, checkpoints and resume. Usage: node train-folder.js <dir> <out> [epochs]
import { join } from 'node:path';

import { fileSystem, initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { createL1Trainer, createWganGpTrainer, fileCheckpoints, imageFolder } from '@colorize/train';

const [dir, out, epochsArg] = process.argv.slice(2);
if (!dir || !out) throw new Error('usage: train-folder <photos dir> <out dir> [epochs]');
const epochs = Number(epochsArg ?? 10);

await initBackend();
const common = { dir, size: 32, batchSize: 8, onSkip: (path: string, why: string) => console.warn(`skipped ${path}: ${why}`) };
const train = await imageFolder({ ...common, split: 'train', randomCrop: [0.5, 1] });
const validation = await imageFolder({ ...common, split: 'validation' });

const generator = buildUNet({ base: 8, depth: 2 });
const critic = buildPatchCritic({ base: 8 });
const report = { onEpochEnd: (epoch: number, logs: { valPsnr?: number; valGreyPsnr?: number }) => console.log(`epoch ${epoch + 1}: PSNR ${logs.valPsnr?.toFixed(2)} dB (grey ${logs.valGreyPsnr?.toFixed(2)} dB)`) };

const pretrain = createL1Trainer({ generator });
await pretrain.fit(train, { epochs: 1, validation, callbacks: report });
pretrain.dispose();

const trainer = createWganGpTrainer({ generator, critic });
const checkpoints = fileCheckpoints(join(out, 'checkpoints'));
if (await checkpoints.restore(trainer)) console.log(`resumed at epoch ${trainer.position.epoch}`);
await trainer.fit(train, { epochs, validation, checkpoints, callbacks: report });
await generator.save(fileSystem(join(out, 'model')));
trainer.dispose();
