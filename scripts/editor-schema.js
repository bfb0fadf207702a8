#!/usr/bin/env node
// `npm run schemas`: writes schemas/sipbc-inventory.schema.json, the editor schema, from
// schemas/inventory.schema.json and templates/catalogue.json (src/core/editor-schema.ts, compiled by
// tsc). The file is checked in so that it is in the repository and the package as it is;
// test/core/editor-schema.test.ts fails when it no longer matches the catalogue or the schema.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { editorSchemaText, EDITOR_SCHEMA_NAME } = await import(join(root, 'dist', 'src', 'core', 'editor-schema.js'));
const { loadCatalogue } = await import(join(root, 'dist', 'src', 'core', 'catalogue.js'));
const text = editorSchemaText(readFileSync(join(root, 'schemas', 'inventory.schema.json'), 'utf8'), loadCatalogue());
const out = join(root, 'schemas', EDITOR_SCHEMA_NAME);
writeFileSync(`${out}.tmp`, text);
renameSync(`${out}.tmp`, out);
process.stdout.write(`schemas/${EDITOR_SCHEMA_NAME}: ${Object.keys(loadCatalogue().models).length} model ids\n`);
