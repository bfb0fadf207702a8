/**
 * The body of `sipbc generate`: load → prepareOutputs → syncOutput, as one function
 * (`generateOutputs`) — and where it runs.
 *
 * Memory (issue 7): V8 sizes a process's heap for a machine's whole memory and, on a large machine,
 * lets the old generation grow to about four times what is live before it collects. For 100 000
 * phones about 245 MB is live at the peak (the places, agents and the registration plan), so the
 * default heap reached ~800 MB of RSS; with a limit a little above what is live V8 collects
 * earlier and the same run peaks at ~430 MiB. A limit can only be set when a heap is created, so a
 * large inventory is generated in a worker thread whose old generation is sized from the inventory
 * file (HEAP_PER_INVENTORY_BYTE × its size, at least MIN_HEAP_MB). Should that
 * be too small for some unusual inventory, the worker runs out of memory — which only ends the
 * worker; the run is repeated here without a limit (removing the worker's temp files), after a warning.
 * A small inventory (below WORKER_MIN_BYTES) is generated right here: a worker's start-up would
 * cost more than any memory it saves.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { loadCatalogue } from '../core/catalogue.js';
import { ExitCode, interruption, SipbcError } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import { allFiles, prepareOutputs, type PreparedOutputs } from '../core/generate.js';
import { InventorySyntaxError, loadInventory } from '../core/load.js';
import { OUTPUT_GROUPS, type OutputGroup } from '../core/output.js';
import { newRunId, OutputLock } from './output-lock.js';
import { workerResult } from './thread-reply.js';
import { MANIFEST, syncOutput, type Access, type SyncResult } from './write-output.js';
import { syncOutputInThread } from './write-thread.js';

export interface GenerateInput {
  /** Inventory path, or - for stdin. */
  inventory: string;
  output: string;
  /** false: compare only (--check, --dry-run). */
  write: boolean;
  only?: OutputGroup[];
  templates?: string;
  redact?: boolean;
  /** Also write the Poly site master file (GenerateOptions.polyMaster). */
  polyMaster?: boolean;
  fsync?: boolean;
  /** Replace or remove files that are not what sipbc wrote there. */
  force?: boolean;
  /** --file-mode / --group (the rest from the previous manifest). */
  access?: Partial<Access>;
  /** Where `{ env: VAR }` secrets are read from (process.env). */
  env: Record<string, string | undefined>;
  /** `--secrets-dir`: every `{ file: path }` secret must be inside it (default: the inventory's directory). */
  secretsDir?: string;
  /** What the writer needs of the lock and the signals (runLocked below). */
  runId?: string;
  locked?: boolean;
  sweep?: boolean;
  abort?: Int32Array;
}

export interface GenerateOutcome {
  /** Validation, cross-check and secret findings; with an error among them nothing was compared or written. */
  findings: Finding[];
  groups: OutputGroup[];
  /** Undefined when a finding is an error. */
  sync?: SyncResult;
}

/** From this many phones on, the files are written by a thread of their own (write-thread.ts) while they are rendered. */
export const WRITER_THREAD_MIN_PHONES = 1000;

export async function generateOutputs(input: GenerateInput): Promise<GenerateOutcome> {
  let prepared: PreparedOutputs;
  try {
    prepared = prepare(input);
  } catch (e) {
    // A YAML/JSON syntax error refuses the run like any other error finding.
    if (e instanceof InventorySyntaxError) return { findings: [e.finding], groups: input.only ?? [...OUTPUT_GROUPS] };
    throw e;
  }
  const { files, findings, groups, plan } = prepared;
  if (!files || findings.some((f) => f.severity === 'error')) return { findings, groups };
  const opts = {
    write: input.write,
    fsync: input.fsync,
    force: input.force,
    redacted: input.redact,
    access: input.access,
    runId: input.runId,
    locked: input.locked,
    sweep: input.sweep,
    abort: input.abort,
  };
  const threaded = (plan?.phones.length ?? 0) >= WRITER_THREAD_MIN_PHONES;
  const streams = files();
  if (!threaded) return { findings, groups, sync: syncOutput(input.output, allFiles(streams), groups, opts) };
  // A first run: the writer creates every file, so the large single files are made while it is busy
  // with the phone files (write-thread.ts). Over an earlier run most files are unchanged, and with
  // --check or --dry-run none is written: the writer only compares and is faster than the rendering,
  // so the large files come first, while the rendering thread's heap holds little else (100 000
  // phones, re-run: peak RSS 545-560 MiB against 588-626; --dry-run: 512-519 against 545-551).
  const creating = input.write && !existsSync(join(input.output, MANIFEST));
  const sync = creating
    ? await syncOutputInThread(input.output, streams.phones, groups, opts, { meanwhile: streams.singles })
    : await syncOutputInThread(input.output, allFiles(streams), groups, opts);
  return { findings, groups, sync };
}

/** A function of its own so that the loaded inventory (its text, the parsed phones) is garbage once files() has what it needs. */
function prepare(input: GenerateInput): PreparedOutputs {
  const loaded = loadInventory(input.inventory);
  return prepareOutputs(loaded, loadCatalogue(input.templates), {
    env: input.env,
    only: input.only,
    userTemplatesDir: input.templates,
    redact: input.redact,
    polyMaster: input.polyMaster,
    secretsDir: input.secretsDir,
  });
}

/** Inventories smaller than this are generated on the main thread. */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;
/**
 * Measured at 100 000 phones (31 MB of YAML, `--trace-gc`): up to ~280 MB live right after a full
 * collection (~9 bytes per inventory byte) while policy.csv and the Genesys files are built. 10
 * (295 MiB) was too close: with the faster YAML reader (yaml-subset.ts) the worker hit its limit in
 * 3 of 4 runs — and V8 may then abort the whole process ("Reached heap limit … JavaScript heap out
 * of memory") before node can end just the worker, so the retry below is a last resort, not a plan.
 * 13 (384 MiB): 0 of 8 runs (--dry-run, new and existing DIR), peak RSS 485-523 MB new, 580-594 MB existing.
 * 12 (354 MiB) once the plan held 25 MB less (policy.ts: arrays of exactly their length; 132 MB live
 * after planning, from 158): 0 of 11 runs (first runs, --dry-run, re-runs, --check); first runs
 * 490-510 MiB against 483-533 with 13 (4 alternating pairs, same time), --dry-run 459-471 MiB.
 */
export const HEAP_PER_INVENTORY_BYTE = 12;
export const MIN_HEAP_MB = 256;
export const YOUNG_GENERATION_MB = 48;

/** The worker's old-generation limit for an inventory of `bytes`, in MiB. */
export function heapLimitMb(bytes: number): number {
  return Math.max(MIN_HEAP_MB, Math.ceil((bytes * HEAP_PER_INVENTORY_BYTE) / (1024 * 1024)));
}

/** Runs generateOutputs in a worker thread whose old generation is limited to `heapMb` MiB; rejects with code ERR_WORKER_OUT_OF_MEMORY when that is too small. */
export function generateInWorker(input: GenerateInput, heapMb: number): Promise<GenerateOutcome> {
  // The old generation starts at two thirds of its limit: growing it from a few MB to the ~150 MiB a
  // 100 000-phone plan keeps took 4 full collections, each marking everything read so far (on the worker
  // and a helper thread). A V8 flag read when an isolate is made: set for this worker, reset once it runs.
  setFlagsFromString(`--initial-old-space-size=${Math.floor((heapMb * 2) / 3)}`);
  const worker = new Worker(new URL('./generate-worker.js', import.meta.url), {
    workerData: input,
    // A young generation of 48 MiB: fewer per-file temporaries survive into the old generation
    // (measured at 100 000 phones, --dry-run: 20.6 and 18.8 s against 22.9 and 24.7 s with the
    // default, and no more memory: 441 and 438 MiB against 449 and 445 MiB).
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    stdout: false,
    stderr: false,
  });
  worker.once('online', () => setFlagsFromString('--initial-old-space-size=0')); // V8's default: the writer thread's heap starts small
  return workerResult(worker, 'generate worker');
}

/**
 * generateOutputs on the main thread for a small inventory; in a heap-limited worker for a large
 * one, repeated here without the limit if the worker runs out of memory (`warn` says so).
 * `heapMb` overrides the limit (tests).
 */
export async function runGenerate(input: GenerateInput, warn: (message: string) => void, heapMb?: number): Promise<GenerateOutcome> {
  const size = input.inventory === '-' ? 0 : (statSync(input.inventory, { throwIfNoEntry: false })?.size ?? 0);
  if (size < WORKER_MIN_BYTES) return generateOutputs(input);
  heapMb ??= heapLimitMb(size);
  try {
    return await generateInWorker(input, heapMb);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw e;
    warn(`generating ${input.inventory} needed more than the ${heapMb} MiB heap sized for it; running again without a limit`);
    return generateOutputs(input);
  }
}

export interface LockedRunOptions {
  /** Seconds to wait for another run's lock (0: fail at once). */
  waitSeconds?: number;
  warn: (message: string) => void;
}

/**
 * runGenerate as `sipbc generate` runs it: with `write`, under DIR's lock (output-lock.ts), and
 * stopped cleanly by SIGINT / SIGTERM — the writer is told through shared memory, removes what it
 * staged and DIR is left as it was (exit 130 / 143). A second signal ends the process at once and
 * leaves the lock, so the next run knows to sweep the dead run's temp entries.
 */
export async function runLocked(input: GenerateInput, { waitSeconds = 0, warn }: LockedRunOptions): Promise<GenerateOutcome> {
  const abort = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  let lock: OutputLock | undefined;
  const release = (): void => lock?.release();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (Atomics.load(abort, 0) !== 0) {
      process.removeListener('exit', release); // the next run takes the lock over and sweeps what this one staged
      process.exit(signal === 'SIGINT' ? ExitCode.SIGINT : ExitCode.SIGTERM);
    }
    Atomics.store(abort, 0, signal === 'SIGINT' ? 2 : 15);
    warn(`${signal}: stopping; ${input.output} is left as it was (a second ${signal} stops at once)`);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const interrupted = (): SipbcError | undefined => interruption(abort);
  let outcome: GenerateOutcome;
  try {
    if (input.write) {
      const runId = newRunId();
      lock = await OutputLock.acquire(input.output, runId, {
        waitMs: waitSeconds * 1000,
        cancelled: () => Atomics.load(abort, 0) !== 0,
        onTakeover: (h) => warn(`taking over the lock of pid ${h.pid} (started ${h.started}), which is no longer running; its temp files are removed`),
      });
      process.once('exit', release); // whatever ends the process, the lock goes with it
      input = { ...input, runId, locked: true, sweep: lock.tookOver !== undefined };
    }
    const stop = interrupted();
    if (stop) throw stop;
    outcome = await runGenerate({ ...input, abort }, warn);
  } catch (e) {
    const stop = interrupted();
    if (stop && e instanceof SipbcError && e.exitCode === stop.exitCode) {
      throw new SipbcError(`${stop.message}: nothing in ${input.output} was changed (the temp files are removed)`, stop.exitCode);
    }
    throw e;
  } finally {
    release();
    process.removeListener('exit', release);
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  }
  // The signal came once the writer was renaming: the run finished, and says so.
  const late = interrupted();
  if (late && outcome.sync && input.write)
    throw new SipbcError(`${late.message} after the new output was in place: ${input.output} is complete`, late.exitCode);
  if (late) throw late;
  return outcome;
}
