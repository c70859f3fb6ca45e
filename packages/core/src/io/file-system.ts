import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

import { ColorizeError, describeValue, invalid } from '../errors.js';
import { syncFolder, writeFileAtomic } from './atomic-write.js';
import { weightSpecBytes } from './weight-specs.js';

type ModelArtifacts = tf.io.ModelArtifacts;
type ModelJSON = tf.io.ModelJSON;
type WeightsManifestEntry = tf.io.WeightsManifestEntry;

/** The URL scheme handled by {@link fileSystem}'s routers. */
const SCHEME = 'file://';
const MODEL_JSON = 'model.json';
/** Weight files are named by a hash of their content, so a new save never overwrites the weights the current model.json points to. */
const WEIGHTS_NAME = /^weights\.[0-9a-f]{16}\.bin$/;
const TEMP_NAME = /\.tmp-[0-9a-f]+$/;

function ioError(fn: string, what: string, err: unknown): ColorizeError {
  return new ColorizeError('IO_ERROR', `${fn}: could not ${what} (${(err as Error).message}).`, { cause: err });
}

function weightChunks(data: tf.io.WeightData | undefined): Uint8Array[] {
  if (data === undefined) return [];
  return (Array.isArray(data) ? data : [data]).map((b) => new Uint8Array(b));
}

async function save(dir: string, artifacts: ModelArtifacts): Promise<tf.io.SaveResult> {
  const fn = 'fileSystem.save';
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw invalid('INVALID_OPTION', fn, 'a model topology as JSON', 'binary topology');
  }
  try {
    await mkdir(dir, { recursive: true });
    const chunks = weightChunks(artifacts.weightData);
    const hash = createHash('sha256');
    for (const c of chunks) hash.update(c);
    const weightsName = `weights.${hash.digest('hex').slice(0, 16)}.bin`;
    const manifest: tf.io.WeightsManifestConfig = [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }];
    const modelJson: ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      weightsManifest: manifest,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers`,
      convertedBy: artifacts.convertedBy ?? null,
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      ...(artifacts.signature ? { signature: artifacts.signature } : {}),
      ...(artifacts.modelInitializer ? { modelInitializer: artifacts.modelInitializer } : {}),
    };
    // 1. the weights under a new name, 2. model.json pointing at them, atomically replacing the old
    // one; a crash before 2 leaves the old model.json and its weights untouched.
    await writeFileAtomic(join(dir, weightsName), chunks);
    await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
    await syncFolder(dir);
    // 3. only now remove weights no model.json points at, and temporaries of crashed saves.
    for (const entry of await readdir(dir)) {
      if ((WEIGHTS_NAME.test(entry) && entry !== weightsName) || TEMP_NAME.test(entry)) {
        await rm(join(dir, entry), { force: true });
      }
    }
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  } catch (err) {
    if (ColorizeError.isInstance(err)) throw err;
    throw ioError(fn, `save the model to ${dir}`, err);
  }
}

function bad(file: string, problem: string): ColorizeError {
  return new ColorizeError('INVALID_MODEL_FILE', `fileSystem.load: ${file}: ${problem}.`);
}

/** Resolves a manifest path, refusing any that leaves the model folder, also through a link. */
async function weightPath(dir: string, realDir: string, file: string, path: unknown): Promise<string> {
  if (typeof path !== 'string' || path === '' || path.includes('\0') || isAbsolute(path)) {
    throw bad(file, `weight path ${describeValue(path)} must be a relative path inside the model folder`);
  }
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw bad(file, `weight path "${path}" leaves the model folder`);
  }
  let real: string;
  try {
    real = await realpath(full);
  } catch (err) {
    throw bad(file, `weight file "${path}" is missing (${(err as Error).message})`);
  }
  const realRel = relative(realDir, real);
  if (realRel.startsWith('..') || isAbsolute(realRel)) {
    throw bad(file, `weight path "${path}" leaves the model folder through a link`);
  }
  return real;
}

/** The largest model.json read (bytes): topologies are kilobytes; the weights are in their own files. */
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

async function load(url: string): Promise<ModelArtifacts> {
  const fn = 'fileSystem.load';
  const file = url.endsWith('.json') ? url : join(url, MODEL_JSON);
  const dir = dirname(file);
  // A FIFO, socket or device would hang or never end a read: only regular files are read.
  const info = await stat(file).catch((err: unknown) => {
    throw ioError(fn, `read ${file}`, err);
  });
  if (!info.isFile()) throw bad(file, 'is not a regular file');
  // A model.json that is a link must stay in its folder, as its weights must.
  const realFile = await realpath(file);
  if (dirname(realFile) !== (await realpath(dirname(file)))) throw bad(file, `is a link to ${realFile}, outside its model folder`);
  if (info.size > MAX_MODEL_JSON_BYTES) throw bad(file, `is ${info.size} bytes, more than the ${MAX_MODEL_JSON_BYTES} a model.json may be`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw ioError(fn, `read ${file}`, err);
  }
  let json: ModelJSON;
  try {
    json = JSON.parse(text) as ModelJSON;
  } catch (err) {
    throw bad(file, `is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw bad(file, 'has no modelTopology object');
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw bad(file, 'weightsManifest must be an array');
  const realDir = await realpath(dir);
  const groups: { paths: string[]; sizes: number[]; specs: WeightsManifestEntry[] }[] = [];
  const seen = new Set<string>();
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw bad(file, 'each weightsManifest group needs "paths" and "weights" arrays');
    }
    const paths: string[] = [];
    const sizes: number[] = [];
    for (const p of group.paths) {
      const path = await weightPath(dir, realDir, file, p);
      // Each file once, and its size known before any is read: a manifest naming one file many
      // times (or a huge one) is refused without reading it.
      if (seen.has(path)) throw bad(file, `weightsManifest lists weight file ${basename(path)} more than once`);
      seen.add(path);
      const weightInfo = await stat(path).catch((err: unknown) => {
        throw ioError(fn, `read ${path}`, err);
      });
      if (!weightInfo.isFile()) throw bad(file, `weight file ${basename(path)} is not a regular file`);
      paths.push(path);
      sizes.push(weightInfo.size);
    }
    groups.push({ paths, sizes, specs: group.weights });
  }
  for (const { paths, sizes, specs: groupSpecs } of groups) {
    const expected = weightSpecBytes(groupSpecs, (problem) => bad(file, problem));
    const actual = sizes.reduce((a, b) => a + b, 0);
    const names = paths.length <= 3 ? paths.map((p) => basename(p)).join(', ') : `${paths.slice(0, 3).map((p) => basename(p)).join(', ')} and ${paths.length - 3} more`;
    if (expected !== undefined && actual < expected) {
      throw bad(file, `weight file ${names} is truncated: the weights need ${expected} bytes, the file holds ${actual}`);
    }
    if (expected !== undefined && actual > expected) {
      throw bad(file, `weight file ${names} does not match its specs: it holds ${actual} bytes, the specs describe ${expected}`);
    }
  }
  return tf.io.getModelArtifactsForJSON(json, async () => {
    const specs: WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const { paths, specs: groupSpecs } of groups) {
      const expected = weightSpecBytes(groupSpecs, (problem) => bad(file, problem));
      let actual = 0;
      for (const p of paths) {
        const bytes = await readFile(p).catch((err: unknown) => {
          throw ioError(fn, `read ${p}`, err);
        });
        actual += bytes.byteLength;
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
      const names = paths.length <= 3 ? paths.map((p) => basename(p)).join(', ') : `${paths.slice(0, 3).map((p) => basename(p)).join(', ')} and ${paths.length - 3} more`;
      if (expected !== undefined && actual < expected) {
        throw bad(file, `weight file ${names} is truncated: the weights need ${expected} bytes, the file holds ${actual}`);
      }
      if (expected !== undefined && actual > expected) {
        throw bad(file, `weight file ${names} does not match its specs: it holds ${actual} bytes, the specs describe ${expected}`);
      }
      specs.push(...groupSpecs);
    }
    return [specs, buffers];
  });
}

/**
 * A tfjs IO handler that saves a model to a folder and loads it back, in Node, without tfjs-node.
 *
 * Saving writes `model.json` and one `weights.<hash>.bin`. It is atomic: each file is written
 * under a temporary name, flushed to disk and renamed; the weights first, under a name no
 * current file has, then `model.json`. A crash at any point leaves the previous model loadable.
 * Loading checks the manifest: weight paths must stay inside the folder (also through links),
 * and the files' byte sizes must match the weight specs.
 *
 * `@colorize/core` registers this for `file://` URLs when imported in Node, so
 * `model.save('file://dir')` and `tf.loadLayersModel('file://dir/model.json')` just work.
 *
 * @param path - a folder to save to or load from, or the path of a `model.json` to load.
 * @throws {@link ColorizeError} `INVALID_MODEL_FILE` for a malformed, unsafe, truncated or
 *   inconsistent model folder; `IO_ERROR` when the file system fails.
 * @example
 * ```ts
 * await model.save(fileSystem('runs/demo/generator'));
 * const again = await tf.loadLayersModel(fileSystem('runs/demo/generator'));
 * ```
 * @group Model files
 */
export function fileSystem(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || path === '') {
    throw invalid('INVALID_OPTION', 'fileSystem', 'a folder or model.json path', describeValue(path));
  }
  const local = resolve(path.startsWith(SCHEME) ? path.slice(SCHEME.length) : path);
  return {
    save: (artifacts) => save(local.endsWith('.json') ? dirname(local) : local, artifacts),
    load: () => load(local),
  };
}

/**
 * Set on `globalThis` once routers are registered, so that two loaded copies of this package
 * (ESM and CJS, say) register them once: tfjs refuses to save when two routers match a URL.
 */
const REGISTERED = Symbol.for('@colorize/core.fileSystemRouters');

/**
 * Registers {@link fileSystem} as tfjs's save and load handler for `file://` URLs. Importing
 * `@colorize/core` in Node calls this; calling it again does nothing. It steps aside for any
 * other `file://` handler, registered before or after it (`@tensorflow/tfjs-node` registers its
 * own): tfjs refuses to save or load when two handlers match a URL.
 *
 * @group Model files
 */
export function registerFileSystemRouters(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[REGISTERED] === true) return;
  g[REGISTERED] = true;
  let asking = false;
  // Ours only when no other router takes the URL: while it asks the others, it answers none.
  const route = (others: (url: string) => tf.io.IOHandler[]) => (url: string | string[]): tf.io.IOHandler => {
    if (asking || typeof url !== 'string' || !url.startsWith(SCHEME)) return null as unknown as tf.io.IOHandler;
    asking = true;
    try {
      if (others(url).length > 0) return null as unknown as tf.io.IOHandler;
    } finally {
      asking = false;
    }
    return fileSystem(url);
  };
  tf.io.registerSaveRouter(route((url) => tf.io.getSaveHandlers(url)));
  tf.io.registerLoadRouter(route((url) => tf.io.getLoadHandlers(url)));
}
