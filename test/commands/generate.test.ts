/**
 * `sipbc generate` and `sipbc policy` through the built CLI, on the realistic fixture
 * test/fixtures/001-realistic (every family, both modes; env, file and literal passwords).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { runCli } from '../support/cli.js';
import { compareTree, fixturePath, readTree, snapshotTree } from '../support/golden.js';

const FX = fixturePath('001-realistic');
const INV = join(FX, 'inventory.yaml');
const ENV: Record<string, string> = {
  SIPBC_FX_PW_1001: 'fx-1001-Env',
  SIPBC_FX_PW_1003: 'fx-1003-Env',
  SIPBC_FX_PW_1005: 'fx-1005-Env',
  SIPBC_FX_PW_1007: 'fx-1007-Env',
  SIPBC_FX_PW_1008: 'fx-1008-Env',
  SIPBC_FX_PW_1011: 'fx-1011-Env',
};
/** Every real password of the fixture (env values, file contents without the newline, the literal). */
const PASSWORDS = [...Object.values(ENV), 'fx-1002-Pw!', 'fx-1004-Pw&<x>', 'fx-1006-Pw"q"', 'fx-1009-Pw', 'fx-1010-Shared', 'fx-1012-Pw', '4213'];
/** The files that hold a password (mode 0600). */
const SECRET_FILES = [
  'phones/alcatel/sipconfig-00809f0a0012.txt',
  'phones/alcatel/sipconfig-00809f0a0013.txt',
  'phones/audiocodes/00908fd10007.cfg',
  'phones/baresip/02005e100013/accounts',
  'phones/baresip/02005e100014/accounts',
  'phones/cisco/707db9c10005.xml',
  'phones/cisco/707db9c10006.xml',
  'phones/grandstream/cfgc074adf10010.xml',
  'phones/grandstream/cfgc074adf10011.xml',
  'phones/poly/0004f2b10003-sipbc.cfg',
  'phones/poly/0004f2b10004-sipbc.cfg',
  'phones/snom/000413e10008.xml',
  'phones/snom/000413e10009.xml',
  'phones/yealink/001565a10001.cfg',
  'phones/yealink/001565a10002.cfg',
];

const work = mkdtempSync(join(tmpdir(), 'sipbc-generate-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = (name: string) => join(work, `${name}-${++n}`);

function generate(args: string[], env: Record<string, string | undefined> = ENV, opts: { cwd?: string; input?: string } = {}) {
  return runCli(['generate', ...args], { env, ...opts });
}

/** A private copy of the fixture (inventory + secrets), to edit. */
function copyFixture(): { dir: string; inv: string } {
  const dir = freshDir('fixture');
  cpSync(FX, dir, { recursive: true, filter: (src) => !src.includes(`${FX}/expected`) });
  return { dir, inv: join(dir, 'inventory.yaml') };
}

describe('generate: the realistic fixture', () => {
  const a = freshDir('out');
  const b = freshDir('out');
  const first = generate([INV, '-o', a]);
  const second = generate([INV, '-o', b]);

  test('exit 0; warnings (literal password) on stderr with their line', () => {
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /inventory\.yaml:77:\d+ +warning +SIPBC-W-LITERAL-PASSWORD/);
    assert.match(first.stdout, /25 created, 0 updated, 0 removed, 0 unchanged/);
  });

  test('matches the golden tree expected/ (UPDATE_GOLDEN=1 rewrites it)', () => {
    assert.deepEqual(compareTree(a, join(FX, 'expected')), []);
  });

  test('deterministic: two runs are byte-identical, manifest included', () => {
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(readTree(b), readTree(a));
  });

  test('the SPEC §5 layout, and the manifest lists every file with its sha256, sorted', () => {
    const tree = readTree(a);
    const manifest = JSON.parse(tree.get('.sipbc-manifest.json')!.toString('utf8'));
    const owned = [...tree.keys()].filter((p) => p !== '.sipbc-manifest.json').sort();
    assert.deepEqual(Object.keys(manifest.files), owned);
    for (const p of ['dns/contoso.example.zone', 'dns/contoso.example.nsupdate', 'policy.csv', 'genesys/dr-forward.csv', 'phones/alcatel/lanpbx.cfg'])
      assert.ok(tree.has(p), p);
    assert.equal(manifest.generator, 'sipbc');
    assert.equal(manifest.version, 1);
  });

  test('files holding passwords are mode 0600, and only those', () => {
    const privateFiles = [...readTree(a).keys()].filter((p) => (lstatSync(join(a, p)).mode & 0o777) === 0o600).sort();
    // The manifest too: its sha256 of a credential file would confirm a password guess (test/security/secrets).
    assert.deepEqual(privateFiles, ['.sipbc-manifest.json', ...SECRET_FILES]);
  });

  test('every XML output parses with a real XML parser; every Yealink file starts with the version line', () => {
    for (const [p, bytes] of readTree(a)) {
      const text = bytes.toString('utf8');
      if (p.endsWith('.xml') || p.startsWith('phones/poly/')) assert.equal(XMLValidator.validate(text), true, p);
      if (p.startsWith('phones/yealink/')) assert.equal(text.split('\n')[0], '#!version:1.0.0.1', p);
      assert.ok(!text.includes('\r'), `${p} has LF line endings only`);
    }
  });

  test('a re-run rewrites nothing (mtimes stable) and --check is clean (exit 0)', () => {
    const before = snapshotTree(a);
    const again = generate([INV, '-o', a]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 created, 0 updated, 0 removed, 25 unchanged/);
    assert.deepEqual(snapshotTree(a), before);
    const check = generate([INV, '-o', a, '--check']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /up to date/);
  });
});

describe('generate --check', () => {
  test('exit 3 after a hand edit or a deleted file, listing exactly those files; writes nothing', () => {
    const out = freshDir('check');
    assert.equal(generate([INV, '-o', out]).code, 0);
    writeFileSync(join(out, 'phones/yealink/001565a10001.cfg'), 'hand edited\n', { mode: 0o600 });
    unlinkSync(join(out, 'dns/contoso.example.zone'));
    const before = snapshotTree(out);
    const r = generate([INV, '-o', out, '--check']);
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' ')),
      ['missing dns/contoso.example.zone', 'differs phones/yealink/001565a10001.cfg'],
    );
    assert.match(r.stderr, /differs from what generate would write \(2 files\)/);
    assert.deepEqual(snapshotTree(out), before, '--check writes nothing');
  });

  test('--check --json: the drift as JSON on stdout, exit 3; an empty directory is all drift', () => {
    const r = generate([INV, '-o', freshDir('never-created'), '--check', '--json']);
    assert.equal(r.code, 3, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.mode, 'check');
    assert.equal(summary.drift.length, 26, '25 files + the manifest (Poly: no per-phone master)');
    assert.deepEqual(summary.drift.at(-1), { path: '.sipbc-manifest.json', kind: 'create' });
  });

  test('a file removed from the plan but still on disk is drift (stale)', () => {
    const { inv } = copyFixture();
    const out = freshDir('stale');
    assert.equal(generate([inv, '-o', out]).code, 0);
    writeFileSync(inv, readFileSync(inv, 'utf8').replace(/^ {2}- \{ mac: "00:80:9f:0a:00:13".*\n/m, ''));
    const r = generate([inv, '-o', out, '--check']);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /stale +phones\/alcatel\/sipconfig-00809f0a0013\.txt/);
  });
});

describe('generate: failures write nothing', () => {
  test('missing secrets: every one listed together with file:line:col, the existing output byte-identical', () => {
    const { dir, inv } = copyFixture();
    const out = freshDir('keep');
    assert.equal(generate([inv, '-o', out]).code, 0);
    const before = snapshotTree(out);
    unlinkSync(join(dir, 'secrets', '1004.txt'));
    const env = { ...ENV, SIPBC_FX_PW_1001: undefined, SIPBC_FX_PW_1008: undefined };
    const r = generate([inv, '-o', out], env);
    assert.equal(r.code, 1);
    const missing = r.stderr.split('\n').filter((l) => l.includes('SIPBC-E-SECRET-MISSING'));
    assert.equal(missing.length, 3, r.stderr);
    assert.match(missing[0], /inventory\.yaml:59:\d+ .*environment variable SIPBC_FX_PW_1001 is not set/);
    assert.match(missing[1], /inventory\.yaml:63:\d+ .*secret file secrets\/1004\.txt .*does not exist/);
    assert.match(missing[2], /inventory\.yaml:70:\d+ .*environment variable SIPBC_FX_PW_1008 is not set/);
    assert.match(r.stderr, /nothing was written/);
    for (const pw of PASSWORDS) assert.ok(!r.stderr.includes(pw) && !r.stdout.includes(pw), 'no password in the output');
    assert.deepEqual(snapshotTree(out), before);
  });

  test('an invalid inventory: exit 1, the output directory is not even created', () => {
    const { inv } = copyFixture();
    writeFileSync(inv, readFileSync(inv, 'utf8').replace('model: cisco-7841', 'model: cisco-7842'));
    const out = freshDir('invalid');
    const r = generate([inv, '-o', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SIPBC-E-UNKNOWN-MODEL/);
    assert.equal(existsSync(out), false);
  });

  test('DNS cross-check: a phone pointing at a name without its A record is refused (SPEC §4 last rule)', () => {
    const { inv } = copyFixture();
    // west's VIP loses its address: west.sip.contoso.example gets no A record, but the Alcatel phone preferring west needs it.
    writeFileSync(
      inv,
      readFileSync(inv, 'utf8').replace('vip: { host: sipsrv.west.contoso.example, address: 10.2.0.10 }', 'vip: { host: sipsrv.west.example.net }'),
    );
    const out = freshDir('cross');
    const r = generate([inv, '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes('SIPBC-E-DNS-CROSS-CHECK'));
    assert.equal(lines.length, 1, r.stderr);
    // Reported once, at the first phone needing it (the dual Cisco, DNS SRV off), counting every line that does.
    assert.match(
      lines[0],
      /inventory\.yaml:65:5 .*phone 707db9c10005 \(cisco-8851\) points at west\.sip\.contoso\.example with an explicit port, but the generated DNS records have no west\.sip\.contoso\.example A\/AAAA \(3 phone lines need it\)/,
    );
    assert.equal(existsSync(out), false);
  });

  test('a symbolic link inside DIR is refused (exit 2) before anything is written', () => {
    const out = freshDir('link');
    const elsewhere = freshDir('elsewhere');
    mkdirSync(join(out, 'phones'), { recursive: true });
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(out, 'phones', 'yealink'));
    const r = generate([INV, '-o', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /symbolic link/);
    assert.deepEqual([...readTree(elsewhere).keys()], []);
    assert.equal(existsSync(join(out, 'policy.csv')), false, 'nothing written at all');
  });
});

describe('generate: ownership (manifest)', () => {
  test('a phone removed from the inventory loses its file; foreign files and a tampered manifest entry are never touched', () => {
    const { inv } = copyFixture();
    const out = freshDir('own');
    assert.equal(generate([inv, '-o', out]).code, 0);
    writeFileSync(join(out, 'phones/alcatel/notes.txt'), 'mine\n');
    writeFileSync(join(out, 'README.local'), 'mine\n');
    const victim = join(work, 'victim.txt');
    writeFileSync(victim, 'not sipbc\n');
    const manifestPath = join(out, '.sipbc-manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.files[`../${victim.split('/').pop()}`] = '00';
    writeFileSync(manifestPath, JSON.stringify(manifest));

    writeFileSync(inv, readFileSync(inv, 'utf8').replace(/^ {2}- \{ mac: "00:80:9f:0a:00:13".*\n/m, ''));
    const dry = generate([inv, '-o', out, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^remove phones\/alcatel\/sipconfig-00809f0a0013\.txt$/m);
    assert.ok(existsSync(join(out, 'phones/alcatel/sipconfig-00809f0a0013.txt')), '--dry-run removes nothing');

    const r = generate([inv, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /ignoring manifest entry "\.\.\/victim\.txt"/);
    assert.equal(existsSync(join(out, 'phones/alcatel/sipconfig-00809f0a0013.txt')), false);
    assert.ok(existsSync(join(out, 'phones/alcatel/sipconfig-00809f0a0012.txt')));
    assert.ok(existsSync(join(out, 'phones/alcatel/lanpbx.cfg')), 'the common file stays while an Alcatel phone remains');
    assert.equal(readFileSync(join(out, 'phones/alcatel/notes.txt'), 'utf8'), 'mine\n');
    assert.equal(readFileSync(join(out, 'README.local'), 'utf8'), 'mine\n');
    assert.equal(readFileSync(victim, 'utf8'), 'not sipbc\n');
    const after = JSON.parse(readFileSync(manifestPath, 'utf8'));
    assert.equal(after.files['phones/alcatel/sipconfig-00809f0a0013.txt'], undefined);
    assert.equal(
      Object.keys(after.files).some((p) => p.includes('..')),
      false,
    );
    assert.equal(generate([inv, '-o', out, '--check']).code, 0);
  });

  test('--only: only the chosen groups are produced; the other groups stay as they are and stay owned', () => {
    const out = freshDir('only');
    // --only dns,policy needs no secret at all.
    const dnsOnly = generate([INV, '-o', out, '--only', 'dns,policy'], {});
    assert.equal(dnsOnly.code, 0, dnsOnly.stderr);
    assert.deepEqual([...readTree(out).keys()], ['.sipbc-manifest.json', 'dns/contoso.example.nsupdate', 'dns/contoso.example.zone', 'policy.csv']);

    assert.equal(generate([INV, '-o', out]).code, 0);
    writeFileSync(join(out, 'phones/snom/000413e10008.xml'), 'hand edited\n');
    const onlyPolicy = generate([INV, '-o', out, '--only', 'policy', '--json'], {});
    assert.equal(onlyPolicy.code, 0, onlyPolicy.stderr);
    assert.deepEqual(JSON.parse(onlyPolicy.stdout).groups, ['policy']);
    assert.equal(readFileSync(join(out, 'phones/snom/000413e10008.xml'), 'utf8'), 'hand edited\n', 'phones untouched by --only policy');
    const manifest = JSON.parse(readFileSync(join(out, '.sipbc-manifest.json'), 'utf8'));
    assert.ok(manifest.files['phones/snom/000413e10008.xml'], 'phone files stay listed');
    assert.equal(generate([INV, '-o', out, '--only', 'policy', '--check'], {}).code, 0, '--check --only looks at the chosen groups');
    assert.equal(generate([INV, '-o', out, '--only', 'phones', '--check']).code, 3);

    const bad = generate([INV, '-o', out, '--only', 'phones,zones']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown group zones/);
  });

  test('--dry-run into a new directory lists every file and creates nothing', () => {
    const out = freshDir('dry');
    const r = generate([INV, '-o', out, '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^create phones\/cisco\/707db9c10005\.xml$/m);
    assert.match(r.stdout, /dry run: 25 created, 0 updated, 0 removed, 0 unchanged \(nothing written\)/);
    assert.equal(existsSync(out), false);
    for (const pw of PASSWORDS.filter((p) => p !== '4213')) assert.ok(!r.stdout.includes(pw));
  });
});

describe('generate --redact', () => {
  test('no password anywhere in the tree, no secret read (no env, no secret files needed)', () => {
    const { dir, inv } = copyFixture();
    rmSync(join(dir, 'secrets'), { recursive: true });
    const out = freshDir('redact');
    const r = generate([inv, '-o', out, '--redact'], {});
    assert.equal(r.code, 0, r.stderr);
    const tree = readTree(out);
    for (const [p, bytes] of tree) {
      const text = bytes.toString('utf8');
      for (const pw of PASSWORDS) {
        if (pw === '4213' && p === '.sipbc-manifest.json') continue; // hex digests may contain any digits
        assert.ok(!text.includes(pw), `${p} contains a real password`);
      }
    }
    for (const p of SECRET_FILES) assert.match(tree.get(p)!.toString('utf8'), /REDACTED/, p);
    assert.match(tree.get('.sipbc-manifest.json')!.toString('utf8'), /^\{\n {2}"generator": "sipbc",\n {2}"version": 1,\n {2}"redacted": true,\n/);
    // A second review copy over the first is fine.
    assert.equal(generate([inv, '-o', out, '--redact'], {}).code, 0);
  });

  test('refuses a directory that holds real passwords (unless --force): a review copy never blanks a live one', () => {
    const out = freshDir('redact-live');
    const inv = INV;
    assert.equal(generate([inv, '-o', out]).code, 0);
    const live = readTree(out);
    const r = generate([inv, '-o', out, '--redact'], {});
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /holds real passwords \(its manifest is not from a --redact run\): --redact would replace every one with REDACTED/);
    assert.match(r.stderr, /hint: write the review copy to another directory, or add --force/);
    assert.deepEqual(readTree(out), live);
    const forced = generate([inv, '-o', out, '--redact', '--force'], {});
    assert.equal(forced.code, 0, forced.stderr);
    for (const p of SECRET_FILES) assert.match(readTree(out).get(p)!.toString('utf8'), /REDACTED/, p);
  });
});

describe('generate --templates DIR', () => {
  test('a user template overrides the shipped one, and DIR/catalogue.json adds a model id without code', () => {
    const tpl = freshDir('templates');
    mkdirSync(join(tpl, 'yealink'), { recursive: true });
    writeFileSync(
      join(tpl, 'yealink', 'mac.cfg.hbs'),
      '#!version:1.0.0.1\n# {{banner}}\n# site-local Yealink template\naccount.1.user_name = {{line.user}}\naccount.1.password = {{line.password}}\naccount.1.sip_server.1.address = {{line.server1.host}}\n',
    );
    writeFileSync(join(tpl, 'catalogue.json'), JSON.stringify({ models: { 'yealink-t99x': { family: 'yealink', name: 'Yealink T99X (lab)' } } }));
    const { inv } = copyFixture();
    writeFileSync(inv, readFileSync(inv, 'utf8').replace('model: yealink-t46u', 'model: yealink-t99x'));
    const out = freshDir('user-tpl');
    const r = generate([inv, '-o', out, '--templates', tpl]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(join(out, 'phones/yealink/001565a10002.cfg'), 'utf8'),
      '#!version:1.0.0.1\n# generated by sipbc from inventory.yaml — do not edit\n# site-local Yealink template\naccount.1.user_name = 1002\naccount.1.password = fx-1002-Pw!\naccount.1.sip_server.1.address = east-preferred.sip.contoso.example\n',
    );
    assert.match(readFileSync(join(out, 'policy.csv'), 'utf8'), /^001565a10002,yealink-t99x,Place_1002,/m);
    // Without --templates the model is unknown.
    const without = generate([inv, '-o', freshDir('no-tpl')]);
    assert.equal(without.code, 1);
    assert.match(without.stderr, /SIPBC-E-UNKNOWN-MODEL/);
  });

  test('--templates must be a directory (exit 2)', () => {
    const r = generate([INV, '-o', freshDir('x'), '--templates', join(work, 'no-such-dir')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--templates .*not a directory/);
  });
});

describe('generate from stdin', () => {
  test('- reads the inventory from stdin; file secrets are relative to the current directory', () => {
    const { dir } = copyFixture();
    const out = freshDir('stdin');
    const r = generate(['-', '-o', out], ENV, { cwd: dir, input: readFileSync(INV, 'utf8') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(out, 'phones/yealink/001565a10002.cfg'), 'utf8'), /generated by sipbc from stdin/);
    assert.match(readFileSync(join(out, 'phones/yealink/001565a10002.cfg'), 'utf8'), /= fx-1002-Pw!$/m);
  });
});

describe('policy', () => {
  test('--format csv: header and one row per phone with site, mode, servers and why; no secret', () => {
    const r = runCli(['policy', INV, '--format', 'csv']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'mac,model,place,agents,preferred_site,site_source,mode,transport,line1,why');
    assert.equal(lines.length, 1 + 15);
    assert.ok(
      lines.includes(
        '707db9c10005,cisco-8851,Place_1005,7005,west,agents,dual,udp,west.sip.contoso.example:5060 > east.sip.contoso.example:5060,the agents at Place_1005 (7005) prefer west; phone sets registration dual; dual: line 1 registers to west (outbound calls) and east at the same time',
      ),
    );
    assert.ok(
      lines.includes(
        '000413e10009,snom-d785,Place_1009,7009 7019,east,phone,active-backup,udp,east-preferred.sip.contoso.example (SRV),"phone sets preferredSite east; defaults.registration active-backup; active-backup via SRV east-preferred.sip.contoso.example: east first, west when it is unreachable"',
      ),
    );
    assert.equal(r.stdout, readFileSync(join(FX, 'expected', 'policy.csv'), 'utf8'), 'the same table as policy.csv');
    for (const pw of PASSWORDS) assert.ok(!r.stdout.includes(pw));
  });

  test('--format json (and --json): structured rows with per-line servers', () => {
    for (const args of [['--format', 'json'], ['--json']]) {
      const r = runCli(['policy', INV, ...args]);
      assert.equal(r.code, 0, r.stderr);
      const rows = JSON.parse(r.stdout);
      assert.equal(rows.length, 15);
      const alcatel = rows.find((x: { mac: string }) => x.mac === '00809f0a0012');
      assert.deepEqual(
        { preferredSite: alcatel.preferredSite, mode: alcatel.mode, transport: alcatel.transport, lines: alcatel.lines },
        {
          preferredSite: 'west',
          mode: 'active-backup',
          transport: 'tcp',
          lines: [
            {
              line: 1,
              servers: [
                { host: 'west.sip.contoso.example', port: 5060, srv: false, transport: 'tcp', site: 'west', user: '1011' },
                { host: 'east.sip.contoso.example', port: 5060, srv: false, transport: 'tcp', site: 'east', user: '1011' },
              ],
            },
          ],
        },
      );
      assert.ok(alcatel.why.includes('Alcatel-Lucent IP Touch 4000 cannot dual-register'));
      assert.ok(!r.stdout.includes('fx-1011-Env'));
    }
  });

  test('--format table: aligned columns with a header; invalid inventory exits 1', () => {
    const r = runCli(['policy', INV]);
    assert.equal(r.code, 0, r.stderr);
    const [head, row] = r.stdout.split('\n');
    assert.match(head, /^MAC {11}MODEL +PLACE +AGENTS +SITE +SOURCE +MODE +TRANSPORT +LINE 1 +WHY$/);
    assert.equal(row.indexOf('yealink-t54w'), head.indexOf('MODEL'));
    const { inv } = copyFixture();
    writeFileSync(inv, readFileSync(inv, 'utf8').replace('place: Place_1002, auth', 'place: Place_9999, auth'));
    const bad = runCli(['policy', inv]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SIPBC-E-UNKNOWN-PLACE/);
  });
});
