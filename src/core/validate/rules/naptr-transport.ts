/**
 * SIPBC-E-NAPTR-TRANSPORT: phones whose family takes the transport from DNS NAPTR (catalogue
 * `codes.srvTransport`: Yealink DNS-NAPTR, Poly DNSnaptr) use the first NAPTR record of the name they
 * resolve. sipbc lists their transport first (dns/build.ts), which works only when all such phones
 * resolving one name ask for the same transport; otherwise some would register over another transport
 * than the inventory gives them. Names as the policy gives them: a dual line on a family whose dual lines
 * use SRV resolves S.B and T.B; an active-backup SRV line S-preferred.B. The preferred site is resolved
 * as the policy does (phone, else the agents at the place when they agree, else the default; auto per place).
 */
import { familyOf } from '../../catalogue.js';
import { baseDomain, preferredName, siteName } from '../../dns-names.js';
import type { Finding } from '../../findings.js';
import type { Site } from '../../inventory.js';
import { autoSite } from '../../policy.js';
import { isObject, type RuleContext, str } from '../context.js';

export function naptrTransports(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sites = ctx.sites.map((s) => s.v).filter((s): s is Site => typeof s.id === 'string' && isObject(s.sipServer));
  const dns = isObject(ctx.inv.dns) ? ctx.inv.dns : undefined;
  if (sites.length !== 2 || typeof dns?.zone !== 'string') return out;
  const base = baseDomain({ dns: { zone: dns.zone, subdomain: typeof dns.subdomain === 'string' ? dns.subdomain : undefined } });
  const defaults = isObject(ctx.inv.defaults) ? ctx.inv.defaults : {};
  const def = str(defaults.preferredSite) ?? 'auto';
  const resolve = (pref: string, placeId: string) => (pref === 'auto' ? autoSite(placeId, sites) : pref);
  /** name → the first NAPTR-driven phone resolving it: its transport and where it is. */
  const first = new Map<string, { transport: string; i: number; model: string }>();
  for (const { v, i } of ctx.phones) {
    const model = str(v.model);
    const placeId = str(v.place);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    if (!fam || fam.codes?.srvTransport === undefined || placeId === undefined) continue;
    const own = str(v.preferredSite);
    let site: string | undefined;
    if (own !== undefined) site = resolve(own, placeId);
    else {
      const agentSites = new Set((ctx.agentsAt.get(placeId) ?? []).map((a) => resolve(str(a.v.preferredSite) ?? def, placeId)));
      site = agentSites.size === 1 ? [...agentSites][0] : agentSites.size === 0 ? resolve(def, placeId) : undefined;
    }
    const peer = sites.find((s) => s.id !== site)?.id;
    if (site === undefined || peer === undefined || !sites.some((s) => s.id === site)) continue;
    const mode = str(v.registration) ?? str(defaults.registration) ?? 'active-backup';
    const names =
      mode === 'dual' && fam.dualRegistration
        ? fam.dualSrv
          ? [siteName(base, site), siteName(base, peer)]
          : []
        : fam.activeBackup === 'srv'
          ? [preferredName(base, site)]
          : [];
    const transport = str(v.transport) ?? str(defaults.transport) ?? 'udp';
    for (const name of names) {
      const seen = first.get(name);
      if (!seen) {
        first.set(name, { transport, i, model: model! });
        continue;
      }
      if (seen.transport === transport) continue;
      out.push(
        ctx.finding(
          'SIPBC-E-NAPTR-TRANSPORT',
          str(v.transport) !== undefined ? ['phones', i, 'transport'] : ['phones', i, 'model'],
          `${model} (${fam.label}) takes its transport from DNS NAPTR and resolves ${name}, where phones[${seen.i}] (${seen.model}) asks for ${seen.transport}: the name's first NAPTR record can name one transport only, so this phone would register over ${seen.transport}, not ${transport}. Give the phones of these families that share a name one transport (dual ones share both sites' names), or another preferred site.`,
        ),
      );
      break;
    }
  }
  return out;
}
