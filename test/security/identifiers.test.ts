/**
 * Identifiers that break SIP (issue 18, item 5): Extension DNs, switch DNs and auth users are
 * 1-64 of letters, digits and - _ . ! ~ * ' ( ) + (RFC 3261 §25.1 `user` without its separators),
 * in the JSON Schema (pattern, maxLength) and reported as SIPBC-E-SIP-USER; invisible format
 * characters (Unicode Cf: bidi overrides, zero-width) are refused in every key and string
 * (SIPBC-E-INVISIBLE-CHAR). With real baresip, extension `1@127.0.0.9` registered as user `1`
 * towards the wrong host: it is now a finding at its line:column.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { INVENTORY_SCHEMA_PATH } from '../../src/core/validate/index.js';
import { SIP_USER_MAX_LENGTH, SIP_USER_PATTERN } from '../../src/core/sip-user.js';
import { runCli } from '../support/cli.js';
import { assertFindingAt, BASE_INVENTORY, findingsOf, mutate, positionOf, summary } from '../support/inventory-text.js';
import { cleanupTempDirs, tempDir } from '../support/security.js';

after(cleanupTempDirs);

const ext = (value: string) =>
  mutate(BASE_INVENTORY, ['{ id: P2, extensions: { east: "1002", west: "1002" } }', `{ id: P2, extensions: { east: ${value}, west: ${value} } }`]);

describe('SIP users: Extension DNs, switch DNs, auth users (SIPBC-E-SIP-USER)', () => {
  it('the schema states the set and the length, the same as the code', () => {
    const schema = JSON.parse(readFileSync(INVENTORY_SCHEMA_PATH, 'utf8'));
    const d = schema.definitions;
    for (const s of [d.place.properties.extensions.additionalProperties, d.switchDN.properties.number, d.phone.properties.auth.else.properties.user]) {
      assert.equal(s.pattern, SIP_USER_PATTERN);
      assert.equal(s.maxLength, SIP_USER_MAX_LENGTH);
      assert.equal(s.maxLength, 64);
    }
  });

  it('extension 1@127.0.0.9 (baresip registered user 1 at the wrong host): one finding at the extension', () => {
    const text = ext('"1@127.0.0.9"');
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-SIP-USER', text, '"1@127.0.0.9"');
    assert.equal(
      f.message,
      `places[1].extensions.east contains "@", which a SIP user cannot carry in the files sipbc writes; a SIP user (Extension DN, switch DN, auth.user) is 1-64 of: letters A-Z a-z, digits and - _ . ! ~ * ' ( ) + (RFC 3261 §25.1 user, without its separators; see README, Security). Write the user alone: the host comes from the site's SIP Server.`,
    );
    assert.deepEqual(summary(findings), [`SIPBC-E-SIP-USER@${positionOf(text, '"1@127.0.0.9"')}`, `SIPBC-E-SIP-USER@${positionOf(text, '"1@127.0.0.9"', 1)}`]);
  });

  it('refuses every separator of a SIP URI or a target file, and names it', () => {
    const cases: [string, string][] = [
      ['"10:01"', '":"'],
      ['"10#1"', '"#"'],
      ['"10?1"', '"?"'],
      ['"10%41"', '"%"'],
      ['"10/1"', '"/"'],
      ['"10;1"', '";"'],
      ['"10 01"', 'a space'],
      ['"10,1"', '","'],
      ['"10&1"', '"&"'],
      ['"10=1"', '"="'],
      ['"10$1"', '"$"'],
      ['"<1001>"', '"<"'],
      ['"1001é"', '"é" (U+00E9)'],
      ['"10\\u00a001"', 'the character U+00A0'],
    ];
    for (const [value, named] of cases) {
      const text = ext(value);
      const f = assertFindingAt(findingsOf(text), 'SIPBC-E-SIP-USER', text, value);
      assert.ok(f.message.startsWith(`places[1].extensions.east contains ${named}, which`), `${value}: ${f.message}`);
    }
  });

  it('refuses more than 64 characters, without printing the value (a 1 MB user)', () => {
    const text = ext(`"${'1'.repeat(65)}"`);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-SIP-USER', text, '"1111');
    assert.match(f.message, /^places\[1\]\.extensions\.east is 65 characters long; a SIP user/);
    const huge = ext(`"${'9@'.repeat(500_000)}"`);
    const findings = findingsOf(huge);
    assert.deepEqual(
      findings.map((x) => x.code),
      ['SIPBC-E-SIP-USER', 'SIPBC-E-SIP-USER', 'SIPBC-E-SIP-USER', 'SIPBC-E-SIP-USER'],
      'east and west: too long, and "@"',
    );
    for (const x of findings) assert.ok(x.message.length < 400, x.message.slice(0, 100));
    assert.match(findings.map((x) => x.message).join('\n'), /is 1000000 characters long/);
  });

  it('switchDNs[].number and phones[].auth.user follow the same rule', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['{ number: "8000", type: acd-queue }', '{ number: "8000;lr", type: acd-queue }'],
      ['model: poly-vvx450, place: P2, auth: none }', 'model: poly-vvx450, place: P2, auth: { user: "u2@evil.example", password: { env: PW } } }'],
    );
    const findings = findingsOf(text);
    assert.match(assertFindingAt(findings, 'SIPBC-E-SIP-USER', text, '"8000;lr"').message, /^switchDNs\[0\]\.number contains ";"/);
    assert.match(assertFindingAt(findings, 'SIPBC-E-SIP-USER', text, '"u2@evil.example"').message, /^phones\[1\]\.auth\.user contains "@"/);
    assert.equal(findings.length, 2, summary(findings).join(' '));
  });

  it('accepts E.164 numbers, DNs and every character of the set', () => {
    for (const value of ['"+33123456789"', '"1002"', '"agent.smith"', `"a-b_c.d!e~f*g'h(i)j+k"`, `"${'9'.repeat(64)}"`]) {
      assert.deepEqual(summary(findingsOf(ext(value))), [], value);
    }
  });

  it('validate prints file:line:column with the rule code, exit 1', () => {
    const dir = tempDir();
    const file = join(dir, 'inventory.yaml');
    const text = ext('"1@127.0.0.9"');
    writeFileSync(file, text);
    const r = runCli(['validate', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stdout.includes(`${file}:${positionOf(text, '"1@127.0.0.9"')}  error    SIPBC-E-SIP-USER  places[1].extensions.east contains "@"`), r.stdout);
  });
});

describe('invisible format characters anywhere (SIPBC-E-INVISIBLE-CHAR)', () => {
  const chars: [string, string][] = [
    ['\\u202E', 'a bidirectional control'],
    ['\\u202A', 'a bidirectional control'],
    ['\\u2066', 'a bidirectional control'],
    ['\\u2067', 'a bidirectional control'],
    ['\\u2068', 'a bidirectional control'],
    ['\\u2069', 'a bidirectional control'],
    ['\\u200F', 'a bidirectional control'],
    ['\\u200B', 'shown as nothing'],
    ['\\u200D', 'shown as nothing'],
    ['\\u00AD', 'shown as nothing'],
    ['\\uFEFF', 'shown as nothing'],
    ['\\U000E0041', 'shown as nothing'],
  ];
  for (const [escaped, kind] of chars) {
    it(`${escaped} in a free-text value (site name), at its line:column`, () => {
      const text = mutate(BASE_INVENTORY, ['  - id: west\n', `  - id: west\n    name: "Den${escaped}ver"\n`]);
      const findings = findingsOf(text);
      const f = assertFindingAt(findings, 'SIPBC-E-INVISIBLE-CHAR', text, `"Den${escaped}ver"`);
      const hex = escaped.length === 10 ? 'E0041' : escaped.slice(2);
      assert.equal(
        f.message,
        `sites[1].name contains the character U+${hex}, an invisible format character (${kind === 'a bidirectional control' ? 'a bidirectional control that reorders how the text is shown' : 'shown as nothing'}), so the text is not what it reads; remove it.`,
      );
      assert.equal(findings.length, 1, summary(findings).join(' '));
    });
  }

  it('in an extension (both rules), a place id, an agent user, a MAC and a key', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['{ id: P2, extensions: { east: "1002", west: "1002" } }', '{ id: P2, extensions: { east: "10\\u202E02", west: "1002" } }'],
      ['user: u1,', 'user: "u\\u200B1",'],
      ['capacity: 10', '"capa\\u2066city": 10'],
    );
    const findings = findingsOf(text);
    assertFindingAt(findings, 'SIPBC-E-SIP-USER', text, '"10\\u202E02"');
    assertFindingAt(findings, 'SIPBC-E-INVISIBLE-CHAR', text, '"10\\u202E02"');
    assertFindingAt(findings, 'SIPBC-E-INVISIBLE-CHAR', text, '"u\\u200B1"');
    const key = assertFindingAt(findings, 'SIPBC-E-INVISIBLE-CHAR', text, '"capa\\u2066city"');
    assert.equal(key.message.startsWith('the key of sites[0].capa<U+2066>city contains the character U+2066'), true, key.message);
    assert.ok(!key.message.includes('\u2066'), 'the message itself holds no bidi control');
    assertFindingAt(findings, 'SIPBC-E-UNKNOWN-KEY', text, '"capa\\u2066city"');
  });

  it('no message prints a control or format character as it is (terminal escapes, bidi reordering)', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['model: poly-vvx450', 'model: "x\\e]0;owned\\a\\u202Ey"'],
      ['{ login: "7001", user: u1, place: P1,', '{ login: "7001", user: u1, place: "P\\u20661",'],
    );
    const findings = findingsOf(text);
    for (const f of findings) assert.ok(!/[\u0000-\u001f\u007f-\u009f\p{Cf}]/u.test(f.message), JSON.stringify(f.message));
    const model = assertFindingAt(findings, 'SIPBC-E-UNKNOWN-MODEL', text, '"x\\e]0');
    assert.match(model.message, /^unknown phone model "x<U\+001B>\]0;owned<U\+0007><U\+202E>y"/);
    const place = assertFindingAt(findings, 'SIPBC-E-UNKNOWN-PLACE', text, '"P\\u20661"');
    assert.ok(place.message.includes('P<U+2066>1'), place.message);
  });

  it('in a literal password: reported without the password', () => {
    const text = mutate(BASE_INVENTORY, [
      'model: poly-vvx450, place: P2, auth: none }',
      'model: poly-vvx450, place: P2, auth: { password: "s3cr\\u202Eet" } }',
    ]);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-INVISIBLE-CHAR', text, '"s3cr\\u202Eet"');
    for (const x of findings) assert.ok(!x.message.includes('s3cr') && !x.message.includes('et"'), x.message);
    assert.match(f.message, /^phones\[1\]\.auth\.password contains the character U\+202E/);
  });
});
