/**
 * Writing the editor schema beside an inventory (`sipbc schema --write DIR`, `sipbc init`):
 * DIR/sipbc-inventory.schema.json, a fixed name (nothing from an inventory goes into the path).
 * A file sipbc wrote there before (its `$id` is the editor schema's) is replaced: regenerating is
 * the point. Anything else there (another file, a symbolic link) is kept unless `force`; a link
 * is then replaced itself, never written through. Written to a temporary name and renamed.
 */
import { lstatSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EDITOR_SCHEMA_ID, EDITOR_SCHEMA_NAME, editorSchemaText } from '../core/editor-schema.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { loadCatalogue } from '../core/catalogue.js';
import { INVENTORY_SCHEMA_PATH } from '../core/validate/index.js';
import { writeFileAtomically } from './safe-fs.js';

/** The editor schema for the shipped catalogue, plus the models of `templates/catalogue.json` when given. */
export function editorSchema(templates?: string): string {
  return editorSchemaText(readFileSync(INVENTORY_SCHEMA_PATH, 'utf8'), loadCatalogue(templates));
}

export type SchemaWrite = 'created' | 'updated' | 'unchanged';

/** What writing `text` to DIR's schema file would do; throws (exit 2) when DIR or what is there forbids it. */
export function planEditorSchema(dir: string, text: string, force: boolean): { path: string; result: SchemaWrite } {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new SipbcError(`${dir}: not a directory`, ExitCode.USAGE, 'give the directory that holds the inventory');
  const path = join(dir, EDITOR_SCHEMA_NAME);
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return { path, result: 'created' };
  if (st.isDirectory()) throw new SipbcError(`${path}: is a directory`, ExitCode.USAGE, `remove it, or give another directory`);
  if (st.isFile()) {
    const old = readFileSync(path, 'utf8');
    if (old === text) return { path, result: 'unchanged' };
    if (force || isEditorSchema(old)) return { path, result: 'updated' };
  } else if (force) {
    return { path, result: 'updated' };
  }
  throw new SipbcError(`${path}: exists and is not a schema sipbc wrote; not overwritten`, ExitCode.USAGE, 'use --force to replace it');
}

/** Writes `text` as planned by planEditorSchema (a link there is replaced by the rename, never written through). */
export function writeEditorSchema(path: string, text: string): void {
  writeFileAtomically(path, text);
}

function isEditorSchema(text: string): boolean {
  try {
    return (JSON.parse(text) as { $id?: unknown }).$id === EDITOR_SCHEMA_ID;
  } catch {
    return false;
  }
}
