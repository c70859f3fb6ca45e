// Tries a classification model (colorize train --reconstruction classification) at several
// decodings: `colorize eval --json --temperature T --rebalance λ` on the demo photos' split, for
// each λ and T given, and prints one line per pair (ΔPSNR over grey, % of the originals'
// colorfulness) and writes every mean to a JSON file. Used for the model record's choice of
// decoding on the validation photos (packages/cli/model/README.md).
//
// Usage: node scripts/decoding-sweep.mjs <model folder> <validation|test|train> <out.json> <λ,λ,…> <T,T,…>
// Run `npm run build` first.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [model, split, out, lambdas, temperatures] = process.argv.slice(2);
if (!model || !['validation', 'test', 'train'].includes(split) || !out?.endsWith('.json') || !lambdas || !temperatures) {
  console.error('usage: node scripts/decoding-sweep.mjs <model folder> <validation|test|train> <out.json> <λ,λ,…> <T,T,…>');
  process.exit(2);
}
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli', 'bin', 'colorize.js');
const rows = [];
for (const rebalance of lambdas.split(',')) {
  for (const temperature of temperatures.split(',')) {
    const args = ['eval', '--model', model, '--data', 'demo', '--split', split, '--backend', 'wasm', '--json', '--rebalance', rebalance, '--temperature', temperature];
    const { mean } = JSON.parse(execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    const row = { rebalance: Number(rebalance), temperature: Number(temperature), gain: mean.psnr - mean.greyPsnr, colorfulness: mean.colorfulness / mean.realColorfulness, mean };
    rows.push(row);
    console.log(`λ ${rebalance}  T ${temperature}  ${row.gain >= 0 ? '+' : ''}${row.gain.toFixed(2)} dB  ${(100 * row.colorfulness).toFixed(0)} %`);
  }
}
writeFileSync(out, `${JSON.stringify({ model, split, rows }, null, 2)}\n`);
