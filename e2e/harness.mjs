// What the journeys share: the browser (Debian's Chromium through playwright-core), pages that
// record every console error, and the model's own answers, computed on the host by the
// `sspr-sample` tool, so expected numbers never come from literals.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const dist = join(repo, 'dist');
export const SAMPLE = ['public/sample/userRegistrationDetails.json', 'public/sample/userEventsSummary.json'];
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs the host tool `sspr-sample` (with cargo's `profile`, default dev) and returns stdout. */
export function sample(args, { profile, encoding = 'utf8' } = {}) {
  const cargo = ['run', '--quiet', ...(profile ? ['--profile', profile] : []), '--bin', 'sspr-sample', '--'];
  return execFileSync('cargo', [...cargo, ...args], { cwd: repo, encoding, maxBuffer: 1 << 30 });
}

/** The model's tiles, chart rows and insights for the bundled sample. */
export function modelStats() {
  return JSON.parse(sample(['stats', ...SAMPLE]));
}

/** The exact bytes the model writes for a list view (`list` is registrations or activity). */
export function modelCsv(list, query, { files = SAMPLE, profile } = {}) {
  return sample(['csv', list, query, ...files], { profile, encoding: 'buffer' });
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

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A fresh page that records console errors, uncaught exceptions and failed requests. */
export async function openPage(browser, { width = 1440, height = 900 } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, acceptDownloads: true });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  page.problems = problems;
  return page;
}

export async function closePage(page) {
  const problems = page.problems;
  await page.close();
  assert.deepEqual(problems, [], 'no console errors, exceptions or failed requests');
}

export const number = (text) => Number(text.replace(/[^\d]/g, ''));

export async function waitForTiles(page) {
  await page.locator('[data-tile=registered] .tile-count').waitFor({ timeout: 15_000 });
}

/** A chart's "Show data" table as [{ method, success, failure }]. */
export async function table(page, chart) {
  const rows = await page.$$eval(`[data-chart=${chart}] table tbody tr`, (trs) =>
    trs.map((tr) => [...tr.children].map((cell) => cell.textContent)),
  );
  return rows.map(([method, success, failure]) => ({ method, success: number(success), failure: number(failure) }));
}

/** The query of the page's URL, without `?`. */
export const queryOf = (page) => new URL(page.url()).search.replace(/^\?/, '');

/**
 * Registers a suite's hooks for the usual setup: the model's numbers for the sample, dist/ served
 * with SPA fallback and the strict CSP, and Chromium. The fields are set once `before` has run.
 */
export function useReleaseApp() {
  const app = { stats: null, browser: null, server: null };
  before(async () => {
    assert.ok(existsSync(join(dist, 'index.html')), 'dist/ is missing: run `trunk build --release` first');
    app.stats = modelStats();
    app.server = await serve({ root: dist });
    app.browser = await launch();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}
