// Serves a folder on 127.0.0.1 with the headers the browser demo needs: COOP/COEP make the
// page cross-origin isolated, which the threaded wasm backend requires.
// Usage: node scripts/serve.mjs <folder> [port]
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml', '.bin': 'application/octet-stream', '.woff2': 'font/woff2',
};

/** Serves `root` on 127.0.0.1:`port` (0: any free port); resolves to the listening server. */
export function serveFolder(root, port) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      await stat(file);
    } catch {
      return void res.writeHead(404).end('not found');
    }
    res.writeHead(200, {
      'Content-Type': types[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(port, '127.0.0.1', () => done(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? 'docs/build');
  const server = await serveFolder(root, Number(process.argv[3] ?? process.env.PORT ?? 8080));
  process.stdout.write(`serving ${root} on http://127.0.0.1:${server.address().port}/\n`);
}
