/**
 * The DNS names sipbc publishes, in one place. Every other module (DNS records,
 * phone policy, Genesys options) asks here, so a phone file and the zone can
 * never disagree on a name.
 *
 *   B               = <subdomain>.<zone>
 *   S.B             site S's pair (SRV) and A/AAAA (VIP or primary)
 *   S-preferred.B   S's pair then the peer's pair (SRV): active-backup phones preferring S
 *   B               both sites, load balanced (SRV)
 */
import { isIP } from 'node:net';
import type { Inventory, Transport } from './inventory.js';

export function baseDomain(inv: Pick<Inventory, 'dns'>): string {
  const sub = inv.dns.subdomain ?? 'sip';
  const zone = inv.dns.zone.replace(/\.$/, '').toLowerCase();
  return (sub === '' ? zone : `${sub}.${zone}`).toLowerCase();
}

export function siteName(base: string, siteId: string): string {
  return `${siteId}.${base}`.toLowerCase();
}

export function preferredName(base: string, siteId: string): string {
  return `${siteId}-preferred.${base}`.toLowerCase();
}

export function balancedName(base: string): string {
  return base;
}

export function srvPrefix(transport: Transport): string {
  return transport === 'tls' ? '_sips._tcp' : `_sip._${transport}`;
}

export function defaultPort(transport: Transport): number {
  return transport === 'tls' ? 5061 : 5060;
}

/** RFC 1035 limits: each label ≤ 63 octets, the whole name ≤ 253 octets (presentation form, no trailing dot). */
export function dnsNameProblem(name: string): string | undefined {
  const n = name.replace(/\.$/, '');
  if (n.length === 0) return 'is empty';
  if (n.length > 253) return `is ${n.length} octets long (at most 253)`;
  for (const label of n.split('.')) {
    if (label.length === 0) return 'has an empty label (two dots in a row)';
    if (label.length > 63) return `has a label of ${label.length} octets ("${label.slice(0, 20)}…"; at most 63)`;
  }
  return undefined;
}

/** A host name usable as an FQDN: valid lengths and LDH labels (letters, digits, hyphen; not starting or ending with a hyphen). */
export function hostNameProblem(name: string): string | undefined {
  const p = dnsNameProblem(name);
  if (p) return p;
  const n = name.replace(/\.$/, '');
  if (!n.includes('.')) return 'is not fully qualified (it needs at least one dot)';
  for (const label of n.split('.')) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(label)) return `has an invalid label "${label}" (letters, digits and inner hyphens only)`;
  }
  return undefined;
}

/**
 * What `dns --server` (nsupdate's `server` line) may be: an IP address, or a host name of LDH
 * labels (one label allowed: `localhost`). Anything else could add commands to the script (a line
 * break) or make nsupdate read another word as the port.
 */
export function nameServerProblem(server: string): string | undefined {
  if (/^[0-9a-f:.]+$/i.test(server) && isIP(server) !== 0) return undefined;
  if (/^[0-9.]+$/.test(server)) return 'is not a valid IPv4 address';
  const p = dnsNameProblem(server);
  if (p) return p;
  for (const label of server.replace(/\.$/, '').split('.')) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(label))
      return 'is neither an IP address nor a host name (letters, digits and inner hyphens, labels separated by dots)';
  }
  return undefined;
}
