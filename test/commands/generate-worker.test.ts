/**
 * `generate` of a large inventory runs in a heap-limited worker thread (src/cli/generate-run.ts):
 * the files are the same bytes as on the main thread, a worker that runs out of memory is
 * replaced by a run without the limit (with a warning), and the worker's errors and findings
 * reach the user with their exit codes.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { synthInventory } from '../../bench/synth.js';
import { generateOutputs, runGenerate, WORKER_MIN_BYTES, type GenerateInput } from '../../src/cli/generate-run.js';
import { runCli } from '../support/cli.js';
import { cleanupTempDirs, readTree, tempDir } from '../support/security.js';

after(cleanupTempDirs);

const root = tempDir('sipbc-worker-');
const inventory = join(root, 'large.yaml');
let env: Record<string, string>;
let reference: ReturnType<typeof readTree>;

before(async () => {
  const synth = synthInventory(15_000);
  env = synth.env;
  writeFileSync(inventory, synth.text);
  assert.ok(statSync(inventory).size >= WORKER_MIN_BYTES, 'the inventory must be large enough for the worker path');
  // The reference: the same run on the main thread.
  const ref = join(root, 'main-thread');
  const outcome = await generateOutputs({ inventory, output: ref, write: true, env });
  assert.equal(outcome.findings.length, 0);
  reference = readTree(ref);
});

test('the CLI generates a large inventory in the worker: the same bytes and modes as the main thread', () => {
  const out = join(root, 'cli');
  const r = runCli(['generate', inventory, '-o', out], { env, timeout: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${reference.size - 1} created`)); // the manifest is not counted
  assert.deepEqual(readTree(out), reference);

  // A re-run over it (the previous manifest read, every file compared): a deleted phone file is put
  // back; a damaged policy.csv is not what sipbc wrote, so it is kept and reported until --force.
  writeFileSync(join(out, 'policy.csv'), 'damaged\n');
  const phoneFile = [...reference.keys()].find((p) => p.startsWith('phones/'))!;
  rmSync(join(out, phoneFile));
  const again = runCli(['generate', inventory, '-o', out], { env, timeout: 300_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`1 created, 0 updated, 0 removed, ${reference.size - 3} unchanged, 1 kept`));
  assert.match(again.stderr, /policy\.csv: modified since sipbc wrote it: kept \(--force replaces it\)/);
  assert.equal(readFileSync(join(out, 'policy.csv'), 'utf8'), 'damaged\n');
  const forced = runCli(['generate', inventory, '-o', out, '--force'], { env, timeout: 300_000 });
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, new RegExp(`0 created, 1 updated, 0 removed, ${reference.size - 2} unchanged`));
  assert.deepEqual(readTree(out), reference);
});

test('a worker that runs out of its heap is replaced by a run without the limit, with a warning', async () => {
  const out = join(root, 'retried');
  const warnings: string[] = [];
  const input: GenerateInput = { inventory, output: out, write: true, env };
  const outcome = await runGenerate(input, (w) => warnings.push(w), 16);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /needed more than the 16 MiB heap sized for it; running again without a limit/);
  assert.equal(outcome.sync!.changes.length, reference.size - 1);
  assert.deepEqual(readTree(out), reference, 'no temp file of the worker is left, every file is complete');
});

test("the worker's errors and findings reach the user with their exit codes", () => {
  const notADir = join(root, 'a-file');
  writeFileSync(notADir, 'x');
  const r = runCli(['generate', inventory, '-o', notADir], { env, timeout: 300_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /output directory .*a-file is not a directory/);

  const unset = Object.fromEntries(Object.keys(env).map((k) => [k, undefined]));
  const missing = runCli(['generate', inventory, '-o', join(root, 'no-secrets')], { env: unset, timeout: 300_000 });
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /SIPBC-E-SECRET-MISSING/);
  assert.match(missing.stderr, /nothing was written/);
  assert.equal(statSync(join(root, 'no-secrets'), { throwIfNoEntry: false }), undefined);
});
