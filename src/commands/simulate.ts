/**
 * `sipbc simulate INVENTORY --fail SITE [--format table|json] [--json] [--strict]`.
 * Thin adapter: load → validate → resolvePlan → simulate (src/core/simulate.ts) → print.
 *
 * Exit codes: 0 done (capacity overflow and stranded phones are warnings); 1 the inventory is
 * invalid, or --strict and the simulation has a warning; 2 usage error (unknown --fail site,
 * unreadable input).
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { colour } from '../cli/colour.js';
import { templatesFlag } from '../cli/flags.js';
import { loadValidInventory } from '../cli/valid-inventory.js';
import { ExitCode } from '../core/errors.js';
import { resolvePlan } from '../core/policy.js';
import { OUTAGE_FORMULA, simulate, type PhoneOutcome, type Simulation } from '../core/simulate.js';

export const SIMULATE_FORMATS = ['table', 'json'] as const;

export default class Simulate extends SipbcCommand {
  static override summary =
    "What happens when a site is lost: per phone and agent, where it ends up, how and how fast; the survivor's load against its capacity; what is stranded.";
  static override description =
    `Phone outcomes: unaffected (prefers the survivor), already-registered (dual: its second line is on the survivor; 0 s), srv-failover (active-backup via S-preferred SRV: re-registers on the survivor), backup-registrar (Alcatel-Lucent 4000: moves to proxy2/registrar2), stranded (with the reason, e.g. a phone that reaches the survivor only through its A record while the survivor has no VIP). Agents of the failed site are re-logged in on the survivor (Workspace disaster-recovery.timeout, 60 s by default); agents at a place whose phone is stranded are flagged.

Worst-case outage of a re-registering phone, from its family's failover timers (templates/catalogue.json) and defaults.registerExpires:
  ${OUTAGE_FORMULA}
(the site may die right after a refresh; the next REGISTER to it goes unanswered for the transaction timeout, then the survivor answers). baresip, measured: 0.9 × registerExpires + 32 s over UDP, 0.9 × registerExpires over TCP.

The summary comes first (counts per outcome, capacity, longest expected outage), then the full table. --json (or --format json) prints one JSON object (fields in docs/guide.md, "Rehearsing a site failure"). Capacity overflow and stranded phones are warnings: exit 0, or 1 with --strict.`;
  static override examples = [
    '<%= config.bin %> simulate inventory.yaml --fail east',
    '<%= config.bin %> simulate inventory.yaml --fail west --strict',
    '<%= config.bin %> simulate inventory.yaml --fail east --json | jq \'.phones[] | select(.outcome == "stranded")\'',
  ];
  static override enableJsonFlag = true; // --json: the same object as --format json, errors as JSON too
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    fail: Flags.string({ required: true, description: 'id of the site that is lost' }),
    format: Flags.string({ char: 'f', options: [...SIMULATE_FORMATS], default: 'table', description: 'output format (json: the same as --json)' }),
    strict: Flags.boolean({ default: false, description: 'exit 1 when the simulation has a warning (capacity overflow, stranded phones)' }),
    templates: templatesFlag('directory with a catalogue.json adding models (as for generate --templates)'),
  };

  async run(): Promise<Simulation> {
    const { args, flags } = await this.parse(Simulate);
    const { loaded, inventory, catalogue, findings } = loadValidInventory(args.inventory, {
      templates: flags.templates,
      consequence: 'nothing simulated',
      logToStderr: (l) => this.logToStderr(l),
    });
    const warnings = findings.length;
    if (warnings > 0) this.logToStderr(`${loaded.file}: ${warnings} validation warning${warnings === 1 ? '' : 's'} (run \`sipbc validate\` to see them)`);

    const sim = simulate(resolvePlan(inventory, catalogue), flags.fail, catalogue);
    if (this.jsonEnabled()) {
      if (!(flags.strict && sim.warnings.length > 0)) return sim; // printed by oclif
      this.logJson(sim);
    } else await this.writeOut(flags.format === 'json' ? JSON.stringify(sim, null, 2) + '\n' : renderSimulation(sim));
    if (flags.strict && sim.warnings.length > 0) this.exit(ExitCode.INVALID);
    return sim;
  }
}

/** 696 → "11 min 36 s". */
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h ? `${h} h` : '', m ? `${m} min` : '', s || (!h && !m) ? `${s} s` : ''].filter(Boolean);
  return parts.join(' ');
}

const OUTCOME_WORDS: Record<PhoneOutcome, string> = {
  unaffected: 'unaffected',
  'already-registered': 'already registered',
  'srv-failover': 're-register via SRV',
  'backup-registrar': 'via backup registrar',
  stranded: 'stranded',
};

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i].length), h.length)); // no spread: 100 000 rows overflow the stack
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [colour.stdout.bold(line(header)), ...rows.map(line)];
}

/** The human view: a summary readable in five seconds, then every phone and agent. */
export function renderSimulation(sim: Simulation): string {
  const { summary: s, capacity: c } = sim;
  const F = sim.failedSite;
  const V = sim.survivor;
  const out: string[] = [];
  out.push(colour.stdout.bold(`Loss of site ${F.id} (${F.name}): ${V.id} (${V.name}) survives`), '');
  const counts = (Object.keys(OUTCOME_WORDS) as PhoneOutcome[]).map((o) => {
    const text = `${s.phones[o]} ${OUTCOME_WORDS[o]}`;
    return o === 'stranded' && s.phones[o] > 0 ? colour.stdout.red(text) : text;
  });
  out.push(`  Phones    ${s.phones.total}: ${counts.join(', ')}`);
  const flagged = s.agents.placeStranded > 0 ? colour.stdout.red(`, ${s.agents.placeStranded} at a place whose phone is stranded`) : '';
  out.push(
    `  Agents    ${s.agents.total}: ${s.agents.unaffected} stay logged in, ${s.agents.relogin} re-logged in on ${V.id}${s.agents.relogin ? ` (after ${s.agentRelogin} s)` : ''}${flagged}`,
  );
  const cap =
    c.capacity === null
      ? `${V.id} carries ${c.agents} agents (capacity not set)`
      : c.fits
        ? `${V.id} carries ${c.agents} of ${c.capacity}: fits`
        : colour.stdout.yellow(`${V.id} must carry ${c.agents}, capacity ${c.capacity}: ${c.overflow} OVER`);
  out.push(`  Capacity  ${cap}`);
  const longest = s.longestOutage
    ? `${duration(s.longestOutage.seconds)} (${s.longestOutage.seconds} s), phone ${s.longestOutage.mac}, ${OUTCOME_WORDS[s.longestOutage.outcome]}`
    : 'none: no phone has to re-register';
  out.push(`  Longest expected phone outage: ${longest}`);
  for (const w of sim.warnings) out.push(colour.stdout.yellow(`  warning ${w.code}: ${w.message}`));
  out.push('');

  out.push(colour.stdout.bold('Phones'));
  pushAll(
    out,
    table(
      ['MAC', 'MODEL', 'PLACE', 'PREFERS', 'MODE', 'OUTCOME', 'ON', 'OUTAGE', 'VIA / REASON'],
      sim.phones.map((p) => [
        p.mac,
        p.model,
        p.place,
        p.preferredSite,
        p.mode,
        p.outcome,
        p.site ?? '-',
        p.outageSeconds === null ? '-' : `${p.outageSeconds} s`,
        p.outcome === 'stranded' ? p.reason : p.computation ? `${p.via}: ${p.computation}` : (p.via ?? ''),
      ]),
    ).map((l) => '  ' + l),
  );
  out.push('');
  out.push(colour.stdout.bold('Agents'));
  pushAll(
    out,
    table(
      ['LOGIN', 'USER', 'PLACE', 'PREFERS', 'OUTCOME', 'ON', 'OUTAGE', 'FLAG'],
      sim.agents.map((a) => [a.login, a.user, a.place, a.preferredSite, a.outcome, a.site, `${a.outageSeconds} s`, a.placeStranded ? 'phone stranded' : '']),
    ).map((l) => '  ' + l),
  );
  out.push('');
  out.push(`Worst case: ${sim.formula}; timers per family in templates/catalogue.json ("failover").`);
  return out.join('\n') + '\n';
}

/** out.push(...lines) without the spread: a table of ~120 000 rows would overflow the call stack. */
function pushAll(out: string[], lines: readonly string[]): void {
  for (const l of lines) out.push(l);
}
