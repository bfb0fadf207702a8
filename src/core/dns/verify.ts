/**
 * `sipbc dns verify`, the pure part: what a server answers for one RRset against what the inventory
 * expects, as a list of differences a DNS admin can act on, and their text / GitHub forms.
 *
 * Records are matched by what identifies them to a client: an SRV record by its target, a NAPTR by
 * its service, an address by itself. A matched record with other values is reported field by field
 * (wrong priority, weight, port; NAPTR order, preference, replacement, flags, regexp); an unmatched
 * expected one is missing, an unmatched answered one is extra; the TTL is checked per RRset.
 */
import { NaptrRecord, SrvRecord, type DnsRecord, type RecordType } from './records.js';

export type DifferenceKind = 'missing-rrset' | 'unexpected-rrset' | 'missing' | 'extra' | 'value' | 'ttl';

export interface Difference {
  name: string;
  type: RecordType;
  kind: DifferenceKind;
  /** The field that differs (priority, weight, port, order, …) for kind `value`. */
  field?: string;
  /** The target / service / address the difference is about, when one record is concerned. */
  record?: string;
  expected?: string | number;
  actual?: string | number;
  message: string;
  /** The transports whose answers show it (both, unless UDP and TCP answered differently). */
  transports: ('udp' | 'tcp')[];
}

/** What identifies a record to a client: SRV target, NAPTR service, the address. */
function identity(r: DnsRecord): string {
  if (r instanceof SrvRecord) return r.target;
  if (r instanceof NaptrRecord) return r.services;
  return r.rdataText().toLowerCase();
}

function fields(r: DnsRecord): [string, string | number][] {
  if (r instanceof SrvRecord)
    return [
      ['priority', r.priority],
      ['weight', r.weight],
      ['port', r.port],
    ];
  if (r instanceof NaptrRecord)
    return [
      ['order', r.order],
      ['preference', r.preference],
      ['replacement', r.replacement],
      ['flags', r.flags.toLowerCase()],
      ['regexp', r.regexp],
    ];
  return [];
}

const noun = (type: RecordType) => (type === 'SRV' ? 'target' : type === 'NAPTR' ? 'service' : 'address');

/** The differences of one RRset (`expected` or `actual` may be empty), as seen over one transport. */
export function compareRrset(
  name: string,
  type: RecordType,
  expected: readonly DnsRecord[],
  actual: readonly DnsRecord[],
  transport: 'udp' | 'tcp',
): Difference[] {
  const out: Difference[] = [];
  const d = (x: Omit<Difference, 'name' | 'type' | 'transports'>): void => void out.push({ name, type, ...x, transports: [transport] });
  if (expected.length === 0 && actual.length === 0) return out;
  if (actual.length === 0) {
    d({
      kind: 'missing-rrset',
      expected: expected.length,
      actual: 0,
      message: `no ${type} records; expected ${expected.length}: ${expected.map((r) => r.rdataText()).join(', ')}`,
    });
    return out;
  }
  if (expected.length === 0) {
    d({
      kind: 'unexpected-rrset',
      expected: 0,
      actual: actual.length,
      message: `${actual.length} ${type} record${actual.length === 1 ? '' : 's'} sipbc does not publish: ${actual.map((r) => r.rdataText()).join(', ')}`,
    });
    return out;
  }
  const byId = new Map<string, DnsRecord[]>();
  for (const r of actual) {
    const l = byId.get(identity(r));
    if (l) l.push(r);
    else byId.set(identity(r), [r]);
  }
  const what = noun(type);
  for (const e of expected) {
    const id = identity(e);
    const candidates = byId.get(id) ?? [];
    // The exact record if it is there, else the first with the same identity.
    const exact = candidates.findIndex((a) => a.rdataText().toLowerCase() === e.rdataText().toLowerCase());
    const i = Math.max(exact, 0);
    const a = candidates[i];
    if (!a) {
      d({ kind: 'missing', record: id, expected: e.rdataText(), message: `missing ${what} ${id} (${e.rdataText()})` });
      continue;
    }
    candidates.splice(i, 1);
    const have = new Map(fields(a));
    for (const [field, want] of fields(e)) {
      const got = have.get(field);
      if (got !== want)
        d({
          kind: 'value',
          field,
          record: id,
          expected: want,
          actual: got,
          message: `${type === 'NAPTR' ? 'NAPTR ' : ''}${field} of ${what} ${id} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
        });
    }
  }
  for (const rest of byId.values())
    for (const a of rest) d({ kind: 'extra', record: identity(a), actual: a.rdataText(), message: `extra ${what} ${identity(a)} (${a.rdataText()})` });
  const ttls = [...new Set(actual.map((r) => r.ttl))];
  if (ttls.length !== 1 || ttls[0] !== expected[0].ttl)
    d({ kind: 'ttl', expected: expected[0].ttl, actual: ttls.join('/'), message: `TTL ${ttls.join('/')}, expected ${expected[0].ttl}` });
  return out;
}

/** The differences seen over UDP and over TCP as one list: one entry per difference, naming the transports that show it. */
export function mergeTransports(udp: readonly Difference[], tcp: readonly Difference[]): Difference[] {
  const key = (x: Difference) => `${x.name} ${x.type} ${x.kind} ${x.field ?? ''} ${x.record ?? ''} ${x.message}`;
  const merged = new Map<string, Difference>();
  for (const x of [...udp, ...tcp]) {
    const m = merged.get(key(x));
    if (m) m.transports = [...new Set([...m.transports, ...x.transports])];
    else merged.set(key(x), { ...x, transports: [...x.transports] });
  }
  return [...merged.values()];
}

export interface VerifyResult {
  server: string;
  zone: string;
  /** RRsets asked for (expected ones, and the owned ones that should be absent). */
  checked: number;
  differences: Difference[];
}

const only = (x: Difference) => (x.transports.length === 1 ? ` (${x.transports[0].toUpperCase()} only)` : '');

export function renderVerifyText(r: VerifyResult): string {
  if (r.differences.length === 0)
    return `${r.server} answers as the inventory says for zone ${r.zone}: ${r.checked} RRsets checked over UDP and TCP, no difference\n`;
  const lines = r.differences.map((x) => `${x.name} ${x.type}: ${x.message}${only(x)}`);
  const sets = new Set(r.differences.map((x) => `${x.name} ${x.type}`)).size;
  lines.push(
    `${r.server}: ${r.differences.length} difference${r.differences.length === 1 ? '' : 's'} in ${sets} of ${r.checked} RRsets (zone ${r.zone}); run sipbc dns push to correct them`,
  );
  return lines.join('\n') + '\n';
}

/** GitHub workflow commands: one `::error` per difference (`%`, CR, LF escaped as GitHub requires). */
export function renderVerifyGithub(r: VerifyResult): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return r.differences.map((x) => `::error title=${prop(`DNS drift: ${x.name} ${x.type}`)}::${esc(`${x.message}${only(x)}`)}\n`).join('');
}
