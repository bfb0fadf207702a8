/**
 * `sipbc report` as one self-contained HTML file: the ReportModel (src/core/report/model.ts)
 * through templates/report/report.hbs, with report.css and (only with --phones) filter.js inline,
 * charts as inline SVG. Nothing is fetched: the Content-Security-Policy allows no source at all
 * besides the hashes of that one style sheet and that one script, so the page works from an
 * e-mail attachment and an injected tag could not load or run anything.
 *
 * Escaping: unlike the phone templates (noEscape; their values are escaped per file format in
 * code), this template uses Handlebars' HTML escaping for every value — an inventory name like
 * `<script>` is shown as text. The template has no triple-stash; the style sheet and script are
 * the package's own files, passed as SafeString.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { SHIPPED_TEMPLATES } from '../core/catalogue.js';
import { PHONE_FIELD_WORDS, type ChangeReview, type LoadRow } from '../core/review/diff.js';
import { loadCells } from './plan-format.js';
import type { OutageGroup, NormalLoad } from '../core/review/snapshot.js';
import type { ReportModel, ScenarioView } from '../core/report/model.js';
import type { PhoneOutcome } from '../core/simulate.js';

export const REPORT_TEMPLATE_DIR = join(SHIPPED_TEMPLATES, 'report');

/** Rows listed per section of the plan in the report (all are counted; `sipbc plan --json` lists all). */
export const PLAN_ROWS = 200;

export const OUTCOME_WORDS: Record<PhoneOutcome, string> = {
  unaffected: 'unaffected (prefers the survivor)',
  'already-registered': 'already registered there (dual)',
  'srv-failover': 're-registers via SRV',
  'backup-registrar': 're-registers via backup registrar',
  stranded: 'STRANDED',
};

/** 1234567 → "1,234,567" (the same on every machine: no locale). */
export function num(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 3697 → "1 h 1 min 37 s", 3617 → "1 h 0 min 17 s". */
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  // "1 h 0 min 17 s", never "1 h 17 s" (which reads as 1 h 17 min).
  return [h ? `${h} h` : '', m || (h && s) ? `${m} min` : '', s || (!h && !m) ? `${s} s` : ''].filter(Boolean).join(' ');
}

const pct = (part: number, whole: number) => (whole === 0 ? '0%' : `${Math.round((1000 * part) / whole) / 10}%`);
/** A coordinate with at most one decimal (stable text). */
const px = (v: number) => String(Math.round(v * 10) / 10);

/** The survivor's agents against its capacity, as the geometry of one horizontal bar (inline SVG). */
function capacityChart(s: ScenarioView) {
  const c = s.capacity;
  const W = 600;
  const scale = Math.max(c.agents, c.capacity ?? 0, 1) * 1.1;
  const x = (v: number) => (v / scale) * W;
  const over = c.capacity !== null && c.overflow > 0;
  return {
    width: W,
    already: { w: px(x(c.already)), n: num(c.already) },
    arriving: { x: px(x(c.already)), w: px(x(c.arriving)), n: num(c.arriving) },
    capacity: c.capacity === null ? null : { x: px(x(c.capacity)), n: num(c.capacity), labelX: px(Math.min(x(c.capacity), W - 4)) },
    overflow: over ? { x: px(x(c.capacity!)), w: px(x(c.overflow)), n: num(c.overflow) } : null,
    status: c.capacity === null ? 'capacity not set' : over ? `OVER CAPACITY by ${num(c.overflow)}` : 'fits',
    statusClass: c.capacity === null ? 'unknown' : over ? 'bad' : 'good',
    description:
      `${s.survivor.id} carries ${num(c.agents)} agents: ${num(c.already)} already there and ${num(c.arriving)} arriving from ${s.failedSite.id}` +
      (c.capacity === null ? '; its capacity is not set' : `; capacity ${num(c.capacity)}${over ? `, ${num(c.overflow)} over` : ', it fits'}`),
  };
}

function outageRows(groups: readonly OutageGroup[], total: number) {
  const most = Math.max(1, ...groups.map((g) => g.phones));
  return groups.map((g) => ({
    outcome: OUTCOME_WORDS[g.outcome],
    seconds: num(g.seconds),
    duration: duration(g.seconds),
    computation: g.computation,
    phones: num(g.phones),
    share: pct(g.phones, total),
    families: g.families.join(', '),
    bar: px((g.phones / most) * 160),
  }));
}

function scenarioView(s: ScenarioView) {
  const total = s.summary.phones.total;
  const chart = capacityChart(s);
  return {
    id: s.failedSite.id,
    failed: s.failedSite,
    survivor: s.survivor,
    outcomes: s.outcomeCounts.map((o) => ({
      words: OUTCOME_WORDS[o.outcome],
      outcome: o.outcome,
      phones: num(o.phones),
      share: pct(o.phones, total),
      bad: o.outcome === 'stranded' && o.phones > 0,
    })),
    total: num(total),
    agents: {
      total: num(s.summary.agents.total),
      relogin: num(s.summary.agents.relogin),
      unaffected: num(s.summary.agents.unaffected),
      after: s.summary.agentRelogin,
      flagged: num(s.summary.agents.placeStranded),
    },
    longest: s.summary.longestOutage
      ? { seconds: num(s.summary.longestOutage.seconds), duration: duration(s.summary.longestOutage.seconds), mac: s.summary.longestOutage.mac }
      : null,
    chart,
    formula: s.formula,
    outages: outageRows(s.outages, total),
    warnings: s.warnings,
    stranded: s.stranded,
    strandedMore: s.summary.phones.stranded > s.stranded.length ? num(s.summary.phones.stranded - s.stranded.length) : null,
  };
}

function loadRowView(r: LoadRow) {
  const [scenario, site, phones, agents, capacity, overflow, stranded, longest, flags] = loadCells(r, num);
  const cell = (text: string) => ({ text, changed: text.includes(' → ') });
  const failure = r.failedSite !== null;
  return {
    scenario: failure ? scenario : 'normal operation',
    site,
    phones: cell(phones),
    agents: cell(agents),
    capacity: cell(capacity),
    overflow: cell(overflow),
    stranded: cell(stranded),
    longest: cell(longest),
    flags,
  };
}

function firstRows<T>(list: readonly T[]) {
  return { rows: list.slice(0, PLAN_ROWS), total: num(list.length), more: list.length > PLAN_ROWS ? num(list.length - PLAN_ROWS) : null };
}

function planView(r: ChangeReview) {
  return {
    old: r.old.file,
    new: r.new.file,
    changed: r.changed,
    headline: r.headline.map((text) => ({ text, attention: text.startsWith('ATTENTION') })),
    load: r.load.map(loadRowView),
    phonesChanged: firstRows(
      r.phones.changed.map((p) => ({
        ...p,
        fields: p.fields.map((f) => `${PHONE_FIELD_WORDS[f.field]}: ${f.before} → ${f.after}`),
        why: p.why.join('; '),
        whyBefore: p.whyBefore.join('; '),
      })),
    ),
    phonesAdded: firstRows(r.phones.added),
    phonesRemoved: firstRows(r.phones.removed),
    agents: firstRows([
      ...r.agents.siteChanged.map((a) => ({ login: a.login, user: a.user, place: a.place, what: `${a.before} → ${a.after}` })),
      ...r.agents.added.map((a) => ({ login: a.login, user: a.user, place: a.place, what: `added on ${a.site}` })),
      ...r.agents.removed.map((a) => ({ login: a.login, user: a.user, place: a.place, what: `removed from ${a.site}` })),
    ]),
    dns: firstRows([
      ...r.dns.added.map((s) => ({ change: 'added', name: s.name, type: s.type, before: '', after: `${s.ttl} ${s.data.join('\n')}` })),
      ...r.dns.removed.map((s) => ({ change: 'removed', name: s.name, type: s.type, before: `${s.ttl} ${s.data.join('\n')}`, after: '' })),
      ...r.dns.changed.map((s) => ({
        change: 'changed',
        name: s.name,
        type: s.type,
        before: `${s.before.ttl} ${s.before.data.join('\n')}`,
        after: `${s.after.ttl} ${s.after.data.join('\n')}`,
      })),
    ]),
    genesys: r.genesys.map((g) => ({
      path: g.path,
      header: g.header,
      added: num(g.added.length),
      removed: num(g.removed.length),
      rows: firstRows([...g.added.map((row) => ({ sign: 'added', row })), ...g.removed.map((row) => ({ sign: 'removed', row }))]),
    })),
    stranded: r.failover
      .filter((f) => f.newlyStranded.length > 0)
      .map((f) => ({ failedSite: f.failedSite, lost: num(f.lostFailover.length), list: firstRows(f.newlyStranded) })),
  };
}

function normalView(n: NormalLoad) {
  return {
    site: n.site,
    phones: num(n.phones),
    preferring: num(n.preferring),
    agents: num(n.agents),
    capacity: n.capacity === null ? 'unset' : num(n.capacity),
    share: n.capacity === null ? '' : pct(n.agents, n.capacity),
  };
}

/** Rows of the --phones table per block: the browser lays out a block only when it scrolls into view. */
export const PHONE_BLOCK = 1000;

function phoneChunks(phones: NonNullable<ReportModel['phones']>) {
  const chunks = [];
  for (let i = 0; i < phones.length; i += PHONE_BLOCK) {
    const rows = phones.slice(i, i + PHONE_BLOCK).map((p) => ({ ...p, outcomes: p.outcomes.map((o) => OUTCOME_WORDS[o]) }));
    chunks.push({ from: num(i + 1), to: num(i + rows.length), rows });
  }
  return chunks;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export interface HtmlOptions {
  version: string;
}

/** A Handlebars environment of its own (the phone templates' settings and helpers do not apply here). */
const hb = Handlebars.create();
let compiled: HandlebarsTemplateDelegate | undefined;

/** The page for `model`: a pure function of the model and the package's template files. */
export function renderReportHtml(model: ReportModel, opts: HtmlOptions): string {
  compiled ??= hb.compile(readFileSync(join(REPORT_TEMPLATE_DIR, 'report.hbs'), 'utf8'), { strict: true });
  const css = readFileSync(join(REPORT_TEMPLATE_DIR, 'report.css'), 'utf8');
  const script = model.phones ? readFileSync(join(REPORT_TEMPLATE_DIR, 'filter.js'), 'utf8') : null;
  const csp = `default-src 'none'; style-src ${sha256(css)}; script-src ${script ? sha256(script) : "'none'"}; base-uri 'none'; form-action 'none'`;
  const scenarios = model.scenarios.map(scenarioView);
  const view = {
    title: `Business Continuity report: ${model.file}`,
    file: model.file,
    base: model.base,
    version: opts.version,
    // Made here from fixed words and base64 digests: nothing to escape, and the policy reads as written.
    csp: new Handlebars.SafeString(csp),
    css: new Handlebars.SafeString(css),
    script: script === null ? null : new Handlebars.SafeString(script),
    totals: { places: num(model.totals.places), agents: num(model.totals.agents), phones: num(model.totals.phones) },
    glance: scenarios.map((s) => ({
      id: s.id,
      failed: s.failed,
      survivor: s.survivor,
      status: s.chart.status,
      statusClass: s.chart.statusClass,
      stranded: s.outcomes.find((o) => o.outcome === 'stranded')!,
      longest: s.longest,
    })),
    sites: model.sites.map((s) => ({
      ...s,
      capacity: s.capacity === null ? 'unset' : num(s.capacity),
      servers: s.servers.map((v) => ({ ...v, address: v.address ?? '–', port: v.port === null ? 'default' : String(v.port) })),
    })),
    matrix: {
      columns: model.matrix.columns,
      sites: model.sites.map((s) => ({ id: s.id, span: model.matrix.columns.filter((c) => c.site === s.id).length })),
      rows: model.matrix.rows.map((r) => ({ label: r.label, family: r.family, counts: r.counts.map(num), total: num(r.total) })),
      totals: model.matrix.totals.map(num),
      total: num(model.matrix.total),
    },
    normal: model.normal.map(normalView),
    scenarios,
    warnings: model.warnings,
    records: model.records.map((r) => ({ ...r, ttl: String(r.ttl) })),
    plan: model.plan ? planView(model.plan) : null,
    phones: model.phones
      ? { count: num(model.phones.length), scenarios: model.scenarios.map((s) => s.failedSite.id), chunks: phoneChunks(model.phones) }
      : null,
  };
  return compiled(view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}
