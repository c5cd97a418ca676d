// A tiny static server for the release build, as a CDN would serve it: files from a folder, the
// app's index.html for any other path (SPA fallback, so deep links like /activity work), optional
// sub-path, and the strict Content-Security-Policy the app must work under. Loopback only.
//
//   node e2e/serve.mjs [dir=dist] [port=0: a free one] [base=/]      (from the command line)
//   const server = await serve({ root: 'dist', base: '/sspr/' }); server.url; await server.close();
//
// The policy's `connect-src` is 'self' only: the app offline talks to nobody. A journey against a
// report backend allows that backend's origin (`connect`, or `server.allowConnect(origin)` once
// the backend's port is known), as a real deployment must list its report backend.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The policy the app promises to run under (spec §8): no inline script or style at all. */
export const CSP = cspWith([]);

/** The same policy, with `connect-src` also allowing `origins` (report backends). */
export function cspWith(origins) {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...origins].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

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
export async function serve({ root = 'dist', port = 0, base = '/', csp, connect = [] } = {}) {
  const rootDir = resolve(root);
  const origins = [...connect];
  const policy = () => csp ?? cspWith(origins);
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
        return send(res, 200, type, await readFile(file), policy());
      }
      if (extname(path) !== '') return send(res, 404, 'text/plain', 'Not found');
      const index = await readFile(join(rootDir, 'index.html'));
      return send(res, 200, TYPES['.html'], index, policy());
    } catch (error) {
      return send(res, 500, 'text/plain', String(error));
    }
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  const { port: actual } = server.address();
  return {
    url: `http://127.0.0.1:${actual}${prefix}`,
    /** Lets pages loaded from now on connect to `origin` too (e.g. `http://127.0.0.1:8081`). */
    allowConnect: (origin) => origins.push(origin),
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
  // Port 0 by default: a free one (8081 is where `make serve-backend` runs).
  const [root = 'dist', port = '0', base = '/'] = process.argv.slice(2);
  const server = await serve({ root, port: Number(port), base });
  console.log(`serving ${resolve(root)} at ${server.url} (SPA fallback, strict CSP)`);
}
