// Prepares the extra training photos of the shipped model (packages/cli/model/README.md): the
// photographic stamps of Debian's tuxpaint-stamps-default (GPL-2; photos of animals, plants,
// food, tools and vehicles, cut out on transparency), listed in
// records/automatic-model/extra-photos.txt and chosen by eye (no drawings or renders).
// Each is composited on white, padded to a square and resized to 256 px, as JPEG quality 92.
//
// Usage: node scripts/extra-training-photos.mjs <out-folder>
// Needs apt-get and dpkg (Debian 12), and the network to Debian's archive.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import sharp from 'sharp';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/extra-training-photos.mjs <out-folder>');
  process.exit(2);
}
const PACKAGE = 'tuxpaint-stamps-default=2022.06.04-1';
const list = readFileSync(new URL('../records/automatic-model/extra-photos.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);
const work = mkdtempSync(join(tmpdir(), 'colorize-extra-'));
execFileSync('apt-get', ['download', PACKAGE], { cwd: work, stdio: 'inherit' });
const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
execFileSync('dpkg', ['-x', join(work, deb), join(work, 'x')]);
mkdirSync(out, { recursive: true });
for (const rel of list) {
  const src = join(work, 'x/usr/share/tuxpaint/stamps', rel);
  const name = `tuxpaint__${rel.replace(/\.png$/, '').replace(/[\\/]/g, '_')}.jpg`;
  await sharp(src)
    .flatten({ background: '#ffffff' })
    .resize(256, 256, { fit: 'contain', background: '#ffffff', kernel: 'lanczos3' })
    .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
    .toFile(join(out, name));
}
console.log(`${list.length} photos from ${PACKAGE} in ${out} (${basename(out)})`);
