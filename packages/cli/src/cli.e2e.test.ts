import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { rgb8ToModelLab } from '@colorize/lab';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { modelHash } from './onnx-engine.js';

/**
 * The built `colorize` binary run as a user runs it (`npm test` builds first), on the shipped
 * model and the shipped demo photos.
 */
const BIN = resolve('packages/cli/bin/colorize.js');
const PHOTOS = resolve('packages/train/demo-photos');
let dir: string;

function colorize(args: string[], cwd = dir, env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, COLORIZE_BACKEND: 'wasm', ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** CIELAB L (0–100) of every pixel of an image file, as the library computes it. */
async function lightness(path: string): Promise<{ L: Float32Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(path).toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const rgb = info.channels === 3 ? data : Uint8Array.from({ length: info.width * info.height * 3 }, (_, i) => data[Math.floor(i / 3) * info.channels + (info.channels >= 3 ? i % 3 : 0)]!);
  return { L: rgb8ToModelLab(rgb).L.map((v) => (v + 1) * 50), width: info.width, height: info.height, channels: info.channels };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colorize-cli-'));
  const src = sharp(join(PHOTOS, 'python3-skimage__rocket.jpg'));
  await mkdir(join(dir, 'in'), { recursive: true });
  await src.clone().resize(301, 203).jpeg({ quality: 95 }).toFile(join(dir, 'in', 'photo.jpg'));
  await src.clone().resize(150, 120).ensureAlpha(0.6).png().toFile(join(dir, 'in', 'alpha.png'));
  await src.clone().resize(97, 131).grayscale().png().toFile(join(dir, 'in', 'grey.png'));
  await src.clone().resize(120, 80).toColourspace('rgb16').png().toFile(join(dir, 'in', 'deep.png'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('colorize <images>', () => {
  it('keeps each photo\'s size and its own L (JPEG, PNG with alpha, grey, 16-bit)', async () => {
    const r = colorize(['in', '-o', 'out']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/colorized 4 of 4 images into .*out/);
    for (const [name, w, h, channels] of [['photo.jpg', 301, 203, 3], ['alpha.png', 150, 120, 4], ['grey.png', 97, 131, 3], ['deep.png', 120, 80, 3]] as const) {
      const input = await lightness(join(dir, 'in', name));
      const output = await lightness(join(dir, 'out', 'in', name));
      expect([output.width, output.height, output.channels], name).toEqual([w, h, channels]);
      // The output is the input's L joined with new a and b, stored in 8 bits: L moves only by the
      // rounding of each channel (and JPEG's own loss for the JPEG).
      let sum = 0;
      for (let i = 0; i < input.L.length; i++) sum += Math.abs(output.L[i]! - input.L[i]!);
      expect(sum / input.L.length, name).toBeLessThan(name.endsWith('.jpg') ? 1.0 : 0.5);
    }
    const alpha = await sharp(join(dir, 'out', 'in', 'alpha.png')).extractChannel(3).raw().toBuffer();
    expect(alpha.every((a) => a === 153)).toBe(true);
  });

  it('reports a missing file and an unreadable image in one line each, exits 1, and still does the others', async () => {
    await writeFile(join(dir, 'broken.jpg'), 'not a jpeg');
    const r = colorize(['missing.jpg', 'broken.jpg', join('in', 'photo.jpg'), '-o', 'out2']);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('colorize: missing.jpg: no such file or folder');
    expect(lines[1]).toMatch(/^colorize: broken\.jpg: not a readable image \(.+\)$/);
    expect(existsSync(join(dir, 'out2', 'photo.jpg'))).toBe(true);
  });

  it('on one worker, which writes each photo while it colorizes the next, still writes and reports every photo, a bad one among them', async () => {
    await mkdir(join(dir, 'batch'), { recursive: true });
    const names = ['a.jpg', 'b.png', 'c.jpg', 'd.jpg', 'e.png'];
    for (const name of names) {
      if (name === 'c.jpg') await writeFile(join(dir, 'batch', name), 'not a jpeg');
      else await copyFile(join(dir, 'in', name.endsWith('.png') ? 'alpha.png' : 'photo.jpg'), join(dir, 'batch', name));
    }
    const r = colorize(['batch', '-o', 'out3', '-j', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^colorize: .*c\.jpg: not a readable image \(.+\)\n$/);
    expect(r.stdout).toMatch(/colorized 4 of 5 images into .*out3/);
    for (const name of names.filter((n) => n !== 'c.jpg')) {
      const { width, height } = await sharp(join(dir, 'out3', 'batch', name)).metadata();
      expect([width, height], name).toEqual(name.endsWith('.png') ? [150, 120] : [301, 203]);
    }
    expect(existsSync(join(dir, 'out3', 'batch', 'c.jpg'))).toBe(false);
  });

  it('refuses a model folder that is not a model, and an unknown backend, in one line with a non-zero exit', async () => {
    await mkdir(join(dir, 'not-a-model'), { recursive: true });
    await writeFile(join(dir, 'not-a-model', 'model.json'), '{"hello": 1}');
    const notModel = colorize([join('in', 'photo.jpg'), '--model', 'not-a-model']);
    expect(notModel.status).toBe(1);
    expect(notModel.stderr.trim().split('\n')).toHaveLength(1);
    expect(notModel.stderr).toMatch(/^colorize: fileSystem\.load: .*model\.json: has no modelTopology object\.$/m);
    const empty = colorize([join('in', 'photo.jpg'), '--model', 'in']);
    expect(empty.stderr).toBe('colorize: --model: "in" holds no model.json (nor model/model.json of a training run).\n');
    const backend = colorize([join('in', 'photo.jpg'), '--backend', 'quantum']);
    expect(backend.status).toBe(1);
    expect(backend.stderr.trim().split('\n')).toHaveLength(1);
    expect(backend.stderr).toMatch(/^colorize: initBackend: expected backend .*got "quantum"/);
  });
});

describe('colorize --engine', () => {
  const SHIPPED = resolve('packages/cli/model');
  async function copyModel(name: string): Promise<string> {
    const to = join(dir, name);
    await mkdir(to, { recursive: true });
    for (const f of await readdir(SHIPPED)) if (f === 'model.json' || f.endsWith('.bin')) await copyFile(join(SHIPPED, f), join(to, f));
    return to;
  }
  const exports = async (folder: string): Promise<string[]> => (await readdir(folder)).filter((f) => /^model\.[0-9a-f]{16}\.onnx$/.test(f));
  async function maxDiff(a: string, b: string): Promise<number> {
    const [x, y] = await Promise.all([sharp(a).raw().toBuffer(), sharp(b).raw().toBuffer()]);
    expect(x.length).toBe(y.length);
    let worst = 0;
    for (let i = 0; i < x.length; i += 1) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    return worst;
  }

  it('onnx (the default) and tfjs give the same images; the export is cached beside the model by hash, and a corrupt one is rebuilt', async () => {
    const model = await copyModel('engine-model');
    const photos = [join('in', 'alpha.png'), join('in', 'grey.png')];
    const onnx = colorize([...photos, '--model', model, '-o', 'engine-onnx']);
    expect(onnx.stderr).toBe('');
    expect(onnx.status).toBe(0);
    const tfjs = colorize([...photos, '--model', model, '-o', 'engine-tfjs', '--engine', 'tfjs']);
    expect(tfjs.status).toBe(0);
    for (const name of ['alpha.png', 'grey.png']) {
      // PNG, so the only differences are float rounding (≤ 1e-4 in ab) crossing an 8-bit step
      expect(await maxDiff(join(dir, 'engine-onnx', name), join(dir, 'engine-tfjs', name)), name).toBeLessThanOrEqual(1);
    }
    const [cached] = await exports(model);
    expect(cached).toBeDefined();
    await writeFile(join(model, cached!), 'not onnx');
    const again = colorize([photos[0]!, '--model', model, '-o', 'engine-again']);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect((await readFile(join(model, cached!))).length).toBeGreaterThan(100_000);
    // one photo runs in the main thread (onnxruntime on every core), two on the worker pool: same bytes
    expect(await maxDiff(join(dir, 'engine-again', 'alpha.png'), join(dir, 'engine-onnx', 'alpha.png'))).toBe(0);
    // the exported file runs on its own with --model, with the same result
    const direct = colorize([photos[0]!, '--model', join(model, cached!), '-o', 'engine-direct']);
    expect(direct.stderr).toBe('');
    expect(await maxDiff(join(dir, 'engine-direct', 'alpha.png'), join(dir, 'engine-onnx', 'alpha.png'))).toBe(0);
    // weights that change get a new export
    const weights = (await readdir(model)).find((f) => f.endsWith('.bin'))!;
    const bytes = await readFile(join(model, weights));
    bytes[100] = bytes[100]! ^ 1;
    await writeFile(join(model, weights), bytes);
    expect(colorize([photos[0]!, '--model', model, '-o', 'engine-changed']).status).toBe(0);
    expect(await exports(model)).toHaveLength(2);
  });

  it('refuses a corrupt ONNX file, an unknown engine and a bad --jobs in one line each', async () => {
    await writeFile(join(dir, 'broken.onnx'), new Uint8Array(2000).map((_, i) => (i * 7919) % 251));
    const broken = colorize([join('in', 'photo.jpg'), '--model', 'broken.onnx']);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^colorize: (readOnnxMetadata: expected an ONNX model|--model: .*broken\.onnx is not a valid ONNX model)/);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    const tfjs = colorize([join('in', 'photo.jpg'), '--model', 'broken.onnx', '--engine', 'tfjs']);
    expect(tfjs.stderr).toMatch(/^colorize: --model: .*broken\.onnx is an ONNX file, which only the onnx engine runs/);
    const engine = colorize([join('in', 'photo.jpg'), '--engine', 'torch']);
    expect(engine.status).toBe(2);
    expect(engine.stderr).toMatch(/^colorize: --engine: expected onnx or tfjs, got "torch"\./);
    const jobs = colorize(['in', '--jobs', '0']);
    expect(jobs.status).toBe(2);
    expect(jobs.stderr).toMatch(/^colorize: --jobs expects an integer ≥ 1, got "0"\./);
  });

  it('caches the export in the cache folder when it cannot be written beside the model', async () => {
    const model = await copyModel('engine-unwritable');
    // A folder where the export would go: unwritable there even for root (a read-only
    // installation is the usual case).
    await mkdir(join(model, `model.${await modelHash(join(model, 'model.json'))}.onnx`));
    const r = colorize([join('in', 'grey.png'), '--model', model, '-o', 'engine-ro'], dir, { COLORIZE_CACHE: join(dir, 'cache') });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((await readdir(join(dir, 'cache', 'onnx'))).filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
  });
});

describe('colorize eval and demo', () => {
  it('eval --json gives per-image and mean PSNR, SSIM and colorfulness beside the grey baseline', () => {
    const r = colorize(['eval', '--data', 'demo', '--split', 'test', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { split: string; images: Record<string, number | string>[]; mean: Record<string, number> };
    expect(report.split).toBe('test');
    expect(report.images).toHaveLength(11);
    for (const key of ['psnr', 'greyPsnr', 'ssim', 'greySsim', 'colorfulness', 'realColorfulness']) {
      expect(Number.isFinite(report.mean[key]), key).toBe(true);
      const mean = report.images.reduce((s, row) => s + (row[key] as number), 0) / report.images.length;
      expect(report.mean[key]).toBeCloseTo(mean, 9);
    }
    expect(report.mean['greySsim']).toBeLessThanOrEqual(1);
  });

  it('demo writes the comparison figure and prints both models\' PSNR beside the grey baseline', async () => {
    const r = colorize(['demo', '-o', 'demo']);
    expect(r.status).toBe(0);
    const line = (name: string) => new RegExp(`^${name} +PSNR \\d+\\.\\d\\d dB {3}grey baseline \\d+\\.\\d\\d dB {3}\\([+-]\\d+\\.\\d\\d dB\\) {3}colorfulness \\d+ % of the originals'$`, 'm');
    expect(r.stdout).toMatch(line('automatic:'));
    expect(r.stdout).toMatch(line('10 colour hints:'));
    expect(r.stdout).toMatch(/figure \(rows: grey \/ automatic \/ 10 hints, dots drawn \/ real\)/);
    // With 10 hints, far above grey (the shipped hint model: +4.75 dB).
    const hinted = /^10 colour hints: PSNR [\d.]+ dB {3}grey baseline [\d.]+ dB {3}\(\+(\d+\.\d\d) dB\)/m.exec(r.stdout);
    expect(Number(hinted?.[1])).toBeGreaterThan(3);
    const meta = await sharp(join(dir, 'demo', 'comparison.png')).metadata();
    expect([meta.width, meta.height]).toEqual([11 * 64, 4 * 64]);
  });
});

describe('colorize train', () => {
  it('trains on a folder on two data-parallel replicas, stops cleanly on SIGINT with a checkpoint, and resumes on one', async () => {
    const photos = join(dir, 'photos');
    await mkdir(photos, { recursive: true });
    for (const f of (await readdir(PHOTOS)).filter((x) => x.endsWith('.jpg')).slice(0, 12)) await copyFile(join(PHOTOS, f), join(photos, f));
    const args = ['train', '--data', 'photos', '--size', '32', '--base', '4', '--depth', '2', '--batch', '4', '--pretrain-epochs', '1', '--epochs', '1000', '--out', 'run', '--workers', '2', '--critic-steps', '2', '--critic-norm', 'none', '--average', '0.9', '--lr', '3e-4', '--gan-lr', '1e-4'];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, COLORIZE_BACKEND: 'wasm' } });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!interrupted && /gan epoch 2\/1000/.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(stderr).toMatch(/on wasm with 2 replicas \(data parallel\); writing to /);
    expect(JSON.parse(await readFile(join(dir, 'run', 'config.json'), 'utf8'))).toMatchObject({ criticSteps: 2, criticNorm: 'none', averageDecay: 0.9, lr: 3e-4, ganLr: 1e-4, adamBetas: [0, 0.9] }); // the seed's betas by default
    expect(stderr).toMatch(/stopping after this step and saving a checkpoint/);
    expect(stderr).toMatch(/stopped; checkpoint saved\. Continue with: colorize train --out .*run --resume/);
    expect(code).toBe(130);
    const pointer = JSON.parse(await readFile(join(dir, 'run', 'checkpoints', 'gan', 'checkpoint.json'), 'utf8')) as { latest: string };
    const epochsDone = Number(/ckpt-e(\d+)/.exec(pointer.latest)![1]);
    expect(epochsDone).toBeGreaterThanOrEqual(2);
    // The generator's weight average is checkpointed beside the models it follows.
    expect(existsSync(join(dir, 'run', 'checkpoints', 'gan', pointer.latest, 'averageGenerator', 'model.json'))).toBe(true);
    expect(existsSync(join(dir, 'run', 'model', 'model.json'))).toBe(true);
    expect((await readdir(join(dir, 'run', 'samples'))).some((f) => f.startsWith('gan-epoch-'))).toBe(true);

    // The optimizers live on the main thread, so a checkpoint resumes on any number of replicas.
    const resumed = colorize(['train', '--out', 'run', '--resume', '--epochs', String(epochsDone + 1), '--workers', '1']);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).not.toMatch(/replicas/);
    expect(resumed.stderr).toMatch(/resumed WGAN-GP at epoch \d+, batch \d+/);
    expect(resumed.stderr).toMatch(new RegExp(`gan epoch ${epochsDone + 1}/${epochsDone + 1} `));
    const log = (await readFile(join(dir, 'run', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { phase: string; type: string; epoch: number });
    expect(log.filter((l) => l.type === 'epoch' && l.phase === 'gan').map((l) => l.epoch).at(-1)).toBe(epochsDone);

    const bad = colorize(['train', '--out', 'run', '--resume', '--workers', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^colorize: --workers expects an integer ≥ 1, got "0"\./);
    const norm = colorize(['train', '--data', 'photos', '--out', 'run2', '--critic-norm', 'batch']);
    expect(norm.status).toBe(2);
    expect(norm.stderr).toMatch(/^colorize: --critic-norm expects instance or none, got "batch"\./);
    const average = colorize(['train', '--data', 'photos', '--out', 'run3', '--average', '1']);
    expect(average.status).toBe(2);
    expect(average.stderr).toMatch(/^colorize: --average expects a decay in \[0, 1\), got "1"\./);
    const ganLr = colorize(['train', '--data', 'photos', '--out', 'run4', '--gan-lr', 'fast']);
    expect(ganLr.status).toBe(2);
    expect(ganLr.stderr).toMatch(/^colorize: --gan-lr expects a number ≥ 0, got "fast"\./);
  });

  it('--reconstruction classification: class weights from the training photos in config.json, a model colorize runs (ONNX included) and eval decodes at another temperature', async () => {
    const photos = join(dir, 'cls-photos');
    await mkdir(photos, { recursive: true });
    for (const f of (await readdir(PHOTOS)).filter((x) => x.endsWith('.jpg')).slice(0, 8)) await copyFile(join(PHOTOS, f), join(photos, f));
    const r = colorize(['train', '--data', 'cls-photos', '--size', '32', '--base', '4', '--depth', '2', '--batch', '4', '--pretrain-epochs', '2', '--epochs', '1', '--out', 'cls', '--workers', '2', '--critic-norm', 'none', '--reconstruction', 'classification', '--temperature', '0.3', '--rebalance', '0.6']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/weighing the colour classes by their frequency in the \d+ training images/);
    expect(r.stderr).toMatch(/pretrain epoch 2\/2 {2}l1 [\d.]+ {2}ce [\d.]+ {2}val PSNR/);
    const config = JSON.parse(await readFile(join(dir, 'cls', 'config.json'), 'utf8')) as { temperature: number; rebalance: number; classWeights: number[] };
    expect(config).toMatchObject({ reconstruction: 'classification', temperature: 0.3, rebalance: 0.6 });
    expect(config.classWeights).toHaveLength(261);
    expect(config.classWeights.every((w) => Number.isFinite(w) && w > 0)).toBe(true);
    expect(new Set(config.classWeights).size).toBeGreaterThan(10); // rebalanced: not all alike
    const modelJson = JSON.parse(await readFile(join(dir, 'cls', 'model', 'model.json'), 'utf8')) as { modelTopology: { config: { layers: { name: string; config: { scale?: number } }[] } } };
    expect(modelJson.modelTopology.config.layers.find((l) => l.name === 'head_temperature')!.config.scale).toBeCloseTo(1 / 0.3, 6);
    for (const engine of ['onnx', 'tfjs']) {
      const out = colorize([join('in', 'photo.jpg'), '-o', `cls-out-${engine}`, '--model', join('cls', 'model'), '--engine', engine]);
      expect(out.status, out.stderr).toBe(0);
      expect((await sharp(join(dir, `cls-out-${engine}`, 'photo.jpg')).metadata()).width).toBe(301);
    }
    const evals = ['0.3', '1'].map((t) => JSON.parse(colorize(['eval', '--model', join('cls', 'model'), '--data', 'cls-photos', '--split', 'all', '--json', '--temperature', t]).stdout) as { mean: { colorfulness: number } });
    expect(evals[0]!.mean.colorfulness).not.toBeCloseTo(evals[1]!.mean.colorfulness, 4);
    // A regression model: the first test's run (the shipped model has a classification head).
    const regression = colorize(['eval', '--model', join('run', 'model'), '--data', 'demo', '--temperature', '0.3']);
    expect(regression.status).toBe(2);
    expect(regression.stderr).toMatch(/^colorize: --temperature needs a model with a classification head/);
    const stray = colorize(['train', '--data', 'cls-photos', '--out', 'cls2', '--temperature', '0.3']);
    expect(stray.status).toBe(2);
    expect(stray.stderr).toMatch(/^colorize: --temperature and --rebalance go with --reconstruction classification\./);
  });

  it('eval --rebalance: decodes with the training photos\' colour frequencies that train keeps in config.json and the model, --save writes the model so decoding; refuses a model without them', async () => {
    // Reuses the classification run of the test above.
    const config = JSON.parse(await readFile(join(dir, 'cls', 'config.json'), 'utf8')) as { classPrior: number[] };
    expect(config.classPrior).toHaveLength(261);
    expect(config.classPrior.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    const modelJson = JSON.parse(await readFile(join(dir, 'cls', 'model', 'model.json'), 'utf8')) as { userDefinedMetadata: { colorize: { classPrior: number[] } } };
    expect(modelJson.userDefinedMetadata.colorize.classPrior).toEqual(config.classPrior);
    const evaluate = (...extra: string[]) => {
      const r = colorize(['eval', '--model', join('cls', 'model'), '--data', 'cls-photos', '--split', 'all', '--json', ...extra]);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { rebalance?: number; mean: { psnr: number; colorfulness: number } };
    };
    const [plain, none, half] = [evaluate(), evaluate('--rebalance', '1'), evaluate('--rebalance', '0.5')];
    // λ = 1 weighs every class 1: log w = 0, the trained model itself.
    expect(none.mean).toEqual(plain.mean);
    expect(none.rebalance).toBe(1);
    expect(plain.rebalance).toBeUndefined();
    expect(half.rebalance).toBe(0.5);
    expect(half.mean.colorfulness).not.toBeCloseTo(plain.mean.colorfulness, 4);
    // --save writes the model decoding as evaluated; evaluated again as it is, the same scores.
    const saved = colorize(['eval', '--model', join('cls', 'model'), '--data', 'cls-photos', '--split', 'all', '--rebalance', '0.5', '--save', 'cls-half']);
    expect(saved.status, saved.stderr).toBe(0);
    expect(saved.stderr).toMatch(/wrote the model, decoding as evaluated, to cls-half/);
    const reloaded = evaluate().mean;
    const again = (JSON.parse(colorize(['eval', '--model', 'cls-half', '--data', 'cls-photos', '--split', 'all', '--json']).stdout) as typeof half).mean;
    expect(reloaded).toEqual(plain.mean); // the run's own model is untouched
    for (const k of ['psnr', 'colorfulness'] as const) expect(again[k]).toBeCloseTo(half.mean[k], 5);
    const bare = colorize(['eval', '--model', join('cls', 'model'), '--data', 'cls-photos', '--save', 'cls-bare']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/^colorize: --save writes the model decoding as --temperature and --rebalance set it; give one of them\./);
    // A classification model whose model.json lost the frequencies (one trained before they were kept).
    const { colorize: kept, ...rest } = (modelJson as unknown as { userDefinedMetadata: { colorize: Record<string, unknown> } }).userDefinedMetadata;
    const { classPrior: _, ...keptWithout } = kept;
    await mkdir(join(dir, 'cls-old'), { recursive: true });
    for (const f of await readdir(join(dir, 'cls', 'model'))) if (f !== 'model.json') await copyFile(join(dir, 'cls', 'model', f), join(dir, 'cls-old', f));
    await writeFile(join(dir, 'cls-old', 'model.json'), JSON.stringify({ ...modelJson, userDefinedMetadata: { ...rest, colorize: keptWithout } }));
    const old = colorize(['eval', '--model', 'cls-old', '--data', 'cls-photos', '--rebalance', '0.5']);
    expect(old.status).toBe(2);
    expect(old.stderr).toMatch(/^colorize: --rebalance needs the training photos' colour frequencies, which colorize train keeps in the models it writes; .*cls-old[\\/]model\.json has none\.\n$/);
    const regression = colorize(['eval', '--model', join('run', 'model'), '--data', 'demo', '--rebalance', '0.5']);
    expect(regression.status).toBe(2);
    expect(regression.stderr).toMatch(/^colorize: --rebalance needs a model with a classification head/);
    const range = colorize(['eval', '--model', join('cls', 'model'), '--data', 'cls-photos', '--rebalance', '1.5']);
    expect(range.status).toBe(2);
    expect(range.stderr).toMatch(/^colorize: --rebalance expects λ in \[0, 1\], got "1\.5"\./);
  });
});
