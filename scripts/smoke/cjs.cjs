// Plain Node, CommonJS, against the built packages: require() must work as well as import.
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');

const tf = require('@tensorflow/tfjs-core');
const tfl = require('@tensorflow/tfjs-layers');
const core = require('@colorize/core');
const { run } = require('@colorize/cli');
require('@colorize/lab');
require('@colorize/models');
const train = require('@colorize/train');

async function main() {
  tf.env().set('PROD', true);
  const backend = await core.initBackend({ backend: 'cpu' });
  const x = tf.randomUniform([2, 9, 9, 3], 0, 1, 'float32', 1);
  const { perImage } = await core.ssim(x, x, { dataRange: 1 });
  if (perImage.some((v) => Math.abs(v - 1) > 1e-5)) throw new Error(`ssim ${perImage}`);
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'colorize-smoke-')), 'm');
  await model.save(`file://${dir}`);
  const loaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
  if (loaded.countParams() !== 3) throw new Error('file:// round trip');
  const err = core.invalid('INVALID_SHAPE', 'f', 'x', 'y');
  if (!core.ColorizeError.isInstance(err) || typeof run !== 'function') throw new Error('exports');
  // Data-parallel gradients: the worker script is found beside the CJS build too.
  const replicas = await train.startWorkerReplicas({ workers: 1 });
  const generator = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [null, null, 1], filters: 2, kernelSize: 1 })] });
  const settings = { reconstructionLoss: 'l1', gradientPenaltyWeight: 10, l1Weight: 100 };
  const job = { loss: 'l1', settings, L: tf.ones([2, 4, 4, 1]), ab: tf.fill([2, 4, 4, 2], 0.5) };
  const shared = await replicas.gradients(job, { generator });
  await replicas.close();
  if (shared.grads.length !== 2 || !Number.isFinite(shared.terms.total)) throw new Error('worker replicas');
  // tfjs's threaded wasm build, which colorize starts in Node; the process must still exit by itself.
  await core.initBackend({ backend: 'wasm', wasmThreads: 2 });
  const threads = require('@tensorflow/tfjs-backend-wasm').getThreadsCount();
  const y = tf.conv2d(tf.ones([1, 32, 32, 8]), tf.ones([3, 3, 8, 16]), 1, 'valid');
  if ((await y.data()).some((v) => v !== 72)) throw new Error('threaded wasm conv2d');
  console.log(`cjs ok: ${backend}, ssim 1, file:// round trip, ${replicas.count} replicas, wasm threads ${threads}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
