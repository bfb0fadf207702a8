/**
 * The registration policy as a table (SPEC §2 `sipbc policy`, §5 `policy.csv`): one row per
 * phone, in inventory order — MAC, model, place, agents, preferred site, mode, the server(s)
 * each line registers to, and why. The same rows feed `policy.csv`, `policy --format csv`,
 * `--format json` and `--format table`. Never holds a secret (the plan's password references
 * are not read here).
 */
import { csvLine } from './output.js';
import type { LineServer, Plan, PhonePolicy, SiteSource } from './policy.js';
import type { Mode, Transport } from './inventory.js';

/** A server of a line as `policy` prints it: the policy's own LineServer (copied field by field, so the JSON key order is fixed here). */
export type PolicyServer = LineServer;

export interface PolicyLine {
  line: number;
  servers: PolicyServer[];
}

export interface PolicyRow {
  mac: string;
  model: string;
  family: string;
  place: string;
  agents: string[];
  preferredSite: string;
  peerSite: string;
  siteSource: SiteSource;
  mode: Mode;
  transport: Transport;
  lines: PolicyLine[];
  why: string[];
  notes: string[];
}

function server(s: LineServer): PolicyServer {
  return { host: s.host, port: s.port, srv: s.srv, transport: s.transport, site: s.site, user: s.user };
}

export function policyRow(p: PhonePolicy): PolicyRow {
  return {
    mac: p.mac,
    model: p.modelId,
    family: p.familyId,
    place: p.place.id,
    agents: p.agents.map((a) => a.login),
    preferredSite: p.preferredSite,
    peerSite: p.peerSite,
    siteSource: p.siteSource,
    mode: p.mode,
    transport: p.transport,
    // The plan describes the first line (the one sipbc provisions); more lines would be more entries here.
    lines: [{ line: 1, servers: p.servers.map(server) }],
    why: [...p.why],
    notes: [...p.notes],
  };
}

/** One row at a time (policy.csv of 100 000 phones never holds them all). */
export function* eachPolicyRow(plan: Plan): Generator<PolicyRow> {
  for (const p of plan.phones) yield policyRow(p);
}

export function policyRows(plan: Plan): PolicyRow[] {
  return [...eachPolicyRow(plan)];
}

/** `east-preferred.sip.contoso.example (SRV)` or `east.sip.contoso.example:5060`. */
export function serverText(s: PolicyServer): string {
  return s.srv ? `${s.host} (SRV)` : `${s.host}:${s.port}`;
}

/** Line N's servers in order of preference: `east.sip.contoso.example:5060 > west.sip.contoso.example:5060`. */
export function lineText(l: PolicyLine): string {
  return l.servers.map(serverText).join(' > ');
}

export const POLICY_COLUMNS = ['mac', 'model', 'place', 'agents', 'preferred_site', 'site_source', 'mode', 'transport', 'line1', 'why'] as const;

/** Cells of a row, in POLICY_COLUMNS order (lists joined by ' ' for agents, '; ' for reasons). */
export function policyCells(r: PolicyRow): string[] {
  const line1 = r.lines.find((l) => l.line === 1);
  return [r.mac, r.model, r.place, r.agents.join(' '), r.preferredSite, r.siteSource, r.mode, r.transport, line1 ? lineText(line1) : '', r.why.join('; ')];
}

/** `policy.csv` / `policy --format csv`: header + one row per phone, RFC 4180, LF. CSV has no comment syntax, so no banner. */
export function policyCsv(rows: Iterable<PolicyRow>): string {
  const lines = [csvLine(POLICY_COLUMNS)];
  for (const r of rows) lines.push(csvLine(policyCells(r)));
  return lines.join('');
}

/** `policy --format json`: an array of rows, stable key order, two-space indent, trailing LF. */
export function policyJson(rows: readonly PolicyRow[]): string {
  return JSON.stringify(rows, null, 2) + '\n';
}

/** `policy --format table`: aligned columns (the `why` column last, not padded). */
export function policyTable(rows: readonly PolicyRow[], header: (s: string) => string = (s) => s): string {
  const heads = ['MAC', 'MODEL', 'PLACE', 'AGENTS', 'SITE', 'SOURCE', 'MODE', 'TRANSPORT', 'LINE 1', 'WHY'];
  const body = rows.map(policyCells);
  const widths = heads.map((h) => h.length);
  for (const cells of body) cells.forEach((c, i) => (widths[i] = Math.max(widths[i], c.length)));
  const fmt = (cells: string[], style: (s: string) => string = (s) => s) =>
    cells.map((c, i) => style(i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(heads, header), ...body.map((c) => fmt(c))].join('\n') + '\n';
}
