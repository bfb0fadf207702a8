/**
 * SIPBC-W-PHONE-DNS-RESOLVER: a family whose file carries the phone's own DNS server (catalogue
 * `needsResolver`: Alcatel-Lucent 4000, whose sample sipconfig says the primary DNS "HAS TO BE
 * FILLED") is used, but the inventory gives no `dns.resolvers`: the phone may not resolve the S.B /
 * T.B names its file points at. SIPBC-E-DNS-RESOLVER: a resolver that is not an IP address.
 */
import { isIP } from 'node:net';
import { familyOf } from '../../catalogue.js';
import type { Finding } from '../../findings.js';
import { isObject, type RuleContext, str } from '../context.js';

export function phoneResolvers(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const dns: Record<string, unknown> = isObject(ctx.inv.dns) ? ctx.inv.dns : {};
  const resolvers: unknown[] | undefined = Array.isArray(dns.resolvers) ? dns.resolvers : undefined;
  resolvers?.forEach((r, i) => {
    if (typeof r === 'string' && isIP(r) === 0)
      out.push(
        ctx.finding(
          'SIPBC-E-DNS-RESOLVER',
          ['dns', 'resolvers', i],
          `dns.resolvers: "${r}" is not an IPv4 or IPv6 address; give the address of a DNS server the phones can reach, e.g. 10.1.0.53.`,
        ),
      );
  });
  if (resolvers && resolvers.length > 0) return out;
  const warned = new Set<string>();
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const model = str(v.model);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    if (!fam?.needsResolver || warned.has(fam.label)) continue;
    warned.add(fam.label);
    out.push(
      ctx.finding(
        'SIPBC-W-PHONE-DNS-RESOLVER',
        ['phones', i, 'model'],
        `${model} (${fam.label}) needs its DNS server in its own file to resolve the SIP server names it is given, and the inventory has no dns.resolvers: add dns.resolvers (one or two IP addresses of DNS servers the phones use), or the phone keeps whatever DNS it has.`,
      ),
    );
  }
  return out;
}
