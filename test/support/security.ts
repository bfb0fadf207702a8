/**
 * Shared pieces of the hostile-input tests (test/security/): inventories built as objects (so a
 * test can put any value anywhere, then write JSON or YAML), one phone per family, temp
 * directories, a tree reader that never follows links, and the in-memory generate pipeline.
 *
 *   const inv = securityInventory({ phonesPerFamily: 1 });
 *   inv.phones[0].auth.user = 'x\nevil = 1';
 *   const r = planText(JSON.stringify(inv), { SIP_PW: 'pw' });
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { planOutputs, type GenerateResult } from '../../src/core/generate.js';
import { parseInventory } from '../../src/core/load.js';
import type { OutputGroup } from '../../src/core/output.js';

/** One representative model per family, with a transport the family supports. */
export const FAMILY_MODELS: readonly { family: string; model: string; dual: boolean; format: 'keyvalue' | 'xml' }[] = [
  { family: 'yealink', model: 'yealink-t54w', dual: true, format: 'keyvalue' },
  { family: 'poly', model: 'poly-vvx450', dual: true, format: 'xml' },
  { family: 'cisco', model: 'cisco-8851', dual: true, format: 'xml' },
  { family: 'audiocodes', model: 'audiocodes-445hd', dual: false, format: 'keyvalue' },
  { family: 'snom', model: 'snom-d735', dual: true, format: 'xml' },
  { family: 'grandstream', model: 'grandstream-grp2614', dual: true, format: 'xml' },
  { family: 'alcatel', model: 'alcatel-4028', dual: false, format: 'keyvalue' },
  { family: 'baresip', model: 'baresip', dual: true, format: 'keyvalue' },
];

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Obj = Record<string, any>;

export interface InventoryOptions {
  /** Phones per family (default 1); each phone has its own place and agent. */
  phonesPerFamily?: number;
  /** Families to include (default: all). */
  families?: readonly string[];
  /** auth.password of every phone (default { env: 'SIP_PW' }). */
  password?: unknown;
  /** First byte pair of the generated MACs, to make two inventories' phones differ (default 0). */
  macSalt?: number;
  /** Alternate dual / active-backup on families that can dual-register (default true). */
  mixModes?: boolean;
}

/** A MAC in colon notation from a number (distinct numbers → distinct MACs). */
export function macOf(n: number, salt = 0): string {
  const hex = (salt * 0x1000000 + n).toString(16).padStart(12, '0').slice(-12);
  return hex.match(/../g)!.join(':');
}

/** A valid inventory (no errors) with `phonesPerFamily` phones of every family. */
export function securityInventory(opts: InventoryOptions = {}): Obj {
  const per = opts.phonesPerFamily ?? 1;
  const families = FAMILY_MODELS.filter((f) => !opts.families || opts.families.includes(f.family));
  const places: Obj[] = [];
  const agents: Obj[] = [];
  const phones: Obj[] = [];
  let n = 0;
  for (let k = 0; k < per; k++) {
    for (const f of families) {
      n++;
      const ext = String(100000 + n);
      const place = `Place_${ext}`;
      places.push({ id: place, extensions: { east: ext, west: ext } });
      agents.push({ login: String(500000 + n), user: `agent${n}`, place, preferredSite: n % 2 === 0 ? 'east' : 'west' });
      const phone: Obj = { mac: macOf(n, opts.macSalt ?? 0), model: f.model, place, auth: { password: opts.password ?? { env: 'SIP_PW' } } };
      if (f.family === 'alcatel') phone.transport = 'udp';
      if ((opts.mixModes ?? true) && f.dual && n % 3 === 0) phone.registration = 'dual';
      phones.push(phone);
    }
  }
  return {
    version: 1,
    dns: { zone: 'contoso.example', subdomain: 'sip', ttl: 300, resolvers: ['10.1.0.53'] },
    defaults: { registration: 'active-backup', transport: 'udp', registerExpires: 3600, preferredSite: 'auto' },
    sites: [
      {
        id: 'east',
        name: 'Boston',
        capacity: 100000,
        sipServer: {
          primary: { host: 'sipsrv-a.east.contoso.example', address: '10.1.0.11', port: 5060 },
          backup: { host: 'sipsrv-b.east.contoso.example', address: '10.1.0.12', port: 5060 },
        },
      },
      { id: 'west', name: 'Denver', capacity: 100000, sipServer: { vip: { host: 'sipsrv.west.contoso.example', address: '10.2.0.10' } } },
    ],
    places,
    agents,
    phones,
    switchDNs: [{ number: '8000', type: 'acd-queue' }],
    genesys: { statServerVersion: '8.1.2' },
  };
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** A fresh temp directory; `cleanup()` removes every one made so far. */
const made: string[] = [];
export function tempDir(prefix = 'sipbc-sec-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
export function cleanupTempDirs(): void {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
}

export interface TreeEntry {
  contents: Buffer;
  mode: number;
}

/** Every regular file under `dir` (relative '/'-paths → bytes and permission bits); links are listed as `link`, never followed. */
export function readTree(dir: string): Map<string, TreeEntry | 'link'> {
  const out = new Map<string, TreeEntry | 'link'>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out.set(r, 'link');
      else if (st.isDirectory()) walk(r);
      else if (st.isFile()) out.set(r, { contents: readFileSync(join(dir, r)), mode: st.mode & 0o777 });
    }
  };
  walk('');
  return out;
}

export interface PlanTextOptions {
  file?: string;
  only?: OutputGroup[];
  redact?: boolean;
  userTemplatesDir?: string;
  baseDir?: string;
}

/** The real generate pipeline in memory (what `sipbc generate` writes), from inventory text. */
export function planText(text: string, env: Record<string, string> = { SIP_PW: 'pw-1234' }, opts: PlanTextOptions = {}): GenerateResult {
  const loaded = parseInventory(text, opts.file ?? 'inventory.json', opts.baseDir ?? process.cwd());
  return planOutputs(loaded, loadCatalogue(opts.userTemplatesDir), { env, only: opts.only, redact: opts.redact, userTemplatesDir: opts.userTemplatesDir });
}

/** No line of a CLI's stderr looks like a JavaScript stack frame. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+(\(|:\d+:\d+)/m.test(text) || /\n\s+at (async )?[\w.<>]+ \(/.test(text);
}
