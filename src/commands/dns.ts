/**
 * `sipbc dns INVENTORY --format bind|nsupdate|json|wire|octodns [--drain SITE]`.
 * Thin adapter: load → validate → build + check the records (src/core/dns) → print one format.
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../cli/base-command.js';
import { inventoryRecords } from '../cli/dns-command.js';
import { nameServerProblem } from '../core/dns-names.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { DNS_FORMATS, dnsJson, renderDns, type DnsFormat } from '../core/dns/index.js';

export default class Dns extends SipbcCommand {
  static override summary = 'Print the DNS SRV and A/AAAA records that steer each phone to its preferred site.';
  static override description =
    `Records, for every transport in use: _sip._udp.S.B (one site's pair), _sip._udp.S-preferred.B (S then its peer), _sip._udp.B (both sites, weights by capacity), NAPTR on S.B, S-preferred.B and B for the transports of the phones resolving each name (RFC 3263), S.B A/AAAA and the A/AAAA of the server hosts inside the zone (B = <subdomain>.<zone>).

Formats: bind (zone-file fragment with $ORIGIN/$TTL, to $INCLUDE in the zone), nsupdate (a script that replaces exactly these RRsets), json (dns-packet records; the same as --json), wire (an RFC 2136 UPDATE message, raw bytes), octodns (zone data for octoDNS's YamlProvider).

With --drain SITE the bind and nsupdate banners carry a "DRAINED" comment line and every json record a "drained": SITE field.

To change a live zone use \`sipbc dns push\` (a plan, then one TSIG-signed update with --apply); to check it, \`sipbc dns verify\`.`;
  static override examples = [
    '<%= config.bin %> dns inventory.yaml > sip.zone',
    '<%= config.bin %> dns inventory.yaml --format nsupdate --server ns1.contoso.example | nsupdate -k tsig.key',
    '<%= config.bin %> dns inventory.yaml --drain east --format nsupdate > drain-east.nsupdate',
    '<%= config.bin %> dns inventory.yaml --format wire > update.bin',
    '<%= config.bin %> dns inventory.yaml --format octodns > config/sip-records.yaml',
  ];
  static override enableJsonFlag = true;
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    format: Flags.string({ char: 'f', options: [...DNS_FORMATS], default: 'bind', description: 'output format (json: the same as --json)' }),
    drain: Flags.string({
      description:
        "graceful migration: this site goes behind its peer in the preferred and balanced SRV names (priority 30/40 after the peer's 10/20), so phones move off it while it still answers; the output says it is drained",
    }),
    server: Flags.string({ description: 'nsupdate: add a "server" line for this name server' }),
    'server-port': Flags.integer({ min: 1, max: 65535, dependsOn: ['server'], description: 'nsupdate: port of --server' }),
  };

  async run(): Promise<object[]> {
    const { args, flags } = await this.parse(Dns);
    // Checked before the inventory is read: a usage error whatever the inventory holds.
    const serverProblem = flags.server === undefined ? undefined : nameServerProblem(flags.server);
    if (serverProblem) {
      throw new SipbcError(
        `--server ${JSON.stringify(flags.server)} ${serverProblem}`,
        ExitCode.USAGE,
        'give the name server as a host name (ns1.contoso.example) or an IP address (192.0.2.53, 2001:db8::53); its port goes in --server-port',
      );
    }
    const { loaded, inventory, records } = inventoryRecords(args.inventory, {
      drain: flags.drain,
      consequence: 'no records written',
      logToStderr: (l) => this.logToStderr(l),
    });

    // --json prints exactly what --format json prints.
    if (this.jsonEnabled()) return dnsJson(records, flags.drain);
    const server = flags.server ? { host: flags.server, port: flags['server-port'] } : undefined;
    const out = renderDns(inventory, records, flags.format as DnsFormat, { source: loaded.file, server, drain: flags.drain });
    await this.writeOut(out);
    return [];
  }
}
