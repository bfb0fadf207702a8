/**
 * `sipbc dns push INVENTORY --server HOST[:PORT] [--key-file FILE | --key NAME:ALG:ENV] [--apply] [--drain SITE]`:
 * reads what the server holds at sipbc's RRsets, prints the plan, and with --apply sends it as one
 * TSIG-signed RFC 2136 UPDATE guarded by prerequisites. Thin: the plan is src/core/dns/push.ts,
 * the network src/cli/dns-client.ts.
 */
import { Args, Flags } from '@oclif/core';
import { SipbcCommand } from '../../cli/base-command.js';
import { applyPlan, DnsClient, parseServer, readOwned } from '../../cli/dns-client.js';
import { inventoryRecords, keyFlags, keyFromFlags, serverFlags } from '../../cli/dns-command.js';
import { zoneOf } from '../../core/dns/build.js';
import { ownedRrsets, planChanges, planJson, planSummary, renderPlan } from '../../core/dns/push.js';
import { ExitCode } from '../../core/errors.js';

export default class DnsPush extends SipbcCommand {
  static override summary = "Bring a live zone to the inventory's records: a plan, then one TSIG-signed dynamic update with --apply.";
  static override description =
    `Reads what the server holds at the RRsets sipbc owns (by zone transfer when the server allows it, else one query per RRset): for B, each S.B and each S-preferred.B their NAPTR and their _sip._udp / _sip._tcp / _sips._tcp SRV sets, S.B A/AAAA, and the A/AAAA of the server hosts inside the zone. Nothing else in the zone is read into the plan or ever changed.

Prints the minimal change (- records to delete, + records to add, per RRset). Without --apply nothing is sent: exit 0 when the zone is up to date, 3 when changes are pending. With --apply the change goes as ONE RFC 2136 UPDATE (all or nothing) whose prerequisites make the server refuse it if any RRset changed since it was read; signed with TSIG (RFC 8945) when a key is given.

The server needs the zone open to updates from the key: allow-update { key "<name>"; }; or an update-policy grant (see docs/guide.md, "Live DNS").`;
  static override examples = [
    '<%= config.bin %> dns push inventory.yaml --server ns1.contoso.example --key-file /etc/sipbc/tsig.key',
    '<%= config.bin %> dns push inventory.yaml --server ns1.contoso.example --key-file /etc/sipbc/tsig.key --apply',
    'SIPBC_TSIG_SECRET=… <%= config.bin %> dns push inventory.yaml --server 192.0.2.53:53 --key sipbc:hmac-sha256:SIPBC_TSIG_SECRET --drain east --apply',
  ];
  static override enableJsonFlag = true;
  static override args = {
    inventory: Args.string({ required: true, description: 'inventory file (YAML or JSON), - for stdin' }),
  };
  static override flags = {
    ...serverFlags,
    ...keyFlags,
    apply: Flags.boolean({ default: false, description: 'send the update (without it nothing changes on the server)' }),
    drain: Flags.string({ description: 'graceful migration: move this site behind its peer in the preferred and balanced names' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(DnsPush);
    const server = parseServer(flags.server);
    const key = keyFromFlags(flags, process.env);
    const { inventory, records } = inventoryRecords(args.inventory, {
      drain: flags.drain,
      consequence: 'nothing sent',
      logToStderr: (l) => this.logToStderr(l),
    });
    const zone = zoneOf(inventory);
    const client = new DnsClient(server, { key, timeoutMs: flags.timeout * 1000 });
    const owned = ownedRrsets(inventory, records);
    const read = await readOwned(client, zone, owned);
    const plan = planChanges(zone, records, read.records, owned);
    const pending = plan.changes.length > 0;
    let sent: { transport: string; bytes: number } | undefined;
    if (pending && flags.apply) sent = await applyPlan(client, plan);
    const result = { server: server.label, read: read.via, ...planJson(plan), applied: sent !== undefined, ...(sent ? { sent } : {}) };

    // With --json oclif prints what run() returns; an exit 3 returns nothing, so that JSON is printed here.
    if (this.jsonEnabled()) {
      if (pending && !flags.apply) {
        this.logJson(result);
        return this.exit(ExitCode.DRIFT);
      }
      return result;
    }
    await this.writeOut(renderPlan(plan));
    const head = `${server.label} zone ${zone} (read by ${read.via}): ${planSummary(plan)}`;
    if (!pending) this.logToStderr(`${head}; up to date`);
    else if (sent)
      this.logToStderr(
        `${head}; applied in one ${key ? `TSIG-signed (key ${key.name}) ` : ''}update over ${sent.transport.toUpperCase()} (${sent.bytes} bytes)`,
      );
    else this.logToStderr(`${head}; nothing sent: add --apply to send this change`);
    if (pending && !flags.apply) return this.exit(ExitCode.DRIFT);
    return result;
  }
}
