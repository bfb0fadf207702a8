import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseInventory } from '../../src/core/load.js';
import { REDACTED, resolveSecrets, SECRET_MISSING, stripOneNewline, type PasswordUse } from '../../src/core/secrets.js';

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
  assert.deepEqual([...r.passwords.entries()], [
    [0, 'from-env'],
    [1, 'from-file'],
    [2, 'literal-pw'],
  ]);
});

test('an absolute file path is used as is', () => {
  writeFileSync(join(work, 'abs.txt'), 'abs-pw');
  const { loaded, uses } = inventory([`{ file: "${join(work, 'abs.txt')}" }`], '/nonexistent');
  assert.equal(resolveSecrets(loaded, uses, { env: {} }).passwords.get(0), 'abs-pw');
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
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.severity, f.file, f.line, f.column, f.path.join('.')]),
    [
      [SECRET_MISSING, 'error', 'inv.yaml', 3, 46, 'phones.0.auth.password'],
      [SECRET_MISSING, 'error', 'inv.yaml', 4, 46, 'phones.1.auth.password'],
      [SECRET_MISSING, 'error', 'inv.yaml', 5, 46, 'phones.2.auth.password'],
      [SECRET_MISSING, 'error', 'inv.yaml', 6, 46, 'phones.3.auth.password'],
      [SECRET_MISSING, 'error', 'inv.yaml', 7, 46, 'phones.4.auth.password'],
    ],
  );
  const messages = r.findings.map((f) => f.message);
  assert.match(messages[0], /environment variable PW_UNSET is not set/);
  assert.match(messages[1], /environment variable PW_EMPTY is empty/);
  assert.match(messages[2], /secret file nope\.txt .*does not exist/);
  assert.match(messages[3], /secret file empty\.txt .*is empty/);
  assert.match(messages[4], /secret file a-directory .*is a directory/);
  for (const m of messages) assert.ok(!m.includes('the-good-one'));
});

test('a reference shared by many phones is read once and reported once, with the count', () => {
  let reads = 0;
  const { loaded, uses } = inventory(['{ file: shared.txt }', '{ file: shared.txt }', '{ file: ./shared.txt }']);
  const ok = resolveSecrets(loaded, uses, { env: {}, readFile: () => (reads++, 'shared\n') });
  assert.equal(reads, 1, './shared.txt and shared.txt are the same file');
  assert.deepEqual([...ok.passwords.values()], ['shared', 'shared', 'shared']);

  const missing = resolveSecrets(loaded, uses, { env: {}, readFile: () => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); } });
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
    isDirectory: () => assert.fail('no secret file may be looked at with --redact'),
  });
  assert.deepEqual(r.findings, []);
  assert.deepEqual([...r.passwords.values()], [REDACTED, REDACTED, REDACTED]);
});

test('a phone without auth.password gets an empty password (no finding)', () => {
  const loaded = parseInventory('version: 1\nphones: [{ mac: "001565000001" }]\n', 'inv.yaml', work);
  const r = resolveSecrets(loaded, [{ index: 0 }], { env: {} });
  assert.deepEqual(r.findings, []);
  assert.equal(r.passwords.get(0), '');
});

test('an oversized secret file is refused (a wrong path, not a password)', () => {
  const { loaded, uses } = inventory(['{ file: big.bin }']);
  const r = resolveSecrets(loaded, uses, { env: {}, readFile: () => 'x'.repeat(70_000) });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0].message, /larger than 65536 bytes/);
});
