/**
 * `generate` of a large inventory runs in a heap-limited worker thread (src/cli/generate-run.ts):
 * the files are the same bytes as on the main thread, a worker that runs out of memory is
 * replaced by a run without the limit (with a warning), and the worker's errors and findings
 * reach the user with their exit codes.
 */
import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { synthInventory } from '../../bench/synth.js';
import { generateOutputs, runGenerate, WORKER_MIN_BYTES, WRITER_THREAD_MIN_PHONES, type GenerateInput } from '../../src/cli/generate-run.js';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { planOutputs } from '../../src/core/generate.js';
import { loadInventory } from '../../src/core/load.js';
import { validateInventory } from '../../src/core/validate/index.js';
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

  // A re-run over it (the previous manifest read, every file compared): a damaged policy.csv and a
  // deleted phone file are put right, nothing else is touched.
  writeFileSync(join(out, 'policy.csv'), 'damaged\n');
  const phoneFile = [...reference.keys()].find((p) => p.startsWith('phones/'))!;
  rmSync(join(out, phoneFile));
  const again = runCli(['generate', inventory, '-o', out], { env, timeout: 300_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`1 created, 1 updated, 0 removed, ${reference.size - 3} unchanged`));
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

test('a large first run checks the semantic rules while the files are written: the same findings as validate, and nothing written when one is an error', async () => {
  const synth = synthInventory(2 * WRITER_THREAD_MIN_PHONES);
  const secondMac = /- mac: "([^"]+)"/g;
  const macs = [...synth.text.matchAll(secondMac)].slice(0, 2).map((m) => m[1]);
  const cases: { name: string; code: string; edit: (t: string) => string }[] = [
    // Files render fine: only the rules can refuse them.
    { name: 'two agents with one login', code: 'SIPBC-E-DUP-LOGIN', edit: (t) => t.replace('login: "500001"', 'login: "500000"') },
    { name: 'an old Stat Server', code: 'SIPBC-E-STAT-SERVER-VERSION', edit: (t) => t.replace('statServerVersion: "8.1.3"', 'statServerVersion: "8.1.1"') },
    // Rendering throws (two phones, one file path) before the rules are done.
    { name: 'two phones with one MAC', code: 'SIPBC-E-DUP-MAC', edit: (t) => t.replace(`mac: "${macs[1]}"`, `mac: "${macs[0]}"`) },
    // Planning throws (no such model in the catalogue).
    { name: 'an unknown model', code: 'SIPBC-E-UNKNOWN-MODEL', edit: (t) => t.replace(/model: [a-z0-9-]+/, 'model: yealink-t99x') },
  ];
  for (const c of cases) {
    const inventory = join(root, `rule-${c.code}.yaml`);
    writeFileSync(inventory, c.edit(synth.text));
    const expected = validateInventory(loadInventory(inventory), loadCatalogue()).findings;
    assert.ok(expected.some((f) => f.code === c.code && f.severity === 'error'), `${c.name}: the edit makes ${c.code}`);
    const output = join(root, `out-${c.code}`);
    const outcome = await generateOutputs({ inventory, output, write: true, env: synth.env });
    assert.deepEqual(outcome.findings, expected, `${c.name}: the findings of validate`);
    assert.equal(outcome.sync, undefined, `${c.name}: nothing synced`);
    assert.equal(statSync(output, { throwIfNoEntry: false }), undefined, `${c.name}: no output directory left behind`);
  }

  // Warnings only: reported as validate reports them, and the files are exactly what the in-process path renders.
  const inventory = join(root, 'warning.yaml');
  writeFileSync(inventory, synth.text.replace(/password: \{ env: [A-Z_0-9]+ \}/, 'password: "literal-secret"'));
  const expected = validateInventory(loadInventory(inventory), loadCatalogue()).findings;
  assert.deepEqual(expected.map((f) => f.code), ['SIPBC-W-LITERAL-PASSWORD']);
  const output = join(root, 'out-warning');
  const outcome = await generateOutputs({ inventory, output, write: true, env: synth.env });
  assert.deepEqual(outcome.findings, expected);
  const planned = planOutputs(loadInventory(inventory), loadCatalogue(), { env: synth.env });
  assert.equal(outcome.sync?.files, planned.files.length);
  const tree = readTree(output);
  for (const f of planned.files) {
    const entry = tree.get(f.path);
    assert.ok(entry && entry !== 'link', f.path);
    assert.equal(entry.contents.toString('utf8'), f.contents, f.path);
  }
});
