import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { renderGenesys } from '../../src/core/genesys/index.js';
import type { Inventory } from '../../src/core/inventory.js';
import { resolvePlan, siteLabel } from '../../src/core/policy.js';

const cat = loadCatalogue();

/**
 * Two sites with different names; a shared place (two agents); a place whose Extension DN differs per
 * site with an Alcatel phone and an `auto` agent (auto → east for Place_1002); a Workspace SIP Endpoint
 * agent on `auto` (→ west for Place_1005); queue and port DNs.
 */
function realistic(): Inventory {
  return {
    version: 1,
    dns: { zone: 'contoso.example' },
    defaults: { preferredSite: 'auto', transport: 'udp' },
    sites: [
      {
        id: 'east',
        name: 'Boston',
        capacity: 300,
        sipServer: {
          primary: { host: 'sipsrv-a.east.contoso.example', address: '10.1.0.11' },
          backup: { host: 'sipsrv-b.east.contoso.example', address: '10.1.0.12' },
        },
      },
      { id: 'west', name: 'Denver', capacity: 200, sipServer: { vip: { host: 'sipsrv.west.contoso.example', address: '10.2.0.10' } } },
    ],
    places: [
      { id: 'Place_1001', extensions: { east: '1001', west: '1001' } },
      { id: 'Place_1002', extensions: { east: '1002', west: '2002' } },
      { id: 'Place_1005', extensions: { east: '1005', west: '1005' } },
      { id: 'Place_1006', extensions: { east: '1006', west: '1006' } },
    ],
    agents: [
      { login: '7002', user: 'asmith', place: 'Place_1001', preferredSite: 'east' },
      { login: '7001', user: 'jdoe', place: 'Place_1001', preferredSite: 'east' },
      { login: '7003', user: 'mbrown', place: 'Place_1002' },
      { login: '7005', user: 'klee', place: 'Place_1005', preferredSite: 'auto', sipEndpoint: true },
      { login: '7006', user: 'pwong', place: 'Place_1006', preferredSite: 'west' },
    ],
    phones: [
      { mac: '00:15:65:12:34:01', model: 'yealink-t54w', place: 'Place_1001' },
      { mac: '00:80:9f:56:07:ae', model: 'alcatel-4028', place: 'Place_1002' },
      { mac: '00:04:f2:00:10:06', model: 'poly-vvx450', place: 'Place_1006', registration: 'dual' },
    ],
    switchDNs: [
      { number: '9000', type: 'call-processing-port' },
      { number: '8001', type: 'acd-queue' },
      { number: '8000', type: 'acd-queue' },
    ],
  };
}

function render(inv: Inventory): Map<string, string> {
  const files = renderGenesys(resolvePlan(inv, cat), inv, { inventoryFile: 'inventory.yaml' });
  for (const f of files) assert.equal(f.secret, false, `${f.path} holds no secret`);
  return new Map(files.map((f) => [f.path, f.contents]));
}

const lines = (s: string) => s.split('\n').slice(0, -1);

test('genesys: the file set, with no banner line (CSV has no comment syntax)', () => {
  const out = render(realistic());
  assert.deepEqual([...out.keys()], ['genesys/dr-forward.csv', 'genesys/peers-east.csv', 'genesys/peers-west.csv', 'genesys/workspace-options.csv']);
  for (const [path, text] of out) {
    assert.ok(!text.startsWith('#'), `${path} starts with its header row`);
    assert.ok(text.endsWith('\n') && !text.includes('\r'), `${path}: LF endings`);
  }
});

test("genesys: dr-forward.csv lists the Alcatel place's Extension DN on each site", () => {
  assert.equal(
    render(realistic()).get('genesys/dr-forward.csv'),
    ['site,dn,place,section,option,value', 'east,1002,Place_1002,TServer,dr-forward,no-agent', 'west,2002,Place_1002,TServer,dr-forward,no-agent', ''].join(
      '\n',
    ),
  );
});

test('genesys: dr-forward.csv is a header alone when no Alcatel phone exists', () => {
  const inv = realistic();
  inv.phones = inv.phones!.filter((p) => !p.model.startsWith('alcatel'));
  assert.equal(render(inv).get('genesys/dr-forward.csv'), 'site,dn,place,section,option,value\n');
});

test('genesys: workspace-options.csv, one option per row, agents by login, site names not ids', () => {
  const ws = 'interaction-workspace';
  assert.deepEqual(lines(render(realistic()).get('genesys/workspace-options.csv')!), [
    'login,user,place,section,option,value',
    `7001,jdoe,Place_1001,${ws},disaster-recovery.enabled,true`,
    `7001,jdoe,Place_1001,${ws},disaster-recovery.preferred-site,Boston`,
    `7002,asmith,Place_1001,${ws},disaster-recovery.enabled,true`,
    `7002,asmith,Place_1001,${ws},disaster-recovery.preferred-site,Boston`,
    `7003,mbrown,Place_1002,${ws},disaster-recovery.enabled,true`,
    `7003,mbrown,Place_1002,${ws},disaster-recovery.preferred-site,Boston`,
    `7005,klee,Place_1005,${ws},disaster-recovery.enabled,true`,
    `7005,klee,Place_1005,${ws},disaster-recovery.preferred-site,Denver`,
    `7005,klee,Place_1005,${ws},sipendpoint.sbc-register-address,west.sip.contoso.example`,
    `7005,klee,Place_1005,${ws},sipendpoint.sbc-register-address.peer,east.sip.contoso.example`,
    `7005,klee,Place_1005,${ws},sipendpoint.sbc-register-port,0`,
    `7005,klee,Place_1005,${ws},sipendpoint.sbc-register-port.peer,0`,
    `7005,klee,Place_1005,${ws},sipendpoint.transport-protocol,UDP`,
    `7006,pwong,Place_1006,${ws},disaster-recovery.enabled,true`,
    `7006,pwong,Place_1006,${ws},disaster-recovery.preferred-site,Denver`,
  ]);
});

test('genesys: a site without a name is written by its id; the SIP Endpoint transport follows defaults.transport', () => {
  const inv = realistic();
  delete inv.sites[1].name;
  inv.defaults!.transport = 'tcp';
  const rows = lines(render(inv).get('genesys/workspace-options.csv')!);
  assert.ok(rows.includes('7006,pwong,Place_1006,interaction-workspace,disaster-recovery.preferred-site,west'));
  assert.ok(rows.includes('7005,klee,Place_1005,interaction-workspace,sipendpoint.transport-protocol,TCP'));
});

const peersEast = [
  'object,id,dn_type,place,dn,user',
  'Agent Login,7001,,,,jdoe',
  'Agent Login,7002,,,,asmith',
  'Agent Login,7003,,,,mbrown',
  'Agent Login,7005,,,,klee',
  'Agent Login,7006,,,,pwong',
  'DN,1001,Extension,Place_1001,,',
  'DN,1002,Extension,Place_1002,,',
  'DN,1005,Extension,Place_1005,,',
  'DN,1006,Extension,Place_1006,,',
  'DN,8000,ACD Queue,,,',
  'DN,8001,ACD Queue,,,',
  'DN,9000,Call Processing Port,,,',
  'Place,Place_1001,,,1001,',
  'Place,Place_1002,,,1002,',
  'Place,Place_1005,,,1005,',
  'Place,Place_1006,,,1006,',
];

test('genesys: peers-east.csv holds every object of the east switch, in LC_ALL=C sort order', () => {
  assert.deepEqual(lines(render(realistic()).get('genesys/peers-east.csv')!), peersEast);
});

test('genesys: peers-west.csv differs from peers-east.csv only where the Extension DN differs per site', () => {
  const out = render(realistic());
  const east = lines(out.get('genesys/peers-east.csv')!);
  const west = lines(out.get('genesys/peers-west.csv')!);
  assert.deepEqual(west, [
    ...peersEast.slice(0, 7),
    'DN,1005,Extension,Place_1005,,',
    'DN,1006,Extension,Place_1006,,',
    'DN,2002,Extension,Place_1002,,',
    ...peersEast.slice(10, 14),
    'Place,Place_1002,,,2002,',
    ...peersEast.slice(15),
  ]);
  assert.deepEqual(
    east.filter((l) => !west.includes(l)),
    ['DN,1002,Extension,Place_1002,,', 'Place,Place_1002,,,1002,'],
  );
  assert.deepEqual(
    west.filter((l) => !east.includes(l)),
    ['DN,2002,Extension,Place_1002,,', 'Place,Place_1002,,,2002,'],
  );
});

test('genesys: awkward values are CSV-escaped (RFC 4180 quotes, formula triggers neutralised)', () => {
  const inv = realistic();
  inv.places.push({ id: 'Sales, "North"', extensions: { east: '1010', west: '1010' } });
  inv.agents!.push({ login: '7010', user: '=HYPERLINK("http://x")', place: 'Sales, "North"', preferredSite: 'east' });
  inv.agents!.push({ login: '7011', user: "o'neil\nline2", place: 'Sales, "North"', preferredSite: 'east' });
  inv.phones!.push({ mac: '00:80:9f:56:07:af', model: 'alcatel-4018', place: 'Sales, "North"' });
  const out = render(inv);
  const peers = out.get('genesys/peers-east.csv')!;
  assert.ok(peers.includes('Agent Login,7010,,,,"\'=HYPERLINK(""http://x"")"\n'), peers);
  assert.ok(peers.includes('Agent Login,7011,,,,"o\'neil\nline2"\n'), peers);
  assert.ok(peers.includes('DN,1010,Extension,"Sales, ""North""",,\n'), peers);
  assert.ok(peers.includes('Place,"Sales, ""North""",,,1010,\n'), peers);
  assert.ok(out.get('genesys/dr-forward.csv')!.includes('east,1010,"Sales, ""North""",TServer,dr-forward,no-agent\n'));
  assert.ok(
    out
      .get('genesys/workspace-options.csv')!
      .includes('7010,"\'=HYPERLINK(""http://x"")","Sales, ""North""",interaction-workspace,disaster-recovery.preferred-site,Boston\n'),
  );
});

test('genesys: an agent and the phone at its place always name the same site, auto included', () => {
  const check = (inv: Inventory) => {
    const plan = resolvePlan(inv, cat);
    const rows = lines(renderGenesys(plan, inv, { inventoryFile: 'x.yaml' }).find((f) => f.path === 'genesys/workspace-options.csv')!.contents);
    const sites = new Map(plan.sites.map((s) => [s.id, s]));
    let compared = 0;
    for (const phone of plan.phones) {
      for (const agent of phone.agents) {
        const row = rows.find((r) => r.startsWith(`${agent.login},`) && r.includes(',disaster-recovery.preferred-site,'));
        assert.equal(row?.split(',').pop(), siteLabel(sites.get(phone.preferredSite)!), `agent ${agent.login} vs phone ${phone.mac}`);
        compared++;
      }
    }
    return compared;
  };
  assert.equal(check(realistic()), 4);
  // Every agent on auto, no agent/phone preference: each place's rendezvous winner for both.
  const allAuto = realistic();
  for (const a of allAuto.agents!) a.preferredSite = 'auto';
  for (let i = 0; i < 40; i++) {
    allAuto.places.push({ id: `Place_2${i}`, extensions: { east: `2${i}`, west: `2${i}` } });
    allAuto.agents!.push({ login: `80${i}`, user: `u${i}`, place: `Place_2${i}` });
    allAuto.phones!.push({ mac: `00:15:65:00:00:${(i + 16).toString(16)}`, model: 'snom-d785', place: `Place_2${i}` });
  }
  assert.equal(check(allAuto), 44);
  const autoSites = new Set(resolvePlan(allAuto, cat).phones.map((p) => p.preferredSite));
  assert.deepEqual([...autoSites].sort(), ['east', 'west'], 'auto spreads the places over both sites');
  // The phone overrides the auto agent: the desktop follows the phone (Place_1002 auto → east, phone says west).
  const override = realistic();
  override.phones![1].preferredSite = 'west';
  assert.equal(check(override), 4);
  assert.ok(
    lines(render(override).get('genesys/workspace-options.csv')!).includes(
      '7003,mbrown,Place_1002,interaction-workspace,disaster-recovery.preferred-site,Denver',
    ),
  );
});

test('genesys: deterministic, independent of inventory order', () => {
  const a = render(realistic());
  const shuffled = realistic();
  shuffled.places.reverse();
  shuffled.agents!.reverse();
  shuffled.phones!.reverse();
  shuffled.switchDNs!.reverse();
  assert.deepEqual(render(shuffled), a);
});

test('genesys: the documented order is exactly what `LC_ALL=C sort` gives', () => {
  const inv = realistic();
  inv.places.push(
    { id: 'Zürich_Ä', extensions: { east: '1020', west: '1020' } },
    { id: 'place_lower', extensions: { east: '1021', west: '1021' } },
    { id: 'place_wide', extensions: { east: '😀7', west: '😀7' } },
  );
  inv.agents!.push(
    { login: 'Ω1', user: 'ü', place: 'Zürich_Ä', preferredSite: 'east' },
    { login: 'a1', user: '"q"', place: 'place_lower', preferredSite: 'east' },
    // An astral character (a surrogate pair in UTF-16) and one of U+E000–U+FFFF: their UTF-16 and UTF-8 orders differ.
    { login: '😀1', user: 'u', place: 'place_lower', preferredSite: 'east' },
    { login: '\uff21 1', user: 'v', place: 'place_lower', preferredSite: 'east' },
  );
  inv.switchDNs!.push({ number: '\uff219', type: 'acd-queue' }, { number: '😀9', type: 'acd-queue' });
  // Logins one of which starts another's, quoted ones, and SIP Endpoint agents (seven rows each).
  for (const login of ['7', '70', '7,0', '"7"', '7 ', '6'])
    inv.agents!.push({ login, user: 'w', place: 'place_lower', preferredSite: 'west', sipEndpoint: true });
  for (const [path, text] of render(inv)) {
    const data = lines(text).slice(1);
    const sorted = spawnSync('sort', [], { input: data.join('\n') + '\n', env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
    assert.equal(sorted.status, 0, sorted.stderr);
    assert.deepEqual(data, lines(sorted.stdout), path);
  }
});

test('genesys: agents with the same cells (which validate refuses) still give LC_ALL=C sorted, unique rows', () => {
  const inv = realistic();
  const twin = { ...inv.agents![0] };
  inv.agents!.push({ ...twin }, { ...twin, preferredSite: twin.preferredSite === 'east' ? 'west' : 'east', sipEndpoint: true });
  const data = lines(render(inv).get('genesys/workspace-options.csv')!).slice(1);
  const sorted = spawnSync('sort', ['-u'], { input: data.join('\n') + '\n', env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
  assert.deepEqual(data, lines(sorted.stdout));
  assert.ok(data.filter((l) => l.startsWith(`${twin.login},`)).length > 2);
});
