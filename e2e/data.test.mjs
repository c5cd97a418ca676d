// Journeys through /data on the release build: uploads (several files, a truncated one, a big one
// with no request leaving the page), and live fetches from the local reference backend
// (sspr-backend, started here on a free port) with its fault switches: 429, 503 six times, a
// token without a reading role, a next link to another origin, Cancel. Expected numbers come
// from the model (`sspr-sample stats` over the same files), never from literals.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serve } from './serve.mjs';
import { closePage, dist, launch, modelStats, number, openPage, repo, sample, waitForTiles } from './harness.mjs';

let browser;
let server;
let backend;
let folder;
let sampleStats;
const files = {};

/** Graph pages as they are saved from Graph Explorer: one record a line. */
function graphPage(context, records, nextLink) {
  const head = { '@odata.context': context, ...(nextLink ? { '@odata.nextLink': nextLink } : {}) };
  const open = JSON.stringify(head).slice(0, -1);
  return `${open},"value":[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
}

/** What the model says about `paths`: its numbers, or (for a bad file) its first error message. */
function model(paths) {
  try {
    const cargo = ['run', '--quiet', '--bin', 'sspr-sample', '--', 'stats', ...paths];
    return JSON.parse(execFileSync('cargo', cargo, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (error) {
    const message = String(error.stderr ?? '').trim().replace(/^sspr-sample: /, '');
    assert.ok(message, `sspr-sample failed without a message: ${error}`);
    return { error: message };
  }
}

/** Starts the reference backend on a free port; resolves to { url, origin, base, log(), faults(), stop() }. */
async function startBackend(args) {
  execFileSync('cargo', ['build', '--quiet', '-p', 'sspr-backend'], { cwd: repo, stdio: 'inherit' });
  const child = spawn(join(repo, 'target', 'debug', 'sspr-backend'), ['--port', '0', ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const first = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sspr-backend exited (${code}): ${stderr}`)));
  });
  const url = first.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/)?.[1];
  assert.ok(url, `unexpected first line from sspr-backend: ${first}`);
  const control = async (path, method = 'GET', body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'x-sspr-control': '1', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return response.status === 204 ? null : response.json().catch(() => null);
  };
  return {
    url,
    base: `${url}/beta`,
    /** The report requests (and preflights) since the last reset. */
    log: async () => (await control('/_requests')).requests,
    faults: (switches) => control('/_faults', 'POST', switches),
    reset: async () => {
      await control('/_faults', 'DELETE');
      await control('/_requests', 'DELETE');
    },
    stop: () => child.kill(),
  };
}

/** Reads every page of a collection the way a saved export would hold them (no browser). */
async function savePages(collection, prefix) {
  const paths = [];
  let next = `${backend.base}/reports/authenticationMethods/${collection}`;
  while (next) {
    const response = await fetch(next, { headers: { authorization: 'Bearer dev-token' } });
    assert.equal(response.status, 200, `GET ${next}`);
    const text = await response.text();
    const path = join(folder, `${prefix}-${paths.length + 1}.json`);
    writeFileSync(path, text);
    paths.push(path);
    next = JSON.parse(text)['@odata.nextLink'];
  }
  return paths;
}

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'dist/ is missing: run `trunk build --release` first');
  sampleStats = modelStats();
  folder = mkdtempSync(join(tmpdir(), 'sspr-data-'));

  // Two saved pages of registration details and the events as NDJSON, from the bundled sample.
  const users = JSON.parse(readFileSync(join(repo, 'public/sample/userRegistrationDetails.json'), 'utf8'));
  const events = JSON.parse(readFileSync(join(repo, 'public/sample/userEventsSummary.json'), 'utf8'));
  const half = Math.ceil(users.value.length / 2);
  const context = users['@odata.context'];
  const next = 'https://graph.microsoft.com/beta/reports/authenticationMethods/userRegistrationDetails?$skiptoken=page2';
  files.users1 = join(folder, 'users-page-1.json');
  files.users2 = join(folder, 'users-page-2.json');
  files.events = join(folder, 'events.ndjson');
  writeFileSync(files.users1, graphPage(context, users.value.slice(0, half), next));
  writeFileSync(files.users2, graphPage(context, users.value.slice(half)));
  writeFileSync(files.events, events.value.map((e) => JSON.stringify(e)).join('\n') + '\n');

  // A page cut off in the middle of a record, as an interrupted download leaves it.
  const page = readFileSync(files.users1, 'utf8');
  files.truncated = join(folder, 'users-cut-off.json');
  writeFileSync(files.truncated, page.slice(0, Math.floor(page.length * 0.6)));

  server = await serve({ root: dist });
  // A generated tenant "as of" now, 14 days of events (all inside the 30 days a live fetch asks
  // for): 250 users and 2,500 events are 3 pages each.
  backend = await startBackend([
    '--users', '250', '--events', '2500', '--days', '14', '--as-of', 'now',
    '--allow-origin', new URL(server.url).origin,
  ]);
  server.allowConnect(backend.url);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  backend?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Opens /data with the sample loaded (as on a first visit). */
async function openData(options) {
  const page = await openPage(browser, options);
  await page.goto(`${server.url}data`);
  await summaryShows(page, { source: 'Sample data', users: sampleStats.users, events: sampleStats.events });
  return page;
}

async function summary(page) {
  const read = (key) => page.locator(`[data-summary=${key}]`).textContent();
  return { source: await read('source'), users: number(await read('users')), events: number(await read('events')) };
}

/** Waits until the summary says `expected` (the loaded data changes only once a load is complete). */
async function summaryShows(page, expected) {
  const deadline = Date.now() + 20_000;
  let seen;
  while (Date.now() < deadline) {
    seen = await summary(page).catch(() => null);
    if (seen && Object.entries(expected).every(([k, v]) => seen[k] === v)) return seen;
    await page.waitForTimeout(50);
  }
  assert.deepEqual(seen, expected, 'the summary of the loaded data');
}

async function tiles(page) {
  const read = (selector) => page.locator(selector).textContent().then(number);
  return {
    population: await read('[data-tile=registered] .population'),
    registered: await read('[data-tile=registered] .tile-count'),
    enabled: await read('[data-tile=enabled] .tile-count'),
    capable: await read('[data-tile=capable] .tile-count'),
  };
}

/** Goes to the overview through the header (no reload: the loaded data stays) and reads the tiles. */
async function overviewTiles(page) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
  await waitForTiles(page);
  return tiles(page);
}

const expectedTiles = (stats) => {
  const { population, registered, enabled, capable } = stats.populations['all/all'];
  return { population, registered, enabled, capable };
};

/** Closes a page whose backend errors (429, 503, 403, an aborted request) were on purpose. */
async function closeAfterFaults(page) {
  page.problems = page.problems.filter(
    (p) => !p.includes(backend.url) && !/status of (429|503|403|401)/.test(p),
  );
  await closePage(page);
}

async function fetchLive(page, { token = 'dev-token' } = {}) {
  await page.locator('input[name=base-url]').fill(backend.base);
  await page.locator('input[name=token]').fill(token);
  await page.locator('[data-action=fetch]').click();
}

const notice = (page, key) => page.locator(`[data-notice=${key}]`);

describe('uploads', () => {
  test('two saved Graph user pages and an NDJSON events file: the tiles are the model’s numbers', async () => {
    const expected = model([files.users1, files.users2, files.events]);
    const page = await openData();
    await page.locator('#upload-input').setInputFiles([files.users1, files.users2, files.events]);
    await notice(page, 'upload-loaded').waitFor();
    await summaryShows(page, { source: 'Uploaded files', users: expected.users, events: expected.events });

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
    assert.equal(await page.locator('.file-errors li').count(), 0);

    assert.deepEqual(await overviewTiles(page), expectedTiles(expected));
    await closePage(page);
  });

  test('files dropped anywhere on the page are analysed; Merge adds a file to the loaded data', async () => {
    const expected = model([files.users1, files.users2, files.events]);
    const usersOnly = model([files.users1, files.users2]);
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
    await notice(page, 'upload-loaded').waitFor();
    await summaryShows(page, { source: 'Uploaded files', users: usersOnly.users, events: 0 });

    // Merge: the events join the users loaded before.
    await page.getByRole('radio', { name: 'Merge with it' }).check();
    await page.locator('#upload-input').setInputFiles(files.events);
    await page.locator('[data-notice=upload-loaded]', { hasText: 'merged' }).waitFor();
    await summaryShows(page, { source: 'Uploaded files', users: expected.users, events: expected.events });
    const sources = await page.locator('.sources-table tbody th').allTextContents();
    assert.deepEqual(sources, ['users-page-1.json', 'users-page-2.json', 'events.ndjson']);
    assert.deepEqual(await overviewTiles(page), expectedTiles(expected));
    await closePage(page);
  });

  test('a truncated JSON: the message names the file and the line, and the data on screen stays', async () => {
    const expected = model([files.truncated]);
    assert.match(expected.error, /^users-cut-off\.json, line \d+/, 'the model names the file and the line');
    const page = await openData();
    const before = await overviewTiles(page);
    await page.getByRole('link', { name: 'Data' }).click();

    await page.locator('#upload-input').setInputFiles(files.truncated);
    await notice(page, 'upload-ask').waitFor();
    const errors = await page.locator('[data-file="users-cut-off.json"] .file-errors li').allTextContents();
    assert.ok(errors.includes(expected.error), `the page shows the model's message ${expected.error}: ${errors}`);
    // Nothing was loaded: the sample is still there, on this screen and on the overview.
    assert.deepEqual(await summary(page), { source: 'Sample data', users: sampleStats.users, events: sampleStats.events });
    assert.equal(await page.locator('.freshness [data-source]').textContent(), 'Sample data');
    assert.deepEqual(await overviewTiles(page), before);

    // Loading the good records is the user's choice; the warnings then say the end is missing.
    await page.getByRole('link', { name: 'Data' }).click();
    const good = Number(await page.locator('[data-file="users-cut-off.json"] [data-records]').getAttribute('data-records'));
    assert.ok(good > 0);
    await page.locator('[data-notice=upload-ask] button', { hasText: 'Load without the bad records' }).click();
    await summaryShows(page, { source: 'Uploaded files', users: good, events: 0 });
    const warnings = await page.locator('.warning-list li').allTextContents();
    assert.ok(
      warnings.some((w) => w.startsWith('users-cut-off.json could not be read to its end')),
      warnings.join('\n'),
    );
    await closePage(page);
  });

  test('analysing uploads sends no request except for the app’s own files, and the page stays responsive', async () => {
    // A bigger tenant (200,000 events, about 55 MB), so that the analysis takes a while.
    const big = join(folder, 'big');
    sample(['write', big, '--users', '20000', '--events', '200000'], { profile: 'bench' });
    const paths = ['userRegistrationDetails.json', 'userEventsSummary.json'].map((f) => join(big, f));
    const expected = JSON.parse(sample(['stats', ...paths], { profile: 'bench' }));

    const page = await openData();
    assert.ok(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('longtask')));
    await page.evaluate(() => {
      window.__longestTask = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longestTask = Math.max(window.__longestTask, entry.duration);
      }).observe({ type: 'longtask' });
    });
    // The observer works: a task of 80 ms made on purpose is seen.
    await page.evaluate(() =>
      setTimeout(() => {
        const start = performance.now();
        while (performance.now() - start < 80);
      }, 0),
    );
    await page.waitForFunction(() => window.__longestTask >= 80);
    await page.evaluate(() => (window.__longestTask = 0));
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.locator('#upload-input').setInputFiles(paths);
    await notice(page, 'upload-analysing').waitFor();
    await notice(page, 'upload-loaded').waitFor({ timeout: 60_000 });
    await summaryShows(page, { source: 'Uploaded files', users: expected.users, events: expected.events });
    const longest = await page.evaluate(() => window.__longestTask);

    const own = new URL(server.url).origin;
    const assets = /\.(js|wasm|css|svg|json)$/;
    const foreign = requests.filter((url) => new URL(url).origin !== own || !assets.test(new URL(url).pathname));
    assert.deepEqual(foreign, [], 'no request for anything but the app’s own files');
    assert.deepEqual(await overviewTiles(page), expectedTiles(expected));
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
    await backend.reset();
    // The same data, saved as export files: what the model computes for them is what a fetch
    // must show.
    saved = [
      ...(await savePages('userRegistrationDetails', 'live-users')),
      ...(await savePages('userEventsSummary', 'live-events')),
    ];
    assert.ok(saved.length >= 6, `${saved.length} pages`);
    expected = model(saved);
  });

  test('every page of both lists: the same numbers as uploading the same data', async () => {
    await backend.reset();
    const page = await openData();
    await fetchLive(page);
    await notice(page, 'fetch-done').waitFor({ timeout: 30_000 });
    const host = new URL(backend.url).host;
    await summaryShows(page, { source: `Live: ${host}`, users: expected.users, events: expected.events });
    assert.equal(await page.locator('.freshness [data-source]').textContent(), `Live: ${host}`);

    const log = await backend.log();
    const reports = log.filter((r) => r.method === 'GET');
    assert.ok(reports.length >= 6, `${reports.length} report requests`);
    assert.ok(reports.every((r) => r.status === 200 && r.token === 'accepted' && r.prefer), JSON.stringify(reports));
    const liveTiles = await overviewTiles(page);
    assert.deepEqual(liveTiles, expectedTiles(expected));

    // The same data uploaded gives the same numbers.
    await page.getByRole('link', { name: 'Data' }).click();
    await page.locator('#upload-input').setInputFiles(saved);
    await notice(page, 'upload-loaded').waitFor();
    await summaryShows(page, { source: 'Uploaded files', users: expected.users, events: expected.events });
    assert.deepEqual(await overviewTiles(page), liveTiles);
    await closePage(page);
  });

  test('429 then success: the fetch waits for Retry-After and loads', async () => {
    await backend.reset();
    await backend.faults({ throttle: 1, retry_after: 1 });
    const page = await openData();
    await fetchLive(page);
    await page.locator('[data-notice=fetch-running]', { hasText: 'busy (429)' }).waitFor();
    await notice(page, 'fetch-done').waitFor({ timeout: 30_000 });
    await summaryShows(page, { users: expected.users, events: expected.events });
    const statuses = (await backend.log()).filter((r) => r.method === 'GET').map((r) => r.status);
    assert.equal(statuses[0], 429);
    assert.ok(statuses.slice(1).every((s) => s === 200), statuses.join(' '));
    await closeAfterFaults(page);
  });

  test('503 six times: a clear error after five retries, and the data on screen stays', async () => {
    await backend.reset();
    await backend.faults({ unavailable: 6, retry_after: 0 });
    const page = await openData();
    await fetchLive(page);
    const failed = notice(page, 'fetch-failed');
    await failed.waitFor({ timeout: 30_000 });
    const text = await failed.textContent();
    assert.match(text, /Nothing was loaded\. The data on screen is unchanged\./);
    assert.match(text, /The report backend is still busy \(503 Service Unavailable\) after 5 retries\. Try again later\./);
    assert.deepEqual(await summary(page), { source: 'Sample data', users: sampleStats.users, events: sampleStats.events });
    const statuses = (await backend.log()).filter((r) => r.method === 'GET').map((r) => r.status);
    assert.deepEqual(statuses, [503, 503, 503, 503, 503, 503]);
    await closeAfterFaults(page);
  });

  test('a token without a reading role: a clear message, and no request is sent', async () => {
    await backend.reset();
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
    await failed.waitFor();
    const text = await failed.textContent();
    assert.match(text, /does not carry a role that may read these reports, so no request was sent/);
    assert.ok(!text.includes(token) && !text.includes(token.split('.')[1]), 'the message never holds the token');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'token', 'the focus is on the token');
    assert.deepEqual(await backend.log(), [], 'no request reached the backend, not even a preflight');
    assert.deepEqual(await summary(page), { source: 'Sample data', users: sampleStats.users, events: sampleStats.events });
    await closePage(page);
  });

  test('a next link to another origin is refused, and the token goes nowhere else', async () => {
    await backend.reset();
    await backend.faults({ foreign_next_link: true });
    const page = await openData();
    await fetchLive(page);
    const failed = notice(page, 'fetch-failed');
    await failed.waitFor({ timeout: 30_000 });
    assert.match(await failed.textContent(), /points to another origin .* It was not followed, so that the token is not sent elsewhere\./);
    const log = await backend.log();
    const own = new URL(backend.url).host;
    assert.ok(log.length > 0);
    assert.deepEqual(log.filter((r) => r.host !== own), [], 'no request went to the other origin');
    assert.deepEqual(await summary(page), { source: 'Sample data', users: sampleStats.users, events: sampleStats.events });
    await closeAfterFaults(page);
  });

  test('the token stays in memory, or in this tab’s session storage only when asked to', async () => {
    const page = await openData();
    const token = page.locator('input[name=token]');
    const remember = page.getByRole('checkbox', { name: 'Remember in this tab' });
    const stored = () => page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    assert.equal(await token.getAttribute('type'), 'password');
    await token.fill('secret-in-memory');
    assert.ok(!(await stored()).includes('secret-in-memory'));
    await page.reload();
    await page.locator('[data-summary=users]').waitFor();
    assert.equal(await token.inputValue(), '', 'gone after a reload');

    await remember.check();
    await token.fill('secret-for-this-tab');
    assert.ok((await stored()).includes('secret-for-this-tab'));
    await page.reload();
    await page.locator('[data-summary=users]').waitFor();
    assert.equal(await token.inputValue(), 'secret-for-this-tab');
    assert.ok(await remember.isChecked());
    await remember.uncheck();
    assert.ok(!(await stored()).includes('secret-for-this-tab'), 'unticking forgets it');
    assert.ok(!page.url().includes('secret'));
    await closePage(page);
  });

  test('Cancel mid-fetch: nothing is loaded, the data on screen stays', async () => {
    await backend.reset();
    await backend.faults({ slow_ms: 1_500 });
    const page = await openData();
    await fetchLive(page);
    await notice(page, 'fetch-running').waitFor();
    await page.waitForTimeout(300);
    await page.locator('[data-action=cancel]').click();
    await notice(page, 'fetch-cancelled').waitFor();
    // Longer than a slow page: an answer arriving after Cancel must not load anything either.
    await page.waitForTimeout(2_000);
    assert.deepEqual(await summary(page), { source: 'Sample data', users: sampleStats.users, events: sampleStats.events });
    assert.equal(await notice(page, 'fetch-cancelled').count(), 1);
    assert.ok(await page.locator('[data-action=fetch]').isEnabled(), 'a new fetch can start');
    await closeAfterFaults(page);
  });
});
