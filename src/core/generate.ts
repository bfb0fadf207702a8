/**
 * `sipbc generate` as a pure pipeline: inventory in, files out — in memory, one at a time.
 * Writing them (atomically, with the manifest) is src/cli/write-output.ts, so --check and --dry-run
 * reuse this.
 *
 *   prepareOutputs: validate → resolvePlan → DNS records → cross-check (the DNS names phone files point at) → secrets
 *   files():        render, lazily, one file at a time, for the --only groups: the few large single
 *                   files (dns/<zone>.zone, dns/<zone>.nsupdate, policy.csv, genesys/) and the many
 *                   phone files (phones/, in inventory order) as two streams
 *   planOutputs:    the same, collected and sorted by path (tests, small runs)
 *
 * Any error-severity finding (invalid inventory, a phone pointing at a name the DNS records do not
 * have, a missing secret) returns no files at all: the caller writes nothing.
 * Secrets are read only when phone files are rendered (not for `--only dns,policy,genesys`).
 */
import type { Catalogue } from './catalogue.js';
import { buildDnsRecords, dnsUsage, missingDnsFor, renderDns, zoneOf, type DnsNeed, type DnsRecord, type DnsUsage, type UsingLine } from './dns/index.js';
import { ExitCode, SipbcError } from './errors.js';
import type { Finding } from './findings.js';
import type { Inventory } from './inventory.js';
import type { LoadedInventory } from './load.js';
import { bytesFile, OUTPUT_GROUPS, sortByPath, sourceName, type OutputFile, type OutputGroup } from './output.js';
import { resolvePlan, type PhonePolicy, type Plan } from './policy.js';
import { policyCsvBytes } from './policy-table.js';
import { genesysFiles } from './genesys/index.js';
import { phoneFiles } from './render/phones.js';
import { resolveSecrets, type SecretOptions } from './secrets.js';
import { validateInventory } from './validate/index.js';

export const CROSS_CHECK = 'SIPBC-E-DNS-CROSS-CHECK';

export interface GenerateOptions extends Omit<SecretOptions, 'redact'> {
  /** `--only`: the groups to produce (default: all). */
  only?: readonly OutputGroup[];
  /** `--templates DIR`: user templates (the catalogue passed in is already merged with DIR/catalogue.json). */
  userTemplatesDir?: string;
  /** `--redact`: REDACTED instead of every password; no secret is read. */
  redact?: boolean;
  /** `--poly-master`: also write the site master file of the families that have one (Poly 000000000000.cfg). */
  polyMaster?: boolean;
}

/**
 * The files of a run as two lazy streams, each file rendered when it is pulled: a writer that
 * streams them holds one file at a time. Pulling may throw a SipbcError (a template error, a value
 * a file format cannot carry) — with no password in its message.
 */
export interface OutputStreams {
  /** The few large single files: dns/, policy.csv, genesys/ (tens of MB each for 100 000 phones). */
  singles: Iterable<OutputFile>;
  /** The many small phone files, in inventory order. */
  phones: Iterable<OutputFile>;
}

/** Every file of `streams`: the single files, then the phone files. */
export function* allFiles(streams: OutputStreams): Generator<OutputFile> {
  yield* streams.singles;
  yield* streams.phones;
}

export interface PreparedOutputs {
  /** The files (see OutputStreams); undefined when `findings` has an error. */
  files?: () => OutputStreams;
  /** Validation findings (warnings included), then cross-check and secret findings. */
  findings: Finding[];
  /** The groups produced (what --only selected). */
  groups: OutputGroup[];
  plan?: Plan;
  inventory?: Inventory;
}

export interface GenerateResult extends Omit<PreparedOutputs, 'files'> {
  /** Sorted by path; empty when `findings` has an error. */
  files: OutputFile[];
}

/** The phone's family takes the transport from NAPTR (an srvTransport code: Yealink DNS-NAPTR, Poly DNSnaptr). */
export function naptrDriven(p: PhonePolicy): boolean {
  return p.family.codes?.srvTransport !== undefined;
}

/** Who resolves which SRV name, for the NAPTR records (dns/build.ts). */
export function dnsUsageOf(plan: Pick<Plan, 'phones'>): DnsUsage {
  function* lines(): Generator<UsingLine> {
    // One line object, refilled for each server: dnsUsage reads each line as it comes and keeps none (200 000 lines at 100 000 phones).
    const line: UsingLine = { host: '', srv: false, transport: 'udp', naptrDriven: false };
    for (const p of plan.phones) {
      line.naptrDriven = naptrDriven(p);
      for (const s of p.servers) {
        line.host = s.host;
        line.srv = s.srv;
        line.transport = s.transport;
        yield line;
      }
    }
  }
  return dnsUsage(lines());
}

/** What each phone's line servers need from DNS: `P.name` SRV and its NAPTR (port 0), or an A/AAAA record (explicit port). */
export function dnsNeedsOf(p: PhonePolicy): DnsNeed[] {
  const driven = naptrDriven(p);
  return p.servers.map((s) => (s.srv ? { name: s.host, type: 'SRV', transport: s.transport, naptrDriven: driven } : { name: s.host, type: 'A' }));
}

/**
 * The DNS cross-check: every host name a phone file points at has the record it needs in the
 * generated DNS records. One finding per missing name, at the first phone that needs it.
 */
export function crossCheck(plan: Plan, records: readonly DnsRecord[], loaded: Pick<LoadedInventory, 'file' | 'locate'>): Finding[] {
  // Each distinct need (type, transport and NAPTR reliance of an SRV name; the name of an A), in the
  // order phones first need it. Looked up by host among the few needs of that host: no key string or
  // need object per phone line (200 000 at 100 000 phones).
  const needs: { need: DnsNeed; first: PhonePolicy; count: number }[] = [];
  const byHost = new Map<string, number[]>();
  for (const p of plan.phones) {
    const driven = naptrDriven(p);
    for (const s of p.servers) {
      let ofHost = byHost.get(s.host);
      if (ofHost === undefined) byHost.set(s.host, (ofHost = []));
      let found = false;
      for (const k of ofHost) {
        const n = needs[k].need;
        if (s.srv ? n.type === 'SRV' && n.transport === s.transport && n.naptrDriven === driven : n.type === 'A') {
          needs[k].count++;
          found = true;
          break;
        }
      }
      if (found) continue;
      ofHost.push(needs.length);
      const need: DnsNeed = s.srv ? { name: s.host, type: 'SRV', transport: s.transport, naptrDriven: driven } : { name: s.host, type: 'A' };
      needs.push({ need, first: p, count: 1 });
    }
  }
  const findings: Finding[] = [];
  for (const { need, first, count } of needs) {
    const missing = missingDnsFor(records, [need]);
    if (missing.length === 0) continue;
    const path = ['phones', first.index];
    const pos = loaded.locate(path);
    const site = plan.sites.find((s) => s.id === first.servers.find((x) => x.host === need.name)?.site);
    const fix = missing.some((m) => m.includes(' first ('))
      ? `${need.name} is resolved through NAPTR by phones with different transports, and a phone that takes its transport from NAPTR (Yealink DNS-NAPTR, Poly DNSnaptr) uses the first record: give those phones one transport, or a different preferred site`
      : need.type === 'A'
        ? `give site ${site?.id ?? '?'}'s sipServer.${site?.sipServer.vip ? 'vip' : 'primary'} an address so that ${need.name} gets an A/AAAA record`
        : `the DNS records publish no ${missing[0]}; this is a mismatch between the phone policy and the DNS records (please report it)`;
    findings.push({
      code: CROSS_CHECK,
      severity: 'error',
      message: `phone ${first.mac} (${first.modelId}) points at ${need.name}${need.type === 'SRV' ? ` through DNS ${need.naptrDriven ? 'NAPTR/' : ''}SRV (${need.transport})` : ' with an explicit port'}, but the generated DNS records have no ${missing.join(', ')}${count > 1 ? ` (${count} phone lines need it)` : ''}: nothing was written; ${fix}`,
      file: loaded.file,
      path,
      line: pos.line,
      column: pos.column,
    });
  }
  return findings;
}

/**
 * Everything that can refuse the run without rendering a file: validation, the policy, the DNS
 * cross-check, the secrets. Then a lazy `files()` renders the outputs.
 */
export function prepareOutputs(loaded: LoadedInventory, catalogue: Catalogue, opts: GenerateOptions): PreparedOutputs {
  const groups = opts.only && opts.only.length > 0 ? OUTPUT_GROUPS.filter((g) => opts.only!.includes(g)) : [...OUTPUT_GROUPS];
  const want = (g: OutputGroup) => groups.includes(g);

  const validation = validateInventory(loaded, catalogue);
  const findings: Finding[] = [...validation.findings];
  const inv = validation.inventory;
  if (!inv || findings.some((f) => f.severity === 'error')) return { findings, groups };

  const plan = resolvePlan(inv, catalogue);
  const records = buildDnsRecords(inv, { usage: dnsUsageOf(plan) });
  // The records' own rules are part of validateInventory (validate/rules/dns-records.ts); here only the cross-check with the phone files.
  for (const f of crossCheck(plan, records, loaded)) findings.push(f); // no spread: ~120 000 arguments overflow the stack
  if (findings.some((f) => f.severity === 'error')) return { findings, groups, plan, inventory: inv };

  const secrets = want('phones')
    ? resolveSecrets(loaded, plan.phones, { env: opts.env, redact: opts.redact, secretsDir: opts.secretsDir, readFile: opts.readFile })
    : undefined;
  if (secrets && secrets.findings.length > 0) return { findings: [...findings, ...secrets.findings], groups, plan, inventory: inv };

  // What files() keeps: the plan and the inventory without its phone list — not the text, the
  // parsed phone entries or the validation (for 100 000 phones ~65 MB the garbage collector frees).
  const file = loaded.file;
  const rest: Inventory = { ...inv, phones: [] };
  function* singles(): Generator<OutputFile> {
    if (want('dns')) {
      const zone = zoneOf(rest);
      const source = sourceName(file);
      yield { path: `dns/${zone}.zone`, contents: renderDns(rest, records, 'bind', { source }) as string, secret: false };
      yield { path: `dns/${zone}.nsupdate`, contents: renderDns(rest, records, 'nsupdate', { source }) as string, secret: false };
    }
    if (want('policy')) yield bytesFile('policy.csv', policyCsvBytes(plan), false);
    if (want('genesys')) yield* genesysFiles(plan, rest);
  }
  function* phones(): Generator<OutputFile> {
    if (!secrets) return;
    try {
      yield* phoneFiles(plan, catalogue, {
        inventoryFile: file,
        userTemplatesDir: opts.userTemplatesDir,
        passwordFor: (p) => secrets.passwords.get(p.index) ?? '',
        siteMasters: opts.polyMaster,
      });
    } catch (e) {
      // SipbcErrors of the renderer are built from names and positions, never values (render/escape.ts,
      // render/templates.ts). Any other error's message might quote a value: only its kind goes out.
      if (e instanceof SipbcError) throw e;
      throw new SipbcError(
        `rendering the phone files failed with an internal ${(e as Error)?.name ?? 'error'} (its message is not shown: it may quote a password)`,
        ExitCode.INTERNAL,
      );
    }
  }
  const files = (): OutputStreams => ({ singles: singles(), phones: phones() });
  return { files, findings, groups, plan, inventory: inv };
}

/** prepareOutputs with every file rendered into memory, sorted by path (tests, small runs). */
export function planOutputs(loaded: LoadedInventory, catalogue: Catalogue, opts: GenerateOptions): GenerateResult {
  const { files, ...rest } = prepareOutputs(loaded, catalogue, opts);
  const all = files ? sortByPath([...allFiles(files())]) : [];
  for (let i = 1; i < all.length; i++) {
    if (all[i].path === all[i - 1].path) {
      throw new SipbcError(
        `two generated files have the same path ${all[i].path}: check the file names in the catalogue (--templates catalogue.json)`,
        ExitCode.USAGE,
      );
    }
  }
  return { files: all, ...rest };
}
