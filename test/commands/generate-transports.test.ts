/**
 * Golden trees for TCP and TLS (test/fixtures/002-tcp, 003-tls): every family that supports the
 * transport, in both modes where it has both, preferring each site. With 001-realistic (UDP, plus a
 * TCP Cisco/Alcatel/baresip and a TLS AudioCodes) every family × mode × supported transport is covered.
 * Each tree is also checked by the real xmllint, and the transport each file names is asserted per family.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { compareTree, fixturePath, readTree } from '../support/golden.js';

const work = mkdtempSync(join(tmpdir(), 'sipbc-transports-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** What each family's file says about the transport, per fixture transport (exact lines or elements). */
const TRANSPORT_LINES: Record<'tcp' | 'tls', [RegExp, string[]][]> = {
  tcp: [
    [/^phones\/yealink\/.*\.cfg$/, ['account.1.sip_server.1.transport_type = 3', 'account.1.naptr_build = 1']],
    [/^phones\/poly\/.*-sipbc\.cfg$/, ['    reg.1.server.1.transport="DNSnaptr"']],
    [/^phones\/cisco\/.*\.xml$/, ['  <SIP_Transport_1_ ua="na">TCP</SIP_Transport_1_>']],
    [/^phones\/audiocodes\/.*\.cfg$/, ['voip/signalling/sip/transport_protocol=TCP']],
    [/^phones\/snom\/.*\.xml$/, [';transport=tcp</user_outbound>']],
    [/^phones\/grandstream\/.*\.xml$/, ['    <P130>1</P130>']],
    [/^phones\/alcatel\/sipconfig-.*\.txt$/, ['sip_transport_mode=2']],
    [/^phones\/baresip\/.*\/accounts$/, [';transport=tcp>']],
  ],
  tls: [
    [/^phones\/yealink\/.*\.cfg$/, ['account.1.sip_server.1.transport_type = 3', 'account.1.naptr_build = 1']],
    [/^phones\/poly\/.*-sipbc\.cfg$/, ['    reg.1.server.1.transport="DNSnaptr"']],
    [/^phones\/cisco\/.*\.xml$/, ['  <SIP_Transport_1_ ua="na">TLS</SIP_Transport_1_>']],
    [/^phones\/audiocodes\/.*\.cfg$/, ['voip/signalling/sip/transport_protocol=TLS']],
    [/^phones\/snom\/.*\.xml$/, [';transport=tls</user_outbound>']],
    [/^phones\/grandstream\/.*\.xml$/, ['    <P130>2</P130>']],
    [/^phones\/baresip\/.*\/accounts$/, [';transport=tls>']],
  ],
};

for (const [name, transport] of [
  ['002-tcp', 'tcp'],
  ['003-tls', 'tls'],
] as const) {
  describe(`generate: golden tree ${name}`, () => {
    const fx = fixturePath(name);
    const out = join(work, name);
    const r = runCli(['generate', join(fx, 'inventory.yaml'), '-o', out]);

    test('exit 0 and matches expected/ (UPDATE_GOLDEN=1 rewrites it)', () => {
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(compareTree(out, join(fx, 'expected')), []);
    });

    test('every family the transport allows is there, each file names the transport', () => {
      const tree = readTree(out);
      for (const [pattern, lines] of TRANSPORT_LINES[transport]) {
        const files = [...tree.keys()].filter((p) => pattern.test(p));
        assert.ok(files.length >= 2, `${pattern}: ${files.length} files`);
        for (const p of files) for (const l of lines) assert.ok(tree.get(p)!.toString('utf8').includes(l), `${p} lacks ${l}`);
      }
      if (transport === 'tls') assert.ok(![...tree.keys()].some((p) => p.startsWith('phones/alcatel/')), 'no Alcatel over TLS');
    });

    test('the zone gives every name the phones resolve exactly this transport in NAPTR', () => {
      const zone = readFileSync(join(out, 'dns', 'contoso.example.zone'), 'utf8');
      const service = transport === 'tls' ? '"SIPS+D2T"' : '"SIP+D2T" ';
      for (const owner of ['east.sip', 'west.sip', 'east-preferred.sip', 'west-preferred.sip']) {
        const naptr = zone.split('\n').filter((l) => l.startsWith(`${owner} `) && l.includes(' NAPTR '));
        assert.equal(naptr.length, 1, `${owner}: ${naptr.join(' | ')}`);
        assert.ok(naptr[0].includes(service), naptr[0]);
      }
    });

    test('every XML file is well-formed for the real xmllint', () => {
      const xml = [...readTree(out).keys()].filter((p) => p.endsWith('.xml') || p.startsWith('phones/poly/')).map((p) => join(out, p));
      assert.ok(xml.length > 0);
      const lint = spawnSync('xmllint', ['--noout', ...xml], { encoding: 'utf8' });
      assert.equal(lint.status, 0, lint.stderr);
    });
  });
}
