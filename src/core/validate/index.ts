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
import type { Rule } from './context.js';
import { GUARD_RULES, RULES } from './rules/index.js';
import { schemaFindings } from './schema.js';

export { RULE_CODES, ruleInfo, type RuleCode } from './codes.js';
export type { Rule } from './context.js';
export { INVENTORY_SCHEMA_PATH, CATALOGUE_SCHEMA_PATH, schemaValidator } from './schema.js';

export interface ValidationResult {
  findings: Finding[];
  inventory?: Inventory;
}

export function validateInventory(loaded: LoadedInventory, catalogue: Catalogue): ValidationResult {
  return new Validation(loaded, catalogue).finish();
}

/**
 * validateInventory in steps, for a caller with idle time to fill (generate at scale, issue 7):
 * the constructor runs the schema and GUARD_RULES (what any later code relies on), step() runs
 * one more semantic rule, finish() runs what is left and returns what validateInventory returns
 * (the same findings whatever the steps were; finish() again returns the same result).
 * `shapeOk`: the schema found no problem, so the inventory has the types of inventory.ts — the
 * only thing code running before finish() may assume.
 */
export class Validation {
  readonly shapeOk: boolean;
  /** Released by finish(): it holds the whole parsed inventory. */
  private ctx?: RuleContext;
  private findings: Finding[];
  private next = 0;
  private result?: ValidationResult;

  constructor(loaded: LoadedInventory, catalogue: Catalogue) {
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
    this.ctx = ctx;
    this.findings = schemaFindings(loaded, catalogue, ctx);
    this.shapeOk = this.findings.length === 0;
    ctx.shapeValid = this.shapeOk;
    for (const rule of GUARD_RULES) this.run(rule, ctx);
  }

  private run(rule: Rule, ctx: RuleContext): void {
    try {
      for (const f of rule(ctx)) this.findings.push(f); // no spread: a rule may return 100 000 findings
    } catch (e) {
      // Rules read schema-invalid data defensively; a throw on valid data is a bug.
      if (this.shapeOk) throw e;
    }
  }

  /** Runs the next rule; false when none was left. */
  step(): boolean {
    const ctx = this.ctx;
    if (!ctx || this.next >= RULES.length) return false;
    this.run(RULES[this.next++], ctx);
    return true;
  }

  /** Every finding, deduplicated and sorted by line, column, code; `inventory` when none is an error. */
  finish(): ValidationResult {
    if (this.result) return this.result;
    while (this.step());
    const data = this.ctx!.loaded.data;
    this.ctx = undefined;
    const unique = dedupe(this.findings);
    this.findings = [];
    unique.sort((a, b) => a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : 1));
    const blocked = unique.some((f) => f.severity === 'error');
    this.result = blocked ? { findings: unique } : { findings: unique, inventory: data as unknown as Inventory };
    return this.result;
  }
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
