/**
 * The semantic rules, in the order they run. Each is a small
 * function `(ctx) => Finding[]`; findings are sorted by position afterwards,
 * so the order here only matters for readability. To add a rule: write
 * `rules/<name>.ts`, append it below, and add its code(s) to ../codes.ts.
 */
import type { Rule } from '../context.js';
import { failoverCapacity } from './capacity.js';
import { dnsZone, generatedNameLengths } from './dns-names.js';
import { dnsRecordRules } from './dns-records.js';
import { extensionNumbers, uniqueSwitchDNs } from './extension-dns.js';
import { statServerVersion } from './genesys.js';
import { naptrTransports } from './naptr-transport.js';
import { noSrvWithoutVip } from './no-srv-no-vip.js';
import { phoneResolvers } from './phone-resolvers.js';
import { dualRegistrationSupported, extensionsDifferPerSite, knownModels, transportSupported, wellFormedMacs } from './phones.js';
import { placeSiteConflicts } from './place-sites.js';
import { prototypeKeys } from './prototype-keys.js';
import { placeExtensions, placeReferences, siteReferences } from './references.js';
import { literalPasswords } from './secrets.js';
import { controlCharacters, credentialCharacters } from './text-values.js';
import { serverHostsAndAddresses, sitesDoNotShareServers } from './servers.js';
import { uniqueAgentLogins, uniquePhoneMacs, uniquePlaceIds, uniqueSiteIds } from './unique-ids.js';

export const RULES: Rule[] = [
  prototypeKeys,
  uniqueSiteIds,
  uniquePlaceIds,
  uniqueAgentLogins,
  uniquePhoneMacs,
  placeReferences,
  siteReferences,
  placeExtensions,
  uniqueSwitchDNs,
  extensionNumbers,
  knownModels,
  wellFormedMacs,
  dualRegistrationSupported,
  transportSupported,
  extensionsDifferPerSite,
  placeSiteConflicts,
  serverHostsAndAddresses,
  sitesDoNotShareServers,
  dnsZone,
  generatedNameLengths,
  dnsRecordRules,
  failoverCapacity,
  noSrvWithoutVip,
  naptrTransports,
  phoneResolvers,
  literalPasswords,
  controlCharacters,
  credentialCharacters,
  statServerVersion,
];
