import { ColorizeError, describeValue, invalid } from '@colorize/core';

import type { AbPredictor } from '../colorize-image.js';

/**
 * The part of an onnxruntime `InferenceSession` (from `onnxruntime-node` or `onnxruntime-web`)
 * that {@link onnxPredictor} uses; either package's session is one.
 * @group ONNX
 */
export interface OnnxSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
}

/** onnxruntime's `Tensor` class (`ort.Tensor`), from the same package as the session. @group ONNX */
export type OnnxTensorClass = new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;

/**
 * Wraps an onnxruntime session of a generator exported by {@link exportOnnx} (NHWC layout) as
 * an {@link AbPredictor}, so `colorizeImage` runs it: onnxruntime-node's native CPU (all
 * cores) or CUDA providers in Node, onnxruntime-web's wasm or WebGPU in the browser.
 *
 * @param session - an `InferenceSession` with one input L `[b, h, w, 1]` and one output ab `[b, h, w, 2]`.
 * @param Tensor - `ort.Tensor` from the same onnxruntime package.
 * @param options - `inChannels`: 4 for a hint model's export (input `[b, h, w, 4]`: L and hints), 6 for one that also sees the spread hints. Defaults to 1.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_MODEL_FILE` when the session is not a
 *   one-input, one-output model; the predictor throws `INVALID_SHAPE` when its output is not ab.
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import { colorizeImage } from '@colorize/models';
 * import { exportOnnx, onnxPredictor } from '@colorize/models/onnx';
 * const session = await ort.InferenceSession.create(exportOnnx(generator));
 * const out = await colorizeImage(onnxPredictor(session, ort.Tensor), photo);
 * ```
 * @group ONNX
 */
export function onnxPredictor(session: OnnxSessionLike, Tensor: OnnxTensorClass, options?: { inChannels?: number }): AbPredictor {
  const fn = 'onnxPredictor';
  if (session === null || typeof session !== 'object' || typeof session.run !== 'function' || !Array.isArray(session.inputNames)) {
    throw invalid('INVALID_OPTION', fn, 'an onnxruntime InferenceSession', describeValue(session));
  }
  if (typeof Tensor !== 'function') throw invalid('INVALID_OPTION', fn, 'the onnxruntime Tensor class (ort.Tensor)', describeValue(Tensor));
  if (session.inputNames.length !== 1 || session.outputNames.length !== 1) {
    throw new ColorizeError('INVALID_MODEL_FILE', `${fn}: expected a generator with one input (L) and one output (ab), got ${session.inputNames.length} inputs and ${session.outputNames.length} outputs.`);
  }
  const inChannels = options?.inChannels ?? 1;
  if (inChannels !== 1 && inChannels !== 4 && inChannels !== 6) throw invalid('INVALID_OPTION', fn, 'inChannels 1 (L), 4 (L and hints) or 6 (L, hints and spread hints)', describeValue(inChannels));
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  return {
    inChannels,
    async predictAb(x, dims) {
      const result = (await session.run({ [input]: new Tensor('float32', x, dims) }))[output];
      const [b, h, w] = dims;
      const ok = result !== undefined && result.data instanceof Float32Array && result.dims.length === 4 && result.dims[0] === b && result.dims[1] === h && result.dims[2] === w && result.dims[3] === 2;
      if (!ok) {
        throw invalid('INVALID_SHAPE', fn, `the model to give ab [${b}, ${h}, ${w}, 2] (an NHWC export of a generator)`, result === undefined ? 'no output' : `[${result.dims.join(', ')}]`);
      }
      return result.data as Float32Array;
    },
  };
}
