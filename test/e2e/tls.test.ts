/**
 * Proof with real SIP over TLS (issue 19): baresip phones provisioned only from sipbc's output, with
 * `transport: tls` in the inventory, register over TLS — dual on both sites, active-backup on the
 * preferred one — through sipbc's `_sips._tcp` SRV and `SIPS+D2T` NAPTR records on a real named, to one
 * Kamailio per site listening for TLS, and fail over to the other site over TLS within the time
 * `sipbc simulate` predicts. The only lines the test adds to the generated config are dns_server,
 * sip_listen and sip_cafile (the test's own CA, which signed each registrar's certificate).
 *
 * Loopback: named on 127.0.0.1, east's registrar on 127.0.0.6, west's on 127.0.0.7 (not the other
 * e2e files' addresses: node --test runs them side by side). Needs kamailio-tls-modules and openssl.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type NamedServer, wrapFragment } from '../support/bind.js';
import { runCli } from '../support/cli.js';
import { type Baresip, freePort, kamailioModuleDir, Lab, missingBinaries, type Registrar, sleep, srvTargets, waitFor } from '../support/sip-lab.js';

const ZONE = 'tls.test';
const EXPIRES = 30;
const IPS = { east: '127.0.0.6', west: '127.0.0.7' } as const;
const PASSWORD_ENV = 'SIPBC_E2E_SIP_PASSWORD';
const PHONES = {
  dual: { ext: '4001', mac: '020000004001', registration: 'dual' },
  ab: { ext: '4002', mac: '020000004002', registration: 'active-backup' },
} as const;

function inventoryYaml(tlsPort: number): string {
  const places = Object.values(PHONES).map((p) => `  - { id: Place_${p.ext}, extensions: { east: "${p.ext}", west: "${p.ext}" } }`);
  const phones = Object.values(PHONES).map(
    (p) =>
      `  - { mac: "${p.mac}", model: baresip, place: Place_${p.ext}, registration: ${p.registration}, preferredSite: east, auth: { password: { env: ${PASSWORD_ENV} } } }`,
  );
  return `version: 1
dns: { zone: ${ZONE}, subdomain: sip, ttl: 30 }
defaults: { transport: tls, registerExpires: ${EXPIRES} }
sites:
  - id: east
    sipServer: { vip: { host: registrar.east.${ZONE}, address: ${IPS.east}, port: ${tlsPort} } }
  - id: west
    sipServer: { vip: { host: registrar.west.${ZONE}, address: ${IPS.west}, port: ${tlsPort} } }
places:
${places.join('\n')}
phones:
${phones.join('\n')}
`;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, and for each site a certificate for registrar.<site>.ZONE signed by it; a Kamailio tls.cfg per site. */
function certificates(dir: string): Record<'east' | 'west', string> {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=sipbc e2e CA'], dir);
  const cfgs = {} as Record<'east' | 'west', string>;
  for (const site of ['east', 'west'] as const) {
    const host = `registrar.${site}.${ZONE}`;
    writeFileSync(join(dir, `${site}.ext`), `subjectAltName=DNS:${host}\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${site}.key`, '-out', `${site}.csr`, '-subj', `/CN=${host}`], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${site}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${site}.pem`,
        '-days',
        '2',
        '-extfile',
        `${site}.ext`,
      ],
      dir,
    );
    cfgs[site] = join(dir, `${site}-tls.cfg`);
    writeFileSync(
      cfgs[site],
      `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${join(dir, `${site}.key`)}\ncertificate = ${join(dir, `${site}.pem`)}\n`,
    );
  }
  return cfgs;
}

function registerLines(reg: Registrar, ext: string): string[] {
  return reg
    .registerLog()
    .split('\n')
    .filter((l) => l.includes(`aor=sip:${ext}@`));
}

const missing = [...missingBinaries(), ...(spawnSync('openssl', ['version']).status === 0 ? [] : ['openssl (openssl)'])];
let tlsModule = false;
try {
  tlsModule = existsSync(join(kamailioModuleDir(), 'tls.so'));
} catch {
  /* reported as a missing binary */
}
if (!tlsModule) missing.push('kamailio tls.so (kamailio-tls-modules)');

describe('e2e: phones asked to use TLS register and fail over over TLS', {
  skip: missing.length ? `missing: ${missing.join(', ')} (install them, as .ci/run does)` : false,
}, () => {
  let lab: Lab;
  let named: NamedServer;
  let out: string;
  let inv: string;
  let tlsPort: number;
  const regs = {} as Record<'east' | 'west', Registrar>;
  const phones: Partial<Record<keyof typeof PHONES, Baresip>> = {};

  before(async () => {
    lab = new Lab('sipbc-e2e-tls-');
    tlsPort = await freePort([IPS.east, IPS.west]);
    const plainPort = await freePort([IPS.east, IPS.west]);
    inv = lab.path('inventory.yaml');
    writeFileSync(inv, inventoryYaml(tlsPort));
    out = lab.path('out');
    const gen = runCli(['generate', inv, '-o', out], { env: { [PASSWORD_ENV]: 'e2e-Secret-44' } });
    assert.equal(gen.code, 0, `generate failed:\n${gen.stdout}\n${gen.stderr}`);
    named = await lab.named([{ name: ZONE, text: wrapFragment(ZONE, readFileSync(join(out, 'dns', `${ZONE}.zone`), 'utf8')) }]);
    const cfgs = certificates(lab.root);
    for (const site of ['east', 'west'] as const) regs[site] = await lab.registrar(site, IPS[site], plainPort, { port: tlsPort, cfg: cfgs[site] });
  });

  after(async () => {
    await lab.stopAll();
    lab.remove();
  });

  const start = async (k: keyof typeof PHONES) =>
    (phones[k] = await lab.baresip(k, join(out, 'phones', 'baresip', PHONES[k].mac), {
      dnsPort: named.port,
      extraConfig: [`sip_cafile\t${lab.path('ca.pem')}`],
    }));

  it('the files name TLS; the zone has only _sips._tcp SRV and SIPS+D2T NAPTR, on the TLS port', async () => {
    for (const p of Object.values(PHONES)) {
      const accounts = readFileSync(join(out, 'phones', 'baresip', p.mac, 'accounts'), 'utf8');
      for (const l of accounts.split('\n').filter((x) => x.startsWith('<sip:'))) assert.match(l, /;transport=tls>/);
    }
    assert.deepEqual(await srvTargets(named.port, `_sips._tcp.east-preferred.sip.${ZONE}`), [
      `10 registrar.east.${ZONE}:${tlsPort}`,
      `30 registrar.west.${ZONE}:${tlsPort}`,
    ]);
    const naptr = await named.resolver().resolveNaptr(`east-preferred.sip.${ZONE}`);
    assert.deepEqual(
      naptr.map((n) => `${n.service} ${n.replacement}`),
      [`SIPS+D2T _sips._tcp.east-preferred.sip.${ZONE}`],
    );
    const zone = readFileSync(join(out, 'dns', `${ZONE}.zone`), 'utf8');
    assert.ok(!/_sip\._(udp|tcp)/.test(zone), 'no UDP/TCP SRV names for a TLS-only inventory');
  });

  it('dual registers on both sites, active-backup on east only, every REGISTER over TLS', { timeout: 30_000 }, async (t) => {
    await start('dual');
    await start('ab');
    const took = await waitFor(async () => (await regs.east.has('4001')) && (await regs.west.has('4001')) && (await regs.east.has('4002')), 10_000);
    assert.ok(took !== undefined, `not registered: east ${[...(await regs.east.aors())]}, west ${[...(await regs.west.aors())]}\n${phones.dual?.logText()}`);
    t.diagnostic(`all TLS bindings in ${took.toFixed(2)} s`);
    await sleep(1_000);
    assert.equal(await regs.west.has('4002'), false, 'the active-backup phone is on west too');
    for (const site of ['east', 'west'] as const) {
      for (const l of [...registerLines(regs[site], '4001'), ...registerLines(regs[site], '4002')]) assert.match(l, /proto=tls\b/, `${site}: ${l}`);
    }
  });

  it("east stops: the active-backup phone re-registers on west over TLS within simulate's bound", { timeout: 120_000 }, async (t) => {
    assert.ok(phones.ab, 'needs the previous step');
    const sim = runCli(['simulate', inv, '--fail', 'east', '--json']);
    assert.equal(sim.code, 0, sim.stderr);
    const bound = (JSON.parse(sim.stdout) as { phones: { mac: string; outageSeconds: number }[] }).phones.find((p) => p.mac === PHONES.ab.mac)!.outageSeconds;
    const stoppedAt = Date.now() / 1000;
    await regs.east.stop();
    const seen = await waitFor(() => regs.west.has('4002'), (bound + 10) * 1000, 200);
    assert.ok(seen !== undefined, 'the active-backup phone never reached west');
    const onWest = registerLines(regs.west, '4002')
      .map((l) => Number(/t=(\d+\.\d+)/.exec(l)![1]))
      .find((x) => x > stoppedAt)!;
    t.diagnostic(`on west over TLS ${(onWest - stoppedAt).toFixed(2)} s after east stopped; simulate's bound ${bound} s`);
    assert.ok(onWest - stoppedAt <= bound, `took ${(onWest - stoppedAt).toFixed(2)} s, more than simulate's ${bound} s`);
    for (const l of registerLines(regs.west, '4002')) assert.match(l, /proto=tls\b/, l);
  });
});
