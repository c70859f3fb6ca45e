import type * as tfl from '@tensorflow/tfjs-layers';
import { describeValue, invalid } from '@colorize/core';

import type { ReconstructionLoss } from './losses.js';

// Option checks shared by the trainers and the datasets, each throwing the house error.

/** A tfjs layers model, or an `INVALID_OPTION` error naming `name`. */
export function assertModel(fn: string, name: string, model: unknown): tfl.LayersModel {
  const m = model as Partial<tfl.LayersModel> | null;
  if (typeof m !== 'object' || m === null || typeof m.apply !== 'function' || !Array.isArray(m.trainableWeights)) {
    throw invalid('INVALID_OPTION', fn, `${name} as a tfjs layers model`, describeValue(model));
  }
  return model as tfl.LayersModel;
}

/** An integer ≥ `min` (`fallback` when undefined). */
export function intOption(fn: string, name: string, value: unknown, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) < min) throw invalid('INVALID_OPTION', fn, `${name} to be an integer ≥ ${min}`, describeValue(v));
  return v as number;
}

/** `'l1'` (default), `'psnr'` or `'classification'`. */
export function reconstructionOption(fn: string, value: unknown): ReconstructionLoss {
  const v = value ?? 'l1';
  if (v !== 'l1' && v !== 'psnr' && v !== 'classification') throw invalid('INVALID_OPTION', fn, 'reconstructionLoss "l1", "psnr" or "classification"', describeValue(v));
  return v;
}

/** A finite number ≥ 0 (`fallback` when undefined). */
export function weightOption(fn: string, name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalid('INVALID_OPTION', fn, `${name} to be a finite number ≥ 0`, describeValue(v));
  return v;
}
