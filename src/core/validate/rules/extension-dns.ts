/**
 * SIPBC-E-DUP-EXTENSION, -EXTENSION-IS-SWITCH-DN, -DUP-SWITCH-DN: an Extension
 * DN belongs to one place per site, and never doubles as an ACD Queue or Call
 * Processing Port DN (only Extension DNs may be agent DNs).
 */
import type { Finding } from '../../findings.js';
import { StringIndex } from '../../string-index.js';
import { isObject, type RuleContext, str } from '../context.js';

export function uniqueSwitchDNs(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const first = new Map<string, number>();
  for (let ix = 0; ix < ctx.switchDNs.length; ix++) {
    const v = ctx.switchDNs.v(ix);
    const i = ctx.switchDNs.i(ix);
    const n = str(v.number);
    if (n === undefined) continue;
    const j = first.get(n);
    if (j === undefined) first.set(n, i);
    else
      out.push(
        ctx.finding(
          'SIPBC-E-DUP-SWITCH-DN',
          ['switchDNs', i, 'number'],
          `switch DN "${n}" is already listed as switchDNs[${j}] (line ${ctx.lineOf(['switchDNs', j, 'number'])}); list each DN once.`,
        ),
      );
  }
  return out;
}

export function extensionNumbers(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const switchDN = new Map<string, { i: number; type: string }>();
  for (let ix = 0; ix < ctx.switchDNs.length; ix++) {
    const v = ctx.switchDNs.v(ix);
    const i = ctx.switchDNs.i(ix);
    const n = str(v.number);
    if (n !== undefined && !switchDN.has(n)) switchDN.set(n, { i, type: str(v.type) ?? 'switch' });
  }
  // The first place of each Extension DN, per site (in siteIds order). Findings are sorted by position
  // afterwards, so walking a place's sites in that order rather than its keys' gives the same list.
  const siteIds = ctx.siteIds;
  const firstBySite = siteIds.map(() => new StringIndex(ctx.places.length));
  for (let ix = 0; ix < ctx.places.length; ix++) {
    const v = ctx.places.v(ix);
    const i = ctx.places.i(ix);
    const ext = v.extensions as unknown;
    if (!isObject(ext)) continue;
    for (let s = 0; s < siteIds.length; s++) {
      const site = siteIds[s];
      if (!Object.hasOwn(ext, site)) continue;
      const n = str(ext[site]);
      if (n === undefined) continue;
      const sw = switchDN.get(n);
      if (sw) {
        out.push(
          ctx.finding(
            'SIPBC-E-EXTENSION-IS-SWITCH-DN',
            ['places', i, 'extensions', site],
            `Extension DN "${n}" of places[${i}] on site ${site} is also the ${sw.type} DN switchDNs[${sw.i}] (line ${ctx.lineOf(['switchDNs', sw.i, 'number'])}); only Extension DNs may be agent DNs: give the place another number.`,
          ),
        );
      }
      const seen = firstBySite[s];
      const j = seen.add(n, i);
      if (j !== -1) {
        const other = (ctx.inv.places as unknown[])[j];
        const placeId = (isObject(other) ? str(other.id) : undefined) ?? `places[${j}]`;
        out.push(
          ctx.finding(
            'SIPBC-E-DUP-EXTENSION',
            ['places', i, 'extensions', site],
            `Extension DN "${n}" on site ${site} is already the DN of place ${placeId} (line ${ctx.lineOf(['places', j, 'extensions', site])}); an Extension DN belongs to one place per site.`,
          ),
        );
      }
    }
  }
  return out;
}
