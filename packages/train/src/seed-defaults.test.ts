import { initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { beforeAll, describe, expect, it } from 'vitest';

import { ADAM_DEFAULTS } from './adam.js';
import { createL1Trainer } from './l1-trainer.js';
import { createWganGpTrainer } from './wgan-gp-trainer.js';

/**
 * The seed's training script (`main.py`) builds both optimisers as
 * `Adam(lr=0.0002, betas=(0.0, 0.9))`, pretrains the generator with L1 on the same, then trains
 * WGAN-GP with `generator_iterations=2` and `lambda_gp=10`. These are the trainers' defaults.
 */
const SEED_ADAM = { learningRate: 2e-4, beta1: 0, beta2: 0.9, epsilon: 1e-8 };

beforeAll(async () => {
  await initBackend({ backend: 'cpu', env: {} });
});

describe("the seed's defaults", () => {
  it('Adam lr 2e-4, β (0.0, 0.9) for the L1 pretraining and for both WGAN-GP nets; critic once, generator twice, λ_GP 10', async () => {
    expect(ADAM_DEFAULTS).toEqual(SEED_ADAM);
    const generator = buildUNet({ base: 4, depth: 1 });
    const critic = buildPatchCritic({ base: 4 });
    const l1 = createL1Trainer({ generator });
    const gan = createWganGpTrainer({ generator, critic });
    const snapshots = [await l1.snapshot(), await gan.snapshot()];
    const [pre, wgan] = snapshots.map((s) => s.config) as [Record<string, unknown>, Record<string, unknown>];
    expect(pre.optimizer).toEqual(SEED_ADAM);
    expect(wgan.generatorOptimizer).toEqual(SEED_ADAM);
    expect(wgan.criticOptimizer).toEqual(SEED_ADAM);
    expect([wgan.criticSteps, wgan.generatorSteps, wgan.gradientPenaltyWeight]).toEqual([1, 2, 10]);
    l1.dispose();
    gan.dispose();
    generator.dispose();
    critic.dispose();
  });
});
