/**
 * Proof with real SIP (issue 8): phones provisioned ONLY from sipbc's output register through a real
 * named serving sipbc's zone to real registrars (one Kamailio per site), fail over when the preferred
 * site dies — within the time `sipbc simulate --fail <site> --json` predicts — come back afterwards,
 * and follow a graceful migration (`sipbc dns push --drain`) applied to the running DNS server. The zone is
 * published with `sipbc dns push` (TSIG-signed dynamic updates to an initially empty zone), not a zone file.
 *
 * Loopback only: named on 127.0.0.1:<free port>, east's registrar on 127.0.0.2, west's on 127.0.0.3
 * (the same free port on both, 5060 when free), baresip on 127.0.0.1:<free port>. The test only adds
 * `dns_server` and `sip_listen` to the generated baresip config. Recipes and timings:
 * ../shared/reference/real-components.md. Skipped only when a binary is missing.
 *
 * Timing model under test (catalogue "failover" of the baresip family): a REGISTER refresh every
 * 0.9 × regint (regint = registerExpires = 30 s here); over UDP the dead registrar is given up after
 * the 32 s transaction timeout, over TCP at once (connection refused); the next SRV target is tried
 * immediately. Times are taken from the registrars' own REGISTER log lines (t=<epoch>), not from polling.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { checkFragment, type NamedServer, stubZone, tsigKeygen } from '../support/bind.js';
import { runCli } from '../support/cli.js';
import { type Baresip, freePort, Lab, missingBinaries, type Registrar, sleep, srvTargets, waitFor } from '../support/sip-lab.js';

const ZONE = 'e2e.test';
const EXPIRES = 30; // the schema's minimum registerExpires: keeps the suite short
const EAST_IP = '127.0.0.2';
const WEST_IP = '127.0.0.3';
/** The phones' SIP password comes from the environment, as in production (the registrars do not challenge). */
const PASSWORD_ENV = 'SIPBC_E2E_SIP_PASSWORD';
const PASSWORD = 'e2e-Secret-42';

/** The phones of the e2e inventory: AoR (extension) → MAC, mode, transport; all prefer east. */
const PHONES = {
  dual: { ext: '2001', mac: '020000002001', registration: 'dual', transport: 'udp' },
  abUdp: { ext: '2002', mac: '020000002002', registration: 'active-backup', transport: 'udp' },
  abTcp: { ext: '2003', mac: '020000002003', registration: 'active-backup', transport: 'tcp' },
  drain: { ext: '2004', mac: '020000002004', registration: 'active-backup', transport: 'udp' },
} as const;
type PhoneKey = keyof typeof PHONES;

function inventoryYaml(port: number): string {
  const macNotation = (mac: string) => mac.match(/../g)!.join(':').toUpperCase();
  const places = Object.values(PHONES)
    .map((p) => `  - id: Place_${p.ext}\n    extensions: { east: "${p.ext}", west: "${p.ext}" }`)
    .join('\n');
  const phones = Object.values(PHONES)
    .map(
      (p) =>
        `  - { mac: "${macNotation(p.mac)}", model: baresip, place: Place_${p.ext}, registration: ${p.registration}, preferredSite: east, transport: ${p.transport}, auth: { password: { env: ${PASSWORD_ENV} } } }`,
    )
    .join('\n');
  return `# sipbc end-to-end lab: two sites on loopback addresses
version: 1
dns:
  zone: ${ZONE}
  subdomain: sip
  ttl: 30
defaults:
  registration: active-backup
  transport: udp
  registerExpires: ${EXPIRES}
sites:
  - id: east
    name: East
    sipServer:
      vip: { host: registrar.east.${ZONE}, address: ${EAST_IP}, port: ${port} }
  - id: west
    name: West
    sipServer:
      vip: { host: registrar.west.${ZONE}, address: ${WEST_IP}, port: ${port} }
places:
${places}
phones:
${phones}
`;
}

/** Epoch seconds of every REGISTER for `ext` a registrar logged (all its runs), ascending. */
function registerTimes(reg: Registrar, ext: string): number[] {
  const out: number[] = [];
  for (const line of reg.registerLog().split('\n')) {
    const m = line.match(/t=(\d+\.\d+) REGISTER aor=sip:(\d+)@/);
    if (m && m[2] === ext) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

const nowEpoch = () => Date.now() / 1000;
const fmt = (s: number) => s.toFixed(2);

/**
 * The worst-case seconds `simulate --fail east --json` predicts for the phone with `mac` to be
 * registered on the survivor (`phones[].outageSeconds`; `phones[].site` must be the survivor).
 */
function predictedSeconds(simJson: unknown, mac: string): number {
  const phones = (simJson as { phones?: unknown[] }).phones;
  assert.ok(Array.isArray(phones), `simulate --json has no phones array: ${JSON.stringify(simJson).slice(0, 400)}`);
  const p = phones.find((x) => (x as { mac?: string }).mac === mac) as Record<string, unknown> | undefined;
  assert.ok(p, `simulate --json has no phone ${mac}`);
  assert.equal(p.site, 'west', `simulate does not send phone ${mac} to west: ${JSON.stringify(p)}`);
  const s = p.outageSeconds;
  assert.equal(typeof s, 'number', `simulate --json phone ${mac} has no outageSeconds: ${JSON.stringify(p)}`);
  return s as number;
}

const missing = missingBinaries();

describe('e2e: a sipbc-provisioned baresip fails over between two real registrars through real DNS', {
  skip: missing.length ? `missing binaries: ${missing.join(', ')} (install them, as .ci/run does)` : false,
}, () => {
  let lab: Lab;
  let out: string;
  let inv: string;
  let port: number;
  let named: NamedServer;
  let keyFile: string;
  let east: Registrar;
  let west: Registrar;
  const phones: Partial<Record<PhoneKey, Baresip>> = {};
  let simJson: unknown;
  let failed = false;

  const phoneDir = (k: PhoneKey) => join(out, 'phones', 'baresip', PHONES[k].mac);
  const startPhone = async (k: PhoneKey, name: string = k) => {
    const ua = await lab.baresip(name, phoneDir(k), { dnsPort: named.port });
    phones[k] = ua;
    return ua;
  };
  const where = async () => `east: ${[...(await east.aors())].sort().join(' ') || '-'}; west: ${[...(await west.aors())].sort().join(' ') || '-'}`;

  before(async () => {
    lab = new Lab('sipbc-e2e-');
    port = await freePort([EAST_IP, WEST_IP], 5060);
    inv = lab.path('inventory.yaml');
    writeFileSync(inv, inventoryYaml(port));
    out = lab.path('out');
  });

  after(async () => {
    await lab.stopAll();
    if (failed) console.error(`e2e: kept ${lab.root} for its logs`);
    else lab.remove();
  });

  const step = (name: string, timeout: number, fn: (t: TestContext) => Promise<void>) =>
    it(name, { timeout }, async (t) => {
      try {
        await fn(t);
      } catch (e) {
        failed = true;
        throw e;
      }
    });

  step('1. the real CLI generates the phone files and the prediction; `sipbc dns push` publishes the zone on a real named', 60_000, async () => {
    const gen = runCli(['generate', inv, '-o', out], { env: { [PASSWORD_ENV]: PASSWORD } });
    assert.equal(gen.code, 0, `generate failed:\n${gen.stdout}\n${gen.stderr}`);
    for (const k of Object.keys(PHONES) as PhoneKey[]) {
      for (const f of ['accounts', 'config']) assert.ok(existsSync(join(phoneDir(k), f)), `missing ${phoneDir(k)}/${f}`);
    }
    const fragment = readFileSync(join(out, 'dns', `${ZONE}.zone`), 'utf8');
    // The prediction the failover is held to (step 4), taken before anything runs.
    const sim = runCli(['simulate', inv, '--fail', 'east', '--json']);
    assert.equal(sim.code, 0, `simulate failed:\n${sim.stdout}\n${sim.stderr}`);
    simJson = JSON.parse(sim.stdout) as unknown;
    const check = checkFragment(ZONE, fragment);
    assert.ok(check.code === 0 && check.noAddress.length === 0, `named-checkzone rejects the generated zone:\n${check.output}`);
    // The zone starts empty (SOA, NS) and takes updates signed with a tsig-keygen key only: `sipbc dns push` publishes.
    const key = tsigKeygen('e2e-key', 'hmac-sha256');
    keyFile = lab.path('e2e-key.conf');
    writeFileSync(keyFile, key);
    named = await lab.named([{ name: ZONE, text: stubZone(ZONE), updateKey: 'e2e-key' }], { keys: [key] });
    const push = runCli(['dns', 'push', inv, '--server', `127.0.0.1:${named.port}`, '--key-file', keyFile, '--apply']);
    assert.equal(push.code, 0, `dns push failed:\n${push.stdout}\n${push.stderr}\n${named.log()}`);
    const verify = runCli(['dns', 'verify', inv, '--server', `127.0.0.1:${named.port}`]);
    assert.equal(verify.code, 0, `dns verify after the push:\n${verify.stdout}\n${verify.stderr}`);
    assert.deepEqual(await srvTargets(named.port, `_sip._udp.east-preferred.sip.${ZONE}`), [
      `10 registrar.east.${ZONE}:${port}`,
      `30 registrar.west.${ZONE}:${port}`,
    ]);
    assert.deepEqual(await srvTargets(named.port, `_sip._tcp.east-preferred.sip.${ZONE}`), [
      `10 registrar.east.${ZONE}:${port}`,
      `30 registrar.west.${ZONE}:${port}`,
    ]);
    assert.deepEqual(await srvTargets(named.port, `_sip._udp.west.sip.${ZONE}`), [`10 registrar.west.${ZONE}:${port}`]);
  });

  step('2-3. with one registrar per site: dual registers on both, active-backup on the preferred one only', 60_000, async (t) => {
    assert.ok(named, 'needs step 1');
    east = await lab.registrar('east', EAST_IP, port);
    west = await lab.registrar('west', WEST_IP, port);
    for (const k of ['dual', 'abUdp', 'abTcp'] as const) await startPhone(k);
    const { dual, abUdp, abTcp } = PHONES;
    const took = await waitFor(async () => {
      const e = await east.aors();
      const w = await west.aors();
      return e.has(dual.ext) && w.has(dual.ext) && e.has(abUdp.ext) && e.has(abTcp.ext);
    }, 10_000);
    assert.ok(took !== undefined, `phones did not register within 10 s (${await where()})\n${phones.dual?.logText()}`);
    t.diagnostic(`all bindings in ${fmt(took)} s after baresip started`);
    await sleep(1_000); // an active-backup phone that also registered on west would show by now
    assert.equal(await west.has(abUdp.ext), false, `active-backup UDP phone is on west too (${await where()})`);
    assert.equal(await west.has(abTcp.ext), false, `active-backup TCP phone is on west too (${await where()})`);
    // regint from registerExpires reached the wire, over the transport the AOR names.
    const logs = east.registerLog();
    for (const p of [dual, abUdp, abTcp]) {
      const line = logs.split('\n').find((l) => l.includes(`aor=sip:${p.ext}@`));
      assert.ok(line, `no REGISTER from ${p.ext} on east`);
      assert.match(line, new RegExp(`expires=${EXPIRES}\\b`), `REGISTER of ${p.ext} does not ask for ${EXPIRES} s: ${line}`);
      assert.match(line, new RegExp(`proto=${p.transport}\\b`), `REGISTER of ${p.ext} did not use ${p.transport}: ${line}`);
    }
  });

  let failoverAt = 0;
  step('4. east stops: active-backup phones are on west within the bound simulate predicts (UDP and TCP)', 150_000, async (t) => {
    assert.ok(east && west && phones.abUdp && phones.abTcp, 'needs steps 1-3');
    assert.ok(simJson, 'needs the prediction of step 1');
    const bound = { abUdp: predictedSeconds(simJson, PHONES.abUdp.mac), abTcp: predictedSeconds(simJson, PHONES.abTcp.mac) };
    t.diagnostic(`simulate --fail east predicts: UDP ${bound.abUdp} s, TCP ${bound.abTcp} s`);

    // Fail east 1.5 s after the phones' last refresh: near the worst phase (a failure just after a
    // refresh), so the bound is tested where it is tight.
    const lastEast = Math.max(...registerTimes(east, PHONES.abUdp.ext), ...registerTimes(east, PHONES.abTcp.ext));
    await sleep(Math.max(0, (lastEast + 1.5 - nowEpoch()) * 1000));
    const lastBefore = { abUdp: Math.max(...registerTimes(east, PHONES.abUdp.ext)), abTcp: Math.max(...registerTimes(east, PHONES.abTcp.ext)) };
    failoverAt = nowEpoch();
    await east.stop();
    t.diagnostic(`east registrar stopped (SIGTERM by pid) at phase ${fmt(failoverAt - lastEast)} s after the last refresh`);

    const limit = Math.max(bound.abUdp, bound.abTcp) * 1000 + 15_000;
    const results = await Promise.all(
      (['abUdp', 'abTcp'] as const).map(async (k) => {
        const ext = PHONES[k].ext;
        const seen = await waitFor(() => west.has(ext), limit, 200);
        const onWest = registerTimes(west, ext).find((x) => x > failoverAt);
        return {
          k,
          seen,
          measured: onWest === undefined ? undefined : onWest - failoverAt,
          sinceRefresh: onWest === undefined ? undefined : onWest - lastBefore[k],
        };
      }),
    );
    for (const r of results) {
      const label = `${PHONES[r.k].transport.toUpperCase()} active-backup phone ${PHONES[r.k].ext}`;
      assert.ok(r.seen !== undefined && r.measured !== undefined, `${label} never registered on west (${await where()})`);
      t.diagnostic(
        `${label}: on west ${fmt(r.measured)} s after east stopped (${fmt(r.sinceRefresh!)} s after its last REGISTER on east); simulate's bound ${bound[r.k]} s`,
      );
      assert.ok(
        r.measured <= bound[r.k],
        `${label} took ${fmt(r.measured)} s to reach west (${fmt(r.sinceRefresh!)} s after its last refresh), more than simulate's ${bound[r.k]} s`,
      );
    }
    // Timing model, more precisely: TCP moves at the next refresh; UDP at the next refresh + 32 s.
    const tcp = results.find((r) => r.k === 'abTcp')!;
    const udp = results.find((r) => r.k === 'abUdp')!;
    assert.ok(
      Math.abs(tcp.sinceRefresh! - 0.9 * EXPIRES) < 1.5,
      `TCP failover ${fmt(tcp.sinceRefresh!)} s after the last refresh, expected ~${0.9 * EXPIRES} s`,
    );
    assert.ok(
      Math.abs(udp.sinceRefresh! - (0.9 * EXPIRES + 32)) < 1.5,
      `UDP failover ${fmt(udp.sinceRefresh!)} s after the last refresh, expected ~${0.9 * EXPIRES + 32} s`,
    );
  });

  step('5. east restarts: the phones fail back to east at a later refresh', 90_000, async (t) => {
    assert.ok(failoverAt > 0, 'needs step 4');
    const restartedAt = nowEpoch();
    await east.start();
    const results = await Promise.all(
      (['abUdp', 'abTcp'] as const).map(async (k) => {
        const ext = PHONES[k].ext;
        const seen = await waitFor(() => east.has(ext), (EXPIRES + 10) * 1000, 200);
        const back = registerTimes(east, ext).find((x) => x > restartedAt);
        const lastWest = Math.max(...registerTimes(west, ext).filter((x) => x <= (back ?? Infinity)));
        return { k, seen, back: back === undefined ? undefined : back - restartedAt, refreshGap: back === undefined ? undefined : back - lastWest };
      }),
    );
    for (const r of results) {
      const label = `${PHONES[r.k].transport.toUpperCase()} active-backup phone ${PHONES[r.k].ext}`;
      assert.ok(r.seen !== undefined && r.back !== undefined, `${label} did not come back to east within ${EXPIRES + 10} s (${await where()})`);
      t.diagnostic(`${label}: back on east ${fmt(r.back)} s after the restart, ${fmt(r.refreshGap!)} s after its previous REGISTER on west`);
      // At its next scheduled refresh (0.9 × regint after the previous one), not before its binding would expire.
      assert.ok(r.back <= EXPIRES, `${label} took ${fmt(r.back)} s to come back, longer than registerExpires ${EXPIRES} s`);
      assert.ok(
        Math.abs(r.refreshGap! - 0.9 * EXPIRES) < 1.5,
        `${label} came back ${fmt(r.refreshGap!)} s after its previous REGISTER, not at its refresh (${0.9 * EXPIRES} s)`,
      );
    }
  });

  step('6. `sipbc dns push --drain east --apply` to the running named moves a freshly started active-backup phone to west', 90_000, async (t) => {
    assert.ok(east?.daemon.running && west?.daemon.running, 'needs both registrars (steps 1-5)');
    const ext = PHONES.drain.ext;
    // Before: a fresh phone preferring east lands on east.
    const before = await startPhone('drain', 'drain-before');
    assert.ok((await waitFor(() => east.has(ext), 10_000)) !== undefined, `fresh phone did not register on east (${await where()})`);
    assert.equal(await west.has(ext), false);
    await before.stop(); // baresip un-registers on SIGTERM
    assert.ok((await waitFor(async () => !(await east.has(ext)), 10_000)) !== undefined, 'the stopped phone is still bound on east');

    // Drain east through the running DNS server.
    const t0 = performance.now();
    const drain = runCli(['dns', 'push', inv, '--drain', 'east', '--server', `127.0.0.1:${named.port}`, '--key-file', keyFile, '--apply']);
    assert.equal(drain.code, 0, `dns push --drain east failed:\n${drain.stdout}\n${drain.stderr}`);
    t.diagnostic(`dns push --drain east --apply took ${fmt((performance.now() - t0) / 1000)} s (${drain.stderr.trim()})`);
    assert.deepEqual(await srvTargets(named.port, `_sip._udp.east-preferred.sip.${ZONE}`), [
      `10 registrar.west.${ZONE}:${port}`,
      `30 registrar.east.${ZONE}:${port}`,
    ]);

    // After: the same phone, freshly started, registers on west, and not on east (still up).
    const started = nowEpoch();
    await startPhone('drain', 'drain-after');
    const took = await waitFor(() => west.has(ext), 10_000);
    assert.ok(took !== undefined, `drained: fresh phone did not register on west (${await where()})`);
    await sleep(1_000);
    assert.equal(await east.has(ext), false, `drained: fresh phone also registered on east (${await where()})`);
    const onWest = registerTimes(west, ext).find((x) => x > started);
    t.diagnostic(`drained: fresh phone on west ${fmt((onWest ?? started) - started)} s after it started`);
    // A phone already registered on east stays there (it has a live binding; drain only steers new registrations).
  });

  step('7. `sipbc dns push` (no drain) to the running named undoes the drain', 60_000, async (t) => {
    assert.ok(named, 'needs step 1');
    // Stop the drained phone first: baresip's un-REGISTER on exit resolves the SRV name again, so
    // after the undo it would go to east and leave its west binding to expire.
    await phones.drain?.stop();
    assert.ok((await waitFor(async () => !(await west.has(PHONES.drain.ext)), 10_000)) !== undefined, 'the stopped phone is still bound on west');
    const undo = runCli(['dns', 'push', inv, '--server', `127.0.0.1:${named.port}`, '--key-file', keyFile, '--apply']);
    assert.equal(undo.code, 0, `dns push (undo the drain) failed:\n${undo.stdout}\n${undo.stderr}`);
    assert.deepEqual(await srvTargets(named.port, `_sip._udp.east-preferred.sip.${ZONE}`), [
      `10 registrar.east.${ZONE}:${port}`,
      `30 registrar.west.${ZONE}:${port}`,
    ]);
    await startPhone('drain', 'drain-undone');
    const took = await waitFor(() => east.has(PHONES.drain.ext), 10_000);
    assert.ok(took !== undefined, `undrained: fresh phone did not register on east (${await where()})`);
    t.diagnostic(`undrained: fresh phone back on east in ${fmt(took)} s`);
  });
});
