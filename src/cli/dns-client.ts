/**
 * The network side of `sipbc dns push` and `sipbc dns verify`: DNS over UDP and TCP (RFC 1035
 * §4.2, RFC 7766) with node's dgram/net, a zone transfer (AXFR), per-RRset queries and the signed
 * UPDATE. Everything about message contents is in src/core/dns (message.ts, tsig.ts, push.ts).
 *
 * Errors are SipbcErrors with exit 2 that say what the server answered and what to check; none
 * of them ever contains the TSIG secret (it is not reachable from here: tsig.ts keeps it).
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import { nameServerProblem } from '../core/dns-names.js';
import { ExitCode, SipbcError } from '../core/errors.js';
import { answerHeader, encodeMessage, encodeQuery, encodeQuestion, OPCODE_QUERY, rcodeName } from '../core/dns/message.js';
import { encodePlanUpdate, type DnsPlan } from '../core/dns/push.js';
import { recordFromPacket, type DnsRecord, type PacketRR, type RecordType } from '../core/dns/records.js';
import { signMessage, TsigVerifier, type TsigKey } from '../core/dns/tsig.js';
import { compareRrset, mergeTransports, type Difference, type VerifyResult } from '../core/dns/verify.js';

/** Without EDNS a UDP message is at most 512 bytes (RFC 1035 §4.2.1); a larger one goes over TCP. */
export const UDP_LIMIT = 512;
export const DEFAULT_TIMEOUT_MS = 5000;

export interface ServerAddress {
  host: string;
  port: number;
  /** How messages name it: "ns1.example:53", "[2001:db8::53]:53". */
  label: string;
}

/** `HOST`, `HOST:PORT`, `[IPv6]:PORT` or a bare IPv6 address; port 53 by default. */
export function parseServer(text: string): ServerAddress {
  let host = text;
  let port = 53;
  const v6 = text.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (v6) {
    host = v6[1];
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else if (isIP(text) !== 6) {
    const m = text.match(/^([^:]+):(\d+)$/);
    if (m) {
      host = m[1];
      port = Number(m[2]);
    }
  }
  const hint = 'give the primary name server as HOST or HOST:PORT (ns1.contoso.example, 192.0.2.53:53, [2001:db8::53]:53)';
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new SipbcError(`--server ${JSON.stringify(text)}: the port must be from 1 to 65535`, ExitCode.USAGE, hint);
  const problem = nameServerProblem(host);
  if (problem) throw new SipbcError(`--server ${JSON.stringify(text)}: ${JSON.stringify(host)} ${problem}`, ExitCode.USAGE, hint);
  return { host, port, label: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}

const usage = (message: string, hint?: string) => new SipbcError(message, ExitCode.USAGE, hint);

export interface ClientOptions {
  timeoutMs?: number;
  key?: TsigKey;
}

export interface Answer {
  rcode: number;
  aa: boolean;
  records: DnsRecord[];
}

export class DnsClient {
  private address?: Promise<{ address: string; family: number }>;
  readonly timeoutMs: number;

  constructor(
    readonly server: ServerAddress,
    private readonly opts: ClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private resolve(): Promise<{ address: string; family: number }> {
    this.address ??= isIP(this.server.host)
      ? Promise.resolve({ address: this.server.host, family: isIP(this.server.host) })
      : lookup(this.server.host).catch((e: NodeJS.ErrnoException) => {
          throw usage(
            `--server ${this.server.host}: cannot resolve the name (${e.code ?? e.message})`,
            'give the name server as an IP address, or a name this machine resolves',
          );
        });
    return this.address;
  }

  private timeout(transport: string): SipbcError {
    return usage(
      `no answer from ${this.server.label} over ${transport} within ${this.timeoutMs / 1000} s`,
      'check --server (host and port), that the name server runs and that no firewall drops DNS',
    );
  }

  /** One message over UDP, one answer (an answer with another id is ignored, as a resolver does). */
  async udp(message: Buffer): Promise<Buffer> {
    const { address, family } = await this.resolve();
    const id = message.readUInt16BE(0);
    return new Promise((resolve, reject) => {
      const s = createSocket(family === 6 ? 'udp6' : 'udp4');
      const done = (f: () => void) => {
        clearTimeout(timer);
        s.close();
        f();
      };
      const timer = setTimeout(() => done(() => reject(this.timeout('UDP'))), this.timeoutMs);
      s.on('message', (msg) => {
        if (msg.length >= 12 && msg.readUInt16BE(0) === id) done(() => resolve(msg));
      });
      s.once('error', (e) => done(() => reject(usage(`${this.server.label} over UDP: ${e.message}`))));
      s.send(message, this.server.port, address);
    });
  }

  /** One message over TCP (2-byte length prefix); reads answers until `more(answer)` returns false. */
  async tcp(message: Buffer, more: (answer: Buffer) => boolean = () => false): Promise<Buffer[]> {
    const { address } = await this.resolve();
    return new Promise((resolve, reject) => {
      const s = new Socket();
      const out: Buffer[] = [];
      let pending = Buffer.alloc(0);
      let finished = false;
      const done = (f: () => void) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        s.destroy();
        f();
      };
      // The timeout counts from the last bytes received: a long zone transfer keeps the connection alive.
      const timer = setTimeout(() => done(() => reject(this.timeout('TCP'))), this.timeoutMs);
      s.on('data', (chunk) => {
        timer.refresh();
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
          const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
          pending = pending.subarray(2 + msg.length);
          out.push(Buffer.from(msg));
          if (!more(msg)) return done(() => resolve(out));
        }
      });
      s.once('error', (e: NodeJS.ErrnoException) =>
        done(() =>
          reject(
            usage(
              `${this.server.label} over TCP: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`,
              'check --server (host and port) and that the name server listens on TCP',
            ),
          ),
        ),
      );
      s.once('close', () => done(() => (out.length ? resolve(out) : reject(usage(`${this.server.label} closed the TCP connection without an answer`)))));
      s.connect(this.server.port, address, () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(message.length);
        s.write(Buffer.concat([len, message]));
      });
    });
  }

  /** One message, one answer: over UDP, or over TCP when asked or when the UDP answer is truncated. */
  private async exchange(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer> {
    let buf = transport === 'udp' ? await this.udp(msg) : (await this.tcp(msg))[0];
    if (transport === 'udp' && answerHeader(buf).tc) buf = (await this.tcp(msg))[0];
    if (buf.readUInt16BE(0) !== msg.readUInt16BE(0)) throw usage(`${this.server.label} answered with another message id over TCP`);
    return buf;
  }

  /** The records of one RRset, asked over UDP (TCP when the UDP answer is truncated) or over TCP. */
  async query(name: string, type: RecordType, transport: 'udp' | 'tcp'): Promise<Answer> {
    const buf = await this.exchange(encodeQuery(randomInt(0x10000), name, type), transport);
    const h = answerHeader(buf);
    if (h.rcode !== 0 && h.rcode !== 3) {
      throw usage(
        `${this.server.label} answered ${rcodeName(h.rcode)} to a query for ${name} ${type}`,
        h.rcode === 5 ? 'allow queries from this machine (allow-query) on the name server' : undefined,
      );
    }
    const decoded = dnsPacket.decode(buf);
    const records = (decoded.answers ?? [])
      .filter((a) => a.type === type && a.name.toLowerCase() === name)
      .map((a) => recordFromPacket(a as PacketRR))
      .filter((r): r is DnsRecord => r !== undefined);
    return { rcode: h.rcode, aa: h.aa, records };
  }

  /**
   * The whole zone by AXFR over TCP (signed when there is a key), or the reason it was not given
   * (REFUSED, NOTAUTH, the connection closed): the caller then asks RRset by RRset. `onMessage` sees
   * each message of the transfer (tests count them).
   */
  async axfr(zone: string, onMessage?: (message: Buffer) => void): Promise<{ records: DnsRecord[] } | { refused: string }> {
    let msg = encodeMessage(randomInt(0x10000), OPCODE_QUERY << 11, [[encodeQuestion(zone, 'AXFR')], [], [], []]);
    let verifier: TsigVerifier | undefined;
    if (this.opts.key) {
      const signed = signMessage(msg, this.opts.key, Date.now() / 1000);
      msg = signed.message;
      verifier = new TsigVerifier(this.opts.key, signed.mac);
    }
    // The transfer ends with the zone's SOA, the second one seen.
    let soas = 0;
    const decoded: PacketRR[][] = [];
    let answers: Buffer[];
    try {
      answers = await this.tcp(msg, (m) => {
        if (answerHeader(m).rcode !== 0) return false;
        const rrs = (dnsPacket.decode(m).answers ?? []) as PacketRR[];
        decoded.push(rrs);
        soas += rrs.filter((a) => a.type === 'SOA').length;
        return soas < 2;
      });
    } catch (e) {
      if (e instanceof SipbcError && /closed the TCP connection/.test(e.message)) return { refused: 'the server closed the connection' };
      throw e;
    }
    const first = answerHeader(answers[0]);
    if (first.rcode !== 0) return { refused: rcodeName(first.rcode) };
    if (soas < 2) return { refused: 'the transfer ended early' };
    const records: DnsRecord[] = [];
    answers.forEach((a, i) => {
      onMessage?.(a);
      if (verifier) {
        const check = verifier.check(a);
        if (!check.ok)
          throw usage(`${this.server.label}: zone transfer of ${zone}: ${check.problem}`, 'check that --key-file / --key is the key the server knows');
      }
      for (const rr of decoded[i]) {
        const r = recordFromPacket(rr);
        if (r) records.push(r);
      }
    });
    return { records };
  }

  /** Sends the UPDATE (signed when there is a key; over TCP when it is larger than UDP allows) and checks the answer. */
  async update(message: Buffer, zone: string): Promise<{ transport: 'udp' | 'tcp'; bytes: number }> {
    let msg = message;
    let verifier: TsigVerifier | undefined;
    if (this.opts.key) {
      const signed = signMessage(message, this.opts.key, Date.now() / 1000);
      msg = signed.message;
      verifier = new TsigVerifier(this.opts.key, signed.mac);
    }
    const transport = msg.length > UDP_LIMIT ? 'tcp' : 'udp';
    const answer = await this.exchange(msg, transport);
    const h = answerHeader(answer);
    const check = verifier?.check(answer);
    if (h.rcode !== 0) throw updateError(this.server.label, zone, h.rcode, check && !check.ok ? (check.tsigError ?? check.problem) : undefined);
    if (check && !check.ok)
      throw usage(
        `${this.server.label} applied the update, but its answer fails the TSIG check: ${check.problem}`,
        'run sipbc dns verify to see what the server now holds',
      );
    return { transport, bytes: msg.length };
  }
}

/** The server's refusal of an UPDATE as a sentence and a fix. */
export function updateError(server: string, zone: string, rcode: number, tsig?: string): SipbcError {
  const name = rcodeName(rcode);
  const changed = 'nothing was changed: the zone changed after sipbc read it; run sipbc dns push again to see the new plan';
  const keyFix =
    'check the key (name, algorithm and secret as in the server\'s key statement) and that the zone allows it: allow-update { key "<name>"; }; or an update-policy grant';
  const what: Record<string, [string, string | undefined]> = {
    NOTAUTH: [
      tsig ? `the server refused the TSIG signature (${tsig})` : `the server is not authoritative for ${zone}, or wants a TSIG key`,
      tsig ? keyFix : 'give --server the primary server of the zone, and --key-file if it requires a key',
    ],
    REFUSED: [
      `the server refused the update of ${zone}`,
      'allow this client or key to update the zone: allow-update { key "<name>"; }; or update-policy { grant <name> … ; }; in named.conf',
    ],
    YXRRSET: [`a prerequisite failed: an RRset sipbc was about to add exists now (YXRRSET); ${changed}`, undefined],
    NXRRSET: [`a prerequisite failed: an RRset sipbc read is not what it was (NXRRSET); ${changed}`, undefined],
    YXDOMAIN: [`a prerequisite failed (YXDOMAIN); ${changed}`, undefined],
    NXDOMAIN: [`a prerequisite failed (NXDOMAIN); ${changed}`, undefined],
    NOTZONE: [`a name of the update is not inside ${zone} (NOTZONE)`, 'check dns.zone in the inventory: it must be the zone the server holds'],
    SERVFAIL: [`the server failed to apply the update (SERVFAIL)`, "look at the name server's log (a journal it cannot write, a zone not loaded)"],
    FORMERR: ['the server could not read the update (FORMERR)', undefined],
    NOTIMP: ['the server does not implement dynamic updates (NOTIMP)', "send the update to the zone's primary server"],
  };
  const [message, hint] = what[name] ?? [`the server answered ${name}`, undefined];
  return new SipbcError(`${server}: update of ${zone} refused: ${message}`, ExitCode.USAGE, hint);
}

/** Runs `f` on every item, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]);
      }
    }),
  );
  return out;
}

const splitKey = (key: string): [string, RecordType] => {
  const i = key.lastIndexOf(' ');
  return [key.slice(0, i), key.slice(i + 1) as RecordType];
};

function notAuthoritative(client: DnsClient, zone: string): SipbcError {
  return usage(
    `${client.server.label} is not authoritative for ${zone} (its answers lack the AA flag)`,
    'give --server a primary or secondary name server of the zone, not a resolver',
  );
}

/** What the server holds at the owned RRsets: by AXFR when the server allows it, else one query per RRset. */
export async function readOwned(client: DnsClient, zone: string, owned: ReadonlySet<string>): Promise<{ records: DnsRecord[]; via: string }> {
  const axfr = await client.axfr(zone);
  if ('records' in axfr) return { records: axfr.records.filter((r) => owned.has(r.rrsetKey)), via: 'AXFR' };
  const answers = await mapLimit([...owned], 8, async (key) => {
    const [name, type] = splitKey(key);
    const a = await client.query(name, type, 'udp');
    if (!a.aa) throw notAuthoritative(client, zone);
    return a.records;
  });
  return { records: answers.flat(), via: `queries (AXFR: ${axfr.refused})` };
}

/** Plan → one signed UPDATE. `beforeSend` runs between building and sending (tests change the zone there). */
export async function applyPlan(
  client: DnsClient,
  plan: DnsPlan,
  hooks: { beforeSend?: () => Promise<void> | void } = {},
): Promise<{ transport: 'udp' | 'tcp'; bytes: number }> {
  const message = encodePlanUpdate(plan, randomInt(0x10000));
  await hooks.beforeSend?.();
  return client.update(message, plan.zone);
}

/** Every owned RRset asked over UDP and over TCP, compared with what the inventory expects. */
export async function verifyServer(client: DnsClient, zone: string, expected: readonly DnsRecord[], owned: ReadonlySet<string>): Promise<VerifyResult> {
  const keys = [...new Set([...expected.map((r) => r.rrsetKey), ...owned])];
  const lists = await mapLimit(keys, 8, async (key) => {
    const [name, type] = splitKey(key);
    const want = expected.filter((r) => r.rrsetKey === key);
    const per = await Promise.all(
      (['udp', 'tcp'] as const).map(async (t) => {
        const a = await client.query(name, type, t);
        if (!a.aa) throw notAuthoritative(client, zone);
        return compareRrset(name, type, want, a.records, t);
      }),
    );
    return mergeTransports(per[0], per[1]);
  });
  const differences: Difference[] = lists.flat();
  return { server: client.server.label, zone, checked: keys.length, differences };
}
