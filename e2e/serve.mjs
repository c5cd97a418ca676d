// A tiny static server for the release build, as a CDN would serve it: files from a folder, the
// app's index.html for any other path (SPA fallback, so deep links like /activity work), optional
// sub-path, and the strict Content-Security-Policy the app must work under. Loopback only.
//
//   node e2e/serve.mjs [dir=dist] [port=8081] [base=/]      (from the command line)
//   const server = await serve({ root: 'dist', base: '/sspr/' }); server.url; await server.close();

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The policy the app promises to run under (spec §8): no inline script or style at all. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
};

/**
 * Serves `root` under `base` on 127.0.0.1. Paths that name no file and have no extension get
 * index.html; a missing file with an extension is a 404 (never HTML posing as a script).
 */
export async function serve({ root = 'dist', port = 0, base = '/', csp = CSP } = {}) {
  const rootDir = resolve(root);
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let path = decodeURIComponent(url.pathname);
      if (path === prefix.slice(0, -1)) path = prefix;
      if (!path.startsWith(prefix)) return send(res, 404, 'text/plain', 'Not found');
      const relative = normalize(path.slice(prefix.length));
      const file = join(rootDir, relative);
      if (file !== rootDir && !file.startsWith(rootDir + sep)) {
        return send(res, 403, 'text/plain', 'Forbidden');
      }
      const info = await stat(file).catch(() => null);
      if (info?.isFile()) {
        const type = TYPES[extname(file)] ?? 'application/octet-stream';
        return send(res, 200, type, await readFile(file), csp);
      }
      if (extname(path) !== '') return send(res, 404, 'text/plain', 'Not found');
      const index = await readFile(join(rootDir, 'index.html'));
      return send(res, 200, TYPES['.html'], index, csp);
    } catch (error) {
      return send(res, 500, 'text/plain', String(error));
    }
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  const { port: actual } = server.address();
  return {
    url: `http://127.0.0.1:${actual}${prefix}`,
    close: () => new Promise((done) => server.close(done)),
  };
}

function send(res, status, type, body, csp) {
  const headers = { 'content-type': type, 'cache-control': 'no-store' };
  if (csp && type.startsWith('text/html')) headers['content-security-policy'] = csp;
  res.writeHead(status, headers);
  res.end(body);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root = 'dist', port = '8081', base = '/'] = process.argv.slice(2);
  const server = await serve({ root, port: Number(port), base });
  console.log(`serving ${resolve(root)} at ${server.url} (SPA fallback, strict CSP)`);
}
