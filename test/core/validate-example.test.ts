import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { ExitCode, SipbcError } from '../../src/core/errors.js';
import { loadInventory, parseInventory } from '../../src/core/load.js';
import { CATALOGUE_SCHEMA_PATH, INVENTORY_SCHEMA_PATH, RULE_CODES, schemaValidator, validateInventory } from '../../src/core/validate/index.js';
import { repoPath } from '../support/cli.js';
import { BASE_INVENTORY, findingsOf, validateText } from '../support/inventory-text.js';

describe('the bundled example and the base inventory', () => {
  it('examples/inventory.yaml validates with zero findings and returns the inventory', () => {
    const r = validateInventory(loadInventory(repoPath('examples', 'inventory.yaml')), loadCatalogue());
    assert.deepEqual(r.findings, []);
    assert.ok(r.inventory);
  });

  it('the example covers both sites, every family of the catalogue, both modes and an Alcatel phone', () => {
    const cat = loadCatalogue();
    const inv = validateInventory(loadInventory(repoPath('examples', 'inventory.yaml')), cat).inventory!;
    assert.equal(inv.sites.length, 2);
    assert.ok(inv.sites.some((s) => s.sipServer.vip) && inv.sites.some((s) => s.sipServer.primary && s.sipServer.backup));
    const families = new Set(inv.phones!.map((p) => cat.models[p.model].family));
    assert.deepEqual([...families].sort(), ['alcatel', 'audiocodes', 'baresip', 'cisco', 'grandstream', 'poly', 'snom', 'yealink']);
    for (const fam of families) {
      const modes = new Set(
        inv.phones!.filter((p) => cat.models[p.model].family === fam).map((p) => p.registration ?? inv.defaults?.registration ?? 'active-backup'),
      );
      const expected = cat.families[fam].dualRegistration ? ['active-backup', 'dual'] : ['active-backup'];
      assert.deepEqual([...modes].sort(), expected, fam);
    }
    assert.ok(inv.agents!.some((a) => a.preferredSite === 'auto'));
    assert.equal(inv.genesys?.statServerVersion, '8.1.2');
  });

  it('the base test inventory has zero findings', () => {
    assert.deepEqual(findingsOf(BASE_INVENTORY), []);
  });

  it('a JSON inventory validates like YAML', () => {
    const yaml = parseInventory(BASE_INVENTORY, 'a.yaml').data;
    assert.deepEqual(findingsOf(JSON.stringify(yaml, null, 2)), []);
  });

  it('returns the inventory when there are only warnings, and not when there is an error', () => {
    const warned = validateText(BASE_INVENTORY.replace('place: P1, auth: none }\n  - { mac', 'place: P1, auth: { password: pw } }\n  - { mac'));
    assert.equal(warned.findings.length, 1);
    assert.ok(warned.inventory);
    const broken = validateText(BASE_INVENTORY.replace('model: yealink-t54w', 'model: nope'));
    assert.equal(broken.inventory, undefined);
  });

  it('a document that is not a mapping is a usage error (exit 2), not findings', () => {
    for (const text of ['', '42', '- a\n- b\n', 'just some words']) {
      assert.throws(
        () => validateInventory(parseInventory(text, 'x.yaml'), loadCatalogue()),
        (e: unknown) => e instanceof SipbcError && e.exitCode === ExitCode.USAGE && e.message.startsWith('x.yaml: not an inventory'),
        JSON.stringify(text),
      );
    }
  });
});

describe('the JSON Schemas', () => {
  const schema = JSON.parse(readFileSync(INVENTORY_SCHEMA_PATH, 'utf8'));

  it('every property has a description and every object is closed (additionalProperties)', () => {
    const problems: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object' && !('additionalProperties' in n)) problems.push(`${where}: no additionalProperties`);
      if (n.properties && typeof n.properties === 'object') {
        for (const [k, v] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
          if (typeof v.description !== 'string' || v.description.length < 3) problems.push(`${where}.${k}: no description`);
        }
      }
      for (const [k, v] of Object.entries(n)) walk(v, `${where}/${k}`);
    };
    walk(schema, '#');
    assert.deepEqual(problems, []);
  });

  it('is compiled once', () => {
    assert.equal(schemaValidator(), schemaValidator());
  });

  it('is valid for any JSON Schema draft-07 validator (plain ajv, no sipbc options besides strictRequired)', () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    const v = ajv.compile(schema);
    assert.equal(v(parseInventory(readFileSync(repoPath('examples', 'inventory.yaml'), 'utf8'), 'x').data), true, JSON.stringify(v.errors));
  });

  it('templates/catalogue.json follows schemas/catalogue.schema.json', () => {
    const v = schemaValidator(CATALOGUE_SCHEMA_PATH);
    assert.equal(v(JSON.parse(readFileSync(repoPath('templates', 'catalogue.json'), 'utf8'))), true, JSON.stringify(v.errors));
  });

  it('every rule code follows SIPBC-<E|W>-<WHAT> and its letter matches its severity', () => {
    for (const [code, info] of Object.entries(RULE_CODES)) {
      assert.match(code, /^SIPBC-[EW]-[A-Z0-9-]+$/);
      assert.equal(code[6] === 'E' ? 'error' : 'warning', info.severity, code);
    }
  });
});
