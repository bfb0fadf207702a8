/**
 * The one place that decides whether sipbc colours its output, separately for each stream: what
 * goes to stdout is coloured by stdout's rules, what goes to stderr by stderr's (a terminal on
 * stdout and `2>err.log` gives a clean err.log). In order of precedence:
 *
 *   --no-color           off
 *   NO_COLOR (non-empty) off (the user's opt-out beats a FORCE_COLOR that CI tools often set globally)
 *   FORCE_COLOR          0 / false: off; 1, 2, 3 (or empty / true): on at that level, even into a pipe or file
 *   not a terminal       off
 *   TERM=dumb            off
 *   otherwise            the depth the terminal's TERM / COLORTERM report (none, 16, 256 or 16 million colours)
 *
 * chalk's own choice is not used: it ignores NO_COLOR and decides stderr by stdout.
 * The width a table may take (outputWidth) is decided here too.
 */
import { Chalk, type ChalkInstance, type ColorSupportLevel } from 'chalk';

export interface ColourStream {
  isTTY?: boolean;
  getColorDepth?(env?: Record<string, string | undefined>): number;
}

/** The chalk level for output written to `stream`, by the rules above. */
export function colourLevel(stream: ColourStream, env: Record<string, string | undefined>, noColorFlag: boolean): ColorSupportLevel {
  if (noColorFlag || env.NO_COLOR) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '' || force === 'true') return 1;
    const n = Number.parseInt(force, 10);
    return Number.isNaN(n) ? 1 : (Math.min(Math.max(n, 0), 3) as ColorSupportLevel);
  }
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  // The terminal's depth, judged without NO_COLOR / FORCE_COLOR (handled above).
  const depth = stream.getColorDepth?.({ ...env, NO_COLOR: undefined, FORCE_COLOR: undefined }) ?? 4;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
}

/** `--no-color` among the arguments before a `--`. */
export function hasNoColorFlag(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--no-color');
}

/** Colours for what is written to stdout (reports, tables) and to stderr (findings that refused a run, warnings). */
export const colour: { stdout: ChalkInstance; stderr: ChalkInstance } = {
  stdout: new Chalk({ level: 0 }),
  stderr: new Chalk({ level: 0 }),
};

/** Decides both levels; every command calls this first (SipbcCommand.init) with its arguments. */
export function setupColour(argv: readonly string[], env: Record<string, string | undefined> = process.env): void {
  const off = hasNoColorFlag(argv);
  colour.stdout.level = colourLevel(process.stdout, env, off);
  colour.stderr.level = colourLevel(process.stderr, env, off);
}

setupColour(process.argv.slice(2));

/**
 * How wide stdout's lines may be: COLUMNS when set to a positive number (also for a pipe, e.g.
 * `COLUMNS=100 sipbc policy … | less`), else the terminal's width; undefined (no limit) when
 * stdout is not a terminal, so files and scripts get whole lines.
 */
export function outputWidth(
  env: Record<string, string | undefined> = process.env,
  stream: { isTTY?: boolean; columns?: number } = process.stdout,
): number | undefined {
  const cols = Number(env.COLUMNS);
  if (Number.isInteger(cols) && cols > 0) return cols;
  return stream.isTTY && stream.columns ? stream.columns : undefined;
}
