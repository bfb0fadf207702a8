/**
 * Output safety: what `generate` promises about DIR when someone else is there too — another
 * run, a user who may write DIR (and swaps directories for links), a hand edit, a signal, a full
 * or read-only disk, a reader that goes away.
 *
 * In-process tests drive the writer (syncOutput) with its `beforeCommit` hook to make the window
 * between the plan and the renames/removals deterministic; the others run the real CLI.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MANIFEST, syncOutput } from '../../src/cli/write-output.js';
import type { OutputFile } from '../../src/core/output.js';
import { BIN, REPO_ROOT, repoPath, runCli } from '../support/cli.js';
import { cleanupTempDirs, readTree, securityInventory, tempDir, type Obj } from '../support/security.js';

after(cleanupTempDirs);

const ALL = ['phones', 'dns', 'policy', 'genesys'] as const;
const ENV = { SIP_PW: 'Safety-Pw-77' };
const LOCK = '.sipbc-lock';

const base = (extra: OutputFile[] = []): OutputFile[] => [
  { path: 'dns/z.zone', contents: '; zone\n', secret: false },
  { path: 'phones/yealink/001565000001.cfg', contents: '#!version:1.0.0.1\npw = s\n', secret: true },
  { path: 'policy.csv', contents: 'mac\n', secret: false },
  ...extra,
];
const write = (dir: string, files: Iterable<OutputFile>, opts: { force?: boolean; beforeCommit?: () => void; abort?: Int32Array } = {}) =>
  syncOutput(dir, files, ALL, { write: true, locked: true, ...opts });

describe('the writer never acts through a link swapped in below DIR', () => {
  test('a directory swapped for a link between the plan and the unlink: the file outside DIR stays', () => {
    const root = tempDir('sipbc-safe-');
    const dir = join(root, 'out');
    const victim = join(root, 'victim');
    mkdirSync(victim);
    // The worst case: the manifest's sha256 is right for the victim file too.
    writeFileSync(join(victim, 'secret.conf'), 'mine\n');
    write(dir, base([{ path: 'phones/zz/secret.conf', contents: 'mine\n', secret: false }]));
    const r = write(dir, base(), {
      beforeCommit: () => {
        renameSync(join(dir, 'phones/zz'), join(dir, 'phones/zz-moved'));
        symlinkSync(victim, join(dir, 'phones/zz'));
      },
    });
    assert.equal(readFileSync(join(victim, 'secret.conf'), 'utf8'), 'mine\n', 'the file outside DIR was removed');
    assert.ok(
      r.warnings.some((w) => /^not removing phones\/zz\/secret\.conf: .*symbolic link/.test(w)),
      r.warnings.join('\n'),
    );
    // Still listed: a later run removes it once phones/zz is a real directory again.
    assert.ok(JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')).files['phones/zz/secret.conf']);
  });

  test('a directory swapped for a link while its files are staged: nothing is written outside DIR', () => {
    const root = tempDir('sipbc-safe-');
    const dir = join(root, 'out');
    const outside = join(root, 'outside');
    mkdirSync(outside);
    write(dir, base());
    function* files(): Generator<OutputFile> {
      yield { path: 'phones/yealink/001565000001.cfg', contents: 'changed\n', secret: true };
      renameSync(join(dir, 'phones/yealink'), join(dir, 'phones/yealink-moved'));
      symlinkSync(outside, join(dir, 'phones/yealink'));
      yield { path: 'phones/yealink/001565000002.cfg', contents: 'new\n', secret: true };
      yield { path: 'dns/z.zone', contents: '; zone\n', secret: false };
      yield { path: 'policy.csv', contents: 'mac\n', secret: false };
    }
    try {
      write(dir, files());
    } catch {
      // refusing is fine too; what matters is below
    }
    assert.deepEqual(readdirSync(outside), [], 'a file was written outside DIR');
  });
});

describe('files that are not what sipbc wrote are kept', () => {
  test('a hand-edited file is neither replaced nor removed without --force; --check reports it', () => {
    const dir = join(tempDir('sipbc-safe-'), 'out');
    write(dir, base([{ path: 'phones/yealink/001565000002.cfg', contents: 'two\n', secret: true }]));
    writeFileSync(join(dir, 'policy.csv'), 'mac\nhand edit\n');
    writeFileSync(join(dir, 'phones/yealink/001565000002.cfg'), 'edited\n');
    // policy.csv would change and phone 2 is gone from the inventory.
    const r = write(
      dir,
      base().map((f) => (f.path === 'policy.csv' ? { ...f, contents: 'mac,model\n' } : f)),
    );
    assert.deepEqual(r.kept, [
      { path: 'phones/yealink/001565000002.cfg', why: 'modified' },
      { path: 'policy.csv', why: 'modified' },
    ]);
    assert.ok(r.warnings.includes('policy.csv: modified since sipbc wrote it: kept (--force replaces it)'));
    assert.equal(readFileSync(join(dir, 'policy.csv'), 'utf8'), 'mac\nhand edit\n');
    assert.equal(readFileSync(join(dir, 'phones/yealink/001565000002.cfg'), 'utf8'), 'edited\n');
    assert.deepEqual(r.changes, []);
    // --check: both differ from what generate would write.
    const check = syncOutput(
      dir,
      base().map((f) => (f.path === 'policy.csv' ? { ...f, contents: 'mac,model\n' } : f)),
      ALL,
      { write: false },
    );
    assert.equal(check.kept.length, 2);
    const forced = write(
      dir,
      base().map((f) => (f.path === 'policy.csv' ? { ...f, contents: 'mac,model\n' } : f)),
      { force: true },
    );
    assert.deepEqual(
      forced.changes.map((c) => `${c.kind} ${c.path}`),
      ['remove phones/yealink/001565000002.cfg', 'update policy.csv'],
    );
    assert.equal(readFileSync(join(dir, 'policy.csv'), 'utf8'), 'mac,model\n');
    assert.equal(existsSync(join(dir, 'phones/yealink/001565000002.cfg')), false);
  });

  test("a user's file listed in a tampered manifest, and one at a generated path that sipbc never wrote, are kept", () => {
    const dir = join(tempDir('sipbc-safe-'), 'out');
    write(dir, base());
    writeFileSync(join(dir, 'phones/yealink/notes.txt'), 'my notes\n');
    writeFileSync(join(dir, 'phones/yealink/001565000009.cfg'), 'my own config\n');
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
    m.files['phones/yealink/notes.txt'] = '0'.repeat(64);
    writeFileSync(join(dir, MANIFEST), JSON.stringify(m));
    const r = write(dir, base([{ path: 'phones/yealink/001565000009.cfg', contents: 'generated\n', secret: true }]));
    assert.deepEqual(r.kept, [
      { path: 'phones/yealink/001565000009.cfg', why: 'foreign' },
      { path: 'phones/yealink/notes.txt', why: 'modified' },
    ]);
    assert.equal(readFileSync(join(dir, 'phones/yealink/notes.txt'), 'utf8'), 'my notes\n');
    assert.equal(readFileSync(join(dir, 'phones/yealink/001565000009.cfg'), 'utf8'), 'my own config\n');
    assert.ok(r.warnings.includes('phones/yealink/001565000009.cfg: not written by sipbc (not in its manifest): kept (--force replaces it)'));
    // The foreign file is not claimed by the manifest.
    assert.equal(JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')).files['phones/yealink/001565000009.cfg'], undefined);
  });

  test('a file edited while sipbc runs (after it was compared) is kept at the rename', () => {
    const dir = join(tempDir('sipbc-safe-'), 'out');
    write(dir, base());
    const r = write(
      dir,
      base().map((f) => (f.path === 'policy.csv' ? { ...f, contents: 'mac,model\n' } : f)),
      {
        beforeCommit: () => writeFileSync(join(dir, 'policy.csv'), 'edited meanwhile\n'),
      },
    );
    assert.deepEqual(r.kept, [{ path: 'policy.csv', why: 'modified' }]);
    assert.equal(readFileSync(join(dir, 'policy.csv'), 'utf8'), 'edited meanwhile\n');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('.sipbc-tmp-')),
      [],
    );
  });

  test('directories emptied by a removal are removed (a baresip phone leaves no empty directory)', () => {
    const dir = join(tempDir('sipbc-safe-'), 'out');
    const phone = [
      { path: 'phones/baresip/001500000001/accounts', contents: 'a\n', secret: true },
      { path: 'phones/baresip/001500000001/config', contents: 'c\n', secret: false },
    ];
    write(dir, base(phone));
    const r = write(dir, base());
    assert.deepEqual(
      r.changes.map((c) => c.kind),
      ['remove', 'remove'],
    );
    assert.equal(existsSync(join(dir, 'phones/baresip')), false, 'phones/baresip/ is empty and should be gone');
    assert.ok(existsSync(join(dir, 'phones/yealink/001565000001.cfg')));
  });
});

test('an abort after the intent manifest leaves DIR exactly as it was, its manifest included', () => {
  const dir = join(tempDir('sipbc-safe-'), 'out');
  write(dir, base());
  const before = readTree(dir);
  const abort = new Int32Array(new SharedArrayBuffer(4));
  assert.throws(
    () =>
      write(
        dir,
        base([{ path: 'phones/yealink/001565000002.cfg', contents: 'new\n', secret: true }]).map((f) =>
          f.path === 'policy.csv' ? { ...f, contents: 'x\n' } : f,
        ),
        { abort, beforeCommit: () => Atomics.store(abort, 0, 2) },
      ),
    (e: Error & { exitCode?: number }) => e.exitCode === 130 && /interrupted by SIGINT/.test(e.message),
  );
  assert.deepEqual(readTree(dir), before);
});

// ---------------------------------------------------------------- the real CLI

/** A 2 000-phone inventory (about 2 300 files; `per` phones of each of the 8 families) as JSON, written to `dir`. */
function inventoryFile(dir: string, name: string, change?: (inv: Obj) => void, per = 250): string {
  const inv = securityInventory({ phonesPerFamily: per });
  if (change) change(inv);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(inv));
  return path;
}

function start(
  args: string[],
  env: Record<string, string> = ENV,
): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: e });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('two runs into the same DIR', { timeout: 600_000 }, () => {
  let root: string;
  let invA: string;
  let invB: string;
  before(() => {
    root = tempDir('sipbc-race-');
    invA = inventoryFile(root, 'a.json');
    invB = inventoryFile(root, 'b.json', (inv) => (inv.defaults.registerExpires = 1800));
  });

  for (const [name, first, second] of [
    ['same inventory', () => invA, () => invA],
    ['A then B', () => invA, () => invB],
    ['B then A', () => invB, () => invA],
  ] as const) {
    test(`${name}: the second fails at once naming the first; no exit 0 with missing files`, async () => {
      const out = join(root, `out-${name.replace(/\W+/g, '-')}`);
      const a = start(['generate', first(), '-o', out]);
      await until(() => existsSync(join(out, LOCK)));
      a.child.kill('SIGSTOP'); // A holds the lock for as long as B needs to start (deterministic on a loaded machine)
      const b = runCli(['generate', second(), '-o', out], { env: ENV });
      a.child.kill('SIGCONT');
      assert.equal(b.code, 2, b.stderr);
      const pid = a.child.pid!;
      assert.match(b.stderr, new RegExp(`${out.replace(/[/.]/g, '\\$&')} is being generated by pid ${pid} on ${hostname()} since \\d{4}-\\d\\d-\\d\\dT`));
      const ra = await a.done;
      assert.equal(ra.code, 0, ra.stderr);
      const check = runCli(['generate', first(), '-o', out, '--check'], { env: ENV });
      assert.equal(check.code, 0, check.stdout + check.stderr);
      assert.equal(existsSync(join(out, LOCK)), false, 'the lock is released');
    });
  }

  test('started together: exactly one writes (or both, one after the other with --wait), and DIR matches the last', async () => {
    const out = join(root, 'out-together');
    const [a, b] = [start(['generate', invA, '-o', out]), start(['generate', invB, '-o', out])];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const codes = [ra.code, rb.code].sort();
    assert.ok(codes[0] === 0 && (codes[1] === 2 || codes[1] === 0), `exit codes ${codes}: ${ra.stderr} ${rb.stderr}`);
    // No exit 0 with missing files: DIR is exactly what a winner's inventory generates.
    const checks = [invA, invB].filter((_, i) => [ra, rb][i].code === 0).map((i) => runCli(['generate', i, '-o', out, '--check'], { env: ENV }).code);
    assert.ok(checks.includes(0), `--check failed for every run that exited 0 (${checks})`);

    const waitOut = join(root, 'out-wait');
    const w1 = start(['generate', invA, '-o', waitOut]);
    await until(() => existsSync(join(waitOut, LOCK)));
    const w2 = start(['generate', invB, '-o', waitOut, '--wait', '300']);
    const [r1, r2] = await Promise.all([w1.done, w2.done]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(runCli(['generate', invB, '-o', waitOut, '--check'], { env: ENV }).code, 0, 'the waiting run wrote last');
  });

  test("a dead run's lock is taken over after saying so, and its temp files are swept from every directory", () => {
    const out = join(root, 'out-dead');
    assert.equal(runCli(['generate', invA, '-o', out], { env: ENV }).code, 0);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(out, LOCK), JSON.stringify({ pid: Number(dead), host: hostname(), started: new Date().toISOString(), run: `${dead}.dead` }) + '\n');
    // A leftover holding a password, in a directory this run has nothing to write to.
    writeFileSync(join(out, 'phones/cisco', `.sipbc-tmp-${dead}.dead-7`), 'password', { mode: 0o600 });
    const r = runCli(['generate', invA, '-o', out], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`taking over the lock of pid ${dead} \\(started .*\\), which is no longer running`));
    assert.match(r.stderr, /removed 1 temp entry left by an interrupted run/);
    assert.deepEqual(
      readdirSync(join(out, 'phones/cisco')).filter((n) => n.startsWith('.sipbc')),
      [],
    );
    assert.equal(existsSync(join(out, LOCK)), false);

    // A live holder (this test process) is not taken over.
    writeFileSync(
      join(out, LOCK),
      JSON.stringify({ pid: process.pid, host: hostname(), started: new Date(Date.now() - 5000).toISOString(), run: 'live' }) + '\n',
    );
    const held = runCli(['generate', invA, '-o', out], { env: ENV });
    assert.equal(held.code, 2);
    assert.match(held.stderr, new RegExp(`is being generated by pid ${process.pid}`));
    assert.match(held.stderr, /if no sipbc run is active, remove .*\.sipbc-lock/);
  });
});

describe('signals stop a run cleanly', { timeout: 900_000 }, () => {
  let root: string;
  let invNew: string;
  let oldDir: string;
  let oldTree: ReturnType<typeof readTree>;
  let newTree: ReturnType<typeof readTree>;
  before(() => {
    root = tempDir('sipbc-signal-');
    const invOld = inventoryFile(root, 'old.json');
    invNew = inventoryFile(root, 'new.json', (inv) => {
      inv.defaults.registerExpires = 1800;
      inv.phones.splice(0, 100);
    });
    oldDir = join(root, 'old');
    const newDir = join(root, 'new');
    assert.equal(runCli(['generate', invOld, '-o', oldDir], { env: ENV, timeout: 300_000 }).code, 0);
    assert.equal(runCli(['generate', invNew, '-o', newDir], { env: ENV, timeout: 300_000 }).code, 0);
    oldTree = readTree(oldDir);
    newTree = readTree(newDir);
  });

  const MOMENTS: { name: string; watch?: string; file?: string; afterMs?: number; late?: boolean }[] = [
    { name: 'during start-up', afterMs: 150 },
    { name: 'while staging the first vendor directory', watch: 'phones/alcatel' },
    { name: 'while staging a middle vendor directory', watch: 'phones/grandstream' },
    { name: 'right after the intent manifest', watch: '.', file: MANIFEST, late: true },
  ];
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const m of MOMENTS) {
      test(`${signal} ${m.name}: exit ${signal === 'SIGINT' ? 130 : 143}, no temp file, no lock, DIR old (or, once renaming had begun, new)`, async () => {
        const work = join(root, `work-${signal}-${m.name.replace(/\W+/g, '-')}`);
        spawnSync('cp', ['-a', oldDir, work]);
        const run = start(['generate', invNew, '-o', work]);
        let fired = false; // once: a second signal is the "stop at once" one
        const fire = () => {
          if (!fired) run.child.kill(signal);
          fired = true;
        };
        const watcher = m.watch !== undefined ? watch(join(work, m.watch), (_e, f) => (m.file === undefined || f === m.file) && fire()) : undefined;
        const timer = m.afterMs !== undefined ? setTimeout(fire, m.afterMs) : undefined;
        const r = await run.done;
        watcher?.close();
        if (timer) clearTimeout(timer);
        const tree = readTree(work);
        if (r.signal === signal) {
          // Before sipbc has started (node and oclif loading), the signal ends the process as usual: nothing was begun.
          assert.ok(m.afterMs !== undefined, `killed by ${signal} mid-run`);
          assert.deepEqual(tree, oldTree);
          return;
        }
        assert.equal(r.code, signal === 'SIGINT' ? 130 : 143, r.stderr);
        assert.match(r.stderr, new RegExp(`interrupted by ${signal}`));
        const leftovers = [...tree.keys()].filter((p) => p.split('/').some((s) => s.startsWith('.sipbc-tmp-') || s.startsWith(LOCK)));
        assert.deepEqual(leftovers, []);
        if (/nothing in .* was changed/.test(r.stderr)) assert.deepEqual(tree, oldTree, 'DIR is not as it was');
        else {
          assert.ok(m.late, `only a late signal may find the output renamed: ${r.stderr}`);
          assert.deepEqual(tree, newTree);
        }
      });
    }
  }
});

describe('failures of the environment are exit 2 with the path and a fix; the old output stays', { timeout: 300_000 }, () => {
  const isRoot = process.getuid?.() === 0;
  let root: string;
  let inv: string;
  let small: string;
  before(() => {
    root = tempDir('sipbc-env-');
    chmodSync(root, 0o755);
    inv = inventoryFile(root, 'big.json');
    small = inventoryFile(root, 'small.json', undefined, 1);
  });

  test('DIR not writable by the user who runs sipbc (EACCES)', { skip: !isRoot && 'needs root to run sipbc as another user' }, (t) => {
    const canRead = spawnSync(
      process.execPath,
      ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, 4); require('fs').accessSync(${JSON.stringify(inv)}, 4)`],
      { uid: 65534, gid: 65534 },
    );
    if (canRead.status !== 0) return t.skip('the checkout is not readable by user nobody (a private clone directory)');
    const out = join(root, 'not-mine');
    assert.equal(runCli(['generate', small, '-o', out], { env: ENV }).code, 0);
    const before = readTree(out);
    const e: NodeJS.ProcessEnv = { ...process.env, ...ENV, HOME: root };
    delete e.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, [BIN, 'generate', inv, '-o', out], { cwd: REPO_ROOT, env: e, uid: 65534, gid: 65534 });
    const stderr = r.stderr.toString();
    assert.equal(r.status, 2, stderr);
    assert.match(stderr, new RegExp(`sipbc: ${out.replace(/[/.]/g, '\\$&')}.*: permission denied \\(EACCES`));
    assert.match(stderr, /hint: run sipbc as a user who may read and write there/);
    assert.doesNotMatch(stderr, /internal error|bug/);
    assert.deepEqual(readTree(out), before);
  });

  test('a read-only file system (EROFS)', { skip: !isRoot && 'needs root for a bind mount' }, (t) => {
    const out = join(root, 'ro');
    assert.equal(runCli(['generate', small, '-o', out], { env: ENV }).code, 0);
    const before = readTree(out);
    if (spawnSync('mount', ['--bind', out, out]).status !== 0) return t.skip('mount --bind is not allowed here');
    try {
      assert.equal(spawnSync('mount', ['-o', 'remount,ro,bind', out]).status, 0);
      const r = runCli(['generate', inv, '-o', out], { env: ENV });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /read-only file system \(EROFS/);
      assert.match(r.stderr, /hint: choose a directory on a writable file system/);
    } finally {
      spawnSync('umount', [out]);
    }
    assert.deepEqual(readTree(out), before);
  });

  test('a file system too small for the output (ENOSPC)', { skip: !isRoot && 'needs root to mount a tmpfs' }, (t) => {
    const out = join(root, 'tiny');
    mkdirSync(out);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', out]).status !== 0) return t.skip('mounting a tmpfs is not allowed here');
    try {
      assert.equal(runCli(['generate', small, '-o', out], { env: ENV }).code, 0);
      const before = readTree(out);
      const r = runCli(['generate', inv, '-o', out], { env: ENV });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no space left on the device \(ENOSPC/);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.deepEqual(readTree(out), before, 'the previous output was not kept as it was');
    } finally {
      spawnSync('umount', [out]);
    }
  });

  test('a reader that goes away (EPIPE) ends sipbc quietly', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${BIN}" policy "${inv}" | head -c 100 > /dev/null`], { cwd: REPO_ROOT });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stderr.toString(), '');
  });
});

test('--json: every error is a JSON object on stdout, and the exit code stays', () => {
  const missing = 'missing.yaml';
  const cases: [string[], number, RegExp][] = [
    [['validate', missing, '--json'], 2, /missing\.yaml: no such file/],
    [['policy', missing, '--json'], 2, /missing\.yaml: no such file/],
    [['dns', missing, '--json'], 2, /missing\.yaml: no such file/],
    [['simulate', missing, '--fail', 'east', '--json'], 2, /missing\.yaml: no such file/],
    [['generate', missing, '-o', join(tempDir(), 'o'), '--json'], 2, /missing\.yaml: no such file/],
    [['simulate', repoPath('examples', 'inventory.yaml'), '--fail', 'nowhere', '--json'], 2, /nowhere/],
    [['policy', repoPath('examples', 'inventory.yaml'), '--json', '--bogus'], 2, /Nonexistent flag: --bogus/],
    [['models', '--json', '--bogus'], 2, /Nonexistent flag: --bogus/],
  ];
  for (const [args, code, message] of cases) {
    const r = runCli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, '', `${args.join(' ')}: stderr`);
    const out = JSON.parse(r.stdout) as { error: { message: string; exitCode: number } };
    assert.match(out.error.message, message, args.join(' '));
    assert.equal(out.error.exitCode, code);
  }
});

test('a file in the way of DIR is a clear exit 2, and the file stays', () => {
  const inTheWay = join(tempDir(), 'file');
  writeFileSync(inTheWay, 'x');
  const r = runCli(['generate', repoPath('examples', 'inventory.yaml'), '-o', inTheWay]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /output directory .*file is not a directory/);
  assert.equal(readFileSync(inTheWay, 'utf8'), 'x');
});
