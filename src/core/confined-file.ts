/**
 * Reading a small file named by untrusted input (a `file:` secret, a user template, a user
 * catalogue) so that it cannot reach anything else:
 *
 *   - its real path (symbolic links resolved) must be inside the root directory's real path:
 *     no `..` climbing out, no absolute path elsewhere, no link leading out;
 *   - it is opened with O_NONBLOCK (a FIFO must not hang the run) and O_NOFOLLOW (a link swapped in
 *     after the check is refused), then fstat'ed: only a regular file is read (no FIFO, device,
 *     socket or directory: /dev/zero is endless, a FIFO blocks for ever);
 *   - at most `maxBytes` are read, and the content must be UTF-8.
 *
 * The outcome's `problem` completes a sentence that starts with the file's name ("secret file
 * x.txt …"); it never quotes the content.
 */
import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, realpathSync, type Stats } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';

export type ConfinedRead =
  | { ok: true; text: string }
  /** `missing`: the file does not exist (a place where it could be: not outside the root). */
  | { ok: false; problem: string; missing?: boolean };

export interface ConfinedReadOptions {
  maxBytes: number;
  /** How the root is named in problems (default: its path). */
  rootLabel?: string;
}

/** Is `path` strictly inside directory `dir` (both absolute and normalised)? */
export function isInside(dir: string, path: string): boolean {
  return path !== dir && path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'ELOOP':
      return 'is a symbolic link loop, or was replaced by a link while being read';
    default:
      return `cannot be read (${code ?? 'error'})`;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The path the kernel has for an open descriptor (Linux /proc), or undefined where there is none. */
function openedPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** Reads `path` (relative to `root`, or absolute) if it is a regular UTF-8 file of at most `opts.maxBytes` inside `root`. */
export function readConfinedFile(root: string, path: string, opts: ConfinedReadOptions): ConfinedRead {
  const label = opts.rootLabel ?? root;
  const rootAbs = resolve(root);
  const abs = isAbsolute(path) ? resolve(path) : resolve(rootAbs, path);
  let realRoot: string;
  try {
    realRoot = realpathSync(rootAbs);
  } catch (e) {
    return { ok: false, problem: `cannot be checked: its directory ${label} ${fsProblem(e)}` };
  }
  const lexicallyInside = isInside(rootAbs, abs) || isInside(realRoot, abs);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    if (!lexicallyInside) return { ok: false, problem: `is outside ${label}` };
    const problem = fsProblem(e);
    return { ok: false, problem, missing: problem === 'does not exist' };
  }
  if (!isInside(realRoot, real)) {
    return { ok: false, problem: lexicallyInside ? `leads outside ${label} through a symbolic link` : `is outside ${label}` };
  }
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    return { ok: false, problem: fsProblem(e) };
  }
  try {
    // O_NOFOLLOW guards the last component only: where /proc shows what was opened, check it again
    // (a directory of the path swapped for a link after realpath).
    const opened = openedPath(fd);
    if (opened !== undefined && !isInside(realRoot, opened)) return { ok: false, problem: `leads outside ${label} (it changed while being opened)` };
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, problem: `is ${kindOf(st)}, not a regular file` };
    const tooBig = { ok: false as const, problem: `is larger than ${opts.maxBytes} bytes` };
    if (st.size > opts.maxBytes) return tooBig;
    // The size can be wrong (files of /proc say 0): read at most one byte more than allowed.
    const buf = Buffer.alloc(opts.maxBytes + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > opts.maxBytes) return tooBig;
    }
    try {
      return { ok: true, text: UTF8.decode(buf.subarray(0, n)) };
    } catch {
      return { ok: false, problem: 'is not UTF-8 text' };
    }
  } catch (e) {
    return { ok: false, problem: fsProblem(e) };
  } finally {
    closeSync(fd);
  }
}
