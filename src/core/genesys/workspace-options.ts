/**
 * genesys/workspace-options.csv:
 * the Workspace Desktop options for Business Continuity, one option per row
 * ("long" format: easy to filter, import and diff), for the annex of each
 * agent's User (Person), section `interaction-workspace`.
 *
 *   disaster-recovery.enabled                 true
 *   disaster-recovery.preferred-site          the agent's site name (name ?? id) — the same site as
 *                                             the phones at its place (policy.ts: agents follow phones)
 * and, for agents with `sipEndpoint: true` (Workspace SIP Endpoint):
 *   sipendpoint.sbc-register-address          S.B   (SRV: port 0, as Genesys requires with an SRV domain)
 *   sipendpoint.sbc-register-port             0
 *   sipendpoint.sbc-register-address.peer     T.B
 *   sipendpoint.sbc-register-port.peer        0
 *   sipendpoint.transport-protocol            UDP | TCP | TLS (defaults.transport): the endpoint's SRV
 *                                             lookup then asks for the prefix the zone publishes
 *
 * Columns: login,user,place,section,option,value
 */
import { siteName } from '../dns-names.js';
import type { Inventory } from '../inventory.js';
import { siteLabel, type Plan } from '../policy.js';
import { csvCell } from '../output.js';
import { SortedCsv } from './csv-order.js';

export const WORKSPACE_SECTION = 'interaction-workspace';
export const WORKSPACE_HEADER = ['login', 'user', 'place', 'section', 'option', 'value'] as const;

export function workspaceOptionsCsv(plan: Plan, inv: Inventory): Buffer {
  const sites = new Map(plan.sites.map((s) => [s.id, s]));
  const transport = (inv.defaults?.transport ?? 'udp').toUpperCase();
  let rows = 0;
  for (const a of plan.agents) rows += a.agent.sipEndpoint ? 7 : 2;
  const csv = new SortedCsv(WORKSPACE_HEADER, rows);
  // The cells an agent's rows share, quoted once per agent; the option names need no quoting.
  const section = csvCell(WORKSPACE_SECTION);
  for (const a of plan.agents) {
    const prefix = `${csvCell(a.agent.login)},${csvCell(a.agent.user)},${csvCell(a.place.id)},${section}`;
    const opt = (option: string, value: string | number) => csv.addLine([prefix, option, csvCell(value)].join(','));
    opt('disaster-recovery.enabled', 'true');
    opt('disaster-recovery.preferred-site', siteLabel(sites.get(a.site)!));
    if (a.agent.sipEndpoint) {
      opt('sipendpoint.sbc-register-address', siteName(plan.base, a.site));
      opt('sipendpoint.sbc-register-port', 0);
      opt('sipendpoint.sbc-register-address.peer', siteName(plan.base, a.peerSite));
      opt('sipendpoint.sbc-register-port.peer', 0);
      opt('sipendpoint.transport-protocol', transport);
    }
  }
  return csv.bytes();
}
