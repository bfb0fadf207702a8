import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { BASE_INVENTORY, EDITS, edited } from '../support/review-inventories.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbc-plan-'));
const OLD = join(dir, 'old.yaml');
writeFileSync(OLD, BASE_INVENTORY);

/** NEW = the base inventory with the named edits, written to DIR/<name>.yaml. */
function newFile(name: keyof typeof EDITS): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, edited(...EDITS[name]));
  return path;
}

test('no-op (a comment and blank lines): exit 0, "No changes", --json changed false', () => {
  const NEW = newFile('cosmetic');
  const r = runCli(['plan', OLD, NEW]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sipbc plan: .*old\.yaml → .*cosmetic\.yaml\n\nNo changes: /);
  const j = runCli(['plan', OLD, NEW, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const review = JSON.parse(j.stdout);
  assert.equal(review.changed, false);
  assert.deepEqual(Object.keys(review), ['old', 'new', 'changed', 'headline', 'summary', 'phones', 'agents', 'dns', 'genesys', 'load', 'failover']);
});

test('a phone moved between places: exit 3, the site move first, each field before → after with the why', () => {
  const r = runCli(['plan', OLD, newFile('movedPlace')]);
  assert.equal(r.code, 3, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[2], 'ATTENTION: 2 phones move to another preferred site.');
  assert.match(r.stdout, /\n {2}001565000001 {2}yealink-t54w {2}P3 {2}MOVES SITE\n {4}place: P1 → P3\n {4}preferred site: east → west\n/);
  assert.match(r.stdout, /\n {4}why: the agents at P3 \(7003\) prefer west; defaults\.registration dual; dual: line 1 registers to west/);
  assert.match(r.stdout, /\n {4}was: the agents at P1 \(7001\) prefer east;/);
});

test('capacity lowered until failover overflows: exit 3, NEW OVERFLOW in the load table, the headline says by how much', () => {
  const r = runCli(['plan', OLD, newFile('lowCapacity')]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /ATTENTION: if east fails, west \(Denver\) must carry 5 agents with capacity 3: 2 over \(it fitted before\)\./);
  assert.match(r.stdout, /\n {2}east fails {2}west {2}5 +5 +10 → 3 +0 → 2 +0 +573 s +NEW OVERFLOW\n/);
});

test('dual-capable model changed to an Alcatel-Lucent 4000: the mode flips and the reason is shown', () => {
  const NEW = newFile('toAlcatel');
  const r = runCli(['plan', OLD, NEW]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /001565000001 {2}alcatel-4018 {2}P1 {2}MODE CHANGES\n {4}model: yealink-t54w → alcatel-4018\n {4}mode: dual → active-backup\n/);
  assert.match(
    r.stdout,
    /why: the agents at P1 \(7001\) prefer east; Alcatel-Lucent IP Touch 4000 cannot dual-register: active-backup instead of defaults\.registration dual;/,
  );
  assert.match(r.stdout, /genesys\/dr-forward\.csv \(2 rows added, 0 removed;.*\n {2}\+ east,1001,P1,TServer,dr-forward,no-agent\n/);
  const j = JSON.parse(runCli(['plan', OLD, NEW, '--format', 'json']).stdout);
  assert.deepEqual(j.phones.changed[0].fields[1], { field: 'mode', before: 'dual', after: 'active-backup' });
});

test('server address change: the A RRsets change, shown before and after', () => {
  const r = runCli(['plan', OLD, newFile('newAddress')]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /DNS RRsets \(0 added, 0 removed, 2 changed\)\n/);
  assert.match(r.stdout, /\n {2}~ west\.sip\.contoso\.example A\n {6}- 300 10\.2\.0\.10\n {6}\+ 300 10\.2\.0\.20\n/);
  assert.match(r.stdout, /\nNo phone or agent moves site\.\nNo phone loses failover\.\nNo new capacity overflow\.\n/);
});

test('invalid NEW: exit 1, every error with file:line:col on stderr, the message names the file; --json carries the findings', () => {
  const NEW = newFile('invalid');
  const r = runCli(['plan', OLD, NEW]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`${NEW}:30:35  error    SIPBC-E-UNKNOWN-MODEL  unknown phone model "baresipp". Did you mean "baresip"?`), r.stderr);
  assert.ok(r.stderr.includes(`sipbc: invalid inventory: ${NEW} (1 error); nothing compared`), r.stderr);
  const j = runCli(['plan', OLD, NEW, '--json']);
  assert.equal(j.code, 1);
  const err = JSON.parse(j.stdout).error;
  assert.equal(err.exitCode, 1);
  assert.deepEqual(
    err.findings.map((f: { file: string; code: string; line: number }) => [f.file, f.code, f.line]),
    [[NEW, 'SIPBC-E-UNKNOWN-MODEL', 30]],
  );
  // Both invalid: both reported in one run.
  const both = runCli(['plan', NEW, NEW]);
  assert.equal(both.code, 1);
  assert.equal(both.stderr.split('\n').filter((l) => l.includes('SIPBC-E-UNKNOWN-MODEL')).length, 2);
});

test('--format markdown: the verdict first, the load table, every list in a collapsed <details>', () => {
  const r = runCli(['plan', OLD, newFile('noVip'), '--format', 'markdown']);
  assert.equal(r.code, 3, r.stderr);
  const md = r.stdout;
  const lines = md.split('\n');
  assert.match(lines[0], /^### sipbc plan: .*old\.yaml → .*noVip\.yaml$/);
  assert.deepEqual(lines.slice(2, 6), [
    '- No phone or agent moves site.',
    '- :warning: **ATTENTION: 1 phone would be stranded if east fails (today it reaches west).**',
    '- No new capacity overflow.',
    '- Changes: DNS RRsets: 2 added, 1 removed, 5 changed.',
  ]);
  assert.ok(md.indexOf('| east fails | west | 5 → 4 | 5 | 10 | 0 | 0 → 1 | 573 s | **NEW STRANDED** |') < md.indexOf('<details>'), md);
  assert.match(md, /<details><summary>If east fails: 1 newly stranded phone \(1 lose failover\)<\/summary>\n\n\| MAC \| place \| reason \|/);
  assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
});

test('--format markdown: inventory text cannot inject HTML, mentions or table cells', () => {
  const evil = 'P<script>alert(1)</script>|@team';
  const OLDX = join(dir, 'evil-old.yaml');
  const NEWX = join(dir, 'evil-new.yaml');
  writeFileSync(OLDX, BASE_INVENTORY.replaceAll('P1', evil));
  writeFileSync(NEWX, edited(...EDITS.toAlcatel).replaceAll('P1', evil));
  const r = runCli(['plan', OLDX, NEWX, '--format', 'markdown']);
  assert.equal(r.code, 3, r.stderr);
  // Rows of the Genesys files are shown verbatim in fenced code blocks, where GitHub renders no HTML or mention.
  assert.ok(r.stdout.includes('```diff\n  site,dn,place,section,option,value\n+ east,1001,P<script>alert(1)</script>|@team,TServer'), r.stdout);
  const prose = r.stdout.replace(/```diff\n[\s\S]*?\n```\n/g, '');
  assert.ok(!prose.includes('<script>'), prose);
  assert.ok(!prose.includes('@team'), 'no @-mention');
  assert.ok(prose.includes('P&lt;script&gt;alert(1)&lt;/script&gt;\\|&#64;team'), prose);
});

test('--format github: a notice with the verdict and a warning at the line of each phone that moves site', () => {
  const NEW = newFile('movedPlace');
  const r = runCli(['plan', OLD, NEW, '--format', 'github']);
  assert.equal(r.code, 3, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^::notice file=.*movedPlace\.yaml,title=sipbc plan::ATTENTION: 2 phones move to another preferred site\.%0A/);
  assert.ok(
    lines.includes(
      `::warning file=${NEW},line=29,col=5,title=phone moves site::001565000001 (P3) moves from east to west: the agents at P3 (7003) prefer west`,
    ),
    r.stdout,
  );
  assert.equal(lines.length, 3, 'a notice and one warning per phone that moves');
});

test('usage: NEW missing, or OLD with --base, exits 2', () => {
  assert.equal(runCli(['plan', OLD]).code, 2);
  assert.equal(runCli(['plan', OLD, OLD, '--base', 'HEAD']).code, 2);
  assert.equal(runCli(['plan', OLD, join(dir, 'missing.yaml')]).code, 2);
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=sipbc test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('--base REF NEW: OLD is the same path at that git revision (from any directory), bad revisions and paths exit 2', () => {
  const repo = mkdtempSync(join(tmpdir(), 'sipbc-plan-git-'));
  mkdirSync(join(repo, 'conf'));
  git(repo, 'init', '-q');
  const inv = join(repo, 'conf', 'inventory.yaml');
  writeFileSync(inv, BASE_INVENTORY);
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  writeFileSync(inv, edited(...EDITS.lowCapacity));

  const r = runCli(['plan', '--base', 'main', inv], { cwd: dir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, new RegExp(`^sipbc plan: main:conf/inventory\\.yaml → ${inv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
  assert.match(r.stdout, /NEW OVERFLOW/);
  // Relative NEW, run inside the repository's subdirectory.
  const rel = runCli(['plan', '--base', 'HEAD', 'inventory.yaml', '--json'], { cwd: join(repo, 'conf') });
  assert.equal(rel.code, 3, rel.stderr);
  assert.equal(JSON.parse(rel.stdout).old.file, 'HEAD:conf/inventory.yaml');
  // Committed: no change.
  git(repo, 'commit', '-q', '-am', 'lower capacity');
  assert.equal(runCli(['plan', '--base', 'HEAD', inv]).code, 0);
  // An invalid OLD in git is named by REF:path.
  writeFileSync(inv, edited(...EDITS.invalid));
  git(repo, 'commit', '-q', '-am', 'typo');
  writeFileSync(inv, BASE_INVENTORY);
  const bad = runCli(['plan', '--base', 'HEAD', inv]);
  assert.equal(bad.code, 1);
  assert.ok(bad.stderr.includes('HEAD:conf/inventory.yaml:30:35  error    SIPBC-E-UNKNOWN-MODEL'), bad.stderr);

  for (const [ref, message] of [
    ['no-such-branch', /--base no-such-branch: no such revision/],
    ['--output=/tmp/x', /not a git revision/],
    ['HEAD:conf/other.yaml', /not a git revision/],
  ] as const) {
    const u = runCli(['plan', `--base=${ref}`, inv]);
    assert.equal(u.code, 2, `${ref}: ${u.stderr}`);
    assert.match(u.stderr, message);
  }
  const outside = runCli(['plan', '--base', 'HEAD', OLD]);
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /is not inside a git work tree/);
  const notInRef = join(repo, 'conf', 'new.yaml');
  writeFileSync(notInRef, BASE_INVENTORY);
  const missing = runCli(['plan', '--base', 'HEAD', notInRef]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /HEAD has no file conf\/new\.yaml/);
});
