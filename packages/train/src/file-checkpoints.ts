import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, describeValue, fileSystem, invalid, syncFolder, writeFileAtomic } from '@colorize/core';

import type { CheckpointStore, Trainer, TrainerSnapshot } from './trainer.js';

/** Options of {@link fileCheckpoints}. @group Checkpoints */
export interface FileCheckpointsOptions {
  /** How many checkpoints to keep, newest first. Defaults to 2. */
  keep?: number;
}

const POINTER = 'checkpoint.json';
const FORMAT = 'colorize-checkpoint';
/** Leftovers of interrupted saves: a checkpoint folder, or the pointer file written beside itself. */
const TEMP = /^(\.tmp-[0-9a-f]+|checkpoint\.json\.tmp-[0-9a-f]+)$/;
// A random tag makes every save's name new, so a save never replaces the folder the pointer
// names (a crash between removing it and renaming the new one in would leave the pointer dangling).
const CHECKPOINT = /^ckpt-e\d+-b\d+-s\d+(-[0-9a-f]{6})?$/;

interface OptimizerFile {
  file: string;
  specs: tf.io.WeightsManifestEntry[];
}
interface StateFile {
  format: typeof FORMAT;
  version: 1;
  kind: string;
  config: Record<string, unknown>;
  position: TrainerSnapshot['position'];
  random: number[];
  models: string[];
  optimizers: Record<string, OptimizerFile>;
}

function bad(where: string, problem: string): ColorizeError {
  return new ColorizeError('INVALID_MODEL_FILE', `fileCheckpoints.restore: ${where}: ${problem}.`);
}

/**
 * Checkpoints in a folder, for Node. Each checkpoint is a subfolder `ckpt-e<epoch>-b<batch>-s<step>-<random tag>`
 * holding every model (`generator/`, `critic/`, each a tfjs model folder that
 * `tf.loadLayersModel` reads), each optimizer's state and `state.json` (position, random state,
 * configuration). `checkpoint.json` names the latest.
 *
 * Saving is atomic: the checkpoint is written and flushed under a temporary name, renamed into
 * place, and only then does `checkpoint.json` (itself replaced atomically) point at it; older
 * checkpoints beyond `keep` are removed last. A crash at any moment leaves the previous
 * checkpoint whole and named by `checkpoint.json`.
 *
 * @param dir - the folder; created when missing.
 * @example
 * ```ts
 * const checkpoints = fileCheckpoints('runs/flowers/checkpoints');
 * await checkpoints.restore(trainer);            // resume, when there is one
 * await trainer.fit(data, { epochs: 110, checkpoints });
 * ```
 * @group Checkpoints
 */
export function fileCheckpoints(dir: string, options?: FileCheckpointsOptions): CheckpointStore & { latest(): Promise<string | undefined> } {
  const fn = 'fileCheckpoints';
  if (typeof dir !== 'string' || dir === '') throw invalid('INVALID_OPTION', fn, 'a folder path', describeValue(dir));
  const keep = options?.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) throw invalid('INVALID_OPTION', fn, 'keep to be an integer ≥ 1', describeValue(keep));
  const root = resolve(dir);

  async function latest(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(join(root, POINTER), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ColorizeError('IO_ERROR', `fileCheckpoints: could not read ${join(root, POINTER)} (${(err as Error).message}).`, { cause: err });
    }
    let pointer: { format?: unknown; latest?: unknown };
    try {
      pointer = JSON.parse(text) as typeof pointer;
    } catch {
      throw bad(join(root, POINTER), 'is not valid JSON');
    }
    if (pointer.format !== FORMAT || typeof pointer.latest !== 'string' || !CHECKPOINT.test(pointer.latest)) {
      throw bad(join(root, POINTER), 'is not a colorize checkpoint pointer');
    }
    return join(root, pointer.latest);
  }

  return {
    latest,

    async save(trainer: Trainer<Record<string, number>>): Promise<string> {
      const snap = await trainer.snapshot();
      const { epoch, batch, step } = snap.position;
      const name = `ckpt-e${String(epoch).padStart(4, '0')}-b${String(batch).padStart(5, '0')}-s${String(step).padStart(7, '0')}-${randomBytes(3).toString('hex')}`;
      const temp = join(root, `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        await mkdir(temp, { recursive: true });
        for (const [modelName, model] of Object.entries(trainer.models)) await model.save(fileSystem(join(temp, modelName)));
        const optimizers: Record<string, OptimizerFile> = {};
        for (const [optName, tensors] of Object.entries(snap.optimizers)) {
          const { data, specs } = await tf.io.encodeWeights(tensors);
          const file = `optimizer-${optName}.bin`;
          await writeFileAtomic(join(temp, file), new Uint8Array(data));
          optimizers[optName] = { file, specs };
        }
        const state: StateFile = {
          format: FORMAT,
          version: 1,
          kind: snap.kind,
          config: snap.config,
          position: snap.position,
          random: snap.random,
          models: Object.keys(trainer.models),
          optimizers,
        };
        await writeFileAtomic(join(temp, 'state.json'), JSON.stringify(state, null, 2));
        await syncFolder(temp);
        const target = join(root, name);
        await rename(temp, target);
        await writeFileAtomic(join(root, POINTER), JSON.stringify({ format: FORMAT, latest: name }));
        await syncFolder(root);
        // Only now: drop older checkpoints beyond `keep`, and leftovers of crashed saves.
        const entries = (await readdir(root)).sort();
        const checkpoints = entries.filter((e) => CHECKPOINT.test(e) && e !== name);
        for (const old of checkpoints.slice(0, Math.max(0, checkpoints.length - (keep - 1)))) await rm(join(root, old), { recursive: true, force: true });
        for (const t of entries.filter((e) => TEMP.test(e))) await rm(join(root, t), { recursive: true, force: true });
        return target;
      } catch (err) {
        await rm(temp, { recursive: true, force: true }).catch(() => undefined);
        if (ColorizeError.isInstance(err)) throw err;
        throw new ColorizeError('IO_ERROR', `fileCheckpoints.save: could not write a checkpoint in ${root} (${(err as Error).message}).`, { cause: err });
      } finally {
        tf.dispose(Object.values(snap.optimizers).flatMap((ts) => ts.map((t) => t.tensor)));
      }
    },

    async restore(trainer: Trainer<Record<string, number>>): Promise<boolean> {
      const folder = await latest();
      if (folder === undefined) return false;
      if (!(await stat(folder).catch(() => undefined))?.isDirectory()) throw bad(folder, 'is missing');
      let state: StateFile;
      try {
        state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as StateFile;
      } catch (err) {
        throw bad(join(folder, 'state.json'), `cannot be read (${(err as Error).message})`);
      }
      if (state.format !== FORMAT || state.version !== 1) throw bad(join(folder, 'state.json'), 'is not a colorize checkpoint of version 1');
      if (state.kind !== trainer.kind) throw bad(folder, `holds a ${state.kind} trainer, not a ${trainer.kind} one`);
      // Models: load every weight first, then assign, so a bad file changes nothing.
      const loaded: [string, tf.Tensor[]][] = [];
      try {
        for (const [modelName, model] of Object.entries(trainer.models)) {
          const artifacts = await fileSystem(join(folder, modelName)).load!();
          const named = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
          const tensors = artifacts.weightSpecs!.map((s) => named[s.name]!);
          const shapes = model.weights.map((w) => w.shape);
          const ok = tensors.length === shapes.length && tensors.every((t, i) => t.shape.join() === shapes[i]!.join());
          if (!ok) {
            tf.dispose(tensors);
            throw bad(join(folder, modelName), `its ${tensors.length} weights do not fit the ${modelName}'s ${shapes.length} (a different architecture)`);
          }
          loaded.push([modelName, tensors]);
        }
        const snapshot: TrainerSnapshot = { kind: state.kind, config: state.config, position: state.position, random: state.random, optimizers: {} };
        for (const [optName, { file, specs }] of Object.entries(state.optimizers)) {
          const bytes = await readFile(join(folder, file)).catch((err: unknown) => {
            throw bad(join(folder, file), `cannot be read (${(err as Error).message})`);
          });
          const named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
          snapshot.optimizers[optName] = specs.map((s) => ({ name: s.name, tensor: named[s.name]! }));
        }
        for (const [modelName, tensors] of loaded) trainer.models[modelName]!.setWeights(tensors);
        try {
          await trainer.restore(snapshot);
        } finally {
          tf.dispose(Object.values(snapshot.optimizers).flatMap((ts) => ts.map((t) => t.tensor)));
        }
        return true;
      } finally {
        tf.dispose(loaded.flatMap(([, ts]) => ts));
      }
    },
  };
}
