/**
 * One escaping/refusal function per file format (FileSpec.format). The phone
 * renderer runs the file's function over EVERY string of the template context
 * before rendering, so a template cannot forget to escape a value.
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

/** C0 controls, DEL, C1 controls, Unicode line/paragraph separators, non-characters U+FFFE/U+FFFF, lone surrogates. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describe(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '\n') return `a line break (LF, ${hex})`;
  if (ch === '\r') return `a line break (CR, ${hex})`;
  if (ch === '\t') return `a tab (${hex})`;
  return `the control or invalid character ${hex}`;
}

function refuse(value: string, origin: ValueOrigin, format: FileFormat): void {
  const m = FORBIDDEN.exec(value);
  if (!m) return;
  throw new SipbcError(
    `${origin.subject}: ${origin.field} contains ${describe(m[0])}, which a ${format === 'xml' ? 'XML' : 'key=value'} provisioning file cannot carry`,
    ExitCode.USAGE,
    'remove it from the inventory value (or the secret it points at)',
  );
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** XML text and attribute values: escape the five special characters, refuse control characters. */
export function escapeXml(value: string, origin: ValueOrigin): string {
  refuse(value, origin, 'xml');
  return value.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

/** key=value and INI values: nothing to escape, refuse line breaks and other control characters. */
export function checkKeyValue(value: string, origin: ValueOrigin): string {
  refuse(value, origin, 'keyvalue');
  return value;
}

export const ESCAPERS: Record<FileFormat, (value: string, origin: ValueOrigin) => string> = {
  xml: escapeXml,
  keyvalue: checkKeyValue,
};

/**
 * A deep copy of a template context with every string passed through the
 * format's function. Numbers and booleans pass unchanged; `undefined`, `null`
 * and other types are refused (Handlebars strict mode does not catch a key that
 * exists with an undefined value, so the context must never carry one).
 */
export function escapeContext<T>(ctx: T, format: FileFormat, subject: string): T {
  const fn = ESCAPERS[format];
  if (!fn) throw new SipbcError(`unknown file format "${String(format)}" (known: ${Object.keys(ESCAPERS).join(', ')})`, ExitCode.USAGE);
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') return fn(v, { subject, field: path });
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.[${i}]`));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, path ? `${path}.${k}` : k);
      return out;
    }
    throw new SipbcError(`${subject}: template value ${path} is ${v === null ? 'null' : typeof v} (internal error)`, ExitCode.INTERNAL);
  };
  return walk(ctx, '') as T;
}
