/**
 * `sipbc dns verify INVENTORY --server HOST[:PORT] [--format text|json|github]`: every RRset sipbc
 * owns, asked over UDP and TCP, against what the inventory expects; exit 3 on any difference.
 * Thin: comparison in src/core/dns/verify.ts, queries in src/cli/dns-client.ts.
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../../cli/base-command.js';
import { DnsClient, parseServer, verifyServer } from '../../cli/dns-client.js';
import { inventoryRecords, serverFlags } from '../../cli/dns-command.js';
import { zoneOf } from '../../core/dns/build.js';
import { ownedRrsets } from '../../core/dns/push.js';
import { renderVerifyGithub, renderVerifyText } from '../../core/dns/verify.js';
import { ExitCode } from '../../core/errors.js';

export default class DnsVerify extends SipbcCommand {
  static override summary = "Check what a name server really answers against the inventory's records (exit 3 on drift).";
  static override description =
    `Asks the server for every RRset sipbc owns, over UDP and over TCP, and reports each difference: a missing RRset or record, an extra target, a wrong priority, weight, port or TTL, a NAPTR order or preference, an RRset sipbc does not publish (e.g. the SRV set of a transport no longer in use). Exit 0 when the server answers exactly the inventory's records, 3 on any difference, 2 when the server cannot be asked. Usable from cron or CI against production DNS; --drain SITE checks a drained zone.`;
  static override examples = [
    '<%= config.bin %> dns verify inventory.yaml --server ns1.contoso.example',
    '<%= config.bin %> dns verify inventory.yaml --server 192.0.2.53 --format github',
  ];
  static override enableJsonFlag = true;
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    ...serverFlags,
    format: Flags.string({ char: 'f', options: ['text', 'json', 'github'], default: 'text', description: 'report format' }),
    drain: Flags.string({ description: 'expect the records of a graceful migration of this site' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(DnsVerify);
    const server = parseServer(flags.server);
    const { inventory, records } = inventoryRecords(args.inventory, {
      drain: flags.drain,
      consequence: 'nothing checked',
      logToStderr: (l) => this.logToStderr(l),
    });
    const client = new DnsClient(server, { timeoutMs: flags.timeout * 1000 });
    const result = await verifyServer(client, zoneOf(inventory), records, ownedRrsets(inventory, records));
    const json = { ...result, ok: result.differences.length === 0 };
    const drift = !json.ok;
    // With --json oclif prints what run() returns; an exit 3 returns nothing, so that JSON is printed here.
    if (this.jsonEnabled()) {
      if (!drift) return json;
      this.logJson(json);
      return this.exit(ExitCode.DRIFT);
    }
    const text = { json: () => JSON.stringify(json, null, 2) + '\n', github: () => renderVerifyGithub(result), text: () => renderVerifyText(result) }[
      flags.format as 'text' | 'json' | 'github'
    ]();
    await this.writeOut(text);
    if (drift) return this.exit(ExitCode.DRIFT);
    return json;
  }
}
