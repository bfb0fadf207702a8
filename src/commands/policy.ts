/**
 * `sipbc policy INVENTORY [--format table|csv|json] [--wide]`: one row per phone — MAC, model,
 * place, agents, preferred site, mode, the server(s) line 1 registers to, and why. Reads no secret.
 * Thin adapter: load → validate → resolvePlan → policy-table rows → print.
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { colour, outputWidth } from '../cli/colour.js';
import { templatesFlag } from '../cli/flags.js';
import { loadValidInventory } from '../cli/valid-inventory.js';
import { resolvePlan } from '../core/policy.js';
import { policyCsv, policyJson, policyRows, policyTable, type PolicyRow } from '../core/policy-table.js';

export const POLICY_FORMATS = ['table', 'csv', 'json'] as const;

export default class Policy extends SipbcCommand {
  static override summary = 'Show, per phone, the preferred site, the registration mode, the servers it registers to, and why.';
  static override description =
    `One row per phone (inventory order): MAC, model, place, agents, preferred site (and where that came from: phone, agents, default, auto), mode (dual or active-backup), transport, the server(s) line 1 registers to in order of preference ("(SRV)" = resolved through DNS SRV, else host:port through the A record), and why. The same table is written to policy.csv by generate. No secret is read.

On a terminal narrower than the table (or with COLUMNS set), each phone is printed as a block of wrapped lines instead; --wide prints the full table whatever the width. Output that is not a terminal gets the full table.`;
  static override examples = [
    '<%= config.bin %> policy inventory.yaml',
    '<%= config.bin %> policy inventory.yaml --format csv > policy.csv',
    '<%= config.bin %> policy inventory.yaml --json | jq \'.[] | select(.mode == "dual") | .mac\'',
  ];
  static override enableJsonFlag = true;
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    format: Flags.string({ char: 'f', options: [...POLICY_FORMATS], default: 'table', description: 'output format (json: the same as --json)' }),
    templates: templatesFlag('directory with a catalogue.json adding models (as for generate --templates)'),
    wide: Flags.boolean({ default: false, description: 'table: every column in full on one line per phone, however wide the terminal' }),
  };

  async run(): Promise<PolicyRow[]> {
    const { args, flags } = await this.parse(Policy);
    const { inventory, catalogue } = loadValidInventory(args.inventory, { templates: flags.templates, logToStderr: (l) => this.logToStderr(l) });
    const rows = policyRows(resolvePlan(inventory, catalogue));
    if (this.jsonEnabled()) return rows;
    const width = flags.wide ? undefined : outputWidth();
    const out = flags.format === 'csv' ? policyCsv(rows) : flags.format === 'json' ? policyJson(rows) : policyTable(rows, (s) => colour.stdout.bold(s), width);
    await this.writeOut(out);
    return rows;
  }
}
