import * as tfl from '@tensorflow/tfjs-layers';

import { InstanceNormalization } from './instance-normalization.js';

type Symbolic = tfl.SymbolicTensor;

/** The normalisation after a conv: PyTorch-compatible BatchNorm, InstanceNorm, or none. */
export type Norm = 'batch' | 'instance' | 'none';

/** PyTorch's default conv initialisation (`kaiming_uniform_(a=√5)`): U(±1/√fan_in). */
export const torchConvInitializer = (): ReturnType<typeof tfl.initializers.varianceScaling> =>
  tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' });

/** A normalisation layer named `name`; BatchNorm with PyTorch's epsilon 1e-5 and momentum 0.1 (tfjs 0.9). */
export function normLayer(norm: Norm, name: string): tfl.layers.Layer | null {
  if (norm === 'batch') return tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9, name });
  if (norm === 'instance') return new InstanceNormalization({ name });
  return null;
}

/**
 * conv 3×3 (same) → norm → ReLU, twice: the U-Net's double conv. Convs have no bias when a
 * norm follows (it would cancel). Layers are named `${prefix}_conv1`, `${prefix}_bn1`, …
 */
export function doubleConv(x: Symbolic, filters: number, prefix: string, norm: Norm): Symbolic {
  let h = x;
  for (const i of [1, 2]) {
    h = tfl.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: norm === 'none', kernelInitializer: torchConvInitializer(), name: `${prefix}_conv${i}` })
      .apply(h) as Symbolic;
    const n = normLayer(norm, `${prefix}_${norm === 'instance' ? 'in' : 'bn'}${i}`);
    if (n !== null) h = n.apply(h) as Symbolic;
    h = tfl.layers.reLU({ name: `${prefix}_relu${i}` }).apply(h) as Symbolic;
  }
  return h;
}

/** An encoder block: double conv (kept as the skip), then 2×2 max-pool. */
export function encoderBlock(x: Symbolic, filters: number, prefix: string, norm: Norm): { skip: Symbolic; down: Symbolic } {
  const skip = doubleConv(x, filters, prefix, norm);
  const down = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `${prefix}_pool` }).apply(skip) as Symbolic;
  return { skip, down };
}

/** How a decoder block doubles the resolution. */
export type Upsample = 'transpose' | 'bilinear';

/**
 * A decoder block: upsample ×2 to `filters` channels (a 2×2/2 transposed conv with bias, or
 * bilinear resizing + 3×3 conv, which avoids checkerboard artefacts), concatenate
 * `[skip, upsampled]`, optional dropout, then a double conv.
 */
export function decoderBlock(
  x: Symbolic,
  skip: Symbolic,
  filters: number,
  prefix: string,
  options: { norm: Norm; upsample: Upsample; dropout: number },
): Symbolic {
  let up: Symbolic;
  if (options.upsample === 'transpose') {
    up = tfl.layers
      .conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'valid', useBias: true, kernelInitializer: torchConvInitializer(), name: `${prefix}_up` })
      .apply(x) as Symbolic;
  } else {
    const resized = tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: `${prefix}_resize` }).apply(x) as Symbolic;
    up = tfl.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: true, kernelInitializer: torchConvInitializer(), name: `${prefix}_up` })
      .apply(resized) as Symbolic;
  }
  let h = tfl.layers.concatenate({ axis: -1, name: `${prefix}_concat` }).apply([skip, up]) as Symbolic;
  if (options.dropout > 0) h = tfl.layers.dropout({ rate: options.dropout, name: `${prefix}_dropout` }).apply(h) as Symbolic;
  return doubleConv(h, filters, prefix, options.norm);
}

/** N(0, 0.02) weights and zero biases, as pix2pix initialises its critic. */
export const criticInitializer = (): ReturnType<typeof tfl.initializers.randomNormal> => tfl.initializers.randomNormal({ mean: 0, stddev: 0.02 });

/**
 * A PatchGAN critic block: zero padding 1, conv 4×4 `valid` with bias, optional norm,
 * optional LeakyReLU(0.2). Named `${name}`, `${name}_pad`, `${name}_norm`, `${name}_act`.
 */
export function criticBlock(
  x: Symbolic,
  filters: number,
  stride: number,
  name: string,
  options: { norm: Norm; activation: boolean },
): Symbolic {
  const padded = tfl.layers.zeroPadding2d({ padding: 1, name: `${name}_pad` }).apply(x) as Symbolic;
  let h = tfl.layers
    .conv2d({ filters, kernelSize: 4, strides: stride, padding: 'valid', useBias: true, kernelInitializer: criticInitializer(), biasInitializer: 'zeros', name })
    .apply(padded) as Symbolic;
  const n = normLayer(options.norm, `${name}_norm`);
  if (n !== null) h = n.apply(h) as Symbolic;
  if (options.activation) h = tfl.layers.leakyReLU({ alpha: 0.2, name: `${name}_act` }).apply(h) as Symbolic;
  return h;
}
