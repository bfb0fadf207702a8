/**
 * `sipbc plan OLD NEW` / `sipbc plan --base REF NEW`: what changing the inventory from OLD to NEW
 * does (src/core/review/diff.ts), printed as text, JSON, a pull-request comment (markdown) or
 * GitHub workflow commands (src/cli/plan-format.ts).
 *
 * Exit codes: 0 no change; 3 changes (for CI gates, like `generate --check`); 1 OLD or NEW is
 * invalid (every error of both, each naming its file); 2 usage error (unreadable file, no git, …).
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { templatesFlag } from '../cli/flags.js';
import { readAtRevision } from '../cli/git-base.js';
import { PLAN_FORMATS, renderPlanGithub, renderPlanJson, renderPlanMarkdown, renderPlanText, type PlanFormat } from '../cli/plan-format.js';
import { formatFinding } from '../cli/report.js';
import { checkTemplatesDir } from '../cli/valid-inventory.js';
import { loadCatalogue, type Catalogue } from '../core/catalogue.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { countFindings, type Finding } from '../core/findings.js';
import type { Inventory } from '../core/inventory.js';
import { loadInventory, parseInventory, type LoadedInventory } from '../core/load.js';
import { normaliseMac } from '../core/mac.js';
import { diffSnapshots, type ChangeReview } from '../core/review/diff.js';
import { takeSnapshot } from '../core/review/snapshot.js';
import { validateInventory } from '../core/validate/index.js';

export default class Plan extends SipbcCommand {
  static override summary =
    'What an inventory change does: phones and agents that move site or mode, DNS and Genesys changes, and the load per site with each site failed.';
  static override description =
    `Compares two inventories by what they mean, not by their text: phones added, removed and changed (model, place, preferred site, mode, transport, line 1 servers, with the policy's reasons), agents whose site changes, DNS RRsets added, removed and changed, Genesys rows, and per site the registered phones and agents before → after, in normal operation and with each site failed, flagging new capacity overflows and newly stranded phones.

OLD NEW compares two files; --base REF NEW compares NEW with the same file at git revision REF (e.g. the branch a pull request goes into).

--format markdown is a pull-request comment: the verdict first (does anything move site or lose failover?), the load table, then each list in a collapsed block. --format github prints workflow commands (a warning at each phone that moves site or loses failover). --json (or --format json) prints the whole comparison.

Exit codes: 0 no change, 3 changes, 1 OLD or NEW is invalid, 2 usage error.`;
  static override examples = [
    '<%= config.bin %> plan old.yaml inventory.yaml',
    '<%= config.bin %> plan --base main inventory.yaml --format markdown > comment.md',
    "<%= config.bin %> plan --base HEAD~1 inventory.yaml --json | jq '.summary'",
  ];
  static override enableJsonFlag = true;
  static override args = {
    old: Args.string({ required: true, description: 'the inventory before the change (with --base: NEW)' }),
    new: Args.string({ required: false, description: 'the inventory after the change' }),
  };
  static override flags = {
    base: Flags.string({ description: 'git revision to take OLD from: the same path as NEW at that revision' }),
    format: Flags.string({ char: 'f', options: [...PLAN_FORMATS], default: 'text', description: 'output format' }),
    templates: templatesFlag('directory with a catalogue.json adding models (as for generate --templates)'),
  };

  async run(): Promise<ChangeReview> {
    const { args, flags } = await this.parse(Plan);
    checkTemplatesDir(flags.templates);
    let oldLoaded: () => LoadedInventory;
    let newPath: string;
    if (flags.base !== undefined) {
      if (args.new !== undefined)
        throw new SipbcError('with --base give only NEW: OLD is NEW at that revision', ExitCode.USAGE, `sipbc plan --base ${flags.base} ${args.new}`);
      newPath = args.old;
      const base = flags.base;
      oldLoaded = () => {
        const src = readAtRevision(base, newPath);
        return parseInventory(src.text, src.file, src.baseDir);
      };
    } else {
      if (args.new === undefined)
        throw new SipbcError(
          'give two inventories (OLD NEW), or --base REF NEW',
          ExitCode.USAGE,
          'sipbc plan old.yaml inventory.yaml, or sipbc plan --base main inventory.yaml',
        );
      if (args.old === '-' && args.new === '-') throw new SipbcError('only one of OLD and NEW can be - (stdin)', ExitCode.USAGE);
      const path = args.old;
      oldLoaded = () => loadInventory(path);
      newPath = args.new;
    }
    const catalogue = loadCatalogue(flags.templates);
    const [a, b] = this.validBoth([oldLoaded(), loadInventory(newPath)], catalogue);
    const review = diffSnapshots(takeSnapshot(a.inventory, catalogue, a.loaded.file), takeSnapshot(b.inventory, catalogue, b.loaded.file));

    const format = flags.format as PlanFormat;
    if (this.jsonEnabled()) {
      if (!review.changed) return review; // printed by oclif
      this.logJson(review);
    } else await this.writeOut(this.render(format, review, b.loaded, b.inventory));
    if (review.changed) this.exit(ExitCode.DRIFT);
    return review;
  }

  /** Both inventories validated; every error of both reported (each finding names its file) before exit 1. */
  private validBoth(loaded: LoadedInventory[], catalogue: Catalogue): { loaded: LoadedInventory; inventory: Inventory }[] {
    const errors: Finding[] = [];
    const out: { loaded: LoadedInventory; inventory: Inventory }[] = [];
    const invalid: string[] = [];
    for (const l of loaded) {
      const { findings, inventory } = validateInventory(l, catalogue);
      const errs = findings.filter((f) => f.severity === 'error');
      if (errs.length > 0 || !inventory) {
        errors.push(...errs);
        const n = countFindings(errs);
        invalid.push(`${l.file} (${n} error${n === 1 ? '' : 's'})`);
      } else {
        const warnings = countFindings(findings);
        if (warnings > 0) this.logToStderr(`${l.file}: ${warnings} validation warning${warnings === 1 ? '' : 's'} (run \`sipbc validate\` to see them)`);
        out.push({ loaded: l, inventory });
      }
    }
    if (invalid.length > 0) {
      if (!this.jsonEnabled()) for (const f of errors) this.logToStderr(formatFinding(f));
      throw new SipbcError(
        `invalid inventory: ${invalid.join(', ')}; nothing compared`,
        ExitCode.INVALID,
        'fix the errors above (`sipbc validate` lists every finding)',
        { findings: errors },
      );
    }
    return out;
  }

  private render(format: PlanFormat, review: ChangeReview, loaded: LoadedInventory, inventory: Inventory): string {
    switch (format) {
      case 'json':
        return renderPlanJson(review);
      case 'markdown':
        return renderPlanMarkdown(review);
      case 'github': {
        // The review keys phones by normalised MAC; NEW writes them as the admin did.
        const byMac = new Map((inventory.phones ?? []).map((p, i) => [normaliseMac(p.mac) ?? p.mac, i]));
        return renderPlanGithub(review, {
          file: loaded.file,
          phoneAt: (mac) => {
            const i = byMac.get(mac);
            return i === undefined ? undefined : loaded.locate(['phones', i]);
          },
          capacityAt: (site) => {
            const i = inventory.sites.findIndex((s) => s.id === site);
            return i === -1 ? undefined : loaded.locate(['sites', i, 'capacity']);
          },
        });
      }
      default:
        return renderPlanText(review);
    }
  }
}
