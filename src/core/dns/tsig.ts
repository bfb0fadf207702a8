/**
 * TSIG (RFC 8945): signing a request and checking the server's signed answer, with node:crypto's
 * HMAC. dns-packet knows the TSIG type code (250) but has no codec for its RDATA, so the record
 * and the MAC input are written here.
 *
 *   MAC of a request  = HMAC(secret, message without the TSIG RR ‖ TSIG variables)          §4.3.3
 *   MAC of an answer  = HMAC(secret, request MAC size ‖ request MAC ‖ answer ‖ variables)  §4.3.2
 *   later messages of one answer (AXFR) = HMAC(previous MAC size ‖ previous MAC ‖ the messages
 *                       since the last signed one ‖ time signed ‖ fudge)                    §4.3.1
 *   TSIG variables    = key name ‖ class ANY ‖ TTL 0 ‖ algorithm name ‖ time signed (48 bits) ‖
 *                       fudge ‖ error ‖ other len ‖ other data   (names in canonical wire form)
 *
 * The key's secret lives only inside a TsigKey: it prints as "[secret]" (toJSON, util.inspect),
 * and no error message here ever quotes it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ExitCode, SipbcError } from '../errors.js';
import { nameWire, readName, skipQuestion, skipRR } from './message.js';

const TYPE_TSIG = 250;
const CLASS_ANY = 255;
/** RFC 8945 §10: the fudge BIND and nsupdate use. */
export const DEFAULT_FUDGE = 300;

/** The algorithms of RFC 8945 §6 that node:crypto has; the name BIND's key files use → the wire name and hash. */
export const TSIG_ALGORITHMS = {
  'hmac-md5': { wire: 'hmac-md5.sig-alg.reg.int', hash: 'md5' },
  'hmac-sha1': { wire: 'hmac-sha1', hash: 'sha1' },
  'hmac-sha224': { wire: 'hmac-sha224', hash: 'sha224' },
  'hmac-sha256': { wire: 'hmac-sha256', hash: 'sha256' },
  'hmac-sha384': { wire: 'hmac-sha384', hash: 'sha384' },
  'hmac-sha512': { wire: 'hmac-sha512', hash: 'sha512' },
} as const;
export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

/** TSIG error codes (RFC 8945 §3, the extended RCODEs a TSIG RR carries). */
const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };
export const tsigErrorName = (code: number): string => TSIG_ERRORS[code] ?? `TSIG error ${code}`;

const secrets = new WeakMap<TsigKey, Buffer>();

/** A TSIG key. The secret is held outside the object's own properties, so no printing or JSON shows it. */
export class TsigKey {
  readonly name: string;
  constructor(
    name: string,
    readonly algorithm: TsigAlgorithm,
    secret: Buffer,
  ) {
    this.name = name.replace(/\.$/, '').toLowerCase();
    secrets.set(this, secret);
  }
  toJSON(): { name: string; algorithm: string; secret: string } {
    return { name: this.name, algorithm: this.algorithm, secret: '[secret]' };
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TsigKey { name: '${this.name}', algorithm: '${this.algorithm}', secret: [secret] }`;
  }
  /** @internal the HMAC of `parts` under this key. */
  hmac(parts: readonly Buffer[]): Buffer {
    const h = createHmac(TSIG_ALGORITHMS[this.algorithm].hash, secrets.get(this)!);
    for (const p of parts) h.update(p);
    return h.digest();
  }
}

export function isTsigAlgorithm(name: string): name is TsigAlgorithm {
  return Object.hasOwn(TSIG_ALGORITHMS, name);
}

/** A base64 secret as bytes; a usage error (that never quotes the text) when it is not base64. */
export function decodeSecret(text: string, where: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw new SipbcError(`${where}: the secret is not base64`, ExitCode.USAGE, 'use the secret exactly as tsig-keygen printed it');
  }
  return Buffer.from(clean, 'base64');
}

/**
 * The text with its comments (#, //, C-style) turned into spaces, so positions stay right. Quoted
 * strings are kept whole: a base64 secret may contain "//".
 */
function blankComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '#' || text.startsWith('//', i) || text.startsWith('/*', i)) {
      const block = text.startsWith('/*', i);
      const end = block ? text.indexOf('*/', i + 2) : text.indexOf('\n', i);
      const stop = end < 0 ? text.length : block ? end + 2 : end;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Line:column (1-based) of `index` in `text`. */
function position(text: string, index: number): string {
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/**
 * The one key of a BIND key file, as `tsig-keygen` writes it:
 *   key "name" { algorithm hmac-sha256; secret "base64"; };
 * Comments (#, //, C-style) are allowed. A file with no key or several keys is refused.
 */
export function parseKeyFile(text: string, file: string): TsigKey {
  const src = blankComments(text);
  const keys = [...src.matchAll(/\bkey\s+("([^"]*)"|([^\s{;"]+))\s*\{([^}]*)\}\s*;?/g)];
  const fix = 'make it with: tsig-keygen -a hmac-sha256 <key name> > <file>';
  if (keys.length === 0) throw new SipbcError(`${file}: no key "name" { algorithm …; secret "…"; }; block found`, ExitCode.USAGE, fix);
  if (keys.length > 1)
    throw new SipbcError(
      `${file}:${position(src, keys[1].index!)}: a second key block; give a file with one key`,
      ExitCode.USAGE,
      'split the file, one key per file',
    );
  const m = keys[0];
  const name = m[2] ?? m[3];
  const body = m[4];
  const bodyAt = m.index! + m[0].indexOf('{') + 1;
  const alg = body.match(/\balgorithm\s+"?([A-Za-z0-9.-]+)"?\s*;/);
  const secret = body.match(/\bsecret\s+"([^"]*)"\s*;/);
  const at = (i: number | undefined) => `${file}:${position(src, i ?? m.index!)}`;
  if (!name) throw new SipbcError(`${at(m.index)}: the key has no name`, ExitCode.USAGE, fix);
  if (!alg) throw new SipbcError(`${at(bodyAt)}: key "${name}" has no algorithm`, ExitCode.USAGE, fix);
  const algorithm = alg[1].toLowerCase().replace(/\.sig-alg\.reg\.int\.?$/, '');
  if (!isTsigAlgorithm(algorithm)) {
    throw new SipbcError(
      `${at(bodyAt + alg.index!)}: key "${name}": unsupported algorithm ${alg[1]}`,
      ExitCode.USAGE,
      `use one of ${Object.keys(TSIG_ALGORITHMS).join(', ')}`,
    );
  }
  if (!secret) throw new SipbcError(`${at(bodyAt)}: key "${name}" has no secret "…"; line`, ExitCode.USAGE, fix);
  return new TsigKey(name, algorithm, decodeSecret(secret[1], `${at(bodyAt + secret.index!)}: key "${name}"`));
}

function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

interface TsigFields {
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

function variables(key: TsigKey, f: Omit<TsigFields, 'mac' | 'originalId'>): Buffer {
  return Buffer.concat([
    nameWire(key.name),
    u16(CLASS_ANY),
    Buffer.alloc(4),
    nameWire(f.algorithm),
    u48(f.timeSigned),
    u16(f.fudge),
    u16(f.error),
    u16(f.other.length),
    f.other,
  ]);
}

function tsigRR(key: TsigKey, f: TsigFields): Buffer {
  const rdata = Buffer.concat([
    nameWire(f.algorithm),
    u48(f.timeSigned),
    u16(f.fudge),
    u16(f.mac.length),
    f.mac,
    u16(f.originalId),
    u16(f.error),
    u16(f.other.length),
    f.other,
  ]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE_TSIG, 0);
  fixed.writeUInt16BE(CLASS_ANY, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([nameWire(key.name), fixed, rdata]);
}

export interface Signed {
  message: Buffer;
  /** The request's MAC: the answer's MAC covers it. */
  mac: Buffer;
}

/** `message` (no TSIG yet) with a TSIG RR appended and ARCOUNT raised by one. `time`: seconds since the epoch. */
export function signMessage(message: Buffer, key: TsigKey, time: number, fudge = DEFAULT_FUDGE): Signed {
  const fields = { algorithm: TSIG_ALGORITHMS[key.algorithm].wire, timeSigned: Math.floor(time), fudge, error: 0, other: Buffer.alloc(0) };
  const mac = key.hmac([message, variables(key, fields)]);
  const out = Buffer.concat([message, tsigRR(key, { ...fields, mac, originalId: message.readUInt16BE(0) })]);
  out.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message: out, mac };
}

/** Where the TSIG RR of a message starts, and its fields; undefined when the last additional RR is not a TSIG. */
export function findTsig(buf: Buffer): { start: number; keyName: string; fields: TsigFields } | undefined {
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  if (counts[3] === 0) return undefined;
  let offset = 12;
  for (let i = 0; i < counts[0]; i++) offset = skipQuestion(buf, offset);
  for (let i = 0; i < counts[1] + counts[2] + counts[3] - 1; i++) offset = skipRR(buf, offset);
  const start = offset;
  const { name: keyName, end } = readName(buf, offset);
  if (buf.readUInt16BE(end) !== TYPE_TSIG) return undefined;
  let p = end + 10;
  const alg = readName(buf, p);
  p = alg.end;
  const timeSigned = buf.readUIntBE(p, 6);
  const fudge = buf.readUInt16BE(p + 6);
  const macSize = buf.readUInt16BE(p + 8);
  const mac = buf.subarray(p + 10, p + 10 + macSize);
  p += 10 + macSize;
  const originalId = buf.readUInt16BE(p);
  const error = buf.readUInt16BE(p + 2);
  const otherLen = buf.readUInt16BE(p + 4);
  const other = buf.subarray(p + 6, p + 6 + otherLen);
  return { start, keyName, fields: { algorithm: alg.name, timeSigned, fudge, mac, originalId, error, other } };
}

/** The message as it was before its TSIG RR was added: RR removed, ARCOUNT lowered, the original id back. */
function unsigned(buf: Buffer, start: number, originalId: number): Buffer {
  const out = Buffer.from(buf.subarray(0, start));
  out.writeUInt16BE(originalId, 0);
  out.writeUInt16BE(buf.readUInt16BE(10) - 1, 10);
  return out;
}

/** What checking an answer's TSIG found: ok, or a sentence saying what is wrong (never the secret). */
export type TsigCheck = { ok: true } | { ok: false; problem: string; tsigError?: string };

/**
 * Checks the TSIG of each message of one answer to a signed request, in order (one message for an
 * UPDATE or a query; several for a zone transfer, where up to 99 in a row may be unsigned).
 */
export class TsigVerifier {
  private previousMac: Buffer;
  private pending: Buffer[] = [];
  private first = true;

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    this.previousMac = requestMac;
  }

  check(buf: Buffer): TsigCheck {
    const t = findTsig(buf);
    if (!t) {
      if (this.first) return { ok: false, problem: 'the answer is not signed (no TSIG record)' };
      this.pending.push(buf);
      if (this.pending.length >= 100) return { ok: false, problem: '100 messages in a row without a TSIG record' };
      return { ok: true };
    }
    const f = t.fields;
    if (t.keyName !== this.key.name) return { ok: false, problem: `the answer is signed with key "${t.keyName}", not "${this.key.name}"` };
    if (f.error !== 0 && f.mac.length === 0)
      return { ok: false, problem: `the server refused the signature: ${tsigErrorName(f.error)}`, tsigError: tsigErrorName(f.error) };
    const algorithm = f.algorithm.toLowerCase();
    if (algorithm !== TSIG_ALGORITHMS[this.key.algorithm].wire)
      return { ok: false, problem: `the answer is signed with ${algorithm}, not ${this.key.algorithm}` };
    const body = unsigned(buf, t.start, f.originalId);
    const prior = Buffer.concat([u16(this.previousMac.length), this.previousMac]);
    const input = this.first ? [prior, body, variables(this.key, f)] : [prior, ...this.pending, body, u48(f.timeSigned), u16(f.fudge)];
    const expected = this.key.hmac(input);
    if (f.mac.length !== expected.length || !timingSafeEqual(f.mac, expected))
      return { ok: false, problem: "the answer's TSIG signature does not match the key (BADSIG)", tsigError: 'BADSIG' };
    if (Math.abs(this.now() - f.timeSigned) > f.fudge)
      return {
        ok: false,
        problem: `the answer was signed at ${f.timeSigned}, more than ${f.fudge} s from this machine's clock (BADTIME)`,
        tsigError: 'BADTIME',
      };
    if (f.error !== 0) return { ok: false, problem: `the server reports ${tsigErrorName(f.error)}`, tsigError: tsigErrorName(f.error) };
    this.previousMac = f.mac;
    this.pending = [];
    this.first = false;
    return { ok: true };
  }
}
