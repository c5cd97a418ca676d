// Journeys through the two lists (/registrations, /activity) on the release build: click-through
// from the overview, filters, search, sort, URL state and history, the CSV download, phones, and
// a generated tenant of 1,000,000 events. Expected numbers and bytes come from the model
// (`sspr-sample stats` and `sspr-sample csv`), never from literals.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PHONE,
  TENANT_FILES,
  closePage,
  count,
  csvRecords,
  distWithSample,
  expect,
  expectChartTable,
  expectListCount,
  listCount,
  modelCsv,
  modelRows,
  queryOf,
  readListCount,
  sidewaysOverflow,
  tilesShown,
  useApp,
  useFolder,
  useServer,
  useSubpathServer,
  writeTenant,
} from './harness.mjs';

const app = useApp();

const grid = (page) => page.getByRole('grid');
const rows = (page) => page.locator('.vt-rows [role=row]');
const row = (page, index) => page.locator(`.vt-rows [role=row][aria-rowindex="${index}"]`);

describe('click-through from the overview', () => {
  test('Users capable opens the capable users, and “Not capable” lists the rest', async () => {
    const page = await app.open();
    await tilesShown(page);
    const { population, capable } = app.stats.populations['all/all'];

    await page.getByRole('link', { name: 'Users capable', exact: true }).click();
    await expect(page).toHaveURL(/\/registrations\?capable=yes$/);
    await expectListCount(page, capable, 'the list count equals the tile');
    await expect(page.getByLabel('Capable', { exact: true })).toHaveValue('yes');
    await expect(grid(page)).toHaveAttribute('aria-rowcount', String(capable + 1));

    await page.getByLabel('Capable', { exact: true }).selectOption({ label: 'Not capable' });
    await expect(page).toHaveURL(/capable=no/);
    await expectListCount(page, population - capable, 'users − capable');
    await closePage(page);
  });

  test('a tile carries the population to the list', async () => {
    const page = await app.open('?users=guests&roles=nonadmins');
    await tilesShown(page);
    const { registered } = app.stats.populations['guests/nonadmins'];
    await page.getByRole('link', { name: 'Users registered', exact: true }).click();
    await expect(page).toHaveURL(/\/registrations\?users=guests&roles=nonadmins&registered=yes$/);
    await expectListCount(page, registered);
    await expect(page.getByRole('radio', { name: 'Guests', exact: true })).toBeChecked();
    await closePage(page);
  });

  test('the Resets failure bar of a method opens its failed resets: the count is the bar’s number', async () => {
    const page = await app.open('?period=30d');
    // The method with the most failed resets in the model's chart, as its data table shows it.
    const chart = app.stats.charts['all/all']['30d'].reset;
    const target = [...chart].sort((a, b) => b.failure - a.failure)[0];
    assert.ok(target.failure > 0, 'the sample has failed resets');
    await expectChartTable(page, 'resets', chart);

    const bar = page.locator(`[data-chart=resets] a.bar-link[data-method="${target.id}"][data-status=failure]`);
    await expect(bar).toHaveAttribute('aria-label', new RegExp(`^${target.method}, failed resets: `));
    // Bars are real links: the keyboard reaches them, Enter follows them.
    await bar.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/activity\?/);
    const query = new URLSearchParams(queryOf(page));
    assert.deepEqual(
      Object.fromEntries(query),
      { period: '30d', feature: 'reset', status: 'failure', method: target.id },
      'feature, method, status and period',
    );
    await expectListCount(page, target.failure, 'the data table’s number');
    await expect(page.getByLabel('Status')).toHaveValue('failure');
    await expect(page.getByLabel('Method')).toHaveValue(target.id);
    await closePage(page);
  });

  test('each number in a chart’s data table opens the same activity as its bar', async () => {
    const page = await app.open();
    await tilesShown(page);
    const method = app.stats.charts['all/all']['7d'].registration.find((r) => r.success > 0);
    await page.locator('[data-chart=registrations] summary').click();
    await page.locator(`[data-chart=registrations] tr[data-method="${method.id}"] a[data-status=success]`).click();
    await expect(page).toHaveURL(/\/activity\?feature=registration&status=success&method=/);
    await expectListCount(page, method.success);
    await closePage(page);
  });

  test('an insight opens the list behind it, with its count', async () => {
    const page = await app.open();
    await tilesShown(page);
    const insight = app.stats.insights['all/all']['7d'].find((i) => i.href.startsWith('/registrations') && i.count > 0);
    await page.locator('.insight-list a', { hasText: insight.text }).click();
    await expect(page).toHaveURL(/\/registrations\?/);
    await expectListCount(page, insight.count);
    await closePage(page);
  });
});

describe('served under a sub-path', () => {
  const nested = useSubpathServer();

  test('tiles, navigation and list links stay under /tools/sspr/', async () => {
    const page = await app.newPage();
    await page.goto(nested.url);
    await tilesShown(page);
    const { capable } = app.stats.populations['all/all'];
    await page.getByRole('link', { name: 'Users capable', exact: true }).click();
    await expect(page).toHaveURL(/\/tools\/sspr\/registrations\?capable=yes$/);
    await expectListCount(page, capable);
    await page.getByLabel('Capable', { exact: true }).selectOption({ label: 'Not capable' });
    await expect(page).toHaveURL(/\/tools\/sspr\/registrations\?capable=no$/);
    await page.getByRole('navigation').getByRole('link', { name: 'Activity' }).click();
    await expect(page).toHaveURL(/\/tools\/sspr\/activity$/);
    await expect(listCount(page)).toBeVisible();
    await closePage(page);
  });
});

describe('the registration details list', () => {
  test('search narrows as typed, in place in the history; sort, reload and Back keep the view', async () => {
    const page = await app.open('registrations');
    const everyone = app.stats.populations['all/all'].population;
    await expectListCount(page, everyone);

    await page.getByLabel('Enabled').selectOption({ label: 'Enabled' });
    await expect(page).toHaveURL(/enabled=yes/);
    const enabled = app.stats.populations['all/all'].enabled;
    await expectListCount(page, enabled);
    const historyBefore = await page.evaluate(() => history.length);

    // Type a common name fragment one key at a time: the count never grows.
    const search = page.getByLabel('Search users');
    let previous = enabled;
    for (const key of 'ann') {
      await search.press(key);
      const now = await readListCount(page);
      assert.ok(now <= previous, `“${await search.inputValue()}”: ${now} after ${previous}`);
      previous = now;
    }
    await expect(page).toHaveURL(/q=ann/);
    const typed = modelRows('registrations', queryOf(page));
    assert.ok(typed > 0 && typed < enabled, `“ann” narrows (${typed} of ${enabled})`);
    await expectListCount(page, typed, 'the model’s count for the query');
    assert.equal(await page.evaluate(() => history.length), historyBefore, 'typing replaces the history entry');

    // Sort by user name, descending (two clicks on the header).
    const header = page.getByRole('columnheader', { name: 'User name' });
    await header.getByRole('button').click();
    await expect(page).toHaveURL(/sort=username/);
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await header.getByRole('button').click();
    await expect(page).toHaveURL(/sort=-username/);
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect(page.getByRole('columnheader', { name: 'Name', exact: true })).not.toHaveAttribute('aria-sort');
    const firstOfModel = csvRecords(modelCsv('registrations', queryOf(page)))[1];
    await expect(rows(page).first(), 'the first row is the model’s first').toContainText(firstOfModel[1]);
    const firstRow = await rows(page).first().textContent();

    // Reload: everything comes back from the URL.
    const url = page.url();
    await page.reload();
    await expectListCount(page, typed);
    await expect(page).toHaveURL(url);
    await expect(page.getByLabel('Search users')).toHaveValue('ann');
    await expect(page.getByLabel('Enabled')).toHaveValue('yes');
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect(rows(page).first()).toHaveText(firstRow);

    // Back: the sort before, then the filter before the search (typing made no entries).
    await page.goBack();
    await expect(page).toHaveURL((u) => u.search.includes('sort=username'));
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await page.goBack();
    await expect(page).toHaveURL((u) => !u.search.includes('sort='));
    await expect(page.getByLabel('Search users')).toHaveValue('ann');
    await page.goBack();
    await expect(page).toHaveURL((u) => u.search === '');
    await expectListCount(page, everyone, 'back to no filters');
    await expect(page.getByLabel('Search users')).toHaveValue('');
    await expect(page.getByLabel('Enabled')).toHaveValue('');

    // Forward walks the same entries the other way.
    await page.goForward();
    await expect(page).toHaveURL((u) => u.search.includes('q=ann'));
    await expect(page.getByLabel('Search users')).toHaveValue('ann');
    await expect(page.getByLabel('Enabled')).toHaveValue('yes');
    await expectListCount(page, typed);
    await closePage(page);
  });

  test('the methods multi-select keeps users with any of the checked methods', async () => {
    const page = await app.open('registrations');
    await expect(listCount(page)).toBeVisible();
    await page.getByText('Methods: Any').click();
    // The panel offers the methods users have registered; check the last two.
    const boxes = page.locator('.multi-panel input[type=checkbox]');
    const offered = await boxes.count();
    assert.ok(offered >= 2, `${offered} methods offered`);
    const [first, second] = [boxes.nth(offered - 1), boxes.nth(offered - 2)];
    await first.check();
    await expect(page).toHaveURL(new RegExp(`methods=${encodeURIComponent(await first.getAttribute('value'))}$`));
    await second.check();
    await expect(page).toHaveURL(/methods=[^&]+(%2C|,)/);
    await expect(page.getByText(/^Methods: 2 methods$/)).toHaveCount(1);
    await expectListCount(page, modelRows('registrations', queryOf(page)));
    await page.keyboard.press('Escape');
    await expect(page.locator('details.multi'), 'Escape closes the panel').not.toHaveAttribute('open');
    await closePage(page);
  });

  test('a search that matches nobody says so and offers to clear the filters', async () => {
    const page = await app.open(`registrations?capable=no&q=${encodeURIComponent('zz-nobody-zz')}`);
    await expectListCount(page, 0);
    await expect(page.getByText('No users match these filters.')).toBeVisible();
    await page.locator('.vt-empty').getByRole('button', { name: 'Clear the filters' }).click();
    await expect(page).toHaveURL((u) => u.search === '');
    await expectListCount(page, app.stats.populations['all/all'].population);
    await closePage(page);
  });
});

describe('downloads', () => {
  for (const [list, query] of [
    ['activity', 'period=30d&feature=reset&status=failure&sort=method&q=a'],
    ['registrations', 'capable=no&methods=Sms,Email,MobilePhone&sort=-updated'],
    ['registrations', 'mfa=yes&passwordless=no&systempreferred=yes&sort=-defaultmethod'],
  ]) {
    test(`Download CSV of ${list} gives the model’s CSV for the same view, byte for byte`, async () => {
      const page = await app.open(`${list}?${query}`);
      await expect(listCount(page)).toBeVisible();
      const expected = modelCsv(list, queryOf(page));
      await expectListCount(page, csvRecords(expected).length - 1, 'the list shows the model’s rows');

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
      const page = await app.open(list, PHONE);
      await expect(listCount(page)).toBeVisible();
      const overflow = await sidewaysOverflow(page);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
      const box = await grid(page).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      assert.ok(box.scroll > box.client, 'the table scrolls sideways inside its box');
      await closePage(page);
    });
  }
});

describe('a tenant of 1,000,000 events', () => {
  // Test-only data: a generated tenant, served in place of the bundled sample.
  const tenant = { users: 200_000, events: 1_000_000 };
  const folder = useFolder('million');
  const big = useServer(() => {
    writeTenant(join(folder.path, 'data'), tenant);
    return { root: distWithSample(folder.path, join(folder.path, 'data')) };
  });

  test('the activity list scrolls to the last row, shows it, and never holds more than 100 rows', async () => {
    const page = await app.newPage();
    await page.goto(`${big.url}activity?period=30d&sort=name`);
    await expect(page.locator('.list-count [data-total]')).toHaveText(count(tenant.events), { timeout: 120_000 });
    const files = TENANT_FILES.map((name) => join(folder.path, 'data', name));
    const records = csvRecords(modelCsv('activity', queryOf(page), { files, profile: 'bench' }));
    const shown = records.length - 1;
    await expectListCount(page, shown, 'the model’s count');
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
    // Each quarter of the scrollbar brings the rows of that quarter of the list.
    const firstRowShown = () =>
      rows(page).evaluateAll((els) => Math.min(...els.map((r) => Number(r.getAttribute('aria-rowindex')))));
    for (const share of [0.25, 0.5, 0.75, 1]) {
      await scroller.evaluate((el, s) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * s), share);
      await expect.poll(firstRowShown, `rows at ${share * 100}% of the list`).toBeGreaterThan(shown * (share - 0.05));
    }
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 2000);

    const last = row(page, shown + 1);
    await expect(last).toBeVisible();
    const lastBox = await last.boundingBox();
    assert.ok(lastBox.y >= box.y && lastBox.y + lastBox.height <= box.y + box.height + 1, 'the last row is in view');
    const lastRecord = records[records.length - 1];
    // Name, user name, feature and status (the date is local time on screen, UTC in the CSV).
    const pick = (cells) => [cells[1], cells[2], cells[3], cells[5]];
    const cells = await last.locator('[role=gridcell]').allTextContents();
    assert.deepEqual(pick(cells), pick(lastRecord), 'the last row is the model’s last row');

    // Keyboard: Home and End move the focused row to the ends.
    await scroller.focus();
    await page.keyboard.press('Home');
    await expect(row(page, 2)).toHaveClass(/\bactive\b/);
    await page.keyboard.press('End');
    await expect(row(page, shown + 1)).toHaveClass(/\bactive\b/);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('PageUp');
    const active = page.locator('.vt-rows [role=row].active');
    await expect(active).toHaveCount(1);
    await expect(scroller).toHaveAttribute('aria-activedescendant', await active.getAttribute('id'));

    const most = await page.evaluate(() => window.__mostRows);
    assert.ok(most <= 100, `at most 100 rows in the DOM (saw ${most})`);
    assert.ok((await rows(page).count()) <= 100);
    await closePage(page);
  });
});
