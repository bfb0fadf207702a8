/**
 * Phone rules that read the catalogue (capabilities are data):
 *   SIPBC-E-UNKNOWN-MODEL       model id not in the catalogue (did-you-mean)
 *   SIPBC-E-MAC-MALFORMED       MAC not in a common notation
 *   SIPBC-E-DUAL-UNSUPPORTED    explicit `registration: dual` on a model that cannot dual-register
 *                               (only the default asking for dual is a policy note, not a finding)
 *   SIPBC-E-TRANSPORT-UNSUPPORTED  phone.transport ?? defaults.transport not in the family's transports
 *   SIPBC-W-EXTENSION-DIFFERS   the place's Extension DNs differ per site, and the phone registers one
 *                               user name on both sites (every family and mode but a dual Snom/baresip)
 */
import { familyOf } from '../../catalogue.js';
import type { Finding } from '../../findings.js';
import { isMac } from '../../mac.js';
import { isObject, type RuleContext, str } from '../context.js';
import { didYouMean, didYouMeanText } from '../did-you-mean.js';

export function knownModels(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  let ids: string[] | undefined;
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const model = str(v.model);
    if (model === undefined || Object.hasOwn(ctx.catalogue.models, model)) continue;
    ids ??= Object.keys(ctx.catalogue.models).sort();
    const suggestion = didYouMean(model, ids);
    out.push(
      ctx.finding(
        'SIPBC-E-UNKNOWN-MODEL',
        ['phones', i, 'model'],
        `unknown phone model "${model}".${didYouMeanText(suggestion)} Run \`sipbc models\` for the list of model ids.`,
        {
          suggestion,
        },
      ),
    );
  }
  return out;
}

export function wellFormedMacs(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const mac = str(v.mac);
    if (mac === undefined || isMac(mac)) continue;
    const digits = mac.replace(/[^0-9a-f]/gi, '').length;
    const why = /[^0-9a-f:.\- ]/i.test(mac)
      ? 'it contains characters that are not hex digits or separators'
      : `it has ${digits} hex digits (a MAC has 12) or mixed separators`;
    out.push(
      ctx.finding(
        'SIPBC-E-MAC-MALFORMED',
        ['phones', i, 'mac'],
        `MAC "${mac}" is not a MAC address: ${why}. Write it as 00:15:65:12:34:ab, 00-15-65-12-34-ab, 0015.6512.34ab or 0015651234ab.`,
      ),
    );
  }
  return out;
}

export function dualRegistrationSupported(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    if (v.registration !== 'dual') continue;
    const model = str(v.model);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    if (!fam || fam.dualRegistration) continue;
    out.push(
      ctx.finding(
        'SIPBC-E-DUAL-UNSUPPORTED',
        ['phones', i, 'registration'],
        `${model} (${fam.label}) cannot dual-register; remove \`registration: dual\` or set registration: active-backup (it fails over through ${fam.activeBackup === 'srv' ? 'DNS SRV' : 'its backup proxy/registrar'}).`,
      ),
    );
  }
  return out;
}

export function transportSupported(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const defaults = isObject(ctx.inv.defaults) ? ctx.inv.defaults : {};
  const defTransport = str(defaults.transport);
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const model = str(v.model);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    if (!fam) continue;
    const own = str(v.transport);
    const t = own ?? defTransport ?? 'udp';
    if (!['udp', 'tcp', 'tls'].includes(t) || fam.transports.includes(t as never)) continue;
    const can = fam.transports.join(' or ');
    if (own !== undefined) {
      out.push(
        ctx.finding(
          'SIPBC-E-TRANSPORT-UNSUPPORTED',
          ['phones', i, 'transport'],
          `${model} (${fam.label}) cannot use ${t}; it supports ${can}: set transport to one of those.`,
        ),
      );
    } else {
      out.push(
        ctx.finding(
          'SIPBC-E-TRANSPORT-UNSUPPORTED',
          ['phones', i, 'model'],
          `${model} (${fam.label}) cannot use ${t} (defaults.transport, line ${ctx.lineOf(['defaults', 'transport'])}); it supports ${can}: give this phone \`transport: ${fam.transports[0]}\`.`,
        ),
      );
    }
  }
  return out;
}

export function extensionsDifferPerSite(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const defaults = isObject(ctx.inv.defaults) ? ctx.inv.defaults : {};
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const model = str(v.model);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    const place = ctx.place(str(v.place) ?? '');
    if (!fam || !place || !isObject(place.extensions)) continue;
    const ext = place.extensions as Record<string, unknown>;
    if (!differs(ext, ctx.siteIds)) continue;
    const numbers: string[] = []; // the distinct Extension DNs, in site order
    for (const id of ctx.siteIds) {
      const n = Object.hasOwn(ext, id) ? ext[id] : undefined;
      if (typeof n === 'string' && !numbers.includes(n)) numbers.push(n);
    }
    const mode = str(v.registration) ?? str(defaults.registration) ?? 'active-backup';
    if (mode === 'dual' && fam.dualRegistration && fam.perSiteIdentity) continue;
    out.push(
      ctx.finding(
        'SIPBC-W-EXTENSION-DIFFERS',
        ['phones', i, 'place'],
        `place ${place.id} has Extension DNs ${numbers.join(' and ')} on the two sites, but ${model} (${fam.label}${mode === 'dual' ? '' : `, ${mode}`}) registers one user name on both sites, so it cannot register on the peer site: use the same number on both sites${fam.perSiteIdentity && fam.dualRegistration ? ', or registration: dual (one identity per site)' : ''}.`,
      ),
    );
  }
  return out;
}

/** The place's Extension DNs (strings) are not all one number: checked per phone, so without a list. */
function differs(ext: Record<string, unknown>, siteIds: readonly string[]): boolean {
  let first: string | undefined;
  for (let s = 0; s < siteIds.length; s++) {
    const id = siteIds[s];
    const n = Object.hasOwn(ext, id) ? ext[id] : undefined;
    if (typeof n !== 'string') continue;
    if (first === undefined) first = n;
    else if (n !== first) return true;
  }
  return false;
}
