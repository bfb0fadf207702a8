/**
 * genesys/peers-<site>.csv: the configuration objects that must
 * exist identically on that site's SIP Server peer, one object per line:
 *
 *   object       id          dn_type                                   place       dn                 user
 *   DN           the number  Extension | ACD Queue | Call Processing Port  (Extension: its Place)
 *   Place        place id                                                          its Extension DN on this switch
 *   Agent Login  login code                                                                           User/Person reference
 *
 * The two files differ only where a place's Extension DN number differs per
 * site. Rows are in `LC_ALL=C sort` order (csv-order.ts), so a `diff` against
 * an export in the same columns shows drift between the peers.
 */
import type { Inventory, SwitchDN } from '../inventory.js';
import { SortedCsv } from './csv-order.js';

export const PEERS_HEADER = ['object', 'id', 'dn_type', 'place', 'dn', 'user'] as const;

const DN_TYPE: Record<SwitchDN['type'], string> = {
  'acd-queue': 'ACD Queue',
  'call-processing-port': 'Call Processing Port',
};

/** The rows every peer file has (switch DNs, Agent Logins), sorted: made once for all sites. */
export function peersSharedRows(inv: Inventory): string[] {
  const csv = new SortedCsv(PEERS_HEADER, (inv.switchDNs?.length ?? 0) + (inv.agents?.length ?? 0));
  for (const d of inv.switchDNs ?? []) csv.add(['DN', d.number, DN_TYPE[d.type], '', '', '']);
  for (const a of inv.agents ?? []) csv.add(['Agent Login', a.login, '', '', '', a.user]);
  return csv.rows();
}

export function peersCsv(inv: Inventory, siteId: string, shared: readonly string[] = peersSharedRows(inv)): Buffer {
  const csv = new SortedCsv(PEERS_HEADER, 2 * inv.places.length);
  for (const place of inv.places) {
    const dn = place.extensions[siteId];
    if (dn === undefined) continue;
    csv.add(['DN', dn, 'Extension', place.id, '', '']);
    csv.add(['Place', place.id, '', '', dn, '']);
  }
  csv.merge(shared);
  return csv.bytes();
}
