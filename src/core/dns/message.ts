/**
 * The DNS message pieces dns-packet cannot write: RRs of class NONE (254) and RRs without RDATA
 * (the RFC 2136 prerequisites and deletes), names in canonical wire form for TSIG, and walking a
 * message to find where its last RR starts. RDATA itself is still dns-packet's encoders.
 */
import dnsPacket from 'dns-packet';
import type { DnsRecord } from './records.js';

export const TYPE_CODES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, NAPTR: 35, AXFR: 252 };
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE_QUERY = 0;
export const OPCODE_UPDATE = 5;

/** dns-packet's per-type RDATA codecs (present at runtime, not in @types/dns-packet); `encode` writes RDLENGTH first. */
const codecs = dnsPacket as unknown as Record<string, { encode(data: unknown): Buffer }>;

/** A name in uncompressed, lower-case wire form (RFC 4034 §6.2); "" or "." is the root. */
export function nameWire(name: string): Buffer {
  const n = name.replace(/\.$/, '').toLowerCase();
  const labels = n === '' ? [] : n.split('.');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
}

/** Reads a (possibly compressed) name at `offset`: the name without trailing dot, and where the RR continues. */
export function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let p = offset;
  let end = -1;
  for (let jumps = 0; ; ) {
    const len = buf[p];
    if (len === undefined) throw new Error('DNS message ends inside a name');
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = p + 2;
      if (++jumps > 64) throw new Error('DNS name compression loop');
      p = buf.readUInt16BE(p) & 0x3fff;
      continue;
    }
    if (len === 0) {
      if (end < 0) end = p + 1;
      break;
    }
    labels.push(buf.toString('latin1', p + 1, p + 1 + len));
    p += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), end };
}

export const skipQuestion = (buf: Buffer, offset: number): number => readName(buf, offset).end + 4;
export const skipRR = (buf: Buffer, offset: number): number => {
  const end = readName(buf, offset).end;
  return end + 10 + buf.readUInt16BE(end + 8);
};

/** One RR. Without `record` the RDATA is empty (RDLENGTH 0); with it, the record's RDATA. */
export function encodeRR(name: string, type: string, klass: number, ttl: number, record?: DnsRecord): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16BE(TYPE_CODES[type], 0);
  fixed.writeUInt16BE(klass, 2);
  fixed.writeUInt32BE(ttl, 4);
  const rdata = record ? codecs[record.type.toLowerCase()].encode(record.packetData()) : Buffer.alloc(2);
  return Buffer.concat([nameWire(name), fixed, rdata]);
}

export function encodeQuestion(name: string, type: string, klass: number = CLASS.IN): Buffer {
  const fixed = Buffer.alloc(4);
  fixed.writeUInt16BE(TYPE_CODES[type], 0);
  fixed.writeUInt16BE(klass, 2);
  return Buffer.concat([nameWire(name), fixed]);
}

/** A message from its header fields and four sections of encoded entries. */
export function encodeMessage(id: number, flags: number, sections: [Buffer[], Buffer[], Buffer[], Buffer[]]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(flags, 2);
  sections.forEach((s, i) => header.writeUInt16BE(s.length, 4 + 2 * i));
  return Buffer.concat([header, ...sections.flat()]);
}

/** A query for one RRset (RD off: an authoritative server is asked). */
export function encodeQuery(id: number, name: string, type: string): Buffer {
  return encodeMessage(id, OPCODE_QUERY << 11, [[encodeQuestion(name, type)], [], [], []]);
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
export const rcodeName = (code: number): string => RCODES[code] ?? `RCODE ${code}`;

/** The header of an answer: id, flags the client looks at, the RCODE. */
export function answerHeader(buf: Buffer): { id: number; qr: boolean; aa: boolean; tc: boolean; opcode: number; rcode: number } {
  if (buf.length < 12) throw new Error(`a DNS message is at least 12 bytes, got ${buf.length}`);
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
  };
}
