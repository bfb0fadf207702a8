/**
 * The output writer (src/cli/write-output.ts) in-process: path safety, manifest ownership,
 * leftovers of an interrupted run, mode repair, refusals before anything is written.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { canonicalEntries, driftOf, MANIFEST, parseManifest, renderManifest, syncOutput, unsafePathReason } from '../../src/cli/write-output.js';
import { sha256 } from '../../src/core/sha256.js';
import { SipbcError } from '../../src/core/errors.js';
import type { OutputFile } from '../../src/core/output.js';
import { snapshotTree } from '../support/golden.js';

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

type Group = (typeof ALL)[number];
const write = (dir: string, fs: Iterable<OutputFile>, groups: readonly Group[] = ALL) => syncOutput(dir, fs, groups, { write: true });
const compare = (dir: string, fs: Iterable<OutputFile>, groups: readonly Group[] = ALL) => syncOutput(dir, fs, groups, { write: false });

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
    ['phones/', 'has a "" segment'],
    ['phones/..', 'has a ".." segment'],
    ['.sipbc-tmp-x/a', 'uses the reserved prefix .sipbc-tmp-'],
    // The limit is 255 bytes of UTF-8 per segment, not 255 characters.
    [`phones/${'a'.repeat(255)}`, undefined],
    [`phones/${'a'.repeat(256)}/x`, 'has a segment longer than 255 bytes'],
    [`phones/${'é'.repeat(127)}a`, undefined],
    [`phones/${'é'.repeat(128)}`, 'has a segment longer than 255 bytes'],
    [`phones/${'☎'.repeat(85)}`, undefined],
    [`phones/${'☎'.repeat(86)}`, 'has a segment longer than 255 bytes'],
  ];
  for (const [path, want] of table) assert.equal(unsafePathReason(path), want, path);
});

test('an unsafe path in the plan throws and leaves nothing behind (a new DIR is not even created)', () => {
  const dir = fresh();
  assert.throws(() => write(dir, files([{ path: '../escape', contents: 'x', secret: false }])), SipbcError);
  assert.equal(existsSync(dir), false);
  assert.equal(existsSync(join(dir, '..', 'escape')), false);
});

test('an error while the files are being rendered leaves DIR exactly as it was: no temp file, no new directory', () => {
  const dir = fresh();
  write(dir, files());
  const before = snapshotTree(dir);
  function* failing(): Generator<OutputFile> {
    yield { path: 'dns/z.zone', contents: '; zone v2\n', secret: false }; // changed: staged
    yield { path: 'phones/snom/000413000001.xml', contents: '<x/>\n', secret: true }; // in a new directory: staged
    throw new SipbcError('phone 00:04:13:00:00:02: template error', 1);
  }
  assert.throws(() => write(dir, failing()), /template error/);
  assert.deepEqual(snapshotTree(dir), before, 'every file as it was (bytes, mode, mtime), no temp file');
  assert.deepEqual(readdirSync(join(dir, 'phones')), ['yealink'], 'the new directory phones/snom is removed again');

  const empty = fresh();
  assert.throws(() => write(empty, failing()), /template error/);
  assert.equal(existsSync(empty), false, 'a DIR created by the failed run is removed again');
});

test('manifest: sorted, sha256 of each file, no timestamp; written last and only when it changes', () => {
  const dir = fresh();
  const summary = write(dir, files());
  assert.deepEqual(
    summary.changes.map((c) => c.kind === 'create' && c.path),
    ['dns/z.zone', 'phones/yealink/001565000001.cfg', 'policy.csv'],
  );
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
  const again = write(dir, files());
  assert.equal(again.manifestChanged, false);
  assert.equal(again.unchanged, 3);
  assert.equal(statSync(join(dir, MANIFEST)).mtimeMs, mtime);
});

test('under the lock, leftover temp files and directories of an interrupted run are removed; other dot files are not', () => {
  const dir = fresh();
  write(dir, files());
  writeFileSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1'), 'half');
  writeFileSync(join(dir, 'phones/yealink/.keep'), '');
  mkdirSync(join(dir, 'phones/.sipbc-tmp-999-2/baresip/001500000001'), { recursive: true });
  writeFileSync(join(dir, 'phones/.sipbc-tmp-999-2/baresip/001500000001/accounts'), 'half');
  const r = syncOutput(dir, files([{ path: 'phones/yealink/001565000002.cfg', contents: 'new\n', secret: true }]), ALL, { write: true, locked: true });
  assert.equal(existsSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1')), false);
  assert.equal(existsSync(join(dir, 'phones/.sipbc-tmp-999-2')), false);
  assert.ok(existsSync(join(dir, 'phones/yealink/.keep')));
  assert.ok(r.warnings.includes('removed 2 temp entries left by an interrupted run'), r.warnings.join('\n'));
});

test("without the lock (another run may be live), other runs' temp entries are left alone", () => {
  const dir = fresh();
  write(dir, files());
  writeFileSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1'), 'live');
  write(dir, files([{ path: 'phones/yealink/001565000002.cfg', contents: 'new\n', secret: true }]));
  assert.equal(readFileSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1'), 'utf8'), 'live');
});

test('after a killed run (sweep), temp entries in every directory are removed, also where this run stages nothing', () => {
  const dir = fresh();
  write(dir, files());
  writeFileSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1'), 'secret');
  writeFileSync(join(dir, 'dns/.sipbc-tmp-999-3'), 'x');
  const r = syncOutput(dir, files(), ALL, { write: true, locked: true, sweep: true });
  assert.equal(r.changes.length, 0);
  assert.equal(existsSync(join(dir, 'phones/yealink/.sipbc-tmp-999-1')), false);
  assert.equal(existsSync(join(dir, 'dns/.sipbc-tmp-999-3')), false);
  assert.ok(r.warnings.includes('removed 2 temp entries left by an interrupted run'), r.warnings.join('\n'));
});

test('a new directory is staged whole under a temp name: none of its files is visible before the last file is staged', () => {
  const dir = fresh();
  mkdirSync(dir);
  const seen: string[][] = [];
  function* firstRun(): Generator<OutputFile> {
    for (let i = 1; i <= 50; i++) {
      yield { path: `phones/baresip/0015000000${String(i).padStart(2, '0')}/accounts`, contents: `<sip:${i}@a>\n`, secret: true };
      seen.push(readdirSync(dir));
    }
    yield { path: 'policy.csv', contents: 'mac\n', secret: false };
  }
  const r = write(dir, firstRun());
  assert.equal(r.changes.length, 51);
  for (const names of seen) {
    assert.equal(names.length, 1, `DIR held ${names.join(', ')} while staging`);
    assert.match(names[0], /^\.sipbc-tmp-\d+-\d+$/, 'only the temp directory that becomes phones/');
  }
  assert.deepEqual(readdirSync(dir).sort(), [MANIFEST, 'phones', 'policy.csv']);
  assert.equal(readdirSync(join(dir, 'phones/baresip')).length, 50);
  assert.equal(readFileSync(join(dir, 'phones/baresip/001500000007/accounts'), 'utf8'), '<sip:7@a>\n');
  assert.equal(lstatSync(join(dir, 'phones/baresip/001500000007/accounts')).mode & 0o777, 0o600);
});

test('a run that adds and removes files: the changes, then the files and the manifest on disk', () => {
  const dir = fresh();
  write(dir, files());
  const next = files([{ path: 'phones/yealink/001565000002.cfg', contents: 'new\n', secret: true }]).filter((f) => f.path !== 'policy.csv');
  const cmp = compare(dir, next);
  assert.deepEqual(cmp.changes, [
    { path: 'phones/yealink/001565000002.cfg', kind: 'create' },
    { path: 'policy.csv', kind: 'remove' },
  ]);
  assert.equal(existsSync(join(dir, 'phones/yealink/001565000002.cfg')), false, 'compare writes nothing');
  write(dir, next);
  assert.equal(existsSync(join(dir, 'policy.csv')), false);
  assert.equal(lstatSync(join(dir, 'phones/yealink/001565000002.cfg')).mode & 0o777, 0o600);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')).files), [
    'dns/z.zone',
    'phones/yealink/001565000001.cfg',
    'phones/yealink/001565000002.cfg',
  ]);
});

test('a secret file readable by others is drift and is repaired by chmod (contents untouched)', () => {
  const dir = fresh();
  write(dir, files());
  const p = join(dir, 'phones/yealink/001565000001.cfg');
  chmodSync(p, 0o644);
  assert.deepEqual(driftOf(compare(dir, files())), [{ path: 'phones/yealink/001565000001.cfg', kind: 'update', reason: 'mode' }]);
  const ino = lstatSync(p).ino;
  write(dir, files());
  assert.equal(lstatSync(p).ino, ino, 'repaired in place, not rewritten');
  assert.equal(lstatSync(p).mode & 0o777, 0o600);
});

test('secret files get exactly their mode under any umask, in new and existing directories; the others 0644 less the umask', () => {
  // Files in several directories, created both inside new directories (a first run) and as temp files in existing ones (a change).
  const secrets = (text: string): OutputFile[] =>
    ['phones/yealink/001565000003.cfg', 'phones/yealink/001565000004.cfg', 'phones/snom/000413000001.xml', 'phones/snom/000413000002.xml'].map((path) => ({
      path,
      contents: `pw = ${text}\n`,
      secret: true,
    }));
  const previous = process.umask(0o022);
  try {
    for (const umask of [0o077, 0o027, 0o022, 0o000]) {
      for (const secretMode of [0o600, 0o640, 0o644]) {
        process.umask(umask);
        const dir = fresh();
        for (const text of ['a', 'b']) {
          const r = syncOutput(dir, files(secrets(text)), ALL, { write: true, access: { secretMode } });
          assert.equal(r.changes.length, text === 'a' ? 7 : 4);
          const what = `umask 0${umask.toString(8)}, mode 0${secretMode.toString(8)}, ${text === 'a' ? 'new' : 'existing'} directories`;
          for (const f of secrets(text)) assert.equal(statSync(join(dir, f.path)).mode & 0o777, secretMode, `${f.path}: ${what}`);
          assert.equal(statSync(join(dir, MANIFEST)).mode & 0o777, 0o600, `the manifest: ${what}`);
          assert.equal(statSync(join(dir, 'policy.csv')).mode & 0o777, 0o644 & ~umask, `policy.csv: ${what}`);
          assert.deepEqual(driftOf(compare(dir, files(secrets(text)))), [], what);
        }
      }
    }
  } finally {
    process.umask(previous);
  }
});

test('a manifest that is not ours stops the run (exit 2): sipbc does not guess what it owns', () => {
  const dir = fresh();
  mkdirSync(dir);
  writeFileSync(join(dir, MANIFEST), '{"files": []}');
  assert.throws(
    () => compare(dir, files()),
    (e: unknown) => e instanceof SipbcError && e.exitCode === 2 && /not a sipbc manifest/.test(e.message),
  );
});

test('a stale entry that is now a directory is left alone, with a warning', () => {
  const dir = fresh();
  write(dir, files());
  rmSync(join(dir, 'policy.csv'));
  mkdirSync(join(dir, 'policy.csv'));
  const cmp = compare(
    dir,
    files().filter((f) => f.path !== 'policy.csv'),
  );
  assert.deepEqual(cmp.changes, []);
  assert.match(cmp.warnings[0], /not removing policy\.csv/);
});

test('--only groups: entries of other groups are kept in the manifest and their files untouched', () => {
  const dir = fresh();
  write(dir, files());
  const cmp = write(dir, [{ path: 'dns/z.zone', contents: '; zone v2\n', secret: false }], ['dns']);
  assert.deepEqual(cmp.changes, [{ path: 'dns/z.zone', kind: 'update', reason: 'content' }]);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')).files), ['dns/z.zone', 'phones/yealink/001565000001.cfg', 'policy.csv']);
  assert.equal(readFileSync(join(dir, 'policy.csv'), 'utf8'), 'mac\n');
});

test('the manifest text is exactly JSON.stringify(manifest, null, 2) (written out directly for speed)', () => {
  const entries = new Map([
    ['policy.csv', sha256('a')],
    ['phones/snom/a"b\\c.xml', sha256('b')],
    ['phones/poly/\u00e9t\u00e9\u2028.cfg', sha256('c')],
    ['dns/z.zone', sha256('d')],
  ]);
  const files: Record<string, string> = {};
  for (const p of [...entries.keys()].sort()) files[p] = entries.get(p)!;
  assert.equal(renderManifest(entries), JSON.stringify({ generator: 'sipbc', version: 1, files }, null, 2) + '\n');
  assert.equal(renderManifest(new Map()), JSON.stringify({ generator: 'sipbc', version: 1, files: {} }, null, 2) + '\n');
  // More entries than one piece of the streamed text (1 000).
  const many = new Map(Array.from({ length: 2500 }, (_, i) => [`phones/yealink/${String(i).padStart(12, '0')}.cfg`, sha256(String(i))] as [string, string]));
  assert.equal(renderManifest(many), JSON.stringify({ generator: 'sipbc', version: 1, files: Object.fromEntries(many) }, null, 2) + '\n');
});

test('the previous manifest reads the same in the form sipbc writes it and in any other JSON layout', () => {
  const entries = new Map([
    ['policy.csv', sha256('a')],
    ['phones/snom/a"b\\c.xml', sha256('b')],
    ['phones/poly/\u00e9t\u00e9\u2028\n.cfg', sha256('c')],
    ['__proto__', sha256('d')],
    ['123', sha256('e')],
    ...Array.from({ length: 1500 }, (_, i) => [`phones/yealink/${String(i).padStart(12, '0')}.cfg`, sha256(String(i))] as [string, string]),
  ]);
  const text = renderManifest(entries);
  assert.deepEqual(canonicalEntries(text), entries, 'what sipbc writes is read line by line');
  assert.deepEqual(parseManifest(text, MANIFEST), entries);
  const minified = JSON.stringify(JSON.parse(text));
  assert.deepEqual(parseManifest(minified, MANIFEST), entries);
  // Hand-edited: an entry whose value is not a sha256, a line without its comma, CR LF line ends.
  const edited = text.replace(`"${sha256('a')}"`, '"not-a-hash"');
  assert.equal(parseManifest(edited, MANIFEST).get('policy.csv'), 'not-a-hash');
  assert.throws(() => parseManifest(text.replace(`"${sha256('e')}",`, `"${sha256('e')}"`), MANIFEST), /not a sipbc manifest/);
  assert.deepEqual(parseManifest(text.replaceAll('\n', '\r\n'), MANIFEST), entries);
  assert.deepEqual(parseManifest(renderManifest(new Map()), MANIFEST), new Map());
  // A raw control character inside a quoted path is not JSON: refused as JSON.parse refuses it.
  assert.throws(() => parseManifest(text.replace('"policy.csv"', '"policy\t.csv"'), MANIFEST), /not a sipbc manifest/);
});

test('a re-run compares each file byte for byte, also past the first 64 KiB read', () => {
  const dir = fresh();
  const big = 'x'.repeat(200_000);
  const withBig = (contents: string) => files([{ path: 'genesys/peers-east.csv', contents, secret: false }]);
  write(dir, withBig(big));
  assert.deepEqual(compare(dir, withBig(big)).changes, []);
  const late = big.slice(0, 150_000) + 'y' + big.slice(150_001);
  assert.deepEqual(compare(dir, withBig(late)).changes, [{ path: 'genesys/peers-east.csv', kind: 'update', reason: 'content' }]);
  const last = big.slice(0, -1) + 'y';
  assert.deepEqual(compare(dir, withBig(last)).changes, [{ path: 'genesys/peers-east.csv', kind: 'update', reason: 'content' }]);
});
