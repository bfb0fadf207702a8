/**
 * One escaping/refusal function per file format (FileSpec.format). The phone
 * renderer runs the file's function over EVERY string of the template context
 * before rendering (escapeInPlace), so a template cannot forget to escape a value.
 *
 *   xml       escape & < > " ' (valid in text and in attributes, single or
 *             double quoted); refuse control characters (XML 1.0 cannot carry
 *             most of them, and a line break in an attribute would be silently
 *             normalised to a space by the phone's parser).
 *   keyvalue  key=value / INI / Yealink / baresip lines: there is no escaping
 *             syntax, so refuse anything that would end the line or confuse the
 *             parser (CR, LF and every other control character).
 *
 * Errors name the phone and the context field, never the value (it may be a
 * password).
 */
import { ExitCode, SipbcError } from '../errors.js';
import type { FileSpec } from '../catalogue.js';

export type FileFormat = FileSpec['format'];

/** Where a value comes from, for the error message. */
export interface ValueOrigin {
  /** e.g. `phone 0015651234ab (yealink-t54w)` or `common file phones/alcatel/lanpbx.cfg`. */
  subject: string;
  /** Dotted context path, e.g. `line.password`. */
  field: string;
}

/**
 * C0 controls, DEL, C1 controls, Unicode line/paragraph separators, non-characters U+FFFE/U+FFFF,
 * lone surrogates: what no provisioning file can carry. Validation (SIPBC-E-CONTROL-CHAR) and the
 * banner's file name use the same set.
 */
export const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How a message names a FORBIDDEN character: `a line break (LF, U+000A)`. */
/** A character's code point as messages write it: `U+202E`. */
export function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function describeChar(ch: string): string {
  const hex = codePoint(ch);
  if (ch === '\n') return `a line break (LF, ${hex})`;
  if (ch === '\r') return `a line break (CR, ${hex})`;
  if (ch === '\t') return `a tab (${hex})`;
  return `the control or invalid character ${hex}`;
}

/** FORBIDDEN without its look-arounds, any surrogate at all: twice as fast, and nearly every value has none of these. */
const MAYBE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff\ufffe\uffff]/;

/** The first character no provisioning file can carry, or undefined (checked before any escaping). */
function forbiddenChar(value: string): string | undefined {
  return MAYBE_FORBIDDEN.test(value) ? FORBIDDEN.exec(value)?.[0] : undefined;
}

function refusal(ch: string, origin: ValueOrigin, format: FileFormat): SipbcError {
  return new SipbcError(
    `${origin.subject}: ${origin.field} contains ${describeChar(ch)}, which a ${format === 'xml' ? 'XML' : 'key=value'} provisioning file cannot carry`,
    ExitCode.USAGE,
    'remove it from the inventory value (or the secret it points at)',
  );
}

const XML_SPECIAL = /[&<>"']/;
const XML_SPECIALS = /[&<>"']/g;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** What each format does to a value it can carry (the value is already checked). */
const TRANSFORMS: Record<FileFormat, (value: string) => string> = {
  // Most values have no special character: test first, replace only when needed.
  xml: (value) => (XML_SPECIAL.test(value) ? value.replace(XML_SPECIALS, (c) => XML_ENTITIES[c]) : value),
  keyvalue: (value) => value,
};

function escapeAs(format: FileFormat, value: string, origin: ValueOrigin): string {
  const bad = forbiddenChar(value);
  if (bad !== undefined) throw refusal(bad, origin, format);
  return TRANSFORMS[format](value);
}

/** XML text and attribute values: escape the five special characters, refuse control characters. */
export function escapeXml(value: string, origin: ValueOrigin): string {
  return escapeAs('xml', value, origin);
}

/** key=value and INI values: nothing to escape, refuse line breaks and other control characters. */
export function checkKeyValue(value: string, origin: ValueOrigin): string {
  return escapeAs('keyvalue', value, origin);
}

export const ESCAPERS: Record<FileFormat, (value: string, origin: ValueOrigin) => string> = {
  xml: escapeXml,
  keyvalue: checkKeyValue,
};

/** A context path as error messages name it: `line.server1.host`, `list.[0]`. */
function fieldText(path: readonly (string | number)[]): string {
  let s = '';
  for (const k of path) s = typeof k === 'number' ? `${s}.[${k}]` : s ? `${s}.${k}` : k;
  return s;
}

/**
 * Every string of a template context, checked and escaped for the format IN PLACE; returns the
 * context. Numbers and booleans pass unchanged; `undefined`, `null` and other types are refused
 * (Handlebars strict mode does not catch a key that exists with an undefined value, so the context
 * must never carry one). The context must be built for this one call, as a tree: an object it
 * reaches twice, or shares with anything else, would be escaped twice. In place rather than a
 * copy: this runs once per phone and format (100 000 phones: the copies were most of the render's
 * garbage).
 */
export function escapeInPlace<T extends object>(ctx: T, format: FileFormat, subject: string): T {
  if (!Object.hasOwn(TRANSFORMS, format)) {
    throw new SipbcError(`unknown file format "${String(format)}" (known: ${Object.keys(ESCAPERS).join(', ')})`, ExitCode.USAGE);
  }
  const transform = TRANSFORMS[format];
  // One mutable path (push/pop), turned into text only for an error.
  const path: (string | number)[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const bad = forbiddenChar(v);
      if (bad !== undefined) throw refusal(bad, { subject, field: fieldText(path) }, format);
      return transform(v);
    }
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        v[i] = walk(v[i]);
        path.pop();
      }
      return v;
    }
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // for-in, not Object.keys: no array per object (a context is plain objects, without inherited enumerable keys).
      for (const k in o) {
        if (!Object.hasOwn(o, k)) continue;
        path.push(k);
        const x = o[k];
        const escaped = walk(x);
        if (escaped !== x) o[k] = escaped;
        path.pop();
      }
      return o;
    }
    throw new SipbcError(`${subject}: template value ${fieldText(path)} is ${v === null ? 'null' : typeof v} (internal error)`, ExitCode.INTERNAL);
  };
  return walk(ctx) as T;
}
