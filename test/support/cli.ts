/**
 * Run the built CLI (`node bin/run.js …`) as a user would, and capture what it prints.
 *
 *   const r = runCli(['validate', 'examples/inventory.yaml']);
 *   assert.equal(r.code, 0, r.stderr);
 *
 * Tests are compiled to dist/test/…; the repository root is found from there.
 * Colour is off unless the caller sets FORCE_COLOR in `env`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The repository root (holds package.json and bin/run.js), from dist/test/support or test/support. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bin', 'run.js'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root from ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

export const BIN = join(REPO_ROOT, 'bin', 'run.js');

/** A path inside the repository (e.g. repoPath('examples', 'inventory.yaml')). */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export interface RunCliOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Text fed to stdin (for `-`). */
  input?: string | Buffer;
  /** Extra environment variables; NO_COLOR/FORCE_COLOR/COLUMNS are cleared first so output is plain and unwrapped unless set here. */
  env?: Record<string, string | undefined>;
  /** Milliseconds before the process is killed (default 60 s). */
  timeout?: number;
}

/** Spawns `node bin/run.js ...args` with a plain environment (no colour, no debug, not a node:test child). */
function spawnCli(args: readonly string[], opts: RunCliOptions) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, COLUMNS: undefined, SIPBC_DEBUG: undefined };
  // node:test sets NODE_TEST_CONTEXT in child processes; the CLI is not a test.
  delete env.NODE_TEST_CONTEXT;
  Object.assign(env, opts.env ?? {});
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    input: opts.input,
    env: env as NodeJS.ProcessEnv,
    timeout: opts.timeout ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? (r.signal ? 128 : -1), stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** Runs `node bin/run.js ...args` synchronously and returns its exit code and output (stdout as UTF-8 text). */
export function runCli(args: readonly string[], opts: RunCliOptions = {}): CliResult {
  const r = spawnCli(args, opts);
  return { ...r, stdout: r.stdout.toString('utf8') };
}

/** Runs the CLI and returns stdout as raw bytes (for binary output such as `dns --format wire`). */
export function runCliBuffer(args: readonly string[], opts: RunCliOptions = {}): { code: number; stdout: Buffer; stderr: string } {
  return spawnCli(args, opts);
}
