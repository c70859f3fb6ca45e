// Colorize one photo in Node with the model @colorize/cli ships, at full resolution.
// Usage: node colorize-photo.js <input.jpg> <output.png>
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem, initBackend } from '@colorize/core';
import { colorizeImage } from '@colorize/models';
import sharp from 'sharp';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: colorize-photo <input> <output>');

await initBackend(); // the fastest backend here: tensorflow, webgpu, wasm or cpu
const modelDir = join(dirname(createRequire(import.meta.url).resolve('@colorize/cli/package.json')), 'model');
const generator = await tfl.loadLayersModel(fileSystem(modelDir));

const { data, info } = await sharp(input).rotate().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
const result = await colorizeImage(generator, { width: info.width, height: info.height, data: new Uint8Array(data) });
await sharp(result.data, { raw: { width: result.width, height: result.height, channels: 3 } }).toFile(output);
console.log(`${output}: ${result.width}×${result.height}`);
