// Journeys through the two lists (/registrations, /activity) on the release build: click-through
// from the overview, filters, search, sort, URL state and history, the CSV download, phones, and
// a generated tenant of 1,000,000 events. Expected numbers and bytes come from the model
// (`sspr-sample stats` and `sspr-sample csv`), never from literals.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from './serve.mjs';
import {
  closePage,
  csvRecords,
  dist,
  modelCsv,
  number,
  openPage,
  queryOf,
  sample,
  table,
  waitForTiles,
  useReleaseApp,
} from './harness.mjs';

const app = useReleaseApp();

/** The list's "N of M" as numbers, once the list is on screen. */
async function listCount(page) {
  const count = page.locator('.list-count [data-count]');
  await count.waitFor({ timeout: 15_000 });
  return number(await count.textContent());
}

/** Waits until the list shows `expected` rows, then returns the count (or the last one seen). */
async function countBecomes(page, expected) {
  const deadline = Date.now() + 10_000;
  let seen;
  while (Date.now() < deadline) {
    seen = await listCount(page);
    if (seen === expected) return seen;
    await page.waitForTimeout(50);
  }
  return seen;
}

/** How many rows the model lists for a view: the records of its CSV, without the header. */
function modelRows(list, query) {
  return csvRecords(modelCsv(list, query)).length - 1;
}

const grid = (page) => page.getByRole('grid');
const domRows = (page) => page.locator('.vt-rows [role=row]').count();

describe('click-through from the overview', () => {
  test('Users capable opens the capable users, and “Not capable” lists the rest', async () => {
    const page = await openPage(app.browser);
    await page.goto(app.server.url);
    await waitForTiles(page);
    const { population, capable } = app.stats.populations['all/all'];

    await page.getByRole('link', { name: 'Users capable', exact: true }).click();
    await page.waitForURL(/\/registrations\?capable=yes$/);
    assert.equal(await countBecomes(page, capable), capable, 'the list count equals the tile');
    assert.equal(await page.getByLabel('Capable').inputValue(), 'yes');
    assert.equal(await grid(page).getAttribute('aria-rowcount'), String(capable + 1));

    await page.getByLabel('Capable').selectOption({ label: 'Not capable' });
    await page.waitForURL(/capable=no/);
    assert.equal(await countBecomes(page, population - capable), population - capable, 'users − capable');
    await closePage(page);
  });

  test('a tile carries the population to the list', async () => {
    const page = await openPage(app.browser);
    await page.goto(`${app.server.url}?users=guests&roles=nonadmins`);
    await waitForTiles(page);
    const { registered } = app.stats.populations['guests/nonadmins'];
    await page.getByRole('link', { name: 'Users registered', exact: true }).click();
    await page.waitForURL(/\/registrations\?users=guests&roles=nonadmins&registered=yes$/);
    assert.equal(await countBecomes(page, registered), registered);
    assert.equal(await page.getByRole('radio', { name: 'Guests', exact: true }).isChecked(), true);
    await closePage(page);
  });

  test('the Resets failure bar of a method opens its failed resets: the count is the bar’s number', async () => {
    const page = await openPage(app.browser);
    await page.goto(`${app.server.url}?period=30d`);
    await waitForTiles(page);
    // The method with the most failed resets in the model's chart.
    const target = [...app.stats.charts['all/all']['30d'].reset].sort((a, b) => b.failure - a.failure)[0];
    assert.ok(target.failure > 0, 'the sample has failed resets');
    const shown = (await table(page, 'resets')).find((row) => row.method === target.method);

    const bar = page.locator(`[data-chart=resets] a.bar-link[data-method="${target.id}"][data-status=failure]`);
    assert.match(await bar.getAttribute('aria-label'), new RegExp(`^${target.method}, failed resets: `));
    // Bars are real links: the keyboard reaches them, Enter follows them.
    await bar.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/activity\?/);
    const query = new URLSearchParams(queryOf(page));
    assert.deepEqual(
      Object.fromEntries(query),
      { period: '30d', feature: 'reset', status: 'failure', method: target.id },
      'feature, method, status and period',
    );
    assert.equal(await countBecomes(page, shown.failure), shown.failure, 'the data table’s number');
    assert.equal(await page.getByLabel('Status').inputValue(), 'failure');
    assert.equal(await page.getByLabel('Method').inputValue(), target.id);
    await closePage(page);
  });

  test('each number in a chart’s data table opens the same activity as its bar', async () => {
    const page = await openPage(app.browser);
    await page.goto(app.server.url);
    await waitForTiles(page);
    const row = app.stats.charts['all/all']['7d'].registration.find((r) => r.success > 0);
    await page.locator('[data-chart=registrations] summary').click();
    await page.locator(`[data-chart=registrations] tr[data-method="${row.id}"] a[data-status=success]`).click();
    await page.waitForURL(/\/activity\?feature=registration&status=success&method=/);
    assert.equal(await countBecomes(page, row.success), row.success);
    await closePage(page);
  });

  test('an insight opens the list behind it, with its count', async () => {
    const page = await openPage(app.browser);
    await page.goto(app.server.url);
    await waitForTiles(page);
    const insight = app.stats.insights['all/all']['7d'].find((i) => i.href.startsWith('/registrations') && i.count > 0);
    await page.locator('.insight-list a', { hasText: insight.text }).click();
    await page.waitForURL(/\/registrations\?/);
    assert.equal(await countBecomes(page, insight.count), insight.count);
    await closePage(page);
  });
});

describe('served under a sub-path', () => {
  let nested;
  before(async () => {
    nested = await serve({ root: dist, base: '/tools/sspr/' });
  });
  after(async () => nested?.close());

  test('tiles, navigation and list links stay under /tools/sspr/', async () => {
    const page = await openPage(app.browser);
    await page.goto(nested.url);
    await waitForTiles(page);
    const { capable } = app.stats.populations['all/all'];
    await page.getByRole('link', { name: 'Users capable', exact: true }).click();
    await page.waitForURL(/\/tools\/sspr\/registrations\?capable=yes$/);
    assert.equal(await countBecomes(page, capable), capable);
    await page.getByLabel('Capable').selectOption({ label: 'Not capable' });
    await page.waitForURL(/\/tools\/sspr\/registrations\?capable=no$/);
    await page.getByRole('navigation').getByRole('link', { name: 'Activity' }).click();
    await page.waitForURL(/\/tools\/sspr\/activity$/);
    await listCount(page);
    await closePage(page);
  });
});

describe('the registration details list', () => {
  test('search narrows as typed, in place in the history; sort, reload and Back keep the view', async () => {
    const page = await openPage(app.browser);
    await page.goto(`${app.server.url}registrations`);
    const everyone = await listCount(page);
    assert.equal(everyone, app.stats.populations['all/all'].population);

    await page.getByLabel('Enabled').selectOption({ label: 'Enabled' });
    await page.waitForURL(/enabled=yes/);
    const enabled = app.stats.populations['all/all'].enabled;
    assert.equal(await countBecomes(page, enabled), enabled);
    const historyBefore = await page.evaluate(() => history.length);

    // Type a common name fragment one key at a time: the count never grows.
    const search = page.getByLabel('Search users');
    let previous = enabled;
    for (const key of 'ann') {
      await search.press(key);
      const now = await listCount(page);
      assert.ok(now <= previous, `“${await search.inputValue()}”: ${now} after ${previous}`);
      previous = now;
    }
    await page.waitForURL(/q=ann/);
    const typed = modelRows('registrations', queryOf(page));
    assert.ok(typed > 0 && typed < enabled, `“ann” narrows (${typed} of ${enabled})`);
    assert.equal(await countBecomes(page, typed), typed, 'the model’s count for the query');
    assert.equal(await page.evaluate(() => history.length), historyBefore, 'typing replaces the history entry');

    // Sort by user name, descending (two clicks on the header).
    const header = page.getByRole('columnheader', { name: 'User name' });
    await header.getByRole('button').click();
    await page.waitForURL(/sort=username/);
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await header.getByRole('button').click();
    await page.waitForURL(/sort=-username/);
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    assert.equal(await page.getByRole('columnheader', { name: 'Name', exact: true }).getAttribute('aria-sort'), null);
    const firstRow = await page.locator('.vt-rows [role=row]').first().textContent();
    const firstOfModel = csvRecords(modelCsv('registrations', queryOf(page)))[1];
    assert.ok(firstRow.includes(firstOfModel[1]), `${firstRow} starts the model’s order (${firstOfModel[1]})`);

    // Reload: everything comes back from the URL.
    const url = page.url();
    await page.reload();
    assert.equal(await countBecomes(page, typed), typed);
    assert.equal(page.url(), url);
    assert.equal(await page.getByLabel('Search users').inputValue(), 'ann');
    assert.equal(await page.getByLabel('Enabled').inputValue(), 'yes');
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    assert.equal(await page.locator('.vt-rows [role=row]').first().textContent(), firstRow);

    // Back: the sort before, then the filter before the search (typing made no entries).
    await page.goBack();
    await page.waitForURL((u) => u.search.includes('sort=username'));
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await page.goBack();
    await page.waitForURL((u) => !u.search.includes('sort='));
    assert.equal(await page.getByLabel('Search users').inputValue(), 'ann');
    await page.goBack();
    await page.waitForURL((u) => u.search === '');
    assert.equal(await countBecomes(page, everyone), everyone, 'back to no filters');
    assert.equal(await page.getByLabel('Search users').inputValue(), '');
    assert.equal(await page.getByLabel('Enabled').inputValue(), '');

    // Forward walks the same entries the other way.
    await page.goForward();
    await page.waitForURL((u) => u.search.includes('q=ann'));
    assert.equal(await page.getByLabel('Search users').inputValue(), 'ann');
    assert.equal(await page.getByLabel('Enabled').inputValue(), 'yes');
    assert.equal(await countBecomes(page, typed), typed);
    await closePage(page);
  });

  test('the methods multi-select keeps users with any of the checked methods', async () => {
    const page = await openPage(app.browser);
    await page.goto(`${app.server.url}registrations`);
    await listCount(page);
    await page.getByText('Methods: Any').click();
    // The panel offers the methods users have registered; check the last two.
    const boxes = page.locator('.multi-panel input[type=checkbox]');
    const offered = await boxes.count();
    assert.ok(offered >= 2, `${offered} methods offered`);
    const [first, second] = [boxes.nth(offered - 1), boxes.nth(offered - 2)];
    await first.check();
    await page.waitForURL(new RegExp(`methods=${encodeURIComponent(await first.getAttribute('value'))}$`));
    await second.check();
    await page.waitForURL(/methods=[^&]+(%2C|,)/);
    assert.equal(await page.getByText(/^Methods: 2 methods$/).count(), 1);
    const expected = modelRows('registrations', queryOf(page));
    assert.equal(await countBecomes(page, expected), expected);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('details.multi').getAttribute('open'), null, 'Escape closes the panel');
    await closePage(page);
  });

  test('a search that matches nobody says so and offers to clear the filters', async () => {
    const page = await openPage(app.browser);
    await page.goto(`${app.server.url}registrations?capable=no&q=${encodeURIComponent('zz-nobody-zz')}`);
    assert.equal(await listCount(page), 0);
    await page.getByText('No users match these filters.').waitFor();
    await page.locator('.vt-empty').getByRole('button', { name: 'Clear the filters' }).click();
    await page.waitForURL((u) => u.search === '');
    assert.equal(await countBecomes(page, app.stats.populations['all/all'].population), app.stats.populations['all/all'].population);
    await closePage(page);
  });
});

describe('downloads', () => {
  for (const [list, query] of [
    ['activity', 'period=30d&feature=reset&status=failure&sort=method&q=a'],
    ['registrations', 'capable=no&methods=Sms,Email,MobilePhone&sort=-updated'],
  ]) {
    test(`Download CSV of ${list} gives the model’s CSV for the same view, byte for byte`, async () => {
      const page = await openPage(app.browser);
      await page.goto(`${app.server.url}${list}?${query}`);
      const shown = await listCount(page);
      const expected = modelCsv(list, queryOf(page));
      assert.equal(csvRecords(expected).length - 1, shown, 'the list shows the model’s rows');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download CSV' }).click(),
      ]);
      assert.match(download.suggestedFilename(), new RegExp(`^${list}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      const bytes = readFileSync(await download.path());
      assert.ok(bytes.equals(expected), `the download equals the model’s CSV (${bytes.length} vs ${expected.length} bytes)`);
      await closePage(page);
    });
  }
});

describe('the lists on a 390 px phone', () => {
  for (const list of ['registrations', 'activity']) {
    test(`${list}: nothing overflows the page sideways; the table scrolls inside its box`, async () => {
      const page = await openPage(app.browser, { width: 390, height: 844 });
      await page.goto(`${app.server.url}${list}`);
      await listCount(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
      const box = await grid(page).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      assert.ok(box.scroll > box.client, 'the table scrolls sideways inside its box');
      await closePage(page);
    });
  }
});

describe('a tenant of 1,000,000 events', () => {
  let folder;
  let big;
  before(async () => {
    // Test-only data: a generated tenant, served in place of the bundled sample.
    folder = mkdtempSync(join(tmpdir(), 'sspr-million-'));
    const data = join(folder, 'data');
    sample(['write', data, '--users', '200000', '--events', '1000000'], { profile: 'bench' });
    const root = join(folder, 'dist');
    mkdirSync(root);
    for (const name of readdirSync(dist)) {
      if (name !== 'sample') symlinkSync(join(dist, name), join(root, name));
    }
    symlinkSync(data, join(root, 'sample'));
    big = await serve({ root });
  });
  after(async () => {
    await big?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test('the activity list scrolls to the last row, shows it, and never holds more than 100 rows', async () => {
    const page = await openPage(app.browser);
    await page.goto(`${big.url}activity?period=30d&sort=name`);
    const count = page.locator('.list-count [data-count]');
    await count.waitFor({ timeout: 120_000 });
    const total = number(await page.locator('.list-count [data-total]').textContent());
    assert.equal(total, 1_000_000);
    const shown = number(await count.textContent());
    const records = csvRecords(
      modelCsv('activity', queryOf(page), { files: ['userRegistrationDetails.json', 'userEventsSummary.json'].map((f) => join(folder, 'data', f)), profile: 'bench' }),
    );
    assert.equal(shown, records.length - 1, 'the model’s count');
    assert.ok(shown > 100_000, `${shown} rows`);

    // Count the rows in the DOM at every change while scrolling.
    await page.evaluate(() => {
      const rows = document.querySelector('.vt-rows');
      window.__mostRows = rows.children.length;
      new MutationObserver(() => {
        window.__mostRows = Math.max(window.__mostRows, rows.querySelectorAll('[role=row]').length);
      }).observe(rows, { childList: true });
    });
    const scroller = grid(page);
    const box = await scroller.boundingBox();
    // The scrollbar is scaled: the spacer stays far below every browser's height cap.
    assert.ok((await scroller.evaluate((el) => el.scrollHeight)) < 10_000_000);
    for (const share of [0.25, 0.5, 0.75, 1]) {
      await scroller.evaluate((el, s) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * s), share);
      await page.waitForTimeout(100);
    }
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 2000);
    await page.waitForTimeout(100);

    const last = page.locator(`.vt-rows [role=row][aria-rowindex="${shown + 1}"]`);
    await last.waitFor();
    const lastBox = await last.boundingBox();
    assert.ok(lastBox.y >= box.y && lastBox.y + lastBox.height <= box.y + box.height + 1, 'the last row is in view');
    const lastRecord = records[records.length - 1];
    const cells = await last.locator('[role=gridcell]').allTextContents();
    // Name, user name, feature and status (the date is local time on screen, UTC in the CSV).
    const pick = (row) => [row[1], row[2], row[3], row[5]];
    assert.deepEqual(pick(cells), pick(lastRecord), 'the last row is the model’s last row');

    // Keyboard: Home and End move the focused row to the ends.
    await scroller.focus();
    await page.keyboard.press('Home');
    await page.locator('.vt-rows [role=row][aria-rowindex="2"].active').waitFor();
    await page.keyboard.press('End');
    await page.locator(`.vt-rows [role=row][aria-rowindex="${shown + 1}"].active`).waitFor();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('PageUp');
    await page.locator(`.vt-rows [role=row].active`).waitFor();
    assert.equal(await scroller.getAttribute('aria-activedescendant'), await page.locator('.vt-rows [role=row].active').getAttribute('id'));

    const most = await page.evaluate(() => window.__mostRows);
    assert.ok(most <= 100, `at most 100 rows in the DOM (saw ${most})`);
    assert.ok((await domRows(page)) <= 100);
    await closePage(page);
  });
});
