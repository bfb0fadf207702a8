/**
 * SIPBC-E-DUP-SITE, -DUP-PLACE, -DUP-LOGIN, -DUP-MAC: ids that must be unique.
 * MACs are compared after normalisation (src/core/mac.ts), so 00:15:65:… and
 * 0015.65… are the same phone. Each duplicate is reported at the later entry
 * and names the line of the first.
 */
import type { Finding } from '../../findings.js';
import { normaliseMac } from '../../mac.js';
import { StringIndex } from '../../string-index.js';
import { type Entries, type RuleContext, str } from '../context.js';

function duplicates<T>(
  ctx: RuleContext,
  list: Entries<T>,
  listKey: string,
  field: string,
  code: string,
  what: string,
  norm?: (s: string) => string | undefined,
  /** The position in `list` of the first entry of each key, when the context already has it (places by id). */
  firstOf?: (key: string) => number,
): Finding[] {
  const out: Finding[] = [];
  const first = firstOf ? undefined : new StringIndex(list.length);
  for (let ix = 0; ix < list.length; ix++) {
    const v = list.v(ix);
    const i = list.i(ix);
    const raw = str((v as Record<string, unknown>)[field]);
    if (raw === undefined) continue;
    const k = norm ? norm(raw) : raw;
    if (k === undefined) continue;
    let j: number;
    if (first) {
      j = first.add(k, i);
      if (j === -1) continue;
    } else {
      j = list.i(firstOf!(k));
      if (j === i) continue;
    }
    const line = ctx.lineOf([listKey, j, field]);
    out.push(
      ctx.finding(code, [listKey, i, field], `${what} "${raw}" is already used by ${listKey}[${j}] (line ${line}); each must be unique: remove or rename one.`),
    );
  }
  return out;
}

export const uniqueSiteIds = (ctx: RuleContext) => duplicates(ctx, ctx.sites, 'sites', 'id', 'SIPBC-E-DUP-SITE', 'site id');
export const uniquePlaceIds = (ctx: RuleContext) =>
  duplicates(ctx, ctx.places, 'places', 'id', 'SIPBC-E-DUP-PLACE', 'place id', undefined, (id) => ctx.placeIndex(id));
export const uniqueAgentLogins = (ctx: RuleContext) => duplicates(ctx, ctx.agents, 'agents', 'login', 'SIPBC-E-DUP-LOGIN', 'Agent Login');
export const uniquePhoneMacs = (ctx: RuleContext) => duplicates(ctx, ctx.phones, 'phones', 'mac', 'SIPBC-E-DUP-MAC', 'MAC', normaliseMac);
