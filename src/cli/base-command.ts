/**
 * Every sipbc command extends this: one place that turns errors into exit codes (errors.ts), so
 * no command prints a stack trace for expected failures, and an error the system reports (no
 * permission, a full disk, …) reads as what it is, with exit 2 — 70 is left for real bugs.
 * With --json an error is oclif's JSON error object on stdout; the exit code stays.
 */
import { Command, Errors, Flags } from '@oclif/core';
import { setupColour } from './colour.js';
import { environmentError, ExitCode } from '../core/errors.js';

/** A reader that went away (`sipbc policy … | head -1`): the output is no longer wanted, so sipbc ends quietly. */
function isBrokenPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

process.stdout.on('error', (e) => {
  if (isBrokenPipe(e)) process.exit(process.exitCode ?? 0);
  throw e;
});

export abstract class SipbcCommand extends Command {
  /** On every command; read by setupColour (src/cli/colour.ts) before anything is printed. */
  static override baseFlags = {
    'no-color': Flags.boolean({
      helpGroup: 'GLOBAL',
      description: 'no colour (also NO_COLOR=1, TERM=dumb, or output that is not a terminal; FORCE_COLOR=1 forces it)',
    }),
  };

  protected override async init(): Promise<void> {
    await super.init();
    setupColour(this.argv);
  }

  /** Writes to stdout and waits until it is flushed (a pipe may be slower than the process exit). */
  protected writeOut(text: string | Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isBrokenPipe(err)) return this.exit(Number(process.exitCode ?? ExitCode.OK));
    // oclif's own exits keep their codes.
    if (err instanceof Errors.ExitError) throw err;
    const known = environmentError(err);
    if (known) return this.fail(known.message, known.exitCode, known.hint, undefined, known.details);
    // oclif's usage errors (unknown flag, missing argument) keep their code (2) and, without --json, oclif's printing.
    if (err.oclif?.exit !== undefined) {
      if (this.jsonEnabled()) return this.fail(err.message, err.oclif.exit);
      throw err;
    }
    return this.fail(
      `internal error: ${err.message}`,
      ExitCode.INTERNAL,
      'this is a bug in sipbc; please report it with the command you ran (set SIPBC_DEBUG=1 for a stack trace)',
      err.stack,
    );
  }

  /** Prints the error — on stderr, or with --json as `{ "error": { … } }` on stdout — and exits with `code`. */
  private fail(message: string, code: number, hint?: string, stack?: string, details?: Record<string, unknown>): never {
    if (this.jsonEnabled()) {
      this.logJson({
        error: { name: code === ExitCode.INTERNAL ? 'InternalError' : 'SipbcError', message, ...(hint ? { hint } : {}), exitCode: code, ...details },
      });
    } else {
      this.logToStderr(`sipbc: ${message}`);
      if (hint) this.logToStderr(`  ${code === ExitCode.INTERNAL ? '' : 'hint: '}${hint}`);
      if (stack && process.env.SIPBC_DEBUG) this.logToStderr(stack);
    }
    return this.exit(code);
  }
}
