import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumInstalled, CHROMIUM_MISSING, openChromium, pngSize, type Chromium } from '../support/chromium.js';
import { repoPath, runCli, runCliBuffer } from '../support/cli.js';
import { synthInventory } from '../../bench/synth.js';
import { BASE_INVENTORY, EDITS, edited } from '../support/review-inventories.js';

// Code run inside the page (page.evaluate) sees the DOM; the project compiles without the DOM types.
declare const document: { documentElement: { scrollWidth: number; clientWidth: number }; getElementById(id: string): { textContent: string | null } | null };
declare const window: { pwned?: number };

const dir = mkdtempSync(join(tmpdir(), 'sipbc-report-'));
const EXAMPLE = repoPath('examples', 'inventory.yaml');

/** `sipbc report ARGS -o DIR/NAME`: the page's path (asserting exit 0). */
function report(name: string, ...args: string[]): string {
  const out = join(dir, name);
  const r = runCli(['report', ...args, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes\\)`));
  return out;
}

test('report: one deterministic file, written whole (no temporary file left), the same bytes as -o -', () => {
  const a = report('a.html', EXAMPLE);
  const b = report('b.html', EXAMPLE);
  assert.deepEqual(readFileSync(a), readFileSync(b));
  const stdout = runCliBuffer(['report', EXAMPLE, '-o', '-']);
  assert.equal(stdout.code, 0, stdout.stderr);
  assert.deepEqual(stdout.stdout, readFileSync(a));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('sipbc-tmp')),
    [],
  );
  const html = readFileSync(a, 'utf8');
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  // Self-contained: nothing to fetch, and the policy forbids fetching anything.
  assert.doesNotMatch(html, /\b(src|href)="(?!#)/, 'no src/href other than in-page anchors');
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; script-src 'none'; base-uri 'none'; form-action 'none'">/,
  );
  assert.doesNotMatch(html, /\d{4}-\d{2}-\d{2}T\d{2}:/, 'no timestamp');
  assert.doesNotMatch(html, /\{\{\{/, 'the template has no unescaped value');
});

test('report: --json says what was written; a directory, a missing directory or - with --json as -o is a usage error; an invalid inventory exits 1 and writes nothing', () => {
  const j = runCli(['report', EXAMPLE, '-o', join(dir, 'j.html'), '--json']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), { output: join(dir, 'j.html'), bytes: readFileSync(join(dir, 'j.html')).length });
  assert.equal(runCli(['report', EXAMPLE, '-o', '-', '--json']).code, 2, '-o - and --json both want stdout');
  assert.equal(runCli(['report', EXAMPLE, '-o', dir]).code, 2);
  assert.equal(runCli(['report', EXAMPLE, '-o', join(dir, 'no', 'such', 'r.html')]).code, 2);
  const bad = join(dir, 'invalid.yaml');
  writeFileSync(bad, edited(...EDITS.invalid));
  const r = runCli(['report', bad, '-o', join(dir, 'invalid.html')]);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(`${bad}:30:35  error    SIPBC-E-UNKNOWN-MODEL`), r.stderr);
  assert.ok(!readdirSync(dir).includes('invalid.html'));
});

const normal = (l: string[]) => l.map((t) => t.replace(/\s+/g, ' ').trim());
/** The rendered text of each match (cells of a row separated). */
const texts = (page: Page, selector: string) => page.locator(selector).allInnerTexts().then(normal);
/** The text content of each match: also inside the --phones blocks, which are not rendered until scrolled to. */
const contents = (page: Page, selector: string) => page.locator(selector).allTextContents().then(normal);

describe('report opened in headless Chromium', { skip: chromiumInstalled() ? false : CHROMIUM_MISSING }, () => {
  let browser: Chromium;
  const shots = mkdtempSync(join(tmpdir(), 'sipbc-report-shots-'));
  before(async () => {
    browser = await openChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('the guard sees a request that leaves the machine (so "no external request" below means something)', async () => {
    const page = await browser.page({ width: 800, height: 600 });
    await page.goto('data:text/html,<img src="http://example.invalid/x.png">');
    await page.waitForTimeout(200);
    assert.ok(browser.external.includes('http://example.invalid/x.png'), browser.external.join(', '));
    browser.external.length = 0;
    browser.problems.length = 0;
    await page.close();
  });

  test('the example: headings, captions, numbers of simulate, screenshots at desktop and narrow widths; no console error, no request out', async () => {
    const file = report('example.html', EXAMPLE);
    const sims = ['east', 'west'].map((site) => JSON.parse(runCli(['simulate', EXAMPLE, '--fail', site, '--json']).stdout));
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['narrow', { width: 390, height: 844 }],
    ] as const) {
      const page = await browser.page(viewport);
      await page.goto(pathToFileURL(file).href);
      assert.equal(await page.title(), 'Business Continuity report: ' + EXAMPLE);
      assert.deepEqual(await texts(page, 'h1'), ['Business Continuity report']);
      assert.deepEqual(await texts(page, 'h2'), [
        'At a glance',
        'Sites and SIP Servers',
        'Phones per site, mode and family',
        'Load in normal operation',
        'Site failures',
        'Validation warnings',
        'DNS records',
      ]);
      assert.deepEqual(await texts(page, '#failures h3'), [
        'If east (Boston) fails, west (Denver) carries everything',
        'If west (Denver) fails, east (Boston) carries everything',
      ]);
      assert.equal(await page.locator('table:not(:has(> caption))').count(), 0, 'every table has a caption');
      assert.equal((await page.locator('th[scope]').count()) > 0, true);

      // The phone outcome counts are those of `sipbc simulate`, for each failed site.
      for (const sim of sims) {
        const rows = await texts(page, `#fail-${sim.failedSite.id} > div.scroll:first-of-type tbody tr`);
        const counts = rows.map((r) => Number(r.split(' ').at(-2)));
        assert.deepEqual(counts, [
          sim.summary.phones.unaffected,
          sim.summary.phones['already-registered'],
          sim.summary.phones['srv-failover'],
          sim.summary.phones['backup-registrar'],
          sim.summary.phones.stranded,
        ]);
        const c = sim.capacity;
        const caption = (await texts(page, `#fail-${sim.failedSite.id} figcaption`))[0];
        assert.ok(caption.startsWith(`already on ${c.site}: ${c.already} · arriving from ${sim.failedSite.id}: ${c.arriving}`), caption);
        assert.ok(caption.endsWith(c.fits ? '— fits' : `— OVER CAPACITY by ${c.overflow}`), caption);
        const title = await page.locator(`#fail-${sim.failedSite.id} svg title`).textContent();
        assert.equal(title, `Capacity of ${c.site} if ${sim.failedSite.id} fails: ${c.fits ? 'fits' : `OVER CAPACITY by ${c.overflow}`}`);
        const formula = await page.locator(`#fail-${sim.failedSite.id} .formula code`).first().textContent();
        assert.equal(formula, sim.formula);
      }
      assert.deepEqual(await texts(page, '#phones tfoot td:last-child'), ['14']);
      const dnsRows = await page.locator('#dns tbody tr').count();
      assert.equal(dnsRows, JSON.parse(runCli(['dns', EXAMPLE, '--format', 'json']).stdout).length);
      assert.match((await texts(page, '#warnings'))[0], /Validation warnings/);

      // The page itself never scrolls sideways: wide tables scroll inside their own box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the window`);
      const png = await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      const size = pngSize(png);
      assert.equal(size?.width, viewport.width);
      assert.ok(size!.height > 2 * viewport.height, `${name}: full page ${size!.height}px high`);
      assert.ok(png.length > 50_000, `${name}: ${png.length} bytes is too small to show the report`);
      // Printable: the print style sheet hides the navigation.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('nav').isVisible(), false);
      await page.close();
    }
    assert.deepEqual(browser.external, []);
    assert.deepEqual(browser.problems, []);
  });

  test('--plan OLD: the change plan comes first, with the verdict and the new overflow', async () => {
    const oldFile = join(dir, 'plan-old.yaml');
    const newFile = join(dir, 'plan-new.yaml');
    writeFileSync(oldFile, BASE_INVENTORY);
    writeFileSync(newFile, edited(...EDITS.lowCapacity));
    const file = report('plan.html', newFile, '--plan', oldFile);
    const page = await browser.page({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href);
    assert.equal((await texts(page, 'h2'))[0], `Change plan: ${oldFile} → ${newFile}`);
    assert.deepEqual(await texts(page, '#plan .verdict li.attention'), [
      'ATTENTION: if east fails, west (Denver) must carry 5 agents with capacity 3: 2 over (it fitted before).',
    ]);
    const row = (await texts(page, '#plan tbody tr')).find((r) => r.startsWith('east fails'));
    assert.equal(row, 'east fails west 5 5 10 → 3 0 → 2 0 573 s NEW OVERFLOW');
    assert.deepEqual(await texts(page, '#fail-east figcaption .status'), ['OVER CAPACITY by 2']);
    await page.close();
    assert.deepEqual(browser.external, []);
    assert.deepEqual(browser.problems, []);
  });

  test('inventory text with markup is shown as text: no element, no script run, no request', async () => {
    const evil = 'P<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
    const file = join(dir, 'evil.yaml');
    writeFileSync(file, BASE_INVENTORY.replaceAll('P2', JSON.stringify(evil)).replace('name: Boston', 'name: "<b>Boston</b>"'));
    const page = await browser.page({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(report('evil.html', file, '--phones')).href);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.locator('img, b').count(), 0);
    assert.equal(await page.locator('script').count(), 1, 'only the filter script of --phones');
    assert.ok((await contents(page, '#phone-table tbody td')).includes(evil), 'the place id is shown as written');
    assert.ok((await texts(page, '#glance li'))[0].includes('If east (<b>Boston</b>) fails'));
    await page.close();
    assert.deepEqual(browser.external, []);
    assert.deepEqual(browser.problems, []);
  });

  test('--phones: one row per phone, and the filter (the one inline script, allowed by its hash) narrows them', async () => {
    const file = report('phones.html', EXAMPLE, '--phones');
    const page = await browser.page({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.locator('#phone-table tbody tr').count(), 14);
    await page.fill('#phone-filter', 'alcatel');
    await page.waitForFunction(() => document.getElementById('phone-filter-count')!.textContent !== '');
    assert.equal(await page.locator('#phone-table tbody tr:visible').count(), 1);
    assert.equal(await page.locator('#phone-filter-count').textContent(), '1 of 14 rows');
    await page.close();
    assert.deepEqual(browser.external, []);
    assert.deepEqual(browser.problems, []);
  });

  test('--phones on 2 500 phones: blocks of 1 000 rows with their own caption, the filter works across them', async () => {
    const inv = join(dir, 'synth.yaml');
    writeFileSync(inv, synthInventory(2500).text);
    const page = await browser.page({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(report('synth.html', inv, '--phones')).href);
    assert.deepEqual(
      await contents(page, '#phone-table caption'),
      ['1–1,000', '1,001–2,000', '2,001–2,500'].map((r) => `Phones ${r} of 2,500: site, mode, line 1 servers and the outcome in each site failure.`),
    );
    assert.equal(await page.locator('#phone-table tbody tr').count(), 2500);
    const alcatel = await page.locator('#phone-table tbody tr', { hasText: 'alcatel-' }).count();
    assert.ok(alcatel > 0 && alcatel < 2500);
    await page.fill('#phone-filter', 'alcatel-');
    await page.waitForFunction(() => document.getElementById('phone-filter-count')!.textContent !== '');
    assert.equal(await page.locator('#phone-filter-count').textContent(), `${alcatel} of 2500 rows`);
    await page.close();
    assert.deepEqual(browser.external, []);
    assert.deepEqual(browser.problems, []);
  });
});
