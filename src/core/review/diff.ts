/**
 * The semantic diff of two inventories (`sipbc plan OLD NEW`): not lines of YAML but what the
 * change does — phones added, removed or changed (with the policy's why), agents that change
 * site, DNS RRsets, Genesys rows, and the load on each site before → after, in normal operation
 * and with each site failed, flagging new capacity overflows and newly stranded phones.
 * Pure: two snapshots in, one ChangeReview out; renderers (src/cli/plan-format.ts) print it.
 *
 * Phones are matched by normalised MAC, agents by login, RRsets by owner + type, Genesys rows
 * by their whole CSV line (files keyed by path), failure scenarios by the id of the failed site.
 */
import { genesysFiles } from '../genesys/index.js';
import type { DnsRecord } from '../dns/index.js';
import { phoneView, siteTitle, type PhoneView, type Scenario, type Snapshot, type StrandedPhone } from './snapshot.js';

/** The phone fields a change is reported on, in this order. */
export const PHONE_FIELDS = ['model', 'place', 'preferredSite', 'mode', 'transport', 'line1', 'authUser', 'registerExpires'] as const;
export type PhoneField = (typeof PHONE_FIELDS)[number];

/** How each field is named in text, markdown and HTML. */
export const PHONE_FIELD_WORDS: Record<PhoneField, string> = {
  model: 'model',
  place: 'place',
  preferredSite: 'preferred site',
  mode: 'mode',
  transport: 'transport',
  line1: 'line 1 servers',
  authUser: 'SIP user',
  registerExpires: 'registerExpires',
};

export interface FieldChange {
  field: PhoneField;
  before: string | number;
  after: string | number;
}

export interface PhoneChange {
  mac: string;
  /** The phone after the change (model, place). */
  model: string;
  place: string;
  movesSite: boolean;
  modeChanged: boolean;
  fields: FieldChange[];
  /** The policy's reasons after the change, and before it when they differ (else empty). */
  why: string[];
  whyBefore: string[];
}

export interface AgentRef {
  login: string;
  user: string;
  place: string;
  site: string;
}

export interface AgentChange {
  login: string;
  user: string;
  place: string;
  before: string;
  after: string;
}

export interface RRset {
  name: string;
  type: string;
  ttl: number;
  /** RDATA of each record in presentation form, in zone-file order. */
  data: string[];
}

export interface RRsetChange {
  name: string;
  type: string;
  before: { ttl: number; data: string[] };
  after: { ttl: number; data: string[] };
}

export interface GenesysFileDiff {
  path: string;
  header: string;
  added: string[];
  removed: string[];
}

/** The figures of one site in one scenario; null on a side where the site (or the failure) does not exist. */
export interface LoadFigures {
  /** Phones registered on the site. */
  phones: number;
  agents: number;
  capacity: number | null;
  /** Agents above capacity (0 when it fits or capacity is unset). */
  overflow: number;
  /** Phones with no way to the site (failure scenarios only). */
  stranded: number;
  /** Longest worst-case phone outage in seconds (failure scenarios; null when no phone re-registers). */
  longestOutage: number | null;
}

export type LoadFlag = 'new-overflow' | 'overflow-grows' | 'new-stranded';

export interface LoadRow {
  /** `normal`, or the id of the failed site. */
  scenario: string;
  /** The failed site's id; null in normal operation. */
  failedSite: string | null;
  /** The site whose load this is (in a failure scenario: the survivor). */
  site: string;
  before: LoadFigures | null;
  after: LoadFigures | null;
  flags: LoadFlag[];
}

export interface FailoverChange {
  failedSite: string;
  survivor: string;
  /** Phones stranded after the change but not before (new phones included). */
  newlyStranded: StrandedPhone[];
  /** Of those, phones that had a way to the survivor before: they lose failover. */
  lostFailover: StrandedPhone[];
  /** Phones stranded before but not after. */
  recovered: StrandedPhone[];
}

export interface ReviewSummary {
  phones: { before: number; after: number; added: number; removed: number; changed: number; movingSite: number; modeChanged: number };
  agents: { before: number; after: number; added: number; removed: number; movingSite: number };
  dns: { added: number; removed: number; changed: number };
  genesysRows: { added: number; removed: number };
  /** Distinct phones that lose failover in some scenario. */
  lostFailover: number;
  /** Distinct phones stranded in some scenario that were not before (new phones included). */
  newlyStranded: number;
  /** Scenarios whose survivor overflows where it did not (or overflows more). */
  newOverflows: number;
  /** Something moves site, loses failover, strands or overflows: what a reviewer must look at first. */
  attention: boolean;
}

export interface ChangeReview {
  old: { file: string };
  new: { file: string };
  changed: boolean;
  /** The verdict in sentences, most important first (what the markdown comment opens with). */
  headline: string[];
  summary: ReviewSummary;
  phones: { added: PhoneView[]; removed: PhoneView[]; changed: PhoneChange[] };
  agents: { added: AgentRef[]; removed: AgentRef[]; siteChanged: AgentChange[] };
  dns: { added: RRset[]; removed: RRset[]; changed: RRsetChange[] };
  genesys: GenesysFileDiff[];
  load: LoadRow[];
  failover: FailoverChange[];
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function diffPhones(a: Snapshot, b: Snapshot): ChangeReview['phones'] {
  const before = new Map(a.plan.phones.map((p) => [p.mac, p]));
  const afterMacs = new Set(b.plan.phones.map((p) => p.mac));
  const added: PhoneView[] = [];
  const changed: PhoneChange[] = [];
  for (const p of b.plan.phones) {
    const old = before.get(p.mac);
    if (!old) {
      added.push(phoneView(p));
      continue;
    }
    const va = phoneView(old);
    const vb = phoneView(p);
    const fields: FieldChange[] = [];
    for (const f of PHONE_FIELDS) if (va[f] !== vb[f]) fields.push({ field: f, before: va[f], after: vb[f] });
    if (fields.length === 0) continue;
    changed.push({
      mac: p.mac,
      model: vb.model,
      place: vb.place,
      movesSite: va.preferredSite !== vb.preferredSite,
      modeChanged: va.mode !== vb.mode,
      fields,
      why: vb.why,
      whyBefore: sameList(va.why, vb.why) ? [] : va.why,
    });
  }
  const removed = a.plan.phones.filter((p) => !afterMacs.has(p.mac)).map(phoneView);
  return { added, removed, changed };
}

function diffAgents(a: Snapshot, b: Snapshot): ChangeReview['agents'] {
  const ref = (x: Snapshot['plan']['agents'][number]): AgentRef => ({ login: x.agent.login, user: x.agent.user, place: x.place.id, site: x.site });
  const before = new Map(a.plan.agents.map((x) => [x.agent.login, x]));
  const afterLogins = new Set(b.plan.agents.map((x) => x.agent.login));
  const added: AgentRef[] = [];
  const siteChanged: AgentChange[] = [];
  for (const x of b.plan.agents) {
    const old = before.get(x.agent.login);
    if (!old) added.push(ref(x));
    else if (old.site !== x.site) siteChanged.push({ login: x.agent.login, user: x.agent.user, place: x.place.id, before: old.site, after: x.site });
  }
  const removed = a.plan.agents.filter((x) => !afterLogins.has(x.agent.login)).map(ref);
  return { added, removed, siteChanged };
}

function rrsetsOf(records: readonly DnsRecord[]): Map<string, RRset> {
  const sets = new Map<string, RRset>();
  for (const r of records) {
    const key = r.rrsetKey;
    let s = sets.get(key);
    if (!s) sets.set(key, (s = { name: r.name, type: r.type, ttl: r.ttl, data: [] }));
    s.data.push(r.rdataText());
  }
  return sets;
}

function diffDns(a: Snapshot, b: Snapshot): ChangeReview['dns'] {
  const before = rrsetsOf(a.records);
  const after = rrsetsOf(b.records);
  const added: RRset[] = [];
  const changed: RRsetChange[] = [];
  for (const [key, s] of after) {
    const old = before.get(key);
    if (!old) added.push(s);
    else if (old.ttl !== s.ttl || !sameList([...old.data].sort(), [...s.data].sort())) {
      changed.push({ name: s.name, type: s.type, before: { ttl: old.ttl, data: old.data }, after: { ttl: s.ttl, data: s.data } });
    }
  }
  const removed = [...before].filter(([key]) => !after.has(key)).map(([, s]) => s);
  return { added, removed, changed };
}

/** CSV text → [header, rows]; rows as their CSV lines (a quoted field never holds a line break in these files). */
function csvRows(text: string): [string, string[]] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return [lines[0] ?? '', lines.slice(1)];
}

function diffGenesys(a: Snapshot, b: Snapshot): GenesysFileDiff[] {
  const before = new Map([...genesysFiles(a.plan, a.inventory)].map((f) => [f.path, String(f.contents)]));
  const after = new Map([...genesysFiles(b.plan, b.inventory)].map((f) => [f.path, String(f.contents)]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: GenesysFileDiff[] = [];
  for (const path of paths) {
    const [headA, rowsA] = csvRows(before.get(path) ?? '');
    const [headB, rowsB] = csvRows(after.get(path) ?? '');
    const setA = new Set(rowsA);
    const setB = new Set(rowsB);
    const added = rowsB.filter((r) => !setA.has(r));
    const removed = rowsA.filter((r) => !setB.has(r));
    if (added.length > 0 || removed.length > 0) out.push({ path, header: headB || headA, added, removed });
  }
  return out;
}

function failureFigures(s: Scenario): LoadFigures {
  return {
    phones: s.summary.phones.total - s.summary.phones.stranded,
    agents: s.capacity.agents,
    capacity: s.capacity.capacity,
    overflow: s.capacity.overflow,
    stranded: s.summary.phones.stranded,
    longestOutage: s.summary.longestOutage?.seconds ?? null,
  };
}

function loadRows(a: Snapshot, b: Snapshot): LoadRow[] {
  const rows: LoadRow[] = [];
  const siteIds = [...new Set([...b.plan.sites.map((s) => s.id), ...a.plan.sites.map((s) => s.id)])];
  for (const id of siteIds) {
    const fig = (snap: Snapshot): LoadFigures | null => {
      const n = snap.normal.find((x) => x.site === id);
      return n ? { phones: n.phones, agents: n.agents, capacity: n.capacity, overflow: 0, stranded: 0, longestOutage: null } : null;
    };
    rows.push({ scenario: 'normal', failedSite: null, site: id, before: fig(a), after: fig(b), flags: [] });
  }
  for (const id of siteIds) {
    const sa = a.scenarios.find((s) => s.failedSite.id === id);
    const sb = b.scenarios.find((s) => s.failedSite.id === id);
    const before = sa ? failureFigures(sa) : null;
    const after = sb ? failureFigures(sb) : null;
    const flags: LoadFlag[] = [];
    if (after && after.overflow > 0) {
      if (!before || before.overflow === 0) flags.push('new-overflow');
      else if (after.overflow > before.overflow) flags.push('overflow-grows');
    }
    if (sb) {
      const was = new Set(sa?.stranded.map((p) => p.mac) ?? []);
      if (sb.stranded.some((p) => !was.has(p.mac))) flags.push('new-stranded');
    }
    rows.push({ scenario: id, failedSite: id, site: (sb ?? sa)!.survivor.id, before, after, flags });
  }
  return rows;
}

function failoverChanges(a: Snapshot, b: Snapshot): FailoverChange[] {
  const oldMacs = new Set(a.plan.phones.map((p) => p.mac));
  return b.scenarios.map((sb) => {
    const sa = a.scenarios.find((s) => s.failedSite.id === sb.failedSite.id);
    const was = new Set(sa?.stranded.map((p) => p.mac) ?? []);
    const now = new Set(sb.stranded.map((p) => p.mac));
    const newlyStranded = sb.stranded.filter((p) => !was.has(p.mac));
    // Without the scenario before (the site was renamed), no phone "had" failover to compare with.
    const lostFailover = sa ? newlyStranded.filter((p) => oldMacs.has(p.mac)) : [];
    const recovered = (sa?.stranded ?? []).filter((p) => !now.has(p.mac));
    return { failedSite: sb.failedSite.id, survivor: sb.survivor.id, newlyStranded, lostFailover, recovered };
  });
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The verdict, most important first: moves, lost failover, capacity, then what else changes. */
function headlineOf(r: Omit<ChangeReview, 'headline'>, b: Snapshot): string[] {
  const s = r.summary;
  if (!r.changed) return ['No changes: phones, agents, DNS records, Genesys rows and the load per site stay as they are.'];
  const out: string[] = [];
  const moves: string[] = [];
  if (s.phones.movingSite > 0) moves.push(`${plural(s.phones.movingSite, 'phone')} ${s.phones.movingSite === 1 ? 'moves' : 'move'} to another preferred site`);
  if (s.agents.movingSite > 0) moves.push(`${plural(s.agents.movingSite, 'agent')} ${s.agents.movingSite === 1 ? 'moves' : 'move'} site`);
  out.push(moves.length > 0 ? `ATTENTION: ${moves.join('; ')}.` : 'No phone or agent moves site.');
  const failover: string[] = [];
  for (const f of r.failover) {
    const lost = f.lostFailover.length;
    if (lost > 0)
      failover.push(`${plural(lost, 'phone')} would be stranded if ${f.failedSite} fails (today ${lost === 1 ? 'it reaches' : 'they reach'} ${f.survivor})`);
    const fresh = f.newlyStranded.length - f.lostFailover.length;
    if (fresh > 0) failover.push(`${plural(fresh, 'new phone')} would be stranded if ${f.failedSite} fails`);
  }
  out.push(failover.length > 0 ? `ATTENTION: ${failover.join('; ')}.` : 'No phone loses failover.');
  const capacity: string[] = [];
  for (const row of r.load) {
    if (!row.after || !row.failedSite) continue;
    if (row.flags.includes('new-overflow') || row.flags.includes('overflow-grows')) {
      const was = row.before ? (row.before.overflow > 0 ? `${row.before.overflow} over before` : 'it fitted before') : 'new scenario';
      capacity.push(
        `if ${row.failedSite} fails, ${siteTitle(b.plan, row.site)} must carry ${row.after.agents} agents with capacity ${row.after.capacity}: ${row.after.overflow} over (${was})`,
      );
    }
  }
  out.push(capacity.length > 0 ? `ATTENTION: ${capacity.join('; ')}.` : 'No new capacity overflow.');
  const rest: string[] = [];
  const p = s.phones;
  if (p.added + p.removed + p.changed > 0)
    rest.push(`phones: ${p.added} added, ${p.removed} removed, ${p.changed} changed${p.modeChanged ? ` (${p.modeChanged} change mode)` : ''}`);
  if (s.agents.added + s.agents.removed > 0) rest.push(`agents: ${s.agents.added} added, ${s.agents.removed} removed`);
  if (s.dns.added + s.dns.removed + s.dns.changed > 0) rest.push(`DNS RRsets: ${s.dns.added} added, ${s.dns.removed} removed, ${s.dns.changed} changed`);
  if (s.genesysRows.added + s.genesysRows.removed > 0) rest.push(`Genesys rows: ${s.genesysRows.added} added, ${s.genesysRows.removed} removed`);
  if (rest.length > 0) out.push(`Changes: ${rest.join('; ')}.`);
  return out;
}

const sameFigures = (x: LoadFigures | null, y: LoadFigures | null) => JSON.stringify(x) === JSON.stringify(y);

export function diffSnapshots(a: Snapshot, b: Snapshot): ChangeReview {
  const phones = diffPhones(a, b);
  const agents = diffAgents(a, b);
  const dns = diffDns(a, b);
  const genesys = diffGenesys(a, b);
  const load = loadRows(a, b);
  const failover = failoverChanges(a, b);
  const distinct = (lists: StrandedPhone[][]) => new Set(lists.flat().map((p) => p.mac)).size;
  const summary: ReviewSummary = {
    phones: {
      before: a.plan.phones.length,
      after: b.plan.phones.length,
      added: phones.added.length,
      removed: phones.removed.length,
      changed: phones.changed.length,
      movingSite: phones.changed.filter((c) => c.movesSite).length,
      modeChanged: phones.changed.filter((c) => c.modeChanged).length,
    },
    agents: {
      before: a.plan.agents.length,
      after: b.plan.agents.length,
      added: agents.added.length,
      removed: agents.removed.length,
      movingSite: agents.siteChanged.length,
    },
    dns: { added: dns.added.length, removed: dns.removed.length, changed: dns.changed.length },
    genesysRows: { added: genesys.reduce((n, f) => n + f.added.length, 0), removed: genesys.reduce((n, f) => n + f.removed.length, 0) },
    lostFailover: distinct(failover.map((f) => f.lostFailover)),
    newlyStranded: distinct(failover.map((f) => f.newlyStranded)),
    newOverflows: load.filter((r) => r.flags.includes('new-overflow') || r.flags.includes('overflow-grows')).length,
    attention: false,
  };
  summary.attention = summary.phones.movingSite + summary.agents.movingSite + summary.newlyStranded + summary.newOverflows > 0;
  const changed =
    summary.phones.added +
      summary.phones.removed +
      summary.phones.changed +
      summary.agents.added +
      summary.agents.removed +
      summary.agents.movingSite +
      summary.dns.added +
      summary.dns.removed +
      summary.dns.changed +
      summary.genesysRows.added +
      summary.genesysRows.removed >
      0 ||
    failover.some((f) => f.newlyStranded.length + f.recovered.length > 0) ||
    load.some((r) => !sameFigures(r.before, r.after));
  const sides = { old: { file: a.file }, new: { file: b.file }, changed };
  const body = { summary, phones, agents, dns, genesys, load, failover };
  return { ...sides, headline: headlineOf({ ...sides, ...body }, b), ...body };
}
