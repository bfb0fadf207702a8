/**
 * syncOutput (write-output.ts) in a thread of its own, fed with the files as they are rendered
 * (issue 7). The rendering thread encodes each file into a batch and hands the batch over; the
 * writer thread compares, hashes, stages and commits with the same synchronous code as a small
 * run. On two cores the kernel's work of creating 100 000 files then runs beside the rendering
 * instead of after it. (libuv's asynchronous fs calls were tried first: each call's hand-over to
 * its thread pool and back cost more kernel time than the call itself — 3.4 s against 1.5 s for
 * 30 000 files written synchronously.)
 *
 * Hand-over: a batch is one buffer of up to BATCH_BYTES with the files' paths, modes, ends and
 * sha256 (hashed here: the writer is the busier thread),
 * posted with its buffer transferred (not copied). The writer takes batches synchronously
 * (receiveMessageOnPort), sleeping on a shared counter while none is there, so syncOutput keeps
 * its synchronous Iterable. The renderer waits (asynchronously, so it still hears of the writer's
 * exit) when it is BATCHES_AHEAD batches ahead — memory stays bounded — and stops rendering as
 * soon as the writer has failed or died. An error while rendering aborts the writer — which
 * removes its temp files and directories — before it is rethrown.
 *
 * Rather than wait, the renderer makes the next of the `meanwhile` files: the few large single
 * files (policy.csv, genesys/: ~2 s of rendering for 100 000 phones, during which the writer,
 * given them first, sat idle). So the writer has phone files to create from its first batch on,
 * the large files are made while it is busy, one at a time in its queue (each is tens of MB), and
 * those still left when the phone files are done are made at the end.
 *
 * Each batch's buffer goes back to the renderer once the writer is done with its files: a batch's
 * is filled again, a large file's dropped there. No buffer the writer has finished with waits in
 * its heap for a collection (a re-run's writer compares policy.csv and the Genesys files, 77 MB,
 * in a few milliseconds each, then allocates too little to collect them soon).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import type { OutputFile, OutputGroup } from '../core/output.js';
import { sha256 } from '../core/sha256.js';
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
  /** Where the writer sends each batch's buffer back once it is done with its files. */
  back: MessagePort;
}

type Batch = { paths: string[]; secret: boolean[]; hashes: string[]; ends: number[]; bytes: ArrayBuffer } | { end: true } | { abort: true };

/** Writer side: the files of the batches as they arrive, until the end (or an abort, which throws); each batch's buffer is sent `back` once its files are done. */
export function* receivedFiles(port: MessagePort, shared: Int32Array, back: MessagePort): Generator<EncodedFile> {
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
      yield { path: m.paths[i], contents: Buffer.from(m.bytes, start, m.ends[i] - start), secret: m.secret[i], sha256: m.hashes[i] };
      start = m.ends[i];
    }
    // syncOutput has finished with the last file (it asked for the next one) and keeps none of their bytes.
    back.postMessage(m.bytes, [m.bytes]);
  }
}

/**
 * Renderer side: buffers for the batches, preferably those the writer sent back. A few of a batch's size are kept;
 * any other (a large file's) is dropped as soon as it is back, for the renderer's frequent collections to free.
 */
class Buffers {
  private readonly spare: ArrayBuffer[] = [];
  constructor(private readonly back: MessagePort) {}

  /** Takes in what the writer has sent back. */
  drain(): void {
    for (let r = receiveMessageOnPort(this.back); r; r = receiveMessageOnPort(this.back)) {
      const ab = r.message as ArrayBuffer;
      if (ab.byteLength === BATCH_BYTES && this.spare.length < BATCHES_AHEAD) this.spare.push(ab);
    }
  }

  /** A buffer of at least `size` bytes (BATCH_BYTES for a batch). */
  take(size: number): Buffer {
    this.drain();
    const ab = size <= BATCH_BYTES ? this.spare.pop() : undefined;
    return ab ? Buffer.from(ab) : Buffer.allocUnsafeSlow(Math.max(size, BATCH_BYTES));
  }
}

/** Writer side: tells the renderer to stop (and wakes it if it waits for the writer). */
export function writerFailed(shared: Int32Array): void {
  Atomics.store(shared, FAILED, 1);
  Atomics.add(shared, TAKEN, 1);
  Atomics.notify(shared, TAKEN);
}

export interface ThreadOptions {
  /** Files made while the writer has BATCHES_AHEAD batches queued (see the header); written in any order with the others. */
  meanwhile?: Iterable<OutputFile>;
  /** The writer's resource limits (tests). */
  limits?: ResourceLimits;
}

/**
 * syncOutput(dir, [...files, ...meanwhile], groups, opts) with the writing in a thread of its
 * own: the same result, the same files.
 */
export async function syncOutputInThread(
  dir: string,
  files: Iterable<OutputFile>,
  groups: readonly OutputGroup[],
  opts: SyncOptions,
  { meanwhile, limits }: ThreadOptions = {},
): Promise<SyncResult> {
  const shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const returned = new MessageChannel();
  const data: WriterData = { dir, groups: [...groups], opts, shared, back: returned.port2 };
  const worker = new Worker(new URL('./write-worker.js', import.meta.url), {
    workerData: data,
    transferList: [returned.port2],
    stdout: false,
    stderr: false,
    resourceLimits: limits,
  });
  const buffers = new Buffers(returned.port1);
  let gone = false;
  const ended = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const result = workerResult<SyncResult>(worker, 'writer thread');

  const send = (m: Batch, transfer: ArrayBuffer[] = []): void => {
    if (gone) return;
    buffers.drain(); // also between large files sent as they are, which take no buffer
    worker.postMessage(m, transfer);
    Atomics.add(shared, SENT, 1);
    Atomics.notify(shared, SENT);
  };
  /** One file in a batch of its own (a file larger than a batch). */
  const sendAlone = (f: OutputFile): void => {
    const own = ownBytes(f, buffers);
    send({ paths: [f.path], secret: [f.secret], hashes: [sha256(own)], ends: [own.length], bytes: own.buffer as ArrayBuffer }, [own.buffer as ArrayBuffer]);
  };
  const stopped = (): boolean => gone || Atomics.load(shared, FAILED) !== 0;
  /** Until the writer has taken `n` batches (or has stopped). */
  const taken = async (n: number): Promise<void> => {
    for (;;) {
      const t = Atomics.load(shared, TAKEN);
      if (stopped() || t >= n) return;
      const w = Atomics.waitAsync(shared, TAKEN, t);
      if (w.async) await Promise.race([w.value, ended]);
    }
  };
  const later = meanwhile?.[Symbol.iterator]();
  let lastLarge = 0; // SENT once the last `meanwhile` file was sent
  /** Makes and sends the next `meanwhile` file unless the writer still has the last one queued; false when it did not. */
  const makeMeanwhile = (): boolean => {
    if (!later || Atomics.load(shared, TAKEN) < lastLarge) return false;
    const r = later.next();
    if (r.done) return false;
    sendAlone(r.value);
    lastLarge = Atomics.load(shared, SENT);
    return true;
  };
  /** Until the writer has fewer than BATCHES_AHEAD batches queued (or has stopped); rather than wait, one `meanwhile` file may be made (with `fill`). */
  const room = async (fill = true): Promise<void> => {
    let made = !fill;
    for (;;) {
      const t = Atomics.load(shared, TAKEN);
      if (stopped() || Atomics.load(shared, SENT) - t < BATCHES_AHEAD) return;
      if (!made && (made = makeMeanwhile())) continue;
      await taken(t + 1);
    }
  };
  const post = async (m: Batch, transfer: ArrayBuffer[] = []): Promise<void> => {
    await room();
    send(m, transfer);
  };
  let buf = buffers.take(BATCH_BYTES);
  let batch = { paths: [] as string[], secret: [] as boolean[], hashes: [] as string[], ends: [] as number[] };
  let used = 0;
  const flush = async (): Promise<void> => {
    if (batch.paths.length === 0) return;
    await post({ ...batch, bytes: buf.buffer as ArrayBuffer }, [buf.buffer as ArrayBuffer]);
    buf = buffers.take(BATCH_BYTES);
    batch = { paths: [], secret: [], hashes: [], ends: [] };
    used = 0;
  };

  try {
    for (const f of files) {
      if (stopped()) break; // the writer's error is in its reply
      // UTF-8 needs at most 3 bytes per UTF-16 code unit: when that may not fit, start a new batch.
      const most = f.bytes ? f.bytes.length : 3 * f.contents.length;
      if (used + most > BATCH_BYTES) {
        await flush();
        if (most > BATCH_BYTES) {
          await room();
          sendAlone(f);
          continue;
        }
      }
      const start = used;
      used += f.bytes ? f.bytes.copy(buf, used) : buf.write(f.contents, used, 'utf8');
      batch.paths.push(f.path);
      batch.secret.push(f.secret);
      batch.hashes.push(sha256(buf.subarray(start, used)));
      batch.ends.push(used);
    }
    await flush();
    // The `meanwhile` files not made yet, each once the writer has taken the one before.
    for (let left = true; left && !stopped(); ) {
      await room();
      await taken(lastLarge);
      left = makeMeanwhile();
    }
    await post({ end: true });
  } catch (e) {
    // Rendering failed: the writer removes what it staged, then the error goes on.
    await room(false); // no `meanwhile` file is made once rendering has failed
    send({ abort: true });
    await result.catch(() => undefined);
    throw e;
  } finally {
    result.finally(() => returned.port1.close()).catch(() => undefined);
  }
  return result;
}

/**
 * A file's bytes in a buffer of their own, to be handed over (transferred: the file's own bytes are
 * unusable afterwards). Bytes made for the file alone (CsvText, not much larger than they are) go as
 * they are; anything else is encoded or copied into a buffer of `buffers` (one the writer sent back, or a new one).
 */
function ownBytes(f: OutputFile, buffers: Buffers): Buffer {
  const b = f.bytes;
  if (b && b.byteOffset === 0 && b.buffer.byteLength <= 2 * b.length + 4096) return b;
  const size = b ? b.length : Buffer.byteLength(f.contents, 'utf8');
  const own = buffers.take(size).subarray(0, size);
  if (b) b.copy(own);
  else own.write(f.contents, 0, 'utf8');
  return own;
}
