// Can the seed's PatchGAN critic tell the demo photos from the same photos in grey? Trains a
// critic alone on WGAN-GP's critic loss (real: L and ab; fake: L and a = b = 0) and prints, per
// epoch, the Wasserstein estimate mean D(real) − mean D(fake) and the penalty λ·GP. A check of
// the critic's side of training (packages/cli/model/README.md, "What was tried"), against the
// built packages: `npm run build`, then `node scripts/critic-separation.mjs [base] [epochs] [instance|none]`.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { buildPatchCritic } from '@colorize/models';
import { criticLoss, demoPhotos, gradientPenalty } from '@colorize/train';

tf.env().set('PROD', true);
await initBackend({ backend: 'wasm', wasmThreads: 1 });
const base = Number(process.argv[2] ?? 16);
const epochs = Number(process.argv[3] ?? 12);
const critic = buildPatchCritic({ base, norm: process.argv[4] ?? 'instance' });
const data = await demoPhotos({ split: 'train', size: 64, batchSize: 11, seed: 0 });
const optimizer = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
const vars = critic.trainableWeights.map((w) => w.read());
for (let epoch = 0; epoch < epochs; epoch += 1) {
  let w = 0;
  let gp = 0;
  let n = 0;
  for await (const { L, ab } of data.batches(epoch)) {
    const alpha = tf.randomUniform([L.shape[0]]);
    const { value, grads } = tf.variableGrads(() => {
      const real = tf.concat([L, ab], 3);
      const fake = tf.concat([L, tf.zerosLike(ab)], 3);
      const loss = criticLoss(critic.apply(real, { training: true }), critic.apply(fake, { training: true }));
      const penalty = gradientPenalty(critic, real, fake, { weight: 10, alpha });
      w -= loss.dataSync()[0];
      gp += penalty.dataSync()[0];
      n += 1;
      return tf.add(loss, penalty);
    }, vars);
    optimizer.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads), alpha, L, ab]);
  }
  console.log(`epoch ${epoch + 1}: W ${(w / n).toFixed(4)}  λ·GP ${(gp / n).toFixed(2)}`);
}
