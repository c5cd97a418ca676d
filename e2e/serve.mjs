// A tiny static server for a release build, as a CDN would serve it: files from a folder, the
// app's index.html for any other path (SPA fallback, so deep links like /activity work), under
// the path the build was made for, with the response headers the build wrote into `_headers`
// (the Content-Security-Policy of scripts/csp.mjs among them), as Netlify or Cloudflare Pages
// would send them. Loopback only.
//
//   node e2e/serve.mjs [dir=dist] [port=0: a free one] [base=/]      (from the command line)
//   const server = await serve({ root: 'dist', base: '/sspr/' }); server.url; await server.close();
//
// The build's `connect-src` lists its report backends (REPORT_BACKENDS). A journey against the
// local reference backend adds that backend's origin (`connect`, or `server.allowConnect(origin)`
// once the backend's port is known) with the function the build uses for REPORT_BACKENDS, to both
// the header and the page's <meta>: the policy served is the build's, plus that one origin.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageWithPolicy, policyOfPage, withReportBackends } from '../scripts/csp.mjs';

/**
 * The headers a build's `_headers` file (Netlify / Cloudflare Pages syntax) sets for the paths
 * under `prefix`: { name: value }. Fails when the build wrote none (an old or foreign dist/).
 */
export function shippedHeaders(root, prefix = '/') {
  const path = join(root, '_headers');
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${path} is missing: build with \`make build\` (scripts/dist-hook.mjs writes it)`);
  }
  const headers = {};
  let applies = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const pattern = line.trim();
      applies = pattern.endsWith('*') ? prefix.startsWith(pattern.slice(0, -1)) : pattern === prefix;
      continue;
    }
    const at = line.indexOf(':');
    if (applies && at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  if (!headers['content-security-policy']) {
    throw new Error(`${path} sets no Content-Security-Policy for ${prefix}`);
  }
  return headers;
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
export async function serve({ root = 'dist', port = 0, base = '/', connect = [] } = {}) {
  const rootDir = resolve(root);
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const shipped = shippedHeaders(rootDir, prefix);
  const origins = [...connect];
  const headers = () => ({
    ...shipped,
    'content-security-policy': withReportBackends(shipped['content-security-policy'], origins),
  });
  // The page as built, or with the page's policy allowing the added origins too.
  const page = (html) => (origins.length ? pageWithPolicy(html, withReportBackends(policyOfPage(html), origins)) : html);
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
        const body = type === TYPES['.html'] ? page(await readFile(file, 'utf8')) : await readFile(file);
        return send(res, 200, type, body, headers());
      }
      if (extname(path) !== '') return send(res, 404, 'text/plain', 'Not found');
      const index = await readFile(join(rootDir, 'index.html'), 'utf8');
      return send(res, 200, TYPES['.html'], page(index), headers());
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

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { ...headers, 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Port 0 by default: a free one (8081 is where `make serve-backend` runs).
  const [root = 'dist', port = '0', base = '/'] = process.argv.slice(2);
  const server = await serve({ root, port: Number(port), base });
  console.log(`serving ${resolve(root)} at ${server.url} (SPA fallback, the build's _headers)`);
}
