// Journeys through MFA and passwordless beside SSPR (spec §3.7) on the release build: the two
// capability tiles and "Users registered by authentication method" on the overview, their
// click-through to the registration details, the list's MFA filters and sorts in the URL and the
// history, the MFA insights, and exports in every supported shape (a legacy file without the
// fields says "not in the loaded data", never 0). Expected numbers come from the model
// (`sspr-sample stats` and `sspr-sample csv`), never from literals.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  NOT_IN_DATA,
  closePage,
  count,
  expect,
  expectListCount,
  expectMfaTiles,
  expectTiles,
  expectUserMethodTable,
  modelMfaTiles,
  modelRows,
  modelStats,
  modelTiles,
  queryOf,
  repo,
  tilesShown,
  useApp,
} from './harness.mjs';

const app = useApp();

const radio = (page, name) => page.getByRole('radio', { name, exact: true });
const byMethod = (population = 'all/all') => app.stats.populations[population].by_method;
const chart = (page) => page.locator('[data-chart=users-by-method]');

describe('MFA on the overview', () => {
  test('the MFA tiles and the by-method table are the model’s numbers; the population changes them, the period does not', async () => {
    const page = await app.open();
    await expectMfaTiles(page, modelMfaTiles(app.stats), 'all users');
    await expectUserMethodTable(page, byMethod());
    await expect(chart(page).locator('table caption')).toHaveText('Users registered by authentication method');
    await expect(chart(page).locator('.chart-svg svg')).toHaveCount(1);

    await radio(page, '30 days').check();
    await expect(page).toHaveURL(/period=30d/);
    await expectMfaTiles(page, modelMfaTiles(app.stats), 'after the period changed');
    await expectUserMethodTable(page, byMethod(), 'users by method after the period changed');

    await radio(page, 'Admins').check();
    await expect(page).toHaveURL(/roles=admins/);
    await expectMfaTiles(page, modelMfaTiles(app.stats, 'all/admins'), 'admins');
    await expectUserMethodTable(page, byMethod('all/admins'), 'users by method of admins');
    await expectTiles(page, modelTiles(app.stats, 'all/admins'), 'the SSPR tiles beside them');
    await closePage(page);
  });

  test('Users capable of MFA opens mfa=yes; mfa=no&passwordless=yes round-trips through the URL, reload, Back and Forward', async () => {
    const page = await app.open();
    await tilesShown(page);
    const { mfa } = modelMfaTiles(app.stats);
    await page.getByRole('link', { name: 'Users capable of MFA', exact: true }).click();
    await expect(page).toHaveURL(/\/registrations\?mfa=yes$/);
    await expectListCount(page, mfa.count, 'the list count equals the tile');
    await expect(page.getByLabel('MFA capable', { exact: true })).toHaveValue('yes');

    await page.getByLabel('MFA capable', { exact: true }).selectOption({ label: 'Not capable' });
    await expect(page).toHaveURL(/\/registrations\?mfa=no$/);
    await expectListCount(page, modelRows('registrations', 'mfa=no'), 'mfa=no');
    await page.getByLabel('Passwordless capable', { exact: true }).selectOption({ label: 'Capable' });
    await expect(page).toHaveURL(/\/registrations\?mfa=no&passwordless=yes$/);
    const both = modelRows('registrations', 'mfa=no&passwordless=yes');
    await expectListCount(page, both, 'mfa=no&passwordless=yes');

    await page.reload();
    await expect(page.getByLabel('MFA capable', { exact: true })).toHaveValue('no');
    await expect(page.getByLabel('Passwordless capable', { exact: true })).toHaveValue('yes');
    await expectListCount(page, both, 'after reload');

    await page.goBack();
    await expect(page).toHaveURL(/\/registrations\?mfa=no$/);
    await expect(page.getByLabel('Passwordless capable', { exact: true })).toHaveValue('');
    await expectListCount(page, modelRows('registrations', 'mfa=no'), 'Back');
    await page.goForward();
    await expect(page).toHaveURL(/\/registrations\?mfa=no&passwordless=yes$/);
    await expect(page.getByLabel('Passwordless capable', { exact: true })).toHaveValue('yes');
    await expectListCount(page, both, 'Forward');
    await closePage(page);
  });

  test('Users capable of passwordless carries the population to the list', async () => {
    const page = await app.open('?roles=admins');
    await tilesShown(page);
    const { passwordless } = modelMfaTiles(app.stats, 'all/admins');
    await page.getByRole('link', { name: 'Users capable of passwordless', exact: true }).click();
    await expect(page).toHaveURL(/\/registrations\?roles=admins&passwordless=yes$/);
    await expectListCount(page, passwordless.count, 'the admins’ tile');
    await closePage(page);
  });

  test('a bar of Users registered by authentication method opens the users who have it; so does its number', async () => {
    const page = await app.open();
    await tilesShown(page);
    const rows = byMethod();
    const [top] = [...rows].sort((a, b) => b.users - a.users);
    const bar = chart(page).locator(`a.bar-link[data-method="${top.id}"]`);
    await expect(bar).toHaveAttribute('aria-label', `${top.method}: ${count(top.users)} users`);
    await bar.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/registrations\\?methods=${top.id}$`));
    await expectListCount(page, top.users, 'the bar’s number');
    assert.equal(modelRows('registrations', queryOf(page)), top.users, 'the model lists as many');

    await page.goBack();
    const other = rows.find((r) => r.id !== top.id && r.users > 0);
    await chart(page).locator('summary').click();
    await chart(page).locator(`tr[data-method="${other.id}"] a`).click();
    await expect(page).toHaveURL(new RegExp(`/registrations\\?methods=${other.id}$`));
    await expectListCount(page, other.users, 'the table’s number');
    await closePage(page);
  });

  test('each MFA insight opens the list behind it, with its count', async () => {
    const mfaKeys = /[?&](phoneonly|mfaregistered|passwordless|systempreferred|mfa)=/;
    const found = app.stats.insights['all/all']['7d'].filter((i) => mfaKeys.test(i.href));
    assert.ok(found.length >= 3, `the sample has MFA insights: ${JSON.stringify(found)}`);
    const page = await app.open();
    await tilesShown(page);
    for (const insight of found) {
      await page.locator('.insight-list a', { hasText: insight.text }).click();
      await expect(page).toHaveURL(new RegExp(`/registrations\\?${insight.href.split('?')[1]}$`));
      await expectListCount(page, insight.count, insight.text);
      await page.goBack();
      await tilesShown(page);
    }
    await closePage(page);
  });
});

describe('the registration details’ MFA columns', () => {
  test('the MFA filters and sorts land in the URL and list the model’s rows', async () => {
    const page = await app.open('registrations');
    await expect(page.getByRole('columnheader', { name: 'Passwordless capable' })).toBeVisible();
    await page.getByRole('columnheader', { name: 'Passwordless capable' }).getByRole('button').click();
    await expect(page).toHaveURL(/\/registrations\?sort=passwordless$/);
    await expect(page.getByRole('columnheader', { name: 'Passwordless capable' })).toHaveAttribute('aria-sort', 'ascending');

    await page.getByLabel('System-preferred MFA', { exact: true }).selectOption({ label: 'Off' });
    await expect(page).toHaveURL(/systempreferred=no/);
    await expectListCount(page, modelRows('registrations', queryOf(page)), 'system-preferred off');

    const defaults = page.getByLabel('Default MFA method', { exact: true });
    const offered = await defaults.locator('option').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
    assert.ok(offered.length > 1, `default methods offered: ${offered}`);
    await defaults.selectOption(offered[1]);
    await expect(page).toHaveURL(new RegExp(`defaultmethod=${offered[1]}`));
    await expectListCount(page, modelRows('registrations', queryOf(page)), `default method ${offered[1]}`);

    await page.getByLabel('MFA registered', { exact: true }).selectOption({ label: 'Registered' });
    await expect(page).toHaveURL(/mfaregistered=yes/);
    await expectListCount(page, modelRows('registrations', queryOf(page)), 'and MFA registered');
    await closePage(page);
  });
});

describe('exports in every supported shape', () => {
  const fixture = (name) => join(repo, 'tests', 'fixtures', name);
  const shapes = [
    ['Graph v1.0', ['graph_user_registration_details_v1.json']],
    ['Graph beta, two pages', ['graph_user_registration_details_beta_page1.json', 'graph_user_registration_details_beta_page2.json']],
    ['the portal’s CSV download', ['portal_registration_details.csv']],
    ['the legacy beta shape', ['legacy_credential_user_registration_details.json']],
  ];
  for (const [shape, names] of shapes) {
    test(`${shape}: the MFA tiles and the by-method table are the model’s numbers`, async () => {
      const files = names.map(fixture);
      const stats = modelStats(files);
      const expected = modelMfaTiles(stats);
      const page = await app.open('data');
      await expect(page.locator('[data-summary=source]')).toHaveText('Sample data');
      await page.locator('#upload-input').setInputFiles(files);
      await expect(page.locator('[data-notice=upload-loaded]')).toBeVisible();
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
      await expectTiles(page, modelTiles(stats));
      await expectMfaTiles(page, expected, shape);
      await expectUserMethodTable(page, stats.populations['all/all'].by_method, `${shape} by method`);
      if (shape.startsWith('the legacy')) {
        // The legacy shape carries isMfaRegistered only: both tiles say so, never 0.
        assert.equal(expected.mfa.known + expected.passwordless.known, 0, 'the model knows nothing');
        await expect(page.locator('[data-tile=mfa] .tile-count')).toHaveText(NOT_IN_DATA);
        await expect(page.locator('[data-tile=passwordless] .tile-count')).toHaveText(NOT_IN_DATA);
      }
      await closePage(page);
    });
  }
});
