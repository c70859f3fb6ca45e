// Runs every benchmark suite in bench/suites against the built packages and writes
// bench/results/<suite>.json and .md. Usage: npm run bench [-- <suite> ...] [-- --quick]
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

tf.env().set('PROD', true);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const suites = readdirSync('bench/suites')
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.replace(/\.mjs$/, ''))
  .filter((s) => only.length === 0 || only.includes(s));

const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  tfjs: tf.version_core,
  date: new Date().toISOString().slice(0, 10),
};

for (const suite of suites) {
  const mod = await import(`./suites/${suite}.mjs`);
  process.stdout.write(`bench ${suite}${quick ? ' (quick)' : ''}\n`);
  const rows = await mod.run({ quick, log: (line) => process.stdout.write(`  ${line}\n`) });
  const columns = Object.keys(rows[0] ?? {});
  const md = [
    `# ${mod.title}`,
    '',
    mod.description,
    '',
    `Node ${machine.node}, ${machine.cores} × ${machine.cpu}, tfjs ${machine.tfjs}, ${machine.date}${quick ? ', quick run' : ''}.`,
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${columns.map((c) => r[c]).join(' | ')} |`),
    '',
  ].join('\n');
  await mkdir('bench/results', { recursive: true });
  await writeFile(join('bench/results', `${suite}.json`), `${JSON.stringify({ suite, machine, quick, rows }, null, 2)}\n`);
  await writeFile(join('bench/results', `${suite}.md`), md);
  process.stdout.write(`  wrote bench/results/${suite}.json and .md\n`);
}
