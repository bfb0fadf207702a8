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
import { isObject, type RuleContext, str } from '../context.js';

export function naptrTransports(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sites = ctx.serverSites;
  const dns = isObject(ctx.inv.dns) ? ctx.inv.dns : undefined;
  if (sites.length !== 2 || typeof dns?.zone !== 'string') return out;
  const base = baseDomain({ dns: { zone: dns.zone, subdomain: typeof dns.subdomain === 'string' ? dns.subdomain : undefined } });
  const defaults = isObject(ctx.inv.defaults) ? ctx.inv.defaults : {};
  // The names of each site (index 0 or 1), made once rather than per phone.
  const siteNames = [siteName(base, sites[0].id), siteName(base, sites[1].id)];
  const preferredNames = [preferredName(base, sites[0].id), preferredName(base, sites[1].id)];
  /** name → the first NAPTR-driven phone resolving it: its transport and where it is. */
  const first = new Map<string, { transport: string; i: number; model: string }>();
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const model = str(v.model);
    const placeId = str(v.place);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    if (!fam || fam.codes?.srvTransport === undefined || placeId === undefined) continue;
    const site = ctx.phoneSite(placeId, str(v.preferredSite));
    // The preferred site's index; the peer is the other one.
    const at = site === undefined ? -1 : sites[0].id === site ? 0 : sites[1].id === site ? 1 : -1;
    if (at === -1 || sites[1 - at].id === site) continue;
    const mode = str(v.registration) ?? str(defaults.registration) ?? 'active-backup';
    // The names it resolves: its own site's and the peer's (dual over SRV) or the preferred name (active-backup SRV).
    let name1: string | undefined;
    let name2: string | undefined;
    if (mode === 'dual' && fam.dualRegistration) {
      if (fam.dualSrv) {
        name1 = siteNames[at];
        name2 = siteNames[1 - at];
      }
    } else if (fam.activeBackup === 'srv') name1 = preferredNames[at];
    if (name1 === undefined) continue;
    const transport = str(v.transport) ?? str(defaults.transport) ?? 'udp';
    for (let nth = 0; nth < 2; nth++) {
      const name = nth === 0 ? name1 : name2; // (no array of the names per phone)
      if (name === undefined) break;
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
