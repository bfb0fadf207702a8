/**
 * What one inventory means, in the terms a reviewer compares (`sipbc plan`) and a change board
 * reads (`sipbc report`): the registration plan, the DNS records `generate` would write, and one
 * site-failure simulation per site, kept compact. Pure: inventory + catalogue in, snapshot out.
 *
 * A simulation holds an object per phone (100 000 phones: ~100 MB each); a snapshot keeps only
 * what plan and report use — the counts, the capacity, the outage groups, the stranded phones and
 * each phone's outcome — so two inventories with two failures each fit where one `simulate` does.
 */
import type { Catalogue } from '../catalogue.js';
import { buildDnsRecords, type DnsRecord } from '../dns/index.js';
import { dnsUsageOf } from '../generate.js';
import type { Inventory } from '../inventory.js';
import { siteLabel, type PhonePolicy, type Plan, resolvePlan } from '../policy.js';
import { lineText, policyRow, type PolicyRow } from '../policy-table.js';
import { simulate, type PhoneOutcome, type Simulation, type SimulationWarning, type SiteRef } from '../simulate.js';

/** Phones that re-register after the same worst-case outage, computed the same way. */
export interface OutageGroup {
  outcome: PhoneOutcome;
  seconds: number;
  /** The formula with these phones' numbers, e.g. `0.9 × 3600 + 32 (udp) + 1 = 3273 s`. */
  computation: string;
  phones: number;
  /** Family ids of those phones, sorted. */
  families: string[];
}

export interface StrandedPhone {
  mac: string;
  place: string;
  reason: string;
}

/** One site-failure simulation, without its per-phone objects. */
export interface Scenario {
  failedSite: SiteRef;
  survivor: SiteRef;
  formula: string;
  summary: Simulation['summary'];
  capacity: Simulation['capacity'];
  warnings: SimulationWarning[];
  /** Worst-case outages of the re-registering phones, shortest first. */
  outages: OutageGroup[];
  stranded: StrandedPhone[];
  /** Each phone's outcome, in plan order. */
  outcomes: PhoneOutcome[];
}

/** Load on one site in normal operation (both sites up). */
export interface NormalLoad {
  site: string;
  /** Phones registered there: active-backup phones preferring it, and every dual phone (registered on both). */
  phones: number;
  /** Phones whose preferred site it is. */
  preferring: number;
  /** Agents logged in there. */
  agents: number;
  capacity: number | null;
}

export interface Snapshot {
  /** The inventory as named in messages (a path, `<stdin>`, or `REF:path` for a git revision). */
  file: string;
  inventory: Inventory;
  plan: Plan;
  /** The records `generate` writes to dns/ (sorted as in the zone file). */
  records: DnsRecord[];
  normal: NormalLoad[];
  /** One per site, in inventory order: that site failed. */
  scenarios: Scenario[];
}

function scenarioOf(sim: Simulation): Scenario {
  const groups = new Map<string, OutageGroup & { familySet: Set<string> }>();
  const stranded: StrandedPhone[] = [];
  const outcomes: PhoneOutcome[] = new Array(sim.phones.length);
  sim.phones.forEach((p, i) => {
    outcomes[i] = p.outcome;
    if (p.outcome === 'stranded') stranded.push({ mac: p.mac, place: p.place, reason: p.reason });
    if (p.computation === null || p.outageSeconds === null) return;
    const key = `${p.outcome} ${p.computation}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { outcome: p.outcome, seconds: p.outageSeconds, computation: p.computation, phones: 0, families: [], familySet: new Set() }));
    g.phones++;
    g.familySet.add(p.family);
  });
  const outages = [...groups.values()]
    .map(({ familySet, ...g }) => ({ ...g, families: [...familySet].sort() }))
    .sort((a, b) => a.seconds - b.seconds || (a.outcome < b.outcome ? -1 : a.outcome > b.outcome ? 1 : 0) || (a.computation < b.computation ? -1 : 1));
  const { failedSite, survivor, formula, summary, capacity, warnings } = sim;
  return { failedSite, survivor, formula, summary, capacity, warnings, outages, stranded, outcomes };
}

function normalLoad(plan: Plan): NormalLoad[] {
  return plan.sites.map((s) => {
    let phones = 0;
    let preferring = 0;
    for (const p of plan.phones) {
      if (p.preferredSite === s.id) preferring++;
      if (p.preferredSite === s.id || p.mode === 'dual') phones++;
    }
    const agents = plan.agents.filter((a) => a.site === s.id).length;
    return { site: s.id, phones, preferring, agents, capacity: s.capacity ?? null };
  });
}

/** The snapshot of a valid inventory (validation is the caller's: loadValidInventory or the like). */
export function takeSnapshot(inventory: Inventory, catalogue: Catalogue, file: string): Snapshot {
  const plan = resolvePlan(inventory, catalogue);
  const records = buildDnsRecords(inventory, { usage: dnsUsageOf(plan) });
  const scenarios = plan.sites.map((s) => scenarioOf(simulate(plan, s.id, catalogue)));
  return { file, inventory, plan, records, normal: normalLoad(plan), scenarios };
}

/** A phone as plan and report show it: `policy`'s row (no secret) with line 1 as one text, registerExpires and the SIP user. */
export type PhoneView = Omit<PolicyRow, 'lines' | 'notes' | 'peerSite'> & {
  registerExpires: number;
  /** SIP user on the preferred site. */
  authUser: string;
  /** Line 1's servers in order of preference, as `policy` prints them. */
  line1: string;
};

export function phoneView(p: PhonePolicy): PhoneView {
  const { lines, notes: _notes, peerSite: _peer, ...row } = policyRow(p);
  return { ...row, registerExpires: p.registerExpires, authUser: p.authUser, line1: lineText(lines[0]) };
}

/** `east (Boston)`, or just `east` when the site has no name. */
export function siteTitle(plan: Plan, id: string): string {
  const s = plan.sites.find((x) => x.id === id);
  return s && s.name !== undefined && s.name !== s.id ? `${s.id} (${siteLabel(s)})` : id;
}
