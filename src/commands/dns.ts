/**
 * `sipbc dns INVENTORY --format bind|nsupdate|json|wire [--drain SITE]` (SPEC §2, §6).
 * Thin adapter: load → validate → build + check the records (src/core/dns) → print one format.
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { loadCatalogue, type Catalogue } from '../core/catalogue.js';
import { buildAndCheck, DNS_FORMATS, renderDns, type DnsFormat, type DnsPacketRecord } from '../core/dns/index.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import type { Inventory } from '../core/inventory.js';
import { loadInventory, type LoadedInventory } from '../core/load.js';

export default class Dns extends SipbcCommand {
  static override summary = 'Print the DNS SRV and A/AAAA records that steer each phone to its preferred site.';
  static override description = `Records (SPEC §6), for every transport in use: _sip._udp.S.B (one site's pair), _sip._udp.S-preferred.B (S then its peer), _sip._udp.B (both sites, weights by capacity), S.B A/AAAA and the A/AAAA of the server hosts inside the zone (B = <subdomain>.<zone>).

Formats: bind (zone-file fragment with $ORIGIN/$TTL, to $INCLUDE in the zone), nsupdate (a script that replaces exactly these RRsets), json (dns-packet records), wire (an RFC 2136 UPDATE message, raw bytes).`;
  static override examples = [
    '<%= config.bin %> dns inventory.yaml > sip.zone',
    '<%= config.bin %> dns inventory.yaml --format nsupdate --server ns1.contoso.example | nsupdate -k tsig.key',
    '<%= config.bin %> dns inventory.yaml --drain east --format nsupdate > drain-east.nsupdate',
    '<%= config.bin %> dns inventory.yaml --format wire > update.bin',
  ];
  static override enableJsonFlag = true;
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    format: Flags.string({ char: 'f', options: [...DNS_FORMATS], default: 'bind', description: 'output format' }),
    drain: Flags.string({ description: 'graceful migration: move this site behind its peer in the preferred and balanced names (SPEC §6.3)' }),
    server: Flags.string({ description: 'nsupdate: add a "server" line for this name server' }),
    'server-port': Flags.integer({ min: 1, max: 65535, dependsOn: ['server'], description: 'nsupdate: port of --server' }),
  };

  async run(): Promise<DnsPacketRecord[]> {
    const { args, flags } = await this.parse(Dns);
    const loaded = loadInventory(args.inventory);
    const { findings, inventory } = await validate(loaded, loadCatalogue());
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0 || !inventory) {
      for (const f of errors) this.logToStderr(formatFinding(f));
      throw new SipbcError(`${loaded.file}: the inventory is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}); no records written`, ExitCode.INVALID, 'fix the errors above (`sipbc validate` lists every finding)');
    }
    const { records, problems } = buildAndCheck(inventory, { drain: flags.drain });
    const blocking = problems.filter((p) => p.severity === 'error');
    for (const p of problems) this.logToStderr(`${loaded.file}: ${p.severity} ${p.code} ${p.message}`);
    const otherWarnings = findings.filter((f) => f.severity === 'warning');
    for (const f of otherWarnings.filter((w) => w.code.includes('-DNS-'))) this.logToStderr(formatFinding(f));
    const hidden = otherWarnings.filter((w) => !w.code.includes('-DNS-')).length;
    if (hidden > 0) this.logToStderr(`${loaded.file}: ${hidden} other warning${hidden === 1 ? '' : 's'} (run \`sipbc validate\` to see them)`);
    if (blocking.length > 0) {
      throw new SipbcError(`${loaded.file}: ${blocking.length} DNS record error${blocking.length === 1 ? '' : 's'}; no records written`, ExitCode.INVALID);
    }

    const json = records.map((r) => r.toJSON());
    if (this.jsonEnabled()) return json;
    const server = flags.server ? { host: flags.server, port: flags['server-port'] } : undefined;
    const out = renderDns(inventory, records, flags.format as DnsFormat, { source: loaded.file, server });
    await new Promise<void>((resolve, reject) => process.stdout.write(out, (e) => (e ? reject(e) : resolve())));
    return json;
  }
}

function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code} ${f.message}${f.suggestion ? ` (did you mean "${f.suggestion}"?)` : ''}`;
}

interface ValidationResult {
  findings: Finding[];
  inventory?: Inventory;
}

/**
 * TEMPORARY: src/core/validate/index.ts (`validateInventory(loaded, catalogue) => { findings, inventory? }`)
 * is being written by another engineer. Until it lands the inventory is used unchecked
 * (`loaded.data as Inventory`). Replace this function with a static import once it exists.
 */
async function validate(loaded: LoadedInventory, catalogue: Catalogue): Promise<ValidationResult> {
  const modulePath = '../core/validate/index.js';
  let mod: { validateInventory?: (l: LoadedInventory, c: Catalogue) => ValidationResult } | undefined;
  try {
    mod = (await import(modulePath)) as typeof mod;
  } catch {
    mod = undefined;
  }
  if (mod?.validateInventory) return mod.validateInventory(loaded, catalogue);
  return { findings: [], inventory: loaded.data as Inventory };
}
