/**
 * ONNX export of colorize's models, and onnxruntime as an inference engine for
 * `colorizeImage`: a separate entry point, so browser bundles that only use tfjs do not
 * carry the ONNX protobuf code.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * import { exportOnnx, onnxPredictor } from '@colorize/models/onnx';
 * const session = await ort.InferenceSession.create(exportOnnx(generator));
 * const predictor = onnxPredictor(session, ort.Tensor); // for colorizeImage
 * ```
 * @module onnx
 */
export { exportOnnx, ONNX_EXPORTABLE_LAYERS, readOnnxMetadata } from './onnx/export-onnx.js';
export type { ExportOnnxOptions } from './onnx/export-onnx.js';
export { onnxPredictor } from './onnx/onnx-predictor.js';
export type { OnnxSessionLike, OnnxTensorClass } from './onnx/onnx-predictor.js';
