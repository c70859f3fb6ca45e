import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ColorizeError, writeFileAtomic } from '@colorize/core';
import { generatorInChannels } from '@colorize/models';
import type { AbPredictor } from '@colorize/models';
import { exportOnnx, onnxPredictor } from '@colorize/models/onnx';
import { cacheDir } from '@colorize/train';
import type * as OrtModule from 'onnxruntime-node';

import type { LoadedGenerator } from './model-dir.js';

type Ort = typeof OrtModule;

/** onnxruntime-node, or why it cannot be loaded (an optional dependency: its install may have been skipped). */
export async function loadOnnxRuntime(): Promise<Ort | string> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    return `onnxruntime-node is not available (${(err as Error).message.split('\n')[0]})`;
  }
}

/** A short hash of a model folder's topology and weights: the key of its cached export. */
export async function modelHash(jsonPath: string): Promise<string> {
  const dir = dirname(jsonPath);
  const json = await readFile(jsonPath);
  const hash = createHash('sha256').update(json);
  const manifest = (JSON.parse(json.toString('utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest ?? [];
  // loadGenerator has already checked these paths stay inside the folder.
  for (const group of manifest) for (const p of group.paths) hash.update(await readFile(join(dir, p)));
  return hash.digest('hex').slice(0, 16);
}

export interface OnnxEngine {
  predictor: AbPredictor;
  /** The ONNX file it runs, or null when the export could be kept in memory only. */
  path: string | null;
  /** The exported model when it is not in a file. */
  bytes: Uint8Array | null;
  release(): Promise<void>;
}

type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

/** A session on `threads` intra-op threads (undefined: onnxruntime's default, every core). */
async function session(ort: Ort, source: string | Uint8Array, label: string, threads?: number): Promise<Session> {
  const options = threads === undefined ? {} : { intraOpNumThreads: threads, interOpNumThreads: 1 };
  try {
    // Two calls, not one: create's path and buffer forms are separate overloads.
    return typeof source === 'string' ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
  } catch (err) {
    throw new ColorizeError('INVALID_MODEL_FILE', `--model: ${label} is not a valid ONNX model (onnxruntime: ${(err as Error).message.split('\n')[0]}).`, { cause: err });
  }
}

/**
 * An onnxruntime session of an ONNX file (given with `--model`, or a cached export) or of its
 * bytes. `contents`: the file's bytes when the caller has already read them (not read again).
 */
export async function onnxFileEngine(ort: Ort, file: string | Uint8Array, threads: number | undefined, inChannels: number, contents?: Uint8Array): Promise<OnnxEngine> {
  const inFile = typeof file === 'string';
  const s = await session(ort, contents ?? file, inFile ? file : 'the exported model', threads);
  return { predictor: onnxPredictor(s, ort.Tensor, { inChannels }), path: inFile ? file : null, bytes: inFile ? null : file, release: () => s.release() };
}

/**
 * An onnxruntime session of a tfjs generator: its ONNX export is cached beside the model as
 * `model.<hash>.onnx` (or in the cache folder when the model folder is read-only), keyed by the
 * hash of its topology and weights, so it is exported once and rebuilt whenever they change.
 * A cached file that onnxruntime refuses is exported again.
 */
export async function exportedEngine(ort: Ort, generator: LoadedGenerator, threads?: number): Promise<OnnxEngine> {
  const inChannels = generatorInChannels(generator.model);
  const hash = await modelHash(generator.jsonPath);
  const candidates = [join(dirname(generator.jsonPath), `model.${hash}.onnx`), join(cacheDir(), 'onnx', `${hash}.onnx`)];
  for (const file of candidates) {
    // Only a regular file of its own: never a link (it could lead out of the folder) or a FIFO.
    if (!((await lstat(file).catch(() => undefined))?.isFile() ?? false)) continue;
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes === undefined) continue;
    const s = await session(ort, new Uint8Array(bytes), file, threads).catch(() => undefined);
    if (s !== undefined) return { predictor: onnxPredictor(s, ort.Tensor, { inChannels }), path: file, bytes: null, release: () => s.release() };
  }
  const bytes = exportOnnx(generator.model);
  let path: string | null = null;
  for (const file of candidates) {
    const written = await mkdir(dirname(file), { recursive: true })
      .then(() => writeFileAtomic(file, bytes))
      .then(() => true)
      .catch(() => false);
    if (written) {
      path = file;
      break;
    }
  }
  const s = await session(ort, bytes, `the export of ${generator.path}`, threads);
  return { predictor: onnxPredictor(s, ort.Tensor, { inChannels }), path, bytes: path === null ? bytes : null, release: () => s.release() };
}
