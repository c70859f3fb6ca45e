import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Options of {@link InstanceNormalization}. */
export interface InstanceNormalizationArgs extends LayerArgs {
  /** Added to the variance before the square root. Defaults to 1e-5 (PyTorch's `InstanceNorm2d`). */
  epsilon?: number;
  /** Learn a per-channel scale and offset. Defaults to false (PyTorch's `InstanceNorm2d`). */
  affine?: boolean;
}

/**
 * Instance normalization (Ulyanov et al., 2016): each sample and channel normalized over its
 * height and width, `(x − mean_hw) / sqrt(var_hw + ε)` with the biased variance, as PyTorch's
 * `InstanceNorm2d` (no running statistics; the same in training and inference). Built from
 * differentiable ops only, so gradient penalties through it are right to second order.
 *
 * Input and output `[b, h, w, c]`.
 *
 * @example
 * ```ts
 * const y = new InstanceNormalization({ name: 'critic_norm2' }).apply(x) as tfl.SymbolicTensor;
 * ```
 */
export class InstanceNormalization extends tfl.layers.Layer {
  /** Name under which tfjs serializes and deserializes this layer. */
  static className = 'ColorizeInstanceNormalization';
  readonly epsilon: number;
  readonly affine: boolean;
  private gamma: tfl.LayerVariable | null = null;
  private beta: tfl.LayerVariable | null = null;

  constructor(args: InstanceNormalizationArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
    this.affine = args.affine ?? false;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || typeof channels !== 'number') {
      throw new Error(`InstanceNormalization: expected an input of shape [b, h, w, c] with known c, got [${shape.join(', ')}].`);
    }
    if (this.affine) {
      this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones());
      this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros());
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { mean, variance } = tf.moments(x, [1, 2], true);
      const y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      return this.gamma !== null && this.beta !== null ? tf.add(tf.mul(y, this.gamma.read()), this.beta.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, affine: this.affine };
  }
}
tf.serialization.registerClass(InstanceNormalization);
