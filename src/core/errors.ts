/**
 * The one error model and the one table of exit codes (SPEC §2).
 *
 *   0  success
 *   1  the inventory is invalid (an error-severity finding, or a warning with --strict)
 *   2  usage error or unreadable input (missing file, malformed YAML/JSON, unknown flag value)
 *   3  `generate --check` found drift
 *   70 unexpected internal error (a bug: please report it)
 */
export const ExitCode = {
  OK: 0,
  INVALID: 1,
  USAGE: 2,
  DRIFT: 3,
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: printed as one line (plus optional hint), never with a stack trace. */
export class SipbcError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.USAGE,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SipbcError';
  }
}
