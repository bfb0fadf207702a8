/** `sipbc init`, `sipbc models`, `sipbc schema` through the built CLI. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoPath, runCli } from '../support/cli.js';

describe('sipbc init', () => {
  it('writes inventory.yaml in the current directory: the bundled example with an absolute $schema line, which validates cleanly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-init-'));
    const r = runCli(['init'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(dir, 'inventory.yaml'), 'utf8');
    const lines = text.split('\n');
    assert.equal(lines[0], `# yaml-language-server: $schema=${repoPath('schemas', 'inventory.schema.json')}`);
    const example = readFileSync(repoPath('examples', 'inventory.yaml'), 'utf8').split('\n');
    assert.deepEqual(lines.slice(1), example.slice(1), 'the rest is the bundled example, unchanged');
    const v = runCli(['validate', 'inventory.yaml', '--strict'], { cwd: dir });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('refuses to overwrite without --force (exit 2, file untouched); --force overwrites', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-init-'));
    const file = join(dir, 'mine.yaml');
    writeFileSync(file, 'precious: true\n');
    const r = runCli(['init', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /mine\.yaml: already exists; not overwritten/);
    assert.equal(readFileSync(file, 'utf8'), 'precious: true\n');
    const f = runCli(['init', file, '--force']);
    assert.equal(f.code, 0, f.stderr);
    assert.match(readFileSync(file, 'utf8'), /^# yaml-language-server: \$schema=/);
  });

  it('a missing directory is a usage error', () => {
    const r = runCli(['init', join(tmpdir(), 'no-such-dir-sipbc', 'x.yaml')]);
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });
});

describe('sipbc models', () => {
  it('prints a table with id, vendor, family, dual, active-backup, SRV, transports, files', () => {
    const r = runCli(['models']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^MODEL\s+VENDOR\s+FAMILY\s+DUAL\s+ACTIVE-BACKUP\s+SRV\s+TRANSPORTS\s+FILES$/);
    const alcatel = lines.find((l) => l.startsWith('alcatel-4028 '));
    assert.match(alcatel!, /^alcatel-4028\s+Alcatel-Lucent\s+alcatel\s+no\s+backup-registrar\s+no\s+udp,tcp\s+alcatel\/sipconfig-\{mac\}\.txt alcatel\/lanpbx\.cfg$/);
    assert.match(lines.find((l) => l.startsWith('yealink-t54w '))!, /^yealink-t54w\s+Yealink\s+yealink\s+yes\s+srv\s+yes\s+udp,tcp,tls\s+yealink\/\{mac\}\.cfg$/);
  });

  it('--json lists every catalogue model with its capabilities', () => {
    const r = runCli(['models', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { id: string; dualRegistration: boolean; srv: boolean }[];
    const catalogue = JSON.parse(readFileSync(repoPath('templates', 'catalogue.json'), 'utf8'));
    assert.deepEqual(rows.map((x) => x.id).sort(), Object.keys(catalogue.models).sort());
    const audiocodes = rows.find((x) => x.id === 'audiocodes-445hd')!;
    assert.equal(audiocodes.dualRegistration, false);
    assert.equal(audiocodes.srv, true);
  });

  it('--templates DIR adds the models of a user catalogue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-models-'));
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify({ models: { 'yealink-t58x': { family: 'yealink', name: 'T58X' } } }));
    const r = runCli(['models', '--json', '--templates', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { id: string }[]).some((x) => x.id === 'yealink-t58x'));
  });
});

describe('sipbc schema', () => {
  it('prints schemas/inventory.schema.json byte for byte', () => {
    const r = runCli(['schema']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(repoPath('schemas', 'inventory.schema.json'), 'utf8'));
    assert.equal(JSON.parse(r.stdout).title, 'sipbc inventory (version 1)');
  });

  it('--path prints where the shipped schema is', () => {
    const r = runCli(['schema', '--path']);
    assert.equal(r.stdout, repoPath('schemas', 'inventory.schema.json') + '\n');
  });
});
