// Journeys through the what-if screen (/policy) on the release build: a scenario's tiles are the
// model's numbers, its links list exactly the users counted, the URL reproduces it after a
// reload, and an uploaded member list or methods policy changes who counts while the loaded
// data stays. Expected numbers come from the model (`sspr-sample whatif` / `csv`), never from
// literals.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PHONE,
  SAMPLE,
  axe,
  closePage,
  count,
  dropFiles,
  expect,
  expectListCount,
  modelMemberPage,
  modelRows,
  modelWhatIf,
  queryOf,
  repo,
  serious,
  sidewaysOverflow,
  useApp,
  useFolder,
} from './harness.mjs';

const app = useApp();
const folder = useFolder('policy');
const files = {};

before(() => {
  files.members = join(folder.path, 'transitiveMembers.json');
  writeFileSync(files.members, modelMemberPage(5));
  // The same members as the portal's members download (another group: every 7th user).
  files.membersCsv = join(folder.path, 'exportGroupMembers.csv');
  writeFileSync(files.membersCsv, portalCsv(JSON.parse(modelMemberPage(7)).value));
  files.policy = join(repo, 'tests/fixtures/graph_authentication_methods_policy.json');
});

const TILES = ['registered', 'enabled', 'capable'];

/** Graph directory objects as the portal's members CSV download writes them. */
function portalCsv(objects) {
  const cell = (text = '') => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const type = (o) => (o['@odata.type'].endsWith('.group') ? 'Group' : 'User');
  const rows = objects.map((o) => [o.id, o.userPrincipalName, o.displayName, type(o)].map(cell).join(','));
  return ['Object ID,User principal name,Display name,Member type', ...rows].join('\n') + '\n';
}

/** Waits until the comparison shows the model's tiles, gains and losses for `expected`. */
async function expectOutcome(page, expected) {
  for (const tile of TILES) {
    await expect(page.locator(`[data-whatif=${tile}] .actual`), `now: ${tile}`).toHaveText(count(expected.actual[tile]));
    await expect(page.locator(`[data-whatif=${tile}] .simulated`), `what if: ${tile}`).toHaveText(
      count(expected.simulated[tile]),
    );
  }
  await expect(page.locator('[data-whatif-link=gain]')).toHaveText(new RegExp(`^${count(expected.gain)} users? would gain`));
  await expect(page.locator('[data-whatif-link=lose]')).toHaveText(new RegExp(`^${count(expected.lose)} users? would lose`));
  for (const row of expected.dependents) {
    await expect(page.locator(`.dependency-table tr[data-group=${row.id}] a`), row.label).toHaveText(count(row.users));
  }
}

describe('a scenario on the sample', () => {
  test('“2 methods” gives the model’s numbers, and the URL reproduces the scenario after a reload', async () => {
    const page = await app.open('policy');
    await expectOutcome(page, modelWhatIf(''));
    await page.getByRole('radio', { name: '2 methods' }).check();
    await expect(page).toHaveURL(/\/policy\?required=2$/);
    const two = modelWhatIf('required=2');
    assert.ok(two.simulated.capable < two.actual.capable, 'two methods leave fewer users capable');
    await expectOutcome(page, two);
    await page.reload();
    await expect(page.getByRole('radio', { name: '2 methods' })).toBeChecked();
    await expectOutcome(page, two);
    await closePage(page);
  });

  test('“would lose” lists exactly those users, and the dependency table’s rows theirs', async () => {
    const page = await app.open('policy?required=2');
    const two = modelWhatIf('required=2');
    await expectOutcome(page, two);
    await page.locator('[data-whatif-link=lose]').click();
    await expect(page).toHaveURL(/\/registrations\?required=2&whatif=lose$/);
    await expectListCount(page, two.lose, 'the users who would lose the ability to reset');
    assert.equal(modelRows('registrations', queryOf(page)), two.lose, 'the model lists the same users');
    await expect(page.locator('.chip', { hasText: 'Would lose the ability to reset' })).toBeVisible();

    // Back to the scenario, then a dependency row.
    await page.getByRole('link', { name: 'Open the scenario in What if' }).click();
    await expect(page).toHaveURL(/\/policy\?required=2$/);
    const row = two.dependents.find((r) => r.users > 0);
    await page.locator(`.dependency-table tr[data-group=${row.id}] a`).click();
    await expect(page).toHaveURL(new RegExp(`/registrations\\?required=2&whatif=lose&without=${row.id}$`));
    await expectListCount(page, row.users, `the users who depend on ${row.label}`);
    await closePage(page);
  });

  test('every control is in the URL, and the population control applies', async () => {
    const page = await app.open('policy?users=members&roles=nonadmins');
    await page.getByRole('radio', { name: /^All members/ }).check();
    await page.getByRole('checkbox', { name: 'Security questions' }).uncheck();
    await page.getByRole('checkbox', { name: /administrator policy/ }).uncheck();
    await expect(page).toHaveURL(/\/policy\?users=members&roles=nonadmins&scope=members&allow=notification%2Ccode%2Cemail%2Cphone%2Coffice&adminpolicy=off$/);
    await expectOutcome(page, modelWhatIf(queryOf(page)));
    await page.goBack();
    await expect(page.getByRole('checkbox', { name: /administrator policy/ })).toBeChecked();
    await closePage(page);
  });

  test('the screen is in the navigation, and reads on a phone without sideways scrolling', async () => {
    const page = await app.open('', PHONE);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'What if' }).click();
    await expect(page).toHaveURL(/\/policy$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What if');
    await expect(page.getByText('Page not found')).toHaveCount(0);
    const now = modelWhatIf('');
    await expectOutcome(page, now);
    assert.ok((await sidewaysOverflow(page)) <= 0, 'nothing overflows sideways');
    // The results are further down on a phone: the line under the controls says what a change did.
    await page.getByRole('radio', { name: '2 methods' }).check();
    const two = modelWhatIf('required=2');
    const summary = page.locator('[data-scenario-summary]');
    await expect(summary).toContainText(`${count(two.simulated.capable)} users are capable`);
    await summary.getByRole('link', { name: 'See the results' }).click();
    await expect(page.locator('#comparison-heading')).toBeInViewport();
    await closePage(page);
  });
});

describe('inputs beside the data', () => {
  test('an uploaded member list narrows “enabled” to its users; the registration data stays', async () => {
    const page = await app.open('policy?scope=group');
    await expect(page.locator('.input-status.missing[data-input=members]')).toBeVisible();
    await expectOutcome(page, modelWhatIf('scope=group'));

    await page.locator('#policy-upload-input').setInputFiles(files.members);
    await expect(page.locator('[data-notice=upload-inputs]')).toBeVisible();
    const group = modelWhatIf('scope=group', [...SAMPLE, files.members]);
    assert.ok(group.group.by_id > 0 && group.group.by_user_name > 0, 'matched both ways');
    assert.ok(group.simulated.enabled < group.actual.enabled, 'the group narrows who is enabled');
    await expectOutcome(page, group);
    await expect(page.locator('[data-group-summary]')).toContainText(
      `${count(group.group.users)} loaded users are in the group (${count(group.group.by_id)} matched by object id, ${count(group.group.by_user_name)} by user name)`,
    );
    await page.getByText(/^Rows that match no loaded user/).click();
    await expect(page.locator('.unmatched li')).toHaveText(['former.employee@example.com (Former Employee)']);

    // The sample is still what is loaded, with the member list beside it.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Data' }).click();
    await expect(page.locator('[data-summary=source]')).toHaveText('Sample data');
    await expect(page.locator('[data-summary=users]')).toHaveText(count(app.stats.users));
    const card = page.locator('.data-inputs [data-input=members]');
    await expect(card).toContainText('transitiveMembers.json');
    await card.getByRole('button', { name: 'Remove' }).click();
    await expect(page.locator('.data-inputs .empty-state')).toBeVisible();
    await closePage(page);
  });

  test('the portal’s members download, uploaded on the data screen, is the group on /policy', async () => {
    const page = await app.open('data');
    await expect(page.locator('[data-summary=source]')).toHaveText('Sample data');
    await page.locator('#upload-input').setInputFiles(files.membersCsv);
    await expect(page.locator('.data-inputs [data-input=members]')).toContainText('exportGroupMembers.csv');
    await expect(page.locator('[data-summary=source]')).toHaveText('Sample data');

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'What if' }).click();
    await page.getByRole('radio', { name: /^Uploaded group/ }).check();
    await expect(page).toHaveURL(/\/policy\?scope=group$/);
    const group = modelWhatIf('scope=group', [...SAMPLE, files.membersCsv]);
    assert.ok(group.group.by_id > 0 && group.group.by_user_name > 0, 'matched both ways');
    await expectOutcome(page, group);
    await expect(page.locator('[data-group-summary]')).toContainText(
      `${count(group.group.users)} loaded users are in the group`,
    );
    await closePage(page);
  });

  test('under the methods policy dropped on the screen, its disabled methods do not count', async () => {
    const page = await app.open('policy?methodspolicy=on');
    await expect(page.locator('.input-status.missing[data-input=methods-policy]')).toBeVisible();
    await dropFiles(page, [files.policy]);
    await expect(page.locator('[data-notice=upload-inputs]')).toBeVisible();
    await expectOutcome(page, modelWhatIf('methodspolicy=on', [...SAMPLE, files.policy]));
    await expect(page.locator('.group-states [data-group=office]')).toHaveText(
      'Office phone: does not count — Voice call enabled, office phones not allowed',
    );
    // Off, the file changes nothing.
    await page.getByRole('checkbox', { name: /authentication methods policy/ }).uncheck();
    await expect(page).toHaveURL(/\/policy$/);
    await expectOutcome(page, modelWhatIf(''));
    await closePage(page);
  });

  test('with both inputs shown, light and dark, axe finds nothing serious', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const page = await app.open('policy?scope=group&methodspolicy=on', { colorScheme });
      await dropFiles(page, [files.members, files.policy]);
      await expectOutcome(page, modelWhatIf('scope=group&methodspolicy=on', [...SAMPLE, files.members, files.policy]));
      await expect(page.locator('.group-states li')).toHaveCount(6);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      assert.deepEqual(serious(await axe(page)), [], `serious or critical axe violations (${colorScheme})`);
      await closePage(page);
    }
  });
});
