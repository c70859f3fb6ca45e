import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm'; // registers tfjs's forward convs, which colorize's wrap
import { describe, expect, it, vi } from 'vitest';

import { registerTrainingSupport, TRAINING_SUPPORT } from './register-training-support.js';
import { SECOND_ORDER_GRADIENTS } from './second-order-gradients.js';
import { WASM_TRAINING_KERNELS } from './wasm-kernels.js';

describe('registerTrainingSupport', () => {
  it('registers the gradients and wasm kernels, twice harmlessly, printing nothing', () => {
    const spies = (['log', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m));
    const wasEnv = tf.env().getBool('PROD');
    tf.env().set('PROD', false); // tfjs prints registration warnings only outside PROD
    try {
      registerTrainingSupport();
      registerTrainingSupport();
    } finally {
      tf.env().set('PROD', wasEnv);
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();

    for (const op of TRAINING_SUPPORT.zeroGradients) expect(tf.getGradient(op), op).toBeDefined();
    for (const config of SECOND_ORDER_GRADIENTS) expect(tf.getGradient(config.kernelName)).toBe(config);
    for (const [name, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc).toBe(kernelFunc);
    }
    expect(TRAINING_SUPPORT.wasmKernels).toEqual([
      'Conv2DBackpropInput',
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'Conv2D',
      'FusedConv2D',
      'Sum',
      'Mean',
      'Concat',
    ]);
    // The wrapped kernels keep tfjs's setup, which binds their fallbacks' wasm functions.
    for (const name of ['Conv2D', 'FusedConv2D', 'Sum', 'Mean']) expect(tf.getKernel(name, 'wasm')?.setupFunc, name).toBeInstanceOf(Function);
    expect(TRAINING_SUPPORT.secondOrderGradients).toEqual(
      expect.arrayContaining(['Tanh', 'Sigmoid', 'Exp', 'Elu', 'Pow', 'Softmax', 'Max', 'Min', 'AvgPoolGrad', 'MaxPoolGrad']),
    );
  });
});
