/**
 * SIPBC-W-NO-SRV-NO-VIP: a phone that does not use DNS SRV (its model cannot,
 * or it is dual on a family whose dual lines must not: Cisco MPP) finds its
 * preferred site through the `S.B` A record, which is the VIP, or only the
 * primary's address when the site has no VIP: it would never reach the backup
 * SIP Server of that pair. The preferred site is resolved as the policy does
 * (phone, else the agents at the place when they agree, else the default; auto
 * per place).
 */
import { familyOf } from '../../catalogue.js';
import type { Finding } from '../../findings.js';
import { isObject, type RuleContext, str } from '../context.js';

export function noSrvWithoutVip(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sites = ctx.serverSites;
  if (sites.length !== 2) return out;
  const noVip = new Map(sites.filter((s) => !isObject(s.sipServer.vip)).map((s) => [s.id, s]));
  if (noVip.size === 0) return out;
  const defaults = isObject(ctx.inv.defaults) ? ctx.inv.defaults : {};
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const model = str(v.model);
    const placeId = str(v.place);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    if (!fam || placeId === undefined) continue;
    const mode = str(v.registration) ?? str(defaults.registration) ?? 'active-backup';
    const dual = mode === 'dual' && fam.dualRegistration;
    if (dual ? fam.dualSrv : fam.srv) continue;
    const site = ctx.phoneSite(placeId, str(v.preferredSite));
    const s = site === undefined ? undefined : noVip.get(site);
    if (!s) continue;
    const primary = isObject(s.sipServer.primary) ? str(s.sipServer.primary.host) : undefined;
    out.push(
      ctx.finding(
        'SIPBC-W-NO-SRV-NO-VIP',
        ['phones', i, 'model'],
        `${model} (${fam.label}${dual ? ', dual' : ''}) ${dual ? 'does not use DNS SRV in dual registration' : 'cannot use DNS SRV'} and its preferred site ${s.id} has no vip: it reaches only ${s.id}'s primary server${primary ? ` ${primary}` : ''}, never its backup. Give site ${s.id} a vip, or prefer a site that has one.`,
      ),
    );
  }
  return out;
}
