/**
 * SIPBC-W-CAPACITY: on a site failure every agent is re-logged in on the
 * surviving site, so each site with a `capacity` must be able to
 * carry all agents alone. Checked only for sites that give a capacity.
 */
import type { Finding } from '../../findings.js';
import type { RuleContext } from '../context.js';

export function failoverCapacity(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const total = ctx.agents.length;
  if (ctx.sites.length !== 2) return out;
  for (let ix = 0; ix < ctx.sites.length; ix++) {
    const v = ctx.sites.v(ix);
    const i = ctx.sites.i(ix);
    if (typeof v.capacity !== 'number' || v.capacity >= total) continue;
    const other = ctx.sites.items().find((s) => s.i !== i)?.v.id ?? 'the other site';
    out.push(
      ctx.finding(
        'SIPBC-W-CAPACITY',
        ['sites', i, 'capacity'],
        `if site ${String(other)} fails, site ${String(v.id)} must carry all ${total} agents, but its capacity is ${v.capacity}; raise its capacity to at least ${total} or plan for ${total - v.capacity} agents left without a site.`,
      ),
    );
  }
  return out;
}
