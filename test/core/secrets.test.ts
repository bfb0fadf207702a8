import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseInventory } from '../../src/core/load.js';
import { REDACTED, resolveSecrets, SECRET_FILE, SECRET_MISSING, secretFileFindings, stripOneNewline, type PasswordUse } from '../../src/core/secrets.js';

const work = mkdtempSync(join(tmpdir(), 'sipbc-secrets-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** An inventory whose phones carry the given password refs, one phone per line (for line:column). */
function inventory(passwords: string[], baseDir = work) {
  const text = ['version: 1', 'phones:', ...passwords.map((p, i) => `  - { mac: "00156500000${i}", auth: { password: ${p} } }`)].join('\n') + '\n';
  const loaded = parseInventory(text, 'inv.yaml', baseDir);
  const phones = (loaded.data as { phones: { auth: { password: PasswordUse['password'] } }[] }).phones;
  const uses: PasswordUse[] = phones.map((p, index) => ({ index, password: p.auth.password }));
  return { loaded, uses, text };
}

test('env, file (relative to the inventory directory) and literal references resolve', () => {
  mkdirSync(join(work, 'secrets'), { recursive: true });
  writeFileSync(join(work, 'secrets', 'a.txt'), 'from-file\n');
  const { loaded, uses } = inventory(['{ env: PW_A }', '{ file: secrets/a.txt }', '"literal-pw"']);
  const r = resolveSecrets(loaded, uses, { env: { PW_A: 'from-env' } });
  assert.deepEqual(r.findings, []);
  assert.deepEqual(
    [...r.passwords.entries()],
    [
      [0, 'from-env'],
      [1, 'from-file'],
      [2, 'literal-pw'],
    ],
  );
});

test('an absolute file path is used as is when it is inside the secrets directory', () => {
  writeFileSync(join(work, 'abs.txt'), 'abs-pw');
  const { loaded, uses } = inventory([`{ file: "${join(work, 'abs.txt')}" }`], '/nonexistent');
  assert.equal(resolveSecrets(loaded, uses, { env: {}, secretsDir: work }).passwords.get(0), 'abs-pw');
});

test('exactly one trailing newline is stripped (LF or CRLF); other whitespace is kept', () => {
  const table: [string, string][] = [
    ['pw\n', 'pw'],
    ['pw\r\n', 'pw'],
    ['pw\n\n', 'pw\n'],
    ['pw', 'pw'],
    [' pw \n', ' pw '],
  ];
  for (const [given, want] of table) assert.equal(stripOneNewline(given), want, JSON.stringify(given));
});

test('every missing secret is reported together, each at its auth.password line:column, values never included', () => {
  writeFileSync(join(work, 'empty.txt'), '\n');
  mkdirSync(join(work, 'a-directory'), { recursive: true });
  const { loaded, uses } = inventory([
    '{ env: PW_UNSET }',
    '{ env: PW_EMPTY }',
    '{ file: nope.txt }',
    '{ file: empty.txt }',
    '{ file: a-directory }',
    '{ env: PW_OK }',
  ]);
  const r = resolveSecrets(loaded, uses, { env: { PW_EMPTY: '', PW_OK: 'the-good-one' } });
  assert.equal(r.passwords.size, 0, 'no password is handed out when any is missing');
  // env references at the password mapping, file references at the file: value.
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.severity, f.file, f.line, f.column, f.path.join('.')]),
    [
      [SECRET_MISSING, 'error', 'inv.yaml', 3, 46, 'phones.0.auth.password'],
      [SECRET_MISSING, 'error', 'inv.yaml', 4, 46, 'phones.1.auth.password'],
      [SECRET_MISSING, 'error', 'inv.yaml', 5, 54, 'phones.2.auth.password.file'],
      [SECRET_MISSING, 'error', 'inv.yaml', 6, 54, 'phones.3.auth.password.file'],
      [SECRET_FILE, 'error', 'inv.yaml', 7, 54, 'phones.4.auth.password.file'],
    ],
  );
  const messages = r.findings.map((f) => f.message);
  assert.match(messages[0], /environment variable PW_UNSET is not set/);
  assert.match(messages[1], /environment variable PW_EMPTY is empty/);
  assert.match(messages[2], /secret file nope\.txt .*does not exist/);
  assert.match(messages[3], /secret file empty\.txt .*is empty/);
  assert.match(messages[4], /secret file a-directory is a directory, not a regular file/);
  for (const m of messages) assert.ok(!m.includes('the-good-one'));
});

test('a reference shared by many phones is read once and reported once, with the count', () => {
  let reads = 0;
  const { loaded, uses } = inventory(['{ file: shared.txt }', '{ file: shared.txt }', '{ file: ./shared.txt }']);
  const ok = resolveSecrets(loaded, uses, {
    env: {},
    readFile: () => {
      reads++;
      return { ok: true, text: 'shared\n' };
    },
  });
  assert.equal(reads, 1, './shared.txt and shared.txt are the same file');
  assert.deepEqual([...ok.passwords.values()], ['shared', 'shared', 'shared']);

  const missing = resolveSecrets(loaded, uses, { env: {}, readFile: () => ({ ok: false, problem: 'does not exist', missing: true }) });
  assert.equal(missing.findings.length, 1);
  assert.match(missing.findings[0].message, /used by 3 phones/);
  assert.equal(missing.findings[0].line, 3);
});

test('--redact reads nothing and writes REDACTED for env, file and literal passwords', () => {
  const { loaded, uses } = inventory(['{ env: PW_UNSET }', '{ file: nope.txt }', '"literal"']);
  const r = resolveSecrets(loaded, uses, {
    env: {},
    redact: true,
    readFile: () => assert.fail('no secret file may be read with --redact'),
  });
  assert.deepEqual(r.findings, []);
  assert.deepEqual([...r.passwords.values()], [REDACTED, REDACTED, REDACTED]);
});

test('a phone with auth: none (no auth.password) gets an empty password (no finding)', () => {
  const loaded = parseInventory('version: 1\nphones: [{ mac: "001565000001" }]\n', 'inv.yaml', work);
  const r = resolveSecrets(loaded, [{ index: 0 }], { env: {} });
  assert.deepEqual(r.findings, []);
  assert.equal(r.passwords.get(0), '');
});

test('an oversized secret file is refused (a wrong path, not a password)', () => {
  writeFileSync(join(work, 'big.bin'), 'x'.repeat(4097));
  writeFileSync(join(work, 'max.bin'), 'x'.repeat(4096));
  const { loaded, uses } = inventory(['{ file: big.bin }', '{ file: max.bin }']);
  const r = resolveSecrets(loaded, uses, { env: {} });
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.line]),
    [[SECRET_FILE, 3]],
  );
  assert.match(r.findings[0].message, /secret file big\.bin is larger than 4096 bytes/);
});

/** The one finding of a generate run (resolveSecrets) and of validate (secretFileFindings) for one file: reference. */
function both(ref: string, opts: { secretsDir?: string } = {}) {
  const { loaded, uses, text } = inventory([ref]);
  const gen = resolveSecrets(loaded, uses, { env: {}, ...opts });
  const val = secretFileFindings(loaded, opts);
  // The file: value, quoted or not.
  const col = text.split('\n')[2].indexOf('{ file: ') + '{ file: '.length + 1;
  return { gen, val, col };
}

test('confined to the inventory directory: "..", an absolute path elsewhere, a link leading out are refused by generate and validate, at the file: value', () => {
  const outside = mkdtempSync(join(tmpdir(), 'sipbc-outside-'));
  after(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'pw.txt'), 'outside-pw\n');
  symlinkSync(join(outside, 'pw.txt'), join(work, 'link-out.txt'));
  writeFileSync(join(work, 'inside.txt'), 'inside-pw\n');
  symlinkSync(join(work, 'inside.txt'), join(work, 'link-in.txt'));
  const rel = `../${outside.split('/').pop()}/pw.txt`;
  for (const [ref, problem] of [
    [`{ file: "${rel}" }`, `secret file ${rel} is outside the inventory's directory`],
    [`{ file: "${join(outside, 'pw.txt')}" }`, `is outside the inventory's directory`],
    ['{ file: /etc/hostname }', 'secret file /etc/hostname is outside'],
    ['{ file: ../../../../etc/hostname }', 'secret file ../../../../etc/hostname is outside'],
    ['{ file: link-out.txt }', "secret file link-out.txt leads outside the inventory's directory .* through a symbolic link"],
  ]) {
    const { gen, val, col } = both(ref);
    assert.equal(gen.passwords.size, 0, ref);
    for (const fs of [gen.findings, val]) {
      assert.equal(fs.length, 1, `${ref}: ${JSON.stringify(fs)}`);
      assert.equal(fs[0].code, SECRET_FILE);
      assert.equal(fs[0].severity, 'error');
      assert.equal(`${fs[0].line}:${fs[0].column}`, `3:${col}`, ref);
      assert.match(fs[0].message, new RegExp(problem));
      assert.match(fs[0].message, /--secrets-dir DIR/);
      assert.ok(!fs[0].message.includes('outside-pw'));
    }
  }
  // A link that stays inside is fine.
  assert.equal(both('{ file: link-in.txt }').gen.passwords.get(0), 'inside-pw');
  // --secrets-dir names another root: the outside file is fine there, the inventory's directory is not.
  const named = both(`{ file: "${join(outside, 'pw.txt')}" }`, { secretsDir: outside });
  assert.deepEqual(named.gen.findings, []);
  assert.equal(named.gen.passwords.get(0), 'outside-pw');
  assert.deepEqual(named.val, []);
  const notThere = both('{ file: inside.txt }', { secretsDir: outside });
  assert.match(notThere.gen.findings[0].message, new RegExp(`secret file inside\\.txt is outside the secrets directory ${outside}`));
});

test('only regular files, opened without blocking: a FIFO, a directory and /dev/zero are refused at once', () => {
  const fifo = join(work, 'pw.fifo');
  execFileSync('mkfifo', [fifo]);
  const started = Date.now();
  const f = both('{ file: pw.fifo }');
  assert.ok(Date.now() - started < 5000, 'a FIFO must not block');
  assert.match(f.gen.findings[0].message, /secret file pw\.fifo is a FIFO \(named pipe\), not a regular file/);
  assert.equal(f.val[0].code, SECRET_FILE);
  const zero = both('{ file: /dev/zero }', { secretsDir: '/dev' });
  assert.match(zero.gen.findings[0].message, /secret file \/dev\/zero is a character device, not a regular file/);
});

test('content: UTF-8 only, one trailing newline stripped, any other line break or control character a finding naming the file', () => {
  writeFileSync(join(work, 'latin1.txt'), Buffer.from([0x70, 0xe9, 0x0a]));
  writeFileSync(join(work, 'two-newlines.txt'), 'pw\n\n');
  writeFileSync(join(work, 'two-lines.txt'), 'pw\nsecond\n');
  writeFileSync(join(work, 'cr.txt'), 'pw\rx');
  writeFileSync(join(work, 'nul.txt'), 'pw\u0000x\n');
  writeFileSync(join(work, 'crlf.txt'), 'crlf-pw\r\n');
  for (const [name, problem] of [
    ['latin1.txt', 'is not UTF-8 text'],
    ['two-newlines.txt', 'holds more than one line \\(a line feed \\(U\\+000A\\) before its end\\): a password is a single line; remove the extra line break'],
    ['two-lines.txt', 'holds more than one line'],
    ['cr.txt', 'holds more than one line \\(a carriage return \\(U\\+000D\\)'],
    ['nul.txt', 'holds the control character \\(U\\+0000\\), which no provisioning file can carry'],
  ]) {
    const { gen, val, col } = both(`{ file: ${name} }`);
    for (const fs of [gen.findings, val]) {
      assert.equal(fs.length, 1, name);
      assert.equal(fs[0].code, SECRET_FILE, name);
      assert.equal(`${fs[0].line}:${fs[0].column}`, `3:${col}`, name);
      assert.match(fs[0].message, new RegExp(`secret file ${name.replace('.', '\\.')} ${problem}`));
      assert.ok(!fs[0].message.includes('second') && !fs[0].message.includes('pw'), fs[0].message);
    }
  }
  assert.equal(both('{ file: crlf.txt }').gen.passwords.get(0), 'crlf-pw');
});

test('validate: a secret file that does not exist is not reported (validate never needs the secrets); generate refuses', () => {
  const { val, gen, col } = both('{ file: later.txt }');
  assert.deepEqual(val, []);
  assert.deepEqual(
    gen.findings.map((f) => [f.code, f.severity, `${f.line}:${f.column}`]),
    [[SECRET_MISSING, 'error', `3:${col}`]],
  );
  // Outside the root it is refused whether or not it exists.
  assert.equal(both('{ file: ../nowhere/later.txt }').val[0].code, SECRET_FILE);
});
