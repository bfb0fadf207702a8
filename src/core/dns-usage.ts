/**
 * Who resolves which SRV name (for the NAPTR records, dns/build.ts), straight from a valid inventory:
 * the same answer as `dnsUsageOf(resolvePlan(inv, catalogue))` (test/core/dns-usage.test.ts), without
 * building the plan. `sipbc dns` needs only this: for 100 000 phones the plan costs ~2.4 s and ~130 MB.
 * The rules are the policy's (policy.ts): preferred site = the phone's, else its place's (the agents'
 * when they agree, else the default; auto = rendezvous hash of the place); a model that cannot dual
 * register is active-backup; dual lines resolve S.B and T.B (through SRV when the family's dual lines
 * may), active-backup SRV lines S-preferred.B.
 */
import type { Catalogue } from './catalogue.js';
import { baseDomain, preferredName, siteName } from './dns-names.js';
import { dnsUsage, type DnsUsage, type UsingLine } from './dns/build.js';
import type { Inventory } from './inventory.js';
import { autoSite } from './policy.js';

export function inventoryDnsUsage(inv: Inventory, catalogue: Catalogue): DnsUsage {
  const base = baseDomain(inv);
  const sites = inv.sites;
  const defaults = inv.defaults ?? {};
  const defaultSite = defaults.preferredSite ?? 'auto';
  const autoOf = new Map<string, string>();
  const concrete = (pref: string, placeId: string): string => {
    if (pref !== 'auto') return pref;
    let s = autoOf.get(placeId);
    if (s === undefined) autoOf.set(placeId, (s = autoSite(placeId, sites)));
    return s;
  };
  const agentSites = new Map<string, string[]>();
  for (const a of inv.agents ?? []) {
    const list = agentSites.get(a.place);
    const site = concrete(a.preferredSite ?? defaultSite, a.place);
    if (list) list.push(site);
    else agentSites.set(a.place, [site]);
  }
  const placeSite = (placeId: string): string => {
    const list = agentSites.get(placeId);
    return list ? list[0] : concrete(defaultSite, placeId);
  };
  function* lines(): Generator<UsingLine> {
    for (const phone of inv.phones ?? []) {
      const family = catalogue.families[catalogue.models[phone.model].family];
      const site = phone.preferredSite !== undefined ? concrete(phone.preferredSite, phone.place) : placeSite(phone.place);
      const peer = sites.find((s) => s.id !== site)!.id;
      const asked = phone.registration ?? defaults.registration ?? 'active-backup';
      const dual = asked === 'dual' && family.dualRegistration;
      const transport = phone.transport ?? defaults.transport ?? 'udp';
      const naptrDriven = family.codes?.srvTransport !== undefined;
      if (dual) {
        yield { host: siteName(base, site), srv: family.dualSrv, transport, naptrDriven };
        yield { host: siteName(base, peer), srv: family.dualSrv, transport, naptrDriven };
      } else if (family.activeBackup === 'srv') {
        yield { host: preferredName(base, site), srv: true, transport, naptrDriven };
      }
    }
  }
  return dnsUsage(lines());
}
