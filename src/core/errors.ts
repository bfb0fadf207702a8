/**
 * The one error model and the one table of exit codes.
 *
 *   0  success
 *   1  the inventory is invalid (an error-severity finding, or a warning with --strict; a YAML/JSON
 *      syntax error is the finding SIPBC-E-SYNTAX)
 *   2  usage error or unreadable input (missing file, not a text file, not a mapping, unknown flag value)
 *   3  `generate --check` found drift
 *   70 unexpected internal error (a bug: please report it)
 *  130 / 143 `generate` stopped by SIGINT / SIGTERM (128 + the signal's number, as a shell reports it)
 */
export const ExitCode = {
  OK: 0,
  INVALID: 1,
  USAGE: 2,
  DRIFT: 3,
  INTERNAL: 70,
  SIGINT: 130,
  SIGTERM: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: printed as one line (plus optional hint), never with a stack trace. */
export class SipbcError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.USAGE,
    readonly hint?: string,
    /** What a --json error object carries besides the message (e.g. the findings that refused a run). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SipbcError';
  }
}

/** What the system said, in words a user can act on: errno code → what it means and what to do. */
const ENVIRONMENT: Record<string, { what: string; fix: string }> = {
  EACCES: { what: 'permission denied', fix: 'run sipbc as a user who may read and write there, or choose another directory' },
  EPERM: { what: 'operation not permitted', fix: "run sipbc as a user who may change that file (check its owner and the directory's sticky bit)" },
  ENOSPC: { what: 'no space left on the device', fix: 'free some space (or choose a directory on another file system) and run again' },
  EDQUOT: { what: 'disk quota exceeded', fix: 'free some space within your quota and run again' },
  EROFS: { what: 'read-only file system', fix: 'choose a directory on a writable file system' },
  EMFILE: { what: 'too many open files', fix: 'raise the open-file limit (ulimit -n) and run again' },
  ENFILE: { what: 'too many open files on this system', fix: 'close other programs or raise the system limit (fs.file-max)' },
  ENOTDIR: { what: 'a component of the path is not a directory', fix: 'remove or rename the file that is in the way' },
  EEXIST: { what: 'it exists already', fix: 'remove or rename it, or choose another directory' },
  EISDIR: { what: 'it is a directory', fix: 'give a file, or remove the directory that is in the way' },
  ELOOP: { what: 'it is a symbolic link (sipbc never follows links inside its output directory)', fix: 'replace the link with a real directory or file' },
  EIO: { what: 'an input/output error (the device failed)', fix: 'check the disk or network file system, then run again' },
};

/**
 * An error from the system (a full disk, no permission, …) as a usage error (exit 2) that names
 * the path and says what to do; undefined for anything else (which stays a bug, exit 70).
 * `where` replaces a path the error names (the writer reaches directories through
 * /proc/self/fd/N, a name no user should see).
 */
export function environmentError(e: unknown, where?: string): SipbcError | undefined {
  if (e instanceof SipbcError) return e;
  const err = e as NodeJS.ErrnoException;
  const known = typeof err?.code === 'string' ? ENVIRONMENT[err.code] : undefined;
  if (!known) return undefined;
  const path = where ?? err.path;
  return new SipbcError(`${path ? `${path}: ` : ''}${known.what} (${err.code}${err.syscall ? ` in ${err.syscall}` : ''})`, ExitCode.USAGE, known.fix);
}

/**
 * The error of a run stopped by a signal, from the shared abort flag (0: none, else the signal's
 * number, 2 or 15), which generate's signal handler sets and its writer thread reads.
 */
export function interruption(abort: Int32Array | undefined): SipbcError | undefined {
  const n = abort ? Atomics.load(abort, 0) : 0;
  if (n === 0) return undefined;
  return n === 15 ? new SipbcError('interrupted by SIGTERM', ExitCode.SIGTERM) : new SipbcError('interrupted by SIGINT', ExitCode.SIGINT);
}
