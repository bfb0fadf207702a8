/**
 * Every validation rule code, in one table. Codes are stable public
 * interface (CI pipelines filter on them): never rename one, only add.
 *
 * Scheme: `SIPBC-<E|W>-<WHAT>` — E = error, W = warning (the default
 * severity; `--strict` fails on warnings too).
 *
 * Adding a rule: write `rules/<name>.ts`, append it to `rules/index.ts`, add
 * its code(s) here (the SARIF output and the table in docs/guide.md read this).
 */
import type { Severity } from '../findings.js';

export interface RuleCodeInfo {
  severity: Severity;
  /** One line: what the rule checks (SARIF rule description). */
  summary: string;
}

export const RULE_CODES = {
  // Syntax (src/core/load.ts): the file is not readable as YAML or JSON at all
  'SIPBC-E-SYNTAX': {
    severity: 'error',
    summary: 'The file is not valid YAML or JSON (the position of the first syntax error): nothing else in it is checked.',
  },
  // Shape (JSON Schema, schemas/inventory.schema.json)
  'SIPBC-E-UNKNOWN-KEY': { severity: 'error', summary: 'A key the inventory format does not know (typo?).' },
  'SIPBC-E-MISSING-KEY': { severity: 'error', summary: 'A required key is missing.' },
  'SIPBC-E-TYPE': { severity: 'error', summary: 'A value has the wrong type (e.g. a list where a mapping is expected).' },
  'SIPBC-E-QUOTE-VALUE': {
    severity: 'error',
    summary: 'YAML read a number/boolean where a string is required (an unquoted MAC loses its leading zeros): quote it.',
  },
  'SIPBC-E-VALUE': { severity: 'error', summary: 'A value outside what the format allows (enum, pattern, range).' },
  'SIPBC-E-SITE-COUNT': { severity: 'error', summary: 'There must be exactly two sites.' },
  'SIPBC-E-SERVER-SHAPE': { severity: 'error', summary: 'A sipServer must have either vip, or primary and backup.' },
  'SIPBC-E-PORT': { severity: 'error', summary: 'A port outside 1-65535.' },
  'SIPBC-E-PROTO-KEY': { severity: 'error', summary: 'A key named __proto__, constructor or prototype (refused everywhere).' },
  // Identity and references
  'SIPBC-E-DUP-SITE': { severity: 'error', summary: 'Two sites with the same id.' },
  'SIPBC-E-DUP-PLACE': { severity: 'error', summary: 'Two places with the same id.' },
  'SIPBC-E-DUP-LOGIN': { severity: 'error', summary: 'Two agents with the same Agent Login.' },
  'SIPBC-E-DUP-MAC': { severity: 'error', summary: 'Two phones with the same MAC address (after normalisation).' },
  'SIPBC-E-UNKNOWN-PLACE': { severity: 'error', summary: 'An agent or phone names a place that does not exist.' },
  'SIPBC-E-UNKNOWN-SITE': { severity: 'error', summary: 'A preferredSite that is neither a site id nor auto.' },
  'SIPBC-E-PLACE-EXTENSIONS': { severity: 'error', summary: "A place's extensions are not keyed by exactly the two site ids." },
  // Directory numbers
  'SIPBC-E-DUP-EXTENSION': { severity: 'error', summary: 'An Extension DN used by more than one place on the same site.' },
  'SIPBC-E-EXTENSION-IS-SWITCH-DN': { severity: 'error', summary: 'An Extension DN that is also an ACD Queue or Call Processing Port DN.' },
  'SIPBC-E-DUP-SWITCH-DN': { severity: 'error', summary: 'The same switch DN number listed twice.' },
  // Phones
  'SIPBC-E-UNKNOWN-MODEL': { severity: 'error', summary: 'A phone model id that is not in the catalogue (`sipbc models`).' },
  'SIPBC-E-MAC-MALFORMED': { severity: 'error', summary: 'A MAC address that is not 12 hex digits in a common notation.' },
  'SIPBC-E-DUAL-UNSUPPORTED': { severity: 'error', summary: 'registration: dual on a phone whose model cannot dual-register.' },
  'SIPBC-E-TRANSPORT-UNSUPPORTED': { severity: 'error', summary: 'A transport the phone model cannot use (e.g. TLS on Alcatel-Lucent 4000).' },
  'SIPBC-W-EXTENSION-DIFFERS': {
    severity: 'warning',
    summary: "A phone registers one user name on both sites but its place's Extension DNs differ per site: it cannot register on the peer site.",
  },
  'SIPBC-E-PLACE-SITE-CONFLICT': { severity: 'error', summary: 'Agents at one place prefer different sites and no phone there says which.' },
  'SIPBC-W-PHONE-DNS-RESOLVER': {
    severity: 'warning',
    summary: 'A phone family that carries its own DNS server (Alcatel-Lucent 4000) is used but dns.resolvers is not given.',
  },
  'SIPBC-E-DNS-RESOLVER': { severity: 'error', summary: 'A dns.resolvers entry that is not an IP address.' },
  'SIPBC-E-NAPTR-TRANSPORT': {
    severity: 'error',
    summary: 'Phones that take their transport from NAPTR (Yealink, Poly) resolve one name but ask for different transports.',
  },
  'SIPBC-W-NO-SRV-NO-VIP': {
    severity: 'warning',
    summary: 'A phone that cannot use DNS SRV prefers a site without a VIP: it reaches only the primary server.',
  },
  'SIPBC-E-NO-CREDENTIALS': {
    severity: 'error',
    summary: 'A phone without auth.password (it would get an empty password): give it one, or write auth: none for a phone that registers without credentials.',
  },
  'SIPBC-W-LITERAL-PASSWORD': { severity: 'warning', summary: 'A password written in the inventory (use { env } or { file }).' },
  'SIPBC-E-CONTROL-CHAR': {
    severity: 'error',
    summary: 'A value holding a control character, line separator or lone surrogate: no provisioning file can carry it.',
  },
  'SIPBC-E-CREDENTIAL-CHAR': {
    severity: 'error',
    summary: 'A SIP user or literal password holding a character the phone family\'s file syntax cannot carry (e.g. baresip: space ; , < > " \\).',
  },
  'SIPBC-E-SIP-USER': {
    severity: 'error',
    summary:
      "An Extension DN, switch DN or auth.user longer than 64 characters or holding a character outside letters, digits and - _ . ! ~ * ' ( ) + (what a SIP URI's user part and every target file carry).",
  },
  'SIPBC-E-INVISIBLE-CHAR': {
    severity: 'error',
    summary:
      'A key or value holding an invisible format character (Unicode Cf: bidi overrides such as U+202E, zero-width U+200B, U+2066-U+2069, …) that makes text read differently from what it is.',
  },
  // Servers and DNS
  'SIPBC-E-HOST-NAME': { severity: 'error', summary: 'A server host that is not a valid fully qualified domain name.' },
  'SIPBC-E-ADDRESS': {
    severity: 'error',
    summary: 'A server address that is not a valid unicast IPv4 or IPv6 address (no zone id, unspecified, broadcast, multicast or IPv6 link-local address).',
  },
  'SIPBC-E-SHARED-SERVER': { severity: 'error', summary: 'The two sites share a server host or address.' },
  'SIPBC-E-DNS-ZONE': { severity: 'error', summary: 'dns.zone or dns.subdomain is not a valid DNS name.' },
  'SIPBC-E-DNS-NAME-TOO-LONG': { severity: 'error', summary: 'A generated DNS name exceeds 253 octets or a label exceeds 63.' },
  // DNS records (src/core/dns/records.ts, rules/dns-records.ts)
  'SIPBC-E-DNS-TARGET-NO-ADDRESS': { severity: 'error', summary: 'An SRV target inside the zone has no address in the inventory, so no A/AAAA record.' },
  'SIPBC-W-DNS-TARGET-OUTSIDE-ZONE': {
    severity: 'warning',
    summary: 'An SRV target outside the zone: its A/AAAA records cannot be published or checked by sipbc.',
  },
  'SIPBC-W-DNS-SITE-NO-ADDRESS': {
    severity: 'warning',
    summary: 'Neither the VIP nor the primary of a site has an address: no S.B A/AAAA record for phones that do not use SRV.',
  },
  'SIPBC-E-DNS-SRV-TARGET-IP': { severity: 'error', summary: 'A server host written as an IP address: an SRV target must be a host name.' },
  'SIPBC-E-DNS-SRV-RANGE': { severity: 'error', summary: 'An SRV priority, weight or port outside 0-65535.' },
  'SIPBC-E-DNS-TTL': { severity: 'error', summary: 'A TTL that is not an integer from 0 to 2147483647.' },
  'SIPBC-E-DNS-RRSET-TTL': { severity: 'error', summary: 'Records of one RRset with different TTLs.' },
  'SIPBC-E-DNS-DUPLICATE': { severity: 'error', summary: 'The same DNS record twice.' },
  'SIPBC-E-DNS-OUT-OF-ZONE': { severity: 'error', summary: 'A record owner outside dns.zone.' },
  'SIPBC-E-DNS-SRV-TARGET-NAME': { severity: 'error', summary: 'An SRV target that is not a valid host name.' },
  'SIPBC-E-DNS-ADDRESS': { severity: 'error', summary: 'An A/AAAA record whose address is not of its family.' },
  // Capacity and Genesys
  'SIPBC-W-CAPACITY': { severity: 'warning', summary: 'If the other site fails, this site cannot carry every agent.' },
  'SIPBC-E-STAT-SERVER-VERSION': { severity: 'error', summary: 'Stat Server older than 8.1.2 (Business Continuity needs 8.1.2 or later).' },
  // generate only (src/core/generate.ts, src/core/secrets.ts)
  'SIPBC-E-DNS-CROSS-CHECK': {
    severity: 'error',
    summary: 'A phone file would point at a DNS name the generated records do not have (SRV for port 0, A/AAAA for an explicit port): generate writes nothing.',
  },
  'SIPBC-E-SECRET-MISSING': { severity: 'error', summary: 'A password reference (env variable or file) cannot be read, or is empty: generate writes nothing.' },
  // secret files, checked by validate and generate (src/core/secrets.ts)
  'SIPBC-E-SECRET-FILE': {
    severity: 'error',
    summary:
      "A file: secret outside the secrets directory (the inventory's, or --secrets-dir), not a regular file, over 4 KiB, not UTF-8, or holding a line break (other than one at the end) or a control character.",
  },
} as const satisfies Record<string, RuleCodeInfo>;

export type RuleCode = keyof typeof RULE_CODES;

/** Info for a code (also codes added by other modules later: unknown ones default to error). */
export function ruleInfo(code: string): RuleCodeInfo {
  return (RULE_CODES as Record<string, RuleCodeInfo>)[code] ?? { severity: code.includes('-W-') ? 'warning' : 'error', summary: code };
}
