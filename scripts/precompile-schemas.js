#!/usr/bin/env node
// Build step (npm run build, after tsc): ajv "standalone" code for each shipped schema, written
// as dist/src/core/validate/<schema>.validator.cjs with the sha256 of the schema it came from.
// src/core/validate/schema.ts uses it only when that hash matches the schema file, so a stale
// or missing file just means the schema is compiled at run time, as without this step.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'src', 'core', 'validate');
const { AJV_OPTIONS } = await import(join(outDir, 'schema.js'));
const standaloneCode = standalone.default ?? standalone;

for (const name of ['inventory.schema.json', 'catalogue.schema.json']) {
  const text = readFileSync(join(root, 'schemas', name), 'utf8');
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { ...(AJV_OPTIONS.code ?? {}), source: true } });
  const validate = ajv.compile(JSON.parse(text));
  const sha256 = createHash('sha256').update(text).digest('hex');
  const code = `${standaloneCode(ajv, validate)}\nmodule.exports = { validate: module.exports, sha256: ${JSON.stringify(sha256)} };\n`;
  writeFileSync(join(outDir, `${basename(name, '.json')}.validator.cjs`), code);
}
