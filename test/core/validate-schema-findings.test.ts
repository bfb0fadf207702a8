/** The schema layer: each ajv error becomes one finding with a stable code at the exact node. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFindingAt, BASE_INVENTORY, findingsOf, mutate, positionOf, summary } from '../support/inventory-text.js';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { parseInventory } from '../../src/core/load.js';
import { validateInventory } from '../../src/core/validate/index.js';

describe('schema findings', () => {
  it('SIPBC-E-UNKNOWN-KEY points at the key and suggests the allowed key', () => {
    const text = mutate(BASE_INVENTORY, ['place: P1, auth: none }\n  - { mac', 'place: P1, prefferedSite: east, auth: none }\n  - { mac']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-UNKNOWN-KEY', text, 'prefferedSite');
    assert.equal(f.suggestion, 'preferredSite');
    assert.match(f.message, /unknown key "prefferedSite" in phones\[0\]\. Did you mean "preferredSite"\?/);
    assert.deepEqual(summary(findings), ['SIPBC-E-UNKNOWN-KEY@19:65']);
  });

  it('SIPBC-E-UNKNOWN-KEY at the top level and in a block mapping', () => {
    const text = mutate(BASE_INVENTORY, ['version: 1\n', 'version: 1\ndefault:\n  transport: tcp\n']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-UNKNOWN-KEY', text, 'default:');
    assert.equal(f.suggestion, 'defaults');
  });

  it('SIPBC-E-MISSING-KEY points at the object that lacks the key and names it', () => {
    const text = mutate(BASE_INVENTORY, ['model: yealink-t54w, ', '']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-MISSING-KEY', text, '{ mac: "00:15:65:00:00:01"');
    assert.match(f.message, /phones\[0\] is missing the required key "model"/);
    assert.deepEqual(summary(findings), ['SIPBC-E-MISSING-KEY@19:5']);
  });

  it('SIPBC-E-QUOTE-VALUE: an unquoted MAC that lost its leading zeros', () => {
    const text = mutate(BASE_INVENTORY, ['mac: "00:15:65:00:00:01"', 'mac: 001565000001']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-QUOTE-VALUE', text, '001565000001');
    assert.match(f.message, /YAML reads 001565000001 as the number 1565000001: quote this value, e.g\. mac: "001565000001"/);
    assert.deepEqual(summary(findings), ['SIPBC-E-QUOTE-VALUE@19:12']);
  });

  it('SIPBC-E-QUOTE-VALUE: model: 4028 gets one hint, the model id it probably means (quoting it would not help)', () => {
    const text = mutate(BASE_INVENTORY, ['model: poly-vvx450', 'model: 4028']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-QUOTE-VALUE', text, '4028');
    assert.equal(f.suggestion, 'alcatel-4028');
    assert.equal(
      f.message,
      'phones[1].model must be a model id (a string), but YAML reads 4028 as a number, and no model is called "4028": did you mean model: alcatel-4028?',
    );
    assert.doesNotMatch(f.message, /quote/);
    assert.equal(findings.length, 1);
  });

  it('SIPBC-E-QUOTE-VALUE: a number that matches no model at all points at `sipbc models`', () => {
    const text = mutate(BASE_INVENTORY, ['model: poly-vvx450', 'model: 98765']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-QUOTE-VALUE', text, '98765');
    assert.equal(f.suggestion, undefined);
    assert.match(f.message, /no model is called "98765": write a model id from `sipbc models`/);
  });

  it('a JSON inventory is told in JSON words: "JSON reads", an object / an array, "key": value', () => {
    const data = parseInventory(
      mutate(
        BASE_INVENTORY,
        ['model: poly-vvx450', 'model: 4028'],
        ['capacity: 10', 'capacity: "10"'],
        ['dns: { zone: contoso.example }', 'dns: [contoso.example]'],
      ),
      'x.yaml',
    ).data;
    const text = JSON.stringify(data, null, 2);
    const findings = validateInventory(parseInventory(text, 'inv.json'), loadCatalogue()).findings;
    const messages = findings.map((f) => f.message).join('\n');
    assert.match(messages, /but JSON reads 4028 as a number, and no model is called "4028": did you mean "model": "alcatel-4028"\?/);
    assert.match(messages, /Remove the quotes: "capacity": 10\./);
    assert.match(messages, /dns must be an object, not an array\./);
    assert.doesNotMatch(messages, /YAML|a mapping|a list/);
  });

  it('SIPBC-E-QUOTE-VALUE: an Extension DN and an Agent Login written as numbers', () => {
    const text = mutate(BASE_INVENTORY, ['{ east: "1002"', '{ east: 1002'], ['login: "7002"', 'login: 7002']);
    const findings = findingsOf(text);
    assertFindingAt(findings, 'SIPBC-E-QUOTE-VALUE', text, '1002,');
    assertFindingAt(findings, 'SIPBC-E-QUOTE-VALUE', text, '7002,');
    assert.equal(findings.length, 2);
  });

  it('SIPBC-E-TYPE: a quoted number where a number is required says to remove the quotes', () => {
    const text = mutate(BASE_INVENTORY, ['capacity: 10', 'capacity: "10"']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-TYPE', text, '"10"');
    assert.match(f.message, /sites\[0\]\.capacity must be a whole number, not the string "10"\. Remove the quotes: capacity: 10\./);
  });

  it('SIPBC-E-TYPE: a list where a mapping is required', () => {
    const text = mutate(BASE_INVENTORY, ['dns: { zone: contoso.example }', 'dns: [contoso.example]']);
    const f = assertFindingAt(findingsOf(text), 'SIPBC-E-TYPE', text, '[contoso');
    assert.match(f.message, /dns must be a mapping, not a list/);
  });

  it('SIPBC-E-VALUE: an enum typo gets a suggestion; version must be 1', () => {
    const text = mutate(BASE_INVENTORY, ['model: poly-vvx450, place: P2', 'model: poly-vvx450, place: P2, registration: duel'], ['version: 1', 'version: 2']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-VALUE', text, 'duel');
    assert.equal(f.suggestion, 'dual');
    const v = assertFindingAt(findings, 'SIPBC-E-VALUE', text, '2\n');
    assert.match(v.message, /version must be 1/);
  });

  it('SIPBC-E-SITE-COUNT: one site, or three', () => {
    const one = mutate(BASE_INVENTORY, ['  - id: west\n    sipServer:\n      vip: { host: vip.west.contoso.example, address: 10.2.0.10 }\n', '']);
    const f = assertFindingAt(findingsOf(one), 'SIPBC-E-SITE-COUNT', one, '- id: east');
    assert.match(f.message, /sites has 1 entry; .* exactly two sites/);
    const three = mutate(BASE_INVENTORY, ['places:\n', '  - id: north\n    sipServer:\n      vip: { host: vip.north.contoso.example }\nplaces:\n']);
    assertFindingAt(findingsOf(three), 'SIPBC-E-SITE-COUNT', three, '- id: east');
  });

  it('SIPBC-E-SERVER-SHAPE: vip together with primary/backup, or a primary alone', () => {
    const both = mutate(BASE_INVENTORY, ['      vip: { host: vip.west', '      primary: { host: p.west.contoso.example }\n      vip: { host: vip.west']);
    const findings = findingsOf(both);
    const f = assertFindingAt(findings, 'SIPBC-E-SERVER-SHAPE', both, 'primary: { host: p.west');
    assert.match(f.message, /sites\[1\]\.sipServer has both vip and primary\/backup/);
    assert.deepEqual(summary(findings), [`SIPBC-E-SERVER-SHAPE@${f.line}:${f.column}`]);
    const alone = mutate(BASE_INVENTORY, ['      backup: { host: b.east.contoso.example, address: 10.1.0.12 }\n', '']);
    const g = assertFindingAt(findingsOf(alone), 'SIPBC-E-SERVER-SHAPE', alone, 'primary: { host: a.east');
    assert.match(g.message, /has a primary but no backup/);
  });

  it('SIPBC-E-PORT: 0 and 65536 are refused, 65535 is fine', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['address: 10.1.0.11 }', 'address: 10.1.0.11, port: 0 }'],
      ['address: 10.1.0.12 }', 'address: 10.1.0.12, port: 65536 }'],
    );
    const findings = findingsOf(text);
    assertFindingAt(findings, 'SIPBC-E-PORT', text, '0 }');
    assertFindingAt(findings, 'SIPBC-E-PORT', text, '65536');
    assert.equal(findings.filter((f) => f.code === 'SIPBC-E-PORT').length, 2);
    assert.deepEqual(findingsOf(mutate(BASE_INVENTORY, ['address: 10.1.0.11 }', 'address: 10.1.0.11, port: 65535 }'])), []);
  });

  it('SIPBC-E-PROTO-KEY: __proto__ and constructor keys anywhere, reported once each', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['place: P1, auth: none }\n  - { mac', 'place: P1, __proto__: { polluted: true }, auth: none }\n  - { mac'],
      ['{ east: "1002", west: "1002" }', '{ east: "1002", west: "1002", constructor: "1" }'],
    );
    const findings = findingsOf(text);
    assertFindingAt(findings, 'SIPBC-E-PROTO-KEY', text, '__proto__');
    assertFindingAt(findings, 'SIPBC-E-PROTO-KEY', text, 'constructor');
    assert.deepEqual(
      findings.map((f) => f.code),
      ['SIPBC-E-PROTO-KEY', 'SIPBC-E-PROTO-KEY'],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('reports every problem at once, sorted by line, column, code', () => {
    const text = mutate(
      BASE_INVENTORY,
      ['mac: "00:15:65:00:00:02"', 'mac: 001565000002'],
      ['version: 1', 'version: 3'],
      ['model: yealink-t54w', 'model: yealnk-t54w'],
    );
    const findings = findingsOf(text);
    assert.deepEqual(summary(findings), ['SIPBC-E-VALUE@1:10', 'SIPBC-E-UNKNOWN-MODEL@19:40', 'SIPBC-E-QUOTE-VALUE@20:12']);
    for (const f of findings) assert.equal(f.file, 'inventory.yaml');
  });

  it('SIPBC-E-NO-CREDENTIALS: a phone without auth (at the phone), an auth without password (at the auth); auth: none is accepted', () => {
    const text = mutate(BASE_INVENTORY, ['place: P1, auth: none }', 'place: P1 }'], ['place: P2, auth: none }', 'place: P2, auth: { user: "1002" } }']);
    const findings = findingsOf(text);
    assert.deepEqual(summary(findings), [
      `SIPBC-E-NO-CREDENTIALS@${positionOf(text, '{ mac: "00:15:65:00:00:01"')}`,
      `SIPBC-E-NO-CREDENTIALS@${positionOf(text, '{ user: "1002" }')}`,
    ]);
    const [noAuth, noPassword] = findings;
    assert.equal(noAuth.severity, 'error');
    assert.equal(
      noAuth.message,
      'phones[0] has no auth.password: it would be provisioned with an empty password. Add auth: { password: { env: SIP_PW_<ext> } } (or { file: secrets/<ext>.txt }), or write auth: none if this phone registers without credentials.',
    );
    assert.match(noPassword.message, /^phones\[1\] has no auth\.password: .* Add password: \{ env: SIP_PW_<ext> \}/);
    // The base inventory says auth: none on both phones: no finding.
    assert.deepEqual(findingsOf(BASE_INVENTORY), []);
  });

  it('auth: something other than none or a mapping: SIPBC-E-VALUE at it, without quoting what was written', () => {
    const text = mutate(BASE_INVENTORY, ['place: P1, auth: none }', 'place: P1, auth: hunter2 }']);
    const findings = findingsOf(text);
    const f = assertFindingAt(findings, 'SIPBC-E-VALUE', text, 'hunter2');
    assert.match(f.message, /^phones\[0\]\.auth must be none \(for a phone that registers without credentials\) or a mapping/);
    assert.ok(!JSON.stringify(findings).includes('hunter2'));
    assert.deepEqual(summary(findings), [`SIPBC-E-VALUE@${positionOf(text, 'hunter2')}`]);
  });

  it('SIPBC-E-QUOTE-VALUE under auth: the value described (line, length class), never quoted; the advice fits the key', () => {
    const text = mutate(BASE_INVENTORY, ['place: P1, auth: none }', 'place: P1, auth: { user: 1001, password: 8675309123 } }']);
    const findings = findingsOf(text);
    assert.deepEqual(summary(findings), [`SIPBC-E-QUOTE-VALUE@${positionOf(text, '1001,')}`, `SIPBC-E-QUOTE-VALUE@${positionOf(text, '8675309123')}`]);
    assert.equal(
      findings[0].message,
      'phones[0].auth.user must be a string, but YAML reads the value on line 19 (shorter than 8 characters) as a number: quote it (the value is not shown: it may be a password).',
    );
    assert.equal(
      findings[1].message,
      'phones[0].auth.password must be a string, but YAML reads the value on line 19 (8 to 15 characters long) as a number: quote it, or better move it out of the inventory: password: { env: SIP_PW_<ext> } or password: { file: secrets/<ext>.txt } (the value is not shown: it may be a password).',
    );
    assert.ok(!JSON.stringify(findings).includes('8675309123'));
  });
});
