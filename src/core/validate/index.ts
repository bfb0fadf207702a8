/**
 * Validation: the JSON Schema for shape, then the semantic rules in
 * code. Reports every problem at once, each at file:line:column.
 *
 *   validateInventory(loaded, catalogue) → { findings, inventory? }
 *
 * `inventory` is set only when no finding has error severity (warnings do not
 * block; `--strict` is the caller's decision). Findings are sorted by line,
 * column, code. Throws SipbcError (exit 2) when the document is not an
 * inventory at all (empty, a bare scalar or list).
 */
import type { Catalogue } from '../catalogue.js';
import { ExitCode, SipbcError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { Inventory } from '../inventory.js';
import { looksLikeJson, type LoadedInventory } from '../load.js';
import { codePoint } from '../render/escape.js';
import { isObject, RuleContext } from './context.js';
import { RULES } from './rules/index.js';
import { schemaFindings } from './schema.js';
import { secretFileFindings } from '../secrets.js';

export { RULE_CODES, ruleInfo, type RuleCode } from './codes.js';
export type { Rule } from './context.js';
export { INVENTORY_SCHEMA_PATH, CATALOGUE_SCHEMA_PATH, schemaValidator } from './schema.js';

export interface ValidateOptions {
  /** Also check the `file:` secrets (sipbc validate): confined to `secretsDir` (default: the inventory's directory), regular, small, one line. */
  secretFiles?: { secretsDir?: string };
}

export function validateInventory(loaded: LoadedInventory, catalogue: Catalogue, opts: ValidateOptions = {}): { findings: Finding[]; inventory?: Inventory } {
  const data = loaded.data;
  if (!isObject(data)) {
    const json = looksLikeJson(loaded.file, loaded.text);
    const what = data === undefined || data === null ? 'empty' : Array.isArray(data) ? (json ? 'an array' : 'a list') : `a single ${typeof data} value`;
    throw new SipbcError(
      `${loaded.file}: not an inventory: the document is ${what}; an inventory is ${json ? 'a JSON object' : 'a YAML mapping'} with version, dns, sites and places`,
      ExitCode.USAGE,
      'run `sipbc init` for a commented example',
    );
  }
  const ctx = new RuleContext(loaded, catalogue);
  const findings = schemaFindings(loaded, catalogue, ctx);
  const shapeOk = findings.length === 0;
  ctx.shapeValid = shapeOk;
  for (const rule of RULES) {
    try {
      for (const f of rule(ctx)) findings.push(f); // no spread: a rule may return 100 000 findings
    } catch (e) {
      // Rules read schema-invalid data defensively; a throw on valid data is a bug.
      if (shapeOk) throw e;
    }
  }
  if (opts.secretFiles) for (const f of secretFileFindings(loaded, opts.secretFiles)) findings.push(f);
  const unique = dedupe(findings);
  unique.sort((a, b) => a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : 1));
  const blocked = unique.some((f) => f.severity === 'error');
  const listed = capFindings(unique);
  return blocked ? { findings: listed } : { findings: listed, inventory: data as unknown as Inventory };
}

/** At most this many findings of one rule code are listed per file, and this many in all. */
export const MAX_FINDINGS_PER_RULE = 100;
export const MAX_FINDINGS_PER_FILE = 1000;

/**
 * The first MAX_FINDINGS_PER_RULE findings of each code (in file order) and MAX_FINDINGS_PER_FILE
 * in all; the rest of each code become one "and N more" finding at the first one left out, after
 * the listed ones. 40 000 unknown keys, or a few aliases repeating one, are 40 000 lines nobody reads
 * (78 MB of output once); the first hundred say what to fix.
 */
export function capFindings(sorted: Finding[]): Finding[] {
  if (sorted.length <= MAX_FINDINGS_PER_RULE) return sorted.map(boundFinding);
  const perCode = new Map<string, number>();
  const left = new Map<string, { first: Finding; n: number }>();
  const out: Finding[] = [];
  for (const f of sorted) {
    const n = perCode.get(f.code) ?? 0;
    if (n < MAX_FINDINGS_PER_RULE && out.length < MAX_FINDINGS_PER_FILE) {
      perCode.set(f.code, n + 1);
      out.push(boundFinding(f));
      continue;
    }
    const l = left.get(f.code);
    if (l) l.n += f.more ?? 1;
    else left.set(f.code, { first: f, n: f.more ?? 1 });
  }
  for (const [code, { first, n }] of left) {
    const listed = perCode.get(code) ?? 0;
    const why =
      listed >= MAX_FINDINGS_PER_RULE
        ? `the first ${MAX_FINDINGS_PER_RULE} of a rule are listed`
        : `at most ${MAX_FINDINGS_PER_FILE} findings of a file are listed`;
    out.push({
      code,
      severity: first.severity,
      message: `and ${n} more ${code} finding${n === 1 ? '' : 's'} from here on, not listed (${why}); fix those above and validate again.`,
      file: first.file,
      path: boundFinding(first).path,
      line: first.line,
      column: first.column,
      more: n,
    });
  }
  return out;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    const k = `${f.code}\u0000${f.line}\u0000${f.column}\u0000${f.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(f);
  }
  return out;
}

/**
 * What a message must not print as it is: control characters (an ESC starts a terminal escape
 * sequence, a CR rewrites the line), line separators, Unicode format characters (bidi overrides
 * reorder the line), lone surrogates. A message quoting such a value shows `<U+001B>` instead.
 */
const UNSAFE = '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\p{Cf}]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE_CHAR = new RegExp(UNSAFE, 'u');
const UNSAFE_CHARS = new RegExp(UNSAFE, 'gu');

/** The longest message, path key and suggestion a finding carries (longer: cut, saying how long it was). */
export const MAX_MESSAGE_LENGTH = 2000;
const MAX_PATH_KEY_LENGTH = 200;

/** `text` cut to `max` characters (never inside a surrogate pair) with a note of its length. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}… (cut: ${text.length} characters)`;
}

/**
 * A finding whose message, path keys and suggestion are bounded: a value or key quoted in a
 * finding can be megabytes, and YAML aliases can repeat one in every finding of a rule (100 x 1 MB
 * of output from 1 MB of input).
 */
function boundFinding(f: Finding): Finding {
  const longKey = f.path.some((k) => typeof k === 'string' && k.length > MAX_PATH_KEY_LENGTH);
  const unsafe = UNSAFE_CHAR.test(f.message);
  if (f.message.length <= MAX_MESSAGE_LENGTH && !longKey && !unsafe && (f.suggestion === undefined || f.suggestion.length <= MAX_PATH_KEY_LENGTH)) return f;
  const message = cut(f.message, MAX_MESSAGE_LENGTH);
  const out: Finding = { ...f, message: unsafe ? message.replace(UNSAFE_CHARS, (c) => `<${codePoint(c)}>`) : message };
  if (longKey) out.path = f.path.map((k) => (typeof k === 'string' ? cut(k, MAX_PATH_KEY_LENGTH) : k));
  if (f.suggestion !== undefined) out.suggestion = cut(f.suggestion, MAX_PATH_KEY_LENGTH);
  return out;
}
