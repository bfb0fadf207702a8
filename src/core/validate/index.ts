/**
 * Validation (SPEC §4): the JSON Schema for shape, then the semantic rules in
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
import type { LoadedInventory } from '../load.js';
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
    const what = data === undefined || data === null ? 'empty' : Array.isArray(data) ? 'a list' : `a single ${typeof data} value`;
    throw new SipbcError(
      `${loaded.file}: not an inventory: the document is ${what}; an inventory is a YAML/JSON mapping with version, dns, sites and places`,
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
  return blocked ? { findings: unique } : { findings: unique, inventory: data as unknown as Inventory };
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
