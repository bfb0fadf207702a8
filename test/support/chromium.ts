/**
 * A real headless Chromium (Debian's `chromium` package, installed by .ci/run) driven by
 * playwright-core, for the tests that open `sipbc report` pages as a reader would.
 *
 *   const browser = await openChromium();
 *   const page = await browser.page({ width: 1280, height: 900 });
 *   await page.goto(pathToFileURL(file).href);
 *   ...
 *   assert.deepEqual(browser.external, []);   // no request left the machine
 *   assert.deepEqual(browser.problems, []);   // no console error or page error
 *   await browser.close();
 *
 * Every request is routed through a handler that lets only file: and data: URLs through and
 * records (and aborts) anything else. The profile is a fresh temporary directory, removed on close;
 * the flags keep Chromium from reaching the network on its own (updates, sync, QUIC probes).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING = `${CHROMIUM} not found: install Debian's chromium package (.ci/run does) to run the report tests`;

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  /** A new page of the given viewport size, with the request guard and the console watch installed. */
  page(viewport: { width: number; height: number }): Promise<Page>;
  /** URLs other than file: and data: that a page asked for (each was aborted). */
  external: string[];
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[];
  close(): Promise<void>;
}

export async function openChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'sipbc-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 120_000 });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const external: string[] = [];
  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    if (!external.includes(url)) external.push(url);
    return route.abort();
  });
  return {
    external,
    problems,
    async page(viewport) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      // Also seen here: a request the route handler may not be asked about (e.g. one the page's CSP blocks first).
      page.on('request', (r) => {
        const url = r.url();
        if (!url.startsWith('file:') && !url.startsWith('data:') && !external.includes(url)) external.push(url);
      });
      return page;
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Width and height of a PNG (from its IHDR chunk), or undefined when the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (png.length < 24 || !png.subarray(0, 8).equals(signature) || png.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
