/**
 * Where a profiled run's time goes: the self time of the top functions of each .cpuprofile
 * (`node --cpu-prof` writes one per thread: the main thread, the generate worker, the writer),
 * and the inclusive time of generate's steps.
 *
 *   node --cpu-prof --cpu-prof-dir=prof bin/run.js generate inv.yaml -o out
 *   node dist/bench/profile-summary.js prof/*.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** generate's steps (function names in src/), reported with everything they call. */
const STEPS = [
  'loadInventory',
  'validateInventory',
  'resolvePlan',
  'phoneFiles',
  'policyCsv',
  'genesysFiles',
  'syncOutput',
  'syncOutputInThread',
  'escapeInPlace',
  'sha256',
];

function summarise(file: string, top: number): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const timeOf = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const d = p.timeDeltas[i] ?? 0;
    timeOf.set(id, (timeOf.get(id) ?? 0) + d);
    total += d;
  });
  const self = new Map<string, number>();
  const steps = new Map<string, number>();
  for (const [id, t] of timeOf) {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(dist\/|node_modules\/)/, '$1')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + t);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const name = byId.get(x)!.callFrame.functionName;
      if (STEPS.includes(name) && !seen.has(name)) {
        seen.add(name);
        steps.set(name, (steps.get(name) ?? 0) + t);
      }
    }
  }
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines = [`${file}: ${(total / 1e6).toFixed(2)} s sampled`];
  for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${ms(t)} ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
  if (steps.size > 0) lines.push('  steps (inclusive):', ...STEPS.filter((s) => steps.has(s)).map((s) => `${ms(steps.get(s)!)}  ${s}`));
  return lines.join('\n');
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node dist/bench/profile-summary.js PROFILE.cpuprofile…\n');
  process.exit(2);
}
process.stdout.write(`${files.map((f) => summarise(f, 20)).join('\n\n')}\n`);
