/** The pure parts of dns push / verify / --format octodns: TSIG, the UPDATE with prerequisites, the differences, octoDNS data. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { buildDnsRecords, decodeUpdate, parseOctodns, renderOctodns, renderZone, SrvRecord, ARecord, NaptrRecord } from '../../src/core/dns/index.js';
import { encodePlanUpdate, ownedRrsets, planChanges } from '../../src/core/dns/push.js';
import { parseKeyFile, signMessage, TsigKey, TsigVerifier, findTsig } from '../../src/core/dns/tsig.js';
import { compareRrset } from '../../src/core/dns/verify.js';
import { naturalCompare } from '../../src/core/dns/octodns.js';
import { SipbcError } from '../../src/core/errors.js';
import type { Inventory } from '../../src/core/inventory.js';
import { parseInventory } from '../../src/core/load.js';
import { repoPath } from '../support/cli.js';
import { dnsFixtures } from '../support/dns-fixtures.js';

const ZONE = 'contoso.example';
const SECRET = 'c2lwYmMgdGVzdCBzZWNyZXQgMzIgYnl0ZXMgbG9uZyEh';
const KEY_FILE = `key "sipbc-key" {\n\talgorithm hmac-sha256;\n\tsecret "${SECRET}";\n};\n`;
const inventory = () =>
  parseInventory(readFileSync(repoPath('test', 'fixtures', 'dns', '001-spec-example', 'inventory.yaml'), 'utf8'), 'inventory.yaml').data as Inventory;

describe('TSIG keys and signatures', () => {
  it('reads a tsig-keygen key file; the secret shows neither in JSON nor in util.inspect', () => {
    const key = parseKeyFile(`# made by tsig-keygen\n${KEY_FILE}`, 'k.conf');
    assert.equal(key.name, 'sipbc-key');
    assert.equal(key.algorithm, 'hmac-sha256');
    assert.ok(!JSON.stringify(key).includes(SECRET));
    assert.ok(!inspect(key).includes(SECRET));
    assert.ok(!inspect({ nested: key }, { depth: 5 }).includes(SECRET));
  });

  it('skips comments around the key, but not inside its quoted secret (base64 may hold "//")', () => {
    const slashes = Buffer.alloc(6, 0xff).toString('base64');
    assert.equal(slashes, '////////');
    const key = parseKeyFile(`/* sipbc */ key "k" { // the key\n algorithm hmac-sha512; # sha512\n secret "${slashes}"; };`, 'k.conf');
    assert.equal(key.algorithm, 'hmac-sha512');
    const msg = Buffer.alloc(12);
    assert.deepEqual(signMessage(msg, key, 1).mac, signMessage(msg, new TsigKey('k', 'hmac-sha512', Buffer.alloc(6, 0xff)), 1).mac);
  });

  it('refuses a bad key file with file:line:col, never quoting the secret', () => {
    const bad = (text: string) => {
      try {
        parseKeyFile(text, 'k.conf');
      } catch (e) {
        assert.ok(e instanceof SipbcError);
        assert.ok(!e.message.includes('not-base64!'));
        return e.message;
      }
      assert.fail('accepted');
    };
    assert.match(bad('key "k" { algorithm hmac-foo; secret "abcd"; };'), /^k\.conf:1:11: key "k": unsupported algorithm hmac-foo$/);
    assert.match(bad('key "k" {\n  algorithm hmac-sha256;\n  secret "not-base64!";\n};'), /^k\.conf:3:3: key "k": the secret is not base64$/);
    assert.match(bad(KEY_FILE + KEY_FILE.replace('sipbc-key', 'other')), /^k\.conf:5:1: a second key block/);
  });

  it('an answer signed over the request MAC verifies; a changed byte or another key does not', () => {
    const key = parseKeyFile(KEY_FILE, 'k.conf');
    const request = Buffer.from('12340000000100000000000003777777076578616d706c650000010001', 'hex');
    const signed = signMessage(request, key, 1_800_000_000);
    assert.equal(signed.message.readUInt16BE(10), 1, 'ARCOUNT counts the TSIG RR');
    assert.equal(signed.mac.length, 32);
    // The server's answer, signed by hand here as RFC 8945 §4.3.2 says: over the request MAC, the answer, the variables.
    const answer = Buffer.from(request);
    answer.writeUInt16BE(0x8400, 2);
    const wire = (n: string) => Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    const time = Buffer.from('00006b49d200', 'hex'); // 1 800 000 000
    const tail = Buffer.from('012c00000000', 'hex'); // fudge 300, error 0, other len 0
    const mac = createHmac('sha256', Buffer.from(SECRET, 'base64'))
      .update(Buffer.concat([Buffer.from([0, 32]), signed.mac, answer, wire('sipbc-key'), Buffer.from('00ff00000000', 'hex'), wire('hmac-sha256'), time, tail]))
      .digest();
    const rdata = Buffer.concat([wire('hmac-sha256'), time, Buffer.from('012c0020', 'hex'), mac, Buffer.from('1234', 'hex'), Buffer.from('00000000', 'hex')]);
    const rrHead = Buffer.alloc(10);
    rrHead.writeUInt16BE(250, 0);
    rrHead.writeUInt16BE(255, 2);
    rrHead.writeUInt16BE(rdata.length, 8);
    const serverSigned = Buffer.concat([answer, wire('sipbc-key'), rrHead, rdata]);
    serverSigned.writeUInt16BE(1, 10);
    const found = findTsig(serverSigned);
    assert.ok(found);
    assert.equal(found.keyName, 'sipbc-key');
    const now = () => 1_800_000_010;
    assert.deepEqual(new TsigVerifier(key, signed.mac, now).check(serverSigned), { ok: true });
    const tampered = Buffer.from(serverSigned);
    tampered[20] ^= 1;
    assert.equal(new TsigVerifier(key, signed.mac, now).check(tampered).ok, false);
    const other = new TsigKey('sipbc-key', 'hmac-sha256', Buffer.alloc(32, 7));
    assert.match(String((new TsigVerifier(other, signed.mac, now).check(serverSigned) as { problem: string }).problem), /BADSIG/);
    assert.match(String((new TsigVerifier(key, signed.mac, () => 1_800_001_000).check(serverSigned) as { problem: string }).problem), /BADTIME/);
  });
});

describe('the push plan and its UPDATE', () => {
  it('owns the SRV names of all three transports, the NAPTR and site addresses, not other names', () => {
    const inv = inventory();
    const owned = ownedRrsets(inv, buildDnsRecords(inv));
    for (const k of [
      '_sips._tcp.east-preferred.sip.contoso.example SRV',
      'sip.contoso.example NAPTR',
      'east.sip.contoso.example AAAA',
      'sipsrv.west.contoso.example A',
    ])
      assert.ok(owned.has(k), k);
    for (const k of ['east.sip.contoso.example TXT', 'sip.contoso.example A', 'intranet.contoso.example A']) assert.ok(!owned.has(k), k);
  });

  it('a changed RRset: prerequisites are the records read (class IN, TTL 0); updates delete (class NONE) and add only the difference', () => {
    const owner = '_sip._udp.east.sip.contoso.example';
    const before = [new SrvRecord(owner, 300, 10, 100, 5060, 'a.contoso.example'), new SrvRecord(owner, 300, 20, 100, 5060, 'b.contoso.example')];
    const after = [new SrvRecord(owner, 300, 10, 100, 5060, 'a.contoso.example'), new SrvRecord(owner, 300, 25, 100, 5060, 'b.contoso.example')];
    const added = new ARecord('new.contoso.example', 300, '192.0.2.1');
    const owned = new Set([`${owner} SRV`, 'new.contoso.example A', 'gone.contoso.example A']);
    const plan = planChanges(ZONE, [...after, added], [...before, new ARecord('gone.contoso.example', 300, '192.0.2.9')], owned);
    assert.deepEqual(
      plan.changes.map((c) => `${c.kind} ${c.name} ${c.type}`),
      ['remove gone.contoso.example A', 'add new.contoso.example A', `change ${owner} SRV`],
    );
    const msg = decodeUpdate(encodePlanUpdate(plan, 7));
    assert.equal(msg.opcode, 5);
    assert.deepEqual(msg.zone, { name: ZONE, type: 'SOA', class: 'IN' });
    const rr = (x: { name: string; type: string; class: string; ttl: number; data: unknown }) =>
      `${x.name} ${x.ttl} ${x.class} ${x.type} ${x.data === null ? '-' : JSON.stringify(x.data)}`;
    assert.deepEqual(msg.prerequisites.map(rr), [
      'gone.contoso.example 0 IN A "192.0.2.9"',
      'new.contoso.example 0 NONE A -',
      `${owner} 0 IN SRV {"priority":10,"weight":100,"port":5060,"target":"a.contoso.example"}`,
      `${owner} 0 IN SRV {"priority":20,"weight":100,"port":5060,"target":"b.contoso.example"}`,
    ]);
    assert.deepEqual(msg.updates.map(rr), [
      'gone.contoso.example 0 ANY A -',
      'new.contoso.example 300 IN A "192.0.2.1"',
      `${owner} 0 UNKNOWN_254 SRV {"priority":20,"weight":100,"port":5060,"target":"b.contoso.example"}`,
      `${owner} 300 IN SRV {"priority":25,"weight":100,"port":5060,"target":"b.contoso.example"}`,
    ]);
  });

  it('records at RRsets sipbc does not own are left out of the plan', () => {
    const plan = planChanges(ZONE, [], [new ARecord('intranet.contoso.example', 60, '10.0.0.1')], new Set(['east.sip.contoso.example A']));
    assert.deepEqual(plan.changes, []);
  });
});

describe('verify differences', () => {
  const owner = '_sip._udp.east-preferred.sip.contoso.example';
  const srv = (p: number, w: number, port: number, t: string, ttl = 300) => new SrvRecord(owner, ttl, p, w, port, t);
  it('missing, extra, wrong priority / weight / port, TTL', () => {
    const d = compareRrset(
      owner,
      'SRV',
      [srv(10, 100, 5060, 'a.x'), srv(20, 100, 5060, 'b.x'), srv(30, 100, 5060, 'c.x')],
      [srv(10, 50, 5070, 'a.x', 60), srv(30, 100, 5060, 'c.x', 60), srv(5, 100, 5060, 'rogue.x', 60)],
      'udp',
    );
    assert.deepEqual(
      d.map((x) => x.message),
      [
        'weight of target a.x is 50, expected 100',
        'port of target a.x is 5070, expected 5060',
        'missing target b.x (20 100 5060 b.x.)',
        'extra target rogue.x (5 100 5060 rogue.x.)',
        'TTL 60, expected 300',
      ],
    );
  });
  it('NAPTR order, and a whole RRset missing', () => {
    const name = 'east.sip.contoso.example';
    const n = (order: number, service: string) => new NaptrRecord(name, 300, order, 10, service, `_sip._${service === 'SIP+D2U' ? 'udp' : 'tcp'}.${name}`);
    assert.deepEqual(
      compareRrset(name, 'NAPTR', [n(10, 'SIP+D2U'), n(20, 'SIP+D2T')], [n(20, 'SIP+D2U'), n(10, 'SIP+D2T')], 'tcp').map((x) => x.message),
      ['NAPTR order of service SIP+D2U is 20, expected 10', 'NAPTR order of service SIP+D2T is 10, expected 20'],
    );
    assert.deepEqual(
      compareRrset(name, 'NAPTR', [n(10, 'SIP+D2U')], [], 'udp').map((x) => x.kind),
      ['missing-rrset'],
    );
  });
});

describe('--format octodns', () => {
  const SRV_NAME = /^(\*|_[^.]+)\.[^.]+/; // octoDNS SrvRecord._name_re
  const u16 = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

  /** Every mapping's keys in natural order, as octoDNS's YamlProvider (enforce_order) requires. */
  function assertOrdered(v: unknown, where: string): void {
    if (Array.isArray(v)) {
      v.forEach((x, i) => assertOrdered(x, `${where}[${i}]`));
      return;
    }
    if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      assert.deepEqual(keys, [...keys].sort(naturalCompare), `keys out of order at ${where}`);
      for (const k of keys) assertOrdered((v as Record<string, unknown>)[k], `${where}.${k}`);
    }
  }

  for (const fx of dnsFixtures()) {
    it(`${fx.name}: every record has octoDNS's documented shape, and reads back to the same zone file`, () => {
      const inv = fx.inventory as unknown as Inventory;
      const zone = String(inv.dns.zone).toLowerCase();
      const records = buildDnsRecords(inv, fx.options);
      const text = renderOctodns(records, { zone, source: 'inventory.yaml' });
      // js-yaml's keys keep the file order, so the order check sees what octoDNS's loader sees.
      const data = yaml.load(text) as Record<string, unknown>;
      assertOrdered(data, 'top');
      let count = 0;
      for (const [name, entry] of Object.entries(data)) {
        assert.ok(!name.endsWith('.') && !name.endsWith(zone), `name ${name} is relative to the zone`);
        for (const rec of (Array.isArray(entry) ? entry : [entry]) as Record<string, unknown>[]) {
          assert.ok(['SRV', 'NAPTR', 'A', 'AAAA'].includes(rec.type as string), `${name}: type ${rec.type}`);
          assert.ok(Number.isInteger(rec.ttl), `${name}: ttl`);
          assert.ok('value' in rec !== 'values' in rec, `${name}: value or values`);
          const values = (rec.values ?? [rec.value]) as unknown[];
          count += values.length;
          for (const v of values) {
            if (rec.type === 'SRV') {
              assert.match(name, SRV_NAME);
              const s = v as Record<string, unknown>;
              assert.deepEqual(Object.keys(s), ['port', 'priority', 'target', 'weight']);
              assert.ok(u16(s.port) && u16(s.priority) && u16(s.weight));
              assert.match(String(s.target), /^[a-z0-9.-]+\.$/, 'an absolute target with its trailing dot');
            } else if (rec.type === 'NAPTR') {
              const n = v as Record<string, unknown>;
              assert.deepEqual(Object.keys(n), ['flags', 'order', 'preference', 'regexp', 'replacement', 'service']);
              assert.ok(['S', 'A', 'U', 'P'].includes(String(n.flags)));
              assert.ok(u16(n.order) && u16(n.preference));
              assert.equal(n.regexp, '');
              assert.match(String(n.replacement), /^_sips?\._(udp|tcp)\..+\.$/);
              assert.match(String(n.service), /^SIPS?\+D2[UT]$/);
            } else {
              assert.equal(typeof v, 'string');
            }
          }
        }
      }
      assert.equal(count, records.length, 'every record, once');
      const zoneText = (rs: typeof records) => renderZone(rs, { zone, ttl: 300, source: 'x' });
      assert.equal(zoneText(parseOctodns(text, zone)), zoneText(records));
    });
  }

  it('quotes what YAML 1.1 would read as something else; the apex is the empty name', () => {
    const recs = [new ARecord(ZONE, 60, '192.0.2.1'), new ARecord(`yes.${ZONE}`, 60, '192.0.2.2')];
    const text = renderOctodns(recs, { zone: ZONE, source: 'x' });
    assert.match(text, /^'':\n {2}ttl: 60\n {2}type: A\n {2}value: 192\.0\.2\.1$/m);
    assert.match(text, /^'yes':$/m);
  });
});
