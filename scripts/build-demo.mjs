// Builds the browser demo into docs/build/demo: the page, one bundle of the built packages'
// browser entries and tfjs (cpu, webgl, webgpu, wasm), the shipped models, tfjs's wasm files and
// a sample photo. Run after `npm run build`. Usage: node scripts/build-demo.mjs [out]
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildDemo(out = join(root, 'docs', 'build', 'demo')) {
  await mkdir(join(out, 'model'), { recursive: true });
  await build({
    entryPoints: [join(root, 'docs', 'demo', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(out, 'main.js'),
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    // tfjs-backend-wasm's Node branch names Node built-ins it never uses in a browser.
    external: ['fs', 'path', 'worker_threads', 'perf_hooks', 'os', 'crypto'],
  });
  await copyFile(join(root, 'docs', 'demo', 'index.html'), join(out, 'index.html'));
  for (const name of ['model', 'hint-model']) {
    const model = join(root, 'packages', 'cli', name);
    await mkdir(join(out, name), { recursive: true });
    for (const f of await readdir(model)) if (f === 'model.json' || f.endsWith('.bin')) await copyFile(join(model, f), join(out, name, f));
  }
  const wasm = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of await readdir(wasm)) if (f.endsWith('.wasm')) await copyFile(join(wasm, f), join(out, f));
  await writeFile(join(out, 'sample.jpg'), await readFile(join(root, 'packages', 'train', 'demo-photos', 'python3-skimage__rocket.jpg')));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`demo built in ${await buildDemo(process.argv[2] ? resolve(process.argv[2]) : undefined)}\n`);
}
