/**
 * What `sipbc report` shows, as data (rendered to HTML at the edge: src/cli/report-html.ts):
 * the sites and their servers, phones per site × mode × family, the load in normal operation,
 * each site-failure simulation (outcome counts, the outage distribution and its formula, the
 * survivor's capacity), the validation warnings, the DNS records, and optionally the change
 * review of `--plan OLD` and one row per phone (`--phones`). Pure; no secret (the plan's
 * password references are never read).
 *
 * Aggregated by default: 100 000 phones make a few dozen table rows, so the page opens at once.
 */
import type { Catalogue } from '../catalogue.js';
import type { Finding } from '../findings.js';
import type { Mode } from '../inventory.js';
import { PHONE_OUTCOMES, type PhoneOutcome } from '../simulate.js';
import type { ChangeReview } from '../review/diff.js';
import { phoneView, type NormalLoad, type Scenario, type Snapshot, type StrandedPhone } from '../review/snapshot.js';

/** Stranded phones listed per failure scenario (all of them are counted). */
export const STRANDED_LIMIT = 200;

export const MODES: readonly Mode[] = ['dual', 'active-backup'];

export interface ServerView {
  role: 'vip' | 'primary' | 'backup';
  host: string;
  address: string | null;
  port: number | null;
}

export interface SiteView {
  id: string;
  name: string;
  capacity: number | null;
  servers: ServerView[];
}

export interface FamilyRow {
  family: string;
  label: string;
  /** One count per column of PhoneMatrix.columns. */
  counts: number[];
  total: number;
}

export interface PhoneMatrix {
  columns: { site: string; mode: Mode }[];
  rows: FamilyRow[];
  totals: number[];
  total: number;
}

export interface OutcomeCount {
  outcome: PhoneOutcome;
  phones: number;
}

export interface ScenarioView extends Omit<Scenario, 'outcomes' | 'stranded'> {
  outcomeCounts: OutcomeCount[];
  /** The first STRANDED_LIMIT stranded phones (summary.phones.stranded counts all). */
  stranded: StrandedPhone[];
}

export interface WarningView {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

export interface RecordView {
  name: string;
  ttl: number;
  type: string;
  data: string;
  /** What the RRset is for, in words (from the name's shape, dns-names.ts). */
  meaning: string;
}

export interface PhoneRow {
  mac: string;
  model: string;
  place: string;
  agents: string;
  site: string;
  mode: string;
  transport: string;
  line1: string;
  /** Outcome per failure scenario, in the order of `scenarios`. */
  outcomes: PhoneOutcome[];
}

export interface ReportModel {
  file: string;
  base: string;
  totals: { places: number; agents: number; phones: number };
  sites: SiteView[];
  matrix: PhoneMatrix;
  normal: NormalLoad[];
  scenarios: ScenarioView[];
  warnings: WarningView[];
  records: RecordView[];
  plan?: ChangeReview;
  phones?: PhoneRow[];
}

export interface ReportOptions {
  /** Validation warnings of the inventory. */
  findings?: readonly Finding[];
  plan?: ChangeReview;
  /** Include one row per phone. */
  phones?: boolean;
}

/** What a record of SPEC §6 is for: S.B, S-preferred.B, B (SRV and NAPTR), S.B A/AAAA, a server's address. */
export function recordMeaning(name: string, type: string, base: string, siteIds: readonly string[]): string {
  const rest = type === 'SRV' ? name.replace(/^_sips?\._(udp|tcp)\./, '') : name;
  const transport = type === 'SRV' ? ` (${name.startsWith('_sips.') ? 'tls' : name.startsWith('_sip._tcp.') ? 'tcp' : 'udp'})` : '';
  const what = type === 'NAPTR' ? 'transports offered for ' : '';
  for (const s of siteIds) {
    const peer = siteIds.find((x) => x !== s) ?? s;
    if (rest === `${s}.${base}`) {
      return type === 'A' || type === 'AAAA'
        ? `${s}'s VIP (or primary) address: phones that reach ${s} without SRV`
        : `${what}${s}'s servers${transport}: dual-registration lines to ${s}`;
    }
    if (rest === `${s}-preferred.${base}`) return `${what}${s} first, then ${peer}${transport}: active-backup phones preferring ${s}`;
  }
  if (rest === base && type !== 'A' && type !== 'AAAA') return `${what}both sites, load-balanced by capacity${transport}`;
  return type === 'A' || type === 'AAAA' ? "a SIP Server's address (SRV target)" : '';
}

function siteViews(snap: Snapshot): SiteView[] {
  return snap.plan.sites.map((s) => {
    const srv = s.sipServer;
    const entries = [
      ['vip', srv.vip],
      ['primary', srv.primary],
      ['backup', srv.backup],
    ] as const;
    const servers: ServerView[] = [];
    for (const [role, ep] of entries) if (ep) servers.push({ role, host: ep.host, address: ep.address ?? null, port: ep.port ?? null });
    return { id: s.id, name: s.name ?? s.id, capacity: s.capacity ?? null, servers };
  });
}

function phoneMatrix(snap: Snapshot, catalogue: Catalogue): PhoneMatrix {
  const columns = snap.plan.sites.flatMap((s) => MODES.map((mode) => ({ site: s.id, mode })));
  const col = new Map(columns.map((c, i) => [`${c.site} ${c.mode}`, i]));
  const rows = new Map<string, FamilyRow>();
  for (const p of snap.plan.phones) {
    let row = rows.get(p.familyId);
    if (!row)
      rows.set(p.familyId, (row = { family: p.familyId, label: catalogue.families[p.familyId]?.label ?? p.familyId, counts: columns.map(() => 0), total: 0 }));
    row.counts[col.get(`${p.preferredSite} ${p.mode}`)!]++;
    row.total++;
  }
  const sorted = [...rows.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const totals = columns.map((_, i) => sorted.reduce((n, r) => n + r.counts[i], 0));
  return { columns, rows: sorted, totals, total: snap.plan.phones.length };
}

function scenarioView(s: Scenario): ScenarioView {
  const { outcomes: _outcomes, stranded, ...rest } = s;
  return {
    ...rest,
    outcomeCounts: PHONE_OUTCOMES.map((o) => ({ outcome: o, phones: s.summary.phones[o] })),
    stranded: stranded.slice(0, STRANDED_LIMIT),
  };
}

export function reportModel(snap: Snapshot, catalogue: Catalogue, opts: ReportOptions = {}): ReportModel {
  const siteIds = snap.plan.sites.map((s) => s.id);
  const model: ReportModel = {
    file: snap.file,
    base: snap.plan.base,
    totals: { places: snap.inventory.places.length, agents: snap.plan.agents.length, phones: snap.plan.phones.length },
    sites: siteViews(snap),
    matrix: phoneMatrix(snap, catalogue),
    normal: snap.normal,
    scenarios: snap.scenarios.map(scenarioView),
    warnings: (opts.findings ?? [])
      .filter((f) => f.severity === 'warning')
      .map((f) => ({ file: f.file, line: f.line, column: f.column, code: f.code, message: f.message })),
    records: snap.records.map((r) => ({
      name: r.name,
      ttl: r.ttl,
      type: r.type,
      data: r.rdataText(),
      meaning: recordMeaning(r.name, r.type, snap.plan.base, siteIds),
    })),
  };
  if (opts.plan) model.plan = opts.plan;
  if (opts.phones) {
    model.phones = snap.plan.phones.map((p, i) => {
      const v = phoneView(p);
      return {
        mac: v.mac,
        model: v.model,
        place: v.place,
        agents: v.agents.join(' '),
        site: v.preferredSite,
        mode: v.mode,
        transport: v.transport,
        line1: v.line1,
        outcomes: snap.scenarios.map((s) => s.outcomes[i]),
      };
    });
  }
  return model;
}
