/**
 * `sipbc report INVENTORY -o report.html [--plan OLD] [--phones]`: one self-contained HTML page
 * for a change board (src/core/report/model.ts → src/cli/report-html.ts), written atomically
 * (a temporary file beside the target, then a rename): a reader never sees half a page.
 *
 * Exit codes: 0 written; 1 INVENTORY (or OLD) is invalid; 2 usage error (unwritable -o, …).
 */
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { templatesFlag } from '../cli/flags.js';
import { renderReportHtml } from '../cli/report-html.js';
import { writeFileAtomically } from '../cli/safe-fs.js';
import { loadValidInventory } from '../cli/valid-inventory.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { reportModel } from '../core/report/model.js';
import { diffSnapshots } from '../core/review/diff.js';
import { takeSnapshot } from '../core/review/snapshot.js';

export interface ReportResult {
  output: string;
  bytes: number;
}

export default class Report extends SipbcCommand {
  static override summary =
    'Write one self-contained HTML page for a change board: sites, phones, each site failure with capacity and outages, warnings, DNS records.';
  static override description =
    `The page needs no network (styles, script and charts are inline) and prints well. It shows the two sites and their SIP Servers, phones per site × mode × family, the load in normal operation, each site-failure simulation (phone outcomes, the outage distribution with its formula, the survivor's capacity as a bar), the validation warnings and the DNS records with what each is for.

--plan OLD puts the change from OLD to INVENTORY on top (as sipbc plan OLD INVENTORY shows it). --phones adds one row per phone (with a filter box); without it the page is aggregated, so 100 000 phones make a page of a few hundred kB.

The same inventory always gives the same bytes (no date in the page).`;
  static override examples = [
    '<%= config.bin %> report inventory.yaml -o report.html',
    '<%= config.bin %> report inventory.yaml -o report.html --plan old.yaml',
    '<%= config.bin %> report inventory.yaml -o - --phones > report.html',
  ];
  static override enableJsonFlag = true;
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    output: Flags.string({ char: 'o', required: true, description: 'the HTML file to write (- for stdout)' }),
    plan: Flags.string({ description: 'an older inventory: the page starts with what changes from it' }),
    phones: Flags.boolean({ default: false, description: 'include one row per phone' }),
    templates: templatesFlag('directory with a catalogue.json adding models (as for generate --templates)'),
  };

  async run(): Promise<ReportResult> {
    const { args, flags } = await this.parse(Report);
    if (flags.output === '-' && this.jsonEnabled())
      throw new SipbcError('-o - and --json both want stdout', ExitCode.USAGE, 'write the page to a file with -o FILE, or leave out --json');
    if (flags.output !== '-') checkOutput(flags.output);
    if (flags.plan === '-' && args.inventory === '-') throw new SipbcError('only one of INVENTORY and --plan can be - (stdin)', ExitCode.USAGE);
    const log = { templates: flags.templates, logToStderr: (l: string) => this.logToStderr(l) };
    const now = loadValidInventory(args.inventory, { ...log, consequence: 'no report written' });
    const snap = takeSnapshot(now.inventory, now.catalogue, now.loaded.file);
    let plan;
    if (flags.plan !== undefined) {
      const old = loadValidInventory(flags.plan, { ...log, consequence: 'no report written' });
      plan = diffSnapshots(takeSnapshot(old.inventory, old.catalogue, old.loaded.file), snap);
    }
    const model = reportModel(snap, now.catalogue, { findings: now.findings, plan, phones: flags.phones });
    const html = renderReportHtml(model, { version: this.config.version });
    const bytes = Buffer.byteLength(html, 'utf8');
    if (flags.output === '-') {
      await this.writeOut(html);
      return { output: '-', bytes };
    }
    writeFileAtomically(flags.output, html);
    if (!this.jsonEnabled()) this.logToStderr(`wrote ${flags.output} (${bytes} bytes)`);
    return { output: flags.output, bytes };
  }
}

/** -o must name a file in an existing directory (not a directory itself). */
function checkOutput(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new SipbcError(`${path}: is a directory`, ExitCode.USAGE, `give a file name, e.g. -o ${join(path, 'report.html')}`);
  let dir;
  try {
    dir = statSync(dirname(path) || '.');
  } catch {
    dir = undefined;
  }
  if (!dir?.isDirectory())
    throw new SipbcError(`${path}: the directory ${dirname(path)} does not exist`, ExitCode.USAGE, 'create it first, or choose another -o');
}
