/**
 * The records as an `nsupdate` script that replaces exactly these RRsets
 * and nothing else: for each RRset (in the zone printer's order), `update delete <owner> <type>`
 * then one `update add` per record; one `send` at the end, so the server applies the whole
 * change as a single RFC 2136 UPDATE (all or nothing).
 *
 * The `server` line is left for the user (a commented hint), unless `server` is given.
 * Names are absolute (trailing dot) so the script does not depend on nsupdate's `origin`.
 */
import { nameServerProblem } from '../dns-names.js';
import { ExitCode, SipbcError } from '../errors.js';
import { canonicalName, type DnsRecord, rrsets } from './records.js';
import { banner, sortRecords } from './zone.js';

export interface NsupdateOptions {
  zone: string;
  /** The inventory file name, for the banner. */
  source: string;
  /** Adds `server <host> [port]`. */
  server?: { host: string; port?: number };
  /** The site drained (--drain): a second banner line says so. */
  drain?: string;
}

export function renderNsupdate(records: readonly DnsRecord[], opts: NsupdateOptions): string {
  const zone = canonicalName(opts.zone);
  const lines = [banner(opts.source, opts.drain)];
  // The command checks --server first; this guards every other caller (a line break would add commands).
  const problem = opts.server && nameServerProblem(opts.server.host);
  if (problem) throw new SipbcError(`nsupdate server ${JSON.stringify(opts.server!.host)} ${problem}`, ExitCode.USAGE);
  if (opts.server) lines.push(`server ${opts.server.host}${opts.server.port !== undefined ? ` ${opts.server.port}` : ''}`);
  else lines.push('; add "server <primary name server> [port]" here, or run: nsupdate -k <tsig key file> <this file>');
  lines.push(`zone ${zone}.`);
  for (const set of rrsets(sortRecords(records)).values()) {
    lines.push(`update delete ${set[0].name}. ${set[0].type}`);
    for (const r of set) lines.push(`update add ${r.name}. ${r.ttl} ${r.class} ${r.type} ${r.rdataText()}`);
  }
  lines.push('send');
  return lines.join('\n') + '\n';
}
