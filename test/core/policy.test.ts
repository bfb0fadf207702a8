import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { synthInventory } from '../../bench/synth.js';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { parseInventory } from '../../src/core/load.js';
import type { Inventory, Site } from '../../src/core/inventory.js';
import { autoSite, resolvePlan } from '../../src/core/policy.js';
import { policyCsv, policyCsvBytes, policyRows, wrap } from '../../src/core/policy-table.js';
import { fixturePath } from '../support/golden.js';

const cat = loadCatalogue();

function inventory(extra: Partial<Inventory> = {}): Inventory {
  return {
    version: 1,
    dns: { zone: 'contoso.example' },
    sites: [
      {
        id: 'east',
        name: 'Boston',
        sipServer: { primary: { host: 'a.east.contoso.example', address: '10.1.0.11' }, backup: { host: 'b.east.contoso.example', address: '10.1.0.12' } },
      },
      { id: 'west', sipServer: { vip: { host: 'vip.west.contoso.example', address: '10.2.0.10', port: 5070 } } },
    ],
    places: [
      { id: 'P1', extensions: { east: '1001', west: '1001' } },
      { id: 'P2', extensions: { east: '1002', west: '2002' } },
    ],
    agents: [{ login: '7001', user: 'jdoe', place: 'P1', preferredSite: 'west' }],
    phones: [],
    ...extra,
  };
}

const table: [string, { phone: Record<string, unknown>; defaults?: Inventory['defaults']; want: Record<string, unknown> }][] = [
  [
    'agents decide the site, default mode active-backup via SRV',
    {
      phone: { mac: '00:15:65:12:34:AB', model: 'yealink-t54w', place: 'P1' },
      want: {
        preferredSite: 'west',
        peerSite: 'east',
        mode: 'active-backup',
        siteSource: 'agents',
        mac: '00156512 34ab'.replace(' ', ''),
        servers: [{ host: 'west-preferred.sip.contoso.example', port: 0, srv: true, transport: 'udp', site: 'west', user: '1001' }],
      },
    },
  ],
  [
    'phone override beats agents; dual Yealink: S.B then T.B via SRV',
    {
      phone: { mac: '001565123400', model: 'yealink-t54w', place: 'P1', preferredSite: 'east', registration: 'dual' },
      want: {
        preferredSite: 'east',
        mode: 'dual',
        siteSource: 'phone',
        servers: [
          { host: 'east.sip.contoso.example', port: 0, srv: true, transport: 'udp', site: 'east', user: '1001' },
          { host: 'west.sip.contoso.example', port: 0, srv: true, transport: 'udp', site: 'west', user: '1001' },
        ],
      },
    },
  ],
  [
    'Cisco dual: no SRV, explicit ports through the S.B A record (VIP port 5070 for west)',
    {
      phone: { mac: '001565123401', model: 'cisco-8851', place: 'P1', registration: 'dual' },
      want: {
        mode: 'dual',
        servers: [
          { host: 'west.sip.contoso.example', port: 5070, srv: false, transport: 'udp', site: 'west', user: '1001' },
          { host: 'east.sip.contoso.example', port: 5060, srv: false, transport: 'udp', site: 'east', user: '1001' },
        ],
      },
    },
  ],
  [
    'Alcatel: never dual; default dual becomes a note; backup registrar on the peer site',
    {
      phone: { mac: '00809f5607ae', model: 'alcatel-4028', place: 'P1', transport: 'tcp' },
      defaults: { registration: 'dual' },
      want: {
        mode: 'active-backup',
        notes: ['Alcatel-Lucent IP Touch 4000 cannot dual-register: active-backup instead of defaults.registration dual'],
        servers: [
          { host: 'west.sip.contoso.example', port: 5070, srv: false, transport: 'tcp', site: 'west', user: '1001' },
          { host: 'east.sip.contoso.example', port: 5060, srv: false, transport: 'tcp', site: 'east', user: '1001' },
        ],
      },
    },
  ],
  [
    "per-site extension numbers differ: each line uses its own site's DN",
    {
      phone: { mac: '001565123402', model: 'snom-d785', place: 'P2', registration: 'dual', preferredSite: 'west' },
      want: {
        servers: [
          { host: 'west.sip.contoso.example', port: 0, srv: true, transport: 'udp', site: 'west', user: '2002' },
          { host: 'east.sip.contoso.example', port: 0, srv: true, transport: 'udp', site: 'east', user: '1002' },
        ],
      },
    },
  ],
];

for (const [name, { phone, defaults, want }] of table) {
  test(`policy: ${name}`, () => {
    const plan = resolvePlan(inventory({ phones: [phone as never], defaults }), cat);
    const got = plan.phones[0] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, k);
    assert.ok((got.why as string[]).length >= 2, 'every phone has a why');
  });
}

test('auto: stable per place, independent of other places, proportional to capacity', () => {
  const sites: Site[] = [
    { id: 'east', capacity: 300, sipServer: {} },
    { id: 'west', capacity: 100, sipServer: {} },
  ];
  const ids = Array.from({ length: 4000 }, (_, i) => `Place_${i}`);
  const first = ids.map((id) => autoSite(id, sites));
  assert.deepEqual(
    ids.map((id) => autoSite(id, sites)),
    first,
    'deterministic',
  );
  const east = first.filter((s) => s === 'east').length / ids.length;
  assert.ok(east > 0.72 && east < 0.78, `east share ${east} ≈ 0.75`);
  const equal = ids.map((id) =>
    autoSite(id, [
      { id: 'east', sipServer: {} },
      { id: 'west', sipServer: {} },
    ]),
  );
  const share = equal.filter((s) => s === 'east').length / ids.length;
  assert.ok(share > 0.47 && share < 0.53, `equal share ${share}`);
});

test("auto: agents and phones at one place resolve to the same site; agents follow their place's phones", () => {
  const places = Array.from({ length: 50 }, (_, i) => ({ id: `P${i}`, extensions: { east: `${1000 + i}`, west: `${1000 + i}` } }));
  const inv = inventory({
    places,
    agents: places.map((p, i) => ({ login: `${7000 + i}`, user: `u${i}`, place: p.id, preferredSite: 'auto' })),
    phones: places.map((p, i) => ({ mac: `0015651200${String(i).padStart(2, '0')}`, model: 'poly-vvx450', place: p.id })),
  });
  const plan = resolvePlan(inv, cat);
  const sites = new Set<string>();
  for (const ph of plan.phones) {
    const ag = plan.agents.find((a) => a.place.id === ph.place.id)!;
    assert.equal(ag.site, ph.preferredSite, ph.place.id);
    assert.equal(ph.siteSource, 'auto');
    sites.add(ph.preferredSite);
  }
  assert.equal(sites.size, 2, 'both sites used');
});

test('wrap: lines of at most the width, broken at spaces, indents kept; a word longer than a line is cut', () => {
  assert.deepEqual(wrap('why: the agents at P1 prefer east', 16, '  ', '       '), ['  why: the', '       agents at', '       P1 prefer', '       east']);
  assert.deepEqual(wrap('line 1: a-very-long-host.example.com', 20, '  ', '    '), ['  line 1:', '    a-very-long-host', '    .example.com']);
  assert.deepEqual(wrap('short', 80, '', ''), ['short']);
  for (const l of wrap('x '.repeat(200) + 'y'.repeat(300), 40, '  ', '     ')) assert.ok(l.length <= 40, l);
});

test('policy.csv of generate (cells straight from the plan) is byte for byte `policy --format csv` (cells from the policy rows)', () => {
  for (const text of [synthInventory(2000).text, readFileSync(fixturePath('001-realistic', 'inventory.yaml'), 'utf8')]) {
    const plan = resolvePlan(parseInventory(text, 'inventory.yaml').data as Inventory, cat);
    assert.ok(plan.phones.some((p) => p.agents.length > 1 || p.servers.length > 1));
    assert.deepEqual(policyCsvBytes(plan), Buffer.from(policyCsv(policyRows(plan)), 'utf8'));
  }
});
