/**
 * Secrets (issue 6): a SIP password is never printed — not in errors, findings, logs, `--json`,
 * `policy`, `simulate`, `dns`, `--dry-run` or `--check` — files holding one are mode 0600 whatever
 * the umask, `--redact` leaks nothing (and reads nothing), and a literal password in the inventory
 * is a warning naming its line, without the password.
 *
 * One distinctive password (SENTINEL) is used everywhere, from env, from a file and as a literal,
 * and every byte the CLI prints and every file it writes is searched for it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import yaml from 'js-yaml';
import { SipbcError } from '../../src/core/errors.js';
import { BIN, REPO_ROOT, runCli, type CliResult } from '../support/cli.js';
import { cleanupTempDirs, clone, hasStackTrace, planText, readTree, securityInventory, tempDir } from '../support/security.js';

after(cleanupTempDirs);

const SENTINEL = 'Sentinel-Pw-7Qz';
/** Pieces of the password that must not show either (a message quoting half of it still leaks). */
const PIECES = [SENTINEL, 'Sentinel-Pw', 'Pw-7Qz'];

function assertNoSecret(text: string, where: string): void {
  for (const p of PIECES) assert.ok(!text.includes(p), `${where} prints the password:\n${text.slice(0, 2000)}`);
}

function assertCliClean(r: CliResult, what: string): void {
  assertNoSecret(r.stdout, `${what} (stdout)`);
  assertNoSecret(r.stderr, `${what} (stderr)`);
  assert.ok(!hasStackTrace(r.stderr), `${what}: stack trace\n${r.stderr}`);
}

/** Three inventories, the same phones, the password from env, from a file, as a literal. */
function setup() {
  const dir = tempDir();
  writeFileSync(join(dir, 'pw.txt'), `${SENTINEL}\n`);
  const make = (password: unknown) => {
    const inv = securityInventory({ phonesPerFamily: 1, password });
    return yaml.dump(inv, { lineWidth: -1 });
  };
  const files = {
    env: join(dir, 'env.yaml'),
    file: join(dir, 'file.yaml'),
    literal: join(dir, 'literal.yaml'),
  };
  writeFileSync(files.env, make({ env: 'SIP_PW' }));
  writeFileSync(files.file, make({ file: 'pw.txt' }));
  writeFileSync(files.literal, make(SENTINEL));
  return { dir, files };
}

const ENV = { SIP_PW: SENTINEL };

describe('secrets: never printed', () => {
  const { dir, files } = setup();

  it('validate (text, json, github, sarif): the literal password is a warning naming its line, never the password', () => {
    const text = readFileSync(files.literal, 'utf8');
    const lines = text.split('\n');
    const pwLines = lines.map((l, i) => (l.includes(SENTINEL) ? i + 1 : 0)).filter((n) => n > 0);
    assert.equal(pwLines.length, 8);
    const r = runCli(['validate', files.literal]);
    assert.equal(r.code, 0, r.stderr);
    assertCliClean(r, 'validate');
    for (const n of pwLines) {
      const col = lines[n - 1].indexOf(SENTINEL) + 1;
      assert.match(
        r.stdout,
        new RegExp(`literal\\.yaml:${n}:${col}\\s+warning\\s+SIPBC-W-LITERAL-PASSWORD .*line ${n}\\b`),
        `no warning at ${n}:${col}:\n${r.stdout}`,
      );
    }
    for (const format of ['json', 'github', 'sarif']) {
      const f = runCli(['validate', files.literal, '--format', format]);
      assert.equal(f.code, 0, f.stderr);
      assertCliClean(f, `validate --format ${format}`);
      assert.match(f.stdout, /SIPBC-W-LITERAL-PASSWORD/);
    }
    const strict = runCli(['validate', files.literal, '--strict']);
    assert.equal(strict.code, 1);
    assertCliClean(strict, 'validate --strict');
  });

  it('generate (text and --json), --dry-run and --check print no password; the manifest holds none', () => {
    for (const [kind, inv] of Object.entries(files)) {
      const out = join(dir, `out-${kind}`);
      const dry = runCli(['generate', inv, '-o', out, '--dry-run'], { env: ENV });
      assert.equal(dry.code, 0, dry.stderr);
      assertCliClean(dry, `${kind}: generate --dry-run`);
      const r = runCli(['generate', inv, '-o', out, '--json'], { env: ENV });
      assert.equal(r.code, 0, r.stderr);
      assertCliClean(r, `${kind}: generate --json`);
      JSON.parse(r.stdout);
      const check = runCli(['generate', inv, '-o', out, '--check'], { env: ENV });
      assert.equal(check.code, 0, check.stderr);
      assertCliClean(check, `${kind}: generate --check`);
      assertNoSecret(readFileSync(join(out, '.sipbc-manifest.json'), 'utf8'), 'the manifest');
      const tree = readTree(out);
      const holders = [...tree].filter(([, e]) => e !== 'link' && e.contents.includes(SENTINEL));
      assert.equal(holders.length, 8, `${kind}: expected every phone's credential file (one per phone) to hold the password`);
    }
  });

  it('drift reported by --check and a changed --dry-run list paths, not contents', () => {
    const out = join(dir, 'out-drift');
    assert.equal(runCli(['generate', files.env, '-o', out], { env: ENV }).code, 0);
    const r = runCli(['generate', files.env, '-o', out, '--check'], { env: { SIP_PW: `${SENTINEL}-new` } });
    assert.equal(r.code, 3, r.stderr);
    assertCliClean(r, 'generate --check (drift)');
    const d = runCli(['generate', files.env, '-o', out, '--dry-run', '--json'], { env: { SIP_PW: `${SENTINEL}-new` } });
    assert.equal(d.code, 0, d.stderr);
    assertCliClean(d, 'generate --dry-run --json (changes)');
  });

  it('policy, simulate and dns (every format) never print it, and never need it', () => {
    for (const args of [
      ['policy', files.literal],
      ['policy', files.literal, '--json'],
      ['policy', files.literal, '--format', 'csv'],
      ['simulate', files.literal, '--fail', 'east'],
      ['simulate', files.literal, '--fail', 'west', '--json'],
      ['dns', files.literal, '--format', 'nsupdate'],
    ]) {
      const r = runCli(args, { env: { SIP_PW: undefined } });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assertCliClean(r, args.join(' '));
    }
    // With the password only in the environment, these commands run without it.
    const r = runCli(['policy', files.env, '--json'], { env: { SIP_PW: undefined } });
    assert.equal(r.code, 0, r.stderr);
  });

  it('errors never quote it: invalid inventory, a password a file format cannot carry, a broken user template', () => {
    const bad = readFileSync(files.literal, 'utf8').replace('model: cisco-8851', 'model: cisco-885');
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, bad);
    for (const args of [
      ['validate', badFile],
      ['generate', badFile, '-o', join(dir, 'o1')],
      ['policy', badFile],
      ['simulate', badFile, '--fail', 'east'],
      ['dns', badFile],
    ]) {
      const r = runCli(args);
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      assertCliClean(r, `${args[0]} on an invalid inventory`);
    }
    // Values the phone files cannot carry: a line break (every family), a ';' (baresip).
    for (const pw of [`${SENTINEL}\nx=1`, `${SENTINEL};x=1`]) {
      const r = runCli(['generate', files.env, '-o', join(dir, 'o2')], { env: { SIP_PW: pw } });
      assert.equal(r.code, 2, r.stderr);
      assertCliClean(r, `generate with password ${JSON.stringify(pw)}`);
      assert.match(r.stderr, /line\.password|password/);
    }
    // A NUL cannot travel through the environment: through the secret file.
    writeFileSync(join(dir, 'pw.txt'), `${SENTINEL}\u0000\n`);
    const nul = runCli(['generate', files.file, '-o', join(dir, 'o2')]);
    writeFileSync(join(dir, 'pw.txt'), `${SENTINEL}\n`);
    // Found while checking the secret file (issue 18): a finding naming the file, exit 1.
    assert.equal(nul.code, 1, nul.stderr);
    assert.match(nul.stderr, /SIPBC-E-SECRET-FILE .*secret file pw\.txt holds the control character \(U\+0000\)/);
    assertCliClean(nul, 'generate with a NUL in the secret file');
    // A user template that fails while rendering.
    const tdir = tempDir();
    writeFileSync(join(dir, 'tmpl-inv.yaml'), readFileSync(files.env, 'utf8'));
    mkdirSync(join(tdir, 'yealink'));
    writeFileSync(join(tdir, 'yealink', 'mac.cfg.hbs'), 'p={{line.password}}\n{{lookup line line.password}}{{line.nope}}\n');
    const r = runCli(['generate', join(dir, 'tmpl-inv.yaml'), '-o', join(dir, 'o3'), '--templates', tdir], { env: ENV });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /nope/);
    assertCliClean(r, 'generate with a failing user template');
  });

  it('in the core: no finding of a generate run carries the password (literal, env, file)', () => {
    const inv = securityInventory({ phonesPerFamily: 1, password: SENTINEL });
    inv.phones[1].auth.password = { env: 'MISSING_PW' };
    inv.phones[2].auth.password = { file: join(dir, 'nope.txt') };
    inv.phones[3].model = 'cisco-885';
    const r = planText(JSON.stringify(inv), ENV);
    assertNoSecret(JSON.stringify(r.findings), 'findings');
    const inv2 = clone(inv);
    inv2.phones[3].model = 'cisco-8851';
    const r2 = planText(JSON.stringify(inv2), ENV);
    assert.ok(r2.findings.some((f) => f.code === 'SIPBC-E-SECRET-MISSING'));
    assertNoSecret(JSON.stringify(r2.findings), 'secret findings');
    // A CR in a literal password (a validate finding) and in an env password (a render refusal).
    const literalCr = planText(JSON.stringify(securityInventory({ password: `${SENTINEL}\r` })), ENV);
    assert.ok(
      literalCr.findings.some((f) => f.code === 'SIPBC-E-CONTROL-CHAR'),
      JSON.stringify(literalCr.findings),
    );
    assert.deepEqual(literalCr.files, []);
    assertNoSecret(JSON.stringify(literalCr.findings), 'control-character finding');
    try {
      planText(JSON.stringify(securityInventory()), { SIP_PW: `${SENTINEL}\r` });
      assert.fail('a CR in a password was accepted');
    } catch (e) {
      assert.ok(e instanceof SipbcError, String(e));
      assertNoSecret(e.message + (e.hint ?? ''), 'render error');
    }
  });
});

describe('secrets: file modes', () => {
  it('every file holding a password is 0600, even under umask 000; the others follow the umask', () => {
    const { dir, files } = setup();
    const out = join(dir, 'out-umask');
    const r = spawnSync('sh', ['-c', `umask 000; exec "${process.execPath}" "${BIN}" generate "${files.file}" -o "${out}"`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: cleanEnv(),
    });
    assert.equal(r.status, 0, r.stderr);
    const tree = readTree(out);
    let secret = 0;
    for (const [p, e] of tree) {
      assert.notEqual(e, 'link');
      if (e === 'link') continue;
      if (e.contents.includes(SENTINEL)) {
        secret++;
        assert.equal(e.mode, 0o600, `${p} holds the password but is ${e.mode.toString(8)}`);
      }
    }
    assert.equal(secret, 8);
  });

  it('a secret file made readable by others is put back to 0600 by the next run, and --check reports it', () => {
    const { dir, files } = setup();
    const out = join(dir, 'out-chmod');
    assert.equal(runCli(['generate', files.env, '-o', out], { env: ENV }).code, 0);
    const victim = [...readTree(out)].find(([p]) => p.startsWith('phones/yealink/'))![0];
    chmodSync(join(out, victim), 0o644);
    const check = runCli(['generate', files.env, '-o', out, '--check'], { env: ENV });
    assert.equal(check.code, 3, check.stderr);
    assert.match(check.stdout, new RegExp(victim.replace(/[.]/g, '\\.')));
    assert.equal(runCli(['generate', files.env, '-o', out], { env: ENV }).code, 0);
    assert.equal(statSync(join(out, victim)).mode & 0o777, 0o600);
  });
});

describe('secrets: the manifest', () => {
  it('is 0600: its sha256 of a credential file lets anyone who reads it check password guesses offline', () => {
    const { dir, files } = setup();
    const out = join(dir, 'out-manifest');
    const review = join(dir, 'out-review');
    assert.equal(runCli(['generate', files.env, '-o', out], { env: ENV }).code, 0);
    assert.equal(runCli(['generate', files.env, '-o', review, '--redact']).code, 0);
    const manifest = JSON.parse(readFileSync(join(out, '.sipbc-manifest.json'), 'utf8')) as { files: Record<string, string> };
    const path = Object.keys(manifest.files).find((p) => p.startsWith('phones/yealink/'))!;
    // The oracle: the redacted copy (or the templates) + a guess → the manifest's hash.
    const guess = (pw: string) =>
      createHash('sha256')
        .update(readFileSync(join(review, path), 'utf8').replace('REDACTED', pw))
        .digest('hex');
    assert.notEqual(guess('123456'), manifest.files[path]);
    assert.equal(guess(SENTINEL), manifest.files[path], 'the hash confirms the right guess');
    assert.equal(statSync(join(out, '.sipbc-manifest.json')).mode & 0o077, 0, 'the manifest is readable by others');
  });
});

describe('secrets: --redact', () => {
  it('writes REDACTED everywhere, reads no secret (unset variable, missing file), and leaks nothing', () => {
    const { dir, files } = setup();
    for (const [kind, inv] of Object.entries(files)) {
      if (kind === 'file') writeFileSync(join(dir, 'pw.txt'), `${SENTINEL}\n`);
      const out = join(dir, `out-redact-${kind}`);
      // The env variable is unset and, for the file inventory, the secret file is unreadable garbage path.
      const text = readFileSync(inv, 'utf8').replace('file: pw.txt', 'file: does-not-exist.txt');
      const inv2 = join(dir, `redact-${kind}.yaml`);
      writeFileSync(inv2, text);
      const r = runCli(['generate', inv2, '-o', out, '--redact'], { env: { SIP_PW: undefined } });
      assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
      assertCliClean(r, `${kind}: generate --redact`);
      const tree = readTree(out);
      let redacted = 0;
      for (const [p, e] of tree) {
        if (e === 'link') assert.fail(p);
        assertNoSecret(e.contents.toString('utf8'), `${kind}: ${p} (redacted)`);
        if (e.contents.includes('REDACTED')) redacted++;
      }
      assert.equal(redacted, 8, `${kind}: every credential file should say REDACTED`);
    }
  });

  it('a review copy made with --redact never contains a password even when the variable is set', () => {
    const { dir, files } = setup();
    const out = join(dir, 'out-redact-set');
    const r = runCli(['generate', files.env, '-o', out, '--redact'], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    for (const [p, e] of readTree(out)) if (e !== 'link') assertNoSecret(e.contents.toString('utf8'), p);
  });
});

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.SIPBC_DEBUG;
  return env;
}

describe('secrets: described, never quoted (issue 18)', () => {
  /** The security inventory with phone 0's password written as `raw` (unquoted) and phone 1's as the one-letter "a". */
  function leakyInventory(raw: string): { path: string; text: string } {
    const dir = tempDir();
    const inv = securityInventory({ phonesPerFamily: 1 });
    inv.phones[0].auth.password = '@@PW0@@';
    inv.phones[1].auth.password = '@@PW1@@';
    const text = yaml.dump(inv, { lineWidth: -1 }).replace(`'@@PW0@@'`, raw).replace(`'@@PW1@@'`, 'a');
    const path = join(dir, 'inv.yaml');
    writeFileSync(path, text);
    return { path, text };
  }

  it('password: 8675309123 (unquoted): SIPBC-E-QUOTE-VALUE at its line:column in every format, without the number; no masking', () => {
    const { path, text } = leakyInventory('8675309123');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('8675309123')) + 1;
    const col = lines[line - 1].indexOf('8675309123') + 1;
    const r = runCli(['validate', path]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `inv\\.yaml:${line}:${col}\\s+error\\s+SIPBC-E-QUOTE-VALUE\\s+phones\\[0\\]\\.auth\\.password must be a string, but YAML reads the value on line ${line} \\(8 to 15 characters long\\) as a number: quote it`,
      ),
    );
    for (const args of [
      ['validate', path],
      ['validate', path, '--format', 'json'],
      ['validate', path, '--format', 'sarif'],
      ['validate', path, '--format', 'github'],
      ['generate', path, '-o', join(tempDir(), 'o'), '--redact'],
      ['generate', path, '-o', join(tempDir(), 'o'), '--json'],
      ['policy', path],
      ['dns', path],
      ['simulate', path, '--fail', 'east'],
    ]) {
      const out = runCli(args);
      assert.equal(out.code, 1, `${args.join(' ')}: ${out.stderr}`);
      const all = out.stdout + out.stderr;
      assert.match(all, /SIPBC-E-QUOTE-VALUE/, args.join(' '));
      // generate --json prints one error object on stdout, the findings in it (stderr is silent).
      if (args.includes('--json')) {
        const error = (JSON.parse(out.stdout) as { error: { message: string; findings: { code: string }[] } }).error;
        assert.match(error.message, /: 1 error; nothing was written/);
        assert.deepEqual(
          error.findings.map((f) => f.code),
          ['SIPBC-E-QUOTE-VALUE', 'SIPBC-W-LITERAL-PASSWORD'],
        );
      }
      assert.ok(!all.includes('8675309123'), `${args.join(' ')} prints the password:\n${all}`);
      assert.ok(!all.includes('8675'), `${args.join(' ')} prints part of the password:\n${all}`);
      assert.ok(!all.includes('***'), `${args.join(' ')} masks by replacement:\n${all}`);
    }
  });

  it('a password in place of the auth mapping, an alias-like or a tag-like password: no message quotes it', () => {
    for (const [edit, code] of [
      [(t: string) => t.replace(/auth:\n\s+password:\n\s+env: SIP_PW/, 'auth: Hunter2-Secret'), 'SIPBC-E-VALUE'],
      [(t: string) => t.replace(/password:\n\s+env: SIP_PW/, 'password: {Hunter2-Secret}'), 'SIPBC-E-UNKNOWN-KEY'],
      [(t: string) => t.replace(/password:\n\s+env: SIP_PW/, 'password: *Hunter2-Secret'), undefined],
      [(t: string) => t.replace(/password:\n\s+env: SIP_PW/, 'password: !Hunter2-Secret x'), undefined],
    ] as const) {
      const dir = tempDir();
      const text = edit(yaml.dump(securityInventory({ phonesPerFamily: 1 }), { lineWidth: -1 }));
      assert.ok(text.includes('Hunter2-Secret'));
      writeFileSync(join(dir, 'inv.yaml'), text);
      for (const format of ['text', 'json']) {
        const r = runCli(['validate', join(dir, 'inv.yaml'), '--format', format]);
        assert.ok(r.code === 1 || r.code === 2, r.stderr);
        if (code) assert.match(r.stdout, new RegExp(code));
        assert.ok(!(r.stdout + r.stderr).includes('Hunter2'), `${format}: ${r.stdout}${r.stderr}`);
      }
    }
  });

  it('a baresip password with ";": SIPBC-E-CREDENTIAL-CHAR names the character, not the value', () => {
    const inv = securityInventory({ phonesPerFamily: 1, families: ['baresip'], password: 'Hunter2;x' });
    const r = planText(JSON.stringify(inv));
    const f = r.findings.find((x) => x.code === 'SIPBC-E-CREDENTIAL-CHAR');
    assert.ok(f, JSON.stringify(r.findings));
    assert.match(f.message, /the password contains a semicolon \(U\+003B\)/);
    assert.ok(!f.message.includes('Hunter2'));
  });
});

describe('secrets: a phone must have credentials (issue 18)', () => {
  it('a phone without auth fails validate (exit 1) and generate writes nothing; auth: none is accepted and written without a password', () => {
    const dir = tempDir();
    const inv = securityInventory({ phonesPerFamily: 1, families: ['yealink', 'poly'] });
    delete inv.phones[0].auth;
    const text = yaml.dump(inv, { lineWidth: -1 });
    writeFileSync(join(dir, 'inv.yaml'), text);
    const line = text.split('\n').findIndex((l) => l.includes(inv.phones[0].mac)) + 1;
    for (const args of [
      ['validate', 'inv.yaml'],
      ['validate', 'inv.yaml', '--strict'],
    ]) {
      const r = runCli(args, { cwd: dir });
      assert.equal(r.code, 1, r.stdout);
      assert.match(
        r.stdout,
        new RegExp(
          `inv\\.yaml:${line}:5\\s+error\\s+SIPBC-E-NO-CREDENTIALS\\s+phones\\[0\\] has no auth\\.password: .*or write auth: none if this phone registers without credentials\\.`,
        ),
      );
    }
    const g = runCli(['generate', 'inv.yaml', '-o', 'out'], { cwd: dir, env: ENV });
    assert.equal(g.code, 1, g.stderr);
    assert.match(g.stderr, /SIPBC-E-NO-CREDENTIALS/);
    assert.deepEqual([...readTree(dir).keys()], ['inv.yaml']);

    inv.phones[0].auth = 'none';
    writeFileSync(join(dir, 'none.yaml'), yaml.dump(inv, { lineWidth: -1 }));
    assert.equal(runCli(['validate', 'none.yaml', '--strict'], { cwd: dir }).code, 0);
    const ok = runCli(['generate', 'none.yaml', '-o', 'out'], { cwd: dir, env: ENV });
    assert.equal(ok.code, 0, ok.stderr);
    const yealink = [...readTree(join(dir, 'out'))].find(([p]) => p.startsWith('phones/yealink/'))!;
    assert.ok(yealink[1] !== 'link' && /^account\.1\.password = $/m.test(yealink[1].contents.toString('utf8')), 'auth: none writes an empty password');
  });
});

describe('secrets: secret files confined and checked by validate and generate (issue 18)', () => {
  /** An inventory in a fresh directory whose phone 0..3 read their passwords from the given file: values. */
  function withFiles(files: string[], extra: Record<string, string> = {}) {
    const dir = tempDir();
    const inv = securityInventory({ phonesPerFamily: 1, families: ['yealink', 'poly', 'cisco', 'snom'] });
    files.forEach((f, i) => (inv.phones[i].auth.password = { file: f }));
    const text = yaml.dump(inv, { lineWidth: -1 });
    writeFileSync(join(dir, 'inv.yaml'), text);
    for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
    /** `inv.yaml:line:col` of the i-th `file:` value. */
    const at = (i: number) => {
      const lines = text.split('\n');
      let seen = -1;
      for (let n = 0; n < lines.length; n++) {
        const c = lines[n].indexOf('file: ');
        if (c !== -1 && ++seen === i) return `inv.yaml:${n + 1}:${c + 7}`;
      }
      throw new Error(`no file: value ${i}`);
    };
    return { dir, at };
  }

  it('../../../../etc/hostname, an absolute path, a link out, /dev/zero and a FIFO: errors at each file: value, in bounded time, nothing read or written', () => {
    const { dir, at } = withFiles(['../../../../etc/hostname', '/etc/os-release', 'link-out.txt', 'pw.fifo'], { 'ok.txt': 'Sentinel-Pw-7Qz\n' });
    symlinkSync('/etc/hostname', join(dir, 'link-out.txt'));
    spawnSync('mkfifo', [join(dir, 'pw.fifo')]);
    const started = Date.now();
    const v = runCli(['validate', 'inv.yaml'], { cwd: dir, timeout: 30_000 });
    assert.equal(v.code, 1, v.stderr);
    const lines = v.stdout.split('\n');
    const expect = [
      [at(0), "secret file ../../../../etc/hostname is outside the inventory's directory"],
      [at(1), "secret file /etc/os-release is outside the inventory's directory"],
      [at(2), "secret file link-out.txt leads outside the inventory's directory .* through a symbolic link"],
      [at(3), 'secret file pw.fifo is a FIFO \\(named pipe\\), not a regular file'],
    ];
    for (const [where, what] of expect) {
      assert.ok(
        lines.some((l) => new RegExp(`^${where.replace(/\./g, '\\.')}\\s+error\\s+SIPBC-E-SECRET-FILE\\s+.*${what}`).test(l)),
        `${where} ${what}\n${v.stdout}`,
      );
    }
    const g = runCli(['generate', 'inv.yaml', '-o', 'out'], { cwd: dir, timeout: 30_000 });
    assert.equal(g.code, 1, g.stderr);
    assert.equal((g.stderr.match(/SIPBC-E-SECRET-FILE/g) ?? []).length, 4, g.stderr);
    assert.ok(Date.now() - started < 30_000);
    assert.ok(!readTree(dir).has('out/.sipbc-manifest.json'));
    // /dev/zero: refused as outside; with --secrets-dir /dev as a character device, never read.
    const z = withFiles(['/dev/zero']);
    const dz = runCli(['validate', 'inv.yaml', '--secrets-dir', '/dev'], { cwd: z.dir, timeout: 30_000 });
    assert.equal(dz.code, 1);
    assert.match(
      dz.stdout,
      new RegExp(`${z.at(0).replace(/\./g, '\\.')}\\s+error\\s+SIPBC-E-SECRET-FILE .*secret file /dev/zero is a character device, not a regular file`),
    );
  });

  it('a secret file with an extra trailing newline: validate and generate both name the file (exit 1); one trailing newline is fine', () => {
    const { dir, at } = withFiles(['pw.txt', 'ok.txt', 'ok.txt', 'ok.txt'], { 'pw.txt': 'Sentinel-Pw-7Qz\n\n', 'ok.txt': 'Sentinel-Pw-7Qz\n' });
    const want = new RegExp(
      `${at(0).replace(/\./g, '\\.')}\\s+error\\s+SIPBC-E-SECRET-FILE\\s+the SIP password file cannot be used: secret file pw\\.txt holds more than one line`,
    );
    const v = runCli(['validate', 'inv.yaml'], { cwd: dir });
    assert.equal(v.code, 1);
    assert.match(v.stdout, want);
    assertCliClean(v, 'validate');
    const g = runCli(['generate', 'inv.yaml', '-o', 'out'], { cwd: dir });
    assert.equal(g.code, 1, g.stderr);
    assert.match(g.stderr, want);
    assertCliClean(g, 'generate');
    writeFileSync(join(dir, 'pw.txt'), 'Sentinel-Pw-7Qz\n');
    assert.equal(runCli(['validate', 'inv.yaml', '--strict'], { cwd: dir }).code, 0);
    assert.equal(runCli(['generate', 'inv.yaml', '-o', 'out'], { cwd: dir }).code, 0);
  });

  it("--secrets-dir DIR: files inside it are used (absolute or relative paths), the inventory directory is no longer allowed; a missing file is generate's error only", () => {
    const secrets = tempDir();
    writeFileSync(join(secrets, 'pw'), 'Sentinel-Pw-7Qz\n');
    const { dir, at } = withFiles([join(secrets, 'pw'), join(secrets, 'pw'), join(secrets, 'pw'), 'local.txt'], { 'local.txt': 'Sentinel-Pw-7Qz\n' });
    const v = runCli(['validate', 'inv.yaml', '--secrets-dir', secrets], { cwd: dir });
    assert.equal(v.code, 1);
    assert.match(
      v.stdout,
      new RegExp(`${at(3).replace(/\./g, '\\.')}\\s+error\\s+SIPBC-E-SECRET-FILE .*secret file local\\.txt is outside the secrets directory ${secrets}`),
    );
    assert.equal(v.stdout.match(/SIPBC-E-/g)?.length, 1, v.stdout);
    const inv = join(dir, 'inv.yaml');
    writeFileSync(inv, readFileSync(inv, 'utf8').replace('file: local.txt', `file: ${join(secrets, 'later')}`));
    assert.equal(runCli(['validate', 'inv.yaml', '--secrets-dir', secrets, '--strict'], { cwd: dir }).code, 0);
    const missing = runCli(['generate', 'inv.yaml', '-o', 'out', '--secrets-dir', secrets], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      new RegExp(`${at(3).replace(/\./g, '\\.')}\\s+error\\s+SIPBC-E-SECRET-MISSING .*secret file ${join(secrets, 'later')} does not exist`),
    );
    writeFileSync(join(secrets, 'later'), 'Sentinel-Pw-7Qz\n');
    const g = runCli(['generate', 'inv.yaml', '-o', 'out', '--secrets-dir', secrets], { cwd: dir });
    assert.equal(g.code, 0, g.stderr);
    assertCliClean(g, 'generate --secrets-dir');
    const bad = runCli(['generate', 'inv.yaml', '-o', 'out', '--secrets-dir', join(secrets, 'nope')], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--secrets-dir .*nope: not a directory/);
  });
});
