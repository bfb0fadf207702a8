/**
 * Every sipbc command extends this: one place that turns errors into exit
 * codes (errors.ts), so no command prints a stack trace for expected failures.
 */
import { Command, Errors } from '@oclif/core';
import { ExitCode, SipbcError } from '../core/errors.js';

export abstract class SipbcCommand extends Command {
  /** Writes to stdout and waits until it is flushed (a pipe may be slower than the process exit). */
  protected writeOut(text: string | Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof SipbcError) {
      this.logToStderr(`sipbc: ${err.message}`);
      if (err.hint) this.logToStderr(`  hint: ${err.hint}`);
      return this.exit(err.exitCode);
    }
    // oclif's own exits and usage errors (unknown flag, missing argument) keep their codes (usage = 2).
    if (err instanceof Errors.ExitError || err.oclif?.exit !== undefined) throw err;
    this.logToStderr(`sipbc: internal error: ${err.message}`);
    this.logToStderr('  this is a bug in sipbc; please report it with the command you ran (set SIPBC_DEBUG=1 for a stack trace)');
    if (process.env.SIPBC_DEBUG) this.logToStderr(String(err.stack));
    return this.exit(ExitCode.INTERNAL);
  }
}
