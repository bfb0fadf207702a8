/**
 * Layer 1 of validation: the JSON Schema (schemas/inventory.schema.json),
 * compiled once (ajv 8, strict, allErrors). Each ajv error becomes a Finding
 * at the file:line:column of its node (`instancePath` → LoadedInventory.locate),
 * with a message a person can act on: unknown keys get a did-you-mean, a
 * number where a string is required says "quote this value".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { PACKAGE_ROOT, type Catalogue } from '../catalogue.js';
import { ExitCode, SipbcError } from '../errors.js';
import type { Finding } from '../findings.js';
import { looksLikeJson, type LoadedInventory } from '../load.js';
import { sha256 } from '../sha256.js';
import { isCredentialPath, lengthClass } from '../credential-text.js';
import { firstNonSipUserChar, nameChar, SIP_USER_CHARS, SIP_USER_MAX_LENGTH, SIP_USER_PATTERN } from '../sip-user.js';
import { formatPath, isObject, RuleContext } from './context.js';
import { didYouMean, didYouMeanText } from './did-you-mean.js';
import { PROTO_KEYS } from './rules/prototype-keys.js';

export const INVENTORY_SCHEMA_PATH = join(PACKAGE_ROOT, 'schemas', 'inventory.schema.json');
export const CATALOGUE_SCHEMA_PATH = join(PACKAGE_ROOT, 'schemas', 'catalogue.schema.json');

const compiled = new Map<string, ValidateFunction>();

// strictRequired off: the sipServer oneOf names keys inside `not`/`anyOf` branches.
export const AJV_OPTIONS: Options = { strict: true, strictRequired: false, allErrors: true, verbose: true, allowUnionTypes: true };

const requireHere = createRequire(import.meta.url);

function newAjv(path: string): Ajv {
  // ajv is loaded only when a schema has to be compiled here (start-up: see precompiledValidator).
  let ajv: typeof import('ajv');
  try {
    ajv = requireHere('ajv') as typeof import('ajv');
  } catch {
    // An installed sipbc has no ajv (its validators are built in): the schema file was edited after the build.
    throw new SipbcError(
      `${path}: differs from the schema this sipbc was built with, and ajv is not installed to compile it`,
      ExitCode.USAGE,
      'reinstall sipbc, or npm install ajv beside it',
    );
  }
  return new ajv.Ajv(AJV_OPTIONS);
}

/** The compiled validator for a shipped schema file (compiled on first use, then reused). */
export function schemaValidator(path: string = INVENTORY_SCHEMA_PATH): ValidateFunction {
  let v = compiled.get(path);
  if (!v) {
    const text = readFileSync(path, 'utf8');
    v = precompiledValidator(path, text) ?? newAjv(path).compile(JSON.parse(text));
    compiled.set(path, v);
  }
  return v;
}

/**
 * `npm run build` writes `<schema name>.validator.cjs` next to this module: ajv's standalone code for
 * the schema, compiled with AJV_OPTIONS (scripts/precompile-schemas.js). Measured: compiling the
 * inventory schema at run time was half the start-up of `sipbc validate`. Used only when it was
 * generated from these exact schema bytes; otherwise (a plain `tsc` build, an edited schema) the
 * schema is compiled here as before.
 */
function precompiledValidator(path: string, text: string): ValidateFunction | undefined {
  let mod: { sha256?: string; validate?: ValidateFunction };
  try {
    mod = requireHere(`./${basename(path, '.json')}.validator.cjs`) as typeof mod;
  } catch {
    return undefined;
  }
  return mod.sha256 === sha256(text) ? mod.validate : undefined;
}

/** Runs the inventory schema; returns findings (empty when the shape is valid). */
export function schemaFindings(loaded: LoadedInventory, catalogue: Catalogue, ctx = new RuleContext(loaded, catalogue)): Finding[] {
  const validate = schemaValidator();
  if (validate(loaded.data)) return [];
  const errors = validate.errors ?? [];
  const out: Finding[] = [];
  const raw = rawScalarReader(loaded.text);
  for (const e of errors) {
    // Branch errors of the sipServer oneOf are summarised by the oneOf error itself; an if/then/else
    // (auth: none or a mapping) is reported by the failing branch's own error.
    if (e.schemaPath.includes('/oneOf/') || e.keyword === 'if') continue;
    const path = toPath(loaded.data, e.instancePath);
    const f = mapError(e, path, ctx, catalogue, raw);
    if (f) out.push(f);
  }
  return out;
}

/** JSON pointer → path segments; indexes of arrays become numbers. */
export function toPath(data: unknown, pointer: string): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let here: unknown = data;
  for (const enc of pointer.slice(1).split('/')) {
    const seg = enc.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(here)) {
      const n = Number(seg);
      out.push(n);
      here = here[n];
    } else {
      out.push(seg);
      here = isObject(here) ? here[seg] : undefined;
    }
  }
  return out;
}

type Path = (string | number)[];

function propDescription(schema: unknown, key: string): string | undefined {
  if (!isObject(schema) || !isObject(schema.properties)) return undefined;
  const p = schema.properties[key];
  return isObject(p) && typeof p.description === 'string' ? p.description : undefined;
}

function mapError(e: ErrorObject, path: Path, ctx: RuleContext, catalogue: Catalogue, raw: (line: number, column: number) => string): Finding | undefined {
  const where = formatPath(path);
  const last = path[path.length - 1];
  // Under a phone's auth nothing the user wrote is quoted, not even a key: `password: {s3cret}` is a mapping whose key is the password.
  const secret = isCredentialPath(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      if (PROTO_KEYS.has(key)) return undefined; // reported by the prototype-keys rule
      const allowed = isObject(e.parentSchema) && isObject(e.parentSchema.properties) ? Object.keys(e.parentSchema.properties) : [];
      const suggestion = didYouMean(key, allowed);
      const list = allowed.filter((k) => k !== '$schema').join(', ');
      if (secret) {
        const f = ctx.finding(
          'SIPBC-E-UNKNOWN-KEY',
          [...path, key],
          `${where} has a key that is none of ${list} (the key is not shown: it may be the password).${didYouMeanText(suggestion)} Write password: { env: VARIABLE } or password: { file: path }.`,
          { key: true, suggestion },
        );
        f.path = [...path]; // located at the key, but the key stays out of --json
        return f;
      }
      return ctx.finding('SIPBC-E-UNKNOWN-KEY', [...path, key], `unknown key "${key}" in ${where}.${didYouMeanText(suggestion)} Allowed keys: ${list}.`, {
        key: true,
        suggestion,
      });
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      if ((key === 'auth' && path.length === 2 && path[0] === 'phones') || (key === 'password' && secret && path.length === 3)) {
        const phone = formatPath(path.slice(0, 2));
        return ctx.finding(
          'SIPBC-E-NO-CREDENTIALS',
          path,
          `${phone} has no auth.password: it would be provisioned with an empty password. Add ${key === 'auth' ? 'auth: { password: { env: SIP_PW_<ext> } }' : 'password: { env: SIP_PW_<ext> }'} (or { file: secrets/<ext>.txt }), or write auth: none if this phone registers without credentials.`,
        );
      }
      const desc = propDescription(e.parentSchema, key);
      return ctx.finding('SIPBC-E-MISSING-KEY', path, `${where} is missing the required key "${key}"${desc ? ` (${desc})` : ''}. Add it.`);
    }
    case 'type': {
      const want = String((e.params as { type: string | string[] }).type);
      const data = e.data;
      // A JSON inventory is told in JSON's words: "the JSON value 4028 is a number", "an object", "write "model": "…"".
      const json = looksLikeJson(ctx.loaded.file, ctx.loaded.text);
      const lang = json ? 'JSON' : 'YAML';
      const keyText = (k: string | number, v: string) => (typeof k === 'number' ? (json ? v : `- ${v}`) : json ? `"${k}": ${v}` : `${k}: ${v}`);
      if (want.split(',').includes('string') && (typeof data === 'number' || typeof data === 'boolean')) {
        const pos = ctx.loaded.locate(path);
        const text = raw(pos.line, pos.column) || String(data);
        if (secret) {
          const better =
            last === 'password' ? ', or better move it out of the inventory: password: { env: SIP_PW_<ext> } or password: { file: secrets/<ext>.txt }' : '';
          return ctx.finding(
            'SIPBC-E-QUOTE-VALUE',
            path,
            `${where} must be a string, but ${lang} reads the value on line ${pos.line} (${lengthClass(text.length)}) as a ${typeof data}: quote it${better} (the value is not shown: it may be a password).`,
          );
        }
        const read = typeof data === 'number' && text !== String(data) ? `the number ${String(data)}` : `a ${typeof data}`;
        // A model that is no model id even when quoted (model: 4028): one hint, the id it was probably meant to be.
        if (last === 'model' && !Object.hasOwn(catalogue.models, text)) {
          const suggestion = didYouMean(text, Object.keys(catalogue.models));
          const fix = suggestion
            ? `did you mean ${keyText(last, json ? `"${suggestion}"` : suggestion)}?`
            : 'write a model id from `sipbc models`, e.g. yealink-t54w';
          return ctx.finding(
            'SIPBC-E-QUOTE-VALUE',
            path,
            `${where} must be a model id (a string), but ${lang} reads ${text} as ${read}, and no model is called "${text}": ${fix}`,
            { suggestion },
          );
        }
        return ctx.finding(
          'SIPBC-E-QUOTE-VALUE',
          path,
          `${where} must be a string, but ${lang} reads ${text} as ${read}: quote this value, e.g. ${keyText(last, `"${text}"`)}.`,
        );
      }
      const [mapping, list] = json ? ['an object', 'an array'] : ['a mapping', 'a list'];
      const got =
        data === null
          ? 'nothing (an empty value)'
          : Array.isArray(data)
            ? list
            : typeof data === 'object'
              ? mapping
              : secret
                ? `a ${typeof data} (not shown)`
                : `the ${typeof data} ${JSON.stringify(data)}`;
      const wanted = want
        .split(',')
        .map((t) => ({ object: mapping, array: list, integer: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false' })[t] ?? t)
        .join(' or ');
      const fix =
        !secret && typeof data === 'string' && /^(integer|number)$/.test(want) && /^-?\d+(\.\d+)?$/.test(data)
          ? ` Remove the quotes: ${keyText(last, data)}.`
          : '';
      return ctx.finding('SIPBC-E-TYPE', path, `${where} must be ${wanted}, not ${got}.${fix}`);
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      if (secret) return ctx.finding('SIPBC-E-VALUE', path, `${where} must be one of: ${allowed.join(', ')} (the value is not shown: it may be a secret).`);
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined;
      return ctx.finding(
        'SIPBC-E-VALUE',
        path,
        `${where} is ${JSON.stringify(e.data)}; it must be one of: ${allowed.join(', ')}.${didYouMeanText(suggestion)}`,
        {
          suggestion,
        },
      );
    }
    case 'const':
      if (secret && last === 'auth' && path.length === 3) {
        return ctx.finding(
          'SIPBC-E-VALUE',
          path,
          `${where} must be none (for a phone that registers without credentials) or a mapping such as { password: { env: SIP_PW_<ext> } } (the text written is not shown: it may be a password).`,
        );
      }
      if (secret)
        return ctx.finding(
          'SIPBC-E-VALUE',
          path,
          `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)} (the value is not shown: it may be a secret).`,
        );
      return ctx.finding(
        'SIPBC-E-VALUE',
        path,
        `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)} (not ${JSON.stringify(e.data)}).`,
      );
    case 'minItems':
    case 'maxItems':
      if (last === 'sites') {
        const n = Array.isArray(e.data) ? e.data.length : 0;
        return ctx.finding('SIPBC-E-SITE-COUNT', path, `sites has ${n} entr${n === 1 ? 'y' : 'ies'}; a Business Continuity deployment has exactly two sites.`);
      }
      break;
    case 'minimum':
    case 'maximum':
      if (last === 'port') {
        return ctx.finding('SIPBC-E-PORT', path, `${where} is ${String(e.data)}; a port is between 1 and 65535 (default 5060, 5061 for tls).`);
      }
      break;
    case 'oneOf':
      if (last === 'sipServer') return ctx.finding('SIPBC-E-SERVER-SHAPE', path, serverShapeMessage(where, e.data));
      break;
    case 'pattern':
    case 'maxLength':
      if (isObject(e.parentSchema) && e.parentSchema.pattern === SIP_USER_PATTERN && typeof e.data === 'string') return sipUserFinding(e, path, where, ctx);
      break;
    case 'minProperties':
    case 'maxProperties':
      if (last === 'password') {
        return ctx.finding('SIPBC-E-VALUE', path, `${where} must be exactly one of { env: VARIABLE } or { file: path } (or a string).`);
      }
      break;
  }
  const desc = isObject(e.parentSchema) && typeof e.parentSchema.description === 'string' ? ` Expected: ${e.parentSchema.description}` : '';
  const got = secret ? '' : ` (got ${JSON.stringify(e.data)})`;
  return ctx.finding('SIPBC-E-VALUE', path, `${where} ${e.message ?? 'is not valid'}${got}.${desc}`);
}

/** An Extension DN, switch DN or auth.user the SIP user part or a target file cannot carry (never quoted: it may be 1 MB). */
function sipUserFinding(e: ErrorObject, path: Path, where: string, ctx: RuleContext): Finding {
  const value = e.data as string;
  const rule = `a SIP user (Extension DN, switch DN, auth.user) is 1-${SIP_USER_MAX_LENGTH} of: ${SIP_USER_CHARS} (RFC 3261 §25.1 user, without its separators; see README, Security).`;
  if (e.keyword === 'maxLength') return ctx.finding('SIPBC-E-SIP-USER', path, `${where} is ${value.length} characters long; ${rule}`);
  const bad = firstNonSipUserChar(value) ?? '?';
  const fix = bad === '@' ? " Write the user alone: the host comes from the site's SIP Server." : '';
  return ctx.finding('SIPBC-E-SIP-USER', path, `${where} contains ${nameChar(bad)}, which a SIP user cannot carry in the files sipbc writes; ${rule}${fix}`);
}

function serverShapeMessage(where: string, data: unknown): string {
  const has = (k: string) => isObject(data) && Object.hasOwn(data, k);
  if (has('vip') && (has('primary') || has('backup')))
    return `${where} has both vip and primary/backup: give either vip (a shared virtual IP) or primary + backup, not both.`;
  if (has('primary') && !has('backup')) return `${where} has a primary but no backup: add backup, or describe the pair by its vip alone.`;
  if (has('backup') && !has('primary')) return `${where} has a backup but no primary: add primary, or describe the pair by its vip alone.`;
  return `${where} needs either vip (the HA pair's virtual IP) or primary and backup.`;
}

/** The source text of a plain scalar at line:column (to quote back what the user wrote, e.g. 001122334455). */
function rawScalarReader(text: string): (line: number, column: number) => string {
  let lineStarts: number[] | undefined;
  return (line, column) => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    }
    const start = (lineStarts[line - 1] ?? 0) + column - 1;
    let end = start;
    while (end < text.length) {
      const c = text[end];
      if (c === '\n' || c === '\r' || c === ',' || c === '}' || c === ']' || (c === '#' && /\s/.test(text[end - 1] ?? ''))) break;
      end++;
    }
    return text.slice(start, end).trim();
  };
}
