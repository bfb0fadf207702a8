import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { parseInventory } from '../../src/core/load.js';
import { reportModel, recordMeaning } from '../../src/core/report/model.js';
import { diffSnapshots, type ChangeReview } from '../../src/core/review/diff.js';
import { takeSnapshot, type Snapshot } from '../../src/core/review/snapshot.js';
import { validateInventory } from '../../src/core/validate/index.js';
import { BASE_INVENTORY, EDITS, edited } from '../support/review-inventories.js';

const cat = loadCatalogue();

function snapshot(text: string, file: string): Snapshot {
  const { inventory, findings } = validateInventory(parseInventory(text, file), cat);
  assert.ok(inventory, `${file} is valid: ${findings.map((f) => f.message).join('; ')}`);
  return takeSnapshot(inventory, cat, file);
}

const base = snapshot(BASE_INVENTORY, 'old.yaml');
const review = (edits: [string, string][]): ChangeReview => diffSnapshots(base, snapshot(edited(...edits), 'new.yaml'));

test('no-op: only a comment and blank lines change → no changes', () => {
  const r = review(EDITS.cosmetic);
  assert.equal(r.changed, false);
  assert.deepEqual(r.headline, ['No changes: phones, agents, DNS records, Genesys rows and the load per site stay as they are.']);
  assert.deepEqual([r.phones.changed, r.phones.added, r.phones.removed, r.dns.changed, r.genesys], [[], [], [], [], []]);
  assert.equal(r.summary.attention, false);
});

test('a phone moved to a place whose agents prefer the other site: place, site and servers change, with the why', () => {
  const r = review(EDITS.movedPlace);
  assert.equal(r.changed, true);
  assert.equal(r.summary.phones.movingSite, 2);
  const yealink = r.phones.changed.find((p) => p.mac === '001565000001')!;
  assert.deepEqual(yealink.fields, [
    { field: 'place', before: 'P1', after: 'P3' },
    { field: 'preferredSite', before: 'east', after: 'west' },
    {
      field: 'line1',
      before: 'east.sip.contoso.example (SRV) > west.sip.contoso.example (SRV)',
      after: 'west.sip.contoso.example (SRV) > east.sip.contoso.example (SRV)',
    },
    { field: 'authUser', before: '1001', after: '1003' },
  ]);
  assert.equal(yealink.movesSite, true);
  assert.equal(yealink.modeChanged, false);
  assert.equal(yealink.why[0], 'the agents at P3 (7003) prefer west');
  assert.equal(yealink.whyBefore[0], 'the agents at P1 (7001) prefer east');
  assert.equal(r.headline[0], 'ATTENTION: 2 phones move to another preferred site.');
  // Agents stay with their places; the registered load per site does not change (one phone each way).
  assert.deepEqual(r.agents.siteChanged, []);
  assert.equal(r.summary.attention, true);
});

test("a site's capacity lowered until a failover overflows: flagged per scenario and in the headline", () => {
  const r = review(EDITS.lowCapacity);
  const row = r.load.find((l) => l.failedSite === 'east')!;
  assert.equal(row.site, 'west');
  assert.deepEqual([row.before!.capacity, row.after!.capacity, row.before!.overflow, row.after!.overflow, row.after!.agents], [10, 3, 0, 2, 5]);
  assert.deepEqual(row.flags, ['new-overflow']);
  assert.deepEqual(r.load.find((l) => l.failedSite === 'west')!.flags, []);
  assert.equal(r.summary.newOverflows, 1);
  assert.ok(
    r.headline.includes('ATTENTION: if east fails, west (Denver) must carry 5 agents with capacity 3: 2 over (it fitted before).'),
    r.headline.join('\n'),
  );
  // The SRV weights of the load-balanced name follow capacity: that RRset changes too.
  assert.deepEqual(
    r.dns.changed.map((s) => `${s.name} ${s.type}`),
    ['_sip._udp.sip.contoso.example SRV'],
  );
});

test('a dual-capable model changed to an Alcatel-Lucent 4000: the mode flips, the reason says why, dr-forward rows appear', () => {
  const r = review(EDITS.toAlcatel);
  assert.equal(r.phones.changed.length, 1);
  const p = r.phones.changed[0];
  assert.equal(p.modeChanged, true);
  assert.equal(p.movesSite, false);
  assert.deepEqual(p.fields.slice(0, 2), [
    { field: 'model', before: 'yealink-t54w', after: 'alcatel-4018' },
    { field: 'mode', before: 'dual', after: 'active-backup' },
  ]);
  assert.equal(p.why[1], 'Alcatel-Lucent IP Touch 4000 cannot dual-register: active-backup instead of defaults.registration dual');
  assert.equal(p.whyBefore[1], 'defaults.registration dual');
  assert.deepEqual(
    r.genesys.map((g) => [g.path, g.added, g.removed]),
    [['genesys/dr-forward.csv', ['east,1001,P1,TServer,dr-forward,no-agent', 'west,1001,P1,TServer,dr-forward,no-agent'], []]],
  );
  // The phone now re-registers through its backup registrar: the longest outage if east fails grows.
  const east = r.load.find((l) => l.failedSite === 'east')!;
  assert.deepEqual([east.before!.longestOutage, east.after!.longestOutage], [573, 633]);
  assert.equal(r.summary.phones.modeChanged, 1);
});

test('a server address change: the A RRsets change, nothing else', () => {
  const r = review(EDITS.newAddress);
  const byName = Object.fromEntries(r.dns.changed.map((c) => [`${c.name} ${c.type}`, [c.before, c.after]]));
  const change = [
    { ttl: 300, data: ['10.2.0.10'] },
    { ttl: 300, data: ['10.2.0.20'] },
  ];
  assert.deepEqual(byName, { 'west.sip.contoso.example A': change, 'vip.west.contoso.example A': change });
  assert.deepEqual([r.dns.added, r.dns.removed, r.phones.changed, r.genesys], [[], [], [], []]);
  assert.equal(r.summary.attention, false);
  assert.equal(r.changed, true);
});

test('a site loses its VIP: the phone whose dual line reaches it through the A record loses failover', () => {
  const r = review(EDITS.noVip);
  const east = r.failover.find((f) => f.failedSite === 'east')!;
  assert.deepEqual(
    east.lostFailover.map((p) => [p.mac, p.place]),
    [['707db9000005', 'P5']],
  );
  assert.match(east.lostFailover[0].reason, /west has no VIP/);
  assert.deepEqual(r.load.find((l) => l.failedSite === 'east')!.flags, ['new-stranded']);
  assert.equal(r.summary.lostFailover, 1);
  assert.equal(r.headline[1], 'ATTENTION: 1 phone would be stranded if east fails (today it reaches west).');
  assert.deepEqual(
    r.dns.added.map((s) => s.name),
    ['a.west.contoso.example', 'b.west.contoso.example'],
  );
  assert.deepEqual(
    r.dns.removed.map((s) => s.name),
    ['vip.west.contoso.example'],
  );
});

test('phones and agents added and removed are listed with their site and mode', () => {
  const r = review([
    ['  - { mac: "707db9000005", model: cisco-8851, place: P5, auth: none }\n', '  - { mac: "707db9000006", model: snom-d735, place: P5, auth: none }\n'],
    ['  - { login: "7005", user: u5, place: P5, preferredSite: east }\n', '  - { login: "7006", user: u6, place: P5, preferredSite: east }\n'],
  ]);
  assert.deepEqual(
    r.phones.added.map((p) => [p.mac, p.model, p.preferredSite, p.mode]),
    [['707db9000006', 'snom-d735', 'east', 'dual']],
  );
  assert.deepEqual(
    r.phones.removed.map((p) => [p.mac, p.model]),
    [['707db9000005', 'cisco-8851']],
  );
  assert.deepEqual(r.agents.added, [{ login: '7006', user: 'u6', place: 'P5', site: 'east' }]);
  assert.deepEqual(r.agents.removed, [{ login: '7005', user: 'u5', place: 'P5', site: 'east' }]);
});

test('report model: phones per site × mode × family, outage groups with the formula, the survivor capacity, DNS meanings', () => {
  const m = reportModel(base, cat, {});
  assert.deepEqual(m.matrix.columns, [
    { site: 'east', mode: 'dual' },
    { site: 'east', mode: 'active-backup' },
    { site: 'west', mode: 'dual' },
    { site: 'west', mode: 'active-backup' },
  ]);
  assert.deepEqual(
    m.matrix.rows.map((r) => [r.label, r.counts]),
    [
      ['Alcatel-Lucent IP Touch 4000', [0, 0, 0, 1]],
      ['Cisco IP Phone 7800/8800 MPP', [1, 0, 0, 0]],
      ['Snom D7xx', [0, 0, 1, 0]],
      ['Yealink T3x/T4x/T5x', [1, 0, 0, 0]],
      ['baresip softphone', [0, 1, 0, 0]],
    ],
  );
  assert.deepEqual(m.matrix.totals, [2, 1, 1, 1]);
  const east = m.scenarios[0];
  assert.equal(east.failedSite.id, 'east');
  assert.deepEqual(east.outages, [
    { outcome: 'srv-failover', seconds: 573, computation: '0.9 × 600 + 32 (udp) + 1 = 573 s', phones: 1, families: ['baresip'] },
  ]);
  assert.deepEqual(east.capacity, { site: 'west', capacity: 10, agents: 5, already: 2, arriving: 3, overflow: 0, fits: true });
  assert.deepEqual(
    m.normal.map((n) => [n.site, n.phones, n.preferring, n.agents]),
    [
      ['east', 4, 3, 3],
      ['west', 4, 2, 2],
    ],
  );
  assert.equal(m.phones, undefined, 'no per-phone rows unless asked');
  assert.equal(reportModel(base, cat, { phones: true }).phones!.length, 5);
  assert.equal(
    recordMeaning('_sip._udp.east-preferred.sip.contoso.example', 'SRV', 'sip.contoso.example', ['east', 'west']),
    'east first, then west (udp): active-backup phones preferring east',
  );
  assert.equal(
    recordMeaning('west.sip.contoso.example', 'A', 'sip.contoso.example', ['east', 'west']),
    "west's VIP (or primary) address: phones that reach west without SRV",
  );
  assert.equal(recordMeaning('vip.west.contoso.example', 'A', 'sip.contoso.example', ['east', 'west']), "a SIP Server's address (SRV target)");
  for (const r of m.records) assert.notEqual(r.meaning, '', `${r.name} ${r.type} has a meaning`);
});
