/**
 * genesys/dr-forward.csv: Extension DNs that need the DN-level
 * option `dr-forward = no-agent` in the `[TServer]` section of the DN's annex.
 * Genesys reserves `no-agent` for Alcatel-Lucent 4000 phones (which cannot
 * dual-register); the catalogue marks those families with `drForwardNoAgent`.
 * The place's Extension DN on every site is listed, because both SIP Server
 * peers deliver calls to it.
 *
 * Columns: site,dn,place,section,option,value
 */
import type { Inventory } from '../inventory.js';
import type { Plan } from '../policy.js';
import { SortedCsv } from './csv-order.js';

export const DR_FORWARD_HEADER = ['site', 'dn', 'place', 'section', 'option', 'value'] as const;

export function drForwardCsv(plan: Plan, _inv: Inventory): Buffer {
  const places = new Map(plan.phones.filter((p) => p.family.drForwardNoAgent).map((p) => [p.place.id, p.place]));
  const csv = new SortedCsv(DR_FORWARD_HEADER);
  for (const place of places.values()) {
    for (const site of plan.sites) {
      const dn = place.extensions[site.id];
      if (dn !== undefined) csv.add([site.id, dn, place.id, 'TServer', 'dr-forward', 'no-agent']);
    }
  }
  return csv.bytes();
}
