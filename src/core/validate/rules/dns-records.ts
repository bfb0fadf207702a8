/**
 * The DNS records sipbc will publish, checked as records (src/core/dns/records.ts):
 *   SIPBC-E-DNS-TARGET-NO-ADDRESS     an SRV target inside the zone with no address in the inventory:
 *                                     the fragment would point phones at a name without A/AAAA
 *   SIPBC-W-DNS-TARGET-OUTSIDE-ZONE   an SRV target outside the zone: sipbc cannot publish or check it
 *   SIPBC-W-DNS-SITE-NO-ADDRESS       neither VIP nor primary has an address: no S.B A/AAAA record
 * plus the record-level rules (SRV ranges, TTL, IP as target, ...) that the schema and the server
 * rules normally catch first. Runs only on an inventory whose shape lets the records be built.
 */
import { dnsProblems } from '../../dns/index.js';
import type { Finding } from '../../findings.js';
import type { Inventory } from '../../inventory.js';
import { isObject, type RuleContext } from '../context.js';

/** Codes already reported by other rules for the same inventory nodes (servers.ts, dns-names.ts). */
const REPORTED_ELSEWHERE = new Set(['SIPBC-E-DNS-NAME-TOO-LONG', 'SIPBC-E-DNS-SRV-TARGET-NAME', 'SIPBC-E-DNS-ADDRESS']);

function buildable(inv: Inventory): boolean {
  if (!isObject(inv.dns) || typeof inv.dns.zone !== 'string') return false;
  if (!Array.isArray(inv.sites) || inv.sites.length === 0) return false;
  return inv.sites.every(
    (s) =>
      isObject(s) && typeof s.id === 'string' && isObject(s.sipServer) && Object.values(s.sipServer).every((e) => isObject(e) && typeof e.host === 'string'),
  );
}

export function dnsRecordRules(ctx: RuleContext): Finding[] {
  if (!buildable(ctx.inv)) return [];
  return dnsProblems(ctx.inv)
    .filter((p) => !REPORTED_ELSEWHERE.has(p.code))
    .map((p) => ctx.finding(p.code, p.path, p.message, { severity: p.severity }));
}
