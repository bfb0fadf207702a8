/**
 * Proof with real SIP (issue 19): a phone that takes its transport from DNS NAPTR — as Yealink
 * (transport_type 3) and Poly (DNSnaptr) do — registers over the transport the inventory asks for, not
 * another one its name also carries. The stand-in for such a phone is baresip with an account that
 * names no transport: libre then asks NAPTR first and follows the first record (real-components.md
 * §3.2). It is provisioned only from sipbc's output, through a user catalogue family whose catalogue
 * entry says "transport from NAPTR" (codes.srvTransport), exactly how Yealink and Poly are described.
 *
 *   east-preferred: the NAPTR phone asks for UDP, an explicit-TCP baresip shares the name → NAPTR lists
 *                   SIP+D2U first, then SIP+D2T. Without NAPTR libre takes _sip._tcp first (its SRV order
 *                   is _sips._tcp, _sip._tcp, _sip._udp), so a UDP registration shows NAPTR decided.
 *   west-preferred: the NAPTR phone asks for TCP, an explicit-UDP baresip shares the name → SIP+D2T first.
 *
 * Loopback: named on 127.0.0.1, east's registrar on 127.0.0.4, west's on 127.0.0.5 (not the failover
 * suite's addresses: node --test runs the files side by side), Kamailio on UDP and TCP.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type NamedServer, wrapFragment } from '../support/bind.js';
import { repoPath, runCli } from '../support/cli.js';
import { freePort, Lab, missingBinaries, type Registrar, waitFor } from '../support/sip-lab.js';

const ZONE = 'naptr.test';
const EAST_IP = '127.0.0.4';
const WEST_IP = '127.0.0.5';
const PASSWORD_ENV = 'SIPBC_E2E_SIP_PASSWORD';

const PHONES = {
  naptrUdp: { ext: '3001', mac: '020000003001', model: 'baresip-naptr', site: 'east', transport: 'udp' },
  explicitTcp: { ext: '3002', mac: '020000003002', model: 'baresip', site: 'east', transport: 'tcp' },
  naptrTcp: { ext: '3003', mac: '020000003003', model: 'baresip-naptr', site: 'west', transport: 'tcp' },
  explicitUdp: { ext: '3004', mac: '020000003004', model: 'baresip', site: 'west', transport: 'udp' },
} as const;

function inventoryYaml(port: number): string {
  const places = Object.values(PHONES).map((p) => `  - { id: Place_${p.ext}, extensions: { east: "${p.ext}", west: "${p.ext}" } }`);
  const phones = Object.values(PHONES).map(
    (p) =>
      `  - { mac: "${p.mac}", model: ${p.model}, place: Place_${p.ext}, preferredSite: ${p.site}, transport: ${p.transport}, auth: { password: { env: ${PASSWORD_ENV} } } }`,
  );
  return `version: 1
dns: { zone: ${ZONE}, subdomain: sip, ttl: 30 }
defaults: { registration: active-backup, registerExpires: 30 }
sites:
  - id: east
    sipServer: { vip: { host: registrar.east.${ZONE}, address: ${EAST_IP}, port: ${port} } }
  - id: west
    sipServer: { vip: { host: registrar.west.${ZONE}, address: ${WEST_IP}, port: ${port} } }
places:
${places.join('\n')}
phones:
${phones.join('\n')}
`;
}

/** A user catalogue family: baresip whose account names no transport, marked "transport from NAPTR". */
function userTemplates(dir: string): void {
  const shipped = JSON.parse(readFileSync(repoPath('templates', 'catalogue.json'), 'utf8')) as { families: Record<string, Record<string, unknown>> };
  const family = {
    ...shipped.families.baresip,
    dir: 'baresip-naptr',
    label: 'baresip, transport from NAPTR',
    codes: { transport: { udp: 'udp', tcp: 'tcp', tls: 'tls' }, srvTransport: 'naptr' },
  };
  mkdirSync(join(dir, 'baresip-naptr'), { recursive: true });
  writeFileSync(
    join(dir, 'catalogue.json'),
    JSON.stringify({ families: { 'baresip-naptr': family }, models: { 'baresip-naptr': { family: 'baresip-naptr', name: 'baresip (NAPTR)' } } }),
  );
  cpSync(repoPath('templates', 'baresip', 'config.hbs'), join(dir, 'baresip-naptr', 'config.hbs'));
  writeFileSync(
    join(dir, 'baresip-naptr', 'accounts.hbs'),
    '# {{banner}}\n<sip:{{line.server1.user}}@{{line.server1.host}}>;auth_user={{line.server1.authUser}};auth_pass={{line.password}};regint={{line.expires}}\n',
  );
}

const missing = missingBinaries();

describe('e2e: a phone that takes its transport from NAPTR registers over the transport the inventory asks for', {
  skip: missing.length ? `missing binaries: ${missing.join(', ')} (install them, as .ci/run does)` : false,
}, () => {
  let lab: Lab;
  let named: NamedServer;
  let east: Registrar;
  let west: Registrar;
  let out: string;

  before(async () => {
    lab = new Lab('sipbc-e2e-naptr-');
    const port = await freePort([EAST_IP, WEST_IP]);
    const inv = lab.path('inventory.yaml');
    writeFileSync(inv, inventoryYaml(port));
    userTemplates(lab.path('templates'));
    out = lab.path('out');
    const gen = runCli(['generate', inv, '-o', out, '--templates', lab.path('templates')], { env: { [PASSWORD_ENV]: 'e2e-Secret-43' } });
    assert.equal(gen.code, 0, `generate failed:\n${gen.stdout}\n${gen.stderr}`);
    named = await lab.named([{ name: ZONE, text: wrapFragment(ZONE, readFileSync(join(out, 'dns', `${ZONE}.zone`), 'utf8')) }]);
    east = await lab.registrar('east', EAST_IP, port);
    west = await lab.registrar('west', WEST_IP, port);
  });

  after(async () => {
    await lab.stopAll();
    lab.remove();
  });

  it("the generated account names no transport; the zone lists each NAPTR phone's transport first, the explicit phone's second", async () => {
    assert.doesNotMatch(readFileSync(join(out, 'phones', 'baresip-naptr', PHONES.naptrUdp.mac, 'accounts'), 'utf8'), /transport=/);
    const r = named.resolver();
    const order = async (name: string) => (await r.resolveNaptr(name)).sort((a, b) => a.order - b.order).map((n) => `${n.service} ${n.replacement}`);
    assert.deepEqual(await order(`east-preferred.sip.${ZONE}`), [
      `SIP+D2U _sip._udp.east-preferred.sip.${ZONE}`,
      `SIP+D2T _sip._tcp.east-preferred.sip.${ZONE}`,
    ]);
    assert.deepEqual(await order(`west-preferred.sip.${ZONE}`), [
      `SIP+D2T _sip._tcp.west-preferred.sip.${ZONE}`,
      `SIP+D2U _sip._udp.west-preferred.sip.${ZONE}`,
    ]);
  });

  for (const [key, registrar] of [
    ['naptrUdp', () => east],
    ['naptrTcp', () => west],
  ] as const) {
    const p = PHONES[key];
    it(`${p.transport.toUpperCase()} asked, NAPTR followed: phone ${p.ext} registers on ${p.site} over ${p.transport} and never over another transport`, {
      timeout: 30_000,
    }, async (t) => {
      const ua = await lab.baresip(key, join(out, 'phones', 'baresip-naptr', p.mac), { dnsPort: named.port });
      const reg = registrar();
      const took = await waitFor(() => reg.has(p.ext), 10_000);
      assert.ok(took !== undefined, `phone ${p.ext} did not register on ${p.site}\n${ua.logText()}`);
      t.diagnostic(`registered on ${p.site} in ${took.toFixed(2)} s`);
      const lines = reg
        .registerLog()
        .split('\n')
        .filter((l) => l.includes(`aor=sip:${p.ext}@`));
      assert.ok(lines.length > 0);
      for (const l of lines) assert.match(l, new RegExp(`proto=${p.transport}\\b`), `REGISTER of ${p.ext} over another transport: ${l}`);
      await ua.stop();
    });
  }
});
