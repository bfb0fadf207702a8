/**
 * A YAML/JSON syntax error is the finding SIPBC-E-SYNTAX (exit 1, file:line:col) in every format of
 * validate, counted in multi-file summaries, and refuses every other command with that finding.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { BASE_INVENTORY, mutate } from '../support/inventory-text.js';

let dir: string;
let ok: string;
let bad: string; // a flow sequence never closed: js-yaml stops at 4:1 (the end of the file)
let typo: string; // an unknown model: one error finding
let badJson: string; // a missing comma between two entries

const BAD_MESSAGE = 'cannot parse the inventory as YAML: unexpected end of the stream within a flow collection; fix the YAML syntax at that position.';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipbc-syntax-'));
  ok = join(dir, 'ok.yaml');
  writeFileSync(ok, BASE_INVENTORY);
  bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'version: 1\nsites:\n  - id: [unclosed\n');
  typo = join(dir, 'typo.yaml');
  writeFileSync(typo, mutate(BASE_INVENTORY, ['model: poly-vvx450', 'model: poly-vvx45']));
  badJson = join(dir, 'bad.json');
  writeFileSync(badJson, '{\n  "version": 1\n  "sites": []\n}\n');
});

describe('validate: a syntax error is a finding', () => {
  it('text: the finding under its file, exit 1, nothing on stderr', () => {
    const r = runCli(['validate', bad]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, `${bad}\n${bad}:4:1  error    SIPBC-E-SYNTAX  ${BAD_MESSAGE}\n\n✗ ${bad}: 1 error, 0 warnings\n`);
  });

  it('json (and --json, the same bytes): the finding with file, line, column', () => {
    const r = runCli(['validate', bad, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ code: 'SIPBC-E-SYNTAX', severity: 'error', message: BAD_MESSAGE, file: bad, path: [], line: 4, column: 1 }]);
    const j = runCli(['validate', bad, '--json']);
    assert.equal(j.code, 1, j.stderr);
    assert.equal(j.stdout, r.stdout);
  });

  it('github: an ::error workflow command at the position', () => {
    const r = runCli(['validate', bad, '--format', 'github'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.split('\n')[0].split('::')[1], `error file=${bad.replace(/:/g, '%3A').replace(/,/g, '%2C')},line=4,col=1,title=SIPBC-E-SYNTAX`);
  });

  it('sarif: a result of rule SIPBC-E-SYNTAX with its description', () => {
    const r = runCli(['validate', 'bad.yaml', '--format', 'sarif'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const run = JSON.parse(r.stdout).runs[0];
    assert.deepEqual(
      run.tool.driver.rules.map((x: { id: string }) => x.id),
      ['SIPBC-E-SYNTAX'],
    );
    assert.match(run.tool.driver.rules[0].shortDescription.text, /not valid YAML or JSON/);
    assert.equal(run.results[0].ruleId, 'SIPBC-E-SYNTAX');
    assert.deepEqual(run.results[0].locations[0].physicalLocation, { artifactLocation: { uri: 'bad.yaml' }, region: { startLine: 4, startColumn: 1 } });
  });

  it('several files: the unparsable one is counted, and the others are still checked', () => {
    const r = runCli(['validate', 'ok.yaml', 'bad.yaml', 'typo.yaml'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^bad\.yaml:4:1 {2}error {4}SIPBC-E-SYNTAX/m);
    assert.match(r.stdout, /^typo\.yaml:\d+:\d+ {2}error {4}SIPBC-E-UNKNOWN-MODEL/m);
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), '✗ 3 files: 2 errors, 0 warnings');
  });

  it('a JSON inventory gets JSON words, not YAML ones', () => {
    const r = runCli(['validate', badJson, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const [f] = JSON.parse(r.stdout);
    assert.deepEqual([f.code, f.line, f.column], ['SIPBC-E-SYNTAX', 3, 10]); // js-yaml notices at the ':' after the key
    assert.equal(f.message, 'cannot parse the inventory as JSON: a comma is missing between two entries; fix the JSON syntax at that position.');
    const unclosed = join(dir, 'unclosed.json');
    writeFileSync(unclosed, '{ "version": 1, "sites": [');
    assert.match(
      JSON.parse(runCli(['validate', unclosed, '--json']).stdout)[0].message,
      /as JSON: the file ends inside an object or array \(a \{ or \[ is not closed\)/,
    );
  });

  it('a JSON array is "not an inventory" in JSON words (exit 2)', () => {
    const arr = join(dir, 'list.json');
    writeFileSync(arr, '[1, 2]\n');
    const r = runCli(['validate', arr]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /list\.json: not an inventory: the document is an array; an inventory is a JSON object with version, dns, sites and places/);
  });

  it('stdin (-) starting with { is read as JSON', () => {
    const r = runCli(['validate', '-', '--json'], { input: '{"version": 1 "x": 2}' });
    assert.equal(r.code, 1, r.stderr);
    const [f] = JSON.parse(r.stdout);
    assert.equal(f.file, '<stdin>');
    assert.match(f.message, /^cannot parse the inventory as JSON: /);
  });
});

describe('the other commands refuse an unparsable inventory with the finding (exit 1)', () => {
  for (const args of [['policy'], ['dns'], ['simulate', '--fail', 'east'], ['generate', '-o', 'OUT']]) {
    const cmd = args[0];
    const withPaths = () => args.map((a) => (a === 'OUT' ? join(dir, `out-${cmd}`) : a));
    it(`${cmd}: the finding on stderr, nothing on stdout`, () => {
      const [name, ...rest] = withPaths();
      const r = runCli([name, bad, ...rest]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1 {2}error {4}SIPBC-E-SYNTAX {2}cannot parse the inventory as YAML`, 'm'),
      );
      if (cmd === 'generate') assert.equal(existsSync(join(dir, 'out-generate')), false, 'nothing written');
    });

    it(`${cmd} --json: the error object carries the finding, stderr is empty`, () => {
      const [name, ...rest] = withPaths();
      const r = runCli([name, bad, ...rest, '--json']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, '');
      const { error } = JSON.parse(r.stdout);
      assert.equal(error.exitCode, 1);
      assert.deepEqual(error.findings, [{ code: 'SIPBC-E-SYNTAX', severity: 'error', message: BAD_MESSAGE, file: bad, path: [], line: 4, column: 1 }]);
    });
  }
});
