/**
 * `sipbc dns push`, the pure part: which RRsets sipbc owns, the difference between what a server
 * holds and what the inventory wants (per RRset), the plan as text, and the one RFC 2136 UPDATE
 * that applies it.
 *
 * Owned RRsets (never anything else in the zone), for B, every S.B and every S-preferred.B:
 *   N NAPTR, and _sip._udp.N / _sip._tcp.N / _sips._tcp.N SRV (all three transports, so an SRV
 *   set of a transport no longer in use is removed);  S.B A and AAAA;  the A and AAAA of each
 *   server host inside the zone that the inventory gives an address.
 *
 * The UPDATE (RFC 2136), one message, all or nothing:
 *   prerequisites (§2.4)  an RRset it adds must still be absent:  <name> <type> NONE 0, no RDATA (§2.4.3);
 *                         an RRset it changes or removes must still be exactly what was read:
 *                         each record read, class IN, TTL 0 (§2.4.2, "RRset exists, value dependent")
 *   updates (§2.5)        removed RRset: <name> <type> ANY 0, no RDATA (§2.5.2);
 *                         changed RRset: each record no longer wanted deleted (class NONE, TTL 0, §2.5.4),
 *                         each new one added; when the TTL changes the RRset is deleted and re-added
 *                         (an add cannot change the TTL of the records it keeps);
 *                         added RRset: its records added (§2.5.1).
 */
import type { Inventory } from '../inventory.js';
import { TRANSPORTS } from '../inventory.js';
import { balancedName, baseDomain, preferredName, siteName } from '../dns-names.js';
import { srvOwner, zoneOf } from './build.js';
import { CLASS, encodeMessage, encodeQuestion, encodeRR, OPCODE_UPDATE } from './message.js';
import { canonicalName, isInZone, rrsets, type DnsPacketRecord, type DnsRecord, type RecordType } from './records.js';
import { compareNames, relativeName, sortRecords } from './zone.js';

/** "name TYPE" of every RRset sipbc owns in the inventory's zone. */
export function ownedRrsets(inv: Inventory, desired: readonly DnsRecord[]): Set<string> {
  const base = baseDomain(inv);
  const owned = new Set<string>();
  const names = [balancedName(base), ...inv.sites.flatMap((s) => [siteName(base, s.id), preferredName(base, s.id)])];
  for (const n of names) {
    owned.add(`${n} NAPTR`);
    for (const t of TRANSPORTS) owned.add(`${srvOwner(t, n)} SRV`);
  }
  const zone = zoneOf(inv);
  const hosts = inv.sites.flatMap((s) => [
    siteName(base, s.id),
    ...[s.sipServer?.vip, s.sipServer?.primary, s.sipServer?.backup]
      .filter((e) => e?.address && e.host && isInZone(e.host, zone))
      .map((e) => canonicalName(e!.host!)),
  ]);
  for (const h of hosts) for (const t of ['A', 'AAAA']) owned.add(`${h} ${t}`);
  for (const r of desired) owned.add(r.rrsetKey);
  return owned;
}

export type ChangeKind = 'add' | 'remove' | 'change';

export interface RrsetChange {
  name: string;
  type: RecordType;
  kind: ChangeKind;
  /** What the server holds (sorted). */
  before: DnsRecord[];
  /** What the inventory wants (sorted). */
  after: DnsRecord[];
  /** Records to delete and to add (all of them when the TTL changes). */
  removed: DnsRecord[];
  added: DnsRecord[];
  ttlChanged: boolean;
}

export interface DnsPlan {
  zone: string;
  changes: RrsetChange[];
  /** Owned RRsets already as wanted (present on the server). */
  unchanged: number;
}

const rdataKey = (r: DnsRecord) => r.rdataText().toLowerCase();

/** The changes that make `current` (the server's records at owned RRsets) equal `desired`, RRset by RRset. */
export function planChanges(zone: string, desired: readonly DnsRecord[], current: readonly DnsRecord[], owned: ReadonlySet<string>): DnsPlan {
  const want = rrsets(sortRecords(desired));
  const have = rrsets(sortRecords(current.filter((r) => owned.has(r.rrsetKey))));
  const keys = [...new Set([...want.keys(), ...have.keys()])];
  const changes: RrsetChange[] = [];
  let unchanged = 0;
  for (const key of keys) {
    const after = want.get(key) ?? [];
    const before = have.get(key) ?? [];
    const afterKeys = new Set(after.map(rdataKey));
    const beforeKeys = new Set(before.map(rdataKey));
    const ttlChanged = before.length > 0 && after.length > 0 && before[0].ttl !== after[0].ttl;
    const removed = ttlChanged ? before : before.filter((r) => !afterKeys.has(rdataKey(r)));
    const added = ttlChanged ? after : after.filter((r) => !beforeKeys.has(rdataKey(r)));
    if (removed.length === 0 && added.length === 0) {
      unchanged++;
      continue;
    }
    const first = (after[0] ?? before[0])!;
    changes.push({
      name: first.name,
      type: first.type,
      kind: before.length === 0 ? 'add' : after.length === 0 ? 'remove' : 'change',
      before,
      after,
      removed,
      added,
      ttlChanged,
    });
  }
  changes.sort((a, b) => compareNames(a.name, b.name) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { zone: canonicalName(zone), changes, unchanged };
}

/** The UPDATE message (unsigned) that applies the plan, guarded by prerequisites. */
export function encodePlanUpdate(plan: DnsPlan, id: number): Buffer {
  const prereqs: Buffer[] = [];
  const updates: Buffer[] = [];
  for (const c of plan.changes) {
    if (c.kind === 'add') prereqs.push(encodeRR(c.name, c.type, CLASS.NONE, 0));
    else for (const r of c.before) prereqs.push(encodeRR(c.name, c.type, CLASS.IN, 0, r));
    if (c.kind === 'remove' || c.ttlChanged) updates.push(encodeRR(c.name, c.type, CLASS.ANY, 0));
    else for (const r of c.removed) updates.push(encodeRR(c.name, c.type, CLASS.NONE, 0, r));
    for (const r of c.added) updates.push(encodeRR(c.name, c.type, CLASS.IN, r.ttl, r));
  }
  return encodeMessage(id, OPCODE_UPDATE << 11, [[encodeQuestion(plan.zone, 'SOA')], prereqs, updates, []]);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line for the counts: "2 RRsets to add, 1 to change, 0 to remove (14 unchanged)". */
export function planSummary(plan: DnsPlan): string {
  const n = (k: ChangeKind) => plan.changes.filter((c) => c.kind === k).length;
  return `${plural(n('add'), 'RRset')} to add, ${n('change')} to change, ${n('remove')} to remove (${plan.unchanged} unchanged)`;
}

/**
 * The plan as text: per RRset a `; add|change|remove <owner> <type>` line, then the records to
 * delete (`-`) and to add (`+`) as zone-file lines (owner relative to the zone, as `dns --format bind`).
 */
export function renderPlan(plan: DnsPlan): string {
  const lines: string[] = [];
  const rows = plan.changes.flatMap((c) => [...c.removed, ...c.added]);
  const ownerW = Math.max(0, ...rows.map((r) => relativeName(r.name, plan.zone).length));
  const ttlW = Math.max(0, ...rows.map((r) => String(r.ttl).length));
  const typeW = Math.max(0, ...rows.map((r) => r.type.length));
  const line = (sign: string, r: DnsRecord) =>
    `${sign} ${relativeName(r.name, plan.zone).padEnd(ownerW)} ${String(r.ttl).padStart(ttlW)} ${r.class} ${r.type.padEnd(typeW)} ${r.rdataText()}`;
  for (const c of plan.changes) {
    const ttl = c.ttlChanged ? ` (TTL ${c.before[0].ttl} → ${c.after[0].ttl})` : '';
    lines.push(`; ${c.kind} ${relativeName(c.name, plan.zone)} ${c.type}${ttl}`);
    for (const r of c.removed) lines.push(line('-', r));
    for (const r of c.added) lines.push(line('+', r));
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The plan for --json: each change with its records in dns-packet's shape. */
export function planJson(plan: DnsPlan): {
  zone: string;
  changes: {
    name: string;
    type: string;
    change: ChangeKind;
    before: DnsPacketRecord[];
    after: DnsPacketRecord[];
    removed: DnsPacketRecord[];
    added: DnsPacketRecord[];
  }[];
  unchanged: number;
} {
  const j = (rs: DnsRecord[]) => rs.map((r) => r.toJSON());
  return {
    zone: plan.zone,
    changes: plan.changes.map((c) => ({
      name: c.name,
      type: c.type,
      change: c.kind,
      before: j(c.before),
      after: j(c.after),
      removed: j(c.removed),
      added: j(c.added),
    })),
    unchanged: plan.unchanged,
  };
}
