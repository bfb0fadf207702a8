/**
 * The output writer (src/cli/write-output.ts) in-process: path safety, manifest ownership,
 * leftovers of an interrupted run, mode repair, refusals before anything is written.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyOutput, compareOutput, driftOf, MANIFEST, sha256, unsafePathReason } from '../../src/cli/write-output.js';
import { SipbcError } from '../../src/core/errors.js';
import type { OutputFile } from '../../src/core/output.js';

const work = mkdtempSync(join(tmpdir(), 'sipbc-writer-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(work, `d${++n}`);
const ALL = ['phones', 'dns', 'policy', 'genesys'] as const;

const files = (extra: OutputFile[] = []): OutputFile[] => [
  { path: 'dns/z.zone', contents: '; zone\n', secret: false },
  { path: 'phones/yealink/001565000001.cfg', contents: '#!version:1.0.0.1\npw = s\n', secret: true },
  { path: 'policy.csv', contents: 'mac\n', secret: false },
  ...extra,
];

async function write(dir: string, fs: OutputFile[], groups: readonly (typeof ALL)[number][] = ALL) {
  const cmp = await compareOutput(dir, fs, groups);
  return { cmp, summary: await applyOutput(cmp, fs) };
}

test('unsafe output paths are refused', () => {
  const table: [string, string | undefined][] = [
    ['phones/yealink/a.cfg', undefined],
    ['policy.csv', undefined],
    ['../x', 'has a ".." segment'],
    ['phones/../../x', 'has a ".." segment'],
    ['/etc/passwd', 'is absolute'],
    ['phones//a', 'has a "" segment'],
    ['phones/./a', 'has a "." segment'],
    ['phones\\a', 'contains a backslash'],
    ['a\u0000b', 'contains a NUL byte'],
    ['', 'is empty'],
    [MANIFEST, 'is the manifest'],
    ['phones/.sipbc-tmp-1-1', 'uses the reserved prefix .sipbc-tmp-'],
  ];
  for (const [path, want] of table) assert.equal(unsafePathReason(path), want, path);
});

test('an unsafe path in the plan throws before anything is written', async () => {
  const dir = fresh();
  await assert.rejects(compareOutput(dir, files([{ path: '../escape', contents: 'x', secret: false }]), ALL), SipbcError);
  assert.equal(existsSync(dir), false);
});

test('manifest: sorted, sha256 of each file, no timestamp; written last and only when it changes', async () => {
  const dir = fresh();
  const { summary } = await write(dir, files());
  assert.deepEqual(summary.created, ['dns/z.zone', 'phones/yealink/001565000001.cfg', 'policy.csv']);
  const text = readFileSync(join(dir, MANIFEST), 'utf8');
  assert.deepEqual(JSON.parse(text), {
    generator: 'sipbc',
    version: 1,
    files: {
      'dns/z.zone': sha256('; zone\n'),
      'phones/yealink/001565000001.cfg': sha256('#!version:1.0.0.1\npw = s\n'),
      'policy.csv': sha256('mac\n'),
    },
  });
  const mtime = statSync(join(dir, MANIFEST)).mtimeMs;
  const again = await write(dir, files());
  assert.equal(again.cmp.manifestChanged, false);
  assert.equal(again.summary.unchanged, 3);
  assert.equal(statSync(join(dir, MANIFEST)).mtimeMs, mtime);
});

test('leftover temp files of an interrupted run are removed; other dot files are not', async () => {
  const dir = fresh();
  await write(dir, files());
  writeFileSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1'), 'half');
  writeFileSync(join(dir, 'phones/yealink/.keep'), '');
  await write(dir, files([{ path: 'phones/yealink/001565000002.cfg', contents: 'new\n', secret: true }]));
  assert.equal(existsSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1')), false);
  assert.ok(existsSync(join(dir, 'phones/yealink/.keep')));
});

test('a run that adds files first records old ∪ new in the manifest (an interrupted run still knows its files)', async () => {
  const dir = fresh();
  await write(dir, files());
  const next = files([{ path: 'phones/yealink/001565000002.cfg', contents: 'new\n', secret: true }]).filter((f) => f.path !== 'policy.csv');
  const cmp = await compareOutput(dir, next, ALL);
  assert.deepEqual(Object.keys(JSON.parse(cmp.intentManifestText!).files), ['dns/z.zone', 'phones/yealink/001565000001.cfg', 'phones/yealink/001565000002.cfg', 'policy.csv']);
  assert.deepEqual(Object.keys(JSON.parse(cmp.manifestText).files), ['dns/z.zone', 'phones/yealink/001565000001.cfg', 'phones/yealink/001565000002.cfg']);
  assert.deepEqual(cmp.changes, [
    { path: 'phones/yealink/001565000002.cfg', kind: 'create' },
    { path: 'policy.csv', kind: 'remove' },
  ]);
});

test('a secret file readable by others is drift and is repaired by chmod (contents untouched)', async () => {
  const dir = fresh();
  await write(dir, files());
  const p = join(dir, 'phones/yealink/001565000001.cfg');
  chmodSync(p, 0o644);
  const cmp = await compareOutput(dir, files(), ALL);
  assert.deepEqual(driftOf(cmp), [{ path: 'phones/yealink/001565000001.cfg', kind: 'update', reason: 'mode' }]);
  await applyOutput(cmp, files());
  assert.equal(lstatSync(p).mode & 0o777, 0o600);
});

test('a manifest that is not ours stops the run (exit 2): sipbc does not guess what it owns', async () => {
  const dir = fresh();
  mkdirSync(dir);
  writeFileSync(join(dir, MANIFEST), '{"files": []}');
  await assert.rejects(compareOutput(dir, files(), ALL), (e: unknown) => e instanceof SipbcError && e.exitCode === 2 && /not a sipbc manifest/.test(e.message));
});

test('a stale entry that is now a directory is left alone, with a warning', async () => {
  const dir = fresh();
  await write(dir, files());
  rmSync(join(dir, 'policy.csv'));
  mkdirSync(join(dir, 'policy.csv'));
  const cmp = await compareOutput(dir, files().filter((f) => f.path !== 'policy.csv'), ALL);
  assert.deepEqual(cmp.changes, []);
  assert.match(cmp.warnings[0], /not removing policy\.csv/);
});

test('--only groups: entries of other groups are kept in the manifest and their files untouched', async () => {
  const dir = fresh();
  await write(dir, files());
  const { cmp } = await write(dir, [{ path: 'dns/z.zone', contents: '; zone v2\n', secret: false }], ['dns']);
  assert.deepEqual(cmp.changes, [{ path: 'dns/z.zone', kind: 'update', reason: 'content' }]);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')).files), ['dns/z.zone', 'phones/yealink/001565000001.cfg', 'policy.csv']);
  assert.equal(readFileSync(join(dir, 'policy.csv'), 'utf8'), 'mac\n');
});
