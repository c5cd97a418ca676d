// Journeys through /data on the release build: uploads (several files, a truncated one, a big one
// with no request leaving the page), and live fetches from the local reference backend
// (sspr-backend, started by the harness on a free port) with its fault switches: 429, 503 six
// times, a token without a reading role, a next link to another origin, Cancel, the audit log
// fetched too and refused. Expected numbers come from the model (`sspr-sample stats` over the
// same files), never from literals.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  closePage,
  count,
  expect,
  expectTiles,
  modelError,
  modelStats,
  modelTiles,
  repo,
  tiles,
  useApp,
  useFolder,
  writeTenant,
} from './harness.mjs';

// A generated tenant "as of" now, 14 days of events (all inside the 30 days a live fetch asks
// for): 250 users and 2,500 events are 3 pages each.
const app = useApp({ backend: ['--users', '250', '--events', '2500', '--days', '14', '--as-of', 'now'] });
const folder = useFolder('data');
const files = {};

/** Graph pages as they are saved from Graph Explorer: one record a line. */
function graphPage(context, records, nextLink) {
  const head = { '@odata.context': context, ...(nextLink ? { '@odata.nextLink': nextLink } : {}) };
  const open = JSON.stringify(head).slice(0, -1);
  return `${open},"value":[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

before(() => {
  // Two saved pages of registration details and the events as NDJSON, from the bundled sample.
  const users = JSON.parse(readFileSync(join(repo, 'public/sample/userRegistrationDetails.json'), 'utf8'));
  const events = JSON.parse(readFileSync(join(repo, 'public/sample/userEventsSummary.json'), 'utf8'));
  const half = Math.ceil(users.value.length / 2);
  const context = users['@odata.context'];
  const next = 'https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=page2';
  files.users1 = join(folder.path, 'users-page-1.json');
  files.users2 = join(folder.path, 'users-page-2.json');
  files.events = join(folder.path, 'events.ndjson');
  writeFileSync(files.users1, graphPage(context, users.value.slice(0, half), next));
  writeFileSync(files.users2, graphPage(context, users.value.slice(half)));
  writeFileSync(files.events, events.value.map((e) => JSON.stringify(e)).join('\n') + '\n');

  // A page cut off in the middle of a record, as an interrupted download leaves it.
  const page = readFileSync(files.users1, 'utf8');
  files.truncated = join(folder.path, 'users-cut-off.json');
  writeFileSync(files.truncated, page.slice(0, Math.floor(page.length * 0.6)));
});

/**
 * Reads every page of a collection (a report's name, or a path below the base with its query)
 * the way a saved export would hold them (no browser).
 */
async function savePages(collection, prefix) {
  const paths = [];
  let next = collection.startsWith('/')
    ? `${app.backend.base}${collection}`
    : `${app.backend.base}/reports/authenticationMethods/${collection}`;
  while (next) {
    const response = await fetch(next, { headers: { authorization: 'Bearer dev-token' } });
    assert.equal(response.status, 200, `GET ${next}`);
    const text = await response.text();
    const path = join(folder.path, `${prefix}-${paths.length + 1}.json`);
    writeFileSync(path, text);
    paths.push(path);
    next = JSON.parse(text)['@odata.nextLink'];
  }
  return paths;
}

/** What the summary of the loaded data says the bundled sample is. */
const sampleSummary = () => ({ source: 'Sample data', users: app.stats.users, events: app.stats.events });

/**
 * Waits until the summary of the loaded data says `expected` ({ source, users, events }, any of
 * them). The loaded data changes only once a load is complete.
 */
async function expectSummary(page, expected) {
  for (const [key, value] of Object.entries(expected)) {
    const text = typeof value === 'number' ? count(value) : value;
    await expect(page.locator(`[data-summary=${key}]`), `the summary’s ${key}`).toHaveText(text);
  }
}

/** Opens /data with the sample loaded (as on a first visit). */
async function openData(options) {
  const page = await app.open('data', options);
  await expectSummary(page, sampleSummary());
  return page;
}

/** Goes to the overview through the header (no reload: the loaded data stays). */
async function toOverview(page) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
}

/** Closes a page whose backend errors (429, 503, 403, an aborted request) were on purpose. */
async function closeAfterFaults(page) {
  const expected = (problem) => problem.includes(app.backend.url) || /status of (429|503|403|401)/.test(problem);
  await closePage(page, { expected });
}

async function fetchLive(page, { token = 'dev-token', auditLog = false } = {}) {
  await page.locator('input[name=base-url]').fill(app.backend.base);
  await page.locator('input[name=token]').fill(token);
  await page.locator('input[name=audit-log]').setChecked(auditLog);
  await page.locator('[data-action=fetch]').click();
}

const notice = (page, key) => page.locator(`[data-notice=${key}]`);

describe('uploads', () => {
  test('two saved Graph user pages and an NDJSON events file: the tiles are the model’s numbers', async () => {
    const expected = modelStats([files.users1, files.users2, files.events]);
    const page = await openData();
    await page.locator('#upload-input').setInputFiles([files.users1, files.users2, files.events]);
    await expect(notice(page, 'upload-loaded')).toBeVisible();
    await expectSummary(page, { source: 'Uploaded files', users: expected.users, events: expected.events });

    // Each file: name, size, kind and records read.
    const rows = await page.$$eval('.upload-file', (lis) =>
      lis.map((li) => ({
        name: li.dataset.file,
        kind: li.querySelector('.file-kind').textContent,
        records: Number(li.querySelector('[data-records]').dataset.records),
        size: li.querySelector('.file-size').textContent,
      })),
    );
    assert.deepEqual(rows.map((r) => r.name), ['users-page-1.json', 'users-page-2.json', 'events.ndjson']);
    assert.deepEqual(rows.map((r) => r.kind), [
      'userRegistrationDetails (JSON)',
      'userRegistrationDetails (JSON)',
      'userEventsSummary (JSON)',
    ]);
    assert.equal(rows[0].records + rows[1].records, expected.users);
    assert.equal(rows[2].records, expected.events);
    assert.ok(rows.every((r) => /\d (bytes|KB|MB)$/.test(r.size)), JSON.stringify(rows));
    await expect(page.locator('.file-errors li')).toHaveCount(0);

    await toOverview(page);
    await expectTiles(page, modelTiles(expected));
    await closePage(page);
  });

  test('files dropped anywhere on the page are analysed; Merge adds a file to the loaded data', async () => {
    const expected = modelStats([files.users1, files.users2, files.events]);
    const usersOnly = modelStats([files.users1, files.users2]);
    const page = await openData();
    // Two user pages dropped on the page's heading (not on the drop zone), replacing the sample.
    const dropped = [files.users1, files.users2].map((path) => ({
      name: path.split('/').pop(),
      text: readFileSync(path, 'utf8'),
    }));
    await page.evaluate((list) => {
      const transfer = new DataTransfer();
      for (const { name, text } of list) transfer.items.add(new File([text], name, { type: 'application/json' }));
      const target = document.querySelector('h1');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    }, dropped);
    await expect(notice(page, 'upload-loaded')).toBeVisible();
    await expectSummary(page, { source: 'Uploaded files', users: usersOnly.users, events: 0 });

    // Merge: the events join the users loaded before.
    await page.getByRole('radio', { name: 'Merge with it' }).check();
    await page.locator('#upload-input').setInputFiles(files.events);
    await expect(notice(page, 'upload-loaded')).toContainText('merged');
    await expectSummary(page, { source: 'Uploaded files', users: expected.users, events: expected.events });
    await expect(page.locator('.sources-table tbody th')).toHaveText([
      'users-page-1.json',
      'users-page-2.json',
      'events.ndjson',
    ]);
    await toOverview(page);
    await expectTiles(page, modelTiles(expected));
    await closePage(page);
  });

  test('a truncated JSON: the message names the file and the line, and the data on screen stays', async () => {
    const error = modelError([files.truncated]);
    assert.match(error, /^users-cut-off\.json, line \d+/, 'the model names the file and the line');
    const page = await openData();
    await toOverview(page);
    const before = await tiles(page);
    await page.getByRole('link', { name: 'Data' }).click();

    await page.locator('#upload-input').setInputFiles(files.truncated);
    await expect(notice(page, 'upload-ask')).toBeVisible();
    const errors = page.locator('[data-file="users-cut-off.json"] .file-errors li');
    await expect(errors, 'the page shows the model’s message').toContainText([error]);
    // Nothing was loaded: the sample is still there, on this screen and on the overview.
    await expectSummary(page, sampleSummary());
    await expect(page.locator('.freshness [data-source]')).toHaveText('Sample data');
    await toOverview(page);
    await expectTiles(page, before);

    // Loading the good records is the user's choice; the warnings then say the end is missing.
    await page.getByRole('link', { name: 'Data' }).click();
    const good = Number(await page.locator('[data-file="users-cut-off.json"] [data-records]').getAttribute('data-records'));
    assert.ok(good > 0);
    await page.locator('[data-notice=upload-ask] button', { hasText: 'Load without the bad records' }).click();
    await expectSummary(page, { source: 'Uploaded files', users: good, events: 0 });
    const warnings = page.locator('.warning-list li');
    await expect(warnings).toContainText(['users-cut-off.json could not be read to its end']);
    await closePage(page);
  });

  test('analysing uploads sends no request except for the app’s own files, and the page stays responsive', async () => {
    // A bigger tenant (200,000 events, about 55 MB), so that the analysis takes a while.
    const paths = writeTenant(join(folder.path, 'big'), { users: 20_000, events: 200_000 });
    const expected = modelStats(paths, { profile: 'bench' });

    const page = await openData();
    assert.ok(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('longtask')));
    await page.evaluate(() => {
      window.__longestTask = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longestTask = Math.max(window.__longestTask, entry.duration);
      }).observe({ type: 'longtask' });
    });
    const longestTask = () => page.evaluate(() => window.__longestTask);
    // The observer works: a task of 80 ms made on purpose is seen.
    await page.evaluate(() =>
      setTimeout(() => {
        const start = performance.now();
        while (performance.now() - start < 80);
      }, 0),
    );
    await expect.poll(longestTask, 'the long task made on purpose').toBeGreaterThanOrEqual(80);
    await page.evaluate(() => (window.__longestTask = 0));
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.locator('#upload-input').setInputFiles(paths);
    await expect(notice(page, 'upload-analysing')).toBeVisible();
    await expect(notice(page, 'upload-loaded')).toBeVisible({ timeout: 60_000 });
    await expectSummary(page, { source: 'Uploaded files', users: expected.users, events: expected.events });
    const longest = await longestTask();

    const own = new URL(app.url()).origin;
    const assets = /\.(js|wasm|css|svg|json)$/;
    const foreign = requests.filter((url) => new URL(url).origin !== own || !assets.test(new URL(url).pathname));
    assert.deepEqual(foreign, [], 'no request for anything but the app’s own files');
    await toOverview(page);
    await expectTiles(page, modelTiles(expected));
    // Reading and analysing go in slices of about 40 ms; building the dataset at the end is the
    // longest single task (reading 55 MB in one go would take several times as long).
    assert.ok(longest < 200, `the page froze for ${Math.round(longest)} ms`);
    console.log(`# ${expected.events} events uploaded; the longest task took ${Math.round(longest)} ms`);
    await closePage(page);
  });
});

describe('fetching from the report backend', () => {
  let saved;
  let expected;
  before(async () => {
    await app.backend.reset();
    // The same data, saved as export files: what the model computes for them is what a fetch
    // must show.
    saved = [
      ...(await savePages('userRegistrationDetails', 'live-users')),
      ...(await savePages('userEventsSummary', 'live-events')),
    ];
    assert.ok(saved.length >= 6, `${saved.length} pages`);
    expected = modelStats(saved);
  });

  test('every page of both lists: the same numbers as uploading the same data', async () => {
    await app.backend.reset();
    const page = await openData();
    await fetchLive(page);
    await expect(notice(page, 'fetch-done')).toBeVisible({ timeout: 30_000 });
    const source = `Live: ${new URL(app.backend.url).host}`;
    await expectSummary(page, { source, users: expected.users, events: expected.events });
    await expect(page.locator('.freshness [data-source]')).toHaveText(source);

    const log = await app.backend.log();
    const reports = log.filter((r) => r.method === 'GET');
    assert.ok(reports.length >= 6, `${reports.length} report requests`);
    assert.ok(reports.every((r) => r.status === 200 && r.token === 'accepted' && r.prefer), JSON.stringify(reports));
    await toOverview(page);
    await expectTiles(page, modelTiles(expected));
    const liveTiles = await tiles(page);

    // The same data uploaded gives the same numbers.
    await page.getByRole('link', { name: 'Data' }).click();
    await page.locator('#upload-input').setInputFiles(saved);
    await expect(notice(page, 'upload-loaded')).toBeVisible();
    await expectSummary(page, { source: 'Uploaded files', users: expected.users, events: expected.events });
    await toOverview(page);
    await expectTiles(page, liveTiles);
    await closePage(page);
  });

  test('with the audit log: its rows and attempts are those of the same pages uploaded', async () => {
    await app.backend.reset();
    // The audit log of the last 30 days of the two services, as the app asks for it.
    const since = new Date(Date.now() - 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const services = "loggedByService eq 'Self-service Password Management' or loggedByService eq 'Authentication Methods'";
    const filter = encodeURIComponent(`activityDateTime ge ${since} and (${services})`);
    const audit = await savePages(`/auditLogs/directoryAudits?$filter=${filter}`, 'live-audit');
    const withAudit = modelStats([...saved, ...audit]);
    assert.ok(withAudit.audit_rows > 0 && withAudit.attempts.entries > 0, 'the tenant has an audit log');
    await app.backend.reset();

    const page = await openData();
    await fetchLive(page, { auditLog: true });
    await expect(notice(page, 'fetch-done')).toBeVisible({ timeout: 30_000 });
    await expectSummary(page, { users: withAudit.users, events: withAudit.events });
    await expect(page.locator('[data-summary=audit-rows]')).toHaveText(count(withAudit.audit_rows));
    await expect(page.locator('[data-summary=attempts]')).toHaveText(count(withAudit.attempts.entries));
    const audits = (await app.backend.log()).filter((r) => r.method === 'GET' && r.path.includes('/auditLogs/directoryAudits'));
    assert.ok(audits.length >= 1 && audits.every((r) => r.status === 200 && r.token === 'accepted'), JSON.stringify(audits));
    assert.match(audits[0].path, /\$filter=activityDateTime%20ge%20/);

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Attempts' }).click();
    await expect(page.locator('[data-chart=funnel] table tbody tr')).toHaveCount(5);
    await closePage(page);
  });

  test('a token that may read the reports but not the audit log: the audit-log message, and the data stays', async () => {
    await app.backend.reset();
    await app.backend.faults({ forbidden_audit: true });
    const page = await openData();
    await fetchLive(page, { auditLog: true });
    const failed = notice(page, 'fetch-failed');
    await expect(failed).toContainText('refused to read the audit log');
    await expect(failed).toContainText('AuditLog.Read.All');
    await expect(page.locator('input[name=token]'), 'the focus is on the token').toBeFocused();
    await expectSummary(page, sampleSummary());
    await closeAfterFaults(page);
  });

  test('429 then success: the fetch waits for Retry-After and loads', async () => {
    await app.backend.reset();
    await app.backend.faults({ throttle: 1, retry_after: 1 });
    const page = await openData();
    await fetchLive(page);
    await expect(notice(page, 'fetch-running')).toContainText('busy (429)');
    await expect(notice(page, 'fetch-done')).toBeVisible({ timeout: 30_000 });
    await expectSummary(page, { users: expected.users, events: expected.events });
    const statuses = (await app.backend.log()).filter((r) => r.method === 'GET').map((r) => r.status);
    assert.equal(statuses[0], 429);
    assert.ok(statuses.slice(1).every((s) => s === 200), statuses.join(' '));
    await closeAfterFaults(page);
  });

  test('503 six times: a clear error after five retries, and the data on screen stays', async () => {
    await app.backend.reset();
    await app.backend.faults({ unavailable: 6, retry_after: 0 });
    const page = await openData();
    await fetchLive(page);
    const failed = notice(page, 'fetch-failed');
    await expect(failed).toBeVisible({ timeout: 30_000 });
    await expect(failed).toContainText('Nothing was loaded. The data on screen is unchanged.');
    await expect(failed).toContainText(
      'The report backend is still busy (503 Service Unavailable) after 5 retries. Try again later.',
    );
    await expectSummary(page, sampleSummary());
    const statuses = (await app.backend.log()).filter((r) => r.method === 'GET').map((r) => r.status);
    assert.deepEqual(statuses, [503, 503, 503, 503, 503, 503]);
    await closeAfterFaults(page);
  });

  test('a token without a reading role: a clear message, and no request is sent', async () => {
    await app.backend.reset();
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    // Directory Readers only; valid for an hour.
    const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({
      wids: ['88d8e3e3-8f55-4a1e-953a-9b9898b8876b'],
      scp: 'AuditLog.Read.All',
      exp: Math.floor(Date.now() / 1000) + 3600,
    })}.c2lnbmF0dXJl`;
    const page = await openData();
    await fetchLive(page, { token });
    const failed = notice(page, 'fetch-failed');
    await expect(failed).toContainText('does not carry a role that may read these reports, so no request was sent');
    const text = await failed.textContent();
    assert.ok(!text.includes(token) && !text.includes(token.split('.')[1]), 'the message never holds the token');
    await expect(page.locator('input[name=token]'), 'the focus is on the token').toBeFocused();
    assert.deepEqual(await app.backend.log(), [], 'no request reached the backend, not even a preflight');
    await expectSummary(page, sampleSummary());
    await closePage(page);
  });

  test('a next link to another origin is refused, and the token goes nowhere else', async () => {
    await app.backend.reset();
    await app.backend.faults({ foreign_next_link: true });
    const page = await openData();
    await fetchLive(page);
    const failed = notice(page, 'fetch-failed');
    await expect(failed).toHaveText(
      /points to another origin .* It was not followed, so that the token is not sent elsewhere\./,
      { timeout: 30_000 },
    );
    const log = await app.backend.log();
    const own = new URL(app.backend.url).host;
    assert.ok(log.length > 0);
    assert.deepEqual(log.filter((r) => r.host !== own), [], 'no request went to the other origin');
    await expectSummary(page, sampleSummary());
    await closeAfterFaults(page);
  });

  test('the token stays in memory, or in this tab’s session storage only when asked to', async () => {
    const page = await openData();
    const token = page.locator('input[name=token]');
    const remember = page.getByRole('checkbox', { name: 'Remember in this tab' });
    const stored = () => page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    await expect(token).toHaveAttribute('type', 'password');
    await token.fill('secret-in-memory');
    assert.ok(!(await stored()).includes('secret-in-memory'));
    await page.reload();
    await expect(page.locator('[data-summary=users]')).toBeVisible();
    await expect(token, 'gone after a reload').toHaveValue('');

    await remember.check();
    await token.fill('secret-for-this-tab');
    assert.ok((await stored()).includes('secret-for-this-tab'));
    await page.reload();
    await expect(page.locator('[data-summary=users]')).toBeVisible();
    await expect(token).toHaveValue('secret-for-this-tab');
    await expect(remember).toBeChecked();
    await remember.uncheck();
    assert.ok(!(await stored()).includes('secret-for-this-tab'), 'unticking forgets it');
    assert.ok(!page.url().includes('secret'));
    await closePage(page);
  });

  test('Cancel mid-fetch: the request in flight is aborted, nothing is loaded, the data on screen stays', async () => {
    await app.backend.reset();
    // Every page takes 1.5 s, so the first one is still in flight when Cancel is pressed.
    await app.backend.faults({ slow_ms: 1_500 });
    const page = await openData();
    const toBackend = (request) => request.method() === 'GET' && request.url().startsWith(app.backend.base);
    const firstRequest = page.waitForEvent('request', toBackend);
    await fetchLive(page);
    const inFlight = await firstRequest;
    await expect(notice(page, 'fetch-running')).toBeVisible();
    const aborted = page.waitForEvent('requestfailed', (request) => request === inFlight);
    await page.locator('[data-action=cancel]').click();
    await expect(notice(page, 'fetch-cancelled')).toBeVisible();
    // The request in flight is aborted: its answer can never reach the page.
    assert.match((await aborted).failure().errorText, /ERR_ABORTED/);
    await expectSummary(page, sampleSummary());
    await expect(notice(page, 'fetch-cancelled')).toHaveCount(1);
    await expect(page.locator('[data-action=fetch]'), 'a new fetch can start').toBeEnabled();
    await closeAfterFaults(page);
  });
});
