/**
 * One writing run at a time per output directory: `DIR/.sipbc-lock`, made exclusively (a
 * complete file linked into place, so no one ever reads a half-written lock) and holding the
 * run's pid, host, start time and id. A second run fails at once (or after `--wait`) with exit 2,
 * naming the holder. A lock whose process is gone — same host, and no process with that pid, or
 * one started after the lock was taken (the pid was reused) — is taken over after saying so: that
 * run was killed, so its temp entries anywhere in DIR are removed under the new lock.
 *
 * What the lock trusts: runs on other hosts (a shared network directory) cannot be checked for
 * life, so their lock is only ever removed by hand; and whoever may write DIR can remove the lock,
 * so it guards against accidents (two cron jobs, a CI retry), not against that user.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExitCode, SipbcError } from '../core/errors.js';
import { makeDirs, removeEmptyDirs, tryUnlink } from './safe-fs.js';

export const LOCK = '.sipbc-lock';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601, UTC. */
  started: string;
  /** The run's id: its temp entries are named `.sipbc-tmp-<id>-N`. */
  run: string;
}

/** A new run's id: its pid and a random part (pids are reused; two hosts may share a pid). */
export function newRunId(): string {
  return `${process.pid}.${randomBytes(3).toString('hex')}`;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.started === 'string' && typeof h.run === 'string') return h as LockHolder;
  } catch {
    // unreadable or not ours: treated as held
  }
  return undefined;
}

/** Seconds since the epoch at which process `pid` started (Linux /proc), or undefined. */
function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); // field 22, starttime
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime + ticks / 100 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Whether the run that holds the lock is certainly gone (it can only be known on its own host). */
export function holderIsGone(h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const start = processStart(h.pid);
  // A process of that pid started after the lock was written is another one (the pid was reused).
  return start !== undefined && start > Date.parse(h.started) / 1000 + 2;
}

export interface AcquireOptions {
  /** How long to wait for another run to finish, in ms (0: fail at once). */
  waitMs?: number;
  /** Said when a dead run's lock is taken over. */
  onTakeover?: (h: LockHolder) => void;
  /** Checked while waiting: a signal stops the wait. */
  cancelled?: () => boolean;
}

export class OutputLock {
  /** The lock of a killed run that this one took over (its temp entries are to be removed). */
  readonly tookOver: LockHolder | undefined;
  private released = false;

  private constructor(
    readonly dir: string,
    readonly holder: LockHolder,
    tookOver: LockHolder | undefined,
    /** DIR and the parents this run created for it, deepest first (removed again if left empty). */
    private readonly created: string[],
  ) {
    this.tookOver = tookOver;
  }

  /** Creates DIR if needed and takes its lock; throws a usage error naming the holder when another run has it. */
  static async acquire(dir: string, runId: string, opts: AcquireOptions = {}): Promise<OutputLock> {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st && !st.isDirectory())
      throw new SipbcError(`output directory ${dir} is not a directory`, ExitCode.USAGE, 'give a directory (created if it does not exist)');
    const created = makeDirs(dir);
    const holder: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), run: runId };
    const path = join(dir, LOCK);
    const deadline = Date.now() + (opts.waitMs ?? 0);
    let tookOver: LockHolder | undefined;
    for (;;) {
      if (place(dir, path, holder)) return new OutputLock(dir, holder, tookOver, created);
      const other = readHolder(path);
      if (other && holderIsGone(other)) {
        if (takeOver(path, other, runId)) {
          opts.onTakeover?.(other);
          tookOver = other;
        }
        continue;
      }
      if (Date.now() >= deadline || opts.cancelled?.()) {
        removeEmptyDirs(created);
        throw new SipbcError(
          other
            ? `${dir} is being generated by pid ${other.pid} on ${other.host} since ${other.started}`
            : `${dir} is locked by another run (${path} exists but cannot be read)`,
          ExitCode.USAGE,
          other && other.host !== hostname()
            ? `wait for that run to finish (--wait SECONDS); if it is gone, remove ${path}`
            : `wait for that run to finish (--wait SECONDS waits for it); if no sipbc run is active, remove ${path}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Removes the lock if it is still this run's, and DIR (with the parents this run made) if nothing is in it. Idempotent, synchronous (also called at exit). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const path = join(this.dir, LOCK);
    if (readHolder(path)?.run === this.holder.run) tryUnlink(path);
    removeEmptyDirs(this.created);
  }
}

/** Links a complete lock file into place; false when a lock is there already. */
function place(dir: string, path: string, holder: LockHolder): boolean {
  const text = `${JSON.stringify(holder)}\n`;
  const tmp = join(dir, `${LOCK}.${holder.run}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
  } finally {
    tryUnlink(tmp);
  }
  // A file system without hard links: an exclusive create (a reader may see it empty for an instant: treated as held).
  let fd2: number;
  try {
    fd2 = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd2, text);
  } finally {
    closeSync(fd2);
  }
  return true;
}

/** Moves a dead run's lock aside and removes it — unless another run replaced it meanwhile (then it is put back). */
function takeOver(path: string, dead: LockHolder, runId: string): boolean {
  const aside = `${path}.stale.${runId}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false; // someone else took it
    throw e;
  }
  const moved = readHolder(aside);
  if (moved?.run === dead.run) {
    tryUnlink(aside);
    return true;
  }
  try {
    linkSync(aside, path); // a live run's lock: back where it was
  } catch {
    // a third run holds the lock now; the one moved aside was live, and its run removes it
  }
  tryUnlink(aside);
  return false;
}
