/**
 * Run the built CLI inside a real pseudo-terminal (`script` from util-linux / bsdutils), as a user
 * at a terminal runs it: stdout and stderr are the terminal unless the shell line redirects them.
 *
 *   const r = runInPty('validate bad.yaml 2>err.log', { cwd: dir, env: { NO_COLOR: '1' } });
 *
 * `r.output` is what the terminal showed (with \r\n line ends, as a terminal gets them).
 */
import { spawnSync } from 'node:child_process';
import { BIN, REPO_ROOT } from './cli.js';

/** A word for the shell, single-quoted. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface PtyOptions {
  cwd?: string;
  /** Set on top of a plain environment (TERM=xterm-256color, no NO_COLOR / FORCE_COLOR / COLUMNS, no CI markers). */
  env?: Record<string, string | undefined>;
  /** The terminal's width (stty cols); default 80. */
  columns?: number;
}

// What makes Node's getColorDepth judge a terminal differently (CI runners set some of these).
const CI_MARKERS = [
  'CI',
  'CI_NAME',
  'NODE_DISABLE_COLORS',
  'TMUX',
  'COLORTERM',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'TRAVIS',
  'CIRCLECI',
  'APPVEYOR',
  'BUILDKITE',
  'DRONE',
  'TF_BUILD',
];

/** `sipbcArgs` is the rest of a shell line after `node bin/run.js` (arguments already quoted, redirections allowed). */
export function runInPty(sipbcArgs: string, opts: PtyOptions = {}): { code: number; output: string } {
  const env: Record<string, string | undefined> = {
    ...process.env,
    TERM: 'xterm-256color',
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    COLUMNS: undefined,
    LINES: undefined,
    SIPBC_DEBUG: undefined,
  };
  delete env.NODE_TEST_CONTEXT;
  // A user's terminal, not the CI runner the suite may run on: Node's getColorDepth reports two
  // colours when CI is set (unless a known CI provider is named), as it does for NODE_DISABLE_COLORS.
  for (const k of CI_MARKERS) delete env[k];
  Object.assign(env, opts.env ?? {});
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const line = `stty cols ${opts.columns ?? 80} rows 50; ${shq(process.execPath)} ${shq(BIN)} ${sipbcArgs}`;
  // -q: no "Script started" lines; -e: the command's exit status; -c: the command; /dev/null: no typescript file.
  const r = spawnSync('script', ['-qec', line, '/dev/null'], { cwd: opts.cwd ?? REPO_ROOT, env: env as NodeJS.ProcessEnv, timeout: 60_000, input: '' });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, output: r.stdout.toString('utf8') };
}

/** An ANSI colour/style escape (CSI … m). */
export const ANSI = /\x1b\[[0-9;]*m/;
