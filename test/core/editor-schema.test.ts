/** The editor schema shipped in schemas/ is what the catalogue and the inventory schema make today. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { EDITOR_SCHEMA_ID, EDITOR_SCHEMA_NAME, editorSchemaText } from '../../src/core/editor-schema.js';
import { loadInventory, parseInventory } from '../../src/core/load.js';
import { validateInventory } from '../../src/core/validate/index.js';
import { repoPath } from '../support/cli.js';

const shipped = () => readFileSync(repoPath('schemas', EDITOR_SCHEMA_NAME), 'utf8');
const generated = () => editorSchemaText(readFileSync(repoPath('schemas', 'inventory.schema.json'), 'utf8'), loadCatalogue());

describe('editor schema (schemas/sipbc-inventory.schema.json)', () => {
  it('is generated from templates/catalogue.json and schemas/inventory.schema.json (else: npm run schemas)', () => {
    assert.equal(shipped(), generated(), `schemas/${EDITOR_SCHEMA_NAME} is stale: run npm run schemas and commit it`);
  });

  it('lists every catalogue model id, sorted, each described with its vendor, name and family', () => {
    const schema = JSON.parse(shipped());
    const model = schema.definitions.phone.properties.model;
    const catalogue = JSON.parse(readFileSync(repoPath('templates', 'catalogue.json'), 'utf8'));
    assert.deepEqual(model.enum, Object.keys(catalogue.models).sort());
    assert.equal(model.enumDescriptions.length, model.enum.length);
    assert.equal(model.enumDescriptions[model.enum.indexOf('yealink-t54w')], 'Yealink T54W (family yealink: dual or active-backup; udp, tcp, tls)');
    assert.match(model.description, /Families: alcatel, audiocodes, baresip, cisco, grandstream, poly, snom, yealink\./);
    assert.equal(schema.$id, EDITOR_SCHEMA_ID);
  });

  it('a --templates catalogue adds its models; the rest of the schema is the inventory schema', () => {
    const cat = loadCatalogue();
    const withMine = { families: cat.families, models: { ...cat.models, 'yealink-t58x': { id: 'yealink-t58x', family: 'yealink', name: 'T58X' } } };
    const schema = JSON.parse(editorSchemaText(readFileSync(repoPath('schemas', 'inventory.schema.json'), 'utf8'), withMine));
    assert.ok(schema.definitions.phone.properties.model.enum.includes('yealink-t58x'));
    const base = JSON.parse(readFileSync(repoPath('schemas', 'inventory.schema.json'), 'utf8'));
    const strip = (s: Record<string, unknown>) => {
      const c = structuredClone(s) as { $id?: string; $comment?: string; definitions: { phone: { properties: { model: unknown } } } };
      delete c.$id;
      delete c.$comment;
      c.definitions.phone.properties.model = null;
      return c;
    };
    assert.deepEqual(strip(schema), strip(base));
  });

  it('validates the example inventory (ajv, editor keywords allowed)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(shipped()));
    const loaded = loadInventory(repoPath('examples', 'inventory.yaml'));
    assert.ok(validate(loaded.data), JSON.stringify(validate.errors));
  });

  it('sipbc validate keeps its own finding for an unknown model: a did-you-mean, not an enum error', () => {
    const text = readFileSync(repoPath('examples', 'inventory.yaml'), 'utf8').replace('model: yealink-t54w', 'model: yealink-t54');
    const loaded = parseInventory(text, repoPath('examples', 'inventory.yaml'), repoPath('examples'));
    const { findings } = validateInventory(loaded, loadCatalogue());
    const model = findings.filter((f) => /model/i.test(f.message));
    assert.equal(model.length, 1, JSON.stringify(findings));
    assert.equal(model[0].code, 'SIPBC-E-UNKNOWN-MODEL');
    assert.match(model[0].message, /yealink-t54w/);
  });
});
