/**
 * SIPBC-E-UNKNOWN-PLACE, -UNKNOWN-SITE, -PLACE-EXTENSIONS: every reference
 * resolves (agent → place, phone → place, preferredSite → site or auto,
 * place extensions → exactly the two site ids), with a did-you-mean.
 */
import type { Finding } from '../../findings.js';
import { isObject, type RuleContext, str } from '../context.js';
import { didYouMean, didYouMeanText } from '../did-you-mean.js';

export function placeReferences(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  let candidates: string[] | undefined;
  for (const [listKey, list] of [
    ['agents', ctx.agents],
    ['phones', ctx.phones],
  ] as const) {
    for (let ix = 0; ix < list.length; ix++) {
      const v = list.v(ix);
      const i = list.i(ix);
      const place = str(v.place);
      if (place === undefined || ctx.placeIndex(place) !== -1) continue;
      candidates ??= ctx.placeIds();
      const suggestion = didYouMean(place, candidates);
      out.push(
        ctx.finding(
          'SIPBC-E-UNKNOWN-PLACE',
          [listKey, i, 'place'],
          `${listKey}[${i}] sits at place "${place}", which is not in places.${didYouMeanText(suggestion)} Add the place or fix the id.`,
          {
            suggestion,
          },
        ),
      );
    }
  }
  return out;
}

export function siteReferences(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sites = new Set(ctx.siteIds);
  if (sites.size === 0) return out;
  // `list[i].preferredSite` (i -1: defaults.preferredSite); the path is made only for a finding (this runs for every agent and phone).
  const check = (value: unknown, list: string, i: number) => {
    const s = str(value);
    if (s === undefined || s === 'auto' || sites.has(s)) return;
    const path = i === -1 ? [list, 'preferredSite'] : [list, i, 'preferredSite'];
    const suggestion = didYouMean(s, [...ctx.siteIds, 'auto']);
    out.push(
      ctx.finding('SIPBC-E-UNKNOWN-SITE', path, `preferredSite "${s}" is not a site id (${ctx.siteIds.join(', ')}) nor auto.${didYouMeanText(suggestion)}`, {
        suggestion,
      }),
    );
  };
  if (isObject(ctx.inv.defaults)) check(ctx.inv.defaults.preferredSite, 'defaults', -1);
  for (let ix = 0; ix < ctx.agents.length; ix++) {
    const v = ctx.agents.v(ix);
    const i = ctx.agents.i(ix);
    check(v.preferredSite, 'agents', i);
  }
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    check(v.preferredSite, 'phones', i);
  }
  return out;
}

export function placeExtensions(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  if (ctx.siteIds.length === 0) return out;
  for (let ix = 0; ix < ctx.places.length; ix++) {
    const v = ctx.places.v(ix);
    const i = ctx.places.i(ix);
    const ext = v.extensions as unknown;
    if (!isObject(ext)) continue;
    if (onlySites(ext, ctx.siteIds)) continue; // the usual place: no list of keys or of missing sites made
    const keys = Object.keys(ext);
    for (const k of keys) {
      if (ctx.siteIds.includes(k) || k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      const suggestion = didYouMean(k, ctx.siteIds);
      out.push(
        ctx.finding(
          'SIPBC-E-PLACE-EXTENSIONS',
          ['places', i, 'extensions', k],
          `places[${i}].extensions names "${k}", which is not a site id (${ctx.siteIds.join(', ')}).${didYouMeanText(suggestion)}`,
          { key: true, suggestion },
        ),
      );
    }
    const missing = ctx.siteIds.filter((s) => !Object.hasOwn(ext, s));
    if (missing.length > 0) {
      out.push(
        ctx.finding(
          'SIPBC-E-PLACE-EXTENSIONS',
          ['places', i, 'extensions'],
          `places[${i}].extensions has no Extension DN for site${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: a place needs one Extension DN on each site, e.g. { ${ctx.siteIds.map((s) => `${s}: "1001"`).join(', ')} }.`,
        ),
      );
    }
  }
  return out;
}

/** The keys of `ext` are exactly the site ids (each site has an Extension DN, and nothing else is there). */
function onlySites(ext: Record<string, unknown>, siteIds: readonly string[]): boolean {
  let n = 0;
  for (const k in ext) {
    if (!siteIds.includes(k)) return false;
    n++;
  }
  for (let s = 0; s < siteIds.length; s++) if (!Object.hasOwn(ext, siteIds[s])) return false;
  return n === siteIds.length;
}
