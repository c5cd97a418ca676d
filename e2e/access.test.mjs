// Accessibility journeys on the release build: axe-core's rules on every screen (and /attempts
// with an attempt open) in the light and the dark scheme (no serious or critical violation), and
// the way from a tile to a download with the keyboard alone. Expected rows and bytes come from
// the model (`sspr-sample csv`).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  SCREENS,
  axe,
  closePage,
  csvRecords,
  expect,
  expectListCount,
  listCount,
  modelCsv,
  modelRows,
  queryOf,
  serious,
  tilesShown,
  useApp,
} from './harness.mjs';

const app = useApp();

describe('axe-core on every screen', () => {
  for (const screen of SCREENS) {
    for (const colorScheme of ['light', 'dark']) {
      test(`/${screen.path} in the ${colorScheme} scheme: no serious or critical violation`, async () => {
        const page = await app.open(screen.path, { colorScheme });
        await screen.shown(page);
        // What is folded away (the charts' "Show data" tables, the methods panel) is checked too.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        const violations = await axe(page);
        assert.deepEqual(serious(violations), [], 'serious or critical axe violations');
        await closePage(page);
      });
    }
  }

  for (const colorScheme of ['light', 'dark']) {
    test(`/attempts with an attempt's steps open in the ${colorScheme} scheme: no serious or critical violation`, async () => {
      const page = await app.open('attempts', { colorScheme });
      await expect(listCount(page)).toBeVisible();
      await page.locator('.vt-rows [role=row][aria-rowindex="2"]').getByRole('link').click();
      await expect(page.locator('.attempt-steps table.steps')).toBeVisible();
      const violations = await axe(page);
      assert.deepEqual(serious(violations), [], 'serious or critical axe violations');
      await closePage(page);
    });
  }
});

describe('the keyboard alone', () => {
  test('a tile, its list, a filter, a sort, the rows and the download, with Tab, Enter, Space and arrows', async () => {
    const page = await app.open('');
    await tilesShown(page);
    const key = (name) => page.keyboard.press(name);
    /** Presses Tab once per stop and checks that the focus lands on each in turn. */
    const tabThrough = async (...stops) => {
      for (const stop of stops) {
        await key('Tab');
        await expect(stop).toBeFocused();
      }
    };
    const skip = page.getByRole('link', { name: 'Skip to the content' });
    const main = page.locator('main#main');
    const radio = (name) => page.getByRole('radio', { name, exact: true });

    // The overview: the skip link first, then the screen's own controls, then the tiles.
    await tabThrough(skip);
    await expect(skip, 'the skip link shows while focused').toBeInViewport();
    await key('Enter');
    await expect(main).toBeFocused();
    const capableTile = page.getByRole('link', { name: 'Users capable', exact: true });
    await tabThrough(
      radio('7 days'),
      radio('All users'),
      radio('All roles'),
      page.getByRole('link', { name: 'Users registered', exact: true }),
      page.getByRole('link', { name: 'Users enabled', exact: true }),
      capableTile,
    );
    await key('Enter');
    await expect(page).toHaveURL(/\/registrations\?capable=yes$/);
    await expectListCount(page, modelRows('registrations', 'capable=yes'));

    // The list: past the header again, to the Capable filter; an arrow picks "Not capable".
    await tabThrough(skip);
    await key('Enter');
    await expect(main).toBeFocused();
    const capable = page.getByLabel('Capable', { exact: true });
    await tabThrough(
      radio('All users'),
      radio('All roles'),
      page.getByLabel('Search users'),
      page.getByLabel('Registered', { exact: true }),
      page.getByLabel('Enabled', { exact: true }),
      capable,
    );
    await key('ArrowDown');
    await expect(page).toHaveURL(/\/registrations\?capable=no$/);
    await expect(capable).toHaveValue('no');
    await expectListCount(page, modelRows('registrations', 'capable=no'));

    // The sort: the column headers are buttons inside the grid; Enter flips Name (the default
    // sort) to Z–A, Space sorts by User name.
    const grid = page.getByRole('grid');
    const header = (name) => page.getByRole('columnheader', { name, exact: true });
    const download = page.getByRole('button', { name: 'Download CSV' });
    await tabThrough(
      page.locator('details.multi summary'),
      ...['MFA registered', 'MFA capable', 'Passwordless capable', 'System-preferred MFA', 'Default MFA method'].map(
        (name) => page.getByLabel(name, { exact: true }),
      ),
      page.locator('.list-bar').getByRole('button', { name: 'Clear the filters' }),
      download,
      grid,
      header('Name').getByRole('button'),
    );
    await key('Enter');
    await expect(page).toHaveURL(/\/registrations\?capable=no&sort=-name$/);
    await expect(header('Name')).toHaveAttribute('aria-sort', 'descending');
    await tabThrough(header('User name').getByRole('button'));
    await key('Space');
    await expect(page).toHaveURL(/\/registrations\?capable=no&sort=username$/);
    await expect(header('User name')).toHaveAttribute('aria-sort', 'ascending');
    const query = queryOf(page);
    const expected = modelCsv('registrations', query);
    const records = csvRecords(expected);
    const userName = records[0].indexOf('User name');

    // The rows: back to the grid; the focus marks the first row, an arrow moves to the second.
    await key('Shift+Tab');
    await key('Shift+Tab');
    await expect(grid).toBeFocused();
    const active = page.locator('.vt-rows [role=row][aria-selected=true]');
    await expect(active, 'the first row is marked').toHaveAttribute('aria-rowindex', '2');
    await key('ArrowDown');
    await expect(active, 'the second row is marked').toHaveAttribute('aria-rowindex', '3');
    await expect(grid).toHaveAttribute('aria-activedescendant', await active.getAttribute('id'));
    await expect(active.locator('[role=gridcell]').nth(1), 'the model’s second row').toHaveText(records[2][userName]);
    assert.deepEqual(serious(await axe(page)), [], 'axe on the list with a focused row');

    // The download: back to its button, Enter; the file is the model's CSV for this view.
    await key('Shift+Tab');
    await expect(download).toBeFocused();
    const [file] = await Promise.all([page.waitForEvent('download'), key('Enter')]);
    const bytes = readFileSync(await file.path());
    assert.ok(bytes.equals(expected), `the download is the model’s CSV for ${query} (${bytes.length} vs ${expected.length} bytes)`);
    await closePage(page);
  });
});
