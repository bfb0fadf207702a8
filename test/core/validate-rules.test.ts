/** Every semantic rule of SPEC §4: a broken inventory, the exact rule code and line:column. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFindingAt, BASE_INVENTORY, findingsOf, mutate, summary } from '../support/inventory-text.js';

const PHONE1 = '{ mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, auth: none }';
const PHONE2 = '{ mac: "00:15:65:00:00:02", model: poly-vvx450, place: P2, auth: none }';
const codes = (text: string) => findingsOf(text).map((f) => f.code);
/** Alcatel phones carry their own DNS server: with dns.resolvers the inventory has no SIPBC-W-PHONE-DNS-RESOLVER. */
const RESOLVERS: [string, string] = ['dns: { zone: contoso.example }', 'dns: { zone: contoso.example, resolvers: [10.1.0.53] }'];

describe('unique ids', () => {
  it('SIPBC-E-DUP-SITE at the second site id', () => {
    const text = mutate(BASE_INVENTORY, ['  - id: west', '  - id: east']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-DUP-SITE', text, 'east\n', 1);
    assert.match(f.message, /site id "east" is already used by sites\[0\] \(line 4\)/);
  });

  it('SIPBC-E-DUP-PLACE at the second place id', () => {
    const text = mutate(BASE_INVENTORY, ['{ id: P2, extensions: { east: "1002"', '{ id: P1, extensions: { east: "1002"']);
    assertFindingAt(findingsOf(text), 'SIPBC-E-DUP-PLACE', text, 'P1, extensions: { east: "1002"');
    // P2 is gone, so the agent and the phone that sat there are reported too.
    assert.deepEqual(codes(text), ['SIPBC-E-DUP-PLACE', 'SIPBC-E-UNKNOWN-PLACE', 'SIPBC-E-UNKNOWN-PLACE']);
  });

  it('SIPBC-E-DUP-LOGIN at the second login', () => {
    const text = mutate(BASE_INVENTORY, ['login: "7002"', 'login: "7001"']);
    assertFindingAt(findingsOf(text), 'SIPBC-E-DUP-LOGIN', text, '"7001"', 1);
    assert.deepEqual(codes(text), ['SIPBC-E-DUP-LOGIN']);
  });

  it('SIPBC-E-DUP-MAC compares MACs after normalisation', () => {
    const text = mutate(BASE_INVENTORY, ['mac: "00:15:65:00:00:02"', 'mac: "0015.6500.0001"']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-DUP-MAC', text, '"0015.6500.0001"');
    assert.match(f.message, /already used by phones\[0\] \(line 19\)/);
    assert.deepEqual(codes(text), ['SIPBC-E-DUP-MAC']);
  });
});

describe('references', () => {
  it('SIPBC-E-UNKNOWN-PLACE for an agent and a phone, with a suggestion', () => {
    const text = mutate(BASE_INVENTORY, ['user: u2, place: P2', 'user: u2, place: P3'], ['model: poly-vvx450, place: P2', 'model: poly-vvx450, place: p2']);
    const findings = findingsOf(text);
    assertFindingAt(findings, 'SIPBC-E-UNKNOWN-PLACE', text, 'P3');
    const f = assertFindingAt(findings, 'SIPBC-E-UNKNOWN-PLACE', text, 'p2, auth');
    assert.equal(f.suggestion, 'P2');
  });

  it('SIPBC-E-UNKNOWN-SITE for agent, phone and default preferredSite (auto is fine)', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['place: P2, preferredSite: west', 'place: P2, preferredSite: wset'],
      [PHONE1, '{ mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, preferredSite: auto, auth: none }'],
      [PHONE2, '{ mac: "00:15:65:00:00:02", model: poly-vvx450, place: P2, preferredSite: denver, auth: none }'],
      ['version: 1\n', 'version: 1\ndefaults: { preferredSite: Boston }\n'],
    );
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-UNKNOWN-SITE', text, 'wset');
    assert.equal(f.suggestion, 'west');
    assertFindingAt(findings, 'SIPBC-E-UNKNOWN-SITE', text, 'denver');
    assertFindingAt(findings, 'SIPBC-E-UNKNOWN-SITE', text, 'Boston');
    assert.deepEqual(codes(text), ['SIPBC-E-UNKNOWN-SITE', 'SIPBC-E-UNKNOWN-SITE', 'SIPBC-E-UNKNOWN-SITE']);
  });

  it('SIPBC-E-PLACE-EXTENSIONS: a key that is not a site (at the key) and a missing site (at the mapping)', () => {
    const text = mutate(BASE_INVENTORY, ['{ east: "1002", west: "1002" }', '{ east: "1002", wset: "1002" }']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-PLACE-EXTENSIONS', text, 'wset');
    assert.equal(f.suggestion, 'west');
    const g = assertFindingAt(findings, 'SIPBC-E-PLACE-EXTENSIONS', text, '{ east: "1002"');
    assert.match(g.message, /no Extension DN for site west/);
    assert.equal(findings.length, 2);
  });
});

describe('directory numbers', () => {
  it('SIPBC-E-DUP-EXTENSION: one Extension DN at two places on the same site', () => {
    const text = mutate(BASE_INVENTORY, ['{ east: "1002", west: "1002" }', '{ east: "1002", west: "1001" }']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-DUP-EXTENSION', text, '"1001" }', 1);
    assert.match(f.message, /Extension DN "1001" on site west is already the DN of place P1 \(line 13\)/);
    // The place's two numbers now differ, and its Poly registers one user name on both sites.
    assert.deepEqual(codes(text), ['SIPBC-E-DUP-EXTENSION', 'SIPBC-W-EXTENSION-DIFFERS']);
  });

  it('the same number on the two sites of one place is fine', () => {
    assert.deepEqual(findingsOf(BASE_INVENTORY), []);
  });

  it('SIPBC-E-EXTENSION-IS-SWITCH-DN: an Extension DN that is an ACD Queue DN', () => {
    const text = mutate(BASE_INVENTORY, ['{ east: "1002", west: "1002" }', '{ east: "8000", west: "1002" }']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-EXTENSION-IS-SWITCH-DN', text, '"8000", west');
    assert.match(f.message, /acd-queue DN switchDNs\[0\] \(line 22\)/);
    assert.deepEqual(codes(text), ['SIPBC-E-EXTENSION-IS-SWITCH-DN', 'SIPBC-W-EXTENSION-DIFFERS']);
  });

  it('SIPBC-E-DUP-SWITCH-DN: a switch DN listed twice', () => {
    const text = mutate(BASE_INVENTORY, [
      '  - { number: "8000", type: acd-queue }\n',
      '  - { number: "8000", type: acd-queue }\n  - { number: "8000", type: call-processing-port }\n',
    ]);
    assertFindingAt(findingsOf(text), 'SIPBC-E-DUP-SWITCH-DN', text, '"8000"', 1);
    assert.deepEqual(codes(text), ['SIPBC-E-DUP-SWITCH-DN']);
  });
});

describe('phones and the catalogue', () => {
  it('SIPBC-E-UNKNOWN-MODEL with a suggestion', () => {
    const text = mutate(BASE_INVENTORY, ['model: poly-vvx450', 'model: poly-vvx45']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-UNKNOWN-MODEL', text, 'poly-vvx45,');
    assert.equal(f.suggestion, 'poly-vvx450');
    assert.match(f.message, /unknown phone model "poly-vvx45"\. Did you mean "poly-vvx450"\?/);
  });

  it('SIPBC-E-MAC-MALFORMED: too short, non-hex, mixed separators; common notations pass', () => {
    for (const bad of ['"00:15:65:00:00"', '"00:15:65:00:00:0g"', '"00:15-65:00:00:02"']) {
      const text = mutate(BASE_INVENTORY, ['"00:15:65:00:00:02"', bad]);
      assertFindingAt(findingsOf(text), 'SIPBC-E-MAC-MALFORMED', text, bad);
      assert.deepEqual(codes(text), ['SIPBC-E-MAC-MALFORMED'], bad);
    }
    for (const good of ['"00-15-65-00-00-02"', '"0015.6500.0002"', '"001565000002"', '"001565-000002"', '"00:15:65:00:00:02"'.toUpperCase()]) {
      assert.deepEqual(codes(mutate(BASE_INVENTORY, ['"00:15:65:00:00:02"', good])), [], good);
    }
  });

  it('SIPBC-E-DUAL-UNSUPPORTED: explicit dual on an Alcatel-Lucent 4000 phone', () => {
    const text = mutate(BASE_INVENTORY, RESOLVERS, [PHONE2, '{ mac: "00:80:9f:00:00:02", model: alcatel-4028, place: P2, registration: dual, auth: none }']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-DUAL-UNSUPPORTED', text, 'dual, auth');
    assert.match(f.message, /alcatel-4028 \(Alcatel-Lucent IP Touch 4000\) cannot dual-register/);
    assert.deepEqual(codes(text), ['SIPBC-E-DUAL-UNSUPPORTED']);
  });

  it('dual only from defaults on a model that cannot is not a finding (a policy note)', () => {
    const text = mutate(
      BASE_INVENTORY,
      RESOLVERS,
      [PHONE2, '{ mac: "00:80:9f:00:00:02", model: alcatel-4028, place: P2, auth: none }'],
      ['version: 1\n', 'version: 1\ndefaults: { registration: dual }\n'],
    );
    assert.deepEqual(codes(text), []);
  });

  it('SIPBC-W-EXTENSION-DIFFERS: per-site numbers with a one-identity phone, at its place; a dual Snom is fine', () => {
    const text = mutate(BASE_INVENTORY, ['{ id: P2, extensions: { east: "1002", west: "1002" } }', '{ id: P2, extensions: { east: "1002", west: "2002" } }']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-W-EXTENSION-DIFFERS', text, 'P2, auth: none }');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /place P2 has Extension DNs 1002 and 2002 on the two sites, but poly-vvx450 .* registers one user name on both sites/);
    assert.deepEqual(codes(text), ['SIPBC-W-EXTENSION-DIFFERS']);
    const snomDual = mutate(text, [PHONE2, '{ mac: "00:04:13:00:00:02", model: snom-d785, place: P2, registration: dual, auth: none }']);
    assert.deepEqual(codes(snomDual), []);
    const snomBackup = mutate(text, [PHONE2, '{ mac: "00:04:13:00:00:02", model: snom-d785, place: P2, auth: none }']);
    assert.match(findingsOf(snomBackup)[0].message, /or registration: dual \(one identity per site\)/);
  });

  it('SIPBC-E-TRANSPORT-UNSUPPORTED: tls on an Alcatel phone, at its transport', () => {
    const text = mutate(BASE_INVENTORY, RESOLVERS, [PHONE2, '{ mac: "00:80:9f:00:00:02", model: alcatel-4028, place: P2, transport: tls, auth: none }']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-TRANSPORT-UNSUPPORTED', text, 'tls, auth');
    assert.match(f.message, /cannot use tls; it supports udp or tcp/);
    assert.deepEqual(codes(text), ['SIPBC-E-TRANSPORT-UNSUPPORTED']);
  });

  it('SIPBC-E-TRANSPORT-UNSUPPORTED: tls from defaults, at the phone’s model, naming the defaults line', () => {
    const text = mutate(
      BASE_INVENTORY,
      RESOLVERS,
      [PHONE2, '{ mac: "00:80:9f:00:00:02", model: alcatel-4028, place: P2, auth: none }'],
      ['version: 1\n', 'version: 1\ndefaults: { transport: tls }\n'],
    );
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-TRANSPORT-UNSUPPORTED', text, 'alcatel-4028');
    assert.match(f.message, /defaults\.transport, line 2/);
    assert.deepEqual(codes(text), ['SIPBC-E-TRANSPORT-UNSUPPORTED']);
    const fixed = mutate(text, ['place: P2, auth: none }', 'place: P2, transport: tcp, auth: none }']);
    assert.deepEqual(codes(fixed), []);
  });
});

describe('preferred sites at a place', () => {
  const conflicting = mutate(BASE_INVENTORY, ['user: u2, place: P2, preferredSite: west', 'user: u2, place: P1, preferredSite: west']);

  it('SIPBC-E-PLACE-SITE-CONFLICT: two agents at P1 prefer east and west, the phone does not say', () => {
    const f = assertFindingAt(findingsOf(conflicting), 'SIPBC-E-PLACE-SITE-CONFLICT', conflicting, 'west }', 0);
    assert.match(f.message, /agents at place P1 prefer different sites: agent 7002 prefers west but agent 7001 \(line 16\) prefers east/);
    assert.deepEqual(codes(conflicting), ['SIPBC-E-PLACE-SITE-CONFLICT']);
  });

  it('is fine when every phone at the place has a preferredSite', () => {
    const settled = mutate(conflicting, [PHONE1, '{ mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, preferredSite: west, auth: none }']);
    assert.deepEqual(codes(settled), []);
  });

  it('is still an error when only one of two phones there says which', () => {
    const half = mutate(
      conflicting,
      [PHONE1, '{ mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, preferredSite: west, auth: none }'],
      [PHONE2, '{ mac: "00:15:65:00:00:02", model: poly-vvx450, place: P1, auth: none }'],
    );
    assert.deepEqual(codes(half), ['SIPBC-E-PLACE-SITE-CONFLICT']);
  });

  it('an agent without preferredSite uses defaults.preferredSite', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['user: u2, place: P2, preferredSite: west', 'user: u2, place: P1'],
      ['version: 1\n', 'version: 1\ndefaults: { preferredSite: west }\n'],
    );
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-PLACE-SITE-CONFLICT', text, '{ login: "7002"');
    assert.match(f.message, /agent 7002 prefers west/);
  });
});

describe('servers', () => {
  it('SIPBC-E-HOST-NAME: not fully qualified, bad label, label too long', () => {
    const long = 'x'.repeat(64);
    const text = mutate(
      BASE_INVENTORY,
      ['host: a.east.contoso.example', 'host: sipsrv-a'],
      ['host: b.east.contoso.example', 'host: sip_b.east.contoso.example'],
      ['host: vip.west.contoso.example', `host: ${long}.west.contoso.example`],
    );
    const findings = findingsOf(text);
    assert.match(assertFindingAt(findings, 'SIPBC-E-HOST-NAME', text, 'sipsrv-a').message, /is not fully qualified/);
    assert.match(assertFindingAt(findings, 'SIPBC-E-HOST-NAME', text, 'sip_b').message, /invalid label "sip_b"/);
    assert.match(assertFindingAt(findings, 'SIPBC-E-HOST-NAME', text, long).message, /label of 64 octets/);
    // (the DNS record rules may add their own view of these hosts, e.g. a target outside the zone)
    assert.equal(findings.filter((f) => f.code === 'SIPBC-E-HOST-NAME').length, 3);
  });

  it('SIPBC-E-ADDRESS: not an IP address; IPv6 is fine', () => {
    const text = mutate(BASE_INVENTORY, ['address: 10.1.0.12', 'address: 10.1.0.300'], ['address: 10.2.0.10', 'address: "2001:db8::10"']);
    assertFindingAt(findingsOf(text), 'SIPBC-E-ADDRESS', text, '10.1.0.300');
    assert.deepEqual(
      codes(text).filter((c) => !c.startsWith('SIPBC-E-DNS-')),
      ['SIPBC-E-ADDRESS'],
    );
  });

  it('SIPBC-E-SHARED-SERVER: the two sites share a host (case-insensitive) and an address', () => {
    const text = mutate(BASE_INVENTORY, [
      'vip: { host: vip.west.contoso.example, address: 10.2.0.10 }',
      'vip: { host: A.east.contoso.example., address: 10.1.0.12 }',
    ]);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-SHARED-SERVER', text, 'A.east');
    assert.match(f.message, /site west's vip has the same host "a\.east\.contoso\.example" as site east's primary \(line 7\)/);
    assertFindingAt(findings, 'SIPBC-E-SHARED-SERVER', text, '10.1.0.12', 1);
    assert.equal(findings.length, 2);
  });
});

describe('DNS names', () => {
  it('SIPBC-E-DNS-ZONE: an invalid zone and subdomain', () => {
    const text = mutate(BASE_INVENTORY, ['dns: { zone: contoso.example }', 'dns: { zone: contoso..example, subdomain: "s p" }']);
    const findings = findingsOf(text);
    assertFindingAt(findings, 'SIPBC-E-DNS-ZONE', text, 'contoso..example');
    assertFindingAt(findings, 'SIPBC-E-DNS-ZONE', text, '"s p"');
  });

  it('SIPBC-E-DNS-NAME-TOO-LONG: _sips._tcp.<site>-preferred.<sub>.<zone> over 253 octets, at the site id', () => {
    // base = sip.<zone>; zone of 4 labels of 60 = 243 octets → sip.<zone> = 247: fine alone, too long with a prefix.
    const zone = Array.from({ length: 4 }, (_, i) => String(i).repeat(60)).join('.');
    const text = mutate(BASE_INVENTORY, ['dns: { zone: contoso.example }', `dns: { zone: "${zone}" }`]);
    const findings = findingsOf(text);
    assertFindingAt(findings, 'SIPBC-E-DNS-NAME-TOO-LONG', text, `"${zone}"`);
    // The servers' hosts are now outside that zone: the DNS record rules warn about it (SIPBC-W-DNS-TARGET-OUTSIDE-ZONE).
    assert.deepEqual(
      codes(text).filter((c) => c !== 'SIPBC-W-DNS-TARGET-OUTSIDE-ZONE'),
      ['SIPBC-E-DNS-NAME-TOO-LONG'],
    );
    // A zone that leaves room for _sip._udp.sip.<zone> but not for east-preferred: reported at the site id.
    const zone2 = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(35)].join('.'); // 227: sip.<zone> = 231, _sip._udp.east-preferred.sip.<zone> = 256
    const text2 = mutate(BASE_INVENTORY, ['dns: { zone: contoso.example }', `dns: { zone: "${zone2}" }`]);
    const f = assertFindingAt(findingsOf(text2), 'SIPBC-E-DNS-NAME-TOO-LONG', text2, 'east\n');
    assert.match(f.message, /_sip\._udp\.east-preferred\.sip\./);
    assertFindingAt(findingsOf(text2), 'SIPBC-E-DNS-NAME-TOO-LONG', text2, 'west\n');
  });
});

describe('capacity, SRV and secrets', () => {
  it('SIPBC-W-CAPACITY: a site that cannot carry every agent alone', () => {
    const text = mutate(BASE_INVENTORY, ['capacity: 10', 'capacity: 1']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-W-CAPACITY', text, '1\n    sipServer');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /if site west fails, site east must carry all 2 agents, but its capacity is 1/);
    assert.deepEqual(codes(text), ['SIPBC-W-CAPACITY']);
  });

  it('no capacity warning when capacity is absent or sufficient', () => {
    assert.deepEqual(codes(mutate(BASE_INVENTORY, ['    capacity: 10\n', ''])), []);
    assert.deepEqual(codes(mutate(BASE_INVENTORY, ['capacity: 10', 'capacity: 2'])), []);
  });

  it('SIPBC-W-NO-SRV-NO-VIP: an Alcatel phone preferring east (no VIP), not one preferring west (VIP)', () => {
    const text = mutate(
      BASE_INVENTORY,
      RESOLVERS,
      [PHONE1, '{ mac: "00:80:9f:00:00:01", model: alcatel-4028, place: P1, auth: none }'],
      [PHONE2, '{ mac: "00:80:9f:00:00:02", model: alcatel-4068, place: P2, auth: none }'],
    );
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-W-NO-SRV-NO-VIP', text, 'alcatel-4028');
    assert.match(f.message, /preferred site east has no vip: it reaches only east's primary server a\.east\.contoso\.example/);
    assert.deepEqual(codes(text), ['SIPBC-W-NO-SRV-NO-VIP']);
  });

  it('SIPBC-W-PHONE-DNS-RESOLVER: an Alcatel phone without dns.resolvers, once per family, at its model; SIPBC-E-DNS-RESOLVER: a resolver that is no address', () => {
    const text = mutate(BASE_INVENTORY, [PHONE2, '{ mac: "00:80:9f:00:00:02", model: alcatel-4068, place: P2, preferredSite: west, auth: none }']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-W-PHONE-DNS-RESOLVER', text, 'alcatel-4068');
    assert.match(f.message, /alcatel-4068 \(Alcatel-Lucent IP Touch 4000\) needs its DNS server in its own file .* add dns\.resolvers/);
    assert.deepEqual(codes(text), ['SIPBC-W-PHONE-DNS-RESOLVER']);
    const bad = mutate(text, ['dns: { zone: contoso.example }', 'dns: { zone: contoso.example, resolvers: [ns1.contoso.example] }']);
    assertFindingAt(findingsOf(bad), 'SIPBC-E-DNS-RESOLVER', bad, 'ns1.contoso.example');
    assert.deepEqual(codes(bad), ['SIPBC-E-DNS-RESOLVER']);
  });

  it("SIPBC-E-NAPTR-TRANSPORT: NAPTR-driven phones (Yealink, Poly) on one name asking for different transports, at the second one's transport; explicit-transport families and other names are fine", () => {
    const text = mutate(
      BASE_INVENTORY,
      [PHONE1, '{ mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, preferredSite: east, auth: none }'],
      [PHONE2, '{ mac: "00:15:65:00:00:02", model: poly-vvx450, place: P2, preferredSite: east, transport: tls, auth: none }'],
    );
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-NAPTR-TRANSPORT', text, 'tls');
    assert.match(
      f.message,
      /poly-vvx450 \(Poly VVX\) takes its transport from DNS NAPTR and resolves east-preferred\.sip\.contoso\.example, where phones\[0\] \(yealink-t54w\) asks for udp: .* would register over udp, not tls/,
    );
    assert.deepEqual(codes(text), ['SIPBC-E-NAPTR-TRANSPORT']);
    // Another preferred site: another name, no conflict; an explicit-transport family (Snom) never conflicts.
    assert.deepEqual(codes(mutate(text, ['place: P2, preferredSite: east, transport: tls', 'place: P2, preferredSite: west, transport: tls'])), []);
    assert.deepEqual(codes(mutate(text, ['model: poly-vvx450', 'model: snom-d785'])), []);
    // Dual lines share both sites' names.
    const dual = mutate(
      text,
      ['yealink-t54w, place: P1, preferredSite: east, auth: none }', 'yealink-t54w, place: P1, preferredSite: west, registration: dual, auth: none }'],
      ['place: P2, preferredSite: east, transport: tls', 'place: P2, preferredSite: east, registration: dual, transport: tls'],
    );
    assert.deepEqual(codes(dual), ['SIPBC-E-NAPTR-TRANSPORT']);
  });

  it('SIPBC-W-NO-SRV-NO-VIP: a dual Cisco (no SRV with Dual Registration) preferring east; active-backup Cisco uses SRV', () => {
    const text = mutate(BASE_INVENTORY, [PHONE1, '{ mac: "70:7d:b9:00:00:01", model: cisco-8851, place: P1, registration: dual, auth: none }']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-W-NO-SRV-NO-VIP', text, 'cisco-8851');
    assert.match(
      f.message,
      /cisco-8851 \(Cisco IP Phone 7800\/8800 MPP, dual\) does not use DNS SRV in dual registration and its preferred site east has no vip/,
    );
    assert.deepEqual(codes(text), ['SIPBC-W-NO-SRV-NO-VIP']);
    assert.deepEqual(codes(mutate(text, [', registration: dual, auth: none }', ', auth: none }'])), []);
  });

  it('SIPBC-W-LITERAL-PASSWORD names the line, never the password; env and file are fine', () => {
    const text = mutate(
      BASE_INVENTORY,
      [PHONE1, '{ mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, auth: { password: "S3cr3t-pw!" } }'],
      [PHONE2, '{ mac: "00:15:65:00:00:02", model: poly-vvx450, place: P2, auth: { password: { env: PW_1002 } } }'],
    );
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-W-LITERAL-PASSWORD', text, '"S3cr3t-pw!"');
    assert.match(f.message, /line 19/);
    assert.ok(!f.message.includes('S3cr3t'), f.message);
    assert.equal(findings.length, 1);
  });
});

describe('genesys', () => {
  const withVersion = (v: string) => mutate(BASE_INVENTORY, ['switchDNs:', `genesys: { statServerVersion: "${v}" }\nswitchDNs:`]);
  for (const [v, ok] of [
    ['8.1.2', true],
    ['8.1.10', true],
    ['8.5', true],
    ['9', true],
    ['8.1.1', false],
    ['8.1', false],
    ['8.0.99', false],
    ['7.6.000.10', false],
    ['8.1.2.beta', false],
  ] as const) {
    it(`statServerVersion ${v} is ${ok ? 'fine' : 'SIPBC-E-STAT-SERVER-VERSION'}`, () => {
      const text = withVersion(v);
      const findings = findingsOf(text);
      if (ok) assert.deepEqual(summary(findings), []);
      else {
        assertFindingAt(findings, 'SIPBC-E-STAT-SERVER-VERSION', text, `"${v}"`);
        assert.equal(findings.length, 1);
      }
    });
  }
});
