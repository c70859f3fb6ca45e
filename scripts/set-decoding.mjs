// Writes a copy of a classification model (colorize train --reconstruction classification) that
// decodes at the given annealed-mean temperature and decoding-time rebalancing, the settings
// `colorize eval --temperature T --rebalance λ` tried, so that `colorize --model <out>` (and the
// ONNX export and the browser) use them. The rebalancing weights come from the training photos'
// colour frequencies kept in the model's metadata. Used for the shipped model
// (packages/cli/model/README.md).
//
// Usage: node scripts/set-decoding.mjs <model folder> <out folder> <T> <λ>
// Run `npm run build` first.
import * as tfl from '@tensorflow/tfjs-layers';

import { fileSystem, initBackend } from '@colorize/core';
import { abGamutBins } from '@colorize/lab';
import { setAnnealingTemperature, setClassBias } from '@colorize/models';
import { abClassWeights } from '@colorize/train';

const [model, out, t, l] = process.argv.slice(2);
const temperature = Number(t);
const rebalance = Number(l);
if (!model || !out || !(temperature > 0 && temperature <= 1) || !(rebalance >= 0 && rebalance <= 1)) {
  console.error('usage: node scripts/set-decoding.mjs <model folder> <out folder> <T in (0, 1]> <λ in [0, 1]>');
  process.exit(2);
}
await initBackend({ backend: 'wasm' });
const generator = await tfl.loadLayersModel(fileSystem(model));
const prior = generator.getUserDefinedMetadata()?.colorize?.classPrior;
if (!prior) throw new Error(`${model} keeps no colour-class frequencies (node scripts/add-class-prior.mjs <its run folder>)`);
setAnnealingTemperature(generator, temperature);
setClassBias(generator, abClassWeights(prior, abGamutBins().centres, { rebalance }).map(Math.log));
await generator.save(fileSystem(out));
console.log(`${out}: ${model} decoding at T ${temperature}, rebalanced at λ ${rebalance}`);
