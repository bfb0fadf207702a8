/**
 * What crosses back from a worker thread (generate-worker.ts, write-worker.ts): the value, or the
 * error it threw — a SipbcError keeps its exit code and hint on the other side.
 */
import { ExitCode, SipbcError } from '../core/errors.js';

export type ThreadReply<T> = { value: T } | { error: { message: string; exitCode?: ExitCode; hint?: string; stack?: string; sipbc: boolean } };

export async function settle<T>(run: () => T | Promise<T>): Promise<ThreadReply<T>> {
  try {
    return { value: await run() };
  } catch (e) {
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
