// Prepares more extra training photos for the shipped model (packages/cli/model/README.md): the
// photographs of Debian's gcompris-qt-data (animals, fish, monuments, wind and solar power,
// musicians; each file's author and licence, mostly public domain and CC BY / BY-SA from
// Wikimedia Commons, are in the package's /usr/share/doc/gcompris-qt-data/copyright). GCompris
// packs them into Qt resource files (.rcc); this reads those (format version 3: a tree of
// entries, zlib-compressed data) and takes the resources listed in
// records/automatic-model/gcompris-photos.txt, chosen by eye (no drawings, no
// black-and-white photos, no objects cut out on white). Each is resized (Lanczos) so its short
// side is 256 px, centre-cropped to 256 × 256 and saved as JPEG quality 92, as the demo photos.
//
// Usage: node scripts/gcompris-training-photos.mjs <out-folder>
// Needs apt-get and dpkg (Debian 12), and the network to Debian's archive.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

import sharp from 'sharp';

/** The resources of one .rcc file: path → bytes. */
function readRcc(bytes) {
  if (bytes.toString('latin1', 0, 4) !== 'qres') throw new Error('not a Qt resource file');
  const [version, tree, data, names] = [4, 8, 12, 16].map((o) => bytes.readUInt32BE(o));
  if (version !== 3) throw new Error(`Qt resource format ${version}, expected 3`);
  const name = (offset) => {
    const length = bytes.readUInt16BE(names + offset);
    return bytes.subarray(names + offset + 6, names + offset + 6 + 2 * length).swap16().toString('utf16le');
  };
  const out = new Map();
  const walk = (index, prefix) => {
    const at = tree + index * 22; // name, flags, then children or locale and data, then a date
    const flags = bytes.readUInt16BE(at + 4);
    const path = index === 0 ? '' : `${prefix}/${name(bytes.readUInt32BE(at))}`;
    if (flags & 2) {
      const [count, first] = [bytes.readUInt32BE(at + 6), bytes.readUInt32BE(at + 10)];
      for (let c = 0; c < count; c += 1) walk(first + c, path);
      return;
    }
    const offset = data + bytes.readUInt32BE(at + 10);
    const blob = bytes.subarray(offset + 4, offset + 4 + bytes.readUInt32BE(offset));
    if (flags & 4) throw new Error(`${path}: zstd-compressed resources are not supported`);
    out.set(path, flags & 1 ? inflateSync(blob.subarray(4)) : Buffer.from(blob));
  };
  walk(0, '');
  return out;
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/gcompris-training-photos.mjs <out-folder>');
  process.exit(2);
}
const PACKAGE = 'gcompris-qt-data=3.1-2';
const list = readFileSync(new URL('../records/automatic-model/gcompris-photos.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#'));
const work = mkdtempSync(join(tmpdir(), 'colorize-gcompris-'));
execFileSync('apt-get', ['download', PACKAGE], { cwd: work, stdio: 'inherit' });
const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
execFileSync('dpkg', ['-x', join(work, deb), join(work, 'x')]);
mkdirSync(out, { recursive: true });
const rccs = new Map();
for (const line of list) {
  const [rcc, path] = line.split(' ');
  if (!rccs.has(rcc)) rccs.set(rcc, readRcc(readFileSync(join(work, 'x/usr/share/gcompris-qt/rcc', rcc))));
  const bytes = rccs.get(rcc).get(path);
  if (bytes === undefined) throw new Error(`${rcc} has no ${path}`);
  const file = `gcompris__${path.replace(/^\/gcompris\/src\/activities\//, '').replace(/\.[a-z]+$/, '').replace(/[\\/]/g, '_')}.jpg`;
  await sharp(bytes)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(256, 256, { fit: 'cover', kernel: 'lanczos3' })
    .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
    .toFile(join(out, file));
}
console.log(`${list.length} photos from ${PACKAGE} in ${out}`);
