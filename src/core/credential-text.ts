/**
 * How messages talk about a credential without quoting it (findings end up in CI logs, SARIF
 * uploads and --json output). A finding about a password names its path and line, its length
 * class and the offending character's name — never the value, nor a part of it. Nothing here
 * masks a value by replacing it in a text: masking by string replacement leaks (a password "a"
 * turns every other "a" of the message into "***", which shows where the password is not).
 */
import type { JsonPath } from './load.js';
import { codePoint } from './render/escape.js';

/**
 * The nodes whose values are never quoted: everything under a phone's `auth` (the password, and
 * whatever was written where it belongs, e.g. `auth: s3cret`). The user, env name and file path
 * are not secret, but one rule for the subtree keeps a misplaced password from being quoted.
 */
export function isCredentialPath(path: JsonPath): boolean {
  return path.length >= 3 && path[0] === 'phones' && typeof path[1] === 'number' && path[2] === 'auth';
}

/** A length class, not the length: enough to tell "empty" or "too short" from a real password. */
export function lengthClass(length: number): string {
  if (length === 0) return 'empty';
  if (length < 8) return 'shorter than 8 characters';
  if (length < 16) return '8 to 15 characters long';
  if (length <= 64) return '16 to 64 characters long';
  return 'longer than 64 characters';
}

const NAMES: Record<string, string> = {
  ' ': 'a space',
  '!': 'an exclamation mark',
  '"': 'a double quote',
  '#': 'a number sign',
  $: 'a dollar sign',
  '%': 'a percent sign',
  '&': 'an ampersand',
  "'": 'an apostrophe',
  '(': 'an opening parenthesis',
  ')': 'a closing parenthesis',
  '*': 'an asterisk',
  '+': 'a plus sign',
  ',': 'a comma',
  '-': 'a hyphen',
  '.': 'a full stop',
  '/': 'a slash',
  ':': 'a colon',
  ';': 'a semicolon',
  '<': 'a less-than sign',
  '=': 'an equals sign',
  '>': 'a greater-than sign',
  '?': 'a question mark',
  '@': 'an at sign',
  '[': 'an opening square bracket',
  '\\': 'a backslash',
  ']': 'a closing square bracket',
  '^': 'a circumflex',
  _: 'an underscore',
  '`': 'a backtick',
  '{': 'an opening brace',
  '|': 'a vertical bar',
  '}': 'a closing brace',
  '~': 'a tilde',
  '\t': 'a tab',
  '\n': 'a line feed',
  '\r': 'a carriage return',
};

/** A character by its name and code point, never the glyph: `a semicolon (U+003B)`. */
export function charName(ch: string): string {
  const hex = codePoint(ch);
  const name = Object.hasOwn(NAMES, ch)
    ? NAMES[ch]
    : /\p{Cc}/u.test(ch)
      ? 'the control character'
      : /\p{L}/u.test(ch)
        ? 'a letter'
        : /\p{N}/u.test(ch)
          ? 'a digit'
          : 'the character';
  return `${name} (${hex})`;
}
