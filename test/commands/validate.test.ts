/** `sipbc validate` through the built CLI (node bin/run.js), as a user and a CI job run it. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { BASE_INVENTORY, mutate, positionOf } from '../support/inventory-text.js';

const EXAMPLE = 'examples/inventory.yaml';
let dir: string;
let broken: string; // one error (unknown model) and one warning (literal password)
let warnOnly: string; // one warning
const BROKEN_TEXT = mutate(
  BASE_INVENTORY,
  ['model: poly-vvx450', 'model: poly-vvx45'],
  ['model: yealink-t54w, place: P1, auth: none }', 'model: yealink-t54w, place: P1, auth: { password: "hunter2" } }'],
);

/** No stack trace: no "    at fn (file:line)" frames and no "Error:" dumps. */
function assertNoStack(stderr: string) {
  assert.doesNotMatch(stderr, /^\s+at .+:\d+/m, stderr);
  assert.doesNotMatch(stderr, /internal error/, stderr);
}

function assertOneLineError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
  assertNoStack(r.stderr);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipbc-validate-'));
  broken = join(dir, 'broken.yaml');
  writeFileSync(broken, BROKEN_TEXT);
  warnOnly = join(dir, 'warn.yaml');
  writeFileSync(warnOnly, mutate(BASE_INVENTORY, ['capacity: 10', 'capacity: 1']));
});

describe('sipbc validate: exit codes and text output', () => {
  it('the bundled example: exit 0, a success summary, nothing on stderr', () => {
    const r = runCli(['validate', EXAMPLE]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `✓ ${EXAMPLE}: no problems found\n`);
    assert.equal(r.stderr, '');
  });

  it('an invalid inventory: exit 1, grouped by file, file:line:col  severity  code  message, a summary', () => {
    const r = runCli(['validate', broken]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], broken);
    assert.ok(
      lines.includes(
        `${broken}:${positionOf(BROKEN_TEXT, '"hunter2"')}  warning  SIPBC-W-LITERAL-PASSWORD  phones[0].auth.password on line 19 is a literal password (shorter than 8 characters) in the inventory; move it out: password: { env: SIP_PW_<ext> } or password: { file: secrets/<ext>.txt }.`,
      ),
      r.stdout,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(
          `${broken}:${positionOf(BROKEN_TEXT, 'poly-vvx45,')}  error    SIPBC-E-UNKNOWN-MODEL  unknown phone model "poly-vvx45". Did you mean "poly-vvx450"?`,
        ),
      ),
      r.stdout,
    );
    assert.equal(lines[lines.length - 1], `✗ ${broken}: 1 error, 1 warning`);
    assert.ok(!r.stdout.includes('hunter2'), 'the password is never printed');
    assert.equal(r.stderr, '');
  });

  it('warnings alone: exit 0; with --strict: exit 1 and the warning is reported as an error', () => {
    const plain = runCli(['validate', warnOnly]);
    assert.equal(plain.code, 0, plain.stdout);
    assert.match(plain.stdout, /warning {2}SIPBC-W-CAPACITY/);
    // The summary mark follows the exit status: no cross for a run that exits 0.
    assert.equal(plain.stdout.trimEnd().split('\n').at(-1), `⚠ ${warnOnly}: 0 errors, 1 warning`);
    const strict = runCli(['validate', '--strict', warnOnly]);
    assert.equal(strict.code, 1, strict.stdout);
    assert.match(strict.stdout, /error {4}SIPBC-W-CAPACITY/);
    assert.equal(strict.stdout.trimEnd().split('\n').at(-1), `✗ ${warnOnly}: 1 error, 0 warnings`);
    assert.equal(runCli(['validate', '--strict', EXAMPLE]).code, 0);
  });

  it('several files: every file is reported; exit 1 if any is invalid', () => {
    const r = runCli(['validate', EXAMPLE, broken, '--format', 'json']);
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.stdout) as { file: string }[];
    assert.deepEqual([...new Set(findings.map((f) => f.file))], [broken]);
  });

  it('reads the inventory from stdin with -', () => {
    const r = runCli(['validate', '-'], { input: BROKEN_TEXT });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^<stdin>:\d+:\d+ {2}error {4}SIPBC-E-UNKNOWN-MODEL/m);
  });

  it('accepts a JSON inventory', () => {
    const json = join(dir, 'inv.json');
    writeFileSync(
      json,
      JSON.stringify(
        {
          version: 1,
          dns: { zone: 'contoso.example' },
          sites: [
            { id: 'east', sipServer: { vip: { host: 'v.east.contoso.example', address: '10.1.0.1' } } },
            { id: 'west', sipServer: { vip: { host: 'v.west.contoso.example', address: '10.2.0.1' } } },
          ],
          places: [],
        },
        null,
        2,
      ),
    );
    const r = runCli(['validate', json]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('colour: none when not a TTY; FORCE_COLOR=1 colours; NO_COLOR wins', () => {
    assert.doesNotMatch(runCli(['validate', broken]).stdout, /\x1b\[/);
    assert.match(runCli(['validate', broken], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[31merror/);
    assert.doesNotMatch(runCli(['validate', broken], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, /\x1b\[/);
    assert.doesNotMatch(runCli(['validate', broken, '--no-color'], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[/);
  });
});

describe('sipbc validate: formats', () => {
  it('--format json: an array of findings with code, severity, file, line, column, path, message', () => {
    const r = runCli(['validate', broken, '--format', 'json']);
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.stdout);
    assert.equal(findings.length, 2);
    const [line, column] = positionOf(BROKEN_TEXT, 'poly-vvx45,').split(':').map(Number);
    assert.deepEqual(
      findings.find((f: { code: string }) => f.code === 'SIPBC-E-UNKNOWN-MODEL'),
      {
        code: 'SIPBC-E-UNKNOWN-MODEL',
        severity: 'error',
        message: 'unknown phone model "poly-vvx45". Did you mean "poly-vvx450"? Run `sipbc models` for the list of model ids.',
        file: broken,
        path: ['phones', 1, 'model'],
        line,
        column,
        suggestion: 'poly-vvx450',
      },
    );
  });

  it('--format json on a clean inventory prints []', () => {
    const r = runCli(['validate', EXAMPLE, '--format', 'json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });

  it('--format github: workflow commands with file, line, col and the code as title', () => {
    const r = runCli(['validate', broken, '--format', 'github']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    const [l, c] = positionOf(BROKEN_TEXT, 'poly-vvx45,').split(':');
    assert.ok(
      lines.includes(
        `::error file=${broken},line=${l},col=${c},title=SIPBC-E-UNKNOWN-MODEL::unknown phone model "poly-vvx45". Did you mean "poly-vvx450"? Run \`sipbc models\` for the list of model ids.`,
      ),
      r.stdout,
    );
    assert.ok(lines.some((x) => x.startsWith('::warning file=') && x.includes('title=SIPBC-W-LITERAL-PASSWORD::')));
  });

  it('--format sarif: SARIF 2.1.0, one rule per code, results pointing at line and column', () => {
    const r = runCli(['validate', broken, '--format', 'sarif']);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'sipbc');
    assert.deepEqual(
      run.tool.driver.rules.map((x: { id: string }) => x.id),
      ['SIPBC-E-UNKNOWN-MODEL', 'SIPBC-W-LITERAL-PASSWORD'],
    );
    assert.equal(run.results.length, 2);
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'SIPBC-E-UNKNOWN-MODEL');
    assert.equal(res.level, 'error');
    assert.equal(run.tool.driver.rules[res.ruleIndex].id, 'SIPBC-E-UNKNOWN-MODEL');
    const [line, column] = positionOf(BROKEN_TEXT, 'poly-vvx45,').split(':').map(Number);
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: line, startColumn: column });
  });

  it('an unknown --format is a usage error (exit 2)', () => {
    const r = runCli(['validate', EXAMPLE, '--format', 'xml']);
    assert.equal(r.code, 2);
    assertNoStack(r.stderr);
  });
});

describe('sipbc validate: bad input gets one line on stderr and exit 2', () => {
  it('a missing file', () => {
    assertOneLineError(runCli(['validate', join(dir, 'nope.yaml')]), /^sipbc: .*nope\.yaml: no such file/);
  });

  it('a directory', () => {
    assertOneLineError(runCli(['validate', dir]), /is a directory/);
  });

  it('binary garbage', () => {
    const bin = join(dir, 'garbage.bin');
    writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x10]));
    assertOneLineError(runCli(['validate', bin]), /garbage\.bin:1:7: this is not a text file/);
  });

  it('text that is not an inventory (a bare scalar)', () => {
    const txt = join(dir, 'words.txt');
    writeFileSync(txt, 'hello world\n');
    assertOneLineError(runCli(['validate', txt]), /words\.txt: not an inventory: the document is a single string value/);
  });

  it('a YAML alias bomb is refused quickly', () => {
    const bomb = join(dir, 'bomb.yaml');
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    writeFileSync(bomb, lines.join('\n') + '\nversion: 1\n');
    const t0 = Date.now();
    const r = runCli(['validate', bomb]);
    assert.ok(Date.now() - t0 < 10_000, 'in seconds');
    assertOneLineError(r, /bomb\.yaml/);
  });

  it('one unreadable file among good ones: the others are still reported, exit 2', () => {
    const r = runCli(['validate', EXAMPLE, join(dir, 'nope.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /no problems found/);
    assert.match(r.stderr, /nope\.yaml: no such file/);
  });
});

describe('sipbc validate: hostile keys', () => {
  it('__proto__ and constructor keys are findings (exit 1), not crashes or pollution', () => {
    const file = join(dir, 'proto.yaml');
    const text = mutate(
      BASE_INVENTORY,
      ['version: 1\n', 'version: 1\n__proto__: { isAdmin: true }\n'],
      ['{ east: "1002", west: "1002" }', '{ east: "1002", west: "1002", constructor: "9" }'],
    );
    writeFileSync(file, text);
    const r = runCli(['validate', file, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assertNoStack(r.stderr);
    const findings = JSON.parse(r.stdout) as { code: string; line: number; column: number }[];
    assert.deepEqual(
      findings.map((f) => `${f.code}@${f.line}:${f.column}`),
      [`SIPBC-E-PROTO-KEY@${positionOf(text, '__proto__')}`, `SIPBC-E-PROTO-KEY@${positionOf(text, 'constructor')}`],
    );
  });
});
