// End-to-end journeys through the overview, deep links and sub-paths, and the policy and SPA
// fallbacks the build ships: the release build (dist/, and the sub-path build `make e2e` makes)
// served like a CDN would (SPA fallback, the build's _headers), driven in Debian's Chromium by
// playwright-core. Expected numbers come from the model itself (`sspr-sample stats` over the
// bundled sample), never from literals.
//
//   make e2e      (after `make build`; `make test` does both)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { headerPolicy, policyOfPage } from '../scripts/csp.mjs';
import {
  PHONE,
  SCREENS,
  closePage,
  dist,
  expect,
  expectCharts,
  expectListCount,
  expectTiles,
  modelRows,
  modelTiles,
  repo,
  sidewaysOverflow,
  tilesShown,
  useApp,
  useSubpathServer,
} from './harness.mjs';
import { shippedHeaders } from './serve.mjs';

const app = useApp();

const radio = (page, name) => page.getByRole('radio', { name, exact: true });

describe('overview on the bundled sample', () => {
  test('opening / shows the model’s tiles, charts and insights, labelled as sample data', async () => {
    const page = await app.open();
    await expectTiles(page, modelTiles(app.stats, 'all/all'));
    await expectCharts(page, app.stats, 'all/all', '7d');
    await expect(page.locator('[data-source]')).toHaveText('Sample data');
    await expect(page.locator('.as-of time')).toHaveAttribute('datetime', app.stats.as_of);
    const insights = app.stats.insights['all/all']['7d'].map((i) => i.text);
    await expect(page.locator('.insight-list li')).toHaveText(insights);
    await expect(page.locator('[data-chart=resets] .chart-svg svg')).toHaveCount(1);
    await expect(page.locator('[data-chart=trend] .chart-svg svg')).toHaveCount(1);
    await expect(page.locator('[data-chart=resets] table caption')).toHaveText('Resets');
    await closePage(page);
  });

  test('switching period and population changes the data tables and tiles, and lands in the URL', async () => {
    const page = await app.open();
    await tilesShown(page);

    await radio(page, '24 hours').check();
    await expect(page).toHaveURL(/period=24h/);
    await expectCharts(page, app.stats, 'all/all', '24h');
    await expectTiles(page, modelTiles(app.stats, 'all/all'));

    await radio(page, 'Members').check();
    await expect(page).toHaveURL(/users=members/);
    await radio(page, 'Admins').check();
    await expect(page).toHaveURL(/roles=admins/);
    await expectTiles(page, modelTiles(app.stats, 'members/admins'));
    await expectCharts(page, app.stats, 'members/admins', '24h');

    // Reload: the state comes back from the URL alone.
    await page.reload();
    await tilesShown(page);
    await expect(radio(page, '24 hours')).toBeChecked();
    await expect(radio(page, 'Members')).toBeChecked();
    await expect(radio(page, 'Admins')).toBeChecked();
    await expectTiles(page, modelTiles(app.stats, 'members/admins'));
    await expectCharts(page, app.stats, 'members/admins', '24h');

    // Back undoes the last filter change.
    await page.goBack();
    await expect(page).toHaveURL((url) => !url.search.includes('roles=admins'));
    await expectTiles(page, modelTiles(app.stats, 'members/all'));
    await closePage(page);
  });

  test('a shared link opens with its filters; bad values fall back to the defaults', async () => {
    const page = await app.open('?period=30d&users=guests&roles=bogus');
    await expectTiles(page, modelTiles(app.stats, 'guests/all'));
    await expectCharts(page, app.stats, 'guests/all', '30d');
    await expect(radio(page, 'All roles')).toBeChecked();
    await closePage(page);
  });

  test('a deep link to a screen that does not exist yet gets the app’s own page', async () => {
    const page = await app.open('no-such-screen');
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Go to the overview' }).click();
    await expectTiles(page, modelTiles(app.stats, 'all/all'));
    await closePage(page);
  });

  test('on a 390 px phone nothing overflows sideways', async () => {
    const page = await app.open('', PHONE);
    await tilesShown(page);
    const overflow = await sidewaysOverflow(page);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await closePage(page);
  });
});

describe('deep links', () => {
  test('with a trailing slash, each screen opens at its own path, its query kept', async () => {
    const page = await app.open('activity/?status=failure');
    await expect(page).toHaveURL(app.url('activity?status=failure'));
    await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible();
    await expectListCount(page, modelRows('activity', 'status=failure'));
    await expect(page.getByRole('link', { name: 'Activity' })).toHaveAttribute('aria-current', 'page');
    await closePage(page);
    // Each screen, with one slash too many and with two (each waits for the sample, so that a
    // new page never cuts its download short).
    for (const [screen, slashes] of SCREENS.filter((s) => s.path).map((s, i) => [s, '/'.repeat(1 + (i % 2))])) {
      // The slashes go after the path, before a query (the what-if screen's carries its scenario).
      const [path, query] = screen.path.split('?');
      const other = await app.open(`${path}${slashes}${query ? `?${query}` : ''}`);
      await expect(other).toHaveURL(app.url(screen.path));
      await screen.shown(other);
      await closePage(other);
    }
  });
});

describe('the release build’s policy and fallbacks', () => {
  const read = (name) => readFileSync(join(dist, name), 'utf8');

  test('the page’s <meta> and _headers carry one policy; 404.html and _redirects fall back to the app', () => {
    const page = policyOfPage(read('index.html'));
    assert.match(page, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';/);
    assert.match(page, /connect-src 'self'[^;]*; worker-src 'self'; object-src 'none'; base-uri 'self'$/);
    assert.equal(shippedHeaders(dist)['content-security-policy'], headerPolicy(page));
    assert.match(headerPolicy(page), /; frame-ancestors 'none'$/);
    assert.equal(read('404.html'), read('index.html'), '404.html is the app (GitHub Pages)');
    assert.equal(read('_redirects'), '/* /index.html 200\n', 'the SPA fallback of Netlify and Cloudflare Pages');
  });

  test('the journeys’ server sends the policy the build ships', async () => {
    const response = await fetch(app.url('activity'));
    assert.equal(response.headers.get('content-security-policy'), shippedHeaders(dist)['content-security-policy']);
    assert.equal(await response.text(), read('index.html'));
  });

  test('an inline script is refused, and the journey sees the violation', async () => {
    const page = await app.open();
    await tilesShown(page);
    await assert.rejects(page.addScriptTag({ content: 'window.inlineRan = true;' }), /Content Security Policy/);
    assert.equal(await page.evaluate(() => window.inlineRan), undefined, 'the inline script did not run');
    await expect.poll(() => page.cspViolations.some((v) => /script-src-elem refused inline/.test(v))).toBe(true);
    // The one refused script, as the event and as Chromium's console line, maybe more than once.
    const refusedInline = (v) =>
      /^violation: script-src-elem refused inline$/.test(v) || /^console: Executing inline script violates/.test(v);
    await closePage(page, { expectedViolation: refusedInline });
  });
});

describe('loading the sample', () => {
  test('shows progress while it downloads and a clear message when it cannot', async () => {
    const page = await app.newPage();
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route('**/sample/userEventsSummary.json', async (route) => {
      await held;
      await route.fulfill({ status: 404, contentType: 'text/plain', body: 'gone' });
    });
    await page.goto(app.url());
    const progress = page.getByRole('status').filter({ hasText: 'Downloading the sample data' });
    await expect(progress).toBeVisible();
    await expect(progress.locator('progress')).toHaveCount(1);

    release();
    await expect(page.getByRole('alert')).toHaveText(/could not be loaded.*userEventsSummary\.json.*404/s);
    await expect(page.locator('.tile')).toHaveCount(0);
    // The one expected complaint: the browser logs the 404 itself.
    await closePage(page, { expected: (problem) => /404/.test(problem) });
  });
});

describe('served under a sub-path', () => {
  const nested = useSubpathServer();

  test('the build for /tools/sspr/ works there, links included', async () => {
    const page = await app.newPage();
    await page.goto(`${nested.url}?period=24h`);
    await expectTiles(page, modelTiles(app.stats, 'all/all'));
    await expectCharts(page, app.stats, 'all/all', '24h');
    const overview = page.getByRole('link', { name: 'Overview' });
    await expect(overview).toHaveAttribute('href', /^\/tools\/sspr\//);
    await radio(page, 'Guests').check();
    await expect(page).toHaveURL(/\/tools\/sspr\/\?.*users=guests/);
    await expectTiles(page, modelTiles(app.stats, 'guests/all'));
    await closePage(page);
  });

  test('/tools/sspr/activity/?status=failure opens and reloads into the filtered list', async () => {
    const page = await app.newPage();
    const failures = modelRows('activity', 'status=failure');
    await page.goto(`${nested.url}activity/?status=failure`);
    await expect(page).toHaveURL(`${nested.url}activity?status=failure`);
    await expectListCount(page, failures);
    await expect(page.getByLabel('Status')).toHaveValue('failure');
    await page.reload();
    await expectListCount(page, failures);
    await expect(page.getByLabel('Status')).toHaveValue('failure');
    // The base path alone, without its slash, is the overview.
    await page.goto(nested.url.replace(/\/$/, ''));
    await expect(page).toHaveURL(nested.url);
    await tilesShown(page);
    await closePage(page);
  });

  test('the sub-path build asks for its files under the sub-path, and falls back to its index.html', () => {
    const root = join(repo, process.env.SSPR_SUBPATH_DIST);
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    const urls = [...html.matchAll(/\s(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(urls.length >= 5, urls.join(' '));
    assert.deepEqual(urls.filter((url) => !url.startsWith(nested.base)), [], 'every asset URL is under the sub-path');
    assert.equal(readFileSync(join(root, '_redirects'), 'utf8'), `${nested.base}* ${nested.base}index.html 200\n`);
    assert.equal(shippedHeaders(root, nested.base)['x-content-type-options'], 'nosniff');
  });
});
