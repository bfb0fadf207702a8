/**
 * The CPU of generate's rendering, in one process, without the file system: the phone files
 * (rendered, UTF-8 encoded, hashed, as the rendering thread hands them over) and the single files
 * (policy.csv, genesys/, dns/), each pass after a full garbage collection, several rounds. With
 * `--against DIR` (another checkout, built with `npx tsc -p .`) the two builds' code runs
 * alternately on the same plan: a comparison the file system's noise cannot blur.
 *
 *   node dist/bench/synth.js 100000 > inv.yaml 2> env.sh && set -a && . ./env.sh && set +a
 *   node dist/bench/stages.js inv.yaml                            # this build
 *   node dist/bench/stages.js inv.yaml --against ../old --rounds 5   # old (../old/dist/src) vs this build
 *
 * Prints each pass's CPU (user + system, all threads: the garbage collector's helpers included)
 * and the minimum per build.
 */
import { importFrom, stageRun } from './in-process.js';

// A full collection before each pass; room for two builds' plans of 100 000 phones.
const { gc, inventory, against, rounds, here } = stageRun('stages.js', 3, ['--max-old-space-size=768']);

interface Tree {
  name: string;
  generate: typeof import('../src/core/generate.js');
  sha256: (data: Buffer) => string;
}
async function tree(name: string, root: string): Promise<Tree> {
  return {
    name,
    generate: await importFrom<typeof import('../src/core/generate.js')>(root, 'core/generate.js'),
    sha256: (await importFrom<typeof import('../src/core/sha256.js')>(root, 'core/sha256.js')).sha256,
  };
}

const { loadCatalogue } = await import('../src/core/catalogue.js');
const { loadInventory } = await import('../src/core/load.js');
const trees = [...(against ? [await tree(`old (${against})`, against)] : []), await tree('this build', here)];
const loaded = loadInventory(inventory);
const catalogue = loadCatalogue();

/** Each build's own plan of the same inventory, and what the rendering thread does with each file. */
const runs = trees.map((t) => {
  const prepared = t.generate.prepareOutputs(loaded, catalogue, { env: process.env });
  if (!prepared.files) throw new Error(`${inventory}: ${prepared.findings.find((f) => f.severity === 'error')?.message}`);
  const files = prepared.files;
  const batch = Buffer.allocUnsafeSlow(1 << 26); // policy.csv of 100 000 phones is 30 MB
  const take = (f: { contents: string; bytes?: Buffer }) => {
    const n = f.bytes ? f.bytes.copy(batch, 0) : batch.write(f.contents, 0, 'utf8');
    t.sha256(batch.subarray(0, n));
  };
  return { t, files, take };
});

const cpu = (pass: () => void): number => {
  gc();
  const start = process.cpuUsage();
  pass();
  const u = process.cpuUsage(start);
  return Math.round((u.user + u.system) / 1000);
};
const results = new Map<string, number[]>();
const note = (key: string, ms: number) => results.set(key, [...(results.get(key) ?? []), ms]);
for (let round = 0; round < rounds; round++) {
  for (const { t, files, take } of runs) {
    note(
      `${t.name}: phone files`,
      cpu(() => {
        for (const f of files().phones) take(f);
      }),
    );
    note(
      `${t.name}: single files`,
      cpu(() => {
        for (const f of files().singles) take(f);
      }),
    );
  }
}
for (const [key, ms] of results) console.log(`${key.padEnd(40)} ${ms.join(' ').padEnd(30)} min ${Math.min(...ms)} ms`);
