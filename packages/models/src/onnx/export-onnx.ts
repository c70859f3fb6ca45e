import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertOptions, ColorizeError, describeValue, invalid } from '@colorize/core';
// onnx-proto is a CommonJS (protobufjs static) module with no named exports.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeInit = ConstructorParameters<typeof onnx.NodeProto>[0] & object;
type AttributeInit = ConstructorParameters<typeof onnx.AttributeProto>[0] & object;
type TensorInit = ConstructorParameters<typeof onnx.TensorProto>[0] & object;

/** Options of {@link exportOnnx}. @group ONNX */
export interface ExportOnnxOptions {
  /**
   * Layout of the ONNX model's inputs and outputs. `'nhwc'`: `[b, h, w, c]`, as tfjs and
   * colorize's API (a transpose at each end, inside the graph); `'nchw'`: `[b, c, h, w]`, as
   * PyTorch and most ONNX tools. Inside, the graph is always NCHW, which onnxruntime runs
   * fastest. Defaults to `'nhwc'`.
   */
  layout?: 'nhwc' | 'nchw';
  /** ONNX opset to declare: 13 or higher (the operators used are unchanged up to 21). Defaults to 13. */
  opset?: number;
  /** Written as the model's `producer_name`. Defaults to `'colorize'`. */
  producer?: string;
}

/** The layer classes {@link exportOnnx} can export. @group ONNX */
export const ONNX_EXPORTABLE_LAYERS: readonly string[] = [
  'InputLayer',
  'Conv2D',
  'Conv2DTranspose',
  'BatchNormalization',
  'ColorizeInstanceNormalization',
  'ReLU',
  'LeakyReLU',
  'Activation',
  'MaxPooling2D',
  'AveragePooling2D',
  'ZeroPadding2D',
  'Concatenate',
  'Add',
  'Rescaling',
  'UpSampling2D',
  'Dropout',
  'SpatialDropout2D',
];

/** The `metadata_props` key under which the tfjs model's user-defined metadata (JSON) is kept. */
const USER_METADATA_KEY = 'tfjs.userDefinedMetadata';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;
const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

type Config = Record<string, unknown>;
/** A layer's inbound tensors in `getConfig()`: `[layerName, nodeIndex, tensorIndex, kwargs]`. */
type InboundRef = [string, number, number, unknown?];

function attr(name: string, value: number | number[] | string, kind: 'int' | 'float' | 'ints' | 'string'): AttributeInit {
  if (kind === 'int') return { name, type: A.INT, i: value as number };
  if (kind === 'float') return { name, type: A.FLOAT, f: value as number };
  if (kind === 'ints') return { name, type: A.INTS, ints: value as number[] };
  return { name, type: A.STRING, s: new TextEncoder().encode(value as string) };
}

function bytesOf(view: Float32Array | BigInt64Array): Uint8Array {
  // ONNX raw_data is little-endian, as are the platforms tfjs runs on; copy to own the buffer.
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

/** `(pair | number)` config values as `[a, b]`. */
function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
}

/**
 * Builds the ONNX graph node by node. Every tensor inside is NCHW; `ref(name, node, tensor)` is
 * the ONNX name of a layer output.
 */
class GraphBuilder {
  readonly nodes: NodeInit[] = [];
  readonly initializers: TensorInit[] = [];
  private readonly used = new Set<string>();

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i += 1) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: string[], name: string, attributes: AttributeInit[] = [], output?: string): string {
    const out = output ?? this.unique(name);
    this.nodes.push({ opType, input: inputs, output: [out], name: this.unique(`${name}/${opType}`), attribute: attributes });
    return out;
  }

  floats(name: string, values: Float32Array, dims: number[]): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims, dataType: FLOAT, rawData: bytesOf(values) });
    return n;
  }

  ints(name: string, values: number[]): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims: [values.length], dataType: INT64, rawData: bytesOf(BigInt64Array.from(values.map(BigInt))) });
    return n;
  }

  /** A layer weight as an initializer, transposed by `perm` first (e.g. HWIO → OIHW). */
  weight(name: string, w: tf.Tensor, perm?: number[]): string {
    const t = perm === undefined ? w : tf.transpose(w, perm);
    try {
      return this.floats(name, t.dataSync() as Float32Array, t.shape);
    } finally {
      if (t !== w) t.dispose();
    }
  }
}

/** The ONNX op for a tfjs activation name, or null for `linear`. */
function activation(g: GraphBuilder, name: string, x: string, act: string, where: string): string {
  switch (act) {
    case 'linear':
      return x;
    case 'relu':
      return g.node('Relu', [x], name);
    case 'relu6':
      return g.node('Clip', [x, g.floats(`${name}/min`, new Float32Array([0]), []), g.floats(`${name}/max`, new Float32Array([6]), [])], name);
    case 'tanh':
      return g.node('Tanh', [x], name);
    case 'sigmoid':
      return g.node('Sigmoid', [x], name);
    case 'elu':
      return g.node('Elu', [x], name, [attr('alpha', 1, 'float')]);
    case 'selu':
      return g.node('Selu', [x], name);
    case 'softplus':
      return g.node('Softplus', [x], name);
    case 'softsign':
      return g.node('Softsign', [x], name);
    case 'hardSigmoid':
      return g.node('HardSigmoid', [x], name, [attr('alpha', 0.2, 'float'), attr('beta', 0.5, 'float')]);
    case 'softmax':
      // tfjs takes it over the last axis, the channels; inside the graph they are axis 1 (NCHW).
      return g.node('Softmax', [x], name, [attr('axis', 1, 'int')]);
    default:
      throw new ColorizeError('UNSUPPORTED', `exportOnnx: layer "${where}" uses the activation "${act}", which colorize cannot export to ONNX (supported: linear, relu, relu6, tanh, sigmoid, elu, selu, softplus, softsign, hardSigmoid, softmax).`);
  }
}

/** Conv/ConvTranspose/pool padding attributes for tfjs `same`/`valid`. */
function convPadding(padding: string, kernel: [number, number], strides: [number, number], dilation: [number, number]): AttributeInit[] {
  if (padding === 'valid') return [attr('pads', [0, 0, 0, 0], 'ints')];
  if (strides[0] === 1 && strides[1] === 1) {
    // TF's same padding at stride 1 does not depend on the input size: (k − 1)·d, the extra at the end.
    const th = (kernel[0] - 1) * dilation[0];
    const tw = (kernel[1] - 1) * dilation[1];
    return [attr('pads', [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)], 'ints')];
  }
  // Otherwise it depends on the (dynamic) input size; SAME_UPPER is TF's rule.
  return [attr('auto_pad', 'SAME_UPPER', 'string')];
}

function requireRank4(layer: tfl.layers.Layer, shape: (number | null)[]): void {
  if (shape.length !== 4) {
    throw new ColorizeError('UNSUPPORTED', `exportOnnx: layer "${layer.name}" (${layer.getClassName()}) works on rank-${shape.length} tensors; colorize exports image models, whose tensors are all [b, h, w, c].`);
  }
}

/** Emits one layer application; returns the ONNX names of its outputs. */
function emitLayer(g: GraphBuilder, layer: tfl.layers.Layer, inputs: string[], inShape: (number | null)[], outName: string): string {
  const cls = layer.getClassName();
  const c = layer.getConfig() as Config;
  const name = layer.name;
  const x = inputs[0]!;
  const weights = layer.getWeights();
  // originalName: tfjs adds _1, _2… to the names of variables made twice in one process.
  const weightNames = layer.weights.map((w) => w.originalName.slice(w.originalName.lastIndexOf('/') + 1));
  const weightOf = (key: string): tf.Tensor | undefined => weights[weightNames.indexOf(key)];
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') {
    throw new ColorizeError('UNSUPPORTED', `exportOnnx: layer "${name}" (${cls}) uses dataFormat "${String(c.dataFormat)}"; colorize exports channelsLast layers.`);
  }
  switch (cls) {
    case 'Conv2D':
    case 'Conv2DTranspose': {
      const kernel = pair(c.kernelSize);
      const strides = pair(c.strides);
      const dilation = pair(c.dilationRate ?? 1);
      const w = g.weight(`${name}/kernel`, weightOf('kernel')!, [3, 2, 0, 1]);
      const bias = c.useBias === true ? [g.weight(`${name}/bias`, weightOf('bias')!)] : [];
      const common = [attr('kernel_shape', kernel, 'ints'), attr('strides', strides, 'ints'), attr('dilations', dilation, 'ints')];
      const act = String(c.activation ?? 'linear');
      const out = act === 'linear' ? outName : `${outName}/pre`;
      let y: string;
      if (cls === 'Conv2D') {
        y = g.node('Conv', [x, w, ...bias], name, [...common, ...convPadding(String(c.padding), kernel, strides, dilation)], g.unique(out));
      } else {
        if (dilation[0] !== 1 || dilation[1] !== 1) throw new ColorizeError('UNSUPPORTED', `exportOnnx: layer "${name}" (Conv2DTranspose) has dilation ${dilation.join('×')}; tfjs itself supports only 1.`);
        // tfjs: valid gives (in − 1)·s + k, same gives in·s, cropping max(k − s, 0) with the extra at the end.
        const crop = c.padding === 'same' ? [0, 1].map((i) => Math.max(kernel[i]! - strides[i]!, 0)) : [0, 0];
        const pads = [Math.floor(crop[0]! / 2), Math.floor(crop[1]! / 2), crop[0]! - Math.floor(crop[0]! / 2), crop[1]! - Math.floor(crop[1]! / 2)];
        y = g.node('ConvTranspose', [x, w, ...bias], name, [...common, attr('pads', pads, 'ints')], g.unique(out));
      }
      return act === 'linear' ? y : activation(g, outName, y, act, name);
    }
    case 'BatchNormalization': {
      if (c.axis !== -1 && c.axis !== 3) throw new ColorizeError('UNSUPPORTED', `exportOnnx: layer "${name}" (BatchNormalization) normalizes axis ${String(c.axis)}; colorize exports the channel axis (-1) only.`);
      const mean = weightOf('moving_mean')!;
      const n = mean.shape[0]!;
      const gamma = c.scale === true ? g.weight(`${name}/gamma`, weightOf('gamma')!) : g.floats(`${name}/gamma`, new Float32Array(n).fill(1), [n]);
      const beta = c.center === true ? g.weight(`${name}/beta`, weightOf('beta')!) : g.floats(`${name}/beta`, new Float32Array(n), [n]);
      const inputsBn = [x, gamma, beta, g.weight(`${name}/moving_mean`, mean), g.weight(`${name}/moving_variance`, weightOf('moving_variance')!)];
      return g.node('BatchNormalization', inputsBn, name, [attr('epsilon', Number(c.epsilon), 'float')], g.unique(outName));
    }
    case 'ColorizeInstanceNormalization': {
      const n = inShape[3]!;
      const scale = weightOf('gamma') === undefined ? g.floats(`${name}/scale`, new Float32Array(n).fill(1), [n]) : g.weight(`${name}/gamma`, weightOf('gamma')!);
      const bias = weightOf('beta') === undefined ? g.floats(`${name}/bias`, new Float32Array(n), [n]) : g.weight(`${name}/beta`, weightOf('beta')!);
      return g.node('InstanceNormalization', [x, scale, bias], name, [attr('epsilon', Number(c.epsilon ?? 1e-5), 'float')], g.unique(outName));
    }
    case 'ReLU': {
      if (c.maxValue === undefined || c.maxValue === null) return g.node('Relu', [x], name, [], g.unique(outName));
      const max = g.floats(`${name}/max`, new Float32Array([Number(c.maxValue)]), []);
      return g.node('Clip', [x, g.floats(`${name}/min`, new Float32Array([0]), []), max], name, [], g.unique(outName));
    }
    case 'LeakyReLU':
      return g.node('LeakyRelu', [x], name, [attr('alpha', Number(c.alpha ?? 0.3), 'float')], g.unique(outName));
    case 'Activation':
      return activation(g, outName, x, String(c.activation), name);
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const kernel = pair(c.poolSize);
      const strides = pair(c.strides ?? c.poolSize);
      const padAttrs = convPadding(String(c.padding), kernel, strides, [1, 1]);
      // tfjs's average pool excludes the padding from the count, as ONNX's default.
      return g.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x], name, [attr('kernel_shape', kernel, 'ints'), attr('strides', strides, 'ints'), ...padAttrs], g.unique(outName));
    }
    case 'ZeroPadding2D': {
      const [[top, bottom], [left, right]] = c.padding as [[number, number], [number, number]];
      return g.node('Pad', [x, g.ints(`${name}/pads`, [0, 0, top, left, 0, 0, bottom, right])], name, [attr('mode', 'constant', 'string')], g.unique(outName));
    }
    case 'Concatenate': {
      const axis = Number(c.axis ?? -1);
      const nchwAxis = [0, 2, 3, 1][axis < 0 ? axis + 4 : axis]!;
      return g.node('Concat', inputs, name, [attr('axis', nchwAxis, 'int')], g.unique(outName));
    }
    case 'Add':
      return g.node('Sum', inputs, name, [], g.unique(outName));
    case 'Rescaling': {
      // x · scale + offset, scalars broadcast over NCHW.
      const scaled = g.node('Mul', [x, g.floats(`${name}/scale`, new Float32Array([Number(c.scale)]), [])], `${name}/mul`);
      return g.node('Add', [scaled, g.floats(`${name}/offset`, new Float32Array([Number(c.offset ?? 0)]), [])], name, [], g.unique(outName));
    }
    case 'UpSampling2D': {
      const [sh, sw] = pair(c.size);
      const scales = g.floats(`${name}/scales`, new Float32Array([1, 1, sh, sw]), [4]);
      // tfjs resizes without align-corners or half-pixel centres: ONNX's "asymmetric" mapping.
      const mode = c.interpolation === 'bilinear' ? [attr('mode', 'linear', 'string')] : [attr('mode', 'nearest', 'string'), attr('nearest_mode', 'floor', 'string')];
      return g.node('Resize', [x, '', scales], name, [...mode, attr('coordinate_transformation_mode', 'asymmetric', 'string')], g.unique(outName));
    }
    case 'Dropout':
    case 'SpatialDropout2D':
      return x; // the identity at inference
    default:
      throw unsupportedLayer(layer);
  }
}

function unsupportedLayer(layer: tfl.layers.Layer): ColorizeError {
  const exportable = ONNX_EXPORTABLE_LAYERS.filter((l) => l !== 'InputLayer').join(', ');
  return new ColorizeError('UNSUPPORTED', `exportOnnx: layer "${layer.name}" is a ${layer.getClassName()}, which colorize cannot export to ONNX (it exports ${exportable}).`);
}

function valueInfo(name: string, channels: number | null, layout: 'nhwc' | 'nchw'): ConstructorParameters<typeof onnx.ValueInfoProto>[0] & object {
  const c = channels === null ? { dimParam: 'channels' } : { dimValue: channels };
  const dims = layout === 'nhwc' ? [{ dimParam: 'batch' }, { dimParam: 'height' }, { dimParam: 'width' }, c] : [{ dimParam: 'batch' }, c, { dimParam: 'height' }, { dimParam: 'width' }];
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims } } } };
}

/**
 * Exports a tfjs layers model built from colorize's blocks (and the standard image layers they
 * use) to ONNX, for onnxruntime (Node, web, Python) and any ONNX tool. The model runs in its
 * inference form: BatchNormalization with its moving statistics, Dropout as the identity.
 *
 * Inputs and outputs keep the model's names, with dynamic batch, height and width; the model's
 * user-defined metadata (such as `colorize train`'s image size) is kept in `metadata_props`,
 * read back by {@link readOnnxMetadata}. Inside, the
 * graph is NCHW. Exported: {@link ONNX_EXPORTABLE_LAYERS} (Conv2D with same, valid or
 * explicit padding, Conv2DTranspose, BatchNormalization, InstanceNormalization, ReLU,
 * LeakyReLU, activations, pooling, ZeroPadding2D, Concatenate, Add, UpSampling2D, Dropout).
 *
 * @param model - a functional tfjs layers model whose tensors are all `[b, h, w, c]`.
 * @returns the ONNX `ModelProto`, encoded: write it to a `.onnx` file or pass it to
 *   `InferenceSession.create`.
 * @throws {@link @colorize/core!ColorizeError} `UNSUPPORTED` naming a layer and its class that
 *   cannot be exported; `INVALID_OPTION` for bad options.
 * @example
 * ```ts
 * import { exportOnnx } from '@colorize/models/onnx';
 * import * as ort from 'onnxruntime-node';
 * const session = await ort.InferenceSession.create(exportOnnx(generator));
 * ```
 * @group ONNX
 */
export function exportOnnx(model: tfl.LayersModel, options?: ExportOnnxOptions): Uint8Array {
  const fn = 'exportOnnx';
  const o = assertOptions(fn, options, ['layout', 'opset', 'producer']);
  const layout = o.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') throw invalid('INVALID_OPTION', fn, 'layout "nhwc" or "nchw"', describeValue(layout));
  const opset = o.opset ?? 13;
  if (!Number.isInteger(opset) || opset < 13) throw invalid('INVALID_OPTION', fn, 'opset to be an integer ≥ 13', describeValue(opset));
  if (model === null || typeof model !== 'object' || typeof (model as { getConfig?: unknown }).getConfig !== 'function' || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw invalid('INVALID_OPTION', fn, 'a tfjs layers model', describeValue(model));
  }
  const config = model.getConfig() as { layers?: Config[]; inputLayers?: InboundRef[]; outputLayers?: InboundRef[] };
  if (!Array.isArray(config.layers) || !Array.isArray(config.inputLayers)) {
    throw new ColorizeError('UNSUPPORTED', `exportOnnx: expected a functional model (tf.model or a colorize builder), got a ${model.getClassName()} without a layer graph.`);
  }
  const g = new GraphBuilder();
  const names = new Map<string, string>(); // "layer:node:tensor" → ONNX name
  const key = (r: InboundRef): string => `${r[0]}:${r[1]}:${r[2]}`;
  const graphInputs: ReturnType<typeof valueInfo>[] = [];
  for (const ref of config.inputLayers) {
    const input = model.getLayer(ref[0]);
    const shape = (input.getConfig() as { batchInputShape: (number | null)[] }).batchInputShape;
    requireRank4(input, shape);
    const inName = g.unique(ref[0]);
    graphInputs.push(valueInfo(inName, shape[3] ?? null, layout));
    names.set(key(ref), layout === 'nhwc' ? g.node('Transpose', [inName], `${ref[0]}/nchw`, [attr('perm', TO_NCHW, 'ints')]) : inName);
  }
  tf.tidy(() => {
    for (const lc of config.layers!) {
      const layerName = String(lc.name);
      const layer = model.getLayer(layerName);
      if (layer.getClassName() === 'InputLayer') continue;
      if (!ONNX_EXPORTABLE_LAYERS.includes(layer.getClassName())) throw unsupportedLayer(layer);
      const nodes = lc.inboundNodes as InboundRef[][];
      nodes.forEach((inbound, nodeIndex) => {
        const inputs = inbound.map((r) => {
          const n = names.get(key(r));
          if (n === undefined) throw new ColorizeError('UNSUPPORTED', `exportOnnx: layer "${layerName}" reads "${r[0]}" before it is computed; expected layers in graph order.`);
          return n;
        });
        const shapes = (layer.inboundNodes[nodeIndex]?.inputTensors ?? []).map((t) => t.shape);
        for (const shape of shapes) requireRank4(layer, shape);
        names.set(`${layerName}:${nodeIndex}:0`, emitLayer(g, layer, inputs, shapes[0] ?? [], nodeIndex === 0 ? layerName : `${layerName}_${nodeIndex}`));
      });
    }
  });
  const graphOutputs: ReturnType<typeof valueInfo>[] = [];
  for (const ref of config.outputLayers ?? []) {
    const inner = names.get(key(ref))!;
    const channels = model.getLayer(ref[0]).outputShape as (number | null)[];
    const outName = g.unique(`${ref[0]}_output`);
    g.node(layout === 'nhwc' ? 'Transpose' : 'Identity', [inner], `${ref[0]}/output`, layout === 'nhwc' ? [attr('perm', TO_NHWC, 'ints')] : [], outName);
    graphOutputs.push(valueInfo(outName, channels[3] ?? null, layout));
  }
  const metadata = model.getUserDefinedMetadata();
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: o.producer ?? 'colorize',
    producerVersion: tf.version_core,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: model.name, node: g.nodes, initializer: g.initializers, input: graphInputs, output: graphOutputs },
    metadataProps: metadata === undefined ? [] : [{ key: USER_METADATA_KEY, value: JSON.stringify(metadata) }],
  });
  return onnx.ModelProto.encode(proto).finish();
}

/**
 * The tfjs user-defined metadata that {@link exportOnnx} kept in an ONNX model, e.g.
 * `{ colorize: { size: 64, depth: 4 } }` for a model made by `colorize train`.
 *
 * @param bytes - an ONNX model file's bytes.
 * @returns the metadata, or `undefined` when the model carries none.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_MODEL_FILE` when `bytes` is not an ONNX model.
 * @group ONNX
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, unknown> | undefined {
  let proto: InstanceType<typeof onnx.ModelProto>;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ColorizeError('INVALID_MODEL_FILE', `readOnnxMetadata: expected an ONNX model, got bytes that do not decode as one (${(err as Error).message}).`, { cause: err });
  }
  if (proto.graph === null || proto.graph === undefined) throw new ColorizeError('INVALID_MODEL_FILE', 'readOnnxMetadata: expected an ONNX model, got one without a graph.');
  const entry = proto.metadataProps.find((p) => p.key === USER_METADATA_KEY);
  if (entry?.value === undefined || entry.value === null) return undefined;
  try {
    return JSON.parse(entry.value) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
