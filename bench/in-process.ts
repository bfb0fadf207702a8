/**
 * What the in-process stage benchmarks (stages.ts, prewrite-stages.ts) share: they run under
 * `--expose-gc` (re-started with it when needed) and read `INVENTORY [--against DIR] [--rounds N]`.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface StageRun {
  /** A full garbage collection (before each measured pass). */
  gc: () => void;
  inventory: string;
  /** The other checkout's root (built), if given. */
  against?: string;
  rounds: number;
  /** The checkout this benchmark was built in. */
  here: string;
}

/** The options of `script` (its name in the usage line), re-running this process under `--expose-gc` plus `nodeFlags` if gc() is missing. */
export function stageRun(script: string, defaultRounds: number, nodeFlags: string[] = []): StageRun {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    const r = spawnSync(process.execPath, ['--expose-gc', ...nodeFlags, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { against: { type: 'string' }, rounds: { type: 'string', default: String(defaultRounds) } },
  });
  const inventory = positionals[0];
  if (!inventory) {
    console.error(`usage: node dist/bench/${script} INVENTORY [--against DIR] [--rounds N]`);
    process.exit(2);
  }
  return { gc, inventory, against: values.against, rounds: Number(values.rounds), here: fileURLToPath(new URL('../..', import.meta.url)) };
}

/** A module of the checkout at `root` (its tsc output, dist/src), typed as this checkout's `T`. */
export function importFrom<T>(root: string, path: string): Promise<T> {
  return import(pathToFileURL(resolve(root, 'dist/src', path)).href) as Promise<T>;
}
