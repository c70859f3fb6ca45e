import { readFile } from 'node:fs/promises';

import type * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import type { AbPredictor } from '@colorize/models';
import { readOnnxMetadata } from '@colorize/models/onnx';

import type { CliIO } from './io.js';
import { loadGenerator, resolveModelPath } from './model-dir.js';
import { exportedEngine, loadOnnxRuntime, onnxFileEngine } from './onnx-engine.js';

/**
 * How to open the same model again in a worker thread: an ONNX file (or bytes, when the export
 * could not be cached) for onnxruntime, or a tfjs model path and backend.
 */
export type EngineSpec = { backend: BackendName | undefined } & (
  | { kind: 'onnx'; path: string | null; bytes: Uint8Array | null; inChannels: number }
  | { kind: 'tfjs'; path: string }
);

/** A model ready to colorize with, on either engine. */
export interface Engine {
  generator: tfl.LayersModel | AbPredictor;
  trainedSize: number | undefined;
  multiple: number;
  spec: EngineSpec;
  release(): Promise<void>;
}

/**
 * The engine `--engine` asks for; onnx falls back to tfjs, saying so, when onnxruntime-node is
 * not installed. `threads`: onnxruntime's intra-op threads (default: every core). The tfjs
 * backend must be initialised first (the onnx engine uses it too, to resize).
 */
export async function openEngine(name: 'onnx' | 'tfjs', modelFlag: string | undefined, backend: BackendName | undefined, io: CliIO, threads?: number): Promise<Engine> {
  const path = resolveModelPath(modelFlag);
  if (name === 'onnx') {
    const ort = await loadOnnxRuntime();
    if (typeof ort === 'string') {
      io.err(`colorize: ${ort}; colorizing with tfjs instead (--engine tfjs).\n`);
    } else if (path.endsWith('.onnx')) {
      const bytes = new Uint8Array(
        await readFile(path).catch((err: Error) => {
          throw new ColorizeError('IO_ERROR', `--model: cannot read ${path} (${err.message})`, { cause: err });
        }),
      );
      const info = (readOnnxMetadata(bytes) as { colorize?: { size?: number; depth?: number; hints?: boolean; spreadHints?: boolean } } | undefined)?.colorize;
      const inChannels = info?.spreadHints === true ? 6 : info?.hints === true ? 4 : 1;
      const e = await onnxFileEngine(ort, path, threads, inChannels, bytes);
      return { generator: e.predictor, trainedSize: info?.size, multiple: 2 ** (info?.depth ?? 4), spec: { kind: 'onnx', path, bytes: null, inChannels, backend }, release: e.release };
    } else {
      const generator = await loadGenerator(modelFlag);
      try {
        const e = await exportedEngine(ort, generator, threads);
        const spec: EngineSpec = { kind: 'onnx', path: e.path, bytes: e.bytes, inChannels: e.predictor.inChannels ?? 1, backend };
        return { generator: e.predictor, trainedSize: generator.trainedSize, multiple: generator.multiple, spec, release: e.release };
      } finally {
        generator.model.dispose();
      }
    }
  }
  const generator = await loadGenerator(modelFlag);
  return {
    generator: generator.model,
    trainedSize: generator.trainedSize,
    multiple: generator.multiple,
    spec: { kind: 'tfjs', path: generator.path, backend },
    release: async () => {
      generator.model.dispose();
    },
  };
}

/**
 * Opens the engine a spec describes, in a worker thread: its own tfjs backend (which the onnx
 * engine uses to resize), and a one-thread onnxruntime session or the tfjs model.
 */
export async function openEngineFromSpec(spec: EngineSpec, trainedSize: number | undefined, multiple: number): Promise<Engine> {
  // One thread each: the pool already runs a worker per core.
  await initBackend(spec.backend === undefined ? { wasmThreads: 1 } : { backend: spec.backend, wasmThreads: 1 });
  if (spec.kind === 'tfjs') {
    const generator = await loadGenerator(spec.path);
    return {
      generator: generator.model,
      trainedSize,
      multiple,
      spec,
      release: async () => {
        generator.model.dispose();
      },
    };
  }
  const ort = await loadOnnxRuntime();
  if (typeof ort === 'string') throw new ColorizeError('UNSUPPORTED', `colorize: ${ort}`);
  const e = await onnxFileEngine(ort, spec.path ?? spec.bytes!, 1, spec.inChannels);
  return { generator: e.predictor, trainedSize, multiple, spec, release: e.release };
}
