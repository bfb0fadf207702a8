/**
 * The writer thread (src/cli/write-thread.ts): fed with the files as they are rendered, it leaves
 * exactly what the same synchronous writer leaves in-process, and on an error on either side DIR
 * stays exactly as it was.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { driftOf, syncOutput } from '../../src/cli/write-output.js';
import { BATCH_BYTES, BATCHES_AHEAD, syncOutputInThread } from '../../src/cli/write-thread.js';
import { ExitCode, SipbcError } from '../../src/core/errors.js';
import { bytesFile, type OutputFile } from '../../src/core/output.js';
import { snapshotTree } from '../support/golden.js';

const work = mkdtempSync(join(tmpdir(), 'sipbc-writer-thread-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(work, `d${++n}`);
const ALL = ['phones', 'dns', 'policy', 'genesys'] as const;

/** 1 500 phone files (about two batches) over three vendors (one of them a directory per phone), non-ASCII text, secret and public files, and a policy.csv larger than a batch. */
function* outputs(version = 1): Generator<OutputFile> {
  yield { path: 'dns/example.test.zone', contents: `; zone v${version}\n`, secret: false };
  yield { path: 'policy.csv', contents: `mac,site,note\n${'0015651234ab,paris,"Zürich → Genève ☎"\n'.repeat(40_000)}`, secret: false };
  for (let i = 0; i < 1500; i++) {
    const mac = `001565${i.toString(16).padStart(6, '0')}`;
    const dir = ['yealink', 'snom', 'baresip'][i % 3];
    const path = dir === 'baresip' ? `phones/baresip/${mac}/accounts` : `phones/${dir}/${mac}.cfg`;
    yield { path, contents: `# v${version} — ${mac}\naccount.1.label = Agent ${i} ☎ Zürich\n${'x'.repeat(i % 2000)}\n`, secret: i % 2 === 0 };
  }
}

/** outputs() split as generate-run.ts hands them over: the phone files, and the single files to make meanwhile. */
const phonesOf = (files: Iterable<OutputFile>) => [...files].filter((f) => f.path.startsWith('phones/'));
const singlesOf = (files: Iterable<OutputFile>) => [...files].filter((f) => !f.path.startsWith('phones/'));

test('the writer thread leaves the same files, modes and result as the in-process writer (first run, then an update)', async () => {
  const a = fresh();
  const b = fresh();
  const inProcess = syncOutput(a, outputs(), ALL, { write: true });
  const threaded = await syncOutputInThread(b, phonesOf(outputs()), ALL, { write: true }, { meanwhile: singlesOf(outputs()) });
  assert.deepEqual({ ...threaded, dir: a }, inProcess);
  assert.equal(threaded.changes.length, 1502);
  const strip = (t: ReturnType<typeof snapshotTree>) => new Map([...t].map(([p, e]) => [p, { mode: e.mode, bytes: e.bytes }]));
  assert.deepEqual(strip(snapshotTree(b)), strip(snapshotTree(a)));

  // An update: compare-only first, then written; again the same as in-process.
  const drift = await syncOutputInThread(b, outputs(2), ALL, { write: false });
  assert.deepEqual({ ...drift, dir: a }, syncOutput(a, outputs(2), ALL, { write: false }));
  assert.equal(drift.changes.filter((c) => c.kind === 'update').length, 1501, 'every file but policy.csv changed');
  const updated = await syncOutputInThread(b, outputs(2), ALL, { write: true });
  assert.deepEqual({ ...updated, dir: a }, syncOutput(a, outputs(2), ALL, { write: true }));
  assert.deepEqual(strip(snapshotTree(b)), strip(snapshotTree(a)));
});

test('the single files are made while the writer is busy with the phone files, not after them, and written all the same', async () => {
  const a = fresh();
  const b = fresh();
  let phonesPulled = 0;
  const pulledAt: number[] = [];
  function* phones(): Generator<OutputFile> {
    // ~20 MB of phone files: far more than BATCHES_AHEAD batches, so the renderer gets ahead of the writer.
    for (let i = 0; i < 10_000; i++) {
      phonesPulled++;
      yield { path: `phones/yealink/${String(i).padStart(12, '0')}.cfg`, contents: `# ${i}\n${'y'.repeat(2000)}\n`, secret: false };
    }
  }
  function* singles(): Generator<OutputFile> {
    for (const f of singlesOf(outputs())) {
      pulledAt.push(phonesPulled);
      yield f;
    }
  }
  const threaded = await syncOutputInThread(b, phones(), ALL, { write: true }, { meanwhile: singles() });
  assert.deepEqual({ ...threaded, dir: a }, syncOutput(a, [...singlesOf(outputs()), ...phones()], ALL, { write: true }));
  assert.equal(pulledAt.length, 2);
  assert.ok(pulledAt[0] < 10_000, `the first single file was made after all ${pulledAt[0]} phone files`);
  const strip = (t: ReturnType<typeof snapshotTree>) => new Map([...t].map(([p, e]) => [p, { mode: e.mode, bytes: e.bytes }]));
  assert.deepEqual(strip(snapshotTree(b)), strip(snapshotTree(a)));
});

test('large files one after another and between batches, as strings and as bytes: the same tree as in-process', async () => {
  // The writer hands each buffer back: a batch's is filled again, a large file's dropped.
  const sizes = [3, 5, 1.5, 0.2, 4, 2];
  function* mixed(): Generator<OutputFile> {
    for (const [i, mb] of sizes.entries()) {
      const text = `${i}é`.repeat(Math.round((mb * 1024 * 1024) / 3));
      // Strings, bytes of their own (handed over as they are) and bytes inside a larger buffer (copied).
      if (i % 3 === 0) yield { path: `genesys/f${i}.csv`, contents: text, secret: false };
      else if (i % 3 === 1) yield bytesFile(`genesys/f${i}.csv`, Buffer.from(text, 'utf8'), false);
      else yield bytesFile(`genesys/f${i}.csv`, Buffer.from(`xx${text}`, 'utf8').subarray(2), false);
      for (let j = 0; j < 300; j++) yield { path: `phones/yealink/${i}-${j}.cfg`, contents: `${i} ${j} ${'z'.repeat(3000 + j)}\n`, secret: j % 2 === 0 };
    }
  }
  const a = fresh();
  const b = fresh();
  const inProcess = syncOutput(a, mixed(), ALL, { write: true });
  const threaded = await syncOutputInThread(b, mixed(), ALL, { write: true });
  assert.deepEqual({ ...threaded, dir: a }, inProcess);
  const strip = (t: ReturnType<typeof snapshotTree>) => new Map([...t].map(([p, e]) => [p, { mode: e.mode, bytes: e.bytes }]));
  assert.deepEqual(strip(snapshotTree(b)), strip(snapshotTree(a)));
  assert.deepEqual(driftOf(await syncOutputInThread(b, mixed(), ALL, { write: false })), []);
});

test('an error while rendering: the writer removes what it staged, DIR is exactly as it was, the error goes on unchanged', async () => {
  const dir = fresh();
  syncOutput(dir, outputs(), ALL, { write: true });
  const before = snapshotTree(dir);
  const failure = new SipbcError('phone 00:15:65:00:07:d0: template error', ExitCode.USAGE);
  function* failing(): Generator<OutputFile> {
    let i = 0;
    for (const f of outputs(3)) {
      if (++i === 1200) throw failure;
      yield f;
    }
  }
  await assert.rejects(syncOutputInThread(dir, failing(), ALL, { write: true }), (e: unknown) => e === failure);
  assert.deepEqual(snapshotTree(dir), before, 'every file as it was (bytes, mode, mtime), no temp file');

  const empty = fresh();
  await assert.rejects(syncOutputInThread(empty, failing(), ALL, { write: true }), (e: unknown) => e === failure);
  assert.deepEqual(readdirSync(work).includes(empty.split('/').pop()!), false, 'a DIR created by the failed run is removed again');
});

test('an error in the writer (a link inside DIR): it is reported, the rendering stops early, DIR is as it was', async () => {
  const dir = fresh();
  mkdirSync(join(dir, 'phones'), { recursive: true });
  mkdirSync(join(work, 'elsewhere'));
  symlinkSync(join(work, 'elsewhere'), join(dir, 'phones/yealink'));
  const before = snapshotTree(dir);
  let pulled = 0;
  function* many(): Generator<OutputFile> {
    for (let i = 0; i < 100_000; i++) {
      pulled++;
      yield { path: `phones/yealink/${String(i).padStart(12, '0')}.cfg`, contents: 'y'.repeat(1000), secret: true };
    }
  }
  await assert.rejects(
    syncOutputInThread(dir, many(), ALL, { write: true }),
    (e: unknown) => e instanceof SipbcError && e.exitCode === ExitCode.USAGE && /symbolic link/.test(e.message),
  );
  // A batch holds about BATCH_BYTES / 1000 of these files; the renderer may be BATCHES_AHEAD batches ahead, plus the one it is filling.
  const perBatch = Math.ceil(BATCH_BYTES / 1000);
  assert.ok(pulled <= (BATCHES_AHEAD + 3) * perBatch, `the renderer went on for ${pulled} of 100 000 files after the writer failed`);
  assert.deepEqual(snapshotTree(dir), before);
  assert.deepEqual(readdirSync(join(work, 'elsewhere')), [], 'nothing was written through the link');
});

test('a writer thread that dies (out of memory) ends the run with its error, not a hang; the rendering stops', { timeout: 120_000 }, async () => {
  const dir = fresh();
  let pulled = 0;
  function* many(): Generator<OutputFile> {
    for (let i = 0; i < 1_000_000; i++) {
      pulled++;
      yield { path: `phones/yealink/${String(i).padStart(12, '0')}.cfg`, contents: 'y'.repeat(100), secret: false };
    }
  }
  // Compare only (nothing written): the writer's list of paths and hashes outgrows a 16 MiB heap.
  await assert.rejects(
    syncOutputInThread(dir, many(), ALL, { write: false }, { limits: { maxOldGenerationSizeMb: 16 } }),
    (e: unknown) => (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY',
  );
  assert.ok(pulled < 1_000_000, `the renderer went on for all ${pulled} files`);
});
