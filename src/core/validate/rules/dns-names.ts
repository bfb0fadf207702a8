/**
 * SIPBC-E-DNS-ZONE: dns.zone / dns.subdomain must be valid DNS names.
 * SIPBC-E-DNS-NAME-TOO-LONG: every name sipbc will generate, built
 * with src/core/dns-names.ts for each transport in use, fits DNS limits.
 */
import { baseDomain, dnsNameProblem, preferredName, siteName, srvPrefix } from '../../dns-names.js';
import type { Finding } from '../../findings.js';
import type { Transport } from '../../inventory.js';
import { isObject, type RuleContext, str } from '../context.js';

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/i;

function nameProblem(name: string, allowEmpty: boolean): string | undefined {
  if (allowEmpty && name === '') return undefined;
  const p = dnsNameProblem(name);
  if (p) return p;
  const bad = name
    .replace(/\.$/, '')
    .split('.')
    .find((l) => !LABEL.test(l));
  return bad === undefined ? undefined : `has an invalid label "${bad}" (letters, digits and inner hyphens only)`;
}

export function dnsZone(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const dns = ctx.inv.dns as unknown;
  if (!isObject(dns)) return out;
  const zone = str(dns.zone);
  const sub = str(dns.subdomain);
  if (zone !== undefined) {
    const p = nameProblem(zone, false);
    if (p) out.push(ctx.finding('SIPBC-E-DNS-ZONE', ['dns', 'zone'], `dns.zone "${zone}" ${p}; write the zone's domain name, e.g. contoso.example.`));
  }
  if (sub !== undefined) {
    const p = nameProblem(sub, true);
    if (p)
      out.push(
        ctx.finding(
          'SIPBC-E-DNS-ZONE',
          ['dns', 'subdomain'],
          `dns.subdomain "${sub}" ${p}; use one or more DNS labels such as sip (or "" for the zone itself).`,
        ),
      );
  }
  return out;
}

export function generatedNameLengths(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const dns = ctx.inv.dns as unknown;
  if (!isObject(dns) || typeof dns.zone !== 'string' || (dns.subdomain !== undefined && typeof dns.subdomain !== 'string')) return out;
  if (nameProblem(dns.zone, false)) return out; // reported by dnsZone
  const base = baseDomain({ dns: { zone: dns.zone, subdomain: dns.subdomain as string | undefined } });
  const transports = new Set<Transport>();
  const defaults = isObject(ctx.inv.defaults) ? ctx.inv.defaults : {};
  const def = str(defaults.transport) ?? 'udp';
  for (let ix = 0; ix < ctx.phones.length; ix++) transports.add((str(ctx.phones.v(ix).transport) ?? def) as Transport);
  transports.add(def as Transport);
  const prefixes = [...transports].filter((t) => ['udp', 'tcp', 'tls'].includes(t)).map(srvPrefix);
  // The longest SRV owner decides: check it first so one finding per site names the worst case.
  // (Ties by code unit, not localeCompare: the same order for these ASCII prefixes, without
  // building ICU's collator, which costs `sipbc validate` ~14 ms of start-up.)
  prefixes.sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const tooLong = (name: string) => dnsNameProblem(name);
  for (const p of prefixes) {
    const n = `${p}.${base}`;
    const problem = tooLong(n);
    if (problem) {
      out.push(ctx.finding('SIPBC-E-DNS-NAME-TOO-LONG', ['dns', 'zone'], `the generated DNS name ${n} ${problem}; use a shorter dns.zone or dns.subdomain.`));
      return out;
    }
  }
  for (let ix = 0; ix < ctx.sites.length; ix++) {
    const v = ctx.sites.v(ix);
    const i = ctx.sites.i(ix);
    const id = str(v.id);
    if (id === undefined) continue;
    for (const n of [...prefixes.map((p) => `${p}.${preferredName(base, id)}`), ...prefixes.map((p) => `${p}.${siteName(base, id)}`), siteName(base, id)]) {
      const problem = tooLong(n);
      if (problem) {
        out.push(
          ctx.finding(
            'SIPBC-E-DNS-NAME-TOO-LONG',
            ['sites', i, 'id'],
            `the generated DNS name ${n} ${problem}; use a shorter site id, dns.subdomain or dns.zone.`,
          ),
        );
        break;
      }
    }
  }
  return out;
}
