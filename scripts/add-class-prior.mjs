// Gives a `colorize train --reconstruction classification` run made before `colorize train`
// kept the training photos' colour-class frequencies what `colorize eval --rebalance` needs:
// computes them as `colorize train` does when a run starts (abClassPrior over the run's training
// split: its data, extra training photos, size, crops and seed from config.json) and writes
// them into config.json (`classPrior`) and the metadata of every model.json in the run folder.
// Used for the model record's runs (packages/cli/model/README.md).
//
// Usage: node scripts/add-class-prior.mjs <run folder>
// Run `npm run build` first.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { initBackend, writeFileAtomic } from '@colorize/core';
import { abGamutBins } from '@colorize/lab';
import { abClassPrior, demoPhotos, imageFolder } from '@colorize/train';

const run = process.argv[2];
if (!run) {
  console.error('usage: node scripts/add-class-prior.mjs <run folder>');
  process.exit(2);
}
const configPath = join(run, 'config.json');
const config = JSON.parse(await readFile(configPath, 'utf8'));
if (config.reconstruction !== 'classification') throw new Error(`${configPath} is not a classification run`);
await initBackend({ backend: 'wasm' });
const options = {
  split: 'train',
  size: config.size,
  batchSize: config.batch,
  seed: config.seed,
  ...(config.randomCrop ? { randomCrop: config.randomCrop } : {}),
  extraTrainFiles: config.extraTrain ? [config.extraTrain] : [],
};
const data = config.data === 'demo' ? await demoPhotos(options) : await imageFolder({ dir: config.data, ...options });
const prior = Array.from(await abClassPrior(data, abGamutBins().centres));
await writeFileAtomic(configPath, `${JSON.stringify({ ...config, classPrior: prior }, null, 2)}\n`);

async function* modelFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) yield* modelFiles(join(dir, entry.name));
    else if (entry.name === 'model.json') yield join(dir, entry.name);
  }
}
let written = 0;
for await (const file of modelFiles(run)) {
  const json = JSON.parse(await readFile(file, 'utf8'));
  if (!json.modelTopology?.config?.layers?.some((l) => l.name === 'head_temperature')) continue;
  const metadata = json.userDefinedMetadata ?? {};
  json.userDefinedMetadata = { ...metadata, colorize: { ...metadata.colorize, classPrior: prior } };
  await writeFileAtomic(file, JSON.stringify(json));
  written += 1;
}
console.log(`${run}: the colour-class frequencies of ${data.size} training photos written to config.json and ${written} model.json files`);
