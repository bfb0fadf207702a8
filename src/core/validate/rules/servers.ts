/**
 * SIP Server endpoints of both sites:
 *   SIPBC-E-HOST-NAME      host is not a valid FQDN (labels ≤ 63, name ≤ 253, LDH, at least one dot)
 *   SIPBC-E-ADDRESS        address is not a unicast IPv4/IPv6 address a server can have and a zone can
 *                          hold: no zone id (%eth0), unspecified, broadcast, multicast, IPv6 link-local
 *   SIPBC-E-SHARED-SERVER  the two sites share a server host or address (a site failure would take both)
 * (ports 1–65535 are checked by the schema: SIPBC-E-PORT)
 */
import { hostNameProblem } from '../../dns-names.js';
import type { Finding } from '../../findings.js';
import { serverAddressProblem } from '../../ip-address.js';
import { isObject, type RuleContext, str } from '../context.js';

const ROLES = ['vip', 'primary', 'backup'] as const;

interface Endpoint {
  site: string;
  siteIndex: number;
  role: string;
  host?: string;
  address?: string;
}

function endpoints(ctx: RuleContext): Endpoint[] {
  const out: Endpoint[] = [];
  for (let ix = 0; ix < ctx.sites.length; ix++) {
    const v = ctx.sites.v(ix);
    const i = ctx.sites.i(ix);
    const pair = v.sipServer as unknown;
    if (!isObject(pair)) continue;
    for (const role of ROLES) {
      const ep = pair[role];
      if (!isObject(ep)) continue;
      out.push({ site: str(v.id) ?? `sites[${i}]`, siteIndex: i, role, host: str(ep.host), address: str(ep.address) });
    }
  }
  return out;
}

export function serverHostsAndAddresses(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const ep of endpoints(ctx)) {
    const base = ['sites', ep.siteIndex, 'sipServer', ep.role];
    if (ep.host !== undefined) {
      const p = hostNameProblem(ep.host);
      if (p)
        out.push(
          ctx.finding(
            'SIPBC-E-HOST-NAME',
            [...base, 'host'],
            `host "${ep.host}" of site ${ep.site}'s ${ep.role} ${p}; write the server's fully qualified domain name, e.g. sipsrv-a.${ep.site}.contoso.example.`,
          ),
        );
    }
    const problem = ep.address === undefined ? undefined : serverAddressProblem(ep.address);
    if (problem) {
      out.push(ctx.finding('SIPBC-E-ADDRESS', [...base, 'address'], `address "${ep.address}" of site ${ep.site}'s ${ep.role} ${problem}.`));
    }
  }
  return out;
}

export function sitesDoNotShareServers(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, Endpoint>();
  for (const ep of endpoints(ctx)) {
    const keys: [string, string | undefined][] = [
      ['host', ep.host?.toLowerCase().replace(/\.$/, '')],
      ['address', ep.address?.toLowerCase()],
    ];
    for (const [field, value] of keys) {
      if (value === undefined) continue;
      const k = `${field}\u0000${value}`;
      const first = seen.get(k);
      if (!first) {
        seen.set(k, ep);
        continue;
      }
      if (first.siteIndex === ep.siteIndex) continue;
      out.push(
        ctx.finding(
          'SIPBC-E-SHARED-SERVER',
          ['sites', ep.siteIndex, 'sipServer', ep.role, field],
          `site ${ep.site}'s ${ep.role} has the same ${field} "${value}" as site ${first.site}'s ${first.role} (line ${ctx.lineOf(['sites', first.siteIndex, 'sipServer', first.role, field])}); the two sites must run separate SIP Server pairs, or one site's failure takes both.`,
        ),
      );
    }
  }
  return out;
}
