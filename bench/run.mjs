// Runs every benchmark suite in bench/suites against the built packages and writes
// bench/results/<suite>.json and .md, then bench/results/latest.json and BENCHMARKS.md from the
// latest results of every suite. Usage: npm run bench [-- <suite> ...] [-- --quick]
// Quick runs write to bench/results/quick/ and never replace the committed figures.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

import { goalRows } from './goals.mjs';
import { REFERENCES } from './references.mjs';

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

const out = quick ? 'bench/results/quick' : 'bench/results';
const table = (rows) => {
  const columns = Object.keys(rows[0] ?? {});
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => r[c]).join(' | ')} |`)].join('\n');
};

for (const suite of suites) {
  const mod = await import(`./suites/${suite}.mjs`);
  process.stdout.write(`bench ${suite}${quick ? ' (quick)' : ''}\n`);
  const started = performance.now();
  const rows = await mod.run({ quick, log: (line) => process.stdout.write(`  ${line}\n`) });
  process.stdout.write(`  ${suite}: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
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
  await mkdir(out, { recursive: true });
  await writeFile(join(out, `${suite}.json`), `${JSON.stringify({ suite, title: mod.title, description: mod.description, machine, quick, rows }, null, 2)}\n`);
  await writeFile(join(out, `${suite}.md`), md);
  process.stdout.write(`  wrote ${out}/${suite}.json and .md\n`);
}

// The summary of every suite's latest results (suites not run now keep their last figures).
const all = readdirSync('bench/suites')
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.replace(/\.mjs$/, ''))
  .filter((s) => existsSync(join(out, `${s}.json`)))
  .map((s) => JSON.parse(readFileSync(join(out, `${s}.json`), 'utf8')));
for (const r of all) {
  // results written before the suite files carried their title
  if (r.title === undefined) Object.assign(r, await import(`./suites/${r.suite}.mjs`).then((m) => ({ title: m.title, description: m.description })));
}
const goals = goalRows(Object.fromEntries(all.map((r) => [r.suite, r.rows])));
await writeFile(join(out, 'latest.json'), `${JSON.stringify({ machine, references: REFERENCES, goals, suites: all }, null, 2)}\n`);
const summary = [
  '# Benchmarks',
  '',
  '`npm run bench` writes this file from the latest run of each suite (`npm run bench -- <suite>` runs one; `-- --quick` ' +
    'runs a short version into bench/results/quick/). Times are medians of repeated runs after a warm-up; each suite says ' +
    'how many and gives min–max where it measures them. Benchmarks never fail CI.',
  '',
  `Summary written on Node ${machine.node}, ${machine.cores} × ${machine.cpu}, tfjs ${machine.tfjs}, ${machine.date}; each suite below names its own run.`,
  '',
  '## Goals',
  '',
  table(goals),
  '',
  '## References',
  '',
  'Measured on the project\'s 2-core machines (issue #10; PyTorch 1.13 with 2 threads, scikit-image 0.19), two runs each; ' +
    'differences under about 25 % are noise there. Ratios below divide our figure by these.',
  '',
  table(REFERENCES),
  '',
  ...all.flatMap((r) => [`## ${r.title ?? r.suite}`, '', r.description ?? '', '', `Node ${r.machine.node}, ${r.machine.cores} × ${r.machine.cpu}, tfjs ${r.machine.tfjs}, ${r.machine.date}${r.quick ? ', quick run' : ''}. Raw: [${r.suite}.json](${r.suite}.json).`, '', table(r.rows), '']),
].join('\n');
await writeFile(join(out, 'BENCHMARKS.md'), summary);
process.stdout.write(`wrote ${out}/latest.json and BENCHMARKS.md\n`);
