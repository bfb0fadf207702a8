/**
 * The records as one RFC 2136 UPDATE message for the zone (`--format wire`), encoded with
 * dns-packet:
 *
 *   header   opcode UPDATE (5), QR = 0, id (0 unless given: the output is deterministic)
 *   zone     one "question": <zone> SOA IN                         (RFC 2136 §2.3)
 *   prereq   none
 *   update   per RRset, in the zone printer's order:
 *              delete the RRset: <owner> <type> class ANY, TTL 0, no RDATA   (§2.5.2)
 *              add each record:  <owner> <type> IN <ttl> <rdata>             (§2.5.1)
 *   additional none (no TSIG: sign it yourself if the server requires a key)
 *
 * dns-packet writes the four section counts from its questions/answers/authorities/additionals
 * arrays; in an UPDATE these are ZOCOUNT/PRCOUNT/UPCOUNT/ADCOUNT. It has no way to write an RR
 * with empty RDATA for a known type, so each delete is written through its "unknown type"
 * encoder (`UNKNOWN_<code>` + an empty buffer), which produces exactly the RFC 2136 bytes.
 * For the same reason `dns-packet.decode` cannot read such a message back (it would parse the
 * empty SRV/A RDATA); `decodeUpdate` below reads it with dns-packet's per-record decoder.
 *
 * Over UDP the message must fit the server's limit (512 bytes without EDNS is always safe;
 * BIND accepts larger UDP updates); for big record sets send it over TCP with a 2-byte length.
 */
import dnsPacket from 'dns-packet';
import { canonicalName, type DnsPacketRecord, type DnsRecord, rrsets } from './records.js';
import { sortRecords } from './zone.js';
import { CLASS, OPCODE_UPDATE, TYPE_CODES } from './message.js';

/** dns-packet's per-part codecs (present at runtime, not in @types/dns-packet). */
interface Codec<T> {
  decode(buf: Buffer, offset?: number): T;
  encode: unknown;
}
const dp = dnsPacket as unknown as typeof dnsPacket & {
  name: Codec<string> & { decode: { bytes: number } & ((buf: Buffer, offset?: number) => string) };
  answer: { decode: { bytes: number } & ((buf: Buffer, offset?: number) => DnsPacketRecord & { flush?: boolean }) };
  question: { decode: { bytes: number } & ((buf: Buffer, offset?: number) => { name: string; type: string; class: string }) };
};

export interface UpdateOptions {
  zone: string;
  /** Message id (default 0). */
  id?: number;
}

export function encodeUpdate(records: readonly DnsRecord[], opts: UpdateOptions): Buffer {
  const zone = canonicalName(opts.zone);
  const updates: unknown[] = [];
  for (const set of rrsets(sortRecords(records)).values()) {
    const code = TYPE_CODES[set[0].type];
    updates.push({ name: set[0].name, type: `UNKNOWN_${code}`, class: 'ANY', ttl: 0, data: Buffer.alloc(0) });
    for (const r of set) updates.push(r.toJSON());
  }
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 0,
    flags: OPCODE_UPDATE << 11,
    questions: [{ name: zone, type: 'SOA', class: 'IN' }],
    answers: [],
    authorities: updates as dnsPacket.Answer[],
    additionals: [],
  });
}

/** An RR of the update section: a delete has `class: 'ANY'`, `ttl: 0` and `data: null`. */
export type UpdateRR = DnsPacketRecord | { name: string; type: string; class: 'ANY' | 'NONE' | string; ttl: number; data: null };

export interface DecodedUpdate {
  id: number;
  opcode: number;
  zone: { name: string; type: string; class: string };
  prerequisites: UpdateRR[];
  updates: UpdateRR[];
  additionals: UpdateRR[];
}

/** Reads an UPDATE message (as written by `encodeUpdate`, or a server's reply) with dns-packet's decoders. */
export function decodeUpdate(buf: Buffer): DecodedUpdate {
  if (buf.length < 12) throw new Error('a DNS message is at least 12 bytes');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  let offset = 12;
  let zone = { name: '', type: '', class: '' };
  for (let i = 0; i < counts[0]; i++) {
    zone = dp.question.decode(buf, offset);
    offset += dp.question.decode.bytes;
  }
  const section = (n: number): UpdateRR[] => {
    const out: UpdateRR[] = [];
    for (let i = 0; i < n; i++) {
      const name = dp.name.decode(buf, offset);
      const fixed = offset + dp.name.decode.bytes;
      const rdlength = buf.readUInt16BE(fixed + 8);
      if (rdlength === 0) {
        const type = Object.keys(TYPE_CODES).find((k) => TYPE_CODES[k] === buf.readUInt16BE(fixed)) ?? `UNKNOWN_${buf.readUInt16BE(fixed)}`;
        const klass = buf.readUInt16BE(fixed + 2);
        out.push({
          name,
          type,
          class: klass === CLASS.ANY ? 'ANY' : klass === CLASS.NONE ? 'NONE' : `CLASS${klass}`,
          ttl: buf.readUInt32BE(fixed + 4),
          data: null,
        });
        offset = fixed + 10;
      } else {
        const a = dp.answer.decode(buf, offset);
        offset += dp.answer.decode.bytes;
        delete a.flush;
        out.push(a);
      }
    }
    return out;
  };
  const prerequisites = section(counts[1]);
  const updates = section(counts[2]);
  const additionals = section(counts[3]);
  return { id, opcode: (flags >> 11) & 0xf, zone, prerequisites, updates, additionals };
}
