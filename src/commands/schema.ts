/**
 * `sipbc schema`: the editor schema (src/core/editor-schema.ts): the inventory JSON Schema with
 * the model ids as an enum, printed, or written beside an inventory with `--write DIR`.
 */
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { editorSchema, planEditorSchema, writeEditorSchema } from '../cli/editor-schema-file.js';
import { templatesFlag } from '../cli/flags.js';
import { checkTemplatesDir } from '../cli/valid-inventory.js';
import { PACKAGE_ROOT } from '../core/catalogue.js';
import { EDITOR_SCHEMA_NAME } from '../core/editor-schema.js';

export default class Schema extends SipbcCommand {
  static override summary = 'Print the inventory JSON Schema for editors, or write it beside an inventory.';
  static override description =
    `The schema lists every model id, so an editor with a YAML language server completes and checks "model:". An inventory's first line "# yaml-language-server: $schema=./${EDITOR_SCHEMA_NAME}" (sipbc init writes it) finds the file written by --write in the inventory's directory.`;
  static override examples = [
    '<%= config.bin %> schema --write .            # ./sipbc-inventory.schema.json, beside inventory.yaml',
    '<%= config.bin %> schema --templates my-templates/ --write .   # with the models of your own catalogue',
    '<%= config.bin %> schema > inventory.schema.json',
    '<%= config.bin %> schema --path               # the schema shipped in the package',
  ];
  static override flags = {
    write: Flags.directory({
      helpValue: '<dir>',
      description: `write DIR/${EDITOR_SCHEMA_NAME} instead of printing (replaces one sipbc wrote; keeps any other file unless --force)`,
    }),
    templates: templatesFlag('directory with a catalogue.json whose models are added to the list'),
    force: Flags.boolean({ dependsOn: ['write'], description: `with --write: replace DIR/${EDITOR_SCHEMA_NAME} even when sipbc did not write it` }),
    path: Flags.boolean({
      exclusive: ['write', 'templates'],
      description: 'print the absolute path of the schema shipped in the package instead of its content',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Schema);
    if (flags.path) return this.writeOut(`${join(PACKAGE_ROOT, 'schemas', EDITOR_SCHEMA_NAME)}\n`);
    checkTemplatesDir(flags.templates);
    const text = editorSchema(flags.templates);
    if (flags.write === undefined) return this.writeOut(text);
    const { path, result } = planEditorSchema(flags.write, text, flags.force ?? false);
    if (result !== 'unchanged') writeEditorSchema(path, text);
    this.log(`${path}: ${result}`);
  }
}
