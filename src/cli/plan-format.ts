/**
 * Printing a ChangeReview (src/core/review/diff.ts) in the formats of `sipbc plan --format`:
 *
 *   text      the verdict, then each section (lists capped at TEXT_LIMIT items), coloured with chalk
 *   json      the ChangeReview object, complete
 *   markdown  a pull-request comment: the verdict and the load per site first, every list in a
 *             collapsed <details> block; kept under GitHub's 65 536-character comment limit
 *   github    workflow commands: one notice with the verdict, a warning per phone that moves site
 *             or loses failover (at its line in NEW) and per new capacity overflow
 *
 * Pure string builders: the command decides where they go.
 */
import chalk from 'chalk';
import type { SourcePosition } from '../core/findings.js';
import { PHONE_FIELD_WORDS, type ChangeReview, type LoadFigures, type LoadRow, type RRset } from '../core/review/diff.js';
import type { PhoneView } from '../core/review/snapshot.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown', 'github'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** Items listed per section in text (all of them are in --format json). */
export const TEXT_LIMIT = 200;
/** GitHub refuses a comment longer than 65 536 characters: the markdown stays below this. */
export const MARKDOWN_MAX = 60_000;

export interface GithubContext {
  /** NEW as given (the annotation's file). */
  file: string;
  /** Where a phone (by MAC) or a site's capacity (by site id) is written in NEW. */
  phoneAt(mac: string): SourcePosition | undefined;
  capacityAt(site: string): SourcePosition | undefined;
}

const FLAG_WORDS: Record<LoadRow['flags'][number], string> = {
  'new-overflow': 'NEW OVERFLOW',
  'overflow-grows': 'OVERFLOW GROWS',
  'new-stranded': 'NEW STRANDED',
};

const arrow = (a: string, b: string) => (a === b ? a : `${a} → ${b}`);

/**
 * The load table's cells (scenario, site, phones, agents, capacity, over, stranded, longest
 * outage, flags), each `before → after` or one value when it stays; '–' for a side without the
 * scenario. `n` formats a number (the HTML report groups digits).
 */
export function loadCells(r: LoadRow, n: (v: number) => string = String): string[] {
  const fig = (f: LoadFigures | null, pick: (f: LoadFigures) => number | null, unit: string, none: string) => {
    if (!f) return '–';
    const v = pick(f);
    return v === null ? none : `${n(v)}${unit}`;
  };
  const pair = (pick: (f: LoadFigures) => number | null, unit = '', none = 'unset') => arrow(fig(r.before, pick, unit, none), fig(r.after, pick, unit, none));
  const failure = r.failedSite !== null;
  return [
    failure ? `${r.failedSite} fails` : 'normal',
    r.site,
    pair((f) => f.phones),
    pair((f) => f.agents),
    pair((f) => f.capacity),
    failure ? pair((f) => f.overflow) : '',
    failure ? pair((f) => f.stranded) : '',
    failure ? pair((f) => f.longestOutage, ' s', 'none') : '',
    r.flags.map((f) => FLAG_WORDS[f]).join(', '),
  ];
}
const LOAD_HEAD = ['SCENARIO', 'SITE', 'PHONES', 'AGENTS', 'CAPACITY', 'OVER', 'STRANDED', 'LONGEST OUTAGE', 'FLAGS'];

function table(head: string[], rows: string[][], style: (s: string) => string): string[] {
  const widths = head.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i].length), h.length));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [style(line(head)), ...rows.map(line)];
}

function capped<T>(items: readonly T[], limit: number): { shown: readonly T[]; more: number } {
  return items.length > limit ? { shown: items.slice(0, limit), more: items.length - limit } : { shown: items, more: 0 };
}

const phoneLine = (p: PhoneView) => `${p.mac}  ${p.model}  ${p.place}  ${p.preferredSite}  ${p.mode}  ${p.transport}  ${p.line1}`;
const rrsetLine = (s: RRset) => `${s.name} ${s.ttl} ${s.type} ${s.data.join(' | ')}`;

export function renderPlanText(r: ChangeReview, limit = TEXT_LIMIT): string {
  const out: string[] = [];
  const head = (t: string) => out.push('', chalk.bold(t));
  const more = (n: number) => n > 0 && out.push(`  … and ${n} more (--format json lists all)`);
  out.push(chalk.bold(`sipbc plan: ${r.old.file} → ${r.new.file}`), '');
  for (const h of r.headline) out.push(h.startsWith('ATTENTION') ? chalk.yellow(h) : h);
  if (!r.changed) return out.join('\n') + '\n';

  const { phones, agents, dns } = r;
  if (phones.changed.length > 0) {
    head(`Phones changed (${phones.changed.length})`);
    const c = capped(phones.changed, limit);
    for (const p of c.shown) {
      const marks = [p.movesSite ? 'MOVES SITE' : '', p.modeChanged ? 'MODE CHANGES' : ''].filter(Boolean).join(', ');
      out.push(`  ${p.mac}  ${p.model}  ${p.place}${marks ? `  ${chalk.yellow(marks)}` : ''}`);
      for (const f of p.fields) out.push(`    ${PHONE_FIELD_WORDS[f.field]}: ${f.before} → ${f.after}`);
      out.push(`    why: ${p.why.join('; ')}`);
      if (p.whyBefore.length > 0) out.push(`    was: ${p.whyBefore.join('; ')}`);
    }
    more(c.more);
  }
  for (const [title, list] of [
    ['Phones added', phones.added],
    ['Phones removed', phones.removed],
  ] as const) {
    if (list.length === 0) continue;
    head(`${title} (${list.length}): MAC, model, place, site, mode, transport, line 1`);
    const c = capped(list, limit);
    for (const p of c.shown) out.push(`  ${phoneLine(p)}`);
    more(c.more);
  }
  if (agents.siteChanged.length > 0) {
    head(`Agents changing site (${agents.siteChanged.length})`);
    const c = capped(agents.siteChanged, limit);
    for (const a of c.shown) out.push(`  ${a.login} (${a.user}) at ${a.place}: ${a.before} → ${a.after}`);
    more(c.more);
  }
  for (const [title, list] of [
    ['Agents added', agents.added],
    ['Agents removed', agents.removed],
  ] as const) {
    if (list.length === 0) continue;
    head(`${title} (${list.length})`);
    const c = capped(list, limit);
    for (const a of c.shown) out.push(`  ${a.login} (${a.user}) at ${a.place} on ${a.site}`);
    more(c.more);
  }
  if (dns.added.length + dns.removed.length + dns.changed.length > 0) {
    head(`DNS RRsets (${dns.added.length} added, ${dns.removed.length} removed, ${dns.changed.length} changed)`);
    for (const s of dns.added) out.push(chalk.green(`  + ${rrsetLine(s)}`));
    for (const s of dns.removed) out.push(chalk.red(`  - ${rrsetLine(s)}`));
    for (const s of dns.changed) {
      out.push(`  ~ ${s.name} ${s.type}`);
      out.push(chalk.red(`      - ${s.before.ttl} ${s.before.data.join(' | ')}`));
      out.push(chalk.green(`      + ${s.after.ttl} ${s.after.data.join(' | ')}`));
    }
  }
  for (const g of r.genesys) {
    head(`${g.path} (${g.added.length} rows added, ${g.removed.length} removed; columns ${g.header})`);
    const a = capped(g.added, limit);
    for (const row of a.shown) out.push(chalk.green(`  + ${row}`));
    more(a.more);
    const d = capped(g.removed, limit);
    for (const row of d.shown) out.push(chalk.red(`  - ${row}`));
    more(d.more);
  }
  head('Load per site (before → after): registered phones, agents, capacity; with each site failed, on the survivor');
  for (const l of table(
    LOAD_HEAD,
    r.load.map((l) => loadCells(l)),
    chalk.bold,
  ))
    out.push(`  ${l}`);
  for (const f of r.failover) {
    if (f.newlyStranded.length + f.recovered.length === 0) continue;
    head(
      `If ${f.failedSite} fails: ${f.newlyStranded.length} newly stranded (${f.lostFailover.length} lose failover), ${f.recovered.length} no longer stranded`,
    );
    const c = capped(f.newlyStranded, limit);
    for (const p of c.shown) out.push(chalk.yellow(`  ${p.mac} (${p.place}): ${p.reason}`));
    more(c.more);
  }
  return out.join('\n') + '\n';
}

export function renderPlanJson(r: ChangeReview): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/**
 * Inline markdown for a value from the inventory: no HTML (`<`, `>`, `&` as entities), no
 * emphasis, links, code or table breaks (backslash escapes), no @-mention, one line.
 */
export function md(value: string | number): string {
  return String(value)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;');
}

/** Text inside an HTML element of the comment (a <summary>: markdown escapes are not read there). */
export function htmlText(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@/g, '&#64;');
}

function mdTable(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function markdownWith(r: ChangeReview, limit: number): string {
  const out: string[] = [];
  out.push(`### sipbc plan: ${md(r.old.file)} → ${md(r.new.file)}`, '');
  for (const h of r.headline) out.push(h.startsWith('ATTENTION') ? `- :warning: **${md(h)}**` : `- ${md(h)}`);
  if (!r.changed) return out.join('\n') + '\n';
  out.push('', '**Load per site** (before → after; with a site failed, the survivor carries everything):', '');
  out.push(
    ...mdTable(
      ['scenario', 'site', 'phones', 'agents', 'capacity', 'over', 'stranded', 'longest outage', 'flags'],
      r.load.map((l) => loadCells(l).map((c, i) => (i === 8 && c ? `**${md(c)}**` : md(c)))),
    ),
  );

  const details = (title: string, body: string[], total: number, shown: number) => {
    out.push('', `<details><summary>${htmlText(title)}</summary>`, '');
    out.push(...body);
    if (total > shown) out.push('', `… and ${total - shown} more (\`sipbc plan --format json\` lists all)`);
    out.push('', '</details>');
  };
  const { phones, agents, dns } = r;
  if (phones.changed.length > 0) {
    const c = capped(phones.changed, limit);
    details(
      `Phones changed (${phones.changed.length}; ${r.summary.phones.movingSite} move site, ${r.summary.phones.modeChanged} change mode)`,
      mdTable(
        ['MAC', 'model', 'place', 'change', 'why'],
        c.shown.map((p) => [
          md(p.mac) + (p.movesSite ? ' **moves site**' : '') + (p.modeChanged ? ' **mode changes**' : ''),
          md(p.model),
          md(p.place),
          p.fields.map((f) => `${md(PHONE_FIELD_WORDS[f.field])}: ${md(f.before)} → ${md(f.after)}`).join('<br>'),
          p.why.map(md).join('<br>') + (p.whyBefore.length > 0 ? `<br>was: ${p.whyBefore.map(md).join('; ')}` : ''),
        ]),
      ),
      phones.changed.length,
      c.shown.length,
    );
  }
  for (const [title, list] of [
    ['Phones added', phones.added],
    ['Phones removed', phones.removed],
  ] as const) {
    if (list.length === 0) continue;
    const c = capped(list, limit);
    details(
      `${title} (${list.length})`,
      mdTable(
        ['MAC', 'model', 'place', 'site', 'mode', 'transport', 'line 1', 'why'],
        c.shown.map((p) => [p.mac, p.model, p.place, p.preferredSite, p.mode, p.transport, p.line1, p.why.join('; ')].map(md)),
      ),
      list.length,
      c.shown.length,
    );
  }
  if (agents.siteChanged.length + agents.added.length + agents.removed.length > 0) {
    const rows = [
      ...agents.siteChanged.map((a) => [a.login, a.user, a.place, `${a.before} → ${a.after}`]),
      ...agents.added.map((a) => [a.login, a.user, a.place, `added on ${a.site}`]),
      ...agents.removed.map((a) => [a.login, a.user, a.place, `removed from ${a.site}`]),
    ];
    const c = capped(rows, limit);
    details(
      `Agents (${agents.siteChanged.length} change site, ${agents.added.length} added, ${agents.removed.length} removed)`,
      mdTable(
        ['login', 'user', 'place', 'site'],
        c.shown.map((row) => row.map(md)),
      ),
      rows.length,
      c.shown.length,
    );
  }
  if (dns.added.length + dns.removed.length + dns.changed.length > 0) {
    const lines = [
      ...dns.added.map((s) => `+ ${rrsetLine(s)}`),
      ...dns.removed.map((s) => `- ${rrsetLine(s)}`),
      ...dns.changed.flatMap((s) => [
        `~ ${s.name} ${s.type}`,
        `-   ${s.before.ttl} ${s.before.data.join(' | ')}`,
        `+   ${s.after.ttl} ${s.after.data.join(' | ')}`,
      ]),
    ];
    // A fenced block shows the records verbatim; a fence longer than any backtick run in them cannot be closed early.
    const fence = '`'.repeat(Math.max(3, ...lines.map((l) => (l.match(/`+/g) ?? []).reduce((m, run) => Math.max(m, run.length + 1), 0))));
    details(`DNS RRsets (${dns.added.length} added, ${dns.removed.length} removed, ${dns.changed.length} changed)`, [fence + 'diff', ...lines, fence], 0, 0);
  }
  for (const g of r.genesys) {
    const rows = [...g.added.map((x) => `+ ${x}`), ...g.removed.map((x) => `- ${x}`)];
    const c = capped(rows, limit);
    const fence = '`'.repeat(Math.max(3, ...c.shown.map((l) => (l.match(/`+/g) ?? []).reduce((m, run) => Math.max(m, run.length + 1), 0))));
    details(
      `${g.path} (${g.added.length} rows added, ${g.removed.length} removed)`,
      [fence + 'diff', `  ${g.header}`, ...c.shown, fence],
      rows.length,
      c.shown.length,
    );
  }
  for (const f of r.failover) {
    if (f.newlyStranded.length === 0) continue;
    const c = capped(f.newlyStranded, limit);
    details(
      `If ${f.failedSite} fails: ${f.newlyStranded.length} newly stranded phone${f.newlyStranded.length === 1 ? '' : 's'} (${f.lostFailover.length} lose failover)`,
      mdTable(
        ['MAC', 'place', 'reason'],
        c.shown.map((p) => [p.mac, p.place, p.reason].map(md)),
      ),
      f.newlyStranded.length,
      c.shown.length,
    );
  }
  return out.join('\n') + '\n';
}

/** The PR comment: as many list items as fit under MARKDOWN_MAX (the verdict and load table always do). */
export function renderPlanMarkdown(r: ChangeReview): string {
  let text = '';
  for (const limit of [50, 20, 5, 0]) {
    text = markdownWith(r, limit);
    if (text.length <= MARKDOWN_MAX) break;
  }
  return text;
}

/** GitHub workflow-command escaping: data escapes %, CR, LF; property values also : and ,. */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** At most this many per-item warnings: GitHub shows only the first few of a step anyway. */
export const GITHUB_LIMIT = 50;

export function renderPlanGithub(r: ChangeReview, ctx: GithubContext): string {
  const out: string[] = [];
  const at = (pos: SourcePosition | undefined) => `file=${ghProp(ctx.file)}${pos ? `,line=${pos.line},col=${pos.column}` : ''}`;
  out.push(`::notice ${at(undefined)},title=${ghProp('sipbc plan')}::${ghData(r.headline.join('\n'))}`);
  const items: string[] = [];
  for (const p of r.phones.changed) {
    if (!p.movesSite) continue;
    const site = p.fields.find((f) => f.field === 'preferredSite')!;
    items.push(
      `::warning ${at(ctx.phoneAt(p.mac))},title=${ghProp('phone moves site')}::${ghData(`${p.mac} (${p.place}) moves from ${site.before} to ${site.after}: ${p.why[0]}`)}`,
    );
  }
  for (const f of r.failover) {
    for (const p of f.newlyStranded) {
      items.push(`::warning ${at(ctx.phoneAt(p.mac))},title=${ghProp(`stranded if ${f.failedSite} fails`)}::${ghData(`${p.mac} (${p.place}): ${p.reason}`)}`);
    }
  }
  for (const l of r.load) {
    if (!l.after || !(l.flags.includes('new-overflow') || l.flags.includes('overflow-grows'))) continue;
    items.push(
      `::warning ${at(ctx.capacityAt(l.site))},title=${ghProp('capacity overflow')}::${ghData(`if ${l.failedSite} fails, ${l.site} must carry ${l.after.agents} agents, capacity ${l.after.capacity}: ${l.after.overflow} over`)}`,
    );
  }
  const c = capped(items, GITHUB_LIMIT);
  out.push(...c.shown);
  if (c.more > 0)
    out.push(`::warning ${at(undefined)},title=${ghProp('sipbc plan')}::${ghData(`${c.more} more warnings (sipbc plan --format json lists all)`)}`);
  return out.join('\n') + '\n';
}
