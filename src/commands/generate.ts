/**
 * `sipbc generate INVENTORY -o DIR`. Thin adapter:
 * runGenerate (src/cli/generate-run.ts): load → prepareOutputs (pure: validate, policy, cross-check,
 * secrets) → syncOutput (render each file, compare with DIR, stage it; then rename all into place —
 * or only report, for --check / --dry-run) → report.
 *
 * Exit codes: 0 written / clean; 1 invalid inventory, missing secret or failed DNS cross-check
 * (nothing written); 2 usage or unsafe output directory; 3 --check found drift.
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { listFlag, templatesFlag } from '../cli/flags.js';
import { checkSecretsDir, checkTemplatesDir } from '../cli/valid-inventory.js';
import { formatFinding } from '../cli/report.js';
import { accessFromFlags } from '../cli/file-access.js';
import { runLocked } from '../cli/generate-run.js';
import { driftOf, type Change } from '../cli/write-output.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { countFindings } from '../core/findings.js';
import { inventoryName } from '../core/load.js';
import { OUTPUT_GROUPS, type OutputGroup } from '../core/output.js';

export interface GenerateSummary {
  dir: string;
  mode: 'write' | 'check' | 'dry-run';
  groups: OutputGroup[];
  files: number;
  created: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
  /** Files kept although the inventory says otherwise: not what sipbc wrote there (hand-edited or never sipbc's); --force replaces them. */
  kept: { path: string; why: string }[];
  /** --check: the paths that differ (the manifest included); empty = clean. */
  drift?: { path: string; kind: Change['kind']; reason?: 'mode' | 'owner' }[];
  warnings: string[];
}

/** `--only phones,dns` (split by oclif) → the groups, refusing unknown names (usage error). */
export function parseOnly(values: readonly string[] | undefined): OutputGroup[] | undefined {
  if (values === undefined) return undefined;
  const names = values.map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((n) => !(OUTPUT_GROUPS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) {
    throw new SipbcError(
      `--only ${values.join(',')}: unknown group${bad.length === 1 ? '' : 's'} ${bad.join(', ') || '(none given)'}`,
      ExitCode.USAGE,
      `use a comma-separated list of: ${OUTPUT_GROUPS.join(', ')}`,
    );
  }
  return OUTPUT_GROUPS.filter((g) => names.includes(g));
}

export default class Generate extends SipbcCommand {
  static override summary = 'Validate the inventory, then write every phone file, the DNS records, policy.csv and the Genesys files to DIR.';
  static override description =
    `Nothing is written if the inventory is invalid, a secret is missing, or a phone file would point at a DNS name the generated records do not have. Each file is rendered, compared with DIR and, if it changed, written to a temp file next to its target; only when every file succeeded are they renamed into place (an error on the way removes the temp files: DIR is left as it was); files holding passwords are mode 0600; DIR/.sipbc-manifest.json (written last) lists every file sipbc owns with its sha256. A re-run rewrites only what changed and removes only files the previous manifest listed — and only when they are still what sipbc wrote (their sha256): a file edited by hand, or one sipbc never wrote, is kept and reported (--force replaces it). One run at a time writes DIR: a second one fails at once with exit 2 naming the first (--wait SECONDS waits for it). Ctrl-C or SIGTERM stops the run and leaves DIR as it was (exit 130 / 143).

Passwords come from auth.password: { env: VAR } (read from the environment), { file: path } (relative to the inventory's directory, one trailing newline stripped) or a literal string.`;
  static override examples = [
    '<%= config.bin %> generate inventory.yaml -o out/',
    '<%= config.bin %> generate inventory.yaml -o out/ --check            # CI: exit 3 when out/ is not what would be written',
    '<%= config.bin %> generate inventory.yaml -o out/ --dry-run',
    '<%= config.bin %> generate inventory.yaml -o out/ --only dns,policy',
    '<%= config.bin %> generate inventory.yaml -o review/ --redact',
    '<%= config.bin %> generate inventory.yaml -o out/ --templates my-templates/',
  ];
  static override enableJsonFlag = true;
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    output: Flags.string({ char: 'o', required: true, description: 'output directory (created if needed)' }),
    check: Flags.boolean({ description: 'write nothing; exit 3 if DIR differs from what would be written (lists the files)', exclusive: ['dry-run'] }),
    'dry-run': Flags.boolean({ description: 'write nothing; list what would be created, updated and removed', exclusive: ['check'] }),
    only: listFlag(`groups to generate, comma-separated: ${OUTPUT_GROUPS.join(',')} (others are left as they are)`),
    templates: templatesFlag('directory of user templates (<family>/…) and an optional catalogue.json; wins over the shipped ones'),
    redact: Flags.boolean({ description: 'write REDACTED instead of every password (no secret is read)' }),
    'secrets-dir': Flags.string({ description: "directory every file: secret must be inside (default: the inventory's directory), e.g. /run/secrets" }),
    force: Flags.boolean({
      description:
        'replace or remove files even when they are not what sipbc wrote there (edited by hand, or never written by sipbc); without it they are kept and reported',
    }),
    'file-mode': Flags.string({
      description:
        'mode of the files holding passwords, e.g. 0640 so that --group can read them (default 0600; other files are 0644). Kept for later runs in the manifest',
    }),
    group: Flags.string({
      description:
        'group (name or id) given to every file written, e.g. the user group of your TFTP/HTTP provisioning server. Kept for later runs in the manifest',
    }),
    wait: Flags.integer({ min: 0, default: 0, description: 'seconds to wait while another sipbc run is writing DIR (default: fail at once, exit 2)' }),
    'poly-master': Flags.boolean({
      description:
        "also write phones/poly/000000000000.cfg, a site master file that includes every Poly phone's own <mac>-sipbc.cfg through [PHONE_MAC_ADDRESS] (for a site without a master file of its own; otherwise add that entry to yours)",
    }),
    fsync: Flags.boolean({
      description:
        'fsync every file before its rename, and every new directory (survives a power loss; much slower for many files). The manifest and existing directories are always fsynced',
    }),
  };

  async run(): Promise<GenerateSummary> {
    const { args, flags } = await this.parse(Generate);
    const only = parseOnly(flags.only);
    checkTemplatesDir(flags.templates);
    checkSecretsDir(flags['secrets-dir']);
    const mode: GenerateSummary['mode'] = flags.check ? 'check' : flags['dry-run'] ? 'dry-run' : 'write';
    // Rendered, compared and (unless --check / --dry-run) staged one file at a time; renamed into place only when all succeeded.
    const outcome = await runLocked(
      {
        inventory: args.inventory,
        output: flags.output,
        write: mode === 'write',
        only,
        templates: flags.templates,
        redact: flags.redact,
        fsync: flags.fsync,
        force: flags.force,
        polyMaster: flags['poly-master'],
        access: accessFromFlags(flags['file-mode'], flags.group, (w) => this.logToStderr(`sipbc: warning: ${w}`)),
        env: process.env,
        secretsDir: flags['secrets-dir'],
      },
      { waitSeconds: flags.wait, warn: (w) => this.logToStderr(`sipbc: warning: ${w}`) },
    );
    for (const f of outcome.findings) this.logToStderr(formatFinding(f));
    const errors = outcome.findings.filter((f) => f.severity === 'error');
    const sync = outcome.sync;
    if (errors.length > 0 || !sync) {
      const n = countFindings(errors); // a capped rule's "and N more" finding counts for N
      throw new SipbcError(
        `${inventoryName(args.inventory)}: ${n} error${n === 1 ? '' : 's'}; nothing was written to ${flags.output}`,
        ExitCode.INVALID,
        errors.some((f) => f.code === 'SIPBC-E-SECRET-MISSING')
          ? 'set the missing environment variables / create the secret files, or use --redact for a review copy'
          : 'fix the errors above (`sipbc validate` lists every finding)',
        { findings: outcome.findings }, // with --json, stderr is silent: the findings go in the error object
      );
    }
    for (const w of sync.warnings) this.logToStderr(`sipbc: warning: ${w}`);
    const summary: GenerateSummary = {
      dir: flags.output,
      mode,
      groups: outcome.groups,
      files: sync.files,
      created: sync.changes.filter((c) => c.kind === 'create').map((c) => c.path),
      updated: sync.changes.filter((c) => c.kind === 'update').map((c) => c.path),
      removed: sync.changes.filter((c) => c.kind === 'remove').map((c) => c.path),
      unchanged: sync.unchanged,
      kept: sync.kept,
      warnings: sync.warnings,
    };

    if (mode === 'check') {
      const drift = driftOf(sync);
      summary.drift = drift.map((c) => ({ path: c.path, kind: c.kind, ...(c.reason === 'mode' || c.reason === 'owner' ? { reason: c.reason } : {}) }));
      if (drift.length === 0) {
        if (!this.jsonEnabled()) this.log(`${flags.output} is up to date (${sync.files} files)`);
        return summary;
      }
      if (this.jsonEnabled()) this.logJson(summary);
      else {
        for (const c of drift) this.log(`${(c.reason && ACCESS_WORD[c.reason]) || DRIFT_WORD[c.kind]} ${c.path}`);
        const kept =
          sync.kept.length > 0
            ? `; ${sync.kept.length} of them not what sipbc wrote (edited by hand?): merge the edits into the inventory or templates, or add --force`
            : '';
        this.logToStderr(
          `sipbc: ${flags.output} differs from what generate would write (${drift.length} file${drift.length === 1 ? '' : 's'}); run generate without --check to update it${kept}`,
        );
      }
      return this.exit(ExitCode.DRIFT);
    }

    if (mode === 'dry-run') {
      if (!this.jsonEnabled()) {
        for (const c of sync.changes) this.log(`${DRY_WORD[c.kind]} ${c.path}`);
        for (const k of sync.kept) this.log(`keep   ${k.path}`);
        this.log(`dry run: ${counts(summary)} (nothing written)`);
      }
      return summary;
    }

    if (!this.jsonEnabled()) this.log(`${flags.output}: ${counts(summary)}`);
    return summary;
  }
}

const DRIFT_WORD: Record<Change['kind'], string> = { create: 'missing ', update: 'differs ', remove: 'stale   ' };
/** --check: a file with the right bytes but the wrong mode or group says so, rather than "differs". */
const ACCESS_WORD: Record<string, string> = { mode: 'mode    ', owner: 'group   ' };
const DRY_WORD: Record<Change['kind'], string> = { create: 'create', update: 'update', remove: 'remove' };

function counts(s: GenerateSummary): string {
  return `${s.created.length} created, ${s.updated.length} updated, ${s.removed.length} removed, ${s.unchanged} unchanged${s.kept.length > 0 ? `, ${s.kept.length} kept (not what sipbc wrote; --force replaces them)` : ''}`;
}
