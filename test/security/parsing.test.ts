/**
 * Hostile and broken inventory text (issue 6, "Parsing"): alias bombs, deep nesting, prototype keys,
 * duplicate keys, BOMs, CRLF, a 30 MB garbage file, empty input, JSON with trailing garbage,
 * binary input. Each must end in a clean error — one line with file:line:column, the documented exit
 * code (1 invalid, a YAML/JSON syntax error included as the finding SIPBC-E-SYNTAX; 2 unreadable,
 * not text, or refused), no stack trace — in bounded time and memory, and must never pollute
 * Object.prototype.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import yaml from 'js-yaml';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { SipbcError } from '../../src/core/errors.js';
import { InventorySyntaxError, parseInventory } from '../../src/core/load.js';
import { validateInventory } from '../../src/core/validate/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { cleanupTempDirs, clone, hasStackTrace, planText, securityInventory, tempDir } from '../support/security.js';

after(cleanupTempDirs);

/** Memory cap for the CLI child: a parser that expands a bomb dies (exit 134) instead of passing. */
const CAPPED = { NODE_OPTIONS: '--max-old-space-size=384' };

function cli(args: string[], input?: string | Buffer): CliResult & { ms: number } {
  const t0 = Date.now();
  const r = runCli(args, { input, env: CAPPED, timeout: 60_000 });
  return { ...r, ms: Date.now() - t0 };
}

/** The error is one `sipbc: FILE:LINE:COL: …` line (plus at most a hint line), with no stack trace. */
function assertCleanError(r: CliResult, code: number, file: string, where?: string): void {
  assert.equal(r.code, code, `exit ${r.code}, stderr:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), `stack trace printed:\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length <= 2, `expected one error line (+ hint), got:\n${r.stderr}`);
  const re = new RegExp(`^sipbc: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+): `);
  const m = re.exec(lines[0]);
  assert.ok(m, `first line should start with "sipbc: ${file}:LINE:COL: ", got: ${lines[0]}`);
  if (where) assert.equal(`${m[1]}:${m[2]}`, where, lines[0]);
  if (lines[1] !== undefined) assert.match(lines[1], /^ {2}hint: /);
  assert.ok(lines[0].length < 400, `error line is too long (${lines[0].length} characters)`);
}

/** validate's verdict on a file that is not YAML/JSON: the finding SIPBC-E-SYNTAX at LINE:COL on stdout, exit 1, nothing on stderr. */
function assertSyntaxFinding(r: CliResult, file: string, where?: string): string {
  assert.equal(r.code, 1, `exit ${r.code}, stderr:\n${r.stderr}`);
  assert.equal(r.stderr, '');
  assert.ok(!hasStackTrace(r.stdout), `stack trace printed:\n${r.stdout}`);
  const re = new RegExp(
    `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)  error    SIPBC-E-SYNTAX  cannot parse the inventory as (YAML|JSON): .*$`,
    'm',
  );
  const m = re.exec(r.stdout);
  assert.ok(m, `expected a SIPBC-E-SYNTAX finding for ${file}, got:\n${r.stdout.slice(0, 1000)}`);
  if (where) assert.equal(`${m[1]}:${m[2]}`, where, m[0]);
  assert.ok(m[0].length < 400, `finding line is too long (${m[0].length} characters)`);
  return m[0];
}

/** The core's verdict on a text: the SipbcError it throws (exit code + one-line message), or its findings. */
function core(text: string, file = 'inv.yaml'): SipbcError | ReturnType<typeof validateInventory> {
  try {
    return validateInventory(parseInventory(text, file), loadCatalogue());
  } catch (e) {
    if (e instanceof SipbcError) return e;
    throw e;
  }
}

function assertCoreError(text: string, code: number, file: string, where?: string): SipbcError {
  const r = core(text, file);
  assert.ok(r instanceof SipbcError, `expected a SipbcError, got ${JSON.stringify(r).slice(0, 300)}`);
  assert.equal(r.exitCode, code, r.message);
  const m = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+): `).exec(r.message);
  assert.ok(m, `message should start with "${file}:LINE:COL: ": ${r.message}`);
  if (where) assert.equal(`${m[1]}:${m[2]}`, where, r.message);
  assert.ok(!r.message.includes('\n'), `message is not one line: ${r.message}`);
  return r;
}

function writeTemp(name: string, data: string | Buffer, dir = tempDir()): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'x', 'isAdmin', 'hacked']) assert.equal(probe[k], undefined, `Object.prototype.${k} was set`);
  assert.equal(Object.getOwnPropertyNames(Object.prototype).includes('polluted'), false);
}

/** Billion laughs: 10 levels of 9-fold aliases = 9^10 (3.4 billion) leaves from 11 short lines. */
function aliasBomb(levels = 10): string {
  const lines = ['version: 1', 'dns: { zone: contoso.example }', 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  lines.push(`sites: *l${levels - 1}`);
  return lines.join('\n') + '\n';
}

describe('parsing: YAML alias bombs', () => {
  it('the core refuses a billion-laughs document in well under a second of work (exit 2, location of the aliases)', () => {
    const text = aliasBomb();
    const t0 = Date.now();
    let err: unknown;
    try {
      const loaded = parseInventory(text, 'bomb.yaml');
      validateInventory(loaded, loadCatalogue());
    } catch (e) {
      err = e;
    }
    const ms = Date.now() - t0;
    assert.ok(err instanceof SipbcError, `expected a SipbcError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /^bomb\.yaml:4:\d+: /);
    assert.match(err.message, /alias/i);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('validate and generate exit 2 with one clean line, in bounded time and memory', () => {
    const file = writeTemp('bomb.yaml', aliasBomb());
    for (const args of [
      ['validate', file],
      ['generate', file, '-o', join(tempDir(), 'out')],
    ]) {
      const r = cli(args);
      assertCleanError(r, 2, file);
      assert.match(r.stderr, /alias/i);
      assert.ok(r.ms < 15_000, `${args[0]} took ${r.ms} ms`);
    }
  });

  it('a legitimate anchor shared by many phones is still accepted', () => {
    const inv = securityInventory({ phonesPerFamily: 50 });
    const phones = inv.phones.map((p: Record<string, unknown>, i: number) => {
      const { auth: _auth, ...rest } = p;
      return i === 0 ? { ...rest, auth: '&auth AUTH' } : { ...rest, auth: '*auth' };
    });
    // YAML dump, then turn the marker strings into a real anchor and aliases.
    const text = yaml
      .dump({ ...inv, phones }, { lineWidth: -1 })
      .replace("auth: '&auth AUTH'", 'auth: &auth { password: { env: SIP_PW } }')
      .replace(/auth: '\*auth'/g, 'auth: *auth');
    assert.ok(text.includes('*auth'));
    const r = planText(text, { SIP_PW: 'pw' }, { file: 'anchors.yaml' });
    assert.deepEqual(
      r.findings.filter((f) => f.severity === 'error'),
      [],
    );
    assert.ok(r.files.length > 400);
  });
});

describe('parsing: deep nesting', () => {
  it('100 000 nested flow sequences: the finding SIPBC-E-SYNTAX (exit 1) with a location, no stack overflow trace', () => {
    const file = writeTemp('deep.yaml', `version: 1\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    const r = cli(['validate', file]);
    assert.match(assertSyntaxFinding(r, file), /:2:\d+ /);
    assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  });

  it('5 000 nested block mappings: exit 1 (a syntax finding) with a location', () => {
    let text = 'version: 1\n';
    for (let i = 0; i < 5000; i++) text += `${' '.repeat(i)}k${i}:\n`;
    text += `${' '.repeat(5000)}v\n`;
    assertCoreError(text, 1, 'deep-block.yaml');
  });

  it('in the core too: a SipbcError (exit 1, a syntax finding), not a RangeError', () => {
    assert.throws(
      () => parseInventory(`${'['.repeat(50_000)}${']'.repeat(50_000)}`, 'deep.json'),
      (e: unknown) => e instanceof InventorySyntaxError && e.exitCode === 1 && /^deep\.json:1:\d+: /.test(e.message) && e.finding.code === 'SIPBC-E-SYNTAX',
    );
  });
});

describe('parsing: __proto__, constructor and prototype keys', () => {
  const base = securityInventory();

  it('JSON: refused with SIPBC-E-PROTO-KEY at the exact key, and Object.prototype stays clean (through generate)', () => {
    const text = JSON.stringify(base).replace('"version":1,', '"version":1,"__proto__":{"polluted":"yes","isAdmin":true},');
    const loaded = parseInventory(text, 'proto.json');
    assertNoPollution();
    const { findings } = validateInventory(loaded, loadCatalogue());
    const f = findings.find((x) => x.code === 'SIPBC-E-PROTO-KEY');
    assert.ok(f, JSON.stringify(findings));
    assert.equal(`${f.line}:${f.column}`, `1:${text.indexOf('"__proto__"') + 1}`);
    const r = planText(text, { SIP_PW: 'pw' }, { file: 'proto.json' });
    assert.deepEqual(r.files, [], 'generate wrote files for an inventory with a __proto__ key');
    assertNoPollution();
  });

  it('YAML: __proto__ inside a free-form map (extensions), constructor.prototype nesting, and a polluting alias', () => {
    const inv = clone(base);
    const text = yaml
      .dump(inv, { lineWidth: -1 })
      .replace('version: 1\n', 'version: 1\nx-anchor: &evil { polluted: yes }\n')
      .replace(/extensions:\n(\s+)east:/, (_m, ind: string) => `extensions:\n${ind}__proto__: *evil\n${ind}east:`)
      .replace('genesys:\n', 'genesys:\n  constructor: { prototype: { hacked: true } }\n');
    const loaded = parseInventory(text, 'proto.yaml');
    const { findings } = validateInventory(loaded, loadCatalogue());
    assertNoPollution();
    const proto = findings.filter((x) => x.code === 'SIPBC-E-PROTO-KEY').map((x) => `${x.line}:${x.column}`);
    const lines = text.split('\n');
    const at = (needle: string) => {
      const i = lines.findIndex((l) => l.includes(needle));
      return `${i + 1}:${lines[i].indexOf(needle) + 1}`;
    };
    assert.ok(proto.includes(at('__proto__:')), `findings at ${proto.join(', ')}; expected ${at('__proto__:')}`);
    assert.ok(proto.includes(at('constructor:')), `findings at ${proto.join(', ')}; expected ${at('constructor:')}`);
    const file = writeTemp('proto.yaml', text);
    const r = cli(['validate', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /SIPBC-E-PROTO-KEY/);
    assert.ok(!hasStackTrace(r.stdout + r.stderr));
    planText(text, { SIP_PW: 'pw' }, { file: 'proto.yaml' });
    assertNoPollution();
  });
});

describe('parsing: duplicate keys, BOM, CRLF, multiple documents', () => {
  const good = yaml.dump(securityInventory(), { lineWidth: -1 });

  it('a duplicate key is a syntax finding at the second key (exit 1)', () => {
    const text = good.replace('  ttl: 300\n', '  ttl: 300\n  ttl: 600\n');
    const file = writeTemp('dup.yaml', text);
    const line = text.split('\n').indexOf('  ttl: 600') + 1;
    const r = cli(['validate', file]);
    assert.match(assertSyntaxFinding(r, file, `${line}:3`), /duplicat/i);
  });

  it('JSON duplicate keys too', () => {
    const text = JSON.stringify(securityInventory()).replace('"version":1,', '"version":1,"version":1,');
    const e = assertCoreError(text, 1, 'dup.json', `1:${text.indexOf('"version"', 5) + 1}`);
    assert.match(e.message, /as JSON: the same key twice in one object/);
  });

  it('a UTF-8 BOM is ignored, and findings keep their columns', () => {
    const clean = core('\ufeff' + good);
    assert.ok(!(clean instanceof SipbcError));
    assert.deepEqual(clean.findings, []);
    const bad = good.replace('model: cisco-8851', 'model: cisco-885');
    const plain = core(bad);
    const withBom = core('\ufeff' + bad);
    assert.ok(!(plain instanceof SipbcError) && !(withBom instanceof SipbcError));
    assert.equal(plain.findings.length, 1);
    assert.deepEqual(withBom.findings, plain.findings);
  });

  it('CRLF line endings: same findings at the same line:column, and byte-identical LF outputs', () => {
    const bad = good.replace('model: cisco-8851', 'model: cisco-885');
    const dir = tempDir();
    const lf = cli(['validate', writeTemp('inv.yaml', bad, dir)]);
    const crlf = cli(['validate', writeTemp('inv.yaml', bad.replace(/\n/g, '\r\n'), dir)]);
    assert.equal(crlf.code, 1);
    assert.match(crlf.stdout, /SIPBC-E-UNKNOWN-MODEL/);
    assert.equal(crlf.stdout, lf.stdout);
    const a = planText(good, undefined, { file: 'inv.yaml' });
    const b = planText(good.replace(/\n/g, '\r\n'), undefined, { file: 'inv.yaml' });
    assert.ok(a.files.length > 0);
    assert.deepEqual(b.files, a.files);
    for (const f of b.files) assert.ok(!f.contents.includes('\r'), `${f.path} has a CR`);
  });

  it('two YAML documents in one file: exit 1 (a syntax finding) with a location', () => {
    assertCoreError(`${good}---\n${good}`, 1, 'two.yaml');
  });
});

describe('parsing: empty, garbage, trailing garbage, binary', () => {
  it('empty file, blank file, comment-only file and empty stdin: exit 2, "empty"', () => {
    for (const [name, text] of [
      ['empty.yaml', ''],
      ['blank.yaml', '\n\n   \n'],
      ['comment.yaml', '# nothing here\n'],
      ['bom.yaml', '\ufeff'],
    ] as const) {
      const r = core(text, name);
      assert.ok(r instanceof SipbcError && r.exitCode === 2, `${name}: ${String(r)}`);
      assert.match(r.message, /empty/);
    }
    const r = cli(['validate', writeTemp('empty.yaml', '')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /empty/);
    assert.ok(!hasStackTrace(r.stderr));
    assert.ok(r.stderr.trimEnd().split('\n').length <= 2, r.stderr);
    const g = cli(['generate', '-', '-o', join(tempDir(), 'out')], '');
    assert.equal(g.code, 2, g.stderr);
    assert.ok(!hasStackTrace(g.stderr));
  });

  it('a scalar or a list instead of a mapping: exit 2', () => {
    for (const text of ['42\n', '"just a string"\n', '- a\n- b\n', 'null\n', '~\n']) {
      const r = core(text, 'scalar.yaml');
      assert.ok(r instanceof SipbcError && r.exitCode === 2, `${JSON.stringify(text)}: ${String(r)}`);
      assert.match(r.message, /^scalar\.yaml: not an inventory/);
    }
  });

  it('JSON with trailing garbage: a syntax finding (exit 1) at the garbage', () => {
    const json = JSON.stringify(securityInventory());
    const file = writeTemp('trail.json', `${json} garbage`);
    assertSyntaxFinding(cli(['validate', file]), file, `1:${json.length + 2}`);
    assertCoreError(`${json}\n}`, 1, 'trail2.json', '2:1');
  });

  it('binary input (NUL bytes, a gzip header) and invalid UTF-8: exit 2, "not a text file", with a location', () => {
    const gz = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]), randomBytes(4096)]);
    const file = writeTemp('inv.yaml.gz', gz);
    const r = cli(['validate', file]);
    assertCleanError(r, 2, file);
    assert.match(r.stderr, /not a text file/);
    const r2 = cli(['generate', '-', '-o', join(tempDir(), 'out')], Buffer.from('version: 1\n\u0000\u0001\u0002'));
    assertCleanError(r2, 2, '<stdin>', '2:1');
    const noNul = Buffer.from([0xff, 0xfe, 0xfd, 0x0a, 0xc3, 0x28, 0x0a, 0x80, 0x81]);
    const r3 = cli(['validate', writeTemp('latin.yaml', noNul)]);
    assert.equal(r3.code, 2, r3.stderr);
    assert.ok(!hasStackTrace(r3.stderr));
  });

  it('a 30 MB garbage file: a syntax finding (exit 1) with a location, bounded time and memory', () => {
    // Printable noise made of YAML's own punctuation, so the parser has to work on it.
    const alphabet = 'abc:{}[]-?*&!|>\'"%@`,#  \n\t';
    const bytes = randomBytes(30 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = alphabet.charCodeAt(bytes[i] % alphabet.length);
    const file = writeTemp('garbage.yaml', bytes);
    const r = cli(['validate', file]);
    assertSyntaxFinding(r, file);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
  });

  it('a missing file and a directory: exit 2, one line', () => {
    const missing = join(tempDir(), 'nope.yaml');
    let r = cli(['validate', missing]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^sipbc: .*nope\.yaml: no such file/);
    r = cli(['generate', tempDir(), '-o', join(tempDir(), 'out')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a directory/);
    assert.ok(!hasStackTrace(r.stderr));
  });
});
