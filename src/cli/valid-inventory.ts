/**
 * What the data commands (policy, simulate, dns) do first: read the
 * inventory, load the catalogue (with a user --templates catalogue), validate,
 * and refuse an invalid inventory with its errors on stderr and exit 1.
 */
import { statSync } from 'node:fs';
import { loadCatalogue, type Catalogue } from '../core/catalogue.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { countFindings, type Finding } from '../core/findings.js';
import type { Inventory } from '../core/inventory.js';
import { InventorySyntaxError, loadInventory, type LoadedInventory } from '../core/load.js';
import { validateInventory } from '../core/validate/index.js';
import { formatFinding } from './report.js';

/** A directory flag (`--templates`, `--secrets-dir`) must name a directory; `hint` says what belongs in it. */
function checkDirFlag(flag: string, dir: string | undefined, hint: string): void {
  if (dir === undefined) return;
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false; // missing, or not reachable: not a directory sipbc can use
  }
  if (!ok) throw new SipbcError(`${flag} ${dir}: not a directory`, ExitCode.USAGE, hint);
}

/** `--templates DIR` must be a directory (its templates and catalogue.json are looked up inside it). */
export function checkTemplatesDir(dir: string | undefined): void {
  checkDirFlag('--templates', dir, 'give the directory that holds <family>/… templates and an optional catalogue.json');
}

/** `--secrets-dir DIR` must be a directory: every `file:` secret must be inside it. */
export function checkSecretsDir(dir: string | undefined): void {
  checkDirFlag('--secrets-dir', dir, 'give the directory that holds the secret files (e.g. /run/secrets)');
}

export interface ValidInventory {
  loaded: LoadedInventory;
  catalogue: Catalogue;
  inventory: Inventory;
  /** Warnings only (an error stops before this is returned). */
  findings: Finding[];
}

/** @param consequence what the refusal means for this command, e.g. "nothing simulated". */
export function loadValidInventory(path: string, opts: { templates?: string; consequence?: string; logToStderr(line: string): void }): ValidInventory {
  checkTemplatesDir(opts.templates);
  let loaded: LoadedInventory;
  try {
    loaded = loadInventory(path);
  } catch (e) {
    if (e instanceof InventorySyntaxError) refuse(e.finding.file, [e.finding], opts);
    throw e;
  }
  const catalogue = loadCatalogue(opts.templates);
  const { findings, inventory } = validateInventory(loaded, catalogue);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0 || !inventory) refuse(loaded.file, errors, opts);
  return { loaded, catalogue, inventory, findings };
}

/** An invalid inventory: its errors on stderr (with --json in the error object instead), exit 1. */
function refuse(file: string, errors: Finding[], opts: { consequence?: string; logToStderr(line: string): void }): never {
  for (const f of errors) opts.logToStderr(formatFinding(f));
  const count = countFindings(errors);
  const n = `${count} error${count === 1 ? '' : 's'}`;
  throw new SipbcError(
    `${file}: the inventory is invalid (${n})${opts.consequence ? `; ${opts.consequence}` : ''}`,
    ExitCode.INVALID,
    'fix the errors above (`sipbc validate` lists every finding)',
    { findings: errors },
  );
}
