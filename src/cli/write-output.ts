/**
 * Writing the generated files to the output directory.
 *
 *   syncOutput(dir, files, groups, { write })
 *
 * takes the files as an iterable and handles them one at a time (100 000 phones never sit in
 * memory together): each is compared with DIR (size, then bytes) and, when writing and it
 * changed, STAGED (secret files at exactly --file-mode, 0600 by default, never wider from open() on;
 * others 0644 less the umask): as a temp
 * file next to its target in a directory that exists, or under its own name inside a new
 * directory that is itself staged under a temp name (`phones/` of a first run is one temp
 * directory, renamed into place at the end, instead of 100 000 renames). Only when every file
 * has been rendered and staged without an error are the temp files and temp directories renamed
 * into place, the stale files removed and the manifest written LAST. `--check` and `--dry-run`
 * are the same pass with `write: false`.
 *
 * It is synchronous and, for a large run, runs in a thread of its own (write-thread.ts) fed
 * with the files as they are rendered, so that the kernel's work of creating them runs beside
 * the rendering.
 *
 * Guarantees:
 * - Paths come from the plan and are checked again here: relative, '/'-separated, no '', '.'
 *   or '..' segment, no NUL or backslash — nothing can land outside DIR. No component inside DIR
 *   may be a symbolic link: compared through lstat of every component, and every write, rename
 *   and unlink goes through its directory opened without following links (safe-fs.ts), so a link
 *   swapped in while the run works is never followed.
 * - An error while rendering or staging (a template error, an unsafe path, a full disk) or a
 *   signal (opts.abort) removes the temp files and the directories this run created, and puts the
 *   previous manifest back: DIR is left exactly as it was.
 * - A run killed at any moment leaves every file either its old or its new complete version
 *   (rename is atomic). Its temp entries (`.sipbc-tmp-<run id>-*`) are removed by a later run
 *   under DIR's lock (output-lock.ts), which is the only time another run's entries are touched.
 *   When a run adds or replaces files, the manifest is first rewritten to list old ∪ new paths and,
 *   under "pending", the new sha256 of each replaced file, so whatever an interrupted run wrote is
 *   still known as sipbc's.
 * - `.sipbc-manifest.json` lists every file sipbc owns with its sha256 (sorted, no timestamp).
 *   A file is replaced or removed only when it is still what sipbc wrote (that sha256, or it is
 *   absent); anything else is kept and reported (Kept) unless opts.force. Only files listed in the
 *   PREVIOUS manifest and no longer generated are removed, and directories left empty with them.
 *   With `--only`, the other groups' entries are kept as they were.
 * - Unchanged files (same bytes; secret files already private) are not rewritten: a re-run is
 *   fast and leaves mtimes alone.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { environmentError, ExitCode, interruption, SipbcError } from '../core/errors.js';
import { groupOf, type OutputFile, type OutputGroup, utf8Of } from '../core/output.js';
import { sha256, sha256OfPieces } from '../core/sha256.js';
import { LOCK } from './output-lock.js';
import { dirOf, hashFile, makeDirs, PinnedDirs, removeEmptyDirs, removeTree, splitPath, tryUnlink } from './safe-fs.js';

export const MANIFEST = '.sipbc-manifest.json';
const TMP_PREFIX = '.sipbc-tmp-';

/** A file as the writer thread receives it: its bytes already encoded (UTF-8). */
export interface EncodedFile {
  path: string;
  contents: Buffer;
  secret: boolean;
  /** sha256 (hex) of `contents`, computed by the rendering thread, which has time to spare (the writer has not). */
  sha256: string;
}

export type ChangeKind = 'create' | 'update' | 'remove';

export interface Change {
  path: string;
  kind: ChangeKind;
  /** For updates: the contents differ, or only the mode (a file holding a password, not at --file-mode) or the group (--group). */
  reason?: 'content' | 'mode' | 'owner';
}

export interface Manifest {
  generator: 'sipbc';
  version: 1;
  /** path → sha256 (hex) of the bytes sipbc wrote. */
  files: Record<string, string>;
}

export interface SyncResult {
  dir: string;
  /** How many files were generated (changed or not). */
  files: number;
  /** Sorted by path. */
  changes: Change[];
  unchanged: number;
  /** Files that would be replaced or removed but are kept: they are not what sipbc wrote there (sorted; also in `warnings`). */
  kept: Kept[];
  /** Whether the manifest on disk differs from this run's (or is missing). */
  manifestChanged: boolean;
  manifestExisted: boolean;
  /** Entries of the previous manifest that were ignored (unsafe path, a link or a directory now). */
  warnings: string[];
}

export interface SyncOptions {
  /** false: compare only (--check, --dry-run); nothing is created, written or removed. */
  write: boolean;
  /**
   * fsync each generated file before its rename, and the directories this run creates (default
   * false). The manifest and the existing directories whose entries change are always fsynced.
   * Measured on 100 000 phones (bench/bench.ts): one fsync per file made generate wait ~40% of
   * its wall time on the disk. Without it a file is still either its old or its new complete
   * version after a crash of the process (the rename is atomic); after a power loss a file may be
   * left short or missing, which the next run sees (size/bytes against the new contents) and
   * rewrites.
   */
  fsync?: boolean;
  /** Replace or remove files even when they are not what sipbc wrote there (hand-edited, or never sipbc's). */
  force?: boolean;
  /** This run's id, in its temp entries' names (`.sipbc-tmp-<id>-N`): default the pid. */
  runId?: string;
  /** This run holds DIR's lock (output-lock.ts): temp entries of other runs are dead runs' leftovers, removed where seen. */
  locked?: boolean;
  /** Also look for dead runs' leftovers in every directory of DIR (the lock of a killed run was taken over). */
  sweep?: boolean;
  /** Set (shared memory) to a signal's number to stop the run before anything is renamed into place. */
  abort?: Int32Array;
  /** --file-mode / --group; what is not given comes from the previous manifest, else DEFAULT_ACCESS. */
  access?: Partial<Access>;
  /** The files hold REDACTED instead of passwords (--redact): said in the manifest; such a run refuses a DIR with real ones unless force. */
  redacted?: boolean;
  /** Tests only: called once everything is staged and planned, just before the renames and removals (a deterministic window for a swap). */
  beforeCommit?: () => void;
}

/** Why a relative output path is unsafe, or undefined when it is fine. One pass, no array: it runs for every file. */
export function unsafePathReason(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'is empty';
  if (path.includes('\u0000')) return 'contains a NUL byte';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  for (let start = 0; ; ) {
    const slash = path.indexOf('/', start);
    const end = slash === -1 ? path.length : slash;
    const s = path.slice(start, end);
    if (s === '' || s === '.' || s === '..') return `has a "${s}" segment`;
    // A UTF-16 code unit is at most 3 bytes of UTF-8: only a segment of more than 85 can be too long.
    if (s.length > 85 && Buffer.byteLength(s) > 255) return 'has a segment longer than 255 bytes';
    if (s.startsWith(TMP_PREFIX)) return `uses the reserved prefix ${TMP_PREFIX}`;
    if (start === 0 && s.startsWith(LOCK)) return `uses the reserved name ${LOCK}`;
    if (slash === -1) break;
    start = slash + 1;
  }
  if (path === MANIFEST) return 'is the manifest';
  return undefined;
}

function assertSafePath(path: string): void {
  const reason = unsafePathReason(path);
  if (reason) throw new SipbcError(`refusing to write output path "${path}": it ${reason} (outputs must stay inside the output directory)`, ExitCode.USAGE);
}

function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

type DirState = 'dir' | 'absent' | 'created';

/**
 * Directory components of DIR-relative paths, checked once each: must be real directories (or
 * absent). 'created' = made by this run (so it holds nothing but this run's temp files).
 */
class DirChecker {
  private readonly known = new Map<string, DirState>();
  constructor(private readonly root: string) {}

  /** 'absent' when this directory (or a parent) does not exist yet; throws on a link or a non-directory. */
  check(relDir: string, forPath: string): DirState {
    if (relDir === '') return 'dir';
    const cached = this.known.get(relDir);
    if (cached) return cached;
    const slash = relDir.lastIndexOf('/');
    const parent = slash === -1 ? '' : relDir.slice(0, slash);
    let state: DirState = this.check(parent, forPath) === 'dir' ? 'dir' : 'absent';
    if (state === 'dir') {
      const st = lstatOrUndefined(join(this.root, relDir));
      if (!st) state = 'absent';
      else if (st.isSymbolicLink()) {
        throw new SipbcError(
          `refusing to write ${forPath}: ${relDir} inside the output directory is a symbolic link (sipbc never writes through a link)`,
          ExitCode.USAGE,
          `replace ${join(this.root, relDir)} with a real directory`,
        );
      } else if (!st.isDirectory()) {
        throw new SipbcError(`cannot write ${forPath}: ${join(this.root, relDir)} is not a directory`, ExitCode.USAGE);
      }
    }
    this.known.set(relDir, state);
    return state;
  }

  markCreated(relDir: string): void {
    this.known.set(relDir, 'created');
  }
}

/**
 * What the manifest says besides its files, each a line of its head after "version" (absent when
 * default, so an ordinary manifest stays as it always was): a `--redact` run's files hold
 * REDACTED, not passwords; `access` is the mode of files holding passwords and the group of every
 * file (--file-mode, --group), which later runs and `--check` keep to.
 */
export interface ManifestMeta {
  redacted?: boolean;
  access?: Access;
}

/** Who may read the output: the mode of files holding passwords (default 0600) and, if set, the group of every file. */
export interface Access {
  secretMode: number;
  group?: { name: string; gid: number };
}

export const DEFAULT_ACCESS: Access = { secretMode: 0o600 };

const HEAD_START = '{\n  "generator": "sipbc",\n  "version": 1,\n';
const FILES_LINE = '  "files": {\n';
/** What the manifest's text ends with when it lists any file (written by manifestChunks, read by canonicalEntries). */
const MANIFEST_TAIL = '\n  }\n}\n';
const META_LINE = /^ {2}"(?:redacted|access)": .*,$/;

function metaLines(meta: ManifestMeta): string {
  let lines = '';
  if (meta.redacted) lines += '  "redacted": true,\n';
  const a = meta.access;
  if (a && (a.secretMode !== DEFAULT_ACCESS.secretMode || a.group)) {
    const access: Record<string, string | number> = { secretFileMode: `0${a.secretMode.toString(8)}` };
    if (a.group) Object.assign(access, { group: a.group.name, gid: a.group.gid });
    lines += `  "access": ${JSON.stringify(access).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/^\{/, '{ ').replace(/\}$/, ' }')},\n`;
  }
  return lines;
}

/** Where the entries start in a manifest of sipbc's own layout (its head: the fixed lines, meta lines, "files"), or -1. */
function entriesStart(text: string): number {
  if (!text.startsWith(HEAD_START)) return -1;
  let pos = HEAD_START.length;
  while (!text.startsWith(FILES_LINE, pos)) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1 || !META_LINE.test(text.slice(pos, nl))) return -1;
    pos = nl + 1;
  }
  return pos + FILES_LINE.length;
}

/** The meta lines of a manifest (its head only is parsed: JSON.parse of 12 MB is not needed for them). */
function readMeta(text: string): ManifestMeta {
  const start = entriesStart(text);
  let head: { redacted?: unknown; access?: { secretFileMode?: unknown; group?: unknown; gid?: unknown } };
  try {
    head = start === -1 ? (JSON.parse(text) as typeof head) : (JSON.parse(`${text.slice(0, start - FILES_LINE.length)}"files": {}}`) as typeof head);
  } catch {
    return {};
  }
  const meta: ManifestMeta = { redacted: head.redacted === true };
  const a = head.access;
  if (a && typeof a.secretFileMode === 'string' && /^0[0-7]{3}$/.test(a.secretFileMode)) {
    meta.access = { secretMode: parseInt(a.secretFileMode, 8) };
    if (typeof a.group === 'string' && typeof a.gid === 'number') meta.access.group = { name: a.group, gid: a.gid };
  }
  return meta;
}

export function* manifestChunks(entries: ReadonlyMap<string, string>, meta: ManifestMeta = {}): Generator<string> {
  const paths = [...entries.keys()].sort(comparePaths);
  if (paths.length === 0) {
    yield `${HEAD_START}${metaLines(meta)}  "files": {}\n}\n`;
    return;
  }
  yield HEAD_START + metaLines(meta) + FILES_LINE;
  for (let i = 0; i < paths.length; i += 1000) {
    const lines = paths.slice(i, i + 1000).map((p) => `    ${JSON.stringify(p)}: ${JSON.stringify(entries.get(p))}`);
    yield (i === 0 ? '' : ',\n') + lines.join(',\n');
  }
  yield MANIFEST_TAIL;
}

export function renderManifest(entries: ReadonlyMap<string, string>): string {
  return [...manifestChunks(entries)].join('');
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ENTRY_LINE = /^ {4}("(?:[^"\\\u0000-\u001f]|\\.)*"): "([0-9a-f]{64})",?$/;

/**
 * The entries of a manifest in the form manifestChunks writes — one `"path": "sha256"` line each —
 * or undefined for any other form (JSON.parse reads that). At 100 000 phones this keeps a re-run's
 * writer from holding the parsed 115 000-key object beside the Map: the Map's paths and hashes are
 * slices of the one text (12 MB) instead of 230 000 strings of their own.
 */
export function canonicalEntries(text: string): Map<string, string> | undefined {
  const start = entriesStart(text);
  if (start === -1 || !text.endsWith(MANIFEST_TAIL)) return undefined;
  const entries = new Map<string, string>();
  const end = text.length - MANIFEST_TAIL.length;
  for (let pos = start; pos < end; ) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 || nl > end ? end : nl;
    const m = ENTRY_LINE.exec(text.slice(pos, lineEnd));
    if (!m || (lineEnd === end) === m[0].endsWith(',')) return undefined; // every entry but the last ends with a comma
    let path = m[1].slice(1, -1);
    if (path.includes('\\')) {
      try {
        path = JSON.parse(m[1]) as string;
      } catch {
        return undefined;
      }
    }
    entries.set(path, m[2]);
    pos = lineEnd + 1;
  }
  return entries;
}

/** The entries of the manifest `text` (read from `path`); throws when it is not a sipbc manifest. */
export function parseManifest(text: string, path: string): Map<string, string> {
  const canonical = canonicalEntries(text);
  if (canonical) return canonical;
  let m: Partial<Manifest> | undefined;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch {
    m = undefined;
  }
  if (!m || typeof m !== 'object' || m.generator !== 'sipbc' || m.version !== 1 || typeof m.files !== 'object' || m.files === null || Array.isArray(m.files)) {
    throw new SipbcError(
      `${path} is not a sipbc manifest: sipbc will not guess which files it owns`,
      ExitCode.USAGE,
      'move it away (files it listed will then not be cleaned up), or choose another output directory',
    );
  }
  const entries = new Map<string, string>();
  const files = m.files as Record<string, unknown>;
  for (const p in files) if (typeof files[p] === 'string') entries.set(p, files[p]);
  return entries;
}

/** What the previous run left: its manifest's entries, the new hashes of an interrupted run's pending updates, the text's digest. */
interface Previous {
  entries: Map<string, string>;
  /** Updates an interrupted run was renaming into place (its intent manifest): their new sha256, also accepted as sipbc's. */
  pending: Map<string, string>;
  digest?: string;
  meta: ManifestMeta;
}

/** Whether the bytes hashing to `hash` at `path` are what sipbc last wrote there. */
function wroteIt(previous: Previous, path: string, hash: string | undefined): boolean {
  return hash !== undefined && (previous.entries.get(path) === hash || previous.pending.get(path) === hash);
}

/** The previous manifest (empty when there is none); throws if it is not ours or not readable. */
function readManifest(dir: string): Previous {
  const path = join(dir, MANIFEST);
  const st = lstatOrUndefined(path);
  if (!st) return { entries: new Map(), pending: new Map(), meta: {} };
  if (!st.isFile()) {
    throw new SipbcError(
      `${path} is not a regular file (a link or a directory): sipbc will not guess which files it owns`,
      ExitCode.USAGE,
      'move it away, or choose another output directory',
    );
  }
  const text = readFileSync(path, 'utf8');
  const entries = parseManifest(text, path);
  const pending = new Map<string, string>();
  if (text.includes('"pending"')) {
    const m = JSON.parse(text) as { pending?: Record<string, unknown> };
    if (m.pending && typeof m.pending === 'object') for (const p in m.pending) if (typeof m.pending[p] === 'string') pending.set(p, m.pending[p] as string);
  }
  return { entries, pending, digest: sha256(text), meta: readMeta(text) };
}

/** The intent manifest of a run that updates files: its `files` plus, under "pending", the new sha256 of each update. */
function* intentChunks(files: ReadonlyMap<string, string>, pending: ReadonlyMap<string, string>, meta: ManifestMeta): Generator<string> {
  if (pending.size === 0) return yield* manifestChunks(files, meta);
  let last = '';
  for (const chunk of manifestChunks(files, meta)) {
    if (last) yield last;
    last = chunk;
  }
  yield last.slice(0, -2); // without the closing "}\n"
  const lines = [...pending.keys()].sort(comparePaths).map((p) => `    ${JSON.stringify(p)}: ${JSON.stringify(pending.get(p))}`);
  yield `,\n  "pending": {\n${lines.join(',\n')}\n  }\n}\n`;
}

// O_EXCL: never follow or reuse an existing name; the mode applies at creation, so a secret file is never readable by others.
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * A mode new files must have exactly (a secret file's --file-mode, the manifest's 0600). open() applies it less
 * the umask or, in a directory with a default ACL, less what that ACL leaves out: bits can only be taken away, and
 * neither changes during a run, so the first file made with it in a directory tells whether the others need an
 * fchmod. One fstat per directory instead of an fchmod per file (100 000 secret files: ~0.5 s of CPU).
 */
class ExactMode {
  /** Directory (as the run reaches it) → whether files created there get the whole mode. */
  private readonly whole = new Map<string, boolean>();
  constructor(readonly mode: number) {}

  /** Gives `fd`, just created with this mode in the directory `dir`, exactly this mode. */
  apply(fd: number, dir: string): void {
    let whole = this.whole.get(dir);
    if (whole === undefined) {
      whole = (fstatSync(fd).mode & 0o7777) === this.mode;
      this.whole.set(dir, whole);
    }
    if (!whole) fchmodSync(fd, this.mode);
  }
}

/**
 * Writes `contents` (or its pieces, in order) to the new file `path` (O_EXCL, never through a link): with exactly
 * `exact.mode` when given (learnt per directory `dir`), else 0644 less the umask; the group `gid` when given.
 */
function writeNewFile(path: string, contents: Buffer | Iterable<string>, fsync: boolean, exact?: ExactMode, dir = '', gid?: number): void {
  const fd = openSync(path, NEW_FILE, exact?.mode ?? 0o644);
  try {
    // The group too is set before any byte is written.
    exact?.apply(fd, dir);
    if (gid !== undefined) fchownSync(fd, -1, gid);
    for (const piece of Buffer.isBuffer(contents) ? [contents] : contents) {
      const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    }
    if (fsync) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    tryUnlink(path);
    throw e;
  }
  closeSync(fd);
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

/** Sets the mode (when given) and the group (when given) of the open file `fd`. */
function setAccess(fd: number, mode: number | undefined, gid: number | undefined): void {
  if (mode !== undefined) fchmodSync(fd, mode);
  if (gid !== undefined) fchownSync(fd, -1, gid);
}

/** A file's identity when it was compared: a rename or any write since changes its inode or ctime. */
function sameFile(a: Stats | undefined, ino: number, ctimeMs: number): boolean {
  return a?.isFile() === true && a.ino === ino && a.ctimeMs === ctimeMs;
}

/** Where a DIR-relative directory's files go while staging: `phys` is the DIR-relative path it has now (inside a new directory staged under a temp name when `hidden`). */
interface Place {
  phys: string;
  hidden: boolean;
}

/** A file that sipbc would replace or remove but keeps, because it is not what sipbc wrote there. */
export interface Kept {
  path: string;
  /** modified: it differs from the manifest's sha256; foreign: sipbc never wrote it (no manifest entry); appeared: it was created while sipbc ran. */
  why: 'modified' | 'foreign' | 'appeared';
}

export function keptMessage(k: Kept): string {
  const what =
    k.why === 'modified'
      ? 'modified since sipbc wrote it'
      : k.why === 'foreign'
        ? 'not written by sipbc (not in its manifest)'
        : 'created by someone else while sipbc ran';
  return `${k.path}: ${what}: kept (--force replaces it)`;
}

/**
 * The changed files of one run, staged, until commit() moves them into place or abort() removes
 * every trace: a file for a directory that exists becomes a temp file next to its target; a
 * directory that does not exist yet is created under a temp name (with everything below it under
 * the final names) and renamed into place as a whole. Every call reaches its directory through
 * PinnedDirs: a link swapped in below DIR is never followed.
 */
class Stage {
  /** DIR-relative paths of the temp files, and the number in each one's temp file name (100 000 files: kept small). */
  private readonly paths: string[] = [];
  private readonly tmpNumbers: number[] = [];
  /** The target each temp file replaces as it was compared (inode, ctime), or 0 when there was none. */
  private readonly inos: number[] = [];
  private readonly ctimes: number[] = [];
  /** New directories staged under a temp name: the directory they go in, the temp name and the final name. */
  private readonly hiddenDirs: { parent: string; tmp: string; name: string }[] = [];
  /** The output directory and the parents that `mkdir -p` created for it, deepest first. */
  private createdRoot: string[] = [];
  private readonly places = new Map<string, Place>();
  private tmpCounter = 0;
  /** The files holding passwords get exactly this mode. */
  private readonly secretMode: ExactMode;
  /** Whether anything was renamed into place (an abort then leaves the intent manifest, which lists it). */
  moved = false;
  /** Temp entries of dead runs removed from the directories this run stages into. */
  leftovers = 0;

  constructor(
    private readonly root: string,
    private readonly dirs: DirChecker,
    private readonly pinned: PinnedDirs,
    private readonly opts: SyncOptions & { runId: string; gid?: number; secretMode: number },
  ) {
    this.secretMode = new ExactMode(opts.secretMode);
  }

  private tmpName(n: number): string {
    return `${TMP_PREFIX}${this.opts.runId}-${n}`;
  }

  /** Where `relDir`'s files go; the first time an existing directory is used under the lock, dead runs' leftovers in it are removed. */
  private place(relDir: string, forPath: string): Place {
    const known = this.places.get(relDir);
    if (known) return known;
    let place: Place;
    if (relDir === '') {
      this.createdRoot = makeDirs(this.root);
      place = { phys: '', hidden: false };
    } else {
      const [parentRel, name] = splitPath(relDir);
      const parent = this.place(parentRel, forPath);
      if (parent.hidden) {
        place = { phys: `${parent.phys}/${name}`, hidden: true };
        mkdirSync(this.pinned.entry(parent.phys, name));
      } else if (this.dirs.check(relDir, forPath) === 'absent') {
        const tmp = this.tmpName(++this.tmpCounter);
        mkdirSync(this.pinned.entry(parent.phys, tmp));
        place = { phys: parent.phys === '' ? tmp : `${parent.phys}/${tmp}`, hidden: true };
        this.hiddenDirs.push({ parent: parent.phys, tmp, name });
        this.dirs.markCreated(relDir);
      } else {
        place = { phys: relDir, hidden: false };
      }
    }
    if (!place.hidden && this.opts.locked && this.createdRoot.length === 0) this.leftovers += removeLeftovers(this.pinned, place.phys, this.opts.runId);
    this.places.set(relDir, place);
    return place;
  }

  /** Stages `contents` for `path` (a secret file: at the secret mode); `existing` is the file it replaces as compared (undefined: there was none). */
  put(path: string, contents: Buffer, secret: boolean, existing: Stats | undefined): void {
    const [relDir, name] = splitPath(path);
    const place = this.place(relDir, path);
    const exact = secret ? this.secretMode : undefined;
    if (place.hidden) {
      writeNewFile(this.pinned.entry(place.phys, name), contents, this.opts.fsync ?? false, exact, place.phys, this.opts.gid);
      return;
    }
    const n = ++this.tmpCounter;
    writeNewFile(this.pinned.entry(place.phys, this.tmpName(n)), contents, this.opts.fsync ?? false, exact, place.phys, this.opts.gid);
    this.paths.push(path);
    this.tmpNumbers.push(n);
    this.inos.push(existing?.ino ?? 0);
    this.ctimes.push(existing?.ctimeMs ?? 0);
  }

  /** Makes sure DIR exists (for the manifest) and removes its leftovers. */
  prepareRoot(): void {
    this.place('', MANIFEST);
  }

  /**
   * The DIR-relative directories to fsync once `changes` are in place: DIR itself, the existing
   * directories whose entries change and the parents of the directories renamed into place. A
   * directory this run creates only with --fsync: its files' contents are not synced either
   * then, and its own entry is synced in its parent (a first run of 100 000 phones creates ~2 600
   * directories; syncing each cost ~1 s).
   */
  dirsToSync(changes: readonly Change[]): Set<string> {
    const dirs = new Set<string>(['']);
    for (const c of changes) {
      const d = dirOf(c.path);
      if (this.opts.fsync || this.places.get(d)?.hidden !== true) dirs.add(d);
    }
    for (const h of this.hiddenDirs) dirs.add(h.parent);
    return dirs;
  }

  /**
   * Renames everything into place. Each target is looked at again at that moment: one that is
   * no longer the file compared (or appeared since) is kept unless it is what sipbc wrote
   * (`wrote`) or --force; the kept paths are returned.
   */
  commit(wrote: (path: string, hash: string | undefined) => boolean): Kept[] {
    const kept: Kept[] = [];
    for (let i = 0; i < this.paths.length; i++) {
      const path = this.paths[i];
      const [d, name] = splitPath(path);
      const target = this.pinned.entry(d, name);
      const tmp = this.pinned.entry(d, this.tmpName(this.tmpNumbers[i]));
      if (!this.opts.force) {
        const st = lstatOrUndefined(target);
        const changed = this.inos[i] === 0 ? st !== undefined : st !== undefined && !sameFile(st, this.inos[i], this.ctimes[i]);
        if (changed && (!st!.isFile() || !wrote(path, hashFile(target)))) {
          tryUnlink(tmp);
          kept.push({ path, why: this.inos[i] === 0 ? 'appeared' : 'modified' });
          continue;
        }
      }
      renameSync(tmp, target);
      this.moved = true;
    }
    for (const h of this.hiddenDirs) {
      if (lstatOrUndefined(this.pinned.entry(h.parent, h.name))) {
        throw new SipbcError(`${join(this.root, h.parent, h.name)} was created by someone else while sipbc ran`, ExitCode.USAGE, 'run generate again');
      }
      renameSync(this.pinned.entry(h.parent, h.tmp), this.pinned.entry(h.parent, h.name));
      this.pinned.forget(h.parent === '' ? h.tmp : `${h.parent}/${h.tmp}`);
      this.moved = true;
    }
    return kept;
  }

  /** Removes the temp files and directories not yet moved and, when nothing was moved, the output directory if this run created it. */
  abort(): void {
    for (let i = 0; i < this.paths.length; i++) {
      try {
        tryUnlink(this.pinned.entry(dirOf(this.paths[i]), this.tmpName(this.tmpNumbers[i]))); // a moved one is gone already
      } catch {
        // its directory is no longer reachable without a link: nothing of ours to remove through it
      }
    }
    for (const h of this.hiddenDirs) {
      try {
        removeTree(this.pinned.entry(h.parent, h.tmp));
      } catch {
        // as above
      }
    }
    if (!this.moved) removeEmptyDirs(this.createdRoot);
  }
}

/** Temp entries of dead runs (our reserved prefix, another run's id) in the directory `rel`: removed; how many. Only under the lock, where no other run is live. */
function removeLeftovers(pinned: PinnedDirs, rel: string, runId: string): number {
  let names: string[];
  try {
    names = readdirSync(pinned.dir(rel));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    if (n.startsWith(`${TMP_PREFIX}${runId}-`) || n.startsWith(`${LOCK}.${runId}`)) continue; // this run's own
    if (!n.startsWith(TMP_PREFIX) && !(rel === '' && n.startsWith(`${LOCK}.`))) continue;
    removeTree(pinned.entry(rel, n));
    removed++;
  }
  return removed;
}

/** Every directory below DIR (links not followed), for the sweep after a killed run: the temp entries found are removed; how many. */
function sweepLeftovers(pinned: PinnedDirs, rel: string, runId: string): number {
  let removed = removeLeftovers(pinned, rel, runId);
  let entries;
  try {
    entries = readdirSync(pinned.dir(rel), { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) if (e.isDirectory()) removed += sweepLeftovers(pinned, rel === '' ? e.name : `${rel}/${e.name}`, runId);
  return removed;
}

/** Read-back space for holds(): a re-run over 100 000 files allocates no Buffer per file, nor one of tens of MB for policy.csv. */
const scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** Whether the file at `abs` (not a link) holds exactly `buf`: read and compared a piece at a time. */
function holds(abs: string, buf: Buffer): boolean {
  const fd = openSync(abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    for (let at = 0; ; ) {
      const n = readSync(fd, scratch, 0, scratch.length, null);
      if (n === 0) return at === buf.length;
      if (at + n > buf.length || !scratch.subarray(0, n).equals(buf.subarray(at, at + n))) return false; // longer, or other bytes
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** How `f` (its bytes: `buf`) differs from what DIR holds, or undefined when it is the same; `stat` is the file it would replace. */
function compareOne(
  dir: string,
  dirExists: boolean,
  dirs: DirChecker,
  f: { path: string; secret: boolean },
  buf: Buffer,
  access: Access,
): { change: Change; stat?: Stats } | undefined {
  if (!dirExists || dirs.check(dirOf(f.path), f.path) !== 'dir') return { change: { path: f.path, kind: 'create' } };
  const abs = join(dir, f.path);
  const st = lstatOrUndefined(abs);
  if (!st) return { change: { path: f.path, kind: 'create' } };
  if (st.isSymbolicLink()) {
    throw new SipbcError(`refusing to write ${f.path}: ${abs} is a symbolic link (sipbc never writes through a link)`, ExitCode.USAGE, 'remove the link');
  }
  if (!st.isFile()) throw new SipbcError(`cannot write ${f.path}: ${abs} exists and is not a regular file`, ExitCode.USAGE);
  if (st.size !== buf.length || !holds(abs, buf)) return { change: { path: f.path, kind: 'update', reason: 'content' }, stat: st };
  if (f.secret && (st.mode & 0o777) !== access.secretMode) return { change: { path: f.path, kind: 'update', reason: 'mode' }, stat: st };
  if (access.group && st.gid !== access.group.gid) return { change: { path: f.path, kind: 'update', reason: 'owner' }, stat: st };
  return undefined;
}

/** The abort flag's signal, if one was raised: the run stops before anything is renamed into place. */
function checkInterrupt(opts: SyncOptions): void {
  const stop = interruption(opts.abort);
  if (stop) throw stop;
}

/** An fs error while acting on `path` (DIR-relative) as a message that names the real path, not /proc/self/fd/N. */
function inPlace<T>(dir: string, path: string, act: () => T): T {
  try {
    return act();
  } catch (e) {
    throw environmentError(e, join(dir, path)) ?? e;
  }
}

/**
 * Compares the generated `files` (the groups in `groups`) with `dir` and, with `write: true`,
 * makes `dir` hold them: see the file's header for the order of operations and the guarantees.
 * Throws (leaving DIR as it was) on an unsafe path, a link inside DIR, a manifest that is not
 * ours, or any error thrown while iterating `files`.
 */
export function syncOutput(dir: string, files: Iterable<OutputFile | EncodedFile>, groups: readonly OutputGroup[], opts: SyncOptions): SyncResult {
  const warnings: string[] = [];
  const kept: Kept[] = [];
  const force = opts.force ?? false;
  let rootStat: Stats | undefined;
  try {
    rootStat = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw environmentError(e, dir) ?? new SipbcError(`cannot use output directory ${dir}: ${code ?? (e as Error).message}`, ExitCode.USAGE);
  }
  if (rootStat && !rootStat.isDirectory()) throw new SipbcError(`output directory ${dir} is not a directory`, ExitCode.USAGE);
  const dirExists = rootStat !== undefined;
  const previous: Previous = dirExists ? readManifest(dir) : { entries: new Map(), pending: new Map(), meta: {} };
  const redacted = opts.redacted ?? false;
  // An explicit --file-mode / --group wins; otherwise what the previous run recorded, so re-runs and --check keep to it.
  const access: Access = {
    secretMode: opts.access?.secretMode ?? previous.meta.access?.secretMode ?? DEFAULT_ACCESS.secretMode,
    group: opts.access?.group ?? previous.meta.access?.group,
  };
  const meta: ManifestMeta = { redacted, access };
  // A review copy must not overwrite a live directory's passwords with REDACTED by mistake.
  if (opts.write && redacted && !force && previous.digest !== undefined && !previous.meta.redacted && previous.entries.size > 0) {
    throw new SipbcError(
      `${dir} holds real passwords (its manifest is not from a --redact run): --redact would replace every one with REDACTED`,
      ExitCode.USAGE,
      'write the review copy to another directory, or add --force if that is what you want',
    );
  }
  const dirs = new DirChecker(dir);
  const pinned = new PinnedDirs(dir);
  const runId = opts.runId ?? `${process.pid}`;
  const stage = opts.write ? new Stage(dir, dirs, pinned, { ...opts, runId, gid: access.group?.gid, secretMode: access.secretMode }) : undefined;
  // A killed run's lock was taken over: its temp entries may be anywhere, also where this run stages nothing.
  if (stage && opts.sweep && dirExists) stage.leftovers += sweepLeftovers(pinned, '', runId);
  /** A file about to be replaced or removed that sipbc did not write as it is: kept (reported) unless --force. */
  const keep = (path: string, abs: string): boolean => {
    if (force) return false;
    if (wroteIt(previous, path, hashFile(abs))) return false;
    kept.push({ path, why: previous.entries.has(path) ? 'modified' : 'foreign' });
    return true;
  };

  // One file at a time: compare, stage if it changed, keep only its path, hash and change.
  const next = new Map<string, string>();
  const changes: Change[] = [];
  /** Files whose bytes are right but whose mode or group is not: path → the mode to set (undefined: only the group). */
  const repairs = new Map<string, number | undefined>();
  let generated = 0;
  try {
    for (const f of files) {
      checkInterrupt(opts);
      assertSafePath(f.path);
      if (next.has(f.path)) throw new SipbcError(`two generated files have the same path ${f.path}`, ExitCode.INTERNAL);
      const buf = 'sha256' in f ? f.contents : utf8Of(f);
      next.set(f.path, 'sha256' in f ? f.sha256 : sha256(buf));
      generated++;
      const compared = compareOne(dir, dirExists, dirs, f, buf, access);
      if (!compared) continue;
      const { change, stat } = compared;
      if (change.reason === 'content' && keep(f.path, join(dir, f.path))) {
        const old = previous.entries.get(f.path);
        if (old === undefined) next.delete(f.path);
        else next.set(f.path, old); // still sipbc's to replace with --force or remove once no longer generated
        continue;
      }
      changes.push(change);
      if (change.reason === 'mode' || change.reason === 'owner') repairs.set(f.path, f.secret ? access.secretMode : undefined);
      else if (stage) inPlace(dir, f.path, () => stage.put(f.path, buf, f.secret, stat));
    }
  } catch (e) {
    stage?.abort();
    pinned.close();
    throw e;
  }
  const changedFiles = changes.length;

  // Stale: listed in the previous manifest, in a group this run produces, and no longer generated.
  const stale: { path: string; stat: Stats }[] = [];
  for (const [p, h] of previous.entries) {
    const reason = unsafePathReason(p);
    if (reason) {
      warnings.push(`ignoring manifest entry "${p}": it ${reason}`);
      continue;
    }
    if (!groups.includes(groupOf(p)))
      next.set(p, h); // another group, not produced this run: still ours
    else if (!next.has(p)) {
      try {
        if (dirs.check(dirOf(p), p) !== 'dir') continue;
      } catch (e) {
        warnings.push(`not removing ${p}: ${(e as Error).message}`);
        continue;
      }
      const st = lstatOrUndefined(join(dir, p));
      if (!st) continue;
      if (!st.isFile()) {
        warnings.push(`not removing ${p}: it is no longer a regular file (a link or a directory), so sipbc did not write it`);
        continue;
      }
      if (keep(p, join(dir, p))) {
        next.set(p, h);
        continue;
      }
      stale.push({ path: p, stat: st });
      changes.push({ path: p, kind: 'remove' });
    }
  }
  changes.sort((a, b) => comparePaths(a.path, b.path));

  const result: SyncResult = {
    dir,
    files: generated,
    changes,
    unchanged: generated - changedFiles - kept.length,
    kept,
    manifestChanged: previous.digest === undefined || previous.digest !== sha256OfPieces(manifestChunks(next, meta)),
    manifestExisted: previous.digest !== undefined,
    warnings,
  };
  if (!stage) {
    pinned.close();
    return finish(result);
  }

  const touched = stage.dirsToSync(changes);
  // The manifest as the renames leave it: `next`, unless the intent manifest below already is exactly that.
  let finalPending = result.manifestChanged;
  /** The previous manifest, kept under a temp name while the intent manifest stands in for it (put back by an abort). */
  let backup: string | undefined;
  let intent = false;
  try {
    opts.beforeCommit?.();
    checkInterrupt(opts);
    stage.prepareRoot();
    // Files are added or replaced: first an intent manifest — old ∪ new paths, and the new sha256 of each replaced
    // file beside its old one — so a run killed halfway still knows every file it wrote, in either version.
    // 0600: the sha256 of a credential file confirms a password guess to anyone who can read the manifest.
    const creates = changes.some((c) => c.kind === 'create' && !previous.entries.has(c.path));
    const updates = new Map<string, string>();
    for (const c of changes) if (c.kind === 'update' && c.reason === 'content' && previous.entries.has(c.path)) updates.set(c.path, next.get(c.path)!);
    if (creates || updates.size > 0) {
      let union = next;
      for (const [p, h] of previous.entries) {
        if (unsafePathReason(p) || (union.has(p) && !updates.has(p))) continue;
        if (union === next) union = new Map(next);
        union.set(p, h);
      }
      if (previous.digest !== undefined) {
        backup = join(dir, `${TMP_PREFIX}${runId}-prev`);
        linkSync(join(dir, MANIFEST), backup);
      }
      intent = true;
      writeFileAtomic(dir, MANIFEST, intentChunks(union, updates, meta), 0o600, runId);
      // Nothing old to keep (a first run, or one that only adds files): it already is the final manifest, not written twice.
      finalPending = union !== next;
    }
    checkInterrupt(opts);
    for (const k of stage.commit((p, h) => wroteIt(previous, p, h) || h === next.get(p))) {
      kept.push(k);
      const old = previous.entries.get(k.path);
      if (old === undefined) next.delete(k.path);
      else next.set(k.path, old);
      finalPending = true;
    }
  } catch (e) {
    stage.abort();
    pinned.close();
    if (intent && !stage.moved) {
      // Nothing moved: DIR as it was, its manifest included.
      if (backup)
        renameSync(backup, join(dir, MANIFEST)); // (a no-op when the intent manifest was never renamed in: the same file)
      else tryUnlink(join(dir, MANIFEST));
    }
    if (backup) tryUnlink(backup);
    throw environmentError(e) ?? e;
  }
  if (backup) tryUnlink(backup);
  // Past this point every file is in place: removals and repairs, each looked at again as it is done.
  const emptied = new Set<string>();
  for (const { path, stat } of stale) {
    const [d, name] = splitPath(path);
    let target: string;
    try {
      target = pinned.entry(d, name);
    } catch (e) {
      warnings.push(`not removing ${path}: ${(e as Error).message}`);
      next.set(path, previous.entries.get(path)!);
      continue;
    }
    const st = lstatOrUndefined(target);
    if (!st) continue;
    if (!force && !sameFile(st, stat.ino, stat.ctimeMs) && !(st.isFile() && wroteIt(previous, path, hashFile(target)))) {
      kept.push({ path, why: 'modified' });
      next.set(path, previous.entries.get(path)!);
      continue;
    }
    inPlace(dir, path, () => unlinkSync(target));
    if (d !== '') emptied.add(d);
  }
  removeEmptied(pinned, emptied);
  for (const [path, mode] of repairs) {
    const [d, name] = splitPath(path);
    inPlace(dir, path, () => {
      const fd = openSync(pinned.entry(d, name), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        setAccess(fd, mode, access.group?.gid);
      } finally {
        closeSync(fd);
      }
    });
  }
  for (const d of touched) {
    try {
      fsyncDir(pinned.dir(d));
    } catch {
      // removed meanwhile (emptied), or no longer reachable without a link
    }
  }
  pinned.close();
  if (finalPending || kept.length > 0) {
    writeFileAtomic(dir, MANIFEST, manifestChunks(next, meta), 0o600, runId);
    fsyncDir(dir);
  }
  if (stage.leftovers > 0) warnings.push(`removed ${stage.leftovers} temp ${stage.leftovers === 1 ? 'entry' : 'entries'} left by an interrupted run`);
  return finish(result);
}

/** The kept files in path order, each also a warning; the changes without them. */
function finish(r: SyncResult): SyncResult {
  r.kept.sort((a, b) => comparePaths(a.path, b.path));
  if (r.kept.length > 0) {
    const gone = new Set(r.kept.map((k) => k.path));
    r.changes = r.changes.filter((c) => !gone.has(c.path));
    for (const k of r.kept) r.warnings.push(keptMessage(k));
  }
  return r;
}

/** Directories a removal left empty: removed, and their parents while they are empty too (DIR itself stays). */
function removeEmptied(pinned: PinnedDirs, dirs: Set<string>): void {
  const deepestFirst = [...dirs].sort((a, b) => b.split('/').length - a.split('/').length || comparePaths(a, b));
  const done = new Set<string>();
  for (let d of deepestFirst) {
    while (d !== '' && !done.has(d)) {
      done.add(d);
      const [parent, name] = splitPath(d);
      try {
        pinned.forget(d);
        rmdirSync(pinned.entry(parent, name));
      } catch {
        break; // not empty (or not reachable without a link): it and its parents stay
      }
      d = parent;
    }
  }
}

/** Writes `contents` to `dir/name` atomically: temp file in the same directory, fsync, rename. */
function writeFileAtomic(absDir: string, name: string, contents: Iterable<string>, mode: number, runId: string): void {
  const tmp = join(absDir, `${TMP_PREFIX}${runId}-m`);
  tryUnlink(tmp); // an earlier write of this run that failed
  writeNewFile(tmp, contents, true, new ExactMode(mode));
  try {
    renameSync(tmp, join(absDir, name));
  } catch (e) {
    tryUnlink(tmp);
    throw e;
  }
}

/** `--check`: the paths that differ from what would be written (the manifest and the kept files included). */
export function driftOf(r: SyncResult): Change[] {
  const out = [...r.changes];
  for (const k of r.kept) out.push({ path: k.path, kind: 'update', reason: 'content' });
  out.sort((a, b) => comparePaths(a.path, b.path));
  if (r.manifestChanged) out.push({ path: MANIFEST, kind: r.manifestExisted ? 'update' : 'create', reason: 'content' });
  return out;
}
