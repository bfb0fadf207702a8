/** Every record rule of src/core/dns/records.ts (and the inventory-level one in dns/index.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AaaaRecord, addressRecord, ARecord, checkDnsRecords, dnsProblems, SrvRecord, type DnsRecord } from '../../src/core/dns/index.js';
import type { Inventory } from '../../src/core/inventory.js';

const Z = 'contoso.example';
const target = 'sip1.contoso.example';
const good = (): DnsRecord[] => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, 100, 5060, target), new ARecord(target, 300, '10.0.0.1')];
const codes = (records: DnsRecord[]) => checkDnsRecords(records, Z).map((p) => `${p.severity} ${p.code}`);

describe('DNS record rules', () => {
  it('a consistent set has no problems', () => {
    assert.deepEqual(checkDnsRecords(good(), Z), []);
  });

  it('prints SRV RDATA with an absolute target and names lower-case without the trailing dot', () => {
    const r = new SrvRecord('_SIP._UDP.Sip.Contoso.Example.', 60, 10, 50, 5060, 'SIP1.contoso.example.');
    assert.equal(r.name, '_sip._udp.sip.contoso.example');
    assert.equal(r.rdataText(), '10 50 5060 sip1.contoso.example.');
    assert.deepEqual(r.toJSON(), {
      name: '_sip._udp.sip.contoso.example',
      type: 'SRV',
      ttl: 60,
      class: 'IN',
      data: { priority: 10, weight: 50, port: 5060, target: 'sip1.contoso.example' },
    });
  });

  const table: [string, () => DnsRecord[], string[]][] = [
    ['label over 63 octets', () => [...good(), new ARecord(`${'a'.repeat(64)}.contoso.example`, 300, '10.0.0.2')], ['error SIPBC-E-DNS-NAME-TOO-LONG']],
    [
      'name over 253 octets',
      () => [...good(), new ARecord(`${Array(5).fill('b'.repeat(50)).join('.')}.contoso.example`, 300, '10.0.0.2')],
      ['error SIPBC-E-DNS-NAME-TOO-LONG'],
    ],
    [
      'negative TTL',
      () => [new SrvRecord('_sip._udp.sip.contoso.example', -1, 10, 100, 5060, target), new ARecord(target, -1, '10.0.0.1')],
      ['error SIPBC-E-DNS-TTL', 'error SIPBC-E-DNS-TTL'],
    ],
    ['priority 65536', () => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 65536, 100, 5060, target), good()[1]], ['error SIPBC-E-DNS-SRV-RANGE']],
    ['weight -1', () => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, -1, 5060, target), good()[1]], ['error SIPBC-E-DNS-SRV-RANGE']],
    ['port 70000', () => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, 100, 70000, target), good()[1]], ['error SIPBC-E-DNS-SRV-RANGE']],
    ['non-integer port', () => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, 100, 5060.5, target), good()[1]], ['error SIPBC-E-DNS-SRV-RANGE']],
    ['target is an IPv4 address', () => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, 100, 5060, '10.0.0.1')], ['error SIPBC-E-DNS-SRV-TARGET-IP']],
    [
      'target is an IPv6 address',
      () => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, 100, 5060, '2001:db8::1')],
      ['error SIPBC-E-DNS-SRV-TARGET-IP'],
    ],
    [
      'target is not a host name',
      () => [new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, 100, 5060, 'sip_1.example.net')],
      ['error SIPBC-E-DNS-SRV-TARGET-NAME', 'warning SIPBC-W-DNS-TARGET-OUTSIDE-ZONE'],
    ],
    ['A record with an IPv6 address', () => [new ARecord('x.contoso.example', 300, '2001:db8::1')], ['error SIPBC-E-DNS-ADDRESS']],
    ['AAAA record with an IPv4 address', () => [new AaaaRecord('x.contoso.example', 300, '10.0.0.1')], ['error SIPBC-E-DNS-ADDRESS']],
    ['owner outside the zone', () => [...good(), new ARecord('x.example.net', 300, '10.0.0.2')], ['error SIPBC-E-DNS-OUT-OF-ZONE']],
    ['in-zone target without A/AAAA', () => [good()[0]], ['error SIPBC-E-DNS-TARGET-NO-ADDRESS']],
    ['two TTLs in one RRset', () => [...good(), new SrvRecord('_sip._udp.sip.contoso.example', 60, 20, 100, 5060, target)], ['error SIPBC-E-DNS-RRSET-TTL']],
    ['the same record twice', () => [...good(), new ARecord(target, 300, '10.0.0.1')], ['error SIPBC-E-DNS-DUPLICATE']],
  ];
  for (const [label, records, want] of table) {
    it(label, () => assert.deepEqual(codes(records()), want));
  }

  it('a target outside the zone is a warning, reported once per target', () => {
    const records = [
      new SrvRecord('_sip._udp.sip.contoso.example', 300, 10, 100, 5060, 'sip.example.net'),
      new SrvRecord('_sip._udp.east.sip.contoso.example', 300, 10, 100, 5060, 'sip.example.net'),
    ];
    const problems = checkDnsRecords(records, Z);
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.code}`),
      ['warning SIPBC-W-DNS-TARGET-OUTSIDE-ZONE'],
    );
    assert.match(problems[0].message, /sip\.example\.net is outside the zone contoso\.example/);
  });

  it('an AAAA record is enough for a target', () => {
    assert.deepEqual(codes([good()[0], new AaaaRecord(target, 300, '2001:DB8::1')]), []);
  });

  it('addressRecord picks A or AAAA by family', () => {
    assert.ok(addressRecord('h.contoso.example', 1, '10.0.0.1') instanceof ARecord);
    assert.ok(addressRecord('h.contoso.example', 1, '::1') instanceof AaaaRecord);
    assert.equal(addressRecord('h.contoso.example', 1, 'nope'), undefined);
  });
});

describe('inventory-level DNS problems', () => {
  const inv = (): Inventory => ({
    version: 1,
    dns: { zone: Z },
    sites: [
      {
        id: 'east',
        sipServer: { primary: { host: 'a.east.contoso.example', address: '10.1.0.1' }, backup: { host: 'b.east.contoso.example', address: '10.1.0.2' } },
      },
      { id: 'west', sipServer: { vip: { host: 'vip.west.example.net' } } },
    ],
    places: [],
  });

  it('a site whose VIP has no address gets no S.B record: a warning pointing at the VIP; its outside-zone target a warning pointing at the host', () => {
    const problems = dnsProblems(inv());
    assert.deepEqual(
      problems.map((p) => [p.severity, p.code, p.path.join('.')]),
      [
        ['warning', 'SIPBC-W-DNS-TARGET-OUTSIDE-ZONE', 'sites.1.sipServer.vip.host'],
        ['warning', 'SIPBC-W-DNS-SITE-NO-ADDRESS', 'sites.1.sipServer.vip'],
      ],
    );
    assert.match(problems[1].message, /west\.sip\.contoso\.example gets no A\/AAAA record/);
  });

  it('an in-zone server without an address is an error pointing at its host', () => {
    const i = inv();
    delete i.sites[0].sipServer.backup!.address;
    const p = dnsProblems(i).filter((x) => x.severity === 'error');
    assert.equal(p.length, 1, 'once per target, not once per SRV record naming it');
    assert.ok(
      p.every((x) => x.code === 'SIPBC-E-DNS-TARGET-NO-ADDRESS' && x.path.join('.') === 'sites.0.sipServer.backup.host'),
      JSON.stringify(p),
    );
  });
});
