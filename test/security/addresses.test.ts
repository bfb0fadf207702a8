/**
 * Addresses that break DNS (issue 18, item 6): a SIP Server address must be a unicast address a
 * server can have and a zone can hold; `dns --server` (nsupdate's `server` line) must be a host
 * name or an IP address, so a line break cannot add nsupdate commands.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderNsupdate } from '../../src/core/dns/nsupdate.js';
import { SipbcError } from '../../src/core/errors.js';
import { runCli, runCliBuffer } from '../support/cli.js';
import { assertFindingAt, BASE_INVENTORY, findingsOf, mutate, positionOf } from '../support/inventory-text.js';
import { cleanupTempDirs, tempDir } from '../support/security.js';

after(cleanupTempDirs);

const withVip = (address: string) => mutate(BASE_INVENTORY, ['address: 10.2.0.10', `address: "${address}"`]);

describe('server addresses must be unicast and usable (SIPBC-E-ADDRESS)', () => {
  const refused: [string, RegExp][] = [
    ['fe80::1%eth0', /has a zone id \(the part from "%"\), which no DNS record can carry/],
    ['2001:db8::10%1', /has a zone id/],
    ['0.0.0.0', /is in 0\.0\.0\.0\/8 \("this network", 0\.0\.0\.0 = unspecified\)/],
    ['::', /is the unspecified address \(::\)/],
    ['255.255.255.255', /is the limited broadcast address/],
    ['224.0.0.1', /is multicast \(224\.0\.0\.0\/4\)/],
    ['239.255.255.250', /is multicast \(224\.0\.0\.0\/4\)/],
    ['ff02::1', /is multicast \(ff00::\/8\)/],
    ['fe80::1', /is link-local \(fe80::\/10\)/],
    ['240.0.0.1', /reserved block 240\.0\.0\.0\/4/],
    ['::ffff:224.0.0.1', /maps an IPv4 address that is multicast/],
    ['10.2.0.300', /is not a valid IPv4 or IPv6 address/],
  ];
  for (const [address, message] of refused) {
    it(`refuses ${address} at its line:column`, () => {
      const text = withVip(address);
      const findings = findingsOf(text);
      const f = assertFindingAt(findings, 'SIPBC-E-ADDRESS', text, `"${address}"`);
      assert.match(f.message, message);
      assert.match(f.message, /^address ".*" of site west's vip /);
      assert.deepEqual(findings.filter((x) => x.code === 'SIPBC-E-ADDRESS').length, 1);
    });
  }

  it('accepts unicast addresses, loopback included (the lab tests run real servers on 127.0.0.x)', () => {
    for (const address of ['127.0.0.2', '::1', '2001:db8::10', '192.0.2.1', '169.254.1.1', '::ffff:10.2.0.10', '100.64.0.1']) {
      const findings = findingsOf(withVip(address));
      assert.deepEqual(
        findings.map((f) => f.code),
        [],
        address,
      );
    }
  });

  it('validate prints the finding at file:line:column and exits 1; dns writes no zone', () => {
    const dir = tempDir();
    const file = join(dir, 'inventory.yaml');
    const text = withVip('fe80::1%eth0');
    writeFileSync(file, text);
    const v = runCli(['validate', file]);
    assert.equal(v.code, 1, v.stderr);
    assert.ok(
      v.stdout.includes(`${file}:${positionOf(text, '"fe80::1%eth0"')}  error    SIPBC-E-ADDRESS  address "fe80::1%eth0" of site west's vip has a zone id`),
      v.stdout,
    );
    for (const format of ['bind', 'nsupdate', 'wire']) {
      const d = runCliBuffer(['dns', file, '--format', format]);
      assert.equal(d.code, 1, d.stderr);
      assert.equal(d.stdout.length, 0, format);
    }
  });
});

describe('dns --server is a host name or an IP address', () => {
  const dir = tempDir();
  const inv = join(dir, 'inventory.yaml');
  writeFileSync(inv, BASE_INVENTORY);

  it('a line break (nsupdate command injection): usage error, exit 2, nothing on stdout', () => {
    const r = runCli(['dns', inv, '--format', 'nsupdate', '--server', 'ns1.contoso.example\nupdate delete contoso.example. ANY']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--server "ns1\.contoso\.example\\nupdate delete contoso\.example\. ANY" is neither an IP address nor a host name/);
    assert.equal(r.stderr.trimEnd().split('\n').length <= 2, true, r.stderr);
  });

  it('refuses spaces, empty, an invalid IPv4 address; accepts names and addresses', () => {
    for (const bad of ['ns1 53', '', '10.0.0.300', 'ns1;rm', 'ns1..example', '-ns1.example']) {
      const r = runCli(['dns', inv, '--format', 'nsupdate', '--server', bad]);
      assert.equal(r.code, 2, `${JSON.stringify(bad)}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    for (const good of ['ns1.contoso.example', 'ns1.contoso.example.', 'localhost', '127.0.0.1', '2001:db8::53']) {
      const r = runCli(['dns', inv, '--format', 'nsupdate', '--server', good]);
      assert.equal(r.code, 0, `${good}: ${r.stderr}`);
      assert.equal(r.stdout.split('\n')[1], `server ${good}`);
    }
  });

  it('renderNsupdate refuses such a server whoever calls it', () => {
    assert.throws(
      () => renderNsupdate([], { zone: 'contoso.example', source: 'x.yaml', server: { host: 'ns1\nsend' } }),
      (e: unknown) => e instanceof SipbcError && e.exitCode === 2 && /nsupdate server "ns1\\nsend"/.test(e.message),
    );
  });
});
