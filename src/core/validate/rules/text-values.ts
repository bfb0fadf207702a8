/**
 * Text that no provisioning file can carry, reported by `validate` (so that "validate accepts ⇒
 * generate succeeds" holds; found by test/security/properties):
 *
 *   SIPBC-E-CONTROL-CHAR     any string of the inventory holding a control character (C0, DEL,
 *                            C1), a Unicode line/paragraph separator, U+FFFE/U+FFFF or a lone
 *                            surrogate — the characters render/escape.ts refuses in every format
 *                            (a line break would end a key=value line; XML 1.0 cannot carry most).
 *   SIPBC-E-CREDENTIAL-CHAR  a phone's SIP users (its place's Extension DNs, and auth.user) or
 *                            literal password holding a character its family's file syntax cannot
 *                            carry (catalogue `credentialForbiddenChars`, e.g. baresip's
 *                            `;auth_pass=` parameter: space ; , < > " \).
 *
 *   SIPBC-E-INVISIBLE-CHAR   any key or string holding an invisible format character (Unicode
 *                            category Cf: bidi overrides and isolates U+202A-U+202E, U+2066-U+2069,
 *                            zero-width U+200B-U+200D, U+FEFF, …): a reviewer reads `1001` where
 *                            the phone gets another user, or a value shown reversed.
 *
 * Messages name the character (by name and code point) and the node, never the value (it may be a password).
 */
import { familyOf } from '../../catalogue.js';
import { charName } from '../../credential-text.js';
import { describeChar, FORBIDDEN } from '../../render/escape.js';
import type { Finding } from '../../findings.js';
import type { JsonPath } from '../../load.js';
import { formatPath, isObject, type RuleContext, str } from '../context.js';
import { codePoint } from '../../render/escape.js';
import { nameChar } from '../../sip-user.js';

/** Anything but printable ASCII: the only strings worth the two regular expressions below (most are plain ASCII). */
const UNUSUAL = /[^\x20-\x7e]/;
/** Unicode format characters (Cf): invisible, and bidi controls that reorder what is shown. */
export const FORMAT_CHAR = /\p{Cf}/u;

/** A path as messages name it, with any invisible or control character of a key shown as U+XXXX. */
function visiblePath(path: readonly (string | number)[]): string {
  const text = formatPath(path);
  return UNUSUAL.test(text) ? text.replace(/[\p{Cf}\p{Cc}\u2028\u2029]/gu, (c) => `<${codePoint(c)}>`) : text;
}

export function controlCharacters(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  // Only printable ASCII in every key and string (the subset reader saw each character): nothing to find.
  if (ctx.loaded.printable) return out;
  // One mutable path (push/pop) instead of a new array per node: this visits every node of a 100 000-phone file.
  const path: (string | number)[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (!UNUSUAL.test(v)) return;
      const m = FORBIDDEN.exec(v);
      if (m) {
        out.push(
          ctx.finding('SIPBC-E-CONTROL-CHAR', path, `${visiblePath(path)} contains ${describeChar(m[0])}, which no provisioning file can carry; remove it.`),
        );
      }
      const cf = FORMAT_CHAR.exec(v);
      if (cf) out.push(invisible(path, cf[0], false));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i]);
        path.pop();
      }
      return;
    }
    const obj = v as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      path.push(k);
      // A key is shown in other findings (unknown key, paths): it must not reorder or hide text either.
      if (UNUSUAL.test(k)) {
        const cf = FORMAT_CHAR.exec(k);
        if (cf) out.push(invisible(path, cf[0], true));
      }
      visit(obj[k]);
      path.pop();
    }
  };
  const invisible = (at: (string | number)[], ch: string, key: boolean) =>
    ctx.finding(
      'SIPBC-E-INVISIBLE-CHAR',
      at,
      `${key ? 'the key of ' : ''}${visiblePath(at)} contains ${nameChar(ch)}, an invisible format character (${(ch >= '\u202a' && ch <= '\u202e') || (ch >= '\u2066' && ch <= '\u2069') || ch === '\u200e' || ch === '\u200f' || ch === '\u061c' ? 'a bidirectional control that reorders how the text is shown' : 'shown as nothing'}), so the text is not what it reads; remove it.`,
      key ? { key: true } : {},
    );
  visit(ctx.loaded.data);
  return out;
}

export function credentialCharacters(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const model = str(v.model);
    const fam = model === undefined ? undefined : familyOf(ctx.catalogue, model);
    const forbidden = fam?.credentialForbiddenChars;
    if (!fam || !forbidden || !mayCarry(v, ctx, forbidden)) continue;
    const checks: { path: JsonPath; value: string | undefined; what: string }[] = [];
    const auth = isObject(v.auth) ? v.auth : undefined;
    const user = str(auth?.user);
    if (user !== undefined) checks.push({ path: ['phones', i, 'auth', 'user'], value: user, what: 'the authentication user' });
    // The Extension DNs are the line's SIP user on each site, with or without an auth.user.
    const id = str(v.place);
    const place = id === undefined ? undefined : ctx.placeById(id);
    if (place && isObject(place.v.extensions)) {
      for (const [site, ext] of Object.entries(place.v.extensions)) {
        checks.push({
          path: ['places', place.i, 'extensions', site],
          value: str(ext),
          what: `the Extension DN (the SIP user of the ${fam.label} at this place)`,
        });
      }
    }
    checks.push({ path: ['phones', i, 'auth', 'password'], value: str(auth?.password), what: 'the password' });
    for (const c of checks) {
      if (c.value === undefined) continue;
      const bad = [...c.value].find((ch) => forbidden.includes(ch));
      if (bad === undefined) continue;
      const shown = charName(bad);
      const list = [...forbidden].map((ch) => (ch === ' ' ? 'space' : ch)).join(' ');
      out.push(
        ctx.finding(
          'SIPBC-E-CREDENTIAL-CHAR',
          c.path,
          `${formatPath(c.path)}: ${c.what} contains ${shown}, which a ${fam.label} file cannot carry (no escaping exists for it); choose a value without any of: ${list}.`,
        ),
      );
    }
  }
  return out;
}

/**
 * Whether a phone's auth.user, password or place's Extension DNs hold any code unit of `forbidden`:
 * credentialCharacters lists the values (and their paths) only then — it runs for every phone.
 */
function mayCarry(phone: { auth?: unknown; place?: unknown }, ctx: RuleContext, forbidden: string): boolean {
  const auth = isObject(phone.auth) ? phone.auth : undefined;
  if (holds(str(auth?.user), forbidden) || holds(str(auth?.password), forbidden)) return true;
  const id = str(phone.place);
  const ext = id === undefined ? undefined : ctx.place(id)?.extensions;
  if (!isObject(ext)) return false;
  // (`__proto__` read as ext[site] would be the prototype, not the value: the full check decides.)
  for (const site in ext) if (site === '__proto__' || holds(str(ext[site]), forbidden)) return true;
  return false;
}

function holds(value: string | undefined, forbidden: string): boolean {
  if (value === undefined) return false;
  for (let k = 0; k < value.length; k++) if (forbidden.includes(value[k])) return true;
  return false;
}
