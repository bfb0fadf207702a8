/**
 * Colour rules, in a real pseudo-terminal (`script`): colour only on a terminal, decided per stream
 * (stdout's by stdout, stderr's by stderr), off for --no-color, NO_COLOR, TERM=dumb; FORCE_COLOR
 * forces it (but not over NO_COLOR or --no-color).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { colourLevel, hasNoColorFlag } from '../../src/cli/colour.js';
import { runCli } from '../support/cli.js';
import { BASE_INVENTORY, mutate } from '../support/inventory-text.js';
import { ANSI, runInPty, shq } from '../support/pty.js';

let dir: string;
let broken: string; // one error: an unknown model

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipbc-colour-'));
  broken = join(dir, 'broken.yaml');
  writeFileSync(broken, mutate(BASE_INVENTORY, ['model: poly-vvx450', 'model: poly-vvx45']));
  writeFileSync(join(dir, 'ok.yaml'), BASE_INVENTORY);
});

describe('colour at a terminal', () => {
  it('validate at a terminal is coloured (the error in red)', () => {
    const r = runInPty(`validate ${shq(broken)}`);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /\x1b\[31merror/);
  });

  for (const [what, env, flag] of [
    ['NO_COLOR=1', { NO_COLOR: '1' }, ''],
    ['--no-color', {}, ' --no-color'],
    ['TERM=dumb', { TERM: 'dumb' }, ''],
    ['NO_COLOR=1 over FORCE_COLOR=1', { NO_COLOR: '1', FORCE_COLOR: '1' }, ''],
    ['--no-color over FORCE_COLOR=3', { FORCE_COLOR: '3' }, ' --no-color'],
  ] as const) {
    it(`${what}: no escape code at all, same text`, () => {
      const r = runInPty(`validate ${shq(broken)}${flag}`, { env });
      assert.equal(r.code, 1, r.output);
      assert.doesNotMatch(r.output, ANSI, JSON.stringify(r.output));
      assert.match(r.output, /broken\.yaml:\d+:\d+ {2}error {4}SIPBC-E-UNKNOWN-MODEL/);
    });
  }

  it('CI set at a terminal: plain unless the CI is one known to show colour (as Node judges it)', () => {
    assert.doesNotMatch(runInPty(`validate ${shq(broken)}`, { env: { CI: 'true' } }).output, ANSI);
    assert.match(runInPty(`validate ${shq(broken)}`, { env: { CI: 'true', GITHUB_ACTIONS: 'true' } }).output, /\x1b\[31merror/);
  });

  it('NO_COLOR= (empty) does not turn colour off', () => {
    assert.match(runInPty(`validate ${shq(broken)}`, { env: { NO_COLOR: '' } }).output, ANSI);
  });

  it('stdout redirected to a file at a terminal: the file is plain', () => {
    const out = join(dir, 'report.txt');
    const r = runInPty(`validate ${shq(broken)} > ${shq(out)}`);
    assert.equal(r.code, 1, r.output);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /SIPBC-E-UNKNOWN-MODEL/);
    assert.doesNotMatch(text, ANSI);
  });

  it('stderr redirected to a file (2>err.log) at a terminal: err.log is plain, stdout still coloured', () => {
    const log = join(dir, 'err.log');
    const r = runInPty(`policy ${shq(broken)} 2> ${shq(log)}`);
    assert.equal(r.code, 1, r.output);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /SIPBC-E-UNKNOWN-MODEL/);
    assert.doesNotMatch(text, ANSI, JSON.stringify(text));
    // A valid inventory's table header goes to the terminal in bold, while stderr is a file.
    const ok = runInPty(`policy ${shq(join(dir, 'ok.yaml'))} 2> ${shq(log)}`, { columns: 400 });
    assert.equal(ok.code, 0, ok.output + readFileSync(log, 'utf8'));
    assert.match(ok.output, /\x1b\[1mMAC/);
  });

  it('stdout redirected, stderr at the terminal: the findings on the terminal are coloured', () => {
    const r = runInPty(`policy ${shq(broken)} > /dev/null`);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /\x1b\[31merror/);
  });

  it('FORCE_COLOR=1 colours stderr written to a file too', () => {
    const log = join(dir, 'forced.log');
    runInPty(`policy ${shq(broken)} 2> ${shq(log)}`, { env: { FORCE_COLOR: '1' } });
    assert.match(readFileSync(log, 'utf8'), /\x1b\[31merror/);
  });
});

describe('colour: --no-color is a flag of every command', () => {
  for (const args of [
    ['validate', 'OK'],
    ['policy', 'OK'],
    ['dns', 'OK'],
    ['simulate', 'OK', '--fail', 'east'],
    ['models'],
    ['generate', 'OK', '-o', 'OUT', '--dry-run', '--redact'],
    ['schema', '--path'],
    ['init', '-'],
  ]) {
    it(`sipbc ${args[0]} --no-color`, () => {
      const r = runCli([...args.map((a) => (a === 'OK' ? join(dir, 'ok.yaml') : a === 'OUT' ? join(dir, 'out') : a)), '--no-color'], {
        env: { FORCE_COLOR: '1' },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, ANSI);
    });
  }

  it('--help lists it among the global flags', () => {
    const r = runCli(['validate', '--help']);
    assert.match(r.stdout, /--no-color/);
  });
});

describe('colourLevel: the rules in order', () => {
  const tty = { isTTY: true, getColorDepth: () => 8 };
  const pipe = { isTTY: false };
  const table: [string, { isTTY?: boolean; getColorDepth?: () => number }, Record<string, string>, boolean, number][] = [
    ['a 256-colour terminal', tty, {}, false, 2],
    ['a true-colour terminal', { isTTY: true, getColorDepth: () => 24 }, {}, false, 3],
    ['a terminal that reports 2 colours', { isTTY: true, getColorDepth: () => 1 }, {}, false, 0],
    ['a pipe', pipe, {}, false, 0],
    ['--no-color', tty, {}, true, 0],
    ['NO_COLOR=1', tty, { NO_COLOR: '1' }, false, 0],
    ['NO_COLOR empty', tty, { NO_COLOR: '' }, false, 2],
    ['TERM=dumb', tty, { TERM: 'dumb' }, false, 0],
    ['FORCE_COLOR=1 into a pipe', pipe, { FORCE_COLOR: '1' }, false, 1],
    ['FORCE_COLOR=3 into a pipe', pipe, { FORCE_COLOR: '3' }, false, 3],
    ['FORCE_COLOR= (empty)', pipe, { FORCE_COLOR: '' }, false, 1],
    ['FORCE_COLOR=true', pipe, { FORCE_COLOR: 'true' }, false, 1],
    ['FORCE_COLOR=0 at a terminal', tty, { FORCE_COLOR: '0' }, false, 0],
    ['FORCE_COLOR=false at a terminal', tty, { FORCE_COLOR: 'false' }, false, 0],
    ['FORCE_COLOR=1 and TERM=dumb', pipe, { FORCE_COLOR: '1', TERM: 'dumb' }, false, 1],
    ['FORCE_COLOR=1 and NO_COLOR=1', tty, { FORCE_COLOR: '1', NO_COLOR: '1' }, false, 0],
    ['FORCE_COLOR=2 and --no-color', tty, { FORCE_COLOR: '2' }, true, 0],
  ];
  for (const [what, stream, env, flag, level] of table) it(`${what} → level ${level}`, () => assert.equal(colourLevel(stream, env, flag), level));

  it('--no-color counts only before --', () => {
    assert.equal(hasNoColorFlag(['validate', 'x.yaml', '--no-color']), true);
    assert.equal(hasNoColorFlag(['validate', '--', '--no-color']), false);
  });
});
