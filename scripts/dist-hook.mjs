// Trunk's post-build hook (Trunk.toml `[[hooks]]`): finishes the build in Trunk's staging folder
// (TRUNK_STAGING_DIR) before Trunk moves it to dist/, for `trunk build` and every `trunk serve`
// rebuild alike:
//
//   index.html   the Content-Security-Policy (scripts/csp.mjs) in its <meta>, connect-src with
//                the report backends of REPORT_BACKENDS (default Microsoft Graph; "" for none)
//   style-*.css  the style sheets in one file (scripts/css-bundle.mjs): the sources stay one file
//                a screen (style/), the page downloads one
//   404.html     a copy of index.html: GitHub Pages serves it for deep links
//   _headers     the policy as a header, frame-ancestors included, for Netlify / Cloudflare Pages
//   _redirects   the SPA fallback of Netlify / Cloudflare Pages: every path gets index.html
//
// It refuses a page with inline script or style (the policy would block it in the browser) and
// a PUBLIC_URL that is not an absolute path (see Trunk.toml).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REPORT_BACKENDS, headerPolicy, pagePolicy, pageWithPolicy, reportBackends } from './csp.mjs';
import { bundleStyles } from './css-bundle.mjs';

function fail(message) {
  console.error(`dist-hook: ${message}`);
  process.exit(1);
}

const stage = process.env.TRUNK_STAGING_DIR;
if (!stage) fail('TRUNK_STAGING_DIR is not set: this script runs as a Trunk post_build hook');
const base = process.env.TRUNK_PUBLIC_URL || '/';
if (!base.startsWith('/') || !base.endsWith('/') || base.includes('//')) {
  fail(`PUBLIC_URL is "${base}"; it must be the absolute path the app is served under, like / or /tools/sspr/`);
}

let origins;
try {
  origins = reportBackends(process.env.REPORT_BACKENDS ?? DEFAULT_REPORT_BACKENDS);
} catch (error) {
  fail(error.message);
}

const indexPath = join(stage, 'index.html');
let built;
try {
  built = bundleStyles(stage, readFileSync(indexPath, 'utf8'));
} catch (error) {
  fail(error.message);
}
// A <script> without src (Trunk's inline loader, `trunk serve`'s live-reload script) or a <style>
// would be refused by the policy.
const inline = built.match(/<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle="/i);
if (inline) {
  fail(
    `index.html has inline script or style (${inline[0]}), which the Content-Security-Policy refuses; ` +
      'keep scripts and styles in files (for `trunk serve`: no_autoreload in Trunk.toml)',
  );
}

const policy = pagePolicy(origins);
const page = pageWithPolicy(built, policy);
writeFileSync(indexPath, page);
writeFileSync(join(stage, '404.html'), page);
writeFileSync(
  join(stage, '_headers'),
  [
    '# Response headers for hosts that read this file (Netlify, Cloudflare Pages), written by',
    '# scripts/dist-hook.mjs from scripts/csp.mjs. Other hosts: set the same headers (README, Deploy).',
    `${base}*`,
    `  Content-Security-Policy: ${headerPolicy(policy)}`,
    '  X-Content-Type-Options: nosniff',
    '  Referrer-Policy: no-referrer',
    '',
  ].join('\n'),
);
writeFileSync(join(stage, '_redirects'), `${base}* ${base}index.html 200\n`);
console.log(
  `dist-hook: Content-Security-Policy with connect-src 'self'${origins.map((o) => ` ${o}`).join('')}; ` +
    `index.html, 404.html, _headers, _redirects under ${base}`,
);
