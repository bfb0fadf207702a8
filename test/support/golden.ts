/**
 * Golden trees: compare a generated directory with a fixture's `expected/` tree.
 *
 *   const problems = compareTree(outDir, fixturePath('001-realistic', 'expected'));
 *   assert.deepEqual(problems, []);
 *
 * On a mismatch the actual bytes are written beside the golden file as `<file>.actual` (and a
 * file that should not exist as `<file>.actual` too), so `diff expected/x expected/x.actual`
 * shows what changed. `UPDATE_GOLDEN=1` rewrites `expected/` from the actual tree on purpose
 * (and removes golden files no longer produced). `.actual` files are never part of the golden.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/**
 * Rewriting goldens is a deliberate local act: under CI (`CI` set) it is refused, so a pipeline can never
 * turn a regression into a new golden and pass.
 */
export const UPDATE_GOLDEN = updateGoldenRequested(process.env);

export function updateGoldenRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.UPDATE_GOLDEN !== '1') return false;
  if (env.CI) throw new Error('UPDATE_GOLDEN=1 is refused when CI is set: update golden files locally and commit them');
  return true;
}

/** A fixture path in the source tree (test/fixtures/...), not in dist/. */
export function fixturePath(...parts: string[]): string {
  return join(REPO_ROOT, 'test', 'fixtures', ...parts);
}

/** Every regular file below `dir` (dot files included), '/'-separated relative path → bytes. */
export function readTree(dir: string, opts: { skipActual?: boolean } = {}): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile() && !(opts.skipActual && name.endsWith('.actual'))) out.set(r, readFileSync(join(dir, r)));
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

/** path → { mode, mtimeMs, sha-free bytes } for a whole tree: proves "nothing changed at all". */
export function snapshotTree(dir: string): Map<string, { mode: number; mtimeMs: number; bytes: Buffer }> {
  const out = new Map<string, { mode: number; mtimeMs: number; bytes: Buffer }>();
  for (const [p, bytes] of readTree(dir)) {
    const st = lstatSync(join(dir, p));
    out.set(p, { mode: st.mode, mtimeMs: st.mtimeMs, bytes });
  }
  return out;
}

function removeActuals(dir: string): void {
  for (const p of readTree(dir).keys()) if (p.endsWith('.actual')) rmSync(join(dir, p));
}

/**
 * Differences between `actualDir` and `expectedDir` (empty = identical). Writes `.actual` files on
 * mismatch; with UPDATE_GOLDEN=1 rewrites the golden tree and returns [].
 */
export function compareTree(actualDir: string, expectedDir: string): string[] {
  const actual = readTree(actualDir);
  if (UPDATE_GOLDEN) {
    rmSync(expectedDir, { recursive: true, force: true });
    for (const [p, bytes] of actual) {
      mkdirSync(dirname(join(expectedDir, p)), { recursive: true });
      writeFileSync(join(expectedDir, p), bytes);
    }
    return [];
  }
  removeActuals(expectedDir);
  const expected = readTree(expectedDir, { skipActual: true });
  const problems: string[] = [];
  for (const [p, want] of expected) {
    const got = actual.get(p);
    if (!got) problems.push(`missing: ${p}`);
    else if (!got.equals(want)) {
      problems.push(`differs: ${p} (see ${p}.actual)`);
      writeFileSync(join(expectedDir, `${p}.actual`), got);
    }
  }
  for (const [p, got] of actual) {
    if (expected.has(p)) continue;
    problems.push(`unexpected: ${p} (see ${p}.actual)`);
    mkdirSync(dirname(join(expectedDir, p)), { recursive: true });
    writeFileSync(join(expectedDir, `${p}.actual`), got);
  }
  return problems;
}
