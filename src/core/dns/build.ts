/**
 * The SRV, NAPTR and A/AAAA records sipbc publishes, built from an inventory. For site S with peer T,
 * B = <subdomain>.<zone>, P = the SRV prefix of each transport in use:
 *
 *   P.S.B            S's pair: primary 10, backup 20 (or the VIP alone at 10)       weight 100
 *   P.S-preferred.B  S's pair at 10/20, then T's pair at 30/40 (VIPs at 10 / 30)   weight 100
 *   P.B              both primaries (or VIPs) at 10, both backups at 20; where two sites share a
 *                    priority the weights are proportional to site capacity (summing to 100; 50/50
 *                    when a capacity is unset), a priority held by one site alone has weight 100
 *   S.B              A/AAAA: the VIP's address, else the primary's
 *   <server host>    A/AAAA for each server host inside the zone that has an address
 *
 * `--drain S` (graceful migration off S): in S-preferred.B and B, S goes behind T (T at 10/20, S at 30/40, all
 * weight 100): new registrations go to T, S stays reachable as a last resort. P.S.B, P.T.B and
 * the address records do not change.
 *
 *   NAPTR on S.B, S-preferred.B and B (RFC 3403 / RFC 3263 §4.1): flag "s", empty regexp, one
 *                    record per transport, service SIP+D2U / SIP+D2T / SIPS+D2T, replacement = that
 *                    transport's SRV owner. A name the phones resolve through SRV carries exactly the
 *                    transports those phones are configured for (`usage`, from the registration plan);
 *                    a name no phone resolves (B, an unused S-preferred.B) carries every transport in
 *                    use, as its SRV records do. Order 10, 20, 30: first the one transport of the phones
 *                    that take their transport from NAPTR (Yealink DNS-NAPTR, Poly DNSnaptr) when they
 *                    agree, then tls, tcp, udp (the secure transport first for any other client).
 *                    Preference 10 throughout.
 *
 * Transports in use = defaults.transport (udp when unset) plus every phones[].transport.
 * Port = the endpoint's port, else 5060 (5061 for tls).
 */
import { ExitCode, SipbcError } from '../errors.js';
import type { Inventory, ServerEndpoint, Site, Transport } from '../inventory.js';
import { TRANSPORTS } from '../inventory.js';
import { balancedName, baseDomain, defaultPort, preferredName, siteName, srvPrefix } from '../dns-names.js';
import { addressRecord, canonicalName, type DnsRecord, isInZone, NaptrRecord, SrvRecord } from './records.js';
import { sortRecords } from './zone.js';

export const DEFAULT_TTL = 300;

/** Where a record came from in the inventory (a JSON path), so a problem can point at a line. */
export type Origin = (string | number)[];

export interface BuildOptions {
  /** Site id to drain (`--drain`): it goes behind its peer. */
  drain?: string;
  /** Which transports the phones resolving each name use (`dnsUsage` of the plan); absent: every transport in use everywhere. */
  usage?: DnsUsage;
}

/** The phones resolving one SRV name: their transports, and those of the phones that let NAPTR pick it. */
export interface NameUse {
  transports: Set<Transport>;
  naptrDriven: Set<Transport>;
}
/** SRV name (lower case, no trailing dot) → who resolves it. */
export type DnsUsage = ReadonlyMap<string, NameUse>;

/** One line server of a phone, as far as DNS cares (a PhonePolicy's servers with its family's NAPTR habit). */
export interface UsingLine {
  host: string;
  srv: boolean;
  transport: Transport;
  /** The phone takes its transport from NAPTR (its family has an srvTransport code). */
  naptrDriven: boolean;
}

/** Who resolves which SRV name, from every phone's line servers. */
export function dnsUsage(lines: Iterable<UsingLine>): DnsUsage {
  const usage = new Map<string, NameUse>();
  // Lines come host by host, from a handful of hosts: each host is made canonical when it changes, not per line.
  let host: string | undefined;
  let name = '';
  for (const l of lines) {
    if (!l.srv) continue;
    if (l.host !== host) name = canonicalName((host = l.host));
    let u = usage.get(name);
    if (!u) usage.set(name, (u = { transports: new Set(), naptrDriven: new Set() }));
    u.transports.add(l.transport);
    if (l.naptrDriven) u.naptrDriven.add(l.transport);
  }
  return usage;
}

/** RFC 3263 §4.1 NAPTR service of each transport. */
export const NAPTR_SERVICE: Record<Transport, string> = { udp: 'SIP+D2U', tcp: 'SIP+D2T', tls: 'SIPS+D2T' };

/** The transports a name's NAPTR set lists, in its order (see the header). */
export function naptrTransports(name: string, inUse: readonly Transport[], usage?: DnsUsage): Transport[] {
  const use = usage?.get(canonicalName(name));
  const listed = use ? inUse.filter((t) => use.transports.has(t)) : [...inUse];
  const secureFirst = (['tls', 'tcp', 'udp'] as const).filter((t) => listed.includes(t));
  const driven = use && use.naptrDriven.size === 1 ? [...use.naptrDriven][0] : undefined;
  return driven && listed.includes(driven) ? [driven, ...secureFirst.filter((t) => t !== driven)] : secureFirst;
}

/** The transports whose SRV names are published, in the order udp, tcp, tls. */
export function transportsInUse(inv: Inventory): Transport[] {
  const used = new Set<Transport>([inv.defaults?.transport ?? 'udp']);
  for (const p of inv.phones ?? []) if (p.transport) used.add(p.transport);
  return TRANSPORTS.filter((t) => used.has(t));
}

/** `P.name`: the SRV owner of `name` for a transport. */
export function srvOwner(transport: Transport, name: string): string {
  return `${srvPrefix(transport)}.${canonicalName(name)}`;
}

export function zoneOf(inv: Pick<Inventory, 'dns'>): string {
  return canonicalName(inv.dns.zone);
}

export function ttlOf(inv: Pick<Inventory, 'dns'>): number {
  return inv.dns.ttl ?? DEFAULT_TTL;
}

interface Tier {
  endpoint: ServerEndpoint;
  origin: Origin;
}

/** A site's servers in order: [vip] or [primary, backup]. */
function tiers(site: Site, index: number): Tier[] {
  const s = site.sipServer ?? {};
  const base: Origin = ['sites', index, 'sipServer'];
  if (s.vip) return [{ endpoint: s.vip, origin: [...base, 'vip'] }];
  const out: Tier[] = [];
  if (s.primary) out.push({ endpoint: s.primary, origin: [...base, 'primary'] });
  if (s.backup) out.push({ endpoint: s.backup, origin: [...base, 'backup'] });
  return out;
}

/**
 * SRV weights for sites sharing one priority: proportional to capacity, summing to 100
 * (a site with capacity > 0 gets at least 1); equal when any capacity is unset or all are 0.
 */
export function capacityWeights(capacities: readonly (number | undefined)[]): number[] {
  if (capacities.length === 1) return [100];
  const n = capacities.length;
  const sum = capacities.reduce<number>((a, c) => a + (c ?? 0), 0);
  if (capacities.some((c) => c === undefined || !Number.isFinite(c) || c < 0) || sum <= 0) {
    const w = Math.floor(100 / n);
    return capacities.map((_, i) => (i === 0 ? 100 - w * (n - 1) : w));
  }
  const raw = capacities.map((c) => Math.round((100 * (c as number)) / sum));
  const ws = raw.map((w, i) => ((capacities[i] as number) > 0 ? Math.max(1, w) : 0));
  // Keep the sum at 100 after rounding: the largest share absorbs the difference.
  const diff = 100 - ws.reduce((a, w) => a + w, 0);
  const biggest = ws.indexOf(Math.max(...ws));
  ws[biggest] += diff;
  return ws;
}

function validDrain(inv: Inventory, drain: string | undefined): string | undefined {
  if (drain === undefined) return undefined;
  const ids = inv.sites.map((s) => s.id);
  if (!ids.includes(drain)) {
    throw new SipbcError(`--drain ${drain}: no such site; the sites are ${ids.join(', ')}`, ExitCode.USAGE, `use one of: ${ids.join(', ')}`);
  }
  return drain;
}

export function buildDnsRecords(inv: Inventory, opts: BuildOptions = {}): DnsRecord[] {
  const drain = validDrain(inv, opts.drain);
  const zone = zoneOf(inv);
  const base = baseDomain(inv);
  const ttl = ttlOf(inv);
  const sites = inv.sites.map((site, index) => ({ site, index, tiers: tiers(site, index) }));
  const out: DnsRecord[] = [];

  const srv = (owner: string, priority: number, weight: number, port: number, t: Tier) => {
    const r = new SrvRecord(owner, ttl, priority, weight, port, t.endpoint.host);
    return withOrigin(r, [...t.origin, 'host']);
  };

  for (const transport of transportsInUse(inv)) {
    const port = (t: Tier) => t.endpoint.port ?? defaultPort(transport);

    // P.S.B — one site's pair.
    for (const s of sites) {
      const owner = srvOwner(transport, siteName(base, s.site.id));
      s.tiers.forEach((t, i) => out.push(srv(owner, 10 * (i + 1), 100, port(t), t)));
    }

    // P.S-preferred.B — S first, then its peers (a drained site always goes last).
    for (const s of sites) {
      const owner = srvOwner(transport, preferredName(base, s.site.id));
      let order = [s, ...sites.filter((o) => o !== s)];
      if (drain) order = [...order.filter((o) => o.site.id !== drain), ...order.filter((o) => o.site.id === drain)];
      order.forEach((o, k) => o.tiers.forEach((t, i) => out.push(srv(owner, 20 * k + 10 * (i + 1), 100, port(t), t))));
    }

    // P.B — load balanced over the sites; a drained site goes behind the others.
    const owner = srvOwner(transport, balancedName(base));
    const sharing = sites.filter((s) => s.site.id !== drain);
    const levels = Math.max(0, ...sharing.map((s) => s.tiers.length));
    for (let i = 0; i < levels; i++) {
      const here = sharing.filter((s) => s.tiers[i]);
      const weights = capacityWeights(here.map((s) => s.site.capacity));
      here.forEach((s, k) => out.push(srv(owner, 10 * (i + 1), weights[k], port(s.tiers[i]), s.tiers[i])));
    }
    // The drained site at 30/40, as in the preferred names (behind T's 10/20 even when T has only a VIP).
    for (const s of sites.filter((o) => o.site.id === drain)) {
      s.tiers.forEach((t, i) => out.push(srv(owner, 10 * (Math.max(levels, 2) + i + 1), 100, port(t), t)));
    }
  }

  // NAPTR on every SRV name: S.B, S-preferred.B, B.
  const inUse = transportsInUse(inv);
  const naptrNames = [...sites.flatMap((s) => [siteName(base, s.site.id), preferredName(base, s.site.id)]), balancedName(base)];
  for (const name of naptrNames) {
    naptrTransports(name, inUse, opts.usage).forEach((t, k) => out.push(new NaptrRecord(name, ttl, 10 * (k + 1), 10, NAPTR_SERVICE[t], srvOwner(t, name))));
  }

  // S.B A/AAAA — the VIP's address, else the primary's.
  for (const s of sites) {
    const first = s.tiers[0];
    if (!first?.endpoint.address) continue;
    const r = addressRecord(siteName(base, s.site.id), ttl, first.endpoint.address);
    if (r) out.push(withOrigin(r, [...first.origin, 'address']));
  }

  // Server hosts inside the zone that have an address: the SRV targets.
  for (const s of sites) {
    for (const t of s.tiers) {
      if (!t.endpoint.address || !t.endpoint.host || !isInZone(t.endpoint.host, zone)) continue;
      const r = addressRecord(t.endpoint.host, ttl, t.endpoint.address);
      if (r) out.push(withOrigin(r, [...t.origin, 'address']));
    }
  }

  return sortRecords(dedupe(out));
}

const origins = new WeakMap<DnsRecord, Origin>();

function withOrigin<R extends DnsRecord>(r: R, origin: Origin): R {
  origins.set(r, origin);
  return r;
}

/** The inventory path a built record came from (the server's host for SRV, its address for A/AAAA). */
export function originOf(r: DnsRecord): Origin | undefined {
  return origins.get(r);
}

/** Identical records (same owner, type and RDATA) once: e.g. a VIP host that is also S.B. */
function dedupe(records: DnsRecord[]): DnsRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.name} ${r.type} ${r.rdataText()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What a phone file points at: an SRV name for a transport, or a host name resolved through A/AAAA. */
export interface DnsNeed {
  name: string;
  type: 'SRV' | 'A';
  transport?: Transport;
  /** The phone takes its transport from the first NAPTR record of `name`: it must be the phone's own. */
  naptrDriven?: boolean;
}

/**
 * The DNS cross-check: the names a phone file points at that lack the records it needs
 * ("_sip._udp.east-preferred.sip.contoso.example SRV", "east.sip.contoso.example A/AAAA").
 * An SRV need looks for `P.name` (P from `transport`, udp when unset) and a NAPTR of `name` for that
 * transport leading to it; a phone that takes its transport from NAPTR also needs that NAPTR to come
 * first (lowest order), else it would register over another transport. An A need is met by A or AAAA.
 */
export function missingDnsFor(records: readonly DnsRecord[], needs: readonly DnsNeed[]): string[] {
  const have = new Set(records.map((r) => `${r.name} ${r.type === 'AAAA' ? 'A' : r.type}`));
  const naptrs = new Map<string, NaptrRecord[]>();
  for (const r of records) {
    if (!(r instanceof NaptrRecord)) continue;
    const list = naptrs.get(r.name);
    if (list) list.push(r);
    else naptrs.set(r.name, [r]);
  }
  const missing = new Set<string>();
  for (const need of needs) {
    if (need.type === 'SRV') {
      const transport = need.transport ?? 'udp';
      const owner = srvOwner(transport, need.name);
      if (!have.has(`${owner} SRV`)) missing.add(`${owner} SRV`);
      const name = canonicalName(need.name);
      const set = [...(naptrs.get(name) ?? [])].sort((a, b) => a.order - b.order || a.preference - b.preference);
      const service = NAPTR_SERVICE[transport];
      const mine = set.find((r) => r.services === service && r.replacement === owner);
      if (!mine) missing.add(`${name} NAPTR ${service} → ${owner}`);
      else if (need.naptrDriven && set[0] !== mine && (set[0].order < mine.order || set[0].preference < mine.preference)) {
        missing.add(`${name} NAPTR ${service} first (it lists ${set[0].services} first, so the phone would use ${set[0].services})`);
      }
    } else {
      const name = canonicalName(need.name);
      if (!have.has(`${name} A`)) missing.add(`${name} A/AAAA`);
    }
  }
  return [...missing].sort();
}
