/**
 * Output fit for a terminal and for scripts: one --json on every data command (the same bytes as
 * --format json where --format exists), the policy table within the terminal's width (--wide for
 * all of it), a drained DNS export that says so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkFragment, namedInstalled, NAMED_MISSING } from '../support/bind.js';
import { repoPath, runCli } from '../support/cli.js';
import { runInPty, shq } from '../support/pty.js';

const INV = 'test/fixtures/001-realistic/inventory.yaml';
const DNS_INV = 'test/fixtures/dns/001-spec-example/inventory.yaml';
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipbc-terminal-'));
});

describe('--json: only JSON on stdout, the same bytes as --format json', () => {
  for (const args of [
    ['validate', INV],
    ['policy', INV],
    ['simulate', INV, '--fail', 'east'],
    ['dns', DNS_INV],
    ['dns', DNS_INV, '--drain', 'west'],
  ]) {
    it(`${args.join(' ')}`, () => {
      const a = runCli([...args, '--json']);
      const b = runCli([...args, '--format', 'json']);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(a.stdout, b.stdout);
      JSON.parse(a.stdout);
    });
  }

  it('models --json and generate --json: one JSON document', () => {
    const m = runCli(['models', '--json']);
    assert.equal(m.code, 0, m.stderr);
    assert.ok(JSON.parse(m.stdout).some((x: { id: string }) => x.id === 'alcatel-4028'));
    const g = runCli(['generate', INV, '-o', join(dir, 'out'), '--dry-run', '--redact', '--json']);
    assert.equal(g.code, 0, g.stderr);
    assert.equal(JSON.parse(g.stdout).mode, 'dry-run');
  });

  it('every data command offers --json exactly once in its help', () => {
    for (const cmd of ['validate', 'dns', 'policy', 'simulate', 'models', 'generate']) {
      const r = runCli([cmd, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.match(/^\s+--json {2,}\S/gm)?.length, 1, `${cmd} --help:\n${r.stdout}`);
    }
  });

  it('a usage error with --json is the JSON error object (exit 2)', () => {
    const r = runCli(['policy', INV, '--format', 'xml', '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(JSON.parse(r.stdout).error.exitCode, 2);
  });
});

describe('policy: the table fits the terminal', () => {
  it('COLUMNS=80: every line within 80 characters, one block per phone, nothing lost', () => {
    const r = runCli(['policy', INV], { env: { COLUMNS: '80' } });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.filter((l) => l.length > 80),
      [],
    );
    const rows = JSON.parse(runCli(['policy', INV, '--json']).stdout) as { mac: string; model: string; why: string[] }[];
    const blocks = r.stdout.trimEnd().split('\n\n');
    assert.equal(blocks.length, rows.length);
    rows.forEach((row, i) => {
      assert.ok(blocks[i].startsWith(`${row.mac}  ${row.model}  `), blocks[i]);
      // The wrapped reasons read the same once the line breaks and indents are taken out.
      const why = blocks[i].split('\n  why: ')[1].replace(/\n {7}/g, ' ');
      assert.equal(why, row.why.join('; '));
    });
    assert.equal(blocks[0].split('\n')[1], '  east (agents), dual, udp');
  });

  it('--wide: the full table whatever the width; not a terminal and no COLUMNS: the full table', () => {
    const full = runCli(['policy', INV]);
    assert.match(full.stdout.split('\n')[0], /^MAC +MODEL +PLACE/);
    assert.ok(
      full.stdout.split('\n').some((l) => l.length > 200),
      'the unwrapped table is wide',
    );
    assert.equal(runCli(['policy', INV, '--wide'], { env: { COLUMNS: '80' } }).stdout, full.stdout);
    assert.equal(runCli(['policy', INV], { env: { COLUMNS: '1000' } }).stdout, full.stdout, 'a table that fits stays a table');
  });

  it('at an 80-column terminal (a pty): no line wider than the terminal; --wide gives the table', () => {
    const r = runInPty(`policy ${shq(repoPath(INV))} --no-color`, { columns: 80 });
    assert.equal(r.code, 0, r.output);
    const lines = r.output.replace(/\r\n/g, '\n').trimEnd().split('\n');
    assert.deepEqual(
      lines.filter((l) => l.length > 80),
      [],
    );
    const wide = runInPty(`policy ${shq(repoPath(INV))} --no-color --wide`, { columns: 80 });
    assert.match(wide.output, /^MAC +MODEL +PLACE +AGENTS/);
  });
});

describe('dns --drain: the output says it is the drained version', () => {
  const DRAINED =
    '; DRAINED: site east is behind its peer in the preferred and balanced names (sipbc dns --drain east); the same command without --drain restores normal service';

  it('bind: a second banner line; without --drain there is none', () => {
    const r = runCli(['dns', DNS_INV, '--drain', 'east']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(0, 3), ['; generated by sipbc from inventory.yaml — do not edit', DRAINED, '$ORIGIN contoso.example.']);
    assert.doesNotMatch(runCli(['dns', DNS_INV]).stdout, /DRAINED/);
  });

  it('nsupdate: the same comment line, before the commands', () => {
    const r = runCli(['dns', DNS_INV, '--drain', 'east', '--format', 'nsupdate', '--server', '127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(0, 3), ['; generated by sipbc from inventory.yaml — do not edit', DRAINED, 'server 127.0.0.1']);
  });

  it('json: every record has "drained": the site; without --drain no record has the field', () => {
    const drained = JSON.parse(runCli(['dns', DNS_INV, '--drain', 'east', '--json']).stdout) as { drained?: string }[];
    assert.ok(drained.length > 0);
    assert.ok(drained.every((r) => r.drained === 'east'));
    const plain = JSON.parse(runCli(['dns', DNS_INV, '--json']).stdout) as { drained?: string }[];
    assert.ok(plain.every((r) => !('drained' in r)));
  });

  it('the drained bind fragment still passes named-checkzone (strict)', { skip: namedInstalled() ? false : NAMED_MISSING }, () => {
    const r = runCli(['dns', DNS_INV, '--drain', 'east']);
    const check = checkFragment('contoso.example', r.stdout);
    assert.equal(check.code, 0, check.output);
    assert.deepEqual(check.noAddress, [], check.output);
  });
});

describe('a drained zone file from a hostile site id cannot add a line', () => {
  it('the site id is a checked inventory value; an unknown --drain is refused before anything is printed', () => {
    const r = runCli(['dns', DNS_INV, '--drain', 'east\n@ IN A 192.0.2.1']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
  });
});
