/**
 * Writing a generated plan (files in memory) to the output directory — SPEC §5.
 *
 * Two steps, so `--check` and `--dry-run` are the first step alone:
 *
 *   compareOutput(dir, files, groups)  reads DIR, decides what to create / update / remove, and
 *                                      refuses unsafe paths — before anything is written.
 *   applyOutput(comparison, files)     writes: each changed file to a temp file in its own
 *                                      directory (mode 0600 from open() for secret files, else
 *                                      0644 less the umask), rename over the target (fsync: see
 *                                      ApplyOptions); then
 *                                      removes stale files; then writes the manifest LAST.
 *
 * Guarantees:
 * - Paths come from the plan and are checked again here: relative, '/'-separated, no '', '.'
 *   or '..' segment, no NUL or backslash — nothing can land outside DIR. No component inside DIR
 *   may be a symbolic link (lstat of every component): sipbc never writes through a link.
 * - A run killed at any moment leaves every file either its old or its new complete version
 *   (rename is atomic); leftover `.sipbc-tmp-*` files are ours and removed by the next run.
 *   When a run adds files, the manifest is first rewritten to list old ∪ new paths, so a file
 *   written by an interrupted run is still known (and removed later if no longer generated).
 * - `.sipbc-manifest.json` lists every file sipbc owns with its sha256 (sorted, no timestamp).
 *   Only files listed in the PREVIOUS manifest and no longer generated are removed; files the tool
 *   did not write are never touched. With `--only`, the other groups' entries are kept as they were.
 * - Unchanged files (same bytes; secret files already private) are not rewritten: a re-run is
 *   fast and leaves mtimes alone.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, SipbcError } from '../core/errors.js';
import { groupOf, type OutputFile, type OutputGroup } from '../core/output.js';

export const MANIFEST = '.sipbc-manifest.json';
const TMP_PREFIX = '.sipbc-tmp-';

export type ChangeKind = 'create' | 'update' | 'remove';

export interface Change {
  path: string;
  kind: ChangeKind;
  /** For updates: the contents differ, or only the mode (a secret file readable by others). */
  reason?: 'content' | 'mode';
}

export interface Manifest {
  generator: 'sipbc';
  version: 1;
  /** path → sha256 (hex) of the bytes sipbc wrote. */
  files: Record<string, string>;
}

export interface Comparison {
  dir: string;
  /** Sorted by path. */
  changes: Change[];
  unchanged: number;
  /** The manifest after this run, and whether it differs from the one on disk. */
  manifestText: string;
  manifestChanged: boolean;
  manifestExisted: boolean;
  /** The manifest to write before any file when files are added (old ∪ new). */
  intentManifestText?: string;
  /** Entries of the previous manifest that were ignored (unsafe path, a link or a directory now). */
  warnings: string[];
  dirExists: boolean;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Why a relative output path is unsafe, or undefined when it is fine. */
export function unsafePathReason(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'is empty';
  if (path.includes('\u0000')) return 'contains a NUL byte';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  const segments = path.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return `has a "${s}" segment`;
    if (Buffer.byteLength(s) > 255) return 'has a segment longer than 255 bytes';
    if (s.startsWith(TMP_PREFIX)) return `uses the reserved prefix ${TMP_PREFIX}`;
  }
  if (path === MANIFEST) return 'is the manifest';
  return undefined;
}

function assertSafePath(path: string): void {
  const reason = unsafePathReason(path);
  if (reason) throw new SipbcError(`refusing to write output path "${path}": it ${reason} (outputs must stay inside the output directory)`, ExitCode.USAGE);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Directory components of DIR-relative paths, checked once each: must be real directories (or absent). */
class DirChecker {
  private readonly known = new Map<string, 'dir' | 'absent'>();
  constructor(private readonly root: string) {}

  /** 'absent' when this directory (or a parent) does not exist yet; throws on a link or a non-directory. */
  check(relDir: string, forPath: string): 'dir' | 'absent' {
    if (relDir === '') return 'dir';
    const cached = this.known.get(relDir);
    if (cached) return cached;
    const slash = relDir.lastIndexOf('/');
    const parent = slash === -1 ? '' : relDir.slice(0, slash);
    let state: 'dir' | 'absent' = this.check(parent, forPath);
    if (state === 'dir') {
      const st = lstatOrUndefined(join(this.root, relDir));
      if (!st) state = 'absent';
      else if (st.isSymbolicLink()) {
        throw new SipbcError(`refusing to write ${forPath}: ${relDir} inside the output directory is a symbolic link (sipbc never writes through a link)`, ExitCode.USAGE, `replace ${join(this.root, relDir)} with a real directory`);
      } else if (!st.isDirectory()) {
        throw new SipbcError(`cannot write ${forPath}: ${join(this.root, relDir)} is not a directory`, ExitCode.USAGE);
      }
    }
    this.known.set(relDir, state);
    return state;
  }
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

export function renderManifest(entries: ReadonlyMap<string, string>): string {
  const files: Record<string, string> = {};
  for (const p of [...entries.keys()].sort(comparePaths)) files[p] = entries.get(p)!;
  const m: Manifest = { generator: 'sipbc', version: 1, files };
  return JSON.stringify(m, null, 2) + '\n';
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The previous manifest's entries (empty when there is none); throws if it is not ours or not readable. */
function readManifest(dir: string): { entries: Map<string, string>; text?: string } {
  const path = join(dir, MANIFEST);
  const st = lstatOrUndefined(path);
  if (!st) return { entries: new Map() };
  if (!st.isFile()) {
    throw new SipbcError(`${path} is not a regular file (a link or a directory): sipbc will not guess which files it owns`, ExitCode.USAGE, 'move it away, or choose another output directory');
  }
  const text = readFileSync(path, 'utf8');
  let m: Partial<Manifest> | undefined;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch {
    m = undefined;
  }
  if (!m || typeof m !== 'object' || m.generator !== 'sipbc' || m.version !== 1 || typeof m.files !== 'object' || m.files === null || Array.isArray(m.files)) {
    throw new SipbcError(`${path} is not a sipbc manifest: sipbc will not guess which files it owns`, ExitCode.USAGE, 'move it away (files it listed will then not be cleaned up), or choose another output directory');
  }
  const entries = new Map<string, string>();
  for (const [p, h] of Object.entries(m.files)) if (typeof h === 'string') entries.set(p, h);
  return { entries, text };
}

/**
 * What writing `files` (the groups in `groups`) to `dir` would change. Reads only. Throws (before
 * anything is written) on an unsafe path, a link inside DIR, or a manifest that is not ours.
 */
export async function compareOutput(dir: string, files: readonly OutputFile[], groups: readonly OutputGroup[]): Promise<Comparison> {
  const warnings: string[] = [];
  let rootStat: Stats | undefined;
  try {
    rootStat = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new SipbcError(`cannot use output directory ${dir}: ${code ?? (e as Error).message}`, ExitCode.USAGE);
  }
  if (rootStat && !rootStat.isDirectory()) throw new SipbcError(`output directory ${dir} is not a directory`, ExitCode.USAGE);
  const dirExists = rootStat !== undefined;

  const seen = new Set<string>();
  for (const f of files) {
    assertSafePath(f.path);
    if (seen.has(f.path)) throw new SipbcError(`two generated files have the same path ${f.path}`, ExitCode.INTERNAL);
    seen.add(f.path);
  }

  const previous = dirExists ? readManifest(dir) : { entries: new Map<string, string>(), text: undefined };
  const dirs = new DirChecker(dir);
  const hashes = files.map((f) => sha256(f.contents));

  // Plain synchronous calls, one file after the other: for many small files this is several times
  // faster than promise-based I/O through libuv's thread pool, and memory stays bounded.
  const states = files.map((f, i): Change | undefined => {
    if (!dirExists || dirs.check(dirOf(f.path), f.path) === 'absent') return { path: f.path, kind: 'create' };
    const abs = join(dir, f.path);
    const st = lstatOrUndefined(abs);
    if (!st) return { path: f.path, kind: 'create' };
    if (st.isSymbolicLink()) {
      throw new SipbcError(`refusing to write ${f.path}: ${abs} is a symbolic link (sipbc never writes through a link)`, ExitCode.USAGE, 'remove the link');
    }
    if (!st.isFile()) throw new SipbcError(`cannot write ${f.path}: ${abs} exists and is not a regular file`, ExitCode.USAGE);
    if (st.size !== Buffer.byteLength(f.contents, 'utf8')) return { path: f.path, kind: 'update', reason: 'content' };
    const actual = readFileSync(abs);
    if (sha256(actual) !== hashes[i]) return { path: f.path, kind: 'update', reason: 'content' };
    if (f.secret && (st.mode & 0o077) !== 0) return { path: f.path, kind: 'update', reason: 'mode' };
    return undefined;
  });

  // Stale: listed in the previous manifest, in a group this run produces, and no longer generated.
  const next = new Map<string, string>();
  const stale: string[] = [];
  for (const [p, h] of previous.entries) {
    const reason = unsafePathReason(p);
    if (reason) {
      warnings.push(`ignoring manifest entry "${p}": it ${reason}`);
      continue;
    }
    if (!groups.includes(groupOf(p))) next.set(p, h); // another group, not produced this run: still ours
    else if (!seen.has(p)) stale.push(p);
  }
  files.forEach((f, i) => next.set(f.path, hashes[i]));

  const removals = stale.map((p): Change | undefined => {
    try {
      if (dirs.check(dirOf(p), p) === 'absent') return undefined;
    } catch (e) {
      warnings.push(`not removing ${p}: ${(e as Error).message}`);
      return undefined;
    }
    const st = lstatOrUndefined(join(dir, p));
    if (!st) return undefined;
    if (!st.isFile()) {
      warnings.push(`not removing ${p}: it is no longer a regular file (a link or a directory), so sipbc did not write it`);
      return undefined;
    }
    return { path: p, kind: 'remove' };
  });

  const changes = [...states, ...removals].filter((c): c is Change => c !== undefined).sort((a, b) => comparePaths(a.path, b.path));
  const manifestText = renderManifest(next);
  let intentManifestText: string | undefined;
  if (changes.some((c) => c.kind === 'create' && !previous.entries.has(c.path))) {
    const union = new Map(next);
    for (const [p, h] of previous.entries) if (!union.has(p) && !unsafePathReason(p)) union.set(p, h);
    intentManifestText = renderManifest(union);
  }
  return {
    dir,
    changes,
    unchanged: files.length - states.filter((s) => s !== undefined).length,
    manifestText,
    manifestChanged: previous.text !== manifestText,
    manifestExisted: previous.text !== undefined,
    intentManifestText,
    warnings,
    dirExists,
  };
}

export interface ApplyOptions {
  /**
   * fsync each generated file before its rename (default false). The manifest and the touched
   * directories are always fsynced. Measured on 100 000 phones (bench/bench.ts): one fsync per
   * file made generate wait ~40% of its wall time on the disk. Without it a file is still either
   * its old or its new complete version after a crash of the process (the rename is atomic); after
   * a power loss a file may be left short, which the next run sees (size/sha256 against the
   * manifest) and rewrites.
   */
  fsync?: boolean;
}

let tmpCounter = 0;

/** Writes `contents` to `dir/name` atomically: temp file in the same directory, (fsync,) rename. */
export function writeFileAtomic(absDir: string, name: string, contents: string | Buffer, mode: number, fsync = true): void {
  const tmp = join(absDir, `${TMP_PREFIX}${process.pid}-${++tmpCounter}`);
  // O_EXCL: never follow or reuse an existing name; the mode applies at creation, so a secret file is never readable by others.
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), mode);
  try {
    const buf = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    if (fsync) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    tryUnlink(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, join(absDir, name));
  } catch (e) {
    tryUnlink(tmp);
    throw e;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function fsyncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the renames are still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Temp files of an earlier interrupted run in `absDir` (only names with our reserved prefix). */
function removeLeftovers(absDir: string): void {
  let names: string[];
  try {
    names = readdirSync(absDir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(TMP_PREFIX)) continue;
    if (lstatOrUndefined(join(absDir, n))?.isFile()) tryUnlink(join(absDir, n));
  }
}

export interface ApplySummary {
  created: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
}

/** Carries out a comparison: writes changed files, removes stale ones, writes the manifest last. */
export async function applyOutput(cmp: Comparison, files: readonly OutputFile[], opts: ApplyOptions = {}): Promise<ApplySummary> {
  const fsync = opts.fsync ?? false;
  const dir = cmp.dir;
  const byPath = new Map(files.map((f) => [f.path, f]));
  const writes = cmp.changes.filter((c) => c.kind !== 'remove');
  const removes = cmp.changes.filter((c) => c.kind === 'remove');

  // Synchronous, one file after the other (see compareOutput): bounded memory and no thread-pool hops.
  mkdirSync(dir, { recursive: true });
  const touched = new Set<string>(['']);
  for (const c of cmp.changes) touched.add(dirOf(c.path));
  for (const d of [...touched].sort()) if (d !== '') mkdirSync(join(dir, d), { recursive: true });
  for (const d of touched) removeLeftovers(join(dir, d));

  // 0600: the sha256 of a credential file confirms a password guess to anyone who can read the manifest.
  if (cmp.intentManifestText !== undefined) writeFileAtomic(dir, MANIFEST, cmp.intentManifestText, 0o600, true);

  for (const c of writes) {
    const f = byPath.get(c.path)!;
    const d = dirOf(c.path);
    const name = d === '' ? c.path : c.path.slice(d.length + 1);
    if (c.reason === 'mode') chmodSync(join(dir, c.path), 0o600);
    else writeFileAtomic(join(dir, d), name, f.contents, f.secret ? 0o600 : 0o644, fsync);
  }
  for (const c of removes) {
    try {
      unlinkSync(join(dir, c.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  for (const d of touched) fsyncDir(join(dir, d));

  if (cmp.manifestChanged || cmp.intentManifestText !== undefined) {
    writeFileAtomic(dir, MANIFEST, cmp.manifestText, 0o600, true);
    fsyncDir(dir);
  }
  return {
    created: writes.filter((c) => c.kind === 'create').map((c) => c.path),
    updated: writes.filter((c) => c.kind === 'update').map((c) => c.path),
    removed: removes.map((c) => c.path),
    unchanged: cmp.unchanged,
  };
}

/** `--check`: the paths that differ from what would be written (the manifest included). */
export function driftOf(cmp: Comparison): Change[] {
  const out = [...cmp.changes];
  if (cmp.manifestChanged) out.push({ path: MANIFEST, kind: cmp.manifestExisted ? 'update' : 'create', reason: 'content' });
  return out;
}
