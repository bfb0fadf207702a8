/**
 * `sipbc schema`: prints the inventory JSON Schema (schemas/inventory.schema.json)
 * for editors and tools such as ajv-cli. `--path` prints where the shipped file is.
 */
import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { INVENTORY_SCHEMA_PATH } from '../core/validate/index.js';

export default class Schema extends SipbcCommand {
  static override summary = 'Print the inventory JSON Schema.';
  static override examples = [
    '<%= config.bin %> schema > inventory.schema.json',
    '<%= config.bin %> schema --path   # where the shipped schema file is (for a yaml-language-server $schema line)',
  ];
  static override flags = {
    path: Flags.boolean({ default: false, description: 'print the absolute path of the shipped schema file instead of its content' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Schema);
    const out = flags.path ? INVENTORY_SCHEMA_PATH + '\n' : readFileSync(INVENTORY_SCHEMA_PATH, 'utf8');
    await this.writeOut(out);
  }
}
