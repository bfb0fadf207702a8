/**
 * CSV formula injection (issue 18, item 4): a cell a spreadsheet could run as a formula (it starts
 * with = + - @, tab or CR) is written with a leading ' in every CSV sipbc writes — policy.csv,
 * `policy --format csv`, genesys/*.csv — except a plain integer (`+33123456789`, `-5`), which a
 * spreadsheet reads as a number and an import needs unchanged.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CsvText, csvCell, csvRecord } from '../../src/core/output.js';
import { runCli } from '../support/cli.js';
import { cleanupTempDirs, planText, securityInventory, tempDir } from '../support/security.js';

after(cleanupTempDirs);

/** The payload of the issue: `-2+3+cmd|' /C calc'!A0` runs calc.exe in a spreadsheet that trusts DDE. */
const DDE = "-2+3+cmd|' /C calc'!A0";

describe('CsvText (policy.csv) writes what csvRecord lines would', () => {
  it('the same text for quoted, multi-byte, astral and formula cells, across buffer growths', () => {
    const rows: (string | number | boolean | undefined)[][] = [];
    for (let i = 0; i < 3000; i++) rows.push([`Place_${i}`, 'Zürich, «Ost»', '📞 ext', DDE, i, i % 2 === 0, undefined, 'say "hi"', '']);
    const csv = new CsvText();
    rows.forEach((r, i) => csv.row(r).reserve(i === 10 ? 3 * csv.length : 0)); // a reserve mid-way changes nothing written
    const text = csv.text();
    assert.ok(Buffer.byteLength(text) > 1 << 17, 'grew past its first buffer twice');
    assert.equal(text, rows.map((r) => `${csvRecord(r)}\n`).join(''));
    assert.equal(new CsvText().text(), '');
  });
});

describe('csvCell neutralises formula triggers', () => {
  it('prefixes a cell starting with = + - @ tab or CR with a quote', () => {
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('+1+1'), "'+1+1");
    assert.equal(csvCell(DDE), `'${DDE}`);
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=1+1'), "'\t=1+1");
    assert.equal(csvCell('\r=1+1'), `"'\r=1+1"`, 'a CR is quoted too (RFC 4180)');
    assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvCell('-'), "'-");
    assert.equal(csvCell('+'), "'+");
    assert.equal(csvCell('+1.5'), "'+1.5", 'only integers pass');
    assert.equal(csvCell('-1e5'), "'-1e5");
  });

  it('leaves plain integers (E.164 numbers, DNs, negative numbers) and harmless text alone', () => {
    for (const v of ['+33123456789', '-5', '+0', '1001', '0', 'Place_1001', 'a=b', 'a+b', 'x-1']) assert.equal(csvCell(v), v);
    assert.equal(csvCell(-5), '-5');
    assert.equal(csvCell(0), '0');
    assert.equal(csvCell(true), 'true');
    assert.equal(csvCell(undefined), '');
  });
});

/** An inventory whose CSV-bound values each start with a formula trigger (all valid inventory values). */
function hostileInventory(): Record<string, any> {
  const inv = securityInventory({ families: ['yealink', 'alcatel'] });
  inv.sites[0].name = '@Boston';
  inv.sites[1].name = '=Denver';
  inv.places[0].id = DDE;
  inv.agents[0].place = DDE;
  inv.phones[0].place = DDE;
  inv.places[0].extensions = { east: '+33123456789', west: '+33123456789' };
  inv.places[1].id = '+Place';
  inv.agents[1].place = '+Place';
  inv.phones[1].place = '+Place';
  inv.agents[0].login = '-7001';
  inv.agents[0].user = '+cmd';
  inv.agents[1].user = '@user';
  inv.switchDNs = [{ number: '-8000', type: 'acd-queue' }];
  return inv;
}

/** Each line's cells as a spreadsheet sees them (RFC 4180; these files hold no quoted line break). */
function cells(csv: string): string[] {
  const out: string[] = [];
  for (const line of csv.split('\n')) {
    if (line === '') continue;
    for (const m of line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)) {
      const c = m[1];
      out.push(c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c);
    }
  }
  return out;
}

function assertNoFormula(name: string, csv: string): void {
  for (const c of cells(csv)) {
    assert.ok(!/^[=+\-@\t\r]/.test(c) || /^[+-]?[0-9]+$/.test(c), `${name}: cell ${JSON.stringify(c)} starts a formula`);
  }
}

describe('every CSV sipbc writes neutralises formula cells', () => {
  it('policy.csv and genesys/*.csv from generate', () => {
    const r = planText(JSON.stringify(hostileInventory()));
    assert.deepEqual(
      r.findings.filter((f) => f.severity === 'error'),
      [],
    );
    const files = new Map(r.files.map((f) => [f.path, f.contents]));
    const csvs = [...files.keys()].filter((p) => p.endsWith('.csv')).sort();
    assert.deepEqual(csvs, ['genesys/dr-forward.csv', 'genesys/peers-east.csv', 'genesys/peers-west.csv', 'genesys/workspace-options.csv', 'policy.csv']);
    for (const p of csvs) assertNoFormula(p, files.get(p)!);
    const peers = files.get('genesys/peers-east.csv')!;
    assert.ok(peers.includes(`Place,'${DDE},,,+33123456789,\n`), peers);
    assert.ok(peers.includes('DN,+33123456789,Extension,' + `'${DDE},,\n`), 'the E.164 DN stays a number');
    assert.ok(peers.includes('DN,-8000,ACD Queue,,,\n'), 'a negative integer is a number, not a formula');
    assert.ok(peers.includes("Agent Login,-7001,,,,'+cmd\n"), peers);
    assert.ok(peers.includes("Agent Login,500002,,,,'@user\n"), peers);
    const ws = files.get('genesys/workspace-options.csv')!;
    assert.ok(ws.includes(`-7001,'+cmd,'${DDE},interaction-workspace,disaster-recovery.preferred-site,`), ws);
    assert.match(ws, /,disaster-recovery\.preferred-site,'(@Boston|=Denver)\n/);
    assert.ok(files.get('genesys/dr-forward.csv')!.includes("east,100002,'+Place,TServer,dr-forward,no-agent\n"), 'the Alcatel place');
    assert.ok(files.get('policy.csv')!.includes(`,'${DDE},`), files.get('policy.csv'));
  });

  it('policy --format csv', () => {
    const dir = tempDir();
    const file = join(dir, 'inventory.json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(hostileInventory()));
    const r = runCli(['policy', file, '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    assertNoFormula('policy --format csv', r.stdout);
    assert.ok(r.stdout.includes(`,'${DDE},`), r.stdout);
    assert.ok(r.stdout.includes(",'+Place,"), r.stdout);
  });
});
