import { align16, EmbeddedModule, heapStart, reserve, SKIMAGE_CIELAB as K } from '@colorize/core';
import type { EmbeddedExports } from '@colorize/core';

import { CBRT_MAX, CBRT_PER_BUCKET, CBRT_TABLE } from '../curves.js';
import { RGB8_LAB_SCALES, T_FROM_RGB8 } from '../rgb8-table.js';
import { MODULE_BASE64 } from './lab-kernels.wasm.js';

/** The functions of `lab-kernels.wasm.ts` (C source: rgb8-lab.c). Pointers are byte offsets. */
export interface LabKernelExports extends EmbeddedExports {
  lab_setup(tTable: number, cbrtTable: number, cbrtPerBucket: number, forwardThreshold: number,
    linearSlope: number, linearOffset: number, lScale: number, lOffset: number, aScale: number, bScale: number): void;
  rgb8_to_model_lab(rgb: number, n: number, stride: number, L: number, ab: number): void;
}

/** Pixels per call: the module's memory holds one chunk of bytes in and floats out (about 256 KB). */
export const CHUNK_PIXELS = 16384;

const MODULE = new EmbeddedModule<LabKernelExports>(MODULE_BASE64);

/** Converts n pixels of `channels` bytes into L (n values) and ab (2n values), or L alone where `ab` is null. */
export type Rgb8ToModelLabKernel = (rgb: Uint8Array | Uint8ClampedArray, n: number, channels: number, L: Float32Array, ab: Float32Array | null) => void;

let kernel: Rgb8ToModelLabKernel | null | undefined;

function setUp(): Rgb8ToModelLabKernel | null {
  const instance = MODULE.instance();
  if (instance === null) return null;
  // The kernel reads the cube-root table without a bounds check: t = X / Xn of any 8-bit colour is
  // at most the white's, about 1.0, inside the table's 0 … CBRT_MAX.
  for (let i = 0; i < 3; i += 1) {
    const white = T_FROM_RGB8[255 * 9 + i]! + T_FROM_RGB8[255 * 9 + 3 + i]! + T_FROM_RGB8[255 * 9 + 6 + i]!;
    if (!(white < CBRT_MAX)) throw new Error(`rgb8-lab-simd: t = ${white} is past the cube-root table`);
  }
  const tAt = heapStart(instance);
  const cbAt = tAt + align16(8 * T_FROM_RGB8.length);
  const rgbAt = cbAt + align16(8 * CBRT_TABLE.length);
  const lAt = rgbAt + align16(4 * CHUNK_PIXELS);
  const abAt = lAt + align16(4 * CHUNK_PIXELS);
  reserve(instance, abAt + 8 * CHUNK_PIXELS);
  const doubles = new Float64Array(instance.memory.buffer);
  doubles.set(T_FROM_RGB8, tAt / 8);
  doubles.set(CBRT_TABLE, cbAt / 8);
  const { lScale, lOffset, aScale, bScale } = RGB8_LAB_SCALES;
  instance.exports.lab_setup(tAt, cbAt, CBRT_PER_BUCKET, K.labForwardThreshold, K.labLinearSlope, K.labLinearOffset,
    lScale, lOffset, aScale, bScale);
  return (rgb, n, channels, L, ab) => {
    const buffer = instance.memory.buffer;
    const bytes = new Uint8Array(buffer, rgbAt, CHUNK_PIXELS * channels);
    for (let p0 = 0; p0 < n; p0 += CHUNK_PIXELS) {
      const m = Math.min(CHUNK_PIXELS, n - p0);
      bytes.set(rgb.subarray(p0 * channels, (p0 + m) * channels));
      instance.exports.rgb8_to_model_lab(rgbAt, m, channels, lAt, ab ? abAt : 0);
      L.set(new Float32Array(buffer, lAt, m), p0);
      ab?.set(new Float32Array(buffer, abAt, 2 * m), 2 * p0);
    }
  };
}

/**
 * rgb8ToModelLab's loop in WebAssembly SIMD, or `null` where the runtime lacks it (then the
 * JavaScript loop runs). Bit for bit the JavaScript loop's results (rgb8-lab.c says why), about
 * twice as fast (24 → 11 ms per megapixel on a quiet core). Pixels go through the module's
 * memory a chunk at a time.
 */
export function rgb8ToModelLabSimd(): Rgb8ToModelLabKernel | null {
  if (kernel === undefined) kernel = setUp();
  return kernel;
}
