/**
 * SIPBC-E-PLACE-SITE-CONFLICT: agents at one place whose preferred sites differ
 * (each agent's preferredSite, else defaults.preferredSite; `auto` resolved per
 * place exactly as the registration policy does), unless every phone at that
 * place says which site it prefers (an error unless a phone there says which).
 * Reported at the first agent that disagrees with the place's first agent.
 */
import type { Finding } from '../../findings.js';
import { autoSite } from '../../policy.js';
import type { Site } from '../../inventory.js';
import { isObject, type RuleContext, str } from '../context.js';

export function placeSiteConflicts(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sites = ctx.sites
    .items()
    .map((s) => s.v)
    .filter((s): s is Site => typeof s.id === 'string');
  if (sites.length !== 2) return out;
  const ids = new Set(sites.map((s) => s.id));
  const defaults = isObject(ctx.inv.defaults) ? ctx.inv.defaults : {};
  const def = str(defaults.preferredSite) ?? 'auto';
  for (let k = 0; k < ctx.places.length; k++) {
    if (ctx.agentCount(k) < 2) continue; // (0 for a place whose id an earlier place has)
    const placeId = ctx.places.v(k).id;
    const agents = ctx.agentsAtPlace(k);
    const resolve = (pref: string): string | undefined => (pref === 'auto' ? autoSite(placeId, sites) : ids.has(pref) ? pref : undefined);
    const firstPref = str(agents[0].v.preferredSite) ?? def;
    const first = resolve(firstPref);
    if (first === undefined) continue;
    const other = agents.find((a) => {
      const r = resolve(str(a.v.preferredSite) ?? def);
      return r !== undefined && r !== first;
    });
    if (!other) continue;
    const phones = ctx.phonesAt.get(placeId) ?? [];
    if (phones.length > 0 && phones.every((p) => str(p.v.preferredSite) !== undefined)) continue;
    const otherPref = str(other.v.preferredSite) ?? def;
    const otherSite = resolve(otherPref)!;
    const describe = (pref: string, site: string) => (pref === site ? site : `${pref} → ${site}`);
    const path = Object.hasOwn(other.v, 'preferredSite') ? ['agents', other.i, 'preferredSite'] : ['agents', other.i];
    out.push(
      ctx.finding(
        'SIPBC-E-PLACE-SITE-CONFLICT',
        path,
        `agents at place ${placeId} prefer different sites: agent ${str(other.v.login) ?? other.i} prefers ${describe(otherPref, otherSite)} but agent ${str(agents[0].v.login) ?? agents[0].i} (line ${ctx.lineOf(['agents', agents[0].i])}) prefers ${describe(firstPref, first)}. Give them the same preferredSite, or set preferredSite on ${phones.length > 0 ? 'every phone at the place' : 'the place’s phone'}.`,
      ),
    );
  }
  return out;
}
