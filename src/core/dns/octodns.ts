/**
 * `sipbc dns --format octodns`: the records as zone data for octoDNS's YamlProvider
 * (octodns docs/records.md and octodns/record/{srv,naptr,a,aaaa}.py):
 *
 *   <name relative to the zone, '' for the apex>:
 *     type: SRV | NAPTR | A | AAAA     (a list of such objects when a name has several types)
 *     ttl: <seconds>
 *     value: <one value> | values: [<value>, …]
 *   SRV value    {port, priority, target, weight}, target absolute with its trailing dot
 *   NAPTR value  {flags, order, preference, regexp, replacement, service}; flags upper-case, as
 *                octoDNS stores them (RFC 3403: their case does not matter)
 *   A / AAAA     the address
 *
 * Every mapping's keys are in octoDNS's natural sort order (its YamlProvider refuses a file whose
 * keys are out of order, enforce_order), names in the zone printer's order otherwise. No
 * `octodns:` metadata: that stays the user's. Strings are quoted when YAML 1.1 (PyYAML) could read
 * them as something else.
 *
 * `parseOctodns` reads such data back into records (used to prove the round trip).
 */
import yaml from 'js-yaml';
import { addressRecord, canonicalName, type DnsRecord, NaptrRecord, SrvRecord } from './records.js';
import { banner, relativeName, sortRecords } from './zone.js';

/** natsort's order (octoDNS sorts keys with natsort_keygen()): digit runs compared as numbers. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    if (i % 2 === 1) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d !== 0) return d;
    }
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

const YAML11_SPECIAL = /^(y|yes|n|no|on|off|true|false|null)$/i;
/** A scalar as plain YAML when YAML 1.1 (PyYAML) and 1.2 both read it back as this string, else single-quoted. */
function scalar(s: string | number): string {
  if (typeof s === 'number') return String(s);
  const plain = (/^[A-Za-z_][A-Za-z0-9_.+-]*$/.test(s) && !YAML11_SPECIAL.test(s)) || /^\d+\.\d+\.\d+\.\d+$/.test(s);
  return plain ? s : `'${s.replace(/'/g, "''")}'`;
}

type Value = Record<string, string | number> | string;

function recordValue(r: DnsRecord): Value {
  if (r instanceof SrvRecord) return { port: r.port, priority: r.priority, target: `${r.target}.`, weight: r.weight };
  if (r instanceof NaptrRecord)
    return { flags: r.flags.toUpperCase(), order: r.order, preference: r.preference, regexp: r.regexp, replacement: `${r.replacement}.`, service: r.services };
  return r.rdataText();
}

/** A mapping's lines, keys in natural order: the first line starts with `first`, the others with `rest`. */
function mapping(v: Record<string, string | number>, first: string, rest: string): string[] {
  return Object.keys(v)
    .sort(naturalCompare)
    .map((k, i) => `${i === 0 ? first : rest}${k}: ${scalar(v[k])}`);
}

export function renderOctodns(records: readonly DnsRecord[], opts: { zone: string; source: string; drain?: string }): string {
  const zone = canonicalName(opts.zone);
  const byName = new Map<string, DnsRecord[][]>();
  for (const r of sortRecords(records)) {
    const rel = relativeName(r.name, zone);
    const key = rel === '@' ? '' : rel;
    const sets = byName.get(key) ?? [];
    const set = sets.find((s) => s[0].type === r.type);
    if (set) set.push(r);
    else sets.push([r]);
    byName.set(key, sets);
  }
  const lines = [banner(opts.source, opts.drain, '#'), '---'];
  for (const name of [...byName.keys()].sort(naturalCompare)) {
    const sets = byName.get(name)!.sort((a, b) => naturalCompare(a[0].type, b[0].type));
    lines.push(`${scalar(name)}:`);
    for (const set of sets) {
      // One type: a mapping under the name; several: a list of mappings.
      const [head, pad] = sets.length > 1 ? ['  - ', '    '] : ['  ', '  '];
      lines.push(`${head}ttl: ${set[0].ttl}`, `${pad}type: ${set[0].type}`);
      const values = set.map(recordValue);
      if (values.length === 1) {
        const v = values[0];
        lines.push(...(typeof v === 'string' ? [`${pad}value: ${scalar(v)}`] : [`${pad}value:`, ...mapping(v, `${pad}  `, `${pad}  `)]));
      } else {
        lines.push(`${pad}values:`);
        for (const v of values) lines.push(...(typeof v === 'string' ? [`${pad}  - ${scalar(v)}`] : mapping(v, `${pad}  - `, `${pad}    `)));
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** octoDNS YamlProvider zone data (SRV, NAPTR, A, AAAA) back to records; other types are ignored. */
export function parseOctodns(text: string, zone: string): DnsRecord[] {
  const z = canonicalName(zone);
  const data = yaml.load(text) as Record<string, unknown>;
  const out: DnsRecord[] = [];
  for (const [name, entry] of Object.entries(data ?? {})) {
    const owner = name === '' ? z : `${name}.${z}`;
    for (const rec of (Array.isArray(entry) ? entry : [entry]) as { type: string; ttl?: number; value?: unknown; values?: unknown[] }[]) {
      const ttl = rec.ttl ?? 3600;
      const values = rec.values ?? (rec.value === undefined ? [] : [rec.value]);
      for (const v of values as Record<string, unknown>[]) {
        if (rec.type === 'SRV') out.push(new SrvRecord(owner, ttl, Number(v.priority), Number(v.weight), Number(v.port), String(v.target)));
        else if (rec.type === 'NAPTR')
          out.push(
            new NaptrRecord(
              owner,
              ttl,
              Number(v.order),
              Number(v.preference),
              String(v.service),
              String(v.replacement),
              String(v.flags).toLowerCase(),
              String(v.regexp),
            ),
          );
        else if (rec.type === 'A' || rec.type === 'AAAA') {
          const r = addressRecord(owner, ttl, String(v));
          if (r) out.push(r);
        }
      }
    }
  }
  return out;
}
