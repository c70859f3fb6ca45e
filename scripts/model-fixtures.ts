// Test helpers for the PyTorch reference fixtures (fixtures/unet-tiny.json, critic-gp.json).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** A fixture tensor entry: explicit values, or one value everywhere (`value_all`, for initial BN statistics). */
export type FixtureEntry = { shape: number[]; values?: number[]; value_all?: number };

export const fixtureTensor = (e: FixtureEntry): tf.Tensor => (e.values === undefined ? tf.fill(e.shape, e.value_all!) : tf.tensor(e.values, e.shape, 'float32'));

/** Throws at the first element with |actual − ref| > atol + rtol·|ref|. */
export function expectClose(actual: ArrayLike<number>, ref: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  if (actual.length !== ref.length) throw new Error(`${what}: ${actual.length} values vs ${ref.length} expected`);
  for (let i = 0; i < ref.length; i += 1) {
    const r = ref[i]!;
    if (!(Math.abs(actual[i]! - r) <= atol + rtol * Math.abs(r))) throw new Error(`${what}[${i}]: ${actual[i]} vs reference ${r}`);
  }
}

/** Sets a model's weights from a fixture's params (and BN moving statistics, when given), by original weight name. */
export function loadFixtureWeights(model: tfl.LayersModel, params: Record<string, FixtureEntry>, moving?: Record<string, FixtureEntry>): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const entry = params[w.originalName] ?? moving?.[w.originalName];
      if (entry === undefined) throw new Error(`no fixture value for ${w.originalName}`);
      return fixtureTensor(entry);
    });
    layer.setWeights(values);
  }
}

/** The tiny U-Net fixture's BN moving statistics after its batch (PyTorch with momentum 1), as fixture entries. */
export function fixtureBatchMovingStats(stats: Record<string, { batch_mean: number[]; batch_var_unbiased: number[] }>): Record<string, FixtureEntry> {
  const asEntry = (values: number[]): FixtureEntry => ({ shape: [values.length], values });
  return Object.fromEntries(
    Object.entries(stats).flatMap(([name, st]) => [[`${name}/moving_mean`, asEntry(st.batch_mean)], [`${name}/moving_variance`, asEntry(st.batch_var_unbiased)]]),
  );
}
