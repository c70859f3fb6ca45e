// Your own GAN from tfjs layers: a critic with ELU activations and average pooling (ops whose
// second-order gradients tfjs gets wrong or cannot take), trained with colorize's gradient
// penalty, which is right for it on every backend. Usage: node custom-gan.js [steps]
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@colorize/core';
import { buildUNet } from '@colorize/models';
import { createWganGpTrainer, demoPhotos, gradientPenalty } from '@colorize/train';

const steps = Number(process.argv[2] ?? 5);
await initBackend();

const input = tfl.input({ shape: [32, 32, 3] }); // L and ab in model space
let x = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'elu' }).apply(input) as tfl.SymbolicTensor;
x = tfl.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'elu' }).apply(x) as tfl.SymbolicTensor;
const critic = tfl.model({ inputs: input, outputs: tfl.layers.conv2d({ filters: 1, kernelSize: 3 }).apply(x) as tfl.SymbolicTensor });

const trainer = createWganGpTrainer({ generator: buildUNet({ base: 8, depth: 2 }), critic, l1Weight: 50 });
const data = await demoPhotos({ size: 32, batchSize: 8 });
let step = 0;
for await (const batch of data.batches(0)) {
  const logs = await trainer.step(batch);
  // The penalty alone, as a number, for a look at the critic's gradient norm.
  const gp = tf.tidy(() => gradientPenalty(critic, tf.concat([batch.L, batch.ab], 3) as tf.Tensor4D, tf.concat([batch.L, tf.zerosLike(batch.ab)], 3) as tf.Tensor4D, { weight: 1, seed: step }));
  console.log(`step ${step + 1}: W ${logs.wasserstein.toFixed(4)}, GP ${logs.gradientPenalty.toFixed(3)}, grey-vs-real GP ${(await gp.data())[0]!.toFixed(3)}`);
  tf.dispose([batch.L, batch.ab, gp]);
  if (++step >= steps) break;
}
trainer.dispose();
