/**
 * What crosses back from a worker thread (generate-worker.ts, write-worker.ts): the value, or the
 * error it threw — a SipbcError keeps its exit code and hint on the other side.
 */
import type { Worker } from 'node:worker_threads';
import { environmentError, ExitCode, SipbcError } from '../core/errors.js';

export type ThreadReply<T> = { value: T } | { error: { message: string; exitCode?: ExitCode; hint?: string; stack?: string; sipbc: boolean } };

export async function settle<T>(run: () => T | Promise<T>): Promise<ThreadReply<T>> {
  try {
    return { value: await run() };
  } catch (caught) {
    const e = environmentError(caught) ?? caught; // a system error's code and path do not survive the crossing: put them in words here
    const err = e as Error & { exitCode?: ExitCode; hint?: string };
    return { error: { message: err.message, exitCode: err.exitCode, hint: err.hint, stack: err.stack, sipbc: e instanceof SipbcError } };
  }
}

export function unsettle<T>(reply: ThreadReply<T>): T {
  if ('value' in reply) return reply.value;
  const { message, exitCode, hint, stack, sipbc } = reply.error;
  if (sipbc) throw new SipbcError(message, exitCode ?? ExitCode.INTERNAL, hint);
  const err = new Error(message);
  err.stack = stack;
  throw err;
}

/**
 * What `worker` replies (its one message, unsettled), or why it has none: its 'error' (e.g.
 * ERR_WORKER_OUT_OF_MEMORY), or an exit without a reply. Settles once the worker has exited, so a
 * caller that runs again after a failure never overlaps it.
 */
export function workerResult<T>(worker: Worker, name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let reply: ThreadReply<T> | undefined;
    let error: unknown;
    worker.once('message', (m: ThreadReply<T>) => (reply = m));
    worker.once('error', (e) => (error = e));
    worker.once('exit', (code) => {
      if (error !== undefined) reject(error);
      else if (reply === undefined) reject(new SipbcError(`the ${name} stopped (exit code ${code}) without a result`, ExitCode.INTERNAL));
      else {
        try {
          resolve(unsettle(reply));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}
