/**
 * The CPU of generate's stages before any file is rendered — loadInventory, validateInventory,
 * resolvePlan — in one process, each round after a full garbage collection. With `--against DIR`
 * (another checkout, built) the two builds run alternately on the same file (which goes first
 * alternates too): a comparison the machine's noise blurs less than separate runs.
 *
 *   node dist/bench/synth.js 100000 > inv.yaml 2> env.sh && set -a && . ./env.sh && set +a
 *   node dist/bench/prewrite-stages.js inv.yaml --against ../old --rounds 6
 *
 * Prints each round's CPU per stage (user + system, all threads: the garbage collector's helpers
 * included) and the minimum of each per build.
 */
import { importFrom, stageRun } from './in-process.js';

const { gc, inventory, against, rounds, here } = stageRun('prewrite-stages.js', 5);

interface Build {
  name: string;
  catalogue: import('../src/core/catalogue.js').Catalogue;
  load: typeof import('../src/core/load.js').loadInventory;
  validate: typeof import('../src/core/validate/index.js').validateInventory;
  plan: typeof import('../src/core/policy.js').resolvePlan;
}
async function build(name: string, root: string): Promise<Build> {
  return {
    name,
    catalogue: (await importFrom<typeof import('../src/core/catalogue.js')>(root, 'core/catalogue.js')).loadCatalogue(),
    load: (await importFrom<typeof import('../src/core/load.js')>(root, 'core/load.js')).loadInventory,
    validate: (await importFrom<typeof import('../src/core/validate/index.js')>(root, 'core/validate/index.js')).validateInventory,
    plan: (await importFrom<typeof import('../src/core/policy.js')>(root, 'core/policy.js')).resolvePlan,
  };
}

const builds = [...(against ? [await build(`old (${against})`, against)] : []), await build('this build', here)];
const STAGES = ['load', 'validate', 'plan', 'total'];
const best = builds.map(() => STAGES.map(() => Infinity));
const cpu = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e3;
};
for (let round = 0; round < rounds; round++) {
  const order = builds.map((_, k) => k);
  if (round % 2 === 1) order.reverse();
  for (const k of order) {
    const b = builds[k];
    gc();
    let t = process.cpuUsage();
    const loaded = b.load(inventory);
    const load = cpu(t);
    t = process.cpuUsage();
    const v = b.validate(loaded, b.catalogue);
    const validate = cpu(t);
    t = process.cpuUsage();
    if (v.inventory) b.plan(v.inventory, b.catalogue);
    const plan = v.inventory ? cpu(t) : 0;
    const row = [load, validate, plan, load + validate + plan];
    row.forEach((ms, j) => {
      best[k][j] = Math.min(best[k][j], ms);
    });
    console.log(`round ${round + 1} ${b.name}: ${row.map((ms, j) => `${STAGES[j]} ${ms.toFixed(0)}`).join(', ')} ms (${v.findings.length} findings)`);
  }
}
builds.forEach((b, k) => console.log(`min ${b.name}: ${best[k].map((ms, j) => `${STAGES[j]} ${ms.toFixed(0)}`).join(', ')} ms`));
if (builds.length === 2) console.log(`this build / old: ${best[1].map((ms, j) => `${STAGES[j]} ${((ms / best[0][j] - 1) * 100).toFixed(1)} %`).join(', ')}`);
