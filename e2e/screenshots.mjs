// `make screenshots`: every screen of the release build with the bundled sample, in light and
// dark, on a desktop (1440 px wide) and a phone (390 px), as full-page images for the README:
//
//   docs/screenshots/<screen>-<desktop|phone>-<light|dark>.png      (screen: overview, registrations, activity, attempts, data, policy)
//
// A script, not a test: the journeys never write into docs/. Each screen is taken once it shows
// its data (the harness's auto-waiting assertions) and only if nothing went wrong on the page.
// The time zone and locale are fixed so that the images change only when the screens do.

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DESKTOP, PHONE, SCREENS, closePage, repo, startApp } from './harness.mjs';

const OUT = join(repo, 'docs', 'screenshots');

const DEVICES = [
  { name: 'desktop', ...DESKTOP },
  { name: 'phone', ...PHONE },
];
const THEMES = ['light', 'dark'];

const app = await startApp();
try {
  // Only images this script writes live here: old names must not linger.
  mkdirSync(OUT, { recursive: true });
  for (const file of readdirSync(OUT)) if (file.endsWith('.png')) rmSync(join(OUT, file));

  for (const screen of SCREENS) {
    for (const { name: device, width, height } of DEVICES) {
      for (const theme of THEMES) {
        const page = await app.open(screen.path, {
          width,
          height,
          colorScheme: theme,
          timezoneId: 'UTC',
          locale: 'en-US',
        });
        await screen.shown(page);
        const path = join(OUT, `${screen.name}-${device}-${theme}.png`);
        await page.screenshot({ path, fullPage: true, animations: 'disabled' });
        await closePage(page);
        console.log(`wrote ${path.slice(repo.length + 1)}`);
      }
    }
  }
} finally {
  await app.close();
}
