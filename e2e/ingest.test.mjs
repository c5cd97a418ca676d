// A big upload through the ingest workers: a generated file of 200,000 events read in parts side
// by side, its progress shown as it goes, Cancel part-way (the data on screen stays), then the
// same file again to the end: the overview shows the model's numbers for it.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  closePage,
  count,
  expect,
  expectCharts,
  modelStats,
  useApp,
  useFolder,
  writeTenant,
} from './harness.mjs';

const app = useApp();
const folder = useFolder('ingest');

/** Records, in the page, every value the upload's progress bar takes; with `cancelPartWay`, the
 * first value strictly between empty and full also presses the upload's Cancel. */
function watchProgress(page, { cancelPartWay }) {
  return page.evaluate((cancelPartWay) => {
    window.progressSeen = [];
    const observer = new MutationObserver(() => {
      const bar = document.querySelector('.upload-file progress');
      if (!bar) return;
      const value = Number(bar.getAttribute('value'));
      window.progressSeen.push(value);
      if (cancelPartWay && value > 0 && value < 1000) {
        cancelPartWay = false;
        document.querySelector('[data-notice=upload-analysing] button')?.click();
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  }, cancelPartWay);
}

const partWay = (page) => page.evaluate(() => window.progressSeen.filter((v) => v > 0 && v < 1000).length);

describe('a big upload through the ingest workers', () => {
  test('200,000 events: the progress moves, Cancel part-way keeps the sample, a second upload loads the model’s numbers', async () => {
    const [, events] = writeTenant(join(folder.path, 'tenant'), { users: 2_000, events: 200_000 });
    const expected = modelStats([events], { profile: 'bench' });
    assert.equal(expected.events, 200_000);
    const page = await app.open('data');
    const summary = (key) => page.locator(`[data-summary=${key}]`);
    await expect(summary('events')).toHaveText(count(app.stats.events));

    await watchProgress(page, { cancelPartWay: true });
    await page.locator('#upload-input').setInputFiles(events);
    await expect(page.locator('[data-notice=upload-cancelled]')).toBeVisible();
    assert.ok((await partWay(page)) > 0, 'the progress bar showed the file part-read before Cancel');
    // Nothing of the cancelled upload was loaded.
    await expect(summary('source')).toHaveText('Sample data');
    await expect(summary('events')).toHaveText(count(app.stats.events));
    await expect(summary('users')).toHaveText(count(app.stats.users));

    await watchProgress(page, { cancelPartWay: false });
    await page.locator('#upload-input').setInputFiles(events);
    await expect(page.locator('[data-notice=upload-loaded]')).toBeVisible();
    await expect(summary('events')).toHaveText(count(expected.events));
    await expect(summary('source')).toHaveText('Uploaded files');
    assert.ok((await partWay(page)) > 0, 'the progress bar moved through the file');
    await expect(page.locator('.upload-file progress')).toHaveAttribute('value', '1000');

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
    await expectCharts(page, expected, 'all/all', '7d');
    await closePage(page);
  });

  test('a newer load wins: a sample reload cleared at once stays cleared; a file dropped while the sample reloads is what stays loaded', async () => {
    const [, events] = writeTenant(join(folder.path, 'race'), { users: 500, events: 5_000 });
    const expected = modelStats([events], { profile: 'bench' });
    const page = await app.open('data');
    const summary = (key) => page.locator(`[data-summary=${key}]`);
    await expect(summary('events')).toHaveText(count(app.stats.events));

    // Both clicks in one task, so the reload cannot finish between them.
    await page.evaluate(() => {
      document.querySelector('[data-action=load-sample]').click();
      document.querySelector('[data-action=clear]').click();
    });
    await expect(summary('empty')).toBeVisible();

    await page.evaluate(() => document.querySelector('[data-action=load-sample]').click());
    await page.locator('#upload-input').setInputFiles(events);
    await expect(page.locator('[data-notice=upload-loaded]')).toBeVisible();
    await expect(summary('source')).toHaveText('Uploaded files');
    await expect(summary('events')).toHaveText(count(expected.events));

    // Later, on another screen and back: the sample did not come back over the upload.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
    await expectCharts(page, expected, 'all/all', '7d');
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Data' }).click();
    await expect(summary('source')).toHaveText('Uploaded files');
    await expect(summary('events')).toHaveText(count(expected.events));
    await closePage(page);
  });

  test('the next load’s workers wait ready: an upload after the sample, and one after that, start from spare workers', async () => {
    const [, events] = writeTenant(join(folder.path, 'spares'), { users: 300, events: 3_000 });
    const expected = modelStats([events], { profile: 'bench' });
    const page = await app.open('data');
    const summary = (key) => page.locator(`[data-summary=${key}]`);
    await expect(summary('events')).toHaveText(count(app.stats.events));
    const ready = () => page.evaluate(() => ssprDiagnostics.spareWorkersReady());
    const moments = () => page.evaluate(() => ssprDiagnostics.ingestTimeline());
    for (const round of [1, 2]) {
      // The load before (the sample, then the first upload) started them when it was over.
      await expect.poll(ready, `spare workers before upload ${round}`).toBeGreaterThanOrEqual(2);
      await page.locator('#upload-input').setInputFiles(events);
      await expect(page.locator('[data-notice=upload-loaded]')).toBeVisible();
      await expect(summary('events')).toHaveText(count(expected.events));
      const timeline = await moments();
      assert.match(timeline, /spare workers were ready/, `upload ${round} took the spare workers`);
      assert.doesNotMatch(timeline, /a worker is ready/, `upload ${round} waited for no worker to start`);
    }
    await closePage(page);
  });
});
