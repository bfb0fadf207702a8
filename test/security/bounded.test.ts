/**
 * Validation that scales with hostile input (issue 18, item 7): linear time in the number of
 * unknown keys of one mapping, at most 100 findings of a rule and 1000 of a file listed (then one
 * "and N more" finding per rule), YAML aliases bounded to 10 times the document (+ 10 000 values),
 * and at most 256 MiB read from any input — a device such as /dev/urandom or an endless pipe ends
 * with a clean exit 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { SipbcError } from '../../src/core/errors.js';
import { countFindings, type Finding } from '../../src/core/findings.js';
import { MAX_INVENTORY_BYTES, parseInventory, readInventorySource } from '../../src/core/load.js';
import { capFindings, MAX_FINDINGS_PER_FILE, MAX_FINDINGS_PER_RULE, MAX_MESSAGE_LENGTH, validateInventory } from '../../src/core/validate/index.js';
import { BIN, runCli } from '../support/cli.js';
import { BASE_INVENTORY, positionOf } from '../support/inventory-text.js';
import { cleanupTempDirs, tempDir } from '../support/security.js';

after(cleanupTempDirs);

/** The environment for a shell pipeline running the CLI (not a node:test child). */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** BASE_INVENTORY with `n` unknown keys in the first phone's mapping (one block mapping). */
function unknownKeys(n: number): string {
  let extra = '';
  for (let i = 0; i < n; i++) extra += `    unknown${i}: x\n`;
  return BASE_INVENTORY.replace(
    '  - { mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, auth: none }\n',
    `  - mac: "00:15:65:00:00:01"\n    model: yealink-t54w\n    place: P1\n    auth: none\n${extra}`,
  );
}

function validateMs(text: string): { ms: number; findings: Finding[] } {
  const cat = loadCatalogue();
  let best = Infinity;
  let findings: Finding[] = [];
  for (let run = 0; run < 2; run++) {
    const t0 = process.hrtime.bigint();
    findings = validateInventory(parseInventory(text, 'keys.yaml'), cat).findings;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: best, findings };
}

describe('unknown keys in one mapping: linear time, capped list', () => {
  it('40 000 unknown keys cost about 4 times 10 000 (was 16 times: a scan of the mapping per finding)', () => {
    validateMs(unknownKeys(1000)); // warm-up
    const small = validateMs(unknownKeys(10_000));
    const large = validateMs(unknownKeys(40_000));
    assert.ok(large.ms < 8 * small.ms, `40 000 keys: ${large.ms.toFixed(0)} ms, 10 000 keys: ${small.ms.toFixed(0)} ms (quadratic would be 16x)`);
  });

  it('lists the first 100 unknown keys at their line:column, then one "and 39900 more" finding at the 101st', () => {
    const text = unknownKeys(40_000);
    const findings = validateInventory(parseInventory(text, 'keys.yaml'), loadCatalogue()).findings;
    assert.equal(findings.length, 101);
    for (let i = 0; i < 100; i++) {
      assert.equal(findings[i].code, 'SIPBC-E-UNKNOWN-KEY');
      assert.equal(`${findings[i].line}:${findings[i].column}`, positionOf(text, `unknown${i}:`));
    }
    const more = findings[100];
    assert.deepEqual(
      { code: more.code, severity: more.severity, at: `${more.line}:${more.column}`, more: more.more, message: more.message },
      {
        code: 'SIPBC-E-UNKNOWN-KEY',
        severity: 'error',
        at: positionOf(text, 'unknown100:'),
        more: 39_900,
        message:
          'and 39900 more SIPBC-E-UNKNOWN-KEY findings from here on, not listed (the first 100 of a rule are listed); fix those above and validate again.',
      },
    );
    assert.equal(countFindings(findings), 40_000);
  });

  it('validate prints 101 finding lines and counts all 40 000 errors (text and json), exit 1', () => {
    const file = join(tempDir(), 'keys.yaml');
    const text = unknownKeys(40_000);
    writeFileSync(file, text);
    const r = runCli(['validate', file]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith(`${file}:`)).length, 101);
    assert.ok(
      lines.includes(
        `${file}:${positionOf(text, 'unknown100:')}  error    SIPBC-E-UNKNOWN-KEY  and 39900 more SIPBC-E-UNKNOWN-KEY findings from here on, not listed (the first 100 of a rule are listed); fix those above and validate again.`,
      ),
      r.stdout.slice(-600),
    );
    assert.equal(lines[lines.length - 1], `✗ ${file}: 40000 errors, 0 warnings`);
    assert.ok(r.stdout.length < 64 * 1024, `${r.stdout.length} bytes of output`);
    const json = JSON.parse(runCli(['validate', file, '--format', 'json']).stdout) as Finding[];
    assert.equal(json.length, 101);
    assert.equal(json[100].more, 39_900);
  });
});

describe('capFindings: 100 per rule, 1000 per file', () => {
  const f = (code: string, line: number): Finding => ({
    code,
    severity: code.includes('-W-') ? 'warning' : 'error',
    message: `m${line}`,
    file: 'x.yaml',
    path: [],
    line,
    column: 1,
  });

  it('a list within the limits is returned as it is', () => {
    const list = Array.from({ length: 100 }, (_, i) => f('SIPBC-E-A', i + 1));
    assert.deepEqual(capFindings(list), list);
    const mixed = [...Array.from({ length: 100 }, (_, i) => f('SIPBC-E-A', i + 1)), ...Array.from({ length: 100 }, (_, i) => f('SIPBC-W-B', i + 101))];
    assert.deepEqual(capFindings(mixed), mixed);
  });

  it('per rule: the first 100 of each code, then one finding per code for the rest', () => {
    const list = [...Array.from({ length: 150 }, (_, i) => f('SIPBC-E-A', i + 1)), ...Array.from({ length: 120 }, (_, i) => f('SIPBC-W-B', i + 151))];
    const out = capFindings(list);
    assert.equal(out.length, 202);
    assert.deepEqual(out.slice(0, 200), [...list.slice(0, 100), ...list.slice(150, 250)]);
    assert.deepEqual(
      out.slice(200).map((x) => [x.code, x.severity, x.line, x.more]),
      [
        ['SIPBC-E-A', 'error', 101, 50],
        ['SIPBC-W-B', 'warning', 251, 20],
      ],
    );
    assert.equal(countFindings(out), 270);
  });

  it('per file: at most 1000 listed', () => {
    const list: Finding[] = [];
    for (let code = 0; code < 30; code++) for (let i = 0; i < 50; i++) list.push(f(`SIPBC-E-C${code}`, list.length + 1));
    const out = capFindings(list);
    assert.equal(MAX_FINDINGS_PER_RULE, 100);
    assert.equal(MAX_FINDINGS_PER_FILE, 1000);
    assert.equal(out.filter((x) => x.more === undefined).length, 1000);
    assert.deepEqual(
      out.filter((x) => x.more !== undefined).map((x) => [x.code, x.line, x.more]),
      Array.from({ length: 10 }, (_, k) => [`SIPBC-E-C${20 + k}`, 1001 + 50 * k, 50]),
    );
    assert.match(out[1000].message, /^and 50 more SIPBC-E-C20 findings from here on, not listed \(at most 1000 findings of a file are listed\)/);
    assert.equal(countFindings(out), 1500);
  });
});

describe('YAML aliases: at most 10 times the document', () => {
  it('50 KB of aliases of one phone with 20 unknown keys (was 140 000 findings, 23 MB of output): exit 2, one line', () => {
    let text = BASE_INVENTORY.replace(
      '  - { mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, auth: none }\n',
      `  - &p { mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, ${Array.from({ length: 20 }, (_, i) => `u${i}: 1`).join(', ')} }\n`,
    );
    text = text.replace('switchDNs:\n', `${'  - *p\n'.repeat(7000)}switchDNs:\n`);
    const file = join(tempDir(), 'aliases.yaml');
    writeFileSync(file, text);
    const t0 = Date.now();
    const r = runCli(['validate', file]);
    assert.equal(r.code, 2, r.stdout.slice(0, 500));
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^sipbc: .*aliases\.yaml:\d+:\d+: the YAML aliases \(\*name\) expand the document to 658,549 characters of text \(from 49,938\) \(an "alias bomb"\); refused/,
    );
    assert.ok(Date.now() - t0 < 15_000);
  });
});

describe('long values: aliases cannot repeat them, findings cut them', () => {
  it('a 1 MB string under an anchor, aliased as 3 000 values (ran validate out of memory at 4 GB): exit 2 at once', () => {
    let text = BASE_INVENTORY.replace('dns: { zone: contoso.example }\n', `dns: { zone: contoso.example }\nbig: &b "${'x'.repeat(1_000_000)}"\n`);
    text = text.replace('switchDNs:\n', `${'  - { mac: *b, model: *b, place: *b }\n'.repeat(1000)}switchDNs:\n`);
    const err = (() => {
      try {
        parseInventory(text, 'big.yaml');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof SipbcError && err.exitCode === 2, String(err));
    assert.match(
      err.message,
      /^big\.yaml:\d+:\d+: the YAML aliases \(\*name\) expand the document to 3,00\d,\d{3},\d{3} characters of text \(from 1,0\d\d,\d{3}\) \(an "alias bomb"\); refused$/,
    );
  });

  it('a short string aliased a few times is fine', () => {
    const text = BASE_INVENTORY.replace('{ id: P1,', '{ id: &p1 P1,')
      .replace('{ login: "7001", user: u1, place: P1,', '{ login: "7001", user: u1, place: *p1,')
      .replace('model: yealink-t54w, place: P1, auth: none }', 'model: yealink-t54w, place: *p1, auth: none }');
    assert.ok(text.includes('place: *p1, auth: none }'));
    assert.deepEqual(validateInventory(parseInventory(text, 'a.yaml'), loadCatalogue()).findings, []);
  });

  it('a finding quoting a 1 MB value is cut to 2000 characters, saying so', () => {
    const text = BASE_INVENTORY.replace('model: poly-vvx450', `model: "${'m'.repeat(1_000_000)}"`);
    const findings = validateInventory(parseInventory(text, 'long.yaml'), loadCatalogue()).findings;
    assert.deepEqual(
      findings.map((f) => f.code),
      ['SIPBC-E-UNKNOWN-MODEL'],
    );
    const m = /^unknown phone model "m{1000,}… \(cut: (\d+) characters\)$/.exec(findings[0].message);
    assert.ok(m, findings[0].message.slice(-100));
    assert.ok(Number(m[1]) > 1_000_000, m[1]);
    assert.equal(findings[0].message.length, MAX_MESSAGE_LENGTH + `… (cut: ${m[1]} characters)`.length);
  });
});

describe('input size: at most 256 MiB, devices and pipes included', () => {
  it('/dev/urandom and /dev/zero: not a text file, exit 2 at once (was 1 GB in 10 s)', () => {
    for (const dev of ['/dev/urandom', '/dev/zero']) {
      const t0 = Date.now();
      const r = runCli(['validate', dev], { timeout: 30_000 });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^sipbc: ${dev}:\\d+:\\d+: this is not a text file \\(it contains a NUL byte\\)`));
      assert.ok(Date.now() - t0 < 10_000, `${dev}: ${Date.now() - t0} ms`);
    }
  });

  it('a regular file over 256 MiB is refused before it is read', () => {
    const file = join(tempDir(), 'huge.yaml');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, MAX_INVENTORY_BYTES + 1); // sparse: no disk space used
    closeSync(fd);
    assert.throws(
      () => readInventorySource(file),
      (e: unknown) =>
        e instanceof SipbcError &&
        e.exitCode === 2 &&
        e.message === `${file}: larger than 256 MiB, the most sipbc reads as an inventory (100 000 phones take about 31 MB); refused`,
    );
    const r = runCli(['validate', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /larger than 256 MiB/);
  });

  it('an endless pipe on stdin: exit 2 after 256 MiB, with the limit in the message', () => {
    const r = spawnSync('sh', ['-c', `yes 'a: b' | "${process.execPath}" "${BIN}" validate -`], { encoding: 'utf8', timeout: 120_000, env: plainEnv() });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^sipbc: <stdin>: larger than 256 MiB, the most sipbc reads as an inventory/);
  });

  it('a pipe holding an inventory is read as before (process substitution, stdin)', () => {
    const r = spawnSync('sh', ['-c', `cat examples/inventory.yaml | "${process.execPath}" "${BIN}" validate -`], {
      encoding: 'utf8',
      env: plainEnv(),
      cwd: join(BIN, '..', '..'),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '✓ <stdin>: no problems found\n');
  });
});
