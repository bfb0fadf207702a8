/**
 * Reaching directories inside the output directory so that no symbolic link below it is ever
 * followed — not even one that appears while sipbc works (a user who may write DIR swapping a
 * directory for a link between sipbc's check and its rename or unlink, to make a root run write
 * or delete elsewhere).
 *
 * On Linux each directory is opened with O_DIRECTORY | O_NOFOLLOW through its parent's open
 * descriptor (`/proc/self/fd/N/name`): a path built on `/proc/self/fd/N` names that very
 * directory, wherever it is moved and whatever takes its old name, so the check and the act
 * cannot be separated. Where there is no /proc, every component is checked with lstat just
 * before each call (a window of microseconds instead of the length of the run).
 */
import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { environmentError, ExitCode, SipbcError } from '../core/errors.js';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const OPEN_DIR = constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
const PROC = process.platform === 'linux' && existsSync('/proc/self/fd');

/** The directory part of a DIR-relative '/'-path ('' = DIR itself). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** A DIR-relative path's directory and last name. */
export function splitPath(path: string): [string, string] {
  const i = path.lastIndexOf('/');
  return i === -1 ? ['', path] : [path.slice(0, i), path.slice(i + 1)];
}

/** `mkdir -p dir`: the directories it created, deepest first (for removeEmptyDirs when a run leaves nothing in them). */
export function makeDirs(dir: string): string[] {
  const created: string[] = [];
  const first = mkdirSync(dir, { recursive: true });
  if (first !== undefined) {
    for (let p = resolve(dir); ; p = dirname(p)) {
      created.push(p);
      if (p === resolve(first) || p === dirname(p)) break;
    }
  }
  return created;
}

/** Removes each of `dirs` (in order) that is empty; one that is not stays. */
export function removeEmptyDirs(dirs: readonly string[]): void {
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch {
      // not empty (something was written to it): it stays
    }
  }
}

export function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * One file (a report, an inventory, a schema) written whole or not at all: a new hidden temp file beside
 * `path` (exclusive create), flushed, then renamed over `path`. On failure the temp file is removed and the
 * error names `path` (exit 2).
 */
export function writeFileAtomically(path: string, contents: string | Buffer, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.sipbc-tmp-${process.pid}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    const bytes = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    tryUnlink(tmp);
    throw environmentError(e, path) ?? new SipbcError(`${path}: cannot write: ${(e as Error).message}`, ExitCode.USAGE);
  }
}

function linkError(root: string, rel: string): SipbcError {
  return new SipbcError(
    `${join(root, rel)} inside the output directory is a symbolic link or not a directory: sipbc never writes or removes through a link`,
    ExitCode.USAGE,
    `replace ${join(root, rel)} with a real directory`,
  );
}

/**
 * Directories below `root`, each reached without following a link. `dir(rel)` is a path naming
 * the directory `rel` itself; descriptors are kept for the last MAX_OPEN directories used.
 */
export class PinnedDirs {
  private static readonly MAX_OPEN = 64;
  private readonly fds = new Map<string, number>(); // least recently used first
  private rootFd: number | undefined;

  constructor(readonly root: string) {}

  /** A path naming the directory `rel` (DIR-relative, '' = DIR); throws when a component is a link or not a directory. */
  dir(rel: string): string {
    if (!PROC) return this.checked(rel);
    return `/proc/self/fd/${this.fd(rel)}`;
  }

  /** A path naming the entry `name` inside the directory `rel`. */
  entry(rel: string, name: string): string {
    return `${this.dir(rel)}/${name}`;
  }

  /** The descriptor of `rel` is no longer valid (the directory was removed or renamed). */
  forget(rel: string): void {
    for (const [k, fd] of this.fds) {
      if (k === rel || k.startsWith(`${rel}/`)) {
        closeSync(fd);
        this.fds.delete(k);
      }
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    if (this.rootFd !== undefined) closeSync(this.rootFd);
    this.rootFd = undefined;
  }

  private fd(rel: string): number {
    if (rel === '') return (this.rootFd ??= openSync(this.root, constants.O_RDONLY | O_DIRECTORY)); // DIR itself is the user's choice
    const known = this.fds.get(rel);
    if (known !== undefined) {
      this.fds.delete(rel); // most recently used goes last
      this.fds.set(rel, known);
      return known;
    }
    const [parentRel, name] = splitPath(rel);
    const parent = this.fd(parentRel);
    let fd: number;
    try {
      fd = openSync(`/proc/self/fd/${parent}/${name}`, OPEN_DIR);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOTDIR') throw linkError(this.root, rel);
      throw e;
    }
    this.fds.set(rel, fd);
    if (this.fds.size > PinnedDirs.MAX_OPEN) {
      const [oldest, oldFd] = this.fds.entries().next().value as [string, number];
      if (oldest !== rel) {
        closeSync(oldFd);
        this.fds.delete(oldest);
      }
    }
    return fd;
  }

  /** Without /proc: every component below DIR checked with lstat, just before use. */
  private checked(rel: string): string {
    let path = this.root;
    if (rel === '') return path;
    for (const part of rel.split('/')) {
      path = join(path, part);
      const st = lstatSync(path);
      if (!st.isDirectory()) throw linkError(this.root, rel);
    }
    return path;
  }
}

/**
 * Removes the file or directory tree `path` (its parent reached through PinnedDirs) without
 * following a link at any depth: each directory is opened with O_NOFOLLOW and emptied through its
 * own descriptor. (fs.rmSync walks by path names, which a link swapped in mid-walk redirects.)
 */
export function removeTree(path: string): void {
  if (!PROC) {
    rmSync(path, { recursive: true, force: true });
    return;
  }
  let fd: number;
  try {
    fd = openSync(path, OPEN_DIR);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR' || code === 'ELOOP') {
      unlinkSync(path); // a file or a link: the link itself goes, never what it points at
      return;
    }
    throw e;
  }
  try {
    const here = `/proc/self/fd/${fd}`;
    for (const name of readdirSync(here)) removeTree(`${here}/${name}`);
  } finally {
    closeSync(fd);
  }
  rmdirSync(path);
}

const hashScratch = Buffer.allocUnsafeSlow(64 * 1024);

/** sha256 (hex) of the regular file at `path`, opened without following a link; undefined when it is absent. */
export function hashFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = createHash('sha256');
    for (;;) {
      const n = readSync(fd, hashScratch, 0, hashScratch.length, null);
      if (n === 0) return h.digest('hex');
      h.update(hashScratch.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}
