// The app's Content-Security-Policy (spec §8): the one place its text is written. The build
// (scripts/dist-hook.mjs, after every `trunk build` / `trunk serve` rebuild) puts it into
// dist/index.html as a <meta> and into dist/_headers; the journeys' server (e2e/serve.mjs) serves
// what the build wrote, and adds the local reference backend with `withReportBackends`, the very
// function that adds a deployment's REPORT_BACKENDS here.
//
// No inline script or style at all: the page's one script is public/boot.js, styles are files,
// dynamic values go through the CSSOM. 'wasm-unsafe-eval' lets the browser compile the wasm.
// `connect-src` names the report backends the data screen may fetch from (a build setting,
// default Microsoft Graph); without one the app can send a byte of the data nowhere.

/** The report backends a build allows when REPORT_BACKENDS is not set. */
export const DEFAULT_REPORT_BACKENDS = 'https://graph.microsoft.com';

/** The policy a <meta> can carry, before any report backend is added. */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * What only a response header can say (a <meta> policy ignores `frame-ancestors`): nobody may
 * frame the app.
 */
const HEADER_ONLY = "frame-ancestors 'none'";

/**
 * The origins of a REPORT_BACKENDS setting: URLs separated by spaces or commas (`""` for none).
 * A base URL with a path gives its origin, which is what a fetch and its next links need.
 * Throws on anything that is not an http(s) URL, so a typo fails the build instead of shipping a
 * policy that blocks the fetch.
 */
export function reportBackends(setting = DEFAULT_REPORT_BACKENDS) {
  const origins = [];
  for (const word of setting.split(/[\s,]+/).filter(Boolean)) {
    let url;
    try {
      url = new URL(word);
    } catch {
      throw new Error(`REPORT_BACKENDS: "${word}" is not a URL (write it as https://host[:port])`);
    }
    if (!['https:', 'http:'].includes(url.protocol) || url.username || url.password) {
      throw new Error(`REPORT_BACKENDS: "${word}" must be an http(s) URL without user or password`);
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

/** `policy` with `origins` (report backends) added to its `connect-src`. */
export function withReportBackends(policy, origins) {
  const directives = policy.split(/\s*;\s*/).filter(Boolean);
  const at = directives.findIndex((d) => d.split(/\s+/)[0] === 'connect-src');
  if (at < 0) throw new Error(`the policy has no connect-src: ${policy}`);
  const sources = directives[at].split(/\s+/);
  for (const origin of origins) if (!sources.includes(origin)) sources.push(origin);
  directives[at] = sources.join(' ');
  return directives.join('; ');
}

/** The policy of the page's <meta>, allowing `origins` to be fetched from. */
export function pagePolicy(origins) {
  return withReportBackends(PAGE_POLICY, origins);
}

/** The same policy as a response header: the page's, plus what only a header can say. */
export function headerPolicy(pagePolicyText) {
  return `${pagePolicyText}; ${HEADER_ONLY}`;
}

// The <meta> that index.html holds; the build fills in its `content`.
const META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i;

/** The policy in a page's <meta> (fails when the page has none). */
export function policyOfPage(html) {
  const found = html.match(META);
  if (!found) throw new Error('the page has no <meta http-equiv="Content-Security-Policy" content="…">');
  return found[2];
}

/** The page with `policy` in its <meta> (the policy's text holds no `"`, see above). */
export function pageWithPolicy(html, policy) {
  policyOfPage(html);
  return html.replace(META, (_, open, _old, close) => `${open}${policy}${close}`);
}
