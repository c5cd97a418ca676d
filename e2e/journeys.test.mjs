// End-to-end journeys through the overview: the release build (dist/) served like a CDN would
// (SPA fallback, strict CSP), driven in Debian's Chromium by playwright-core. Expected numbers
// come from the model itself (`sspr-sample stats` over the bundled sample), never from literals.
//
//   node --test --test-reporter=tap e2e/      (after `make build`; `make test` does both)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE,
  closePage,
  expect,
  expectCharts,
  expectTiles,
  modelTiles,
  sidewaysOverflow,
  tilesShown,
  useApp,
  useServer,
} from './harness.mjs';

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
  const nested = useServer({ base: '/tools/sspr/' });

  test('the same build works under /tools/sspr/, links included', async () => {
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
});
