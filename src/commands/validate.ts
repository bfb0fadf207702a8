/**
 * `sipbc validate INVENTORY… [--format text|json|github|sarif] [--strict]`.
 * Thin adapter: load each file → validateInventory → print every finding.
 * The `file:` secrets are checked too (confined to --secrets-dir or the inventory's directory,
 * regular, small, one line), never printed.
 * Exit 0 clean, 1 invalid (an error, or a warning with --strict), 2 unreadable input.
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { templatesFlag } from '../cli/flags.js';
import { applyStrict, REPORT_FORMATS, renderReport, type ReportFormat } from '../cli/report.js';
import { checkSecretsDir, checkTemplatesDir } from '../cli/valid-inventory.js';
import { loadCatalogue } from '../core/catalogue.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { type Finding, hasBlockingFindings } from '../core/findings.js';
import { InventorySyntaxError, loadInventory } from '../core/load.js';
import { validateInventory } from '../core/validate/index.js';

export default class Validate extends SipbcCommand {
  static override summary = 'Check inventories: JSON Schema shape and the semantic rules, every problem at once with file:line:column and a rule code.';
  static override description =
    `Exit status: 0 no errors (warnings allowed unless --strict), 1 the inventory is invalid (a YAML/JSON syntax error is the finding SIPBC-E-SYNTAX), 2 a file could not be read or is not an inventory at all.
Use - to read an inventory from stdin.`;
  static override examples = [
    '<%= config.bin %> validate inventory.yaml',
    '<%= config.bin %> validate sites/*.yaml --strict --format github',
    '<%= config.bin %> validate inventory.yaml --format sarif > sipbc.sarif',
  ];
  static override strict = false; // several INVENTORY arguments
  static override enableJsonFlag = true; // --json = --format json, errors as JSON too
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file(s), YAML or JSON; - for stdin' }),
  };
  static override flags = {
    format: Flags.string({ char: 'f', options: [...REPORT_FORMATS], default: 'text', description: 'output format (json: the same as --json)' }),
    strict: Flags.boolean({ default: false, description: 'treat warnings as errors (exit 1)' }),
    templates: templatesFlag('directory with a catalogue.json that adds phone models (as for generate --templates)'),
    'secrets-dir': Flags.string({ description: "directory every file: secret must be inside (default: the inventory's directory), e.g. /run/secrets" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Validate);
    const files = argv as string[];
    checkSecretsDir(flags['secrets-dir']);
    checkTemplatesDir(flags.templates);
    const catalogue = loadCatalogue(flags.templates);
    const findings: Finding[] = [];
    const validated: string[] = [];
    const unreadable: SipbcError[] = [];
    for (const path of files) {
      try {
        const loaded = loadInventory(path);
        // The secret files are checked (never printed): outside the secrets directory, not a regular file, more than one line…
        const result = validateInventory(loaded, catalogue, { secretFiles: { secretsDir: flags['secrets-dir'] } });
        validated.push(loaded.file);
        for (const f of result.findings) findings.push(f);
      } catch (e) {
        // A syntax error is a finding like any other (SIPBC-E-SYNTAX), in every format.
        if (e instanceof InventorySyntaxError) {
          validated.push(e.finding.file);
          findings.push(e.finding);
          continue;
        }
        if (!(e instanceof SipbcError) || e.exitCode !== ExitCode.USAGE) throw e;
        // One line per unreadable file; the others are still validated.
        unreadable.push(e);
        this.logToStderr(`sipbc: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
      }
    }
    // --json prints one document: an unreadable file makes it the error object (exit 2), naming every such file.
    if (unreadable.length > 0 && this.jsonEnabled()) throw new SipbcError(unreadable.map((e) => e.message).join('; '), ExitCode.USAGE, unreadable[0].hint);
    const shown = applyStrict(findings, flags.strict);
    if (validated.length > 0) {
      const out = renderReport((this.jsonEnabled() ? 'json' : flags.format) as ReportFormat, {
        files: validated,
        findings: shown,
        toolVersion: this.config.version,
      });
      await this.writeOut(out);
    }
    if (unreadable.length > 0) this.exit(ExitCode.USAGE);
    if (hasBlockingFindings(findings, flags.strict)) this.exit(ExitCode.INVALID);
  }
}
