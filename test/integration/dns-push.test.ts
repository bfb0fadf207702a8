/**
 * `sipbc dns push` and `sipbc dns verify` against a real named (bind9) with a dynamic zone that
 * accepts only updates signed with a TSIG key made by the real `tsig-keygen`; out-of-band changes
 * are made with the real `nsupdate -k`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, DnsClient, parseServer, readOwned } from '../../src/cli/dns-client.js';
import { buildDnsRecords, zoneOf } from '../../src/core/dns/index.js';
import { ownedRrsets, planChanges } from '../../src/core/dns/push.js';
import { parseKeyFile } from '../../src/core/dns/tsig.js';
import { SipbcError } from '../../src/core/errors.js';
import type { Inventory } from '../../src/core/inventory.js';
import { parseInventory } from '../../src/core/load.js';
import { namedInstalled, NAMED_MISSING, startNamed, stubZone, tsigKeygen, type NamedServer, type ZoneSpec } from '../support/bind.js';
import { repoPath, runCli } from '../support/cli.js';

const ZONE = 'contoso.example';
const FIXTURE = readFileSync(repoPath('test', 'fixtures', 'dns', '001-spec-example', 'inventory.yaml'), 'utf8');
const skip = namedInstalled() ? false : NAMED_MISSING;

/** The records the DNS team already has: one outside sipbc's names, one of another type under a sipbc name. */
const FOREIGN = ['intranet IN A 10.9.9.8', 'east.sip IN TXT "site east, ask the DNS team"'];

interface PushJson {
  read: string;
  applied: boolean;
  sent?: { transport: string; bytes: number };
  changes: { name: string; type: string; change: string; removed: { data: unknown }[]; added: { data: unknown }[] }[];
  unchanged: number;
}

interface KeyedNamed {
  dir: string;
  keyFile: string;
  server: NamedServer;
  stop(): Promise<void>;
}

/** A private named holding ZONE, and a TSIG key made by the real tsig-keygen, its file in a temp dir. */
async function keyedNamed(keyName: string, algorithm: string, zone: Omit<ZoneSpec, 'name'>): Promise<KeyedNamed> {
  const dir = mkdtempSync(join(tmpdir(), 'sipbc-dns-push-'));
  const key = tsigKeygen(keyName, algorithm);
  const keyFile = join(dir, `${keyName}.conf`);
  writeFileSync(keyFile, key);
  const server = await startNamed([{ name: ZONE, ...zone }], { keys: [key] });
  return {
    dir,
    keyFile,
    server,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('sipbc dns push / verify on a real named with a TSIG key', { skip }, () => {
  let dir: string;
  let server: NamedServer;
  let keyFile: string;
  let inv: string;
  const srv = () => `127.0.0.1:${server.port}`;
  const push = (extra: string[] = [], file = inv, env?: Record<string, string>) =>
    runCli(['dns', 'push', file, '--server', srv(), '--key-file', keyFile, ...extra], { env });
  const pushJson = (extra: string[] = [], file = inv) => {
    const r = push([...extra, '--json'], file);
    return { code: r.code, json: JSON.parse(r.stdout) as PushJson, stderr: r.stderr };
  };
  const nsupdate = (lines: string[]) => {
    const r = server.nsupdate([`server 127.0.0.1 ${server.port}`, `zone ${ZONE}.`, ...lines, 'send', ''].join('\n'), keyFile);
    assert.equal(r.code, 0, r.output);
  };
  const srvOf = async (name: string) =>
    (await server.resolver().resolveSrv(`${name}.${ZONE}`)).map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}`).sort();

  let lab: KeyedNamed;
  before(async () => {
    // Zone transfers only signed with the key: push's AXFR is signed, and each answer's TSIG checked.
    lab = await keyedNamed('sipbc-key', 'hmac-sha256', { text: stubZone(ZONE, { extra: FOREIGN }), updateKey: 'sipbc-key', transfer: { key: 'sipbc-key' } });
    ({ dir, keyFile, server } = lab);
    inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, FIXTURE);
  });
  after(() => lab?.stop());

  it('on an empty zone: without --apply a plan of 15 RRsets to add, exit 3, and the server unchanged', async () => {
    const r = push();
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /\(read by AXFR\): 15 RRsets to add, 0 to change, 0 to remove \(0 unchanged\); nothing sent: add --apply/);
    assert.match(r.stdout, /^; add _sip\._udp\.east-preferred\.sip SRV$/m);
    assert.match(r.stdout, /^\+ _sip\._udp\.east-preferred\.sip 300 IN SRV {3}30 100 5060 sipsrv\.west\.contoso\.example\.$/m);
    await assert.rejects(server.resolver().resolveSrv(`_sip._udp.east-preferred.sip.${ZONE}`), /ENOTFOUND|ENODATA/);
  });

  it('--apply: one TSIG-signed update over TCP (larger than 512 bytes); the zone then answers; a second push is a no-op (exit 0)', async () => {
    const r = push(['--apply']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /applied in one TSIG-signed \(key sipbc-key\) update over TCP \(\d+ bytes\)/);
    assert.deepEqual(await srvOf('_sip._udp.east-preferred.sip'), [
      '10 100 5060 sipsrv-a.east.contoso.example',
      '20 100 5060 sipsrv-b.east.contoso.example',
      '30 100 5060 sipsrv.west.contoso.example',
    ]);
    assert.match(server.log(), /updating zone 'contoso.example\/IN'/);
    const again = pushJson();
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.json.changes, []);
    assert.equal(again.json.unchanged, 15);
    assert.equal(again.json.applied, false);
    const text = push();
    assert.equal(text.code, 0);
    assert.equal(text.stdout, '');
    assert.match(text.stderr, /15 unchanged\); up to date/);
  });

  it('verify: exit 0 after the push, every owned RRset checked over UDP and TCP', () => {
    const r = runCli(['dns', 'verify', inv, '--server', srv()]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /answers as the inventory says for zone contoso\.example: 30 RRsets checked over UDP and TCP, no difference/);
  });

  it('a server address change is exactly two address records replaced, sent over UDP', async () => {
    const changed = join(dir, 'moved.yaml');
    writeFileSync(changed, FIXTURE.replace('address: 10.2.0.10', 'address: 10.2.0.99'));
    const plan = pushJson([], changed);
    assert.equal(plan.code, 3);
    assert.deepEqual(
      plan.json.changes.map((c) => [c.name, c.type, c.change, c.removed.map((x) => x.data), c.added.map((x) => x.data)]),
      [
        ['west.sip.contoso.example', 'A', 'change', ['10.2.0.10'], ['10.2.0.99']],
        ['sipsrv.west.contoso.example', 'A', 'change', ['10.2.0.10'], ['10.2.0.99']],
      ],
    );
    const r = pushJson(['--apply'], changed);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.sent?.transport, 'udp');
    assert.deepEqual(await server.resolver().resolve4(`sipsrv.west.${ZONE}`), ['10.2.0.99']);
    // back to the fixture
    assert.equal(push(['--apply']).code, 0);
  });

  it('--drain east is exactly the preferred and balanced SRV sets of east re-ordered', async () => {
    const plan = pushJson(['--drain', 'east']);
    assert.equal(plan.code, 3);
    const srvText = (d: unknown) => {
      const s = d as { priority: number; weight: number; target: string };
      return `${s.priority} ${s.weight} ${s.target}`;
    };
    const sorted = (xs: { data: unknown }[]) => xs.map((x) => srvText(x.data)).sort();
    assert.deepEqual(
      plan.json.changes.map((c) => [c.name, sorted(c.removed), sorted(c.added)]),
      [
        [
          '_sip._udp.sip.contoso.example',
          ['10 50 sipsrv-a.east.contoso.example', '10 50 sipsrv.west.contoso.example', '20 100 sipsrv-b.east.contoso.example'],
          ['10 100 sipsrv.west.contoso.example', '30 100 sipsrv-a.east.contoso.example', '40 100 sipsrv-b.east.contoso.example'],
        ],
        [
          '_sip._udp.east-preferred.sip.contoso.example',
          ['10 100 sipsrv-a.east.contoso.example', '20 100 sipsrv-b.east.contoso.example', '30 100 sipsrv.west.contoso.example'],
          ['10 100 sipsrv.west.contoso.example', '30 100 sipsrv-a.east.contoso.example', '40 100 sipsrv-b.east.contoso.example'],
        ],
      ],
    );
    assert.equal(push(['--drain', 'east', '--apply']).code, 0);
    assert.deepEqual(await srvOf('_sip._udp.east-preferred.sip'), [
      '10 100 5060 sipsrv.west.contoso.example',
      '30 100 5060 sipsrv-a.east.contoso.example',
      '40 100 5060 sipsrv-b.east.contoso.example',
    ]);
    assert.equal(runCli(['dns', 'verify', inv, '--server', srv(), '--drain', 'east']).code, 0);
    assert.equal(push(['--apply']).code, 0, 'undrain');
  });

  it('a record someone else added under a sipbc name is reported, kept without --apply, replaced with it', async () => {
    nsupdate(['update add _sip._udp.east.sip.contoso.example. 300 IN SRV 5 100 5060 rogue.contoso.example.']);
    const plan = push();
    assert.equal(plan.code, 3);
    assert.equal(plan.stdout, '; change _sip._udp.east.sip SRV\n- _sip._udp.east.sip 300 IN SRV 5 100 5060 rogue.contoso.example.\n');
    assert.ok((await srvOf('_sip._udp.east.sip')).includes('5 100 5060 rogue.contoso.example'), 'kept without --apply');
    const v = runCli(['dns', 'verify', inv, '--server', srv()]);
    assert.equal(v.code, 3);
    assert.match(v.stdout, /^_sip\._udp\.east\.sip\.contoso\.example SRV: extra target rogue\.contoso\.example \(5 100 5060 rogue\.contoso\.example\.\)$/m);
    assert.equal(push(['--apply']).code, 0);
    assert.deepEqual(await srvOf('_sip._udp.east.sip'), ['10 100 5060 sipsrv-a.east.contoso.example', '20 100 5060 sipsrv-b.east.contoso.example']);
  });

  it("records outside sipbc's RRsets are never touched (an A elsewhere, a TXT under a sipbc name)", async () => {
    assert.deepEqual(await server.resolver().resolve4(`intranet.${ZONE}`), ['10.9.9.8']);
    assert.deepEqual(await server.resolver().resolveTxt(`east.sip.${ZONE}`), [['site east, ask the DNS team']]);
  });

  it('verify: an out-of-band nsupdate changing one priority is exit 3 with exactly that difference (text, json, github)', () => {
    nsupdate([
      'update delete _sip._udp.east.sip.contoso.example. SRV 20 100 5060 sipsrv-b.east.contoso.example.',
      'update add _sip._udp.east.sip.contoso.example. 300 IN SRV 25 100 5060 sipsrv-b.east.contoso.example.',
    ]);
    const text = runCli(['dns', 'verify', inv, '--server', srv()]);
    assert.equal(text.code, 3);
    assert.equal(
      text.stdout,
      '_sip._udp.east.sip.contoso.example SRV: priority of target sipsrv-b.east.contoso.example is 25, expected 20\n' +
        `127.0.0.1:${server.port}: 1 difference in 1 of 30 RRsets (zone contoso.example); run sipbc dns push to correct them\n`,
    );
    const json = runCli(['dns', 'verify', inv, '--server', srv(), '--json']);
    assert.equal(json.code, 3);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; differences: unknown[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.differences, [
      {
        name: '_sip._udp.east.sip.contoso.example',
        type: 'SRV',
        kind: 'value',
        field: 'priority',
        record: 'sipsrv-b.east.contoso.example',
        expected: 20,
        actual: 25,
        message: 'priority of target sipsrv-b.east.contoso.example is 25, expected 20',
        transports: ['udp', 'tcp'],
      },
    ]);
    const gh = runCli(['dns', 'verify', inv, '--server', srv(), '--format', 'github']);
    assert.equal(gh.code, 3);
    assert.equal(
      gh.stdout,
      '::error title=DNS drift%3A _sip._udp.east.sip.contoso.example SRV::priority of target sipsrv-b.east.contoso.example is 25, expected 20\n',
    );
    assert.equal(push(['--apply']).code, 0);
  });

  it('a concurrent change between read and send is refused by the prerequisite; nothing of the update is applied', async () => {
    const inventory = parseInventory(FIXTURE.replace('address: 10.2.0.10', 'address: 10.2.0.77'), 'inventory.yaml').data as Inventory;
    const records = buildDnsRecords(inventory);
    const client = new DnsClient(parseServer(srv()), { key: parseKeyFile(readFileSync(keyFile, 'utf8'), keyFile) });
    const owned = ownedRrsets(inventory, records);
    const read = await readOwned(client, zoneOf(inventory), owned);
    const plan = planChanges(zoneOf(inventory), records, read.records, owned);
    assert.equal(plan.changes.length, 2);
    await assert.rejects(
      applyPlan(client, plan, {
        beforeSend: () => nsupdate(['update delete west.sip.contoso.example. A', 'update add west.sip.contoso.example. 300 IN A 10.2.0.55']),
      }),
      (e: unknown) => {
        assert.ok(e instanceof SipbcError);
        assert.equal(e.exitCode, 2);
        assert.match(
          e.message,
          /update of contoso\.example refused: a prerequisite failed: an RRset sipbc read is not what it was \(NXRRSET\); nothing was changed/,
        );
        return true;
      },
    );
    assert.deepEqual(await server.resolver().resolve4(`west.sip.${ZONE}`), ['10.2.0.55'], 'the other change stays');
    assert.deepEqual(await server.resolver().resolve4(`sipsrv.west.${ZONE}`), ['10.2.0.10'], 'no part of the refused update was applied');
    const plain = push();
    assert.equal(plain.code, 3, 'the next push sees the change and plans to undo it');
    assert.match(plain.stdout, /^- west\.sip +300 IN A 10\.2\.0\.55$/m);
    assert.equal(push(['--apply']).code, 0);
  });

  it('a wrong secret: NOTAUTH as a clear error, exit 2, the secret nowhere in the output', () => {
    const wrong = tsigKeygen('sipbc-key', 'hmac-sha256');
    const wrongFile = join(dir, 'wrong.conf');
    writeFileSync(wrongFile, wrong);
    const secret = wrong.match(/secret "([^"]+)"/)![1];
    const r = runCli(['dns', 'push', inv, '--drain', 'east', '--server', srv(), '--key-file', wrongFile, '--apply']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /update of contoso\.example refused: the server refused the TSIG signature \(BADSIG\)/);
    assert.match(r.stderr, /hint: check the key/);
    const j = runCli(['dns', 'push', inv, '--drain', 'east', '--server', srv(), '--key-file', wrongFile, '--apply', '--json']);
    assert.equal(j.code, 2);
    assert.match(JSON.parse(j.stdout).error.message, /NOTAUTH|BADSIG/);
    for (const out of [r.stdout, r.stderr, j.stdout, j.stderr]) assert.ok(!out.includes(secret), 'the secret is printed');
    const unknown = runCli(['dns', 'push', inv, '--drain', 'east', '--server', srv(), '--key', 'other-key:hmac-sha256:TSIG_SECRET', '--apply'], {
      env: { TSIG_SECRET: secret },
    });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /the server refused the TSIG signature \(BADKEY\)/);
    assert.ok(!unknown.stderr.includes(secret));
  });

  it('--key NAME:ALG:ENV with the right secret works like --key-file', () => {
    const secret = readFileSync(keyFile, 'utf8').match(/secret "([^"]+)"/)![1];
    const r = runCli(['dns', 'push', inv, '--server', srv(), '--key', 'sipbc-key:hmac-sha256:SIPBC_TSIG_SECRET'], { env: { SIPBC_TSIG_SECRET: secret } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret));
  });
});

describe('sipbc dns push: hmac-sha512, no zone transfer, unreachable servers', { skip }, () => {
  let dir: string;
  let server: NamedServer;
  let keyFile: string;
  const inv = repoPath('test', 'fixtures', 'dns', '001-spec-example', 'inventory.yaml');
  let silent: Server;
  let lab: KeyedNamed;
  before(async () => {
    lab = await keyedNamed('sha512-key', 'hmac-sha512', { text: stubZone(ZONE), updateKey: 'sha512-key', transfer: 'none' });
    ({ dir, keyFile, server } = lab);
    silent = createServer(() => undefined).listen(0, '127.0.0.1');
  });
  after(async () => {
    silent?.close();
    await lab?.stop();
  });

  it('reads RRset by RRset when AXFR is refused, and applies with an hmac-sha512 key', async () => {
    const args = ['dns', 'push', inv, '--server', `127.0.0.1:${server.port}`, '--key-file', keyFile];
    const r = runCli([...args, '--apply']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /read by queries \(AXFR: REFUSED\)\): 15 RRsets to add/);
    assert.match(r.stderr, /TSIG-signed \(key sha512-key\)/);
    assert.equal(runCli(args).code, 0);
    assert.deepEqual(await server.resolver().resolve4(`east.sip.${ZONE}`), ['10.1.0.11']);
  });

  it('a server that does not answer: exit 2 after --timeout; nothing listening: connection refused', async () => {
    const port = (silent.address() as { port: number }).port;
    const r = runCli(['dns', 'push', inv, '--server', `127.0.0.1:${port}`, '--timeout', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`no answer from 127\\.0\\.0\\.1:${port} over TCP within 1 s`));
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const refused = runCli(['dns', 'verify', inv, '--server', `127.0.0.1:${closed}`, '--timeout', '1']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /127\.0\.0\.1:\d+ over (TCP: connection refused|UDP within 1 s|UDP: )/);
  });

  it('usage errors: a bad --server, a key file that is not one, --key without its variable (exit 2)', () => {
    const bad = runCli(['dns', 'push', inv, '--server', 'ns1;rm -rf /']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--server "ns1;rm -rf \/": "ns1;rm -rf \/" is neither an IP address nor a host name/);
    const notKey = join(dir, 'not-a-key.conf');
    writeFileSync(notKey, 'options { };\n');
    const nk = runCli(['dns', 'push', inv, '--server', '127.0.0.1:1', '--key-file', notKey]);
    assert.equal(nk.code, 2);
    assert.match(nk.stderr, /not-a-key\.conf: no key "name" \{ algorithm …; secret "…"; \}; block found/);
    const noEnv = runCli(['dns', 'push', inv, '--server', '127.0.0.1:1', '--key', 'k:hmac-sha256:SIPBC_NOT_SET']);
    assert.equal(noEnv.code, 2);
    assert.match(noEnv.stderr, /--key: the environment variable SIPBC_NOT_SET is not set/);
  });
});

describe('sipbc dns push: a zone transfer of several messages, each checked with TSIG', { skip }, () => {
  let server: NamedServer;
  let keyFile: string;
  const inv = repoPath('test', 'fixtures', 'dns', '001-spec-example', 'inventory.yaml');
  let lab: KeyedNamed;
  before(async () => {
    // ~3 000 records of others: named sends the transfer as several messages (64 KiB at most each).
    const filler = Array.from({ length: 3000 }, (_, i) => `filler-${i} IN TXT "record ${i} of the DNS team, not sipbc's: ${'x'.repeat(40)}"`);
    lab = await keyedNamed('big-key', 'hmac-sha256', { text: stubZone(ZONE, { extra: filler }), updateKey: 'big-key', transfer: { key: 'big-key' } });
    ({ keyFile, server } = lab);
  });
  after(() => lab?.stop());

  it('reads the zone by AXFR (every message verified), applies, and leaves the other records alone', async () => {
    const client = new DnsClient(parseServer(`127.0.0.1:${server.port}`), { key: parseKeyFile(readFileSync(keyFile, 'utf8'), keyFile) });
    const messages: number[] = [];
    const axfr = await client.axfr(ZONE, (m) => messages.push(m.length));
    assert.ok('records' in axfr, JSON.stringify(axfr));
    assert.ok(messages.length > 1, `one message only (${messages.join(', ')} bytes): the test needs a longer transfer`);
    const r = runCli(['dns', 'push', inv, '--server', `127.0.0.1:${server.port}`, '--key-file', keyFile, '--apply']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\(read by AXFR\): 15 RRsets to add/);
    assert.deepEqual(await server.resolver().resolveTxt(`filler-2999.${ZONE}`), [[`record 2999 of the DNS team, not sipbc's: ${'x'.repeat(40)}`]]);
  });
});

describe("sipbc dns push with the update-policy the user guide gives (the key may change sipbc's names only)", { skip }, () => {
  let server: NamedServer;
  let keyFile: string;
  const inv = repoPath('test', 'fixtures', 'dns', '001-spec-example', 'inventory.yaml');
  let lab: KeyedNamed;
  before(async () => {
    const policy = [
      'grant sipbc-key subdomain sip.contoso.example. SRV NAPTR A AAAA',
      ...['sipsrv-a.east', 'sipsrv-b.east', 'sipsrv.west'].map((h) => `grant sipbc-key name ${h}.contoso.example. A AAAA`),
    ];
    lab = await keyedNamed('sipbc-key', 'hmac-sha256', { text: stubZone(ZONE), updatePolicy: policy });
    ({ keyFile, server } = lab);
  });
  after(() => lab?.stop());

  it('push --apply succeeds; the same key cannot change a name outside the policy', async () => {
    const r = runCli(['dns', 'push', inv, '--server', `127.0.0.1:${server.port}`, '--key-file', keyFile, '--apply']);
    assert.equal(r.code, 0, r.stderr + server.log());
    assert.deepEqual(await server.resolver().resolve4(`sipsrv.west.${ZONE}`), ['10.2.0.10']);
    const outside = server.nsupdate(
      [`server 127.0.0.1 ${server.port}`, `zone ${ZONE}.`, `update add intranet.${ZONE}. 60 IN A 10.9.9.9`, 'send', ''].join('\n'),
      keyFile,
    );
    assert.notEqual(outside.code, 0);
    assert.match(outside.output, /REFUSED/);
  });
});
