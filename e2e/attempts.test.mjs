// Journeys through /attempts on the release build: the funnel and the outcomes of the bundled
// sample's audit log per period and population, a bar and a data-table number opening the
// attempts behind them, an insight's link, the list's filters, search, sort, URL state, Back and
// the download, an attempt opened with its steps, and a generated audit log (Graph JSON and the
// portal's CSV of the same rows) dropped on /data. Expected numbers and bytes come from the model
// (`sspr-sample stats` and `sspr-sample csv`), never from literals.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  PHONE,
  closePage,
  count,
  csvRecords,
  expect,
  expectAttemptCharts,
  expectChartTable,
  expectListCount,
  listCount,
  modelAttempts,
  modelCsv,
  modelRows,
  modelStats,
  queryOf,
  sidewaysOverflow,
  useApp,
  useFolder,
  writeAuditLog,
} from './harness.mjs';

const app = useApp();

const row = (page, index) => page.locator(`.vt-rows [role=row][aria-rowindex="${index}"]`);
const steps = (page) => page.locator('.attempt-steps');

/** Waits until the list shows the model's rows for the page's own query. */
async function expectModelRows(page, message) {
  await expect(listCount(page)).toBeVisible();
  await expectListCount(page, modelRows('attempts', queryOf(page)), message);
}

describe('the charts', () => {
  test('the funnel and the outcomes are the model’s, for every period and two populations', async () => {
    const page = await app.open('attempts');
    await expectAttemptCharts(page, app.stats);
    for (const [radio, period] of [
      ['30 days', '30d'],
      ['24 hours', '24h'],
    ]) {
      await page.getByRole('radio', { name: radio, exact: true }).check();
      await expect(page).toHaveURL(new RegExp(`period=${period}`));
      await expectAttemptCharts(page, app.stats, 'all/all', period);
    }
    await page.getByRole('radio', { name: 'Members', exact: true }).check();
    await expect(page).toHaveURL(/users=members/);
    await expectAttemptCharts(page, app.stats, 'members/all', '24h');
    await closePage(page);
  });

  test('an outcome bar opens its attempts: the count is the bar’s number', async () => {
    const page = await app.open('attempts?period=30d');
    const { outcomes } = modelAttempts(app.stats, 'all/all', '30d');
    const failed = outcomes.find((o) => o.id === 'failed');
    assert.ok(failed.count > 0, 'the sample has failed attempts');
    const bar = page.locator('[data-chart=outcomes] a.bar-link[data-row=failed]');
    await expect(bar).toHaveAttribute('aria-label', `Failed: ${count(failed.count)} entries`);
    await bar.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/attempts\?period=30d&outcome=failed$/);
    await expectListCount(page, failed.count, 'the bar’s number');
    await expect(page.getByLabel('Outcome', { exact: true })).toHaveValue('failed');
    await closePage(page);
  });

  test('admin resets and password changes are listed under their own outcome', async () => {
    const page = await app.open('attempts?period=30d');
    const { outcomes } = modelAttempts(app.stats, 'all/all', '30d');
    for (const id of ['adminreset', 'passwordchange']) {
      const outcome = outcomes.find((o) => o.id === id);
      assert.ok(outcome.count > 0, `the sample has entries of ${id}`);
      await page.getByLabel('Outcome', { exact: true }).selectOption(id);
      await expect(page).toHaveURL(new RegExp(`outcome=${id}`));
      await expectListCount(page, outcome.count, outcome.label);
      await expect(row(page, 2).locator('[role=gridcell]').nth(3)).toHaveText(outcome.label);
    }
    await closePage(page);
  });

  test('a funnel stage’s number in the data table opens the attempts that reached it', async () => {
    const page = await app.open('attempts');
    const stage = modelAttempts(app.stats).funnel[2];
    await page.locator('[data-chart=funnel] summary').click();
    await page.locator('[data-chart=funnel] tr[data-row="3"] a').click();
    await expect(page).toHaveURL(/\/attempts\?stage=3$/);
    await expectListCount(page, stage.attempts, stage.label);
    await expect(page.locator('.chip', { hasText: stage.label })).toBeVisible();
    await closePage(page);
  });

  test('an audit insight opens the attempts behind it, with its count', async () => {
    const page = await app.open('attempts');
    const insight = app.stats.insights['all/all']['7d'].find((i) => i.href.startsWith('/attempts') && i.count > 0);
    assert.ok(insight, 'the sample has an audit-log insight');
    await page.locator('.insight-list a', { hasText: insight.text }).click();
    await expect(page).toHaveURL(/\/attempts\?/);
    assert.equal(`/attempts?${queryOf(page)}`, insight.href, 'the insight’s link');
    await expectListCount(page, insight.count);
    await closePage(page);
  });
});

describe('the list', () => {
  test('search, method, sort and period live in the URL; Back undoes them; the download is the model’s', async () => {
    const page = await app.open('attempts?period=30d');
    await expectModelRows(page, 'all attempts of 30 days');
    const methods = page.getByLabel('Method', { exact: true });
    await methods.selectOption('Email');
    await expect(page).toHaveURL(/method=Email/);
    await expectModelRows(page, 'attempts that named Email');
    await page.getByLabel('Search people').fill('an');
    await expect(page).toHaveURL(/q=an/);
    await expectModelRows(page, 'searched');
    await page.getByRole('columnheader', { name: 'Outcome', exact: true }).getByRole('button').click();
    await expect(page).toHaveURL(/sort=outcome/);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(queryOf(page))), {
      period: '30d',
      method: 'Email',
      q: 'an',
      sort: 'outcome',
    });

    const expected = modelCsv('attempts', queryOf(page));
    const records = csvRecords(expected);
    await expectListCount(page, records.length - 1, 'the model’s rows');
    const outcomeColumn = records[0].indexOf('Outcome');
    await expect(row(page, 2).locator('[role=gridcell]').nth(3), 'the model’s first row').toHaveText(
      records[1][outcomeColumn],
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^attempts-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = readFileSync(await download.path());
    assert.ok(bytes.equals(expected), `the download equals the model’s CSV (${bytes.length} vs ${expected.length} bytes)`);

    await page.goBack();
    await expect(page).not.toHaveURL(/sort=/);
    await expect(methods).toHaveValue('Email');
    await expectModelRows(page, 'after Back');
    await closePage(page);
  });

  test('an attempt opens with its steps and times, and closes again', async () => {
    const page = await app.open('attempts?period=30d&outcome=succeeded');
    const records = csvRecords(modelCsv('attempts', queryOf(page)));
    const [header, first] = records;
    const column = (name) => first[header.indexOf(name)];
    await expectListCount(page, records.length - 1);

    await row(page, 2).getByRole('link').click();
    await expect(page).toHaveURL(/&attempt=[^&]+$/);
    const heading = steps(page).getByRole('heading', { name: 'The attempt, step by step' });
    await expect(heading, 'the focus moves to the steps').toBeFocused();
    await expect(steps(page).locator('[data-fact=outcome]')).toHaveText(column('Outcome'));
    await expect(steps(page).locator('[data-fact=reason]')).toHaveText(column('Reason'));
    const stepRows = steps(page).locator('table.steps tbody tr');
    await expect(stepRows).toHaveCount(Number(column('Steps')));
    // Each step has its time (UTC in the datetime), in order; the last is the attempt's time.
    const times = await stepRows.locator('time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
    assert.deepEqual([...times].sort(), times, 'the steps are in time order');
    assert.equal(times.at(-1), column('Date'), 'the last step is at the attempt’s time');
    assert.equal(times[0], column('Started'), 'the first step is at its start');

    // A link to an open attempt reproduces it; Close keeps the filters.
    const opened = page.url();
    const again = await app.newPage();
    await again.goto(opened);
    await expect(steps(again).locator('table.steps tbody tr')).toHaveCount(Number(column('Steps')));
    await closePage(again);
    await steps(page).getByRole('link', { name: 'Close' }).click();
    await expect(page).toHaveURL(/\/attempts\?period=30d&outcome=succeeded$/);
    await expect(steps(page)).toHaveCount(0);
    await closePage(page);
  });

  test('on a 390 px phone nothing overflows the page sideways, with an attempt open', async () => {
    const page = await app.open('attempts', PHONE);
    await expect(listCount(page)).toBeVisible();
    await row(page, 2).getByRole('link').click();
    await expect(steps(page).locator('table.steps')).toBeVisible();
    const overflow = await sidewaysOverflow(page);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await closePage(page);
  });
});

describe('a generated audit log dropped on /data', () => {
  const folder = useFolder('attempts');
  const files = {};
  before(() => Object.assign(files, writeAuditLog(folder.path, { users: 200, rows: 1500 })));

  test('its JSON and its CSV give the same funnel, outcomes and Resets chart, equal to the model’s', async () => {
    const fromJson = modelStats([files.json]);
    const fromCsv = modelStats([files.csv]);
    assert.deepEqual(fromCsv.attempts, fromJson.attempts, 'the model reads both shapes alike');
    assert.deepEqual(fromCsv.charts['all/all'], fromJson.charts['all/all'], 'and derives the same events');
    assert.ok(modelAttempts(fromJson).funnel[0].attempts > 0, 'the log has attempts in 7 days');

    for (const [file, stats] of [
      [files.json, fromJson],
      [files.csv, fromCsv],
    ]) {
      const page = await app.open('data');
      await expect(page.locator('[data-summary=source]')).toHaveText('Sample data');
      await page.locator('#upload-input').setInputFiles(file);
      await expect(page.locator('[data-notice=upload-loaded]')).toBeVisible();
      await expect(page.locator('[data-summary=audit-rows]')).toHaveText(count(stats.audit_rows));
      await expect(page.locator('[data-summary=attempts]')).toHaveText(count(stats.attempts.entries));

      const nav = page.getByRole('navigation', { name: 'Screens' });
      await nav.getByRole('link', { name: 'Attempts' }).click();
      await expectAttemptCharts(page, stats);
      await expectModelRowsFor(page, [file]);
      await row(page, 2).getByRole('link').click();
      await expect(steps(page).locator('table.steps tbody tr').first()).toBeVisible();

      await nav.getByRole('link', { name: 'Overview' }).click();
      await expectChartTable(page, 'resets', stats.charts['all/all']['7d'].reset, `resets from ${file}`);
      await closePage(page);
    }
  });
});

/** Waits until the list shows the model's rows for the page's query over `files`. */
async function expectModelRowsFor(page, files) {
  await expect(listCount(page)).toBeVisible();
  await expectListCount(page, modelRows('attempts', queryOf(page), { files }));
}
