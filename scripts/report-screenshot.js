#!/usr/bin/env node
// docs/report.png, the user guide's picture of `sipbc report`: the bundled example's page in headless
// Chromium (Debian's chromium package, started as the report tests start it: test/support/chromium.ts), 1100 px wide, showing the top
// of the page and the first site failure (the sections between them are left out of the picture).
//   npm run build && node scripts/report-screenshot.js
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../dist/test/support/chromium.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'sipbc-report-png-'));
try {
  const page = join(work, 'report.html');
  execFileSync(process.execPath, [join(root, 'bin', 'run.js'), 'report', 'examples/inventory.yaml', '-o', page], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 800 },
    args: CHROMIUM_ARGS,
  });
  try {
    const tab = await context.newPage();
    await tab.goto(pathToFileURL(page).href);
    await tab.evaluate(() => {
      for (const id of ['sites', 'phones', 'load', 'fail-west', 'warnings', 'dns']) document.getElementById(id)?.remove();
      document.querySelector('footer')?.remove();
    });
    await tab.screenshot({ path: join(root, 'docs', 'report.png'), fullPage: true });
  } finally {
    await context.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
