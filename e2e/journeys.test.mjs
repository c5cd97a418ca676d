// End-to-end journeys: the release build (dist/) served like a CDN would (SPA fallback, strict
// CSP), driven in Debian's Chromium by playwright-core. Expected numbers come from the model
// itself (`sspr-sample stats` over the bundled sample), never from literals.
//
//   node --test --test-reporter=tap e2e/      (after `trunk build --release`; `make test` does both)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from './serve.mjs';
import {
  closePage as close,
  dist,
  number,
  openPage as open,
  repo,
  table,
  waitForTiles,
  useReleaseApp,
} from './harness.mjs';

const app = useReleaseApp();

const openPage = (options) => open(app.browser, options);
const closePage = close;

async function tiles(page) {
  const read = (selector) => page.locator(selector).textContent().then(number);
  return {
    population: await read('[data-tile=registered] .population'),
    registered: await read('[data-tile=registered] .tile-count'),
    enabled: await read('[data-tile=enabled] .tile-count'),
    capable: await read('[data-tile=capable] .tile-count'),
  };
}

const expectedRows = (rows) => rows.map(({ method, success, failure }) => ({ method, success, failure }));

function expectTables(actual, population, period) {
  const charts = app.stats.charts[population][period];
  assert.deepEqual(actual.registration, expectedRows(charts.registration), `registrations ${population} ${period}`);
  assert.deepEqual(actual.reset, expectedRows(charts.reset), `resets ${population} ${period}`);
}

async function tables(page) {
  return { registration: await table(page, 'registrations'), reset: await table(page, 'resets') };
}

async function expectTiles(page, population) {
  const { population: size, registered, enabled, capable } = app.stats.populations[population];
  assert.deepEqual(await tiles(page), { population: size, registered, enabled, capable }, `tiles ${population}`);
}

async function choose(page, name) {
  await page.getByRole('radio', { name, exact: true }).check();
}

describe('overview on the bundled sample', () => {
  test('opening / shows the model’s tiles, charts and insights, labelled as sample data', async () => {
    const page = await openPage();
    await page.goto(app.server.url);
    await waitForTiles(page);

    await expectTiles(page, 'all/all');
    expectTables(await tables(page), 'all/all', '7d');
    assert.equal(await page.locator('[data-source]').textContent(), 'Sample data');
    assert.equal(await page.locator('.as-of time').getAttribute('datetime'), app.stats.as_of);
    const insights = await page.locator('.insight-list li').allTextContents();
    assert.deepEqual(insights, app.stats.insights['all/all']['7d'].map((i) => i.text));
    assert.equal(await page.locator('[data-chart=resets] .chart-svg svg').count(), 1);
    assert.equal(await page.locator('[data-chart=trend] .chart-svg svg').count(), 1);
    assert.equal(await page.locator('[data-chart=resets] table caption').textContent(), 'Resets');

    mkdirSync(join(repo, 'docs'), { recursive: true });
    await page.screenshot({ path: join(repo, 'docs', 'overview.png'), fullPage: true });
    await closePage(page);
  });

  test('switching period and population changes the data tables and tiles, and lands in the URL', async () => {
    const page = await openPage();
    await page.goto(app.server.url);
    await waitForTiles(page);

    await choose(page, '24 hours');
    await page.waitForURL(/period=24h/);
    expectTables(await tables(page), 'all/all', '24h');
    await expectTiles(page, 'all/all');

    await choose(page, 'Members');
    await page.waitForURL(/users=members/);
    await choose(page, 'Admins');
    await page.waitForURL(/roles=admins/);
    await expectTiles(page, 'members/admins');
    expectTables(await tables(page), 'members/admins', '24h');

    // Reload: the state comes back from the URL alone.
    await page.reload();
    await waitForTiles(page);
    assert.equal(await page.getByRole('radio', { name: '24 hours', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('radio', { name: 'Members', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('radio', { name: 'Admins', exact: true }).isChecked(), true);
    await expectTiles(page, 'members/admins');
    expectTables(await tables(page), 'members/admins', '24h');

    // Back undoes the last filter change.
    await page.goBack();
    await page.waitForURL((url) => !url.search.includes('roles=admins'));
    await expectTiles(page, 'members/all');
    await closePage(page);
  });

  test('a shared link opens with its filters; bad values fall back to the defaults', async () => {
    const page = await openPage();
    await page.goto(`${app.server.url}?period=30d&users=guests&roles=bogus`);
    await waitForTiles(page);
    await expectTiles(page, 'guests/all');
    expectTables(await tables(page), 'guests/all', '30d');
    assert.equal(await page.getByRole('radio', { name: 'All roles', exact: true }).isChecked(), true);
    await closePage(page);
  });

  test('a deep link to a screen that does not exist yet gets the app’s own page', async () => {
    const page = await openPage();
    await page.goto(`${app.server.url}no-such-screen`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Go to the overview' }).click();
    await waitForTiles(page);
    await expectTiles(page, 'all/all');
    await closePage(page);
  });

  test('on a 390 px phone nothing overflows sideways', async () => {
    const page = await openPage({ width: 390, height: 844 });
    await page.goto(app.server.url);
    await waitForTiles(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await closePage(page);
  });
});

describe('loading the sample', () => {
  test('shows progress while it downloads and a clear message when it cannot', async () => {
    const page = await openPage();
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route('**/sample/userEventsSummary.json', async (route) => {
      await held;
      await route.fulfill({ status: 404, contentType: 'text/plain', body: 'gone' });
    });
    await page.goto(app.server.url);
    const progress = page.getByRole('status').filter({ hasText: 'Downloading the sample data' });
    await progress.waitFor();
    assert.equal(await progress.locator('progress').count(), 1);

    release();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /could not be loaded.*userEventsSummary\.json.*404/s);
    assert.equal(await page.locator('.tile').count(), 0);
    // The one expected complaint: the browser logs the 404 itself.
    assert.ok(page.problems.every((p) => /404/.test(p)), page.problems.join('\n'));
    await page.close();
  });
});

describe('served under a sub-path', () => {
  let nested;
  before(async () => {
    nested = await serve({ root: dist, base: '/tools/sspr/' });
  });
  after(async () => nested?.close());

  test('the same build works under /tools/sspr/, links included', async () => {
    const page = await openPage();
    await page.goto(`${nested.url}?period=24h`);
    await waitForTiles(page);
    await expectTiles(page, 'all/all');
    expectTables(await tables(page), 'all/all', '24h');
    const overview = await page.getByRole('link', { name: 'Overview' }).getAttribute('href');
    assert.ok(overview.startsWith('/tools/sspr/'), overview);
    await choose(page, 'Guests');
    await page.waitForURL(/\/tools\/sspr\/\?.*users=guests/);
    await expectTiles(page, 'guests/all');
    await closePage(page);
  });
});
