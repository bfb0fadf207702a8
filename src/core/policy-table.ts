/**
 * The registration policy as a table (`sipbc policy`, and `policy.csv` of generate): one row per
 * phone, in inventory order — MAC, model, place, agents, preferred site, mode, the server(s)
 * each line registers to, and why. The same rows feed `policy.csv`, `policy --format csv`,
 * `--format json` and `--format table`. Never holds a secret (the plan's password references
 * are not read here).
 */
import { CsvText } from './output.js';
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

export function policyRows(plan: Plan): PolicyRow[] {
  return plan.phones.map(policyRow);
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
export function policyCsv(rows: readonly PolicyRow[]): string {
  return writePolicyCsv(rows.map(policyCells), rows.length).text();
}

/** policy.csv of the plan as UTF-8 bytes (generate: 30 MB for 100 000 phones, never a string). */
export function policyCsvBytes(plan: Plan): Buffer {
  function* cells(): Generator<string[]> {
    for (const p of plan.phones) yield phoneCells(p);
  }
  return writePolicyCsv(cells(), plan.phones.length).bytes();
}

/** policyCells(policyRow(p)), without the row's copies of the phone's lists. */
function phoneCells(p: PhonePolicy): string[] {
  const agents = p.agents.map((a) => a.login).join(' ');
  return [
    p.mac,
    p.modelId,
    p.place.id,
    agents,
    p.preferredSite,
    p.siteSource,
    p.mode,
    p.transport,
    lineText({ line: 1, servers: p.servers }),
    p.why.join('; '),
  ];
}

/** The header and `count` rows of cells, one at a time. */
function writePolicyCsv(rows: Iterable<string[]>, count: number): CsvText {
  const csv = new CsvText().row(POLICY_COLUMNS);
  let written = 0;
  for (const cells of rows) {
    csv.row(cells);
    // Once 64 rows are written, room for every row at their mean size (+5 %): the buffer need not grow again.
    if (++written === 64) csv.reserve(Math.ceil((csv.length / 64) * count * 1.05));
  }
  return csv;
}

/** `policy --format json`: an array of rows, stable key order, two-space indent, trailing LF. */
export function policyJson(rows: readonly PolicyRow[]): string {
  return JSON.stringify(rows, null, 2) + '\n';
}

/**
 * `policy --format table`: aligned columns (the `why` column last, not padded). With `width` (the
 * terminal's) and a table wider than that, one block per phone instead, every line wrapped to fit
 * (ten columns of host names and reasons cannot fit 80 columns, however they are cut):
 *
 *   001565a10001  yealink-t54w  Place_1001  agents 7001
 *     east (agents), dual, udp
 *     line 1: east.sip.contoso.example (SRV) > west.sip.contoso.example (SRV)
 *     why: the agents at Place_1001 (7001) prefer east; …
 */
export function policyTable(rows: readonly PolicyRow[], header: (s: string) => string = (s) => s, width?: number): string {
  const heads = ['MAC', 'MODEL', 'PLACE', 'AGENTS', 'SITE', 'SOURCE', 'MODE', 'TRANSPORT', 'LINE 1', 'WHY'];
  const body = rows.map(policyCells);
  const widths = heads.map((h) => h.length);
  for (const cells of body) cells.forEach((c, i) => (widths[i] = Math.max(widths[i], c.length)));
  const fmt = (cells: string[], style: (s: string) => string = (s) => s) =>
    cells
      .map((c, i) => style(i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [fmt(heads, header), ...body.map((c) => fmt(c))];
  if (width === undefined || !lines.some((l) => l.length > width)) return lines.join('\n') + '\n';
  return policyBlocks(body, header, width);
}

function policyBlocks(body: readonly string[][], title: (s: string) => string, width: number): string {
  const out: string[] = [];
  for (const [mac, model, place, agents, site, source, mode, transport, line1, why] of body) {
    if (out.length > 0) out.push('');
    for (const l of wrap(`${mac}  ${model}  ${place}${agents ? `  agents ${agents}` : ''}`, width, '', '  ')) out.push(title(l));
    out.push(...wrap(`${site} (${source}), ${mode}, ${transport}`, width, '  ', '  '));
    out.push(...wrap(`line 1: ${line1}`, width, '  ', '          '));
    if (why) out.push(...wrap(`why: ${why}`, width, '  ', '       '));
  }
  return out.join('\n') + '\n';
}

/** `text` in lines of at most `width` characters, broken at spaces (a longer word is cut), after `first` / `rest` indents. */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (let word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    // A word longer than a whole line (a long host name) is cut across lines.
    while (line.length + word.length > width && width - line.length > 0 && empty) {
      const room = Math.max(1, width - line.length);
      lines.push(line + word.slice(0, room));
      word = word.slice(room);
      line = rest;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}
