/**
 * The DNS record model: each record type knows how to check and
 * print itself. No templates: the zone printer (zone.ts), the nsupdate script
 * (nsupdate.ts), the JSON form and the RFC 2136 message (wire.ts) all read
 * these objects.
 *
 * Names are held lower-case, absolute, WITHOUT the trailing dot — the
 * convention of `dns-packet` (what it encodes from and decodes to). Printers
 * that need the dot (zone file, nsupdate) add it.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { dnsNameProblem, hostNameProblem } from '../dns-names.js';

/**
 * An SRV target is an IP address (refused) or a host name. Every IPv6 address has a colon, so a
 * name is never handed to node's isIPv6: its first call compiles a large pattern, ~5 ms of
 * `sipbc validate` start-up for an inventory without IPv6.
 */
const isIpAddress = (text: string): boolean => isIPv4(text) || (text.includes(':') && isIPv6(text));

export type RecordType = 'SRV' | 'NAPTR' | 'A' | 'AAAA';

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  /** Absolute host name, no trailing dot (dns-packet's form). */
  target: string;
}

/** NAPTR RDATA (RFC 3403 §4.1) in dns-packet's shape. */
export interface NaptrData {
  order: number;
  preference: number;
  flags: string;
  services: string;
  regexp: string;
  /** Absolute name, no trailing dot. */
  replacement: string;
}

/** A record as `dns-packet` encodes/decodes it (an "answer"). */
export interface DnsPacketRecord {
  name: string;
  type: RecordType;
  ttl: number;
  class: 'IN';
  data: SrvData | NaptrData | string;
}

/** A problem with one record or RRset. `error` stops output; `warning` is reported and the records are still written. */
export interface DnsProblem {
  severity: 'error' | 'warning';
  /** Stable rule code (the validate command reports it as is). */
  code: string;
  /** Owner name of the record (absolute, no trailing dot). */
  name: string;
  type: RecordType;
  message: string;
  /** The record the problem was found on (not part of the message). */
  record?: DnsRecord;
}

const U16_MAX = 65535;
/** RFC 2181 §8: a TTL is an unsigned 31-bit number. */
const TTL_MAX = 2147483647;

/** Lower-case, no trailing dot. */
export function canonicalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** `name` is `zone` or below it. */
export function isInZone(name: string, zone: string): boolean {
  const n = canonicalName(name);
  const z = canonicalName(zone);
  return n === z || n.endsWith('.' + z);
}

export abstract class DnsRecord {
  readonly class = 'IN' as const;
  abstract readonly type: RecordType;
  readonly name: string;

  constructor(
    name: string,
    readonly ttl: number,
  ) {
    this.name = canonicalName(name);
  }

  /** The RDATA in zone-file presentation form (absolute names end with '.'). */
  abstract rdataText(): string;

  /** The `data` member in dns-packet's shape. */
  abstract packetData(): SrvData | NaptrData | string;

  /** Problems this record has on its own (the set-level rules are in `checkDnsRecords`). */
  problems(): DnsProblem[] {
    const out: DnsProblem[] = [];
    const nameProblem = dnsNameProblem(this.name);
    if (nameProblem) out.push(this.problem('SIPBC-E-DNS-NAME-TOO-LONG', `the DNS name "${this.name}" ${nameProblem}; shorten the subdomain, zone or site id`));
    if (!Number.isInteger(this.ttl) || this.ttl < 0 || this.ttl > TTL_MAX) {
      out.push(this.problem('SIPBC-E-DNS-TTL', `TTL ${this.ttl} of ${this.name} ${this.type} is not an integer from 0 to ${TTL_MAX}`));
    }
    return out;
  }

  /** dns-packet's record object: `{ name, type, ttl, class, data }`. */
  toJSON(): DnsPacketRecord {
    return { name: this.name, type: this.type, ttl: this.ttl, class: this.class, data: this.packetData() };
  }

  /** The RRset this record belongs to. */
  get rrsetKey(): string {
    return `${this.name} ${this.type}`;
  }

  protected problem(code: string, message: string, severity: DnsProblem['severity'] = 'error'): DnsProblem {
    return { severity, code, name: this.name, type: this.type, message, record: this };
  }
}

export class SrvRecord extends DnsRecord {
  readonly type = 'SRV' as const;
  readonly target: string;

  constructor(
    name: string,
    ttl: number,
    readonly priority: number,
    readonly weight: number,
    readonly port: number,
    target: string,
  ) {
    super(name, ttl);
    this.target = canonicalName(target);
  }

  rdataText(): string {
    return `${this.priority} ${this.weight} ${this.port} ${this.target}.`;
  }

  packetData(): SrvData {
    return { priority: this.priority, weight: this.weight, port: this.port, target: this.target };
  }

  override problems(): DnsProblem[] {
    const out = super.problems();
    for (const [field, v] of [
      ['priority', this.priority],
      ['weight', this.weight],
      ['port', this.port],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > U16_MAX) {
        out.push(this.problem('SIPBC-E-DNS-SRV-RANGE', `SRV ${field} ${v} of ${this.name} is not an integer from 0 to ${U16_MAX}`));
      }
    }
    if (isIpAddress(this.target)) {
      out.push(
        this.problem(
          'SIPBC-E-DNS-SRV-TARGET-IP',
          `SRV target of ${this.name} is the IP address ${this.target}; an SRV target must be a host name with A/AAAA records (RFC 2782): give the server a host name`,
        ),
      );
    } else {
      const p = hostNameProblem(this.target);
      if (p) out.push(this.problem('SIPBC-E-DNS-SRV-TARGET-NAME', `SRV target "${this.target}" of ${this.name} ${p}`));
    }
    return out;
  }
}

/**
 * NAPTR for SIP (RFC 3403, RFC 3263 §4.1): flag "s", an empty regexp, and the replacement = the SRV
 * owner of the transport the service names (SIP+D2U → _sip._udp, SIP+D2T → _sip._tcp, SIPS+D2T →
 * _sips._tcp). A client takes the lowest order, then the lowest preference, among the services it supports.
 */
export class NaptrRecord extends DnsRecord {
  readonly type = 'NAPTR' as const;
  readonly replacement: string;

  constructor(
    name: string,
    ttl: number,
    readonly order: number,
    readonly preference: number,
    readonly services: string,
    replacement: string,
    /** sipbc always writes "s" and ""; other values come only from what a server holds (dns push/verify). */
    readonly flags = 's',
    readonly regexp = '',
  ) {
    super(name, ttl);
    this.replacement = canonicalName(replacement);
  }

  rdataText(): string {
    return `${this.order} ${this.preference} "${this.flags}" "${this.services}" "${this.regexp}" ${this.replacement}.`;
  }

  packetData(): NaptrData {
    return { order: this.order, preference: this.preference, flags: this.flags, services: this.services, regexp: this.regexp, replacement: this.replacement };
  }

  override problems(): DnsProblem[] {
    const out = super.problems();
    for (const [field, v] of [
      ['order', this.order],
      ['preference', this.preference],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > U16_MAX) {
        out.push(this.problem('SIPBC-E-DNS-NAPTR-RANGE', `NAPTR ${field} ${v} of ${this.name} is not an integer from 0 to ${U16_MAX}`));
      }
    }
    const p = dnsNameProblem(this.replacement);
    if (p) out.push(this.problem('SIPBC-E-DNS-NAME-TOO-LONG', `the NAPTR replacement "${this.replacement}" of ${this.name} ${p}`));
    return out;
  }
}

/** A and AAAA: an owner and one address of the record's IP family. */
abstract class AddressRecord extends DnsRecord {
  protected abstract readonly family: { version: string; valid(address: string): boolean };
  constructor(
    name: string,
    ttl: number,
    readonly address: string,
  ) {
    super(name, ttl);
  }
  rdataText(): string {
    return this.address;
  }
  packetData(): string {
    return this.address;
  }
  override problems(): DnsProblem[] {
    const out = super.problems();
    if (!this.family.valid(this.address)) {
      out.push(this.problem('SIPBC-E-DNS-ADDRESS', `${this.type} record ${this.name}: "${this.address}" is not an ${this.family.version} address`));
    }
    return out;
  }
}

export class ARecord extends AddressRecord {
  readonly type = 'A' as const;
  protected readonly family = { version: 'IPv4', valid: isIPv4 };
}

export class AaaaRecord extends AddressRecord {
  readonly type = 'AAAA' as const;
  protected readonly family = { version: 'IPv6', valid: isIPv6 };
  constructor(name: string, ttl: number, address: string) {
    super(name, ttl, address.toLowerCase());
  }
}

/** An A or AAAA record for `address`, whichever family it is (undefined when it is neither). */
export function addressRecord(name: string, ttl: number, address: string): ARecord | AaaaRecord | undefined {
  if (isIPv4(address)) return new ARecord(name, ttl, address);
  if (isIPv6(address)) return new AaaaRecord(name, ttl, address);
  return undefined;
}

/** Records grouped by RRset (owner + type), in first-seen order. */
export function rrsets(records: readonly DnsRecord[]): Map<string, DnsRecord[]> {
  const sets = new Map<string, DnsRecord[]>();
  for (const r of records) {
    const list = sets.get(r.rrsetKey);
    if (list) list.push(r);
    else sets.set(r.rrsetKey, [r]);
  }
  return sets;
}

/**
 * Every rule for a set of records that will be loaded into `zone`:
 * each record's own rules, plus
 * - owners inside the zone;
 * - one TTL per RRset, no duplicate records;
 * - an SRV target inside the zone has A/AAAA records in this set (else named-checkzone only warns
 *   "has no address records" and phones get nowhere); outside the zone it cannot be checked here: a warning;
 * - an SRV target is never an alias: the set has no CNAME for it (we never emit CNAMEs, and a name with
 *   A/AAAA records cannot hold one).
 */
export function checkDnsRecords(records: readonly DnsRecord[], zone: string): DnsProblem[] {
  const out: DnsProblem[] = [];
  const z = canonicalName(zone);
  const withAddress = new Set(records.filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => r.name));
  /** Target problems are reported once per target (the first SRV record naming it). */
  const reportedTargets = new Set<string>();
  for (const r of records) {
    out.push(...r.problems());
    if (!isInZone(r.name, z)) {
      out.push({
        severity: 'error',
        code: 'SIPBC-E-DNS-OUT-OF-ZONE',
        name: r.name,
        type: r.type,
        message: `${r.name} is not inside the zone ${z}; it cannot be loaded there`,
        record: r,
      });
    }
    if (r instanceof SrvRecord && !isIpAddress(r.target)) {
      if (isInZone(r.target, z)) {
        if (!withAddress.has(r.target) && !reportedTargets.has(r.target)) {
          reportedTargets.add(r.target);
          out.push({
            severity: 'error',
            code: 'SIPBC-E-DNS-TARGET-NO-ADDRESS',
            name: r.name,
            type: 'SRV',
            message: `SRV target ${r.target} (of ${r.name}) is inside the zone ${z} but has no A/AAAA record here: give that server an address in the inventory`,
            record: r,
          });
        }
      } else if (!reportedTargets.has(r.target)) {
        reportedTargets.add(r.target);
        out.push({
          severity: 'warning',
          code: 'SIPBC-W-DNS-TARGET-OUTSIDE-ZONE',
          name: r.name,
          type: 'SRV',
          message: `SRV target ${r.target} is outside the zone ${z}: sipbc cannot publish or check its A/AAAA records; make sure they exist (and are not a CNAME)`,
          record: r,
        });
      }
    }
  }
  // A NAPTR with flag "s" leads to an SRV lookup of its replacement: that SRV RRset must be here (RFC 3263 §4.1).
  const srvOwners = new Set(records.filter((r) => r.type === 'SRV').map((r) => r.name));
  for (const r of records) {
    if (r instanceof NaptrRecord && isInZone(r.replacement, z) && !srvOwners.has(r.replacement)) {
      out.push({
        severity: 'error',
        code: 'SIPBC-E-DNS-NAPTR-NO-SRV',
        name: r.name,
        type: 'NAPTR',
        message: `NAPTR ${r.services} of ${r.name} points at ${r.replacement}, which has no SRV records here`,
        record: r,
      });
    }
  }
  for (const set of rrsets(records).values()) {
    const ttls = [...new Set(set.map((r) => r.ttl))];
    if (ttls.length > 1) {
      out.push({
        severity: 'error',
        code: 'SIPBC-E-DNS-RRSET-TTL',
        name: set[0].name,
        type: set[0].type,
        message: `the RRset ${set[0].name} ${set[0].type} has different TTLs (${ttls.join(', ')}); an RRset has one TTL`,
        record: set[0],
      });
    }
    const seen = new Set<string>();
    for (const r of set) {
      const key = r.rdataText();
      if (seen.has(key)) {
        out.push({
          severity: 'error',
          code: 'SIPBC-E-DNS-DUPLICATE',
          name: r.name,
          type: r.type,
          message: `${r.name} ${r.type} ${key} appears twice`,
          record: r,
        });
      }
      seen.add(key);
    }
  }
  return out;
}

/** An RR as dns-packet decodes it, of any type. */
export interface PacketRR {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
}

/** A record a server returned (dns-packet's decoded answer) as a DnsRecord; undefined for other types. */
export function recordFromPacket(a: PacketRR): DnsRecord | undefined {
  const ttl = a.ttl ?? 0;
  switch (a.type) {
    case 'SRV': {
      const d = a.data as SrvData;
      return new SrvRecord(a.name, ttl, d.priority, d.weight, d.port, d.target);
    }
    case 'NAPTR': {
      const d = a.data as NaptrData;
      return new NaptrRecord(a.name, ttl, d.order, d.preference, d.services, d.replacement, d.flags, d.regexp);
    }
    case 'A':
      return new ARecord(a.name, ttl, String(a.data));
    case 'AAAA':
      return new AaaaRecord(a.name, ttl, String(a.data));
  }
  return undefined;
}
