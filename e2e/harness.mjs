// What every journey suite (and `make screenshots`) shares, so that no suite sets anything up,
// computes an expected number or reads the screen on its own:
//
//   setup     useApp() registers a suite's hooks: Debian's Chromium (playwright-core), the release
//             build in dist/ served as a CDN would (serve.mjs: SPA fallback, the build's _headers
//             with its Content-Security-Policy), the model's numbers for the bundled sample and,
//             when asked, the reference report backend. useServer() serves the same build once
//             more (other sample files); useSubpathServer() the build for a sub-path;
//             useFolder() holds a suite's test data; writeTenant() generates a tenant of any size.
//   checks    every page records console errors, failed requests and policy violations, which
//             closePage() checks; axe() runs axe-core's accessibility rules on a page.
//   model     modelStats / modelError / modelCsv / modelRows / modelAttempts / modelWhatIf: what
//             `sspr-sample` computes for the same files, so expected numbers never come from
//             literals; writeAuditLog() generates an audit log as JSON and CSV.
//   waiting   expect: Playwright's auto-waiting assertions (`toHaveText`, `toHaveURL`, …), with a
//             timeout for this shared 2-core machine. No suite sleeps or polls by hand.
//   reading   tiles (the MFA ones too), chart data tables, list counts and the URL's query, as the
//             screen shows them.
//   acting    dropFiles() drops files on the page as a person drags them from the desktop.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expect as playwrightExpect } from '@playwright/test';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const dist = join(repo, 'dist');
/** The bundled sample tenant, as the app downloads it on a first visit (with its audit log). */
export const SAMPLE = [
  'public/sample/userRegistrationDetails.json',
  'public/sample/userEventsSummary.json',
  'public/sample/directoryAudits.json',
];
/** The files `sspr-sample write` puts in a folder (the names the app's sample uses). */
export const TENANT_FILES = ['userRegistrationDetails.json', 'userEventsSummary.json', 'directoryAudits.json'];
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

// Flags from docs/toolchain.md: root needs --no-sandbox; the rest keeps Chromium from phoning home.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------------
// Waiting

/**
 * Playwright's auto-waiting assertions, outside Playwright's test runner (the suites run under
 * `node --test`). 20 s, not Playwright's 5 s: this machine's two cores are shared with builds.
 */
export const expect = playwrightExpect.configure({ timeout: 20_000 });

// ---------------------------------------------------------------------------------------------
// The model's numbers

/** Runs the host tool `sspr-sample` (with cargo's `profile`, default dev) and returns stdout. */
export function sample(args, { profile, encoding = 'utf8' } = {}) {
  const cargo = ['run', '--quiet', ...(profile ? ['--profile', profile] : []), '--bin', 'sspr-sample', '--'];
  return execFileSync('cargo', [...cargo, ...args], {
    cwd: repo,
    encoding,
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The model's tiles, chart rows and insights for `files` (default: the bundled sample). */
export function modelStats(files = SAMPLE, { profile } = {}) {
  return JSON.parse(sample(['stats', ...files], { profile }));
}

/** The message the model gives for files it cannot read (fails when it reads them). */
export function modelError(files) {
  try {
    sample(['stats', ...files]);
  } catch (error) {
    const message = String(error.stderr ?? '').trim().replace(/^sspr-sample: /, '');
    assert.ok(message, `sspr-sample failed without a message: ${error}`);
    return message;
  }
  assert.fail(`the model reads ${files.join(', ')} without an error`);
}

/** The exact bytes the model writes for a list view (`list` is registrations, activity or attempts). */
export function modelCsv(list, query, { files = SAMPLE, profile } = {}) {
  return sample(['csv', list, query, ...files], { profile, encoding: 'buffer' });
}

/** How many rows the model lists for a view: the records of its CSV, without the header. */
export function modelRows(list, query, options) {
  return csvRecords(modelCsv(list, query, options)).length - 1;
}

/**
 * What the what-if screen shows for its query (scenario and population), as the model computes
 * it: { actual, simulated (tiles), gain, lose, dependents: [{ id, label, users }], group }.
 * `files` may hold a member list and an authentication methods policy beside the data.
 */
export function modelWhatIf(query, files = SAMPLE) {
  return JSON.parse(sample(['whatif', query, ...files]));
}

/** A Graph member page of every `every`-th user of `files` (`sspr-sample members`), as text. */
export function modelMemberPage(every, files = SAMPLE) {
  return sample(['members', String(every), ...files]);
}

/** The tiles' numbers the model computes for a population (`users/roles`, e.g. `members/admins`). */
export function modelTiles(stats, population = 'all/all') {
  const { population: size, registered, enabled, capable } = stats.populations[population];
  return { population: size, registered, enabled, capable };
}

/**
 * The MFA tiles' numbers the model computes for a population: for `mfa` and `passwordless`,
 * { count, known, unknown } (users whose record says yes, says anything, says nothing).
 */
export function modelMfaTiles(stats, population = 'all/all') {
  const p = stats.populations[population];
  const tile = (count, known) => ({ count, known, unknown: p.population - known });
  return {
    population: p.population,
    mfa: tile(p.mfa_capable, p.mfa_known),
    passwordless: tile(p.passwordless_capable, p.passwordless_known),
  };
}

/** The records of a CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
export function csvRecords(bytes) {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[i++];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field), records.push(record), (record = []), (field = ''), i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) record.push(field), records.push(record);
  return records;
}

/**
 * Generates a tenant of `users` and `events` into `folder` (optimised build: big tenants take
 * seconds, not minutes) and returns the paths of its two files.
 */
export function writeTenant(folder, { users, events }) {
  sample(['write', folder, '--users', String(users), '--events', String(events)], { profile: 'bench' });
  return TENANT_FILES.map((name) => join(folder, name));
}

/**
 * Generates an audit log of `rows` rows for a tenant of `users` (no report events) into `folder`,
 * as Graph's JSON and as the portal's CSV of the same rows: { json, csv } (their paths).
 */
export function writeAuditLog(folder, { users, rows }) {
  sample(['write', folder, '--users', String(users), '--events', '0', '--audit-rows', String(rows), '--audit-csv']);
  return { json: join(folder, 'directoryAudits.json'), csv: join(folder, 'auditLog.csv') };
}

// ---------------------------------------------------------------------------------------------
// Setup

/** Fails with what to do when there is no release build to test. */
export function requireBuild() {
  assert.ok(existsSync(join(dist, 'index.html')), 'dist/ is missing: run `make build` first');
}

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Chromium's console line for anything the Content-Security-Policy refused. */
const CSP_CONSOLE = /Content Security Policy|Content-Security-Policy/;

/**
 * A fresh page that records console errors, uncaught exceptions and failed requests, and every
 * Content-Security-Policy violation (the document's `securitypolicyviolation` events, and
 * Chromium's console lines about the policy), all checked by `closePage`. `colorScheme` is
 * `light` or `dark`; other options go to `browser.newPage`.
 */
export async function openPage(browser, { width = DESKTOP.width, height = DESKTOP.height, ...options } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, acceptDownloads: true, ...options });
  const problems = [];
  const violations = [];
  page.on('console', (m) => {
    if (CSP_CONSOLE.test(m.text())) violations.push(`console: ${m.text()}`);
    else if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    // The browser fetches the tab's icon by itself, after the page; a reload or a navigation
    // that comes first aborts it. That is the browser's request, not the app's.
    const path = new URL(r.url()).pathname;
    const browsersIcon = /\/favicon[^/]*\.svg$/.test(path);
    // A worker's scripts are aborted when the worker goes before they arrived: the app
    // terminated it (a load stopped), or the page went away (a reload) while spare workers,
    // started for the next load, were loading.
    const workersScript = /\/sspr-worker(-loader)?\.js$/.test(path);
    if ((browsersIcon || workersScript) && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  // The binding and the listener are installed by the browser itself, outside the page's policy.
  await page.exposeBinding('ssprCspViolation', (_source, v) => violations.push(`violation: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const where = e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : '';
      window.ssprCspViolation(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'}${where}`);
    });
  });
  page.problems = problems;
  page.cspViolations = violations;
  return page;
}

/**
 * Closes a page and checks that nothing went wrong on it: no console error, exception or failed
 * request, except those `expected` accepts (a journey that makes the backend fail on purpose),
 * and no Content-Security-Policy violation but those `expectedViolation` accepts (the journey that
 * injects an inline script; the browser may report it more than once).
 */
export async function closePage(page, { expected = () => false, expectedViolation = () => false } = {}) {
  const problems = page.problems.filter((problem) => !expected(problem));
  await page.close();
  const violations = page.cspViolations.filter((v) => !expectedViolation(v));
  assert.deepEqual(violations, [], 'no Content-Security-Policy violations');
  assert.deepEqual(problems, [], 'no console errors, exceptions or failed requests');
}

/**
 * Starts what a suite needs, without test hooks (for scripts): the release build served with
 * `serve` options, Chromium, and the reference backend when `backend` gives its arguments (its
 * CORS then allows the app's origin, and the app's CSP allows the backend).
 */
export async function startApp({ backend: backendArgs, ...serveOptions } = {}) {
  requireBuild();
  const app = {};
  app.server = await serve({ root: dist, ...serveOptions });
  if (backendArgs) {
    app.backend = await startBackend([...backendArgs, '--allow-origin', new URL(app.server.url).origin]);
    app.server.allowConnect(app.backend.url);
  }
  app.browser = await launch();
  /** The app's address for a path relative to its base (`registrations?capable=no`). */
  app.url = (path = '') => `${app.server.url}${path}`;
  /** A fresh recording page (see `openPage`). */
  app.newPage = (options) => openPage(app.browser, options);
  /** A fresh recording page at `path`. */
  app.open = async (path = '', options) => {
    const page = await app.newPage(options);
    await page.goto(app.url(path));
    return page;
  };
  app.close = async () => {
    await app.browser?.close();
    await app.server?.close();
    app.backend?.stop();
  };
  return app;
}

/**
 * Registers a suite's hooks for `startApp(options)` plus the model's numbers for the bundled
 * sample (`app.stats`). The fields are set once `before` has run.
 */
export function useApp(options) {
  const app = {};
  before(async () => {
    app.stats = modelStats();
    Object.assign(app, await startApp(options));
  });
  after(async () => app.close?.());
  return app;
}

/**
 * One more server of the release build for the enclosing `describe` (see serve.mjs for the
 * options: `root` for another folder); `options` may be a function, called in `before`, for a
 * root made there. The returned object gets the server's fields (`url`).
 */
export function useServer(options) {
  const server = {};
  before(async () => {
    const resolved = typeof options === 'function' ? options() : options;
    Object.assign(server, await serve({ root: dist, ...resolved }));
  });
  after(async () => server.close?.());
  return server;
}

/**
 * The build for a sub-path deployment (`make e2e` builds it: SSPR_SUBPATH_DIST, made with
 * PUBLIC_URL=SSPR_SUBPATH) served under that path for the enclosing `describe`. The returned
 * object gets the server's fields (`url`, ending in the sub-path) and `base` (`/tools/sspr/`).
 */
export function useSubpathServer() {
  const server = {};
  before(async () => {
    const { SSPR_SUBPATH: base, SSPR_SUBPATH_DIST: root } = process.env;
    assert.ok(base && root, 'SSPR_SUBPATH and SSPR_SUBPATH_DIST are not set: run the journeys with `make e2e`');
    const built = join(repo, root);
    assert.ok(existsSync(join(built, 'index.html')), `${root} is missing: run the journeys with \`make e2e\``);
    Object.assign(server, await serve({ root: built, base }), { base });
  });
  after(async () => server.close?.());
  return server;
}

/** A temporary folder for the enclosing suite's test data (`folder.path`), removed afterwards. */
export function useFolder(prefix) {
  const folder = {};
  before(() => {
    folder.path = mkdtempSync(join(tmpdir(), `sspr-${prefix}-`));
  });
  after(() => folder.path && rmSync(folder.path, { recursive: true, force: true }));
  return folder;
}

/**
 * A copy of dist/ (symbolic links) in `folder` whose sample is the tenant in `tenantFolder`:
 * the app then loads that tenant on a first visit. Returns the new root.
 */
export function distWithSample(folder, tenantFolder) {
  const root = join(folder, 'dist');
  mkdirSync(root);
  for (const name of readdirSync(dist)) {
    if (name !== 'sample') symlinkSync(join(dist, name), join(root, name));
  }
  symlinkSync(tenantFolder, join(root, 'sample'));
  return root;
}

// ---------------------------------------------------------------------------------------------
// The reference report backend (backend/README.md)

/**
 * Sets the backend's fault switches (`POST /_faults` with `switches`), or with `null` restores
 * the ones it started with (`DELETE /_faults`). The only code that talks to `/_faults`.
 */
async function setFaults(url, switches) {
  const [method, body] = switches === null ? ['DELETE', undefined] : ['POST', switches];
  const response = await fetch(`${url}/_faults`, {
    method,
    // The control endpoint answers only the developer's own tools: this header and a JSON body.
    headers: { 'x-sspr-control': '1', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(response.ok, `${method} /_faults: ${response.status} ${await response.text()}`);
}

/** Reads (`GET`) or clears (`DELETE`) the backend's log of report requests (`/_requests`). */
async function requestLog(url, method = 'GET') {
  const response = await fetch(`${url}/_requests`, { method });
  assert.ok(response.ok, `${method} /_requests: ${response.status} ${await response.clone().text()}`);
  return method === 'GET' ? (await response.json()).requests : null;
}

/**
 * Builds and starts the reference backend on a free port with `args` (its command line); resolves
 * to { url, base, log(), faults(switches), reset(), stop() }.
 */
export async function startBackend(args) {
  execFileSync('cargo', ['build', '--quiet', '-p', 'sspr-backend'], { cwd: repo, stdio: 'inherit' });
  const child = spawn(join(repo, 'target', 'debug', 'sspr-backend'), ['--port', '0', ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const first = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sspr-backend exited (${code}): ${stderr}`)));
  });
  const url = first.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/)?.[1];
  assert.ok(url, `unexpected first line from sspr-backend: ${first}`);
  return {
    url,
    /** The base URL the app's form asks for. */
    base: `${url}/beta`,
    /** The report requests (and preflights) since the last reset, oldest first. */
    log: () => requestLog(url),
    /** Turns fault switches on, e.g. `{ throttle: 1, retry_after: 1 }`. */
    faults: (switches) => setFaults(url, switches),
    /** No faults and an empty request log. */
    reset: async () => {
      await setFaults(url, null);
      await requestLog(url, 'DELETE');
    },
    stop: () => child.kill(),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the screen

/** A count as the app shows it (`1234567` → `1,234,567`, as src/components/format.rs). */
export const count = (n) => n.toLocaleString('en-US');

/** The number in a count as shown (`"1,234"` → `1234`). */
export const number = (text) => Number(text.replace(/[^\d]/g, ''));

/** The query of the page's URL, without `?`. */
export const queryOf = (page) => new URL(page.url()).search.replace(/^\?/, '');

const TILE_NUMBERS = {
  population: '[data-tile=registered] .population',
  registered: '[data-tile=registered] .tile-count',
  enabled: '[data-tile=enabled] .tile-count',
  capable: '[data-tile=capable] .tile-count',
};

/** Waits until the overview's tiles show numbers. */
export async function tilesShown(page, options) {
  await expect(page.locator(TILE_NUMBERS.registered), 'the tiles').toBeVisible(options);
}

/** The tiles' numbers, once they show: { population, registered, enabled, capable }. */
export async function tiles(page) {
  await tilesShown(page);
  const read = async (selector) => number(await page.locator(selector).textContent());
  const entries = Object.entries(TILE_NUMBERS).map(async ([key, selector]) => [key, await read(selector)]);
  return Object.fromEntries(await Promise.all(entries));
}

/** Waits until the tiles show `expected` ({ population, registered, enabled, capable }, any of them). */
export async function expectTiles(page, expected, message = 'tiles') {
  for (const [key, n] of Object.entries(expected)) {
    await expect(page.locator(TILE_NUMBERS[key]), `${message}: ${key}`).toHaveText(count(n));
  }
}

/**
 * Waits until a chart's "Show data" table (`chart` is registrations or resets) holds `rows`
 * ([{ method, success, failure }], as the model's `charts`), in that order.
 */
export async function expectChartTable(page, chart, rows, message = chart) {
  const cells = page.locator(`[data-chart=${chart}] table tbody tr > *`);
  const expected = rows.flatMap(({ method, success, failure }) => [method, count(success), count(failure)]);
  await expect(cells, `the ${message} data table`).toHaveText(expected);
}

/** Waits until both charts' data tables show the model's rows for a population and period. */
export async function expectCharts(page, stats, population, period) {
  const charts = stats.charts[population][period];
  await expectChartTable(page, 'registrations', charts.registration, `registrations ${population} ${period}`);
  await expectChartTable(page, 'resets', charts.reset, `resets ${population} ${period}`);
}

/** The attempts screen's numbers the model computes for a population (`all/all`) and period. */
export function modelAttempts(stats, population = 'all/all', period = '7d') {
  return stats.attempts.by_population[population][period];
}

/**
 * Waits until the attempts' funnel and outcome tables ("Show data") hold the model's rows for a
 * population and period: stage or outcome, then its count.
 */
export async function expectAttemptCharts(page, stats, population = 'all/all', period = '7d') {
  const { funnel, outcomes } = modelAttempts(stats, population, period);
  const cells = (chart) => page.locator(`[data-chart=${chart}] table tbody tr > *`);
  const where = `${population} ${period}`;
  await expect(cells('funnel'), `the funnel's data table, ${where}`).toHaveText(
    funnel.flatMap((r) => [r.label, count(r.attempts)]),
  );
  await expect(cells('outcomes'), `the outcomes' data table, ${where}`).toHaveText(
    outcomes.flatMap((r) => [r.label, count(r.count)]),
  );
}

/** What an MFA tile shows where the loaded data does not carry its field (src/components/mfa_tiles.rs). */
export const NOT_IN_DATA = 'Not in the loaded data';

/**
 * Waits until the two MFA tiles show `expected` (`modelMfaTiles`): the count, or "Not in the
 * loaded data" where no user's record carries the field (never a 0), and how many users the data
 * says nothing about when only some records lack it.
 */
export async function expectMfaTiles(page, expected, message = 'MFA tiles') {
  for (const kind of ['mfa', 'passwordless']) {
    const { count: n, known, unknown } = expected[kind];
    const tile = page.locator(`[data-tile=${kind}]`);
    if (known === 0 && expected.population > 0) {
      await expect(tile.locator('.tile-count'), `${message}: ${kind}`).toHaveText(NOT_IN_DATA);
      continue;
    }
    await expect(tile.locator('.tile-count'), `${message}: ${kind}`).toHaveText(count(n));
    if (unknown > 0) {
      await expect(tile.locator('.tile-note'), `${message}: ${kind} unknown`).toHaveAttribute('data-unknown', String(unknown));
    } else {
      await expect(tile.locator('.tile-note'), `${message}: ${kind} unknown`).toHaveCount(0);
    }
  }
}

/**
 * Waits until the "Users registered by authentication method" data table holds `rows`
 * ([{ method, users }], as the model's `by_method`), in that order.
 */
export async function expectUserMethodTable(page, rows, message = 'users by method') {
  const cells = page.locator('[data-chart=users-by-method] table tbody tr > *');
  await expect(cells, `the ${message} data table`).toHaveText(rows.flatMap(({ method, users }) => [method, count(users)]));
}

/** A list's "N of M": the N (rows shown). */
export const listCount = (page) => page.locator('.list-count [data-count]');

/** Waits until a list shows `n` rows. */
export async function expectListCount(page, n, message = 'the list count') {
  await expect(listCount(page), message).toHaveText(count(n));
}

/** The number of rows a list shows, once it shows any count. */
export async function readListCount(page, options) {
  await expect(listCount(page), 'the list count').toBeVisible(options);
  return number(await listCount(page).textContent());
}

/** How many pixels the page is wider than the screen (0 or less: nothing overflows sideways). */
export function sidewaysOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * Drops the files at `paths` on the element `target` (a CSS selector; the page's heading by
 * default), as a person drags them from the desktop: dragenter, dragover, drop.
 */
export async function dropFiles(page, paths, target = 'h1') {
  const files = paths.map((path) => ({ name: path.split('/').pop(), text: readFileSync(path, 'utf8') }));
  await page.locator(target).first().waitFor();
  await page.evaluate(
    ([list, selector]) => {
      const transfer = new DataTransfer();
      for (const { name, text } of list) transfer.items.add(new File([text], name));
      const element = document.querySelector(selector);
      for (const type of ['dragenter', 'dragover', 'drop']) {
        element.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    [files, target],
  );
}

/** Waits until a list shows its count and its first rows. */
export async function listShown(page) {
  await expect(listCount(page)).toBeVisible();
  await expect(page.locator('.vt-rows [role=row]').first()).toBeVisible();
}

/**
 * Every screen of the app with the bundled sample: its name, its path (relative to the app's
 * base) and `shown(page)`, which waits until it shows its data.
 */
export const SCREENS = [
  {
    name: 'overview',
    path: '',
    async shown(page) {
      await tilesShown(page);
      for (const chart of ['registrations', 'resets', 'trend']) {
        await expect(page.locator(`[data-chart=${chart}] .chart-svg svg`)).toHaveCount(1);
      }
    },
  },
  { name: 'registrations', path: 'registrations', shown: listShown },
  { name: 'activity', path: 'activity', shown: listShown },
  {
    name: 'attempts',
    path: 'attempts',
    async shown(page) {
      for (const chart of ['funnel', 'outcomes', 'attempt-trend']) {
        await expect(page.locator(`[data-chart=${chart}] .chart-svg svg`)).toHaveCount(1);
      }
      await listShown(page);
    },
  },
  {
    name: 'data',
    path: 'data',
    shown: (page) => expect(page.locator('[data-summary=source]')).toHaveText('Sample data'),
  },
  {
    name: 'policy',
    path: 'policy?required=2',
    shown: (page) => expect(page.locator('[data-whatif=capable] .simulated')).toHaveText(/\d/),
  },
];

// ---------------------------------------------------------------------------------------------
// Accessibility

const AXE_SOURCE = join(repo, 'e2e', 'node_modules', 'axe-core', 'axe.min.js');
let axeSource;

/**
 * Runs axe-core's rules (WCAG 2.x A and AA, and its best practices) on the page as it is now and
 * returns the violations, each as "impact rule-id: what, at which elements".
 *
 * axe is evaluated through the DevTools protocol (`page.evaluate`), the way @axe-core/playwright
 * injects it: the page keeps running under the build's policy, which refuses
 * `page.addScriptTag` (an inline <script>, a policy violation that `closePage` would report).
 */
export async function axe(page) {
  axeSource ??= readFileSync(AXE_SOURCE, 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      impact: v.impact,
      id: v.id,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  return violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.length} × ${v.nodes.slice(0, 3).join(' | ')}`);
}

/** The serious and critical ones among `axe`'s violations (none is allowed). */
export const serious = (violations) => violations.filter((v) => /^(serious|critical) /.test(v));
