/**
 * Atomicity (issue 6, SPEC §2 "a failed run never leaves half-written output", §5 "files are
 * written atomically"): a `generate` run over 2 400 phones, killed with SIGKILL at
 * several moments, leaves every file in DIR either its OLD or its NEW complete version (never a
 * truncated or mixed file, never a secret readable by others, never a missing file that both
 * versions have), and the next run converges to exactly the new reference output.
 *
 * Two reference outputs are made first, by the real CLI: OLD (old inventory into an empty dir) and
 * NEW (new inventory into an empty dir). The new inventory removes 200 phones, adds 200, and
 * changes every remaining phone file (registerExpires), the zone (an address) and policy.csv.
 *
 * generate stages every changed file as a temp file first, then writes the intent manifest, then
 * renames them all into place. Kill moments are driven by what the child process does (fs.watch on
 * DIR and its sub-directories), plus one by time: while staging in the first, a middle and the
 * last vendor directory, right after the intent manifest, at the rename of policy.csv (among the
 * first: the single files are rendered before the phone files), at the first rename into a middle
 * vendor directory, and during start-up. Some runs start from OLD each time; one chain kills the same DIR again and again
 * before the final run. A first run into an empty DIR stages phones/ as one new directory under a temp name: killed
 * while staging it, no file may be visible yet.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, REPO_ROOT, runCli } from '../support/cli.js';
import { cleanupTempDirs, clone, macOf, readTree, securityInventory, tempDir, type Obj, type TreeEntry } from '../support/security.js';

after(cleanupTempDirs);

const PER_FAMILY = 300; // 8 families → 2 400 phones, about 2 700 files
const SENTINEL = 'Atomic-Pw-42';
const ENV = { SIP_PW: SENTINEL };
const MANIFEST = '.sipbc-manifest.json';

type Tree = Map<string, TreeEntry | 'link'>;

function inventories(): { oldInv: Obj; newInv: Obj } {
  const oldInv = securityInventory({ phonesPerFamily: PER_FAMILY });
  const newInv = clone(oldInv);
  newInv.defaults.registerExpires = 1800; // every phone file changes
  newInv.sites[1].sipServer.vip.address = '10.2.0.20'; // the zone and nsupdate change
  // 200 phones leave, 200 new ones (new MACs) take their places.
  newInv.phones.slice(0, 200).forEach((p: Obj, i: number) => (p.mac = macOf(i + 1, 0x77)));
  return { oldInv, newInv };
}

function sha(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A temp file, a file inside a new directory staged under a temp name, or the lock a killed run leaves (the next run takes it over). */
function isTmp(path: string): boolean {
  return path === '.sipbc-lock' || path.startsWith('.sipbc-lock.') || path.split('/').some((s) => s.startsWith('.sipbc-tmp-'));
}

interface StateReport {
  asOld: number;
  asNew: number;
  leftovers: number;
}

/** Every file is OLD or NEW (contents and mode), files both versions have are present, the manifest is ours and consistent. */
function checkState(work: Tree, oldRef: Tree, newRef: Tree, label: string): StateReport {
  const report: StateReport = { asOld: 0, asNew: 0, leftovers: 0 };
  for (const [p, e] of work) {
    assert.notEqual(e, 'link', `${label}: ${p} is a link`);
    if (e === 'link') continue;
    if (e.contents.includes(SENTINEL)) assert.equal(e.mode & 0o077, 0, `${label}: ${p} holds the password and is mode ${e.mode.toString(8)}`);
    if (isTmp(p)) {
      report.leftovers++;
      continue;
    }
    const o = oldRef.get(p) as TreeEntry | undefined;
    const n = newRef.get(p) as TreeEntry | undefined;
    if (p === MANIFEST) {
      const m = JSON.parse(e.contents.toString('utf8')) as { generator: string; files: Record<string, string> };
      assert.equal(m.generator, 'sipbc', `${label}: manifest`);
      for (const [q, h] of Object.entries(m.files)) {
        const oq = oldRef.get(q) as TreeEntry | undefined;
        const nq = newRef.get(q) as TreeEntry | undefined;
        assert.ok((oq && sha(oq.contents) === h) || (nq && sha(nq.contents) === h), `${label}: manifest entry ${q} matches neither version`);
      }
      // Every file sipbc wrote must be listed, so the next run can clean it up.
      for (const q of work.keys()) if (q !== MANIFEST && !isTmp(q)) assert.ok(Object.hasOwn(m.files, q), `${label}: ${q} is on disk but not in the manifest`);
      continue;
    }
    assert.ok(o || n, `${label}: ${p} belongs to neither version`);
    const isOld = o?.contents.equals(e.contents);
    const isNew = n?.contents.equals(e.contents);
    assert.ok(
      isOld || isNew,
      `${label}: ${p} is neither its old nor its new version (${e.contents.length} bytes; old ${o?.contents.length}, new ${n?.contents.length})`,
    );
    const want = isNew ? n! : o!;
    assert.equal(e.mode, want.mode, `${label}: ${p} has mode ${e.mode.toString(8)}, expected ${want.mode.toString(8)}`);
    if (isOld && !isNew) report.asOld++;
    if (isNew && !isOld) report.asNew++;
  }
  for (const p of oldRef.keys()) {
    if (newRef.has(p)) assert.ok(work.has(p), `${label}: ${p} (in both versions) is missing`);
  }
  return report;
}

interface Moment {
  name: string;
  /** Directory (relative to DIR) to watch; the first event (with `file`, if given) kills the run. */
  watch?: string;
  file?: string;
  /** Only an event on a real (not temp) file name: a staged file being renamed into place. */
  renamed?: boolean;
  /** Or: kill after this many milliseconds. */
  afterMs?: number;
  /** Or: kill as soon as this holds for DIR (checked every 5 ms). */
  until?: (out: string) => boolean;
}

/** Runs `generate` on `inventory` into `out` and SIGKILLs it at `moment`; resolves with how it ended. */
function killedRun(inventory: string, out: string, moment: Moment): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...ENV };
  delete env.NODE_TEST_CONTEXT;
  const watchers: FSWatcher[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'generate', inventory, '-o', out], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    if (moment.watch !== undefined) {
      watchers.push(
        watch(join(out, moment.watch), (_event, name) => {
          if (moment.renamed && (typeof name !== 'string' || isTmp(name))) return;
          if (moment.file === undefined || name === moment.file) kill();
        }),
      );
    }
    const timer = moment.afterMs !== undefined ? setTimeout(kill, moment.afterMs) : undefined;
    const poll = moment.until ? setInterval(() => moment.until!(out) && kill(), 5) : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      for (const w of watchers) w.close();
      if (code !== null && code !== 0) reject(new Error(`generate exited ${code}: ${stderr}`));
      else resolve({ code, signal });
    });
  });
}

describe('atomicity: SIGKILL at any moment leaves old-or-new files, and the next run converges', { timeout: 900_000 }, () => {
  let oldRef: Tree;
  let newRef: Tree;
  let oldDir: string;
  let newInvPath: string;
  const root = tempDir('sipbc-atomic-');

  before(() => {
    const { oldInv, newInv } = inventories();
    const oldInvPath = join(root, 'old.json');
    newInvPath = join(root, 'new.json');
    writeFileSync(oldInvPath, JSON.stringify(oldInv));
    writeFileSync(newInvPath, JSON.stringify(newInv));
    oldDir = join(root, 'ref-old');
    const newDir = join(root, 'ref-new');
    for (const [inv, dir] of [
      [oldInvPath, oldDir],
      [newInvPath, newDir],
    ]) {
      const r = runCli(['generate', inv, '-o', dir], { env: ENV, timeout: 300_000 });
      assert.equal(r.code, 0, r.stderr);
    }
    oldRef = readTree(oldDir);
    newRef = readTree(newDir);
    assert.ok(oldRef.size > 2500, `only ${oldRef.size} files`);
    assert.ok([...oldRef.keys()].some((p) => !newRef.has(p)) && [...newRef.keys()].some((p) => !oldRef.has(p)), 'NEW should both remove and add files');
  });

  const MOMENTS: Moment[] = [
    { name: 'during start-up (50 ms)', afterMs: 50 },
    { name: 'right after the intent manifest', watch: '.', file: MANIFEST },
    { name: 'in the first vendor directory (alcatel)', watch: 'phones/alcatel' },
    { name: 'in a middle vendor directory (grandstream)', watch: 'phones/grandstream' },
    { name: 'in the last vendor directory (yealink)', watch: 'phones/yealink' },
    { name: 'at the first rename into a middle vendor directory (snom)', watch: 'phones/snom', renamed: true },
    { name: 'at the rename of policy.csv (early in the renames)', watch: '.', file: 'policy.csv' },
  ];

  it('each moment, starting from the OLD output each time', async (t) => {
    let interrupted = 0;
    let staging = 0;
    let mixed = 0;
    const seen: string[] = [];
    for (const m of MOMENTS) {
      const work = join(root, `work-${m.name.replace(/\W+/g, '-')}`);
      cpSync(oldDir, work, { recursive: true });
      assert.deepEqual(readTree(work), oldRef, 'the copy of OLD differs from OLD');
      const end = await killedRun(newInvPath, work, m);
      if (end.signal === 'SIGKILL') interrupted++;
      const state = checkState(readTree(work), oldRef, newRef, m.name);
      if (state.leftovers > 0) staging++;
      if (state.asOld > 0 && state.asNew > 0) mixed++;
      seen.push(`${m.name}: ${end.signal ?? `exit ${end.code}`}, ${state.asOld} old, ${state.asNew} new, ${state.leftovers} temp`);
      // The next run converges to NEW exactly (leftover temp files removed, stale files removed).
      const r = runCli(['generate', newInvPath, '-o', work], { env: ENV, timeout: 300_000 });
      assert.equal(r.code, 0, `${m.name}: ${r.stderr}`);
      assert.deepEqual(readTree(work), newRef, `${m.name}: the next run did not converge to NEW`);
    }
    assert.ok(interrupted >= MOMENTS.length - 2, `only ${interrupted} of ${MOMENTS.length} runs were killed before they finished:\n${seen.join('\n')}`);
    for (const line of seen) t.diagnostic(line);
    // The middle of a run is both phases: staging (temp files on disk) and renaming (some files old, some new).
    assert.ok(
      staging >= 3,
      `only ${staging} kills caught the run while staging (temp files on disk); the test is not exercising the middle of a run:\n${seen.join('\n')}`,
    );
    assert.ok(
      mixed >= 1,
      `no kill caught the run while renaming (some files old, some new); the test is not exercising the middle of a run:\n${seen.join('\n')}`,
    );
  });

  it('a first run into an empty DIR, killed while staging: no file is visible yet, and the next run converges', async (t) => {
    const work = join(root, 'work-fresh');
    mkdirSync(work);
    // phones/ is staged as one new directory under a temp name: kill once one of its vendor directories holds 100 files.
    const staged = (out: string) =>
      readdirSync(out)
        .filter((n) => n.startsWith('.sipbc-tmp-'))
        .some((n) => {
          try {
            return readdirSync(join(out, n)).some((v) => readdirSync(join(out, n, v)).length > 100);
          } catch {
            return false; // a file, or not there any more
          }
        });
    const end = await killedRun(newInvPath, work, { name: 'fresh', until: staged });
    assert.equal(end.signal, 'SIGKILL', 'the run finished before it was killed');
    const state = checkState(readTree(work), new Map(), newRef, 'fresh');
    t.diagnostic(`fresh: ${state.asNew} visible, ${state.leftovers} staged`);
    assert.equal(state.asNew, 0, 'a file is visible under its final name before the run committed');
    assert.ok(state.leftovers > 100, `only ${state.leftovers} staged files`);
    const r = runCli(['generate', newInvPath, '-o', work], { env: ENV, timeout: 300_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readTree(work), newRef, 'the next run did not converge to NEW (leftover staged directories removed)');
  });

  it('a chain of kills on the same directory, then one run: converges to NEW, and --check agrees', async () => {
    const work = join(root, 'work-chain');
    cpSync(oldDir, work, { recursive: true });
    for (const m of [MOMENTS[2], MOMENTS[5], MOMENTS[3], MOMENTS[1], MOMENTS[4]]) {
      await killedRun(newInvPath, work, m);
      checkState(readTree(work), oldRef, newRef, `chain: ${m.name}`);
    }
    const r = runCli(['generate', newInvPath, '-o', work], { env: ENV, timeout: 300_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readTree(work), newRef);
    const check = runCli(['generate', newInvPath, '-o', work, '--check'], { env: ENV, timeout: 300_000 });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(JSON.parse(readFileSync(join(work, MANIFEST), 'utf8')).generator, 'sipbc');
  });
});
