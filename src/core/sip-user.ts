/**
 * The SIP users sipbc writes (Extension DNs, switch DNs, auth.user): what both a SIP URI's user
 * part and every target file carry unchanged. RFC 3261 §25.1:
 *
 *   user = 1*( unreserved / escaped / user-unreserved )
 *   unreserved = alphanum / "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
 *   user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
 *
 * Kept: alphanum, the marks, and "+" (E.164). Left out: escaped ("%41": some phones decode it and
 * others send it as is, so the two sites would see different users) and & = $ , ; ? / — each is a
 * separator somewhere a user lands: `;`, `,` and `=` in baresip's account line (`;auth_user=`),
 * `?` and `;` end the user part in common URI parsers, `&` `=` `$` `/` in URL-style and
 * key=value configuration values. 64 characters: more than any dial plan needs, short enough for
 * every phone's user field.
 */
import { codePoint } from './render/escape.js';

export const SIP_USER_PATTERN = "^[A-Za-z0-9._~!*'()+-]+$";
export const SIP_USER_MAX_LENGTH = 64;
/** The set as messages and the README state it. */
export const SIP_USER_CHARS = "letters A-Z a-z, digits and - _ . ! ~ * ' ( ) +";

const ALLOWED = /[A-Za-z0-9._~!*'()+-]/;

/** The first character of `value` outside the set (a whole code point), or undefined. */
export function firstNonSipUserChar(value: string): string | undefined {
  for (const ch of value) if (!ALLOWED.test(ch)) return ch;
  return undefined;
}

/** How a message names a character without printing an invisible or control one: `"@"`, `a space`, `U+202E`. */
export function nameChar(ch: string): string {
  if (ch === ' ') return 'a space';
  const cp = ch.codePointAt(0)!;
  if (cp > 0x20 && cp < 0x7f) return `"${ch}"`;
  const hex = codePoint(ch);
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) ? `"${ch}" (${hex})` : `the character ${hex}`;
}
