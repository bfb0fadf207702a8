import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbc-simulate-'));

/** west with a VIP (every outcome but stranding, capacity fits) or primary + backup (stranding, overflow). */
function inventoryYaml(west: 'vip' | 'pair'): string {
  const westServer =
    west === 'vip'
      ? '      vip: { host: vip.west.contoso.example, address: 10.2.0.10 }'
      : '      primary: { host: a.west.contoso.example, address: 10.2.0.11 }\n      backup: { host: b.west.contoso.example, address: 10.2.0.12 }';
  return `version: 1
dns: { zone: contoso.example }
defaults: { preferredSite: east, registerExpires: 600 }
sites:
  - id: east
    name: Boston
    capacity: 10
    sipServer:
      primary: { host: a.east.contoso.example, address: 10.1.0.11 }
      backup: { host: b.east.contoso.example, address: 10.1.0.12 }
  - id: west
    name: Denver
    capacity: ${west === 'vip' ? 10 : 3}
    sipServer:
${westServer}
places:
  - { id: P1, extensions: { east: "1001", west: "1001" } }
  - { id: P2, extensions: { east: "1002", west: "1002" } }
  - { id: P3, extensions: { east: "1003", west: "1003" } }
  - { id: P4, extensions: { east: "1004", west: "1004" } }
agents:
  - { login: "7001", user: u1, place: P1 }
  - { login: "7002", user: u2, place: P2 }
  - { login: "7003", user: u3, place: P3 }
  - { login: "7004", user: u4, place: P4, preferredSite: west }
phones:
  - { mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, registration: dual, auth: none }
  - { mac: "001565000002", model: baresip, place: P2, auth: none }
  - { mac: "00809f000003", model: alcatel-4028, place: P3, auth: none }
  - { mac: "000413000004", model: snom-d785, place: P4, auth: none }
`;
}
const vip = join(dir, 'vip.yaml');
const pair = join(dir, 'pair.yaml');
writeFileSync(vip, inventoryYaml('vip'));
writeFileSync(pair, inventoryYaml('pair'));

const PHONE_FIELDS = [
  'agents',
  'computation',
  'family',
  'mac',
  'mode',
  'model',
  'outageSeconds',
  'outcome',
  'place',
  'preferredSite',
  'reason',
  'site',
  'transport',
  'via',
];
const AGENT_FIELDS = ['login', 'outageSeconds', 'outcome', 'place', 'placeStranded', 'preferredSite', 'site', 'user'];

test('simulate --json: documented fields; dual, SRV, backup-registrar and unaffected outcomes', () => {
  const r = runCli(['simulate', vip, '--fail', 'east', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const sim = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(sim), ['failedSite', 'survivor', 'formula', 'summary', 'capacity', 'warnings', 'phones', 'agents']);
  assert.deepEqual(sim.failedSite, { id: 'east', name: 'Boston' });
  assert.deepEqual(sim.survivor, { id: 'west', name: 'Denver' });
  assert.equal(sim.formula, 'outage = max(0, refreshFraction × registerExpires − refreshLeadSeconds) + timeoutSeconds[transport] + 1');
  assert.deepEqual(sim.summary, {
    phones: { total: 4, unaffected: 1, 'already-registered': 1, 'srv-failover': 1, 'backup-registrar': 1, stranded: 0 },
    agents: { total: 4, placeStranded: 0, unaffected: 1, relogin: 3 },
    longestOutage: { seconds: 633, mac: '00809f000003', outcome: 'backup-registrar' },
    agentRelogin: 60,
  });
  assert.deepEqual(sim.capacity, { site: 'west', capacity: 10, agents: 4, already: 1, arriving: 3, overflow: 0, fits: true });
  assert.deepEqual(sim.warnings, []);
  for (const p of sim.phones) assert.deepEqual(Object.keys(p).sort(), PHONE_FIELDS);
  for (const a of sim.agents) assert.deepEqual(Object.keys(a).sort(), AGENT_FIELDS);
  assert.deepEqual(
    sim.phones.map((p: { mac: string; outcome: string; site: string; via: string; outageSeconds: number }) => [
      p.mac,
      p.outcome,
      p.site,
      p.via,
      p.outageSeconds,
    ]),
    [
      ['001565000001', 'already-registered', 'west', 'west.sip.contoso.example', 0],
      ['001565000002', 'srv-failover', 'west', 'east-preferred.sip.contoso.example', 573],
      ['00809f000003', 'backup-registrar', 'west', 'west.sip.contoso.example:5060', 633],
      ['000413000004', 'unaffected', 'west', 'west-preferred.sip.contoso.example', 0],
    ],
  );
  assert.equal(sim.phones[1].computation, '0.9 × 600 + 32 (udp) + 1 = 573 s');
  assert.deepEqual(sim.agents[0], {
    login: '7001',
    user: 'u1',
    place: 'P1',
    preferredSite: 'east',
    outcome: 'relogin',
    site: 'west',
    outageSeconds: 60,
    placeStranded: false,
  });
  assert.equal(sim.agents[3].outcome, 'unaffected');
  // --format json is the same document.
  assert.equal(runCli(['simulate', vip, '--fail', 'east', '--format', 'json']).stdout, r.stdout);
});

test('simulate --json: stranding and capacity overflow are warnings (exit 0), and exit 1 with --strict', () => {
  const r = runCli(['simulate', pair, '--fail', 'east', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const sim = JSON.parse(r.stdout);
  assert.equal(sim.phones[2].outcome, 'stranded');
  assert.equal(sim.phones[2].site, null);
  assert.equal(sim.phones[2].outageSeconds, null);
  assert.match(sim.phones[2].reason, /west has no VIP/);
  assert.deepEqual(
    sim.agents.map((a: { placeStranded: boolean }) => a.placeStranded),
    [false, false, true, false],
  );
  assert.deepEqual(sim.capacity, { site: 'west', capacity: 3, agents: 4, already: 1, arriving: 3, overflow: 1, fits: false });
  assert.deepEqual(
    sim.warnings.map((w: { code: string }) => w.code),
    ['SIPBC-SIM-CAPACITY', 'SIPBC-SIM-STRANDED'],
  );

  const strict = runCli(['simulate', pair, '--fail', 'east', '--json', '--strict']);
  assert.equal(strict.code, 1);
  assert.equal(strict.stdout, r.stdout, 'the full result is still printed');
  assert.equal(runCli(['simulate', vip, '--fail', 'east', '--strict']).code, 0, 'no warning: --strict passes');
});

test('simulate (table): the summary comes first, then every phone and agent', () => {
  const r = runCli(['simulate', pair, '--fail', 'east']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 8), [
    'Loss of site east (Boston): west (Denver) survives',
    '',
    '  Phones    4: 1 unaffected, 1 already registered, 1 re-register via SRV, 0 via backup registrar, 1 stranded',
    '  Agents    4: 1 stay logged in, 3 re-logged in on west (after 60 s), 1 at a place whose phone is stranded',
    '  Capacity  west must carry 4, capacity 3: 1 OVER',
    '  Longest expected phone outage: 9 min 33 s (573 s), phone 001565000002, re-register via SRV',
    '  warning SIPBC-SIM-CAPACITY: west must carry all 4 agents but its capacity is 3: 1 over (1 already there, 3 arriving from east)',
    "  warning SIPBC-SIM-STRANDED: 1 phone would be stranded when east is lost: 00809f000003 (P3); 1 place flagged (see each phone's reason)",
  ]);
  assert.ok(
    lines.some((l) => /^ {2}00809f000003 +alcatel-4028 +P3 +east +active-backup +stranded +- +- +backup registrar/.test(l)),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => /^ {2}7003 +u3 +P3 +east +relogin +west +60 s +phone stranded$/.test(l)),
    r.stdout,
  );
  assert.ok(r.stdout.includes('outage = max(0, refreshFraction × registerExpires − refreshLeadSeconds) + timeoutSeconds[transport] + 1'));
  assert.ok(!r.stdout.includes('\u001b['), 'no colour when not a TTY');
});

test('simulate: an unknown --fail site is a usage error (exit 2) listing the site ids', () => {
  const r = runCli(['simulate', vip, '--fail', 'north']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /unknown site "north" for --fail; valid site ids: east, west/);
  const byName = runCli(['simulate', vip, '--fail', 'Denver']);
  assert.equal(byName.code, 2);
  assert.match(byName.stderr, /--fail takes the id: --fail west/);
  assert.equal(runCli(['simulate', vip]).code, 2, '--fail is required');
});

test('simulate: reads stdin with -, and refuses an invalid inventory (exit 1)', () => {
  const r = runCli(['simulate', '-', '--fail', 'west', '--json'], { input: inventoryYaml('vip') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).failedSite.id, 'west');
  const bad = runCli(['simulate', '-', '--fail', 'east'], { input: inventoryYaml('vip').replace('model: baresip', 'model: nokia-3310') });
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /nokia-3310/);
});
