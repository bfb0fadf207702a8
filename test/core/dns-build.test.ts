/** The SPEC §6 owners, priorities and weights exactly; both drain cases; transports; helpers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDnsRecords,
  capacityWeights,
  checkDnsRecords,
  dnsUsage,
  missingDnsFor,
  naptrTransports,
  transportsInUse,
  type DnsRecord,
} from '../../src/core/dns/index.js';
import { ExitCode, SipbcError } from '../../src/core/errors.js';
import type { Inventory, Site } from '../../src/core/inventory.js';

const pair = (site: string, capacity?: number): Site => ({
  id: site,
  ...(capacity !== undefined ? { capacity } : {}),
  sipServer: {
    primary: { host: `a.${site}.contoso.example`, address: site === 'east' ? '10.1.0.1' : '10.2.0.1' },
    backup: { host: `b.${site}.contoso.example`, address: site === 'east' ? '10.1.0.2' : '10.2.0.2' },
  },
});
const vip = (site: string, address = site === 'east' ? '10.1.0.10' : '10.2.0.10'): Site => ({
  id: site,
  sipServer: { vip: { host: `vip.${site}.contoso.example`, address } },
});

function inv(sites: Site[], extra: Partial<Inventory> = {}): Inventory {
  return { version: 1, dns: { zone: 'contoso.example' }, sites, places: [], ...extra };
}

/** "owner TYPE rdata" lines for one owner (absolute, sorted as built); NAPTR only when asked (`types`). */
function at(records: DnsRecord[], owner: string, types: readonly string[] = ['A', 'AAAA', 'SRV']): string[] {
  return records.filter((r) => r.name === owner && types.includes(r.type)).map((r) => `${r.type} ${r.rdataText()}`);
}

const B = 'sip.contoso.example';

describe('buildDnsRecords: SPEC §6 owners', () => {
  const records = buildDnsRecords(inv([pair('east'), pair('west')]));

  it('P.S.B: the site pair, primary 10 backup 20, weight 100', () => {
    assert.deepEqual(at(records, `_sip._udp.east.${B}`), ['SRV 10 100 5060 a.east.contoso.example.', 'SRV 20 100 5060 b.east.contoso.example.']);
    assert.deepEqual(at(records, `_sip._udp.west.${B}`), ['SRV 10 100 5060 a.west.contoso.example.', 'SRV 20 100 5060 b.west.contoso.example.']);
  });

  it("P.S-preferred.B: S's pair 10/20 then T's pair 30/40", () => {
    assert.deepEqual(at(records, `_sip._udp.east-preferred.${B}`), [
      'SRV 10 100 5060 a.east.contoso.example.',
      'SRV 20 100 5060 b.east.contoso.example.',
      'SRV 30 100 5060 a.west.contoso.example.',
      'SRV 40 100 5060 b.west.contoso.example.',
    ]);
    assert.deepEqual(at(records, `_sip._udp.west-preferred.${B}`), [
      'SRV 10 100 5060 a.west.contoso.example.',
      'SRV 20 100 5060 b.west.contoso.example.',
      'SRV 30 100 5060 a.east.contoso.example.',
      'SRV 40 100 5060 b.east.contoso.example.',
    ]);
  });

  it('P.B: both primaries at 10 and both backups at 20, 50/50 without capacities', () => {
    assert.deepEqual(at(records, `_sip._udp.${B}`), [
      'SRV 10 50 5060 a.east.contoso.example.',
      'SRV 10 50 5060 a.west.contoso.example.',
      'SRV 20 50 5060 b.east.contoso.example.',
      'SRV 20 50 5060 b.west.contoso.example.',
    ]);
  });

  it('P.B: weights proportional to capacity (300/100 → 75/25)', () => {
    const r = buildDnsRecords(inv([pair('east', 100), pair('west', 300)]));
    assert.deepEqual(at(r, `_sip._udp.${B}`), [
      'SRV 10 75 5060 a.west.contoso.example.',
      'SRV 10 25 5060 a.east.contoso.example.',
      'SRV 20 75 5060 b.west.contoso.example.',
      'SRV 20 25 5060 b.east.contoso.example.',
    ]);
  });

  it('S.B A: the primary address without a VIP; server hosts inside the zone get A records', () => {
    assert.deepEqual(at(records, `east.${B}`), ['A 10.1.0.1']);
    assert.deepEqual(at(records, 'a.east.contoso.example'), ['A 10.1.0.1']);
    assert.deepEqual(at(records, 'b.west.contoso.example'), ['A 10.2.0.2']);
  });

  it('with VIPs: the VIP alone at 10 in P.S.B, at 10 / 30 in S-preferred, the VIP address on S.B; a backup tier held by one site has weight 100', () => {
    const r = buildDnsRecords(inv([vip('east'), pair('west')]));
    assert.deepEqual(at(r, `_sip._udp.east.${B}`), ['SRV 10 100 5060 vip.east.contoso.example.']);
    assert.deepEqual(at(r, `_sip._udp.east-preferred.${B}`), [
      'SRV 10 100 5060 vip.east.contoso.example.',
      'SRV 30 100 5060 a.west.contoso.example.',
      'SRV 40 100 5060 b.west.contoso.example.',
    ]);
    assert.deepEqual(at(r, `_sip._udp.west-preferred.${B}`), [
      'SRV 10 100 5060 a.west.contoso.example.',
      'SRV 20 100 5060 b.west.contoso.example.',
      'SRV 30 100 5060 vip.east.contoso.example.',
    ]);
    // equal priority and weight: targets in canonical order (east's names before west's)
    assert.deepEqual(at(r, `_sip._udp.${B}`), [
      'SRV 10 50 5060 vip.east.contoso.example.',
      'SRV 10 50 5060 a.west.contoso.example.',
      'SRV 20 100 5060 b.west.contoso.example.',
    ]);
    assert.deepEqual(at(r, `east.${B}`), ['A 10.1.0.10']);
  });

  it('IPv6 addresses give AAAA records', () => {
    const r = buildDnsRecords(inv([vip('east', '2001:db8::10'), vip('west')]));
    assert.deepEqual(at(r, `east.${B}`), ['AAAA 2001:db8::10']);
    assert.deepEqual(at(r, 'vip.east.contoso.example'), ['AAAA 2001:db8::10']);
  });

  it('a host outside the zone gets no A record (its SRV target stays), a VIP host equal to S.B is written once', () => {
    const east: Site = { id: 'east', sipServer: { vip: { host: `east.${B}`, address: '10.1.0.10' } } };
    const west: Site = { id: 'west', sipServer: { vip: { host: 'vip.west.example.net', address: '10.2.0.10' } } };
    const r = buildDnsRecords(inv([east, west]));
    assert.deepEqual(at(r, `east.${B}`), ['A 10.1.0.10']);
    assert.deepEqual(at(r, 'vip.west.example.net'), []);
    assert.deepEqual(at(r, `west.${B}`), ['A 10.2.0.10']);
    assert.deepEqual(at(r, `_sip._udp.west.${B}`), ['SRV 10 100 5060 vip.west.example.net.']);
  });

  it('ports: the endpoint port, else 5060, else 5061 for tls', () => {
    const east = pair('east');
    east.sipServer.primary!.port = 5070;
    const r = buildDnsRecords(inv([east, pair('west')], { defaults: { transport: 'tls' } }));
    assert.deepEqual(at(r, `_sips._tcp.east.${B}`), ['SRV 10 100 5070 a.east.contoso.example.', 'SRV 20 100 5061 b.east.contoso.example.']);
  });

  it('dns.subdomain and dns.ttl are used; the zone is lower-cased', () => {
    const r = buildDnsRecords(inv([vip('east'), vip('west')], { dns: { zone: 'Contoso.Example.', subdomain: 'voice', ttl: 60 } }));
    assert.ok(r.some((x) => x.name === '_sip._udp.east-preferred.voice.contoso.example' && x.ttl === 60));
    assert.ok(r.every((x) => x.ttl === 60));
  });

  it('the output is sorted and deterministic', () => {
    const a = buildDnsRecords(inv([pair('east', 3), pair('west', 1)])).map((r) => `${r.name} ${r.type} ${r.rdataText()}`);
    const b = buildDnsRecords(inv([pair('east', 3), pair('west', 1)])).map((r) => `${r.name} ${r.type} ${r.rdataText()}`);
    assert.deepEqual(a, b);
  });
});

describe('buildDnsRecords: transports in use', () => {
  it('udp when nothing is said', () => {
    assert.deepEqual(transportsInUse(inv([vip('east'), vip('west')])), ['udp']);
  });
  it('defaults.transport plus every phone transport, each with its own prefix', () => {
    const i = inv([vip('east'), vip('west')], {
      defaults: { transport: 'tcp' },
      phones: [
        { mac: '001122334455', model: 'yealink-t54w', place: 'p', transport: 'tls' },
        { mac: '001122334456', model: 'yealink-t54w', place: 'p' },
      ],
    });
    assert.deepEqual(transportsInUse(i), ['tcp', 'tls']);
    const owners = new Set(
      buildDnsRecords(i)
        .filter((r) => r.type === 'SRV')
        .map((r) => r.name.split('.').slice(0, 2).join('.')),
    );
    assert.deepEqual([...owners].sort(), ['_sip._tcp', '_sips._tcp']);
  });
});

describe('--drain (SPEC §6.3)', () => {
  const i = inv([pair('east', 300), pair('west', 100)]);

  it('--drain east: east goes behind west in east-preferred and the balanced name; east.B and west-preferred do not change', () => {
    const normal = buildDnsRecords(i);
    const r = buildDnsRecords(i, { drain: 'east' });
    assert.deepEqual(at(r, `_sip._udp.east-preferred.${B}`), [
      'SRV 10 100 5060 a.west.contoso.example.',
      'SRV 20 100 5060 b.west.contoso.example.',
      'SRV 30 100 5060 a.east.contoso.example.',
      'SRV 40 100 5060 b.east.contoso.example.',
    ]);
    assert.deepEqual(at(r, `_sip._udp.${B}`), [
      'SRV 10 100 5060 a.west.contoso.example.',
      'SRV 20 100 5060 b.west.contoso.example.',
      'SRV 30 100 5060 a.east.contoso.example.',
      'SRV 40 100 5060 b.east.contoso.example.',
    ]);
    for (const owner of [`_sip._udp.east.${B}`, `_sip._udp.west.${B}`, `_sip._udp.west-preferred.${B}`, `east.${B}`, `west.${B}`]) {
      assert.deepEqual(at(r, owner), at(normal, owner), owner);
    }
  });

  it('--drain west: the mirror image', () => {
    const r = buildDnsRecords(i, { drain: 'west' });
    assert.deepEqual(at(r, `_sip._udp.west-preferred.${B}`), [
      'SRV 10 100 5060 a.east.contoso.example.',
      'SRV 20 100 5060 b.east.contoso.example.',
      'SRV 30 100 5060 a.west.contoso.example.',
      'SRV 40 100 5060 b.west.contoso.example.',
    ]);
    assert.deepEqual(at(r, `_sip._udp.${B}`), [
      'SRV 10 100 5060 a.east.contoso.example.',
      'SRV 20 100 5060 b.east.contoso.example.',
      'SRV 30 100 5060 a.west.contoso.example.',
      'SRV 40 100 5060 b.west.contoso.example.',
    ]);
    assert.deepEqual(at(r, `_sip._udp.west.${B}`), ['SRV 10 100 5060 a.west.contoso.example.', 'SRV 20 100 5060 b.west.contoso.example.']);
  });

  it('a drained VIP site goes to 30 even when the peer has only a VIP', () => {
    const r = buildDnsRecords(inv([vip('east'), vip('west')]), { drain: 'west' });
    assert.deepEqual(at(r, `_sip._udp.${B}`), ['SRV 10 100 5060 vip.east.contoso.example.', 'SRV 30 100 5060 vip.west.contoso.example.']);
  });

  it('an unknown site is a usage error listing the valid ids', () => {
    assert.throws(
      () => buildDnsRecords(i, { drain: 'north' }),
      (e: unknown) => e instanceof SipbcError && e.exitCode === ExitCode.USAGE && /--drain north: no such site; the sites are east, west/.test(e.message),
    );
  });
});

describe('capacityWeights', () => {
  const table: [(number | undefined)[], number[]][] = [
    [
      [undefined, undefined],
      [50, 50],
    ],
    [
      [400, undefined],
      [50, 50],
    ],
    [
      [300, 100],
      [75, 25],
    ],
    [
      [100, 200],
      [33, 67],
    ],
    [
      [1, 1000],
      [1, 99],
    ],
    [
      [0, 100],
      [0, 100],
    ],
    [
      [0, 0],
      [50, 50],
    ],
    [[500], [100]],
  ];
  for (const [given, want] of table) {
    it(`${JSON.stringify(given)} → ${JSON.stringify(want)}`, () => {
      const w = capacityWeights(given);
      assert.deepEqual(w, want);
      assert.equal(
        w.reduce((a, b) => a + b, 0),
        100,
      );
    });
  }
});

describe('missingDnsFor (SPEC §4 cross-check)', () => {
  const records = buildDnsRecords(inv([pair('east'), vip('west', '2001:db8::1')]));
  it('nothing missing for the names the records publish (A met by AAAA too)', () => {
    assert.deepEqual(
      missingDnsFor(records, [
        { name: `east-preferred.${B}`, type: 'SRV' },
        { name: `west.${B}`, type: 'SRV', transport: 'udp' },
        { name: `east.${B}`, type: 'A' },
        { name: `WEST.${B}.`, type: 'A' },
      ]),
      [],
    );
  });
  it('lists the names lacking records, sorted, once each', () => {
    assert.deepEqual(
      missingDnsFor(records, [
        { name: `east-preferred.${B}`, type: 'SRV', transport: 'tcp' },
        { name: `east-preferred.${B}`, type: 'SRV', transport: 'tcp' },
        { name: `north.${B}`, type: 'A' },
      ]),
      [`_sip._tcp.east-preferred.${B} SRV`, `east-preferred.${B} NAPTR SIP+D2T → _sip._tcp.east-preferred.${B}`, `north.${B} A/AAAA`],
    );
  });
  it('a phone that takes its transport from NAPTR needs its transport first; one with an explicit transport only needs it listed', () => {
    const usage = dnsUsage([
      { host: `east-preferred.${B}`, srv: true, transport: 'tls', naptrDriven: true },
      { host: `east-preferred.${B}`, srv: true, transport: 'udp', naptrDriven: false },
    ]);
    const r = buildDnsRecords(
      inv([pair('east'), pair('west')], { defaults: { transport: 'udp' }, phones: [{ mac: 'x', model: 'y', place: 'p', transport: 'tls' }] }),
      { usage },
    );
    assert.deepEqual(missingDnsFor(r, [{ name: `east-preferred.${B}`, type: 'SRV', transport: 'tls', naptrDriven: true }]), []);
    assert.deepEqual(missingDnsFor(r, [{ name: `east-preferred.${B}`, type: 'SRV', transport: 'udp' }]), []);
    assert.deepEqual(missingDnsFor(r, [{ name: `east-preferred.${B}`, type: 'SRV', transport: 'udp', naptrDriven: true }]), [
      `east-preferred.${B} NAPTR SIP+D2U first (it lists SIPS+D2T first, so the phone would use SIPS+D2T)`,
    ]);
  });
});

describe('NAPTR records (RFC 3403 / RFC 3263 §4.1)', () => {
  const twoTransports = inv([pair('east'), pair('west')], { defaults: { transport: 'udp' }, phones: [{ mac: 'x', model: 'y', place: 'p', transport: 'tls' }] });
  const naptr = (r: DnsRecord[], owner: string) => at(r, owner, ['NAPTR']);

  it('without usage every SRV name lists every transport in use, secure first, flag "s", replacement = that SRV owner', () => {
    const r = buildDnsRecords(twoTransports);
    for (const name of [`east.${B}`, `east-preferred.${B}`, `west.${B}`, `west-preferred.${B}`, B]) {
      assert.deepEqual(naptr(r, name), [`NAPTR 10 10 "s" "SIPS+D2T" "" _sips._tcp.${name}.`, `NAPTR 20 10 "s" "SIP+D2U" "" _sip._udp.${name}.`]);
    }
  });

  it("a name the phones resolve lists exactly their transports; the NAPTR-driven phones' one transport comes first; unused names and B list all", () => {
    const usage = dnsUsage([
      { host: `east-preferred.${B}`, srv: true, transport: 'udp', naptrDriven: true },
      { host: `east-preferred.${B}`, srv: true, transport: 'tls', naptrDriven: false },
      { host: `west-preferred.${B}`, srv: true, transport: 'tls', naptrDriven: true },
      { host: `east.${B}`, srv: false, transport: 'udp', naptrDriven: false },
    ]);
    const r = buildDnsRecords(twoTransports, { usage });
    assert.deepEqual(naptr(r, `east-preferred.${B}`), [
      `NAPTR 10 10 "s" "SIP+D2U" "" _sip._udp.east-preferred.${B}.`,
      `NAPTR 20 10 "s" "SIPS+D2T" "" _sips._tcp.east-preferred.${B}.`,
    ]);
    assert.deepEqual(naptr(r, `west-preferred.${B}`), [`NAPTR 10 10 "s" "SIPS+D2T" "" _sips._tcp.west-preferred.${B}.`]);
    // east.B is used only with an explicit port (no SRV): not "used", so all transports, as its SRV records.
    assert.deepEqual(naptr(r, `east.${B}`), [`NAPTR 10 10 "s" "SIPS+D2T" "" _sips._tcp.east.${B}.`, `NAPTR 20 10 "s" "SIP+D2U" "" _sip._udp.east.${B}.`]);
    assert.deepEqual(naptr(r, B), [`NAPTR 10 10 "s" "SIPS+D2T" "" _sips._tcp.${B}.`, `NAPTR 20 10 "s" "SIP+D2U" "" _sip._udp.${B}.`]);
  });

  it('NAPTR-driven phones that disagree get no preferred order (secure first) — the cross-check then refuses the others', () => {
    assert.deepEqual(
      naptrTransports(
        `east-preferred.${B}`,
        ['udp', 'tcp', 'tls'],
        dnsUsage([
          { host: `east-preferred.${B}`, srv: true, transport: 'udp', naptrDriven: true },
          { host: `east-preferred.${B}`, srv: true, transport: 'tcp', naptrDriven: true },
        ]),
      ),
      ['tcp', 'udp'],
    );
  });

  it('every NAPTR replacement has its SRV RRset in the set (checkDnsRecords)', () => {
    const r = buildDnsRecords(twoTransports);
    assert.deepEqual(
      checkDnsRecords(r, 'contoso.example').filter((p) => p.type === 'NAPTR'),
      [],
    );
    const broken = r.filter((x) => x.name !== `_sips._tcp.east-preferred.${B}`);
    assert.deepEqual(
      checkDnsRecords(broken, 'contoso.example')
        .filter((p) => p.type === 'NAPTR')
        .map((p) => p.code),
      ['SIPBC-E-DNS-NAPTR-NO-SRV'],
    );
  });
});
