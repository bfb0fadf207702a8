/**
 * The DNS outputs against a real BIND (Debian bind9 / bind9-utils / bind9-dnsutils):
 * named-checkzone in strict mode on the wrapped fragment, a real named answering SRV queries,
 * the nsupdate script applied with the real nsupdate, and the wire UPDATE sent over UDP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { buildDnsRecords, renderNsupdate, renderZone, encodeUpdate, type DnsRecord } from '../../src/core/dns/index.js';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { dnsUsageOf } from '../../src/core/generate.js';
import type { Inventory } from '../../src/core/inventory.js';
import { resolvePlan } from '../../src/core/policy.js';
import { parseInventory } from '../../src/core/load.js';
import { checkFragment, namedInstalled, NAMED_MISSING, startNamed, stubZone, wrapFragment, type NamedServer } from '../support/bind.js';
import { repoPath } from '../support/cli.js';
import { dnsFixtures } from '../support/dns-fixtures.js';

const ZONE = 'contoso.example';
const FIXTURE = repoPath('test', 'fixtures', 'dns', '001-spec-example', 'inventory.yaml');
const skip = namedInstalled() ? false : NAMED_MISSING;

function inventory(): Inventory {
  return parseInventory(readFileSync(FIXTURE, 'utf8'), 'inventory.yaml').data as Inventory;
}

/** Every transport in use, to check _sip._tcp and _sips._tcp names too. */
function allTransports(): Inventory {
  const inv = inventory();
  inv.phones = [
    ...(inv.phones ?? []),
    { mac: '001565000001', model: 'yealink-t54w', place: 'Place_1001', transport: 'tcp' },
    { mac: '001565000002', model: 'yealink-t54w', place: 'Place_1001', transport: 'tls' },
  ];
  return inv;
}

const zoneText = (records: DnsRecord[]) => renderZone(records, { zone: ZONE, ttl: 300, source: 'inventory.yaml' });

/** dns-packet decodes the header's opcode and rcode (missing from @types/dns-packet). */
function decodeReply(buf: Buffer): dnsPacket.DecodedPacket & { rcode: string; opcode: string } {
  return dnsPacket.decode(buf) as dnsPacket.DecodedPacket & { rcode: string; opcode: string };
}

async function srvTargets(server: NamedServer, name: string): Promise<string[]> {
  const srv = await server.resolver().resolveSrv(name);
  srv.sort((a, b) => a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name));
  return srv.map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`);
}

describe('named-checkzone (strict) on the bind fragment', { skip }, () => {
  for (const [label, inv, drain] of [
    ['spec example', inventory(), undefined],
    ['spec example, --drain east', inventory(), 'east'],
    ['udp + tcp + tls', allTransports(), undefined],
  ] as const) {
    it(`accepts the fragment wrapped in a stub zone (${label}), with no "has no address records" warning`, () => {
      const frag = zoneText(buildDnsRecords(inv, { drain }));
      const r = checkFragment(ZONE, frag);
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(r.noAddress, [], r.output);
      assert.match(r.output, /loaded serial 1/);
    });
  }

  for (const fx of dnsFixtures()) {
    it(`accepts the golden fragment ${fx.name}/expected.zone`, () => {
      const zone = String(fx.inventory.dns.zone).replace(/\.$/, '').toLowerCase();
      const r = checkFragment(zone, readFileSync(fx.expectedZonePath, 'utf8'));
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(r.noAddress, [], r.output);
    });
  }

  it('the gate catches an SRV target without an address record (proof the check can fail)', () => {
    const records = buildDnsRecords(inventory()).filter((r) => r.name !== 'sipsrv.west.contoso.example');
    const r = checkFragment(ZONE, zoneText(records));
    assert.equal(r.code, 0, 'named-checkzone itself only warns (reference/peers.md §2.2)');
    assert.ok(
      r.noAddress.some((l) => l.includes("'sipsrv.west.contoso.example' has no address records")),
      r.output,
    );
  });
});

describe('a real named serving the wrapped fragment', { skip }, () => {
  let server: NamedServer | undefined;
  let drained: NamedServer | undefined;
  before(async () => {
    server = await startNamed([{ name: ZONE, text: wrapFragment(ZONE, zoneText(buildDnsRecords(allTransports()))) }]);
    drained = await startNamed([{ name: ZONE, text: wrapFragment(ZONE, zoneText(buildDnsRecords(inventory(), { drain: 'east' }))) }]);
  });
  after(async () => {
    await server?.stop();
    await drained?.stop();
  });

  it('_sip._udp.east-preferred answers east primary, east backup, then west', async () => {
    assert.deepEqual(await srvTargets(server!, '_sip._udp.east-preferred.sip.contoso.example'), [
      '10 100 5060 sipsrv-a.east.contoso.example',
      '20 100 5060 sipsrv-b.east.contoso.example',
      '30 100 5060 sipsrv.west.contoso.example',
    ]);
  });

  it('_sip._udp.west-preferred answers west first, then the east pair', async () => {
    assert.deepEqual(await srvTargets(server!, '_sip._udp.west-preferred.sip.contoso.example'), [
      '10 100 5060 sipsrv.west.contoso.example',
      '30 100 5060 sipsrv-a.east.contoso.example',
      '40 100 5060 sipsrv-b.east.contoso.example',
    ]);
  });

  it('TLS uses _sips._tcp and port 5061; the balanced name shares priority 10', async () => {
    assert.deepEqual(await srvTargets(server!, '_sips._tcp.east-preferred.sip.contoso.example'), [
      '10 100 5060 sipsrv-a.east.contoso.example',
      '20 100 5060 sipsrv-b.east.contoso.example',
      '30 100 5061 sipsrv.west.contoso.example',
    ]);
    assert.deepEqual(await srvTargets(server!, '_sip._tcp.sip.contoso.example'), [
      '10 50 5060 sipsrv-a.east.contoso.example',
      '10 50 5060 sipsrv.west.contoso.example',
      '20 100 5060 sipsrv-b.east.contoso.example',
    ]);
  });

  it('the SRV targets and site names resolve to the inventory addresses', async () => {
    const r = server!.resolver();
    assert.deepEqual(await r.resolve4('sipsrv-a.east.contoso.example'), ['10.1.0.11']);
    assert.deepEqual(await r.resolve4('sipsrv.west.contoso.example'), ['10.2.0.10']);
    assert.deepEqual(await r.resolve4('east.sip.contoso.example'), ['10.1.0.11']);
    assert.deepEqual(await r.resolve4('west.sip.contoso.example'), ['10.2.0.10']);
  });

  it('--drain east: east-preferred and the balanced name answer west first; _sip._udp.east is unchanged', async () => {
    assert.deepEqual(await srvTargets(drained!, '_sip._udp.east-preferred.sip.contoso.example'), [
      '10 100 5060 sipsrv.west.contoso.example',
      '30 100 5060 sipsrv-a.east.contoso.example',
      '40 100 5060 sipsrv-b.east.contoso.example',
    ]);
    assert.deepEqual(await srvTargets(drained!, '_sip._udp.sip.contoso.example'), [
      '10 100 5060 sipsrv.west.contoso.example',
      '30 100 5060 sipsrv-a.east.contoso.example',
      '40 100 5060 sipsrv-b.east.contoso.example',
    ]);
    assert.deepEqual(await srvTargets(drained!, '_sip._udp.east.sip.contoso.example'), [
      '10 100 5060 sipsrv-a.east.contoso.example',
      '20 100 5060 sipsrv-b.east.contoso.example',
    ]);
  });
});

/** Three transports on three names: a NAPTR-driven Yealink (udp) and an explicit Snom (tcp) preferring east, a Poly (tls) preferring west. */
function mixedPhones(): Inventory {
  const inv = inventory();
  inv.phones = [
    { mac: '001565000011', model: 'yealink-t54w', place: 'Place_1001', preferredSite: 'east', transport: 'udp' },
    { mac: '000413000012', model: 'snom-d785', place: 'Place_1001', preferredSite: 'east', transport: 'tcp' },
    { mac: '0004f2000013', model: 'poly-vvx450', place: 'Place_1001', preferredSite: 'west', transport: 'tls' },
  ];
  return inv;
}

describe('NAPTR → SRV → A on a real named (RFC 3263 §4.1), for each transport', { skip }, () => {
  let server: NamedServer | undefined;
  const inv = mixedPhones();
  const records = buildDnsRecords(inv, { usage: dnsUsageOf(resolvePlan(inv, loadCatalogue())) });
  before(async () => {
    server = await startNamed([{ name: ZONE, text: wrapFragment(ZONE, zoneText(records)) }]);
  });
  after(async () => {
    await server?.stop();
  });

  /** What a client does: NAPTR of the name, the record for the service, SRV of its replacement, A of the first target. */
  async function follow(name: string, service: string): Promise<{ naptr: string[]; srv: string; address: string[] }> {
    const r = server!.resolver();
    const naptr = (await r.resolveNaptr(name)).sort((a, b) => a.order - b.order || a.preference - b.preference);
    const rec = naptr.find((n) => n.service === service);
    assert.ok(rec, `${name} has no ${service} NAPTR`);
    assert.equal(rec.flags, 's');
    assert.equal(rec.regexp, '');
    const srv = (await r.resolveSrv(rec.replacement)).sort((a, b) => a.priority - b.priority);
    return {
      naptr: naptr.map((n) => `${n.order} ${n.service} ${n.replacement}`),
      srv: `${srv[0].port} ${srv[0].name}`,
      address: await r.resolve4(srv[0].name),
    };
  }

  it('east-preferred: udp first (the Yealink takes its transport from NAPTR), then tcp (the Snom names its own); both lead to the east primary', async () => {
    const udp = await follow('east-preferred.sip.contoso.example', 'SIP+D2U');
    assert.deepEqual(udp.naptr, ['10 SIP+D2U _sip._udp.east-preferred.sip.contoso.example', '20 SIP+D2T _sip._tcp.east-preferred.sip.contoso.example']);
    assert.deepEqual([udp.srv, udp.address], ['5060 sipsrv-a.east.contoso.example', ['10.1.0.11']]);
    const tcp = await follow('east-preferred.sip.contoso.example', 'SIP+D2T');
    assert.deepEqual([tcp.srv, tcp.address], ['5060 sipsrv-a.east.contoso.example', ['10.1.0.11']]);
  });

  it('west-preferred: only SIPS+D2T (the one TLS phone), to _sips._tcp and the west VIP on 5061', async () => {
    const tls = await follow('west-preferred.sip.contoso.example', 'SIPS+D2T');
    assert.deepEqual(tls.naptr, ['10 SIPS+D2T _sips._tcp.west-preferred.sip.contoso.example']);
    assert.deepEqual([tls.srv, tls.address], ['5061 sipsrv.west.contoso.example', ['10.2.0.10']]);
  });

  it('the balanced name lists every transport in use, secure first', async () => {
    const tls = await follow('sip.contoso.example', 'SIPS+D2T');
    assert.deepEqual(tls.naptr, [
      '10 SIPS+D2T _sips._tcp.sip.contoso.example',
      '20 SIP+D2T _sip._tcp.sip.contoso.example',
      '30 SIP+D2U _sip._udp.sip.contoso.example',
    ]);
    assert.equal(tls.address.length, 1);
  });

  it('named-checkzone (strict) accepts it', () => {
    const result = checkFragment(ZONE, zoneText(records));
    assert.equal(result.code, 0, result.output);
    assert.deepEqual(result.noAddress, []);
  });
});

describe('dynamic updates on a real named', { skip }, () => {
  // A zone the DNS team already runs: a stale SRV at one of our owners (to be replaced) and an unrelated record (to be kept).
  const existing = stubZone(ZONE, {
    extra: ['_sip._udp.east-preferred.sip IN SRV 5 100 5060 old.contoso.example.', 'old IN A 10.9.9.9', 'intranet IN A 10.9.9.8'],
  });
  let forNsupdate: NamedServer | undefined;
  let forWire: NamedServer | undefined;
  before(async () => {
    forNsupdate = await startNamed([{ name: ZONE, text: existing, dynamic: true }]);
    forWire = await startNamed([{ name: ZONE, text: existing, dynamic: true }]);
  });
  after(async () => {
    await forNsupdate?.stop();
    await forWire?.stop();
  });

  it('the nsupdate script (with a server line) replaces exactly our RRsets', async () => {
    const s = forNsupdate!;
    const script = renderNsupdate(buildDnsRecords(inventory()), { zone: ZONE, source: 'inventory.yaml', server: { host: '127.0.0.1', port: s.port } });
    const r = s.nsupdate(script);
    assert.equal(r.code, 0, `${r.output}\n--- named log ---\n${s.log()}`);
    assert.deepEqual(await srvTargets(s, '_sip._udp.east-preferred.sip.contoso.example'), [
      '10 100 5060 sipsrv-a.east.contoso.example',
      '20 100 5060 sipsrv-b.east.contoso.example',
      '30 100 5060 sipsrv.west.contoso.example',
    ]);
    assert.deepEqual(await srvTargets(s, '_sip._udp.west.sip.contoso.example'), ['10 100 5060 sipsrv.west.contoso.example']);
    assert.deepEqual(await s.resolver().resolve4('east.sip.contoso.example'), ['10.1.0.11']);
    assert.deepEqual(await s.resolver().resolve4('intranet.contoso.example'), ['10.9.9.8'], 'records that are not ours are kept');
  });

  it('the wire UPDATE sent over UDP gets NOERROR and its records answer; a second (drain) update replaces them', async () => {
    const s = forWire!;
    const reply = decodeReply(await s.sendUdp(encodeUpdate(buildDnsRecords(inventory()), { zone: ZONE, id: 4242 })));
    assert.equal(reply.id, 4242);
    assert.equal(reply.rcode, 'NOERROR', s.log());
    assert.equal(reply.opcode, 'UPDATE');
    assert.deepEqual(await srvTargets(s, '_sip._udp.east-preferred.sip.contoso.example'), [
      '10 100 5060 sipsrv-a.east.contoso.example',
      '20 100 5060 sipsrv-b.east.contoso.example',
      '30 100 5060 sipsrv.west.contoso.example',
    ]);
    assert.deepEqual(await s.resolver().resolve4('sipsrv-b.east.contoso.example'), ['10.1.0.12']);

    const drain = decodeReply(await s.sendUdp(encodeUpdate(buildDnsRecords(inventory(), { drain: 'east' }), { zone: ZONE, id: 4243 })));
    assert.equal(drain.rcode, 'NOERROR', s.log());
    assert.deepEqual(await srvTargets(s, '_sip._udp.east-preferred.sip.contoso.example'), [
      '10 100 5060 sipsrv.west.contoso.example',
      '30 100 5060 sipsrv-a.east.contoso.example',
      '40 100 5060 sipsrv-b.east.contoso.example',
    ]);
    assert.deepEqual(await s.resolver().resolve4('intranet.contoso.example'), ['10.9.9.8']);
  });
});
