/**
 * Synthetic inventories for the benchmark (bench/bench.ts): N phones that
 * cover every model of templates/catalogue.json, both registration modes
 * (explicit dual, explicit active-backup, and the default), both sites
 * (agents pinned to east, to west, `auto`, or left to the default; some
 * phones overriding the site), Workspace SIP Endpoint agents, and passwords
 * given as `{ env: … }` references. The variables those references name are
 * returned in `env`: the benchmark sets them for the child processes so that
 * `generate` resolves every secret.
 *
 * The passwords come from a small pool of variables (ENV_POOL) rather than one
 * variable per phone: 100 000 variables would not fit in a process
 * environment (Linux caps argv + environ at a few MiB).
 *
 * The text is written as an admin writes YAML (block style, quoted numbers)
 * and is deterministic: the same N always gives the same bytes.
 *
 *   node dist/bench/synth.js 1000 > inventory.yaml   # prints the env vars to set on stderr
 *   node dist/bench/synth.js 1000 --warnings > inventory.yaml   # about one phone in eight with a warning
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How many distinct password variables the phones share. */
export const ENV_POOL = 64;
export const ENV_PREFIX = 'SIPBC_BENCH_PW_';

export interface SynthInventory {
  text: string;
  /** The environment variables the `{ env: … }` passwords name, with their values. */
  env: Record<string, string>;
  phones: number;
  /** phone counts per family id, for the report */
  families: Record<string, number>;
}

interface CatalogueData {
  families: Record<string, { dualRegistration: boolean; srv: boolean; dualSrv: boolean }>;
  models: Record<string, { family: string }>;
}

/** The project root: this file is bench/synth.ts, compiled to dist/bench/synth.js. */
export const PROJECT_ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist', 'bench')) ? join(here, '..', '..') : join(here, '..');
})();

function loadModels(): { id: string; family: string; dual: boolean; srv: boolean; dualSrv: boolean }[] {
  const cat = JSON.parse(readFileSync(join(PROJECT_ROOT, 'templates', 'catalogue.json'), 'utf8')) as CatalogueData;
  return Object.entries(cat.models)
    .map(([id, m]) => {
      const f = cat.families[m.family];
      return { id, family: m.family, dual: f?.dualRegistration ?? false, srv: f?.srv ?? true, dualSrv: f?.dualSrv ?? true };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Three common notations, so MAC normalisation is exercised too. */
function macFor(i: number): string {
  const h = `0015${hex(i, 8)}`;
  switch (i % 3) {
    case 0:
      return h.match(/../g)!.join(':').toUpperCase();
    case 1:
      return `${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8)}`;
    default:
      return h;
  }
}

export interface SynthOptions {
  /**
   * Findings too: the Alcatel phones (5 of the catalogue's 38 models, about one phone in eight)
   * prefer east, the primary + backup site, so each gets the warning SIPBC-W-NO-SRV-NO-VIP (it
   * reaches the primary only): 13 160 warnings at 100 000 phones. Measures what findings cost generate.
   */
  warnings?: boolean;
}

export function synthInventory(phones: number, { warnings = false }: SynthOptions = {}): SynthInventory {
  const models = loadModels();
  const env: Record<string, string> = {};
  for (let k = 0; k < ENV_POOL; k++) env[`${ENV_PREFIX}${k}`] = `bench-secret-${k}-${hex(((k + 1) * 2654435761) % 0xffffffff, 8)}`;
  const families: Record<string, number> = {};

  const out: string[] = [];
  out.push(
    `# synthetic inventory: ${phones} phones (bench/synth.ts)`,
    'version: 1',
    'dns:',
    '  zone: contoso.example',
    '  subdomain: sip',
    '  ttl: 300',
    // Alcatel-Lucent files carry the phone's DNS server (SIPBC-W-PHONE-DNS-RESOLVER without it).
    '  resolvers: [10.1.0.53, 10.2.0.53]',
    'defaults:',
    '  registration: active-backup',
    '  transport: udp',
    '  registerExpires: 3600',
    '  preferredSite: auto',
    'sites:',
    '  - id: east',
    '    name: Boston',
    `    capacity: ${Math.max(phones * 2, 10)}`,
    '    sipServer:',
    '      primary: { host: sipsrv-a.east.contoso.example, address: 10.1.0.11, port: 5060 }',
    '      backup: { host: sipsrv-b.east.contoso.example, address: 10.1.0.12, port: 5060 }',
    '  - id: west',
    '    name: Denver',
    `    capacity: ${Math.max(phones * 2, 10)}`,
    '    sipServer:',
    '      vip: { host: sipsrv.west.contoso.example, address: 10.2.0.10 }',
  );

  // One place per phone (a desk), its Extension DN the same number on both switches.
  out.push('places:');
  for (let i = 0; i < phones; i++) {
    const ext = String(100000 + i);
    out.push(`  - id: Place_${ext}`, `    extensions: { east: "${ext}", west: "${ext}" }`);
  }

  // Agents: one per place, except every 20th place (hot desk without an agent).
  const agentSite = ['east', 'west', 'auto', undefined];
  out.push('agents:');
  for (let i = 0; i < phones; i++) {
    if (i % 20 === 19) continue;
    const ext = String(100000 + i);
    out.push(`  - login: "${500000 + i}"`, `    user: agent${i}`, `    place: Place_${ext}`);
    const site = agentSite[i % 4];
    if (site) out.push(`    preferredSite: ${site}`);
    if (i % 5 === 0) out.push('    sipEndpoint: true');
  }

  out.push('phones:');
  for (let i = 0; i < phones; i++) {
    const m = models[i % models.length];
    families[m.family] = (families[m.family] ?? 0) + 1;
    const ext = String(100000 + i);
    out.push(`  - mac: "${macFor(i)}"`, `    model: ${m.id}`, `    place: Place_${ext}`);
    // Both modes: explicit dual (where the model can), explicit active-backup, or the default.
    const r = Math.floor(i / models.length) % 3;
    const dual = r === 0 && m.dual;
    if (dual) out.push('    registration: dual');
    else if (r === 1) out.push('    registration: active-backup');
    // Phones that do not use SRV (Alcatel 4000; Cisco MPP in dual) prefer the site with a VIP: at a
    // primary + backup site they would reach the primary only (a warning); the benchmark measures a
    // clean inventory (unless `warnings`: then the Alcatel phones prefer east and each gets one).
    if (warnings && m.family === 'alcatel') out.push('    preferredSite: east');
    else if (!m.srv || (dual && !m.dualSrv)) out.push('    preferredSite: west');
    else if (i % 7 === 3) out.push(`    preferredSite: ${i % 2 ? 'east' : 'west'}`);
    out.push('    auth:');
    if (i % 11 === 0) out.push(`      user: "${ext}"`);
    out.push(`      password: { env: ${ENV_PREFIX}${i % ENV_POOL} }`);
  }

  out.push(
    'switchDNs:',
    ...Array.from({ length: 10 }, (_, k) => `  - { number: "${8000 + k}", type: acd-queue }`),
    ...Array.from({ length: 4 }, (_, k) => `  - { number: "${9000 + k}", type: call-processing-port }`),
    'genesys:',
    '  statServerVersion: "8.1.3"',
    '',
  );
  return { text: out.join('\n'), env, phones, families };
}

/**
 * A hostile inventory for the validate benchmark (issue 18): a one-phone inventory whose phone
 * mapping holds `keys` unknown keys, each value padded so the whole text is `bytes` long (give the
 * size of synthInventory(keys).text: the same bytes to read, `keys` findings to make).
 */
export function synthUnknownKeys(keys: number, bytes: number): string {
  const head = [
    '# synthetic hostile inventory: one mapping of unknown keys (bench/synth.ts)',
    'version: 1',
    'dns: { zone: contoso.example }',
    'sites:',
    '  - id: east',
    '    sipServer: { vip: { host: sipsrv.east.contoso.example, address: 10.1.0.10 } }',
    '  - id: west',
    '    sipServer: { vip: { host: sipsrv.west.contoso.example, address: 10.2.0.10 } }',
    'places:',
    '  - { id: P1, extensions: { east: "1001", west: "1001" } }',
    'phones:',
    '  - mac: "00:15:65:00:00:01"',
    '    model: yealink-t54w',
    '    place: P1',
    '    auth: { password: { env: SIP_PW } }',
    '',
  ].join('\n');
  // `    unknown<i>: "<pad>"\n`: the padding is shared out so the text ends at `bytes`.
  const fixed = (i: number) => `    unknown${i}: ""\n`.length;
  let room = bytes - head.length;
  for (let i = 0; i < keys; i++) room -= fixed(i);
  const out: string[] = [head];
  for (let i = 0; i < keys; i++) {
    const pad = Math.max(0, Math.floor(room / (keys - i)));
    room -= pad;
    out.push(`    unknown${i}: "${'x'.repeat(pad)}"\n`);
  }
  return out.join('');
}

// Stand-alone: print an inventory of N phones (default 1000) to stdout, the variables to export on stderr.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const warnings = args.includes('--warnings');
  const rest = args.filter((a) => a !== '--warnings');
  const n = Number(rest[0] ?? 1000);
  if (!Number.isInteger(n) || n < 1 || rest.length > 1) {
    process.stderr.write('usage: node dist/bench/synth.js PHONES [--warnings] > inventory.yaml\n');
    process.exit(2);
  }
  const inv = synthInventory(n, { warnings });
  process.stdout.write(inv.text);
  for (const [k, v] of Object.entries(inv.env)) process.stderr.write(`export ${k}=${v}\n`);
}
