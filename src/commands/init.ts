/**
 * `sipbc init [FILE] [--force]`: writes the commented example inventory
 * (examples/inventory.yaml, the one source of truth) and, beside it, the editor schema
 * (sipbc-inventory.schema.json), the inventory's first line pointing at it relatively,
 * `# yaml-language-server: $schema=./sipbc-inventory.schema.json`, so the pair works wherever it
 * is copied. Refuses to overwrite an existing file unless --force (exit 2).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { writeFileAtomically } from '../cli/safe-fs.js';
import { PACKAGE_ROOT } from '../core/catalogue.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { editorSchema, planEditorSchema, writeEditorSchema } from '../cli/editor-schema-file.js';
import { EDITOR_SCHEMA_NAME } from '../core/editor-schema.js';

export const EXAMPLE_INVENTORY = join(PACKAGE_ROOT, 'examples', 'inventory.yaml');

/** The example with its schema line pointing at the editor schema beside it. */
export function exampleInventoryText(schemaPath = `./${EDITOR_SCHEMA_NAME}`): string {
  const text = readFileSync(EXAMPLE_INVENTORY, 'utf8');
  const lines = text.split('\n');
  const line = `# yaml-language-server: $schema=${schemaPath}`;
  if (lines[0].startsWith('# yaml-language-server:')) lines[0] = line;
  else lines.unshift(line);
  return lines.join('\n');
}

export default class Init extends SipbcCommand {
  static override summary = 'Write a commented example inventory that validates cleanly.';
  static override description =
    `The example describes two sites (Boston with a primary/backup pair, Denver with a VIP), twelve places, agents and one phone of every family. Its passwords are { file: secrets/<ext>.txt } references: create those files (or switch to { env: VAR }) before running generate.`;
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init site-a.yaml --force'];
  static override args = {
    file: Args.string({ required: false, default: 'inventory.yaml', description: 'file to write' }),
  };
  static override flags = {
    force: Flags.boolean({ default: false, description: `overwrite FILE if it exists, and a ${EDITOR_SCHEMA_NAME} beside it that sipbc did not write` }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    const file = args.file;
    if (file === '-') {
      process.stdout.write(exampleInventoryText());
      return;
    }
    if (existsSync(file)) {
      if (statSync(file).isDirectory()) throw new SipbcError(`${file}: is a directory`, ExitCode.USAGE, 'give a file name, e.g. sipbc init inventory.yaml');
      if (!flags.force) throw new SipbcError(`${file}: already exists; not overwritten`, ExitCode.USAGE, 'use --force to overwrite it');
    }
    if (!existsSync(dirname(file) || '.')) throw new SipbcError(`${file}: directory ${dirname(file)} does not exist`, ExitCode.USAGE);
    // What is in the way of either file is found before anything is written.
    const schemaText = editorSchema();
    const schema = planEditorSchema(dirname(file), schemaText, flags.force);
    writeFileAtomically(file, exampleInventoryText());
    if (schema.result !== 'unchanged') writeEditorSchema(schema.path, schemaText);
    this.log(`wrote ${file} (an example inventory; check it with: sipbc validate ${file})`);
    this.log(`${schema.path}: ${schema.result} (the schema your editor uses for ${basename(file)})`);
  }
}
