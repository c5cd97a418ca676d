// The browser benchmark (`make bench-browser`; not part of `make test`): ingest and interactions
// at the size of a large tenant, through the real path a person uses (the file input on /data,
// clicks and keystrokes), in headless Chromium, beside a plain-JavaScript baseline on the same
// `File` in the same page. Prints one table and exits non-zero when a figure misses its budget
// by more than 25 %.
//
//   node e2e/bench-browser.mjs DIR [RUNS=3]     DIR holds userEventsSummary.json (1,000,000
//                                               events) and userRegistrationDetails.json (200,000
//                                               users), as `sspr-sample write` writes them
//   DIST=FOLDER node e2e/bench-browser.mjs …     serves FOLDER instead of dist/ (another build,
//                                               for runs in pairs against this one)

import { statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { count, dist, launch, requireBuild } from './harness.mjs';
import { serve } from './serve.mjs';

const [dir, runsArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node e2e/bench-browser.mjs DIR [RUNS]');
  process.exit(2);
}
const RUNS = Number(runsArg ?? 3);
const files = {
  events: join(dir, 'userEventsSummary.json'),
  users: join(dir, 'userRegistrationDetails.json'),
};

/** The budgets of spec §7 (ms, ratio, MB). */
const BUDGET = {
  events: 800,
  ratio: 0.55,
  users: 300,
  longestTask: 50,
  memory: 120,
  period: 50,
  filter: 50,
  search: 50,
  sort: 150,
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

requireBuild();
const server = await serve({ root: process.env.DIST ?? dist });
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on('pageerror', (e) => console.error('page error:', e.message));

/** Opens /data with the sample loaded, and starts watching the main thread. */
async function openData() {
  await page.goto(`${server.url}data`);
  await page.locator('[data-summary=users]').waitFor();
  await page.evaluate(() => {
    window.bench = { longTasks: [], maxGap: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.bench.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/**
 * Uploads `path` through the file input and waits until the data screen's summary shows
 * `expected` in the line `key`; returns the time from the input's `change` to that, and the
 * longest main-thread task in between (the Long Tasks API for tasks of 50 ms or more; below that,
 * how late a 10 ms timer fired).
 */
async function upload(path, key, expected) {
  await page.evaluate(({ key, expected }) => {
    const b = window.bench;
    b.done = new Promise((resolve) => {
      const input = document.querySelector('#upload-input');
      input.addEventListener(
        'change',
        () => {
          b.start = performance.now();
          b.file = input.files[0];
          // How late a 10 ms timer fires while ingest runs: a task that holds the thread
          // delays it by about its length. (A loop of messages to itself would see every
          // turn, but it keeps the thread busy and takes a core from the workers: on two
          // cores it slowed the load it measured, BENCHMARKS.md.)
          const TICK_MS = 10;
          b.maxGap = 0;
          b.maxGapAt = 0;
          let last = performance.now();
          b.ticking = setInterval(() => {
            const now = performance.now();
            if (now - last - TICK_MS > b.maxGap) {
              b.maxGap = now - last - TICK_MS;
              // When the late turn came, from the input's change (the gap ended then).
              b.maxGapAt = now - b.start;
            }
            last = now;
          }, TICK_MS);
        },
        { once: true, capture: true },
      );
      const watch = () => {
        const line = document.querySelector(`[data-summary=${key}]`);
        if (line && line.textContent.trim() === expected) {
          b.end = performance.now();
          clearInterval(b.ticking);
          observer.disconnect();
          resolve();
        }
      };
      const observer = new MutationObserver(watch);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }, { key, expected });
  await page.locator('#upload-input').setInputFiles(path);
  await page.evaluate(() => window.bench.done);
  return page.evaluate(() => {
    const b = window.bench;
    const during = b.longTasks.filter(([start, d]) => start + d >= b.start && start <= b.end);
    const longest = Math.max(b.maxGap, ...during.map(([, d]) => d));
    const tasks = during.map(([start, d]) => `${(start - b.start).toFixed(0)} ms: ${d.toFixed(0)} ms`);
    return { ms: b.end - b.start, longest, tasks, gap: b.maxGap, gapAt: b.maxGapAt };
  });
}

/** The plain-JavaScript baseline on the same File: text, JSON.parse, a Map group-by over the
 * last 30 days by feature, method and status, and distinct users. */
async function baseline() {
  return page.evaluate(async () => {
    const start = performance.now();
    const page = JSON.parse(await window.bench.file.text());
    const records = page.value;
    let newest = 0;
    for (const r of records) newest = Math.max(newest, Date.parse(r.eventDateTime));
    const from = newest - 30 * 86400000;
    const groups = new Map();
    const users = new Set();
    for (const r of records) {
      users.add(r.userPrincipalName);
      if (Date.parse(r.eventDateTime) <= from) continue;
      const key = `${r.feature}|${r.authMethod}|${r.isSuccess}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    return { ms: performance.now() - start, groups: groups.size, users: users.size };
  });
}

const memory = () =>
  page.evaluate(() => ({
    page: ssprDiagnostics.wasmMemoryBytes() / 1e6,
    workers: ssprDiagnostics.workerMemoryPeakBytes() / 1e6,
    spares: ssprDiagnostics.spareWorkerMemoryBytes() / 1e6,
  }));

/** The latest load's named moments, on the page and in its workers (`data::worker::timeline`). */
const timeline = () => page.evaluate(() => ssprDiagnostics.ingestTimeline());

/**
 * Time from an input (`act`, run in the page) to the first change of the DOM under `selector`
 * after it, in the page's own clock.
 */
async function interaction(selector, act) {
  return page.evaluate(
    ({ selector, act }) =>
      new Promise((resolve) => {
        const target = document.querySelector(selector);
        const observer = new MutationObserver(() => {
          observer.disconnect();
          resolve(performance.now() - start);
        });
        observer.observe(target, { subtree: true, childList: true, characterData: true, attributes: true });
        const start = performance.now();
        new Function(act)();
      }),
    { selector, act },
  );
}

/** Lets the last interaction's effects end: two frames painted, then the event loop idle. */
const settle = () =>
  page.evaluate(
    () =>
      new Promise((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))),
      ),
  );

const eventsMB = statSync(files.events).size / 1e6;
const usersMB = statSync(files.users).size / 1e6;
const results = { events: [], baseline: [], users: [], longest: [], memory: null };

await openData();
for (let run = 0; run < RUNS; run++) {
  await openData();
  const ours = await upload(files.events, 'events', count(1_000_000));
  results.events.push(ours.ms);
  results.longest.push(ours.longest);
  results.baseline.push((await baseline()).ms);
  results.memory = await memory();
  // Each run's longest task and where it fell: a loaded machine can delay the page's timer on
  // its own, so which run, and at what moment of the load, tells the code's share from the
  // machine's.
  const tasks = ours.tasks.length ? `long tasks ${ours.tasks.join(', ')}` : 'no long task';
  process.stderr.write(
    `run ${run + 1}: ours ${ours.ms.toFixed(0)} ms, baseline ${results.baseline.at(-1).toFixed(0)} ms; ` +
      `${tasks}; the 10 ms timer at worst ${ours.gap.toFixed(0)} ms late, at ${ours.gapAt.toFixed(0)} ms\n`,
  );
  if (run === RUNS - 1) {
    process.stderr.write(`the last run's timeline (ms):\n${await timeline()}`);
    process.stderr.write(`its long tasks (from the input's change): ${ours.tasks.join(', ') || 'none'}\n`);
  }
}

// Interactions at 1,000,000 events (the last upload is loaded).
const interactions = { period: [], filter: [], search: [], sort: [] };
await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Overview' }).click();
await page.locator('.tile').first().waitFor();
for (let run = 0; run < RUNS; run++) {
  for (const period of ['24 hours', '30 days', '7 days']) {
    const label = JSON.stringify(period);
    interactions.period.push(
      await interaction('main', `[...document.querySelectorAll('label')].find((l) => l.textContent.trim() === ${label})?.click()`),
    );
    await settle();
  }
}
await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Activity' }).click();
await page.locator('.list-count').waitFor();
for (let run = 0; run < RUNS; run++) {
  for (const status of ['failure', '']) {
    interactions.filter.push(
      await interaction(
        'main',
        `const s = document.querySelector('select[name=status]'); s.value = ${JSON.stringify(status)}; s.dispatchEvent(new Event('change', { bubbles: true }));`,
      ),
    );
    await settle();
  }
  for (const text of ['m', '']) {
    interactions.search.push(
      await interaction(
        'main',
        `const q = document.querySelector('input[type=search]'); q.value = ${JSON.stringify(text)}; q.dispatchEvent(new Event('input', { bubbles: true }));`,
      ),
    );
    await settle();
  }
  interactions.sort.push(
    await interaction('main', `document.querySelectorAll('.vt-sort')[1]?.click()`),
  );
  await settle();
}

// 200,000 users.
for (let run = 0; run < RUNS; run++) {
  await openData();
  results.users.push((await upload(files.users, 'users', count(200_000))).ms);
  process.stderr.write(`users run ${run + 1}: ${results.users.at(-1).toFixed(0)} ms\n`);
  if (run === RUNS - 1) process.stderr.write(`the last run's timeline (ms):\n${await timeline()}`);
}

await browser.close();
await server.close();

const rows = [];
const row = (what, value, unit, budget, better = 'lower') => {
  const ok = budget === undefined ? '' : better === 'lower' ? value <= budget : value >= budget;
  const missed = budget !== undefined && (better === 'lower' ? value > budget * 1.25 : value < budget / 1.25);
  rows.push({ what, value: `${value.toFixed(unit === '×' ? 2 : 0)} ${unit}`, budget: budget === undefined ? '—' : `${better === 'lower' ? '≤' : '≥'} ${budget} ${unit}`, ok: budget === undefined ? '' : ok ? 'ok' : missed ? 'MISSED' : 'over (within 25 %)' });
  return missed;
};
const ev = median(results.events);
const base = median(results.baseline);
let failed = false;
failed |= row(`1,000,000 events (${eventsMB.toFixed(0)} MB) ingested to the data screen, median of ${RUNS} (${range(results.events)})`, ev, 'ms', BUDGET.events);
row(`plain JavaScript, same File: text + JSON.parse + Map group-by (${range(results.baseline)})`, base, 'ms');
failed |= row('ours ÷ plain JavaScript', ev / base, '×', BUDGET.ratio);
row('events per second', 1e6 / (ev / 1000), '/s');
row('MB per second', eventsMB / (ev / 1000), 'MB/s');
failed |= row(`200,000 users (${usersMB.toFixed(0)} MB) ingested, median (${range(results.users)})`, median(results.users), 'ms', BUDGET.users);
failed |= row('longest main-thread task during event ingest (worst run)', Math.max(...results.longest), 'ms', BUDGET.longestTask);
failed |= row(
  'wasm memory after ingest: the page and the spare workers waiting for the next load (the load\'s workers are terminated)',
  results.memory.page + results.memory.spares,
  'MB',
  BUDGET.memory,
);
row('wasm memory of the busiest worker while it ingested (gone after)', results.memory.workers, 'MB');
failed |= row(`period switch, input to DOM updated, median (${range(interactions.period)})`, median(interactions.period), 'ms', BUDGET.period);
failed |= row(`filter change (status), median (${range(interactions.filter)})`, median(interactions.filter), 'ms', BUDGET.filter);
failed |= row(`search keystroke, median (${range(interactions.search)})`, median(interactions.search), 'ms', BUDGET.search);
failed |= row(`sort by name, each click the other way, median (${range(interactions.sort)})`, median(interactions.sort), 'ms', BUDGET.sort);
// The first sort by name finds the people ranked in the page's idle turns since the load (or
// ranks them, when it comes sooner); every later one reuses the ranks.
failed |= row('the first of those sorts', interactions.sort[0], 'ms', BUDGET.sort);

console.log(`\nBrowser benchmark: headless Chromium, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| what | result | budget | |');
console.log('|---|---:|---|---|');
for (const r of rows) console.log(`| ${r.what} | ${r.value} | ${r.budget} | ${r.ok} |`);
process.exit(failed ? 1 : 0);
