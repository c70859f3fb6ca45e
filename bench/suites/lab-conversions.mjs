// sRGB ↔ CIELAB throughput on a 1024 × 1024 8-bit photo-sized image: the tensor path on cpu and
// wasm, the typed-array path of the data pipeline, and scikit-image on the same machine.
import { execFileSync } from 'node:child_process';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { labToRgb, modelLabToRgb8, rgb8ToModelLab, rgbToLab } from '@colorize/lab';

import { time } from '../timing.mjs';

export const title = 'sRGB ↔ CIELAB throughput (@colorize/lab)';
export const description =
  'Megapixels per second on a 1024 × 1024 image of 8-bit values (median of repeated runs, read-back included). Tensor ' +
  'path: float32 `rgbToLab(rgb / 255)` and `labToRgb(lab)`. Typed-array path: `rgb8ToModelLab` (Uint8Array → model-space ' +
  'Float32Arrays) and `modelLabToRgb8` (back to bytes). scikit-image: `rgb2lab` and `lab2rgb` on the same uint8 image, ' +
  'run on this machine in the same run for the same image (scikit-image 0.19, Debian python3-skimage), and as issue #4 ' +
  'measured it on the project\'s 2-core machines (18.7 and 21.6 Mpix/s). The targets: typed-array path at least 2× ' +
  'scikit-image, wasm tensor path at least equal, against the same run\'s scikit-image (the issue prefers ratios ' +
  'measured in one run), or the issue\'s figures where python3-skimage is not installed. `rgb8ToModelLab` runs colorize\'s own ' +
  'WebAssembly SIMD kernel (float64, two pixels at a time, bit for bit its JavaScript loop), `modelLabToRgb8` another (float64, two pixels at a time, byte for byte its JavaScript loop). ' +
  'The wasm tensor path is a single fused kernel; ' +
  'its sRGB decode reads an exact table for values k / 255, which is what 8-bit images give.';

const SKIMAGE = `
import time, numpy as np
from skimage.color import rgb2lab, lab2rgb
img = np.random.default_rng(1).integers(0, 256, (1024, 1024, 3), dtype=np.uint8)
def best(f, n=7):
    f(); ts = []
    for _ in range(n):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return sorted(ts)[n // 2]
lab = rgb2lab(img)
print(best(lambda: rgb2lab(img)), best(lambda: lab2rgb(lab)))
`;

/** scikit-image's throughput on the project's 2-core machines, as issue #4 states it: the targets' base. */
const ISSUE = { rgb2lab: 18.7, lab2rgb: 21.6 };

function skimageHere() {
  try {
    const [a, b] = execFileSync('/usr/bin/python3', ['-c', SKIMAGE], { encoding: 'utf8' }).trim().split(' ').map(Number);
    return { rgb2lab: 1.048576 / a, lab2rgb: 1.048576 / b };
  } catch {
    return undefined; // python3-skimage not installed
  }
}

export async function run({ quick, log }) {
  const [h, w] = [1024, 1024];
  const mpix = (h * w) / 1e6;
  const bytes = new Uint8Array(h * w * 3);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 2654435761) >>> 24;
  const opts = { minMs: quick ? 300 : 2000 };
  const here = skimageHere();
  const rows = [];
  const add = (path, direction, ms, key, factor) => {
    const mps = mpix / (ms / 1000);
    const base = here?.[key] ?? ISSUE[key];
    const target = base * factor;
    const row = {
      path,
      direction,
      ms: ms.toFixed(1),
      'Mpix/s': mps.toFixed(1),
      'scikit-image here, Mpix/s': here === undefined ? '–' : here[key].toFixed(1),
      '× scikit-image here': here === undefined ? '–' : (mps / here[key]).toFixed(2),
      '× issue #4\'s scikit-image': (mps / ISSUE[key]).toFixed(2),
      'target Mpix/s': `${target.toFixed(1)} (${factor}× scikit-image${here === undefined ? ' in issue #4' : ' here'})`,
      met: mps >= target ? 'yes' : 'no',
    };
    log(Object.values(row).join(' | '));
    rows.push(row);
  };
  // The typed-array path first, on a fresh heap.
  const arrays = rgb8ToModelLab(bytes);
  const back = new Uint8Array(bytes.length);
  add('typed arrays', 'rgb8ToModelLab', await time(() => rgb8ToModelLab(bytes, {}, arrays), opts), 'rgb2lab', 2);
  add('typed arrays', 'modelLabToRgb8', await time(() => modelLabToRgb8(arrays.L, arrays.ab, {}, back), opts), 'lab2rgb', 2);
  for (const backend of ['wasm', 'cpu']) {
    await initBackend({ backend, env: {} });
    const rgb = tf.div(tf.tensor3d(bytes, [h, w, 3], 'int32'), 255);
    const lab = rgbToLab(rgb);
    add(`tensor, ${backend}`, 'rgbToLab', await time(() => tf.tidy(() => rgbToLab(rgb)).data(), opts), 'rgb2lab', 1);
    add(`tensor, ${backend}`, 'labToRgb', await time(() => tf.tidy(() => labToRgb(lab)).data(), opts), 'lab2rgb', 1);
    tf.dispose([rgb, lab]);
  }
  return rows;
}
