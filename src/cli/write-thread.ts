/**
 * syncOutput (write-output.ts) in a thread of its own, fed with the files as they are rendered
 * (issue 7). The rendering thread encodes each file into a batch and hands the batch over; the
 * writer thread compares, hashes, stages and commits with the same synchronous code as a small
 * run. On two cores the kernel's work of creating 100 000 files then runs beside the rendering
 * instead of after it. (libuv's asynchronous fs calls were tried first: each call's hand-over to
 * its thread pool and back cost more kernel time than the call itself — 3.4 s against 1.5 s for
 * 30 000 files written synchronously.)
 *
 * Hand-over: a batch is one buffer of up to BATCH_BYTES with the files' paths, modes and ends,
 * posted with its buffer transferred (not copied). The writer takes batches synchronously
 * (receiveMessageOnPort), sleeping on a shared counter while none is there, so syncOutput keeps
 * its synchronous Iterable. The renderer waits (asynchronously, so it still hears of the writer's
 * exit) when it is BATCHES_AHEAD batches ahead — memory stays bounded — and stops rendering as
 * soon as the writer has failed or died. An error while rendering aborts the writer — which
 * removes its temp files and directories — before it is rethrown.
 */
import { receiveMessageOnPort, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import type { OutputFile, OutputGroup } from '../core/output.js';
import { workerResult } from './thread-reply.js';
import type { EncodedFile, SyncOptions, SyncResult } from './write-output.js';

export const BATCH_BYTES = 1024 * 1024;
export const BATCHES_AHEAD = 4;

/** Slots of the shared counters: batches posted, batches taken, the writer failed. */
const SENT = 0;
const TAKEN = 1;
const FAILED = 2;

export interface WriterData {
  dir: string;
  groups: readonly OutputGroup[];
  opts: SyncOptions;
  shared: Int32Array;
}

type Batch = { paths: string[]; secret: boolean[]; ends: number[]; bytes: ArrayBuffer } | { end: true } | { abort: true };

/** Writer side: the files of the batches as they arrive, until the end (or an abort, which throws). */
export function* receivedFiles(port: MessagePort, shared: Int32Array): Generator<EncodedFile> {
  for (;;) {
    const sent = Atomics.load(shared, SENT);
    const m = receiveMessageOnPort(port)?.message as Batch | undefined;
    if (!m) {
      Atomics.wait(shared, SENT, sent);
      continue;
    }
    Atomics.add(shared, TAKEN, 1);
    Atomics.notify(shared, TAKEN);
    if ('end' in m) return;
    if ('abort' in m) throw new Error('aborted: rendering the files failed');
    let start = 0;
    for (let i = 0; i < m.paths.length; i++) {
      yield { path: m.paths[i], contents: Buffer.from(m.bytes, start, m.ends[i] - start), secret: m.secret[i] };
      start = m.ends[i];
    }
  }
}

/** Writer side: tells the renderer to stop (and wakes it if it waits for the writer). */
export function writerFailed(shared: Int32Array): void {
  Atomics.store(shared, FAILED, 1);
  Atomics.add(shared, TAKEN, 1);
  Atomics.notify(shared, TAKEN);
}

/**
 * syncOutput(dir, files, groups, opts) with the writing in a thread of its own: the same result,
 * the same files. `limits`: the writer's resource limits (tests).
 */
export async function syncOutputInThread(dir: string, files: Iterable<OutputFile>, groups: readonly OutputGroup[], opts: SyncOptions, limits?: ResourceLimits): Promise<SyncResult> {
  const shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const data: WriterData = { dir, groups: [...groups], opts, shared };
  const worker = new Worker(new URL('./write-worker.js', import.meta.url), { workerData: data, stdout: false, stderr: false, resourceLimits: limits });
  let gone = false;
  const ended = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const result = workerResult<SyncResult>(worker, 'writer thread');

  const post = async (m: Batch, transfer: ArrayBuffer[] = []): Promise<void> => {
    for (;;) {
      const taken = Atomics.load(shared, TAKEN);
      if (gone || Atomics.load(shared, FAILED) || Atomics.load(shared, SENT) - taken < BATCHES_AHEAD) break;
      const w = Atomics.waitAsync(shared, TAKEN, taken);
      if (w.async) await Promise.race([w.value, ended]);
    }
    if (gone) return;
    worker.postMessage(m, transfer);
    Atomics.add(shared, SENT, 1);
    Atomics.notify(shared, SENT);
  };
  let buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
  let batch = { paths: [] as string[], secret: [] as boolean[], ends: [] as number[] };
  let used = 0;
  const flush = async (): Promise<void> => {
    if (batch.paths.length === 0) return;
    await post({ ...batch, bytes: buf.buffer as ArrayBuffer }, [buf.buffer as ArrayBuffer]);
    buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
    batch = { paths: [], secret: [], ends: [] };
    used = 0;
  };

  try {
    for (const f of files) {
      if (gone || Atomics.load(shared, FAILED)) break; // the writer's error is in its reply
      // UTF-8 needs at most 3 bytes per UTF-16 code unit: when that may not fit, start a new batch.
      if (used + 3 * f.contents.length > BATCH_BYTES) {
        await flush();
        if (3 * f.contents.length > BATCH_BYTES) {
          const own = Buffer.allocUnsafeSlow(Buffer.byteLength(f.contents, 'utf8'));
          own.write(f.contents, 0, 'utf8');
          await post({ paths: [f.path], secret: [f.secret], ends: [own.length], bytes: own.buffer as ArrayBuffer }, [own.buffer as ArrayBuffer]);
          continue;
        }
      }
      used += buf.write(f.contents, used, 'utf8');
      batch.paths.push(f.path);
      batch.secret.push(f.secret);
      batch.ends.push(used);
    }
    await flush();
    await post({ end: true });
  } catch (e) {
    // Rendering failed: the writer removes what it staged, then the error goes on.
    await post({ abort: true });
    await result.catch(() => undefined);
    throw e;
  }
  return result;
}
