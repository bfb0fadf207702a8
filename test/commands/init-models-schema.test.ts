/** `sipbc init`, `sipbc models`, `sipbc schema` through the built CLI. */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoPath, runCli } from '../support/cli.js';

describe('sipbc init', () => {
  it('writes inventory.yaml in the current directory: the bundled example with a relative $schema line, and that schema beside it; it validates cleanly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-init-'));
    const r = runCli(['init'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(dir, 'inventory.yaml'), 'utf8');
    const lines = text.split('\n');
    assert.equal(lines[0], '# yaml-language-server: $schema=./sipbc-inventory.schema.json');
    assert.equal(readFileSync(join(dir, 'sipbc-inventory.schema.json'), 'utf8'), readFileSync(repoPath('schemas', 'sipbc-inventory.schema.json'), 'utf8'));
    assert.match(r.stdout, /sipbc-inventory\.schema\.json: created/);
    assert.doesNotMatch(text, new RegExp(repoPath().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no path of this machine in the file');
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

  it('keeps a sipbc-inventory.schema.json it did not write (exit 2, nothing written) unless --force; replaces one it wrote', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-init-'));
    writeFileSync(join(dir, 'sipbc-inventory.schema.json'), '{"mine": true}\n');
    const r = runCli(['init'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sipbc-inventory\.schema\.json: exists and is not a schema sipbc wrote; not overwritten/);
    assert.ok(!existsSync(join(dir, 'inventory.yaml')), 'neither file written');
    assert.equal(readFileSync(join(dir, 'sipbc-inventory.schema.json'), 'utf8'), '{"mine": true}\n');
    assert.equal(runCli(['init', '--force'], { cwd: dir }).code, 0);
    assert.equal(readFileSync(join(dir, 'sipbc-inventory.schema.json'), 'utf8'), readFileSync(repoPath('schemas', 'sipbc-inventory.schema.json'), 'utf8'));
    // An older schema sipbc wrote (another model list) is simply brought up to date.
    const old = JSON.parse(readFileSync(join(dir, 'sipbc-inventory.schema.json'), 'utf8'));
    old.definitions.phone.properties.model.enum = ['yealink-t54w'];
    writeFileSync(join(dir, 'sipbc-inventory.schema.json'), JSON.stringify(old));
    const again = runCli(['init', 'second.yaml'], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /sipbc-inventory\.schema\.json: updated/);
    assert.equal(readFileSync(join(dir, 'sipbc-inventory.schema.json'), 'utf8'), readFileSync(repoPath('schemas', 'sipbc-inventory.schema.json'), 'utf8'));
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
    assert.match(
      alcatel!,
      /^alcatel-4028\s+Alcatel-Lucent\s+alcatel\s+no\s+backup-registrar\s+no\s+udp,tcp\s+alcatel\/sipconfig-\{mac\}\.txt alcatel\/lanpbx\.cfg$/,
    );
    assert.match(
      lines.find((l) => l.startsWith('yealink-t54w '))!,
      /^yealink-t54w\s+Yealink\s+yealink\s+yes\s+srv\s+yes\s+udp,tcp,tls\s+yealink\/\{mac\}\.cfg$/,
    );
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
  const shipped = () => readFileSync(repoPath('schemas', 'sipbc-inventory.schema.json'), 'utf8');

  it('prints the editor schema, schemas/sipbc-inventory.schema.json, byte for byte', () => {
    const r = runCli(['schema']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, shipped());
    assert.equal(JSON.parse(r.stdout).title, 'sipbc inventory (version 1)');
  });

  it('--path prints where the shipped editor schema is', () => {
    const r = runCli(['schema', '--path']);
    assert.equal(r.stdout, repoPath('schemas', 'sipbc-inventory.schema.json') + '\n');
  });

  it('--write DIR writes DIR/sipbc-inventory.schema.json: created, then unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-schema-'));
    const r = runCli(['schema', '--write', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${join(dir, 'sipbc-inventory.schema.json')}: created\n`);
    assert.equal(readFileSync(join(dir, 'sipbc-inventory.schema.json'), 'utf8'), shipped());
    assert.equal((statSync(join(dir, 'sipbc-inventory.schema.json')).mode & 0o777).toString(8), '644');
    assert.equal(runCli(['schema', '--write', dir]).stdout, `${join(dir, 'sipbc-inventory.schema.json')}: unchanged\n`);
    assert.deepEqual(readdirSync(dir), ['sipbc-inventory.schema.json'], 'no temporary file left');
  });

  it('--templates DIR --write adds the models of a user catalogue', () => {
    const tpl = mkdtempSync(join(tmpdir(), 'sipbc-tpl-'));
    writeFileSync(join(tpl, 'catalogue.json'), JSON.stringify({ models: { 'yealink-t58x': { family: 'yealink', name: 'T58X' } } }));
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-schema-'));
    runCli(['schema', '--write', dir]);
    const r = runCli(['schema', '--templates', tpl, '--write', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: updated\n$/);
    const model = JSON.parse(readFileSync(join(dir, 'sipbc-inventory.schema.json'), 'utf8')).definitions.phone.properties.model;
    assert.ok(model.enum.includes('yealink-t58x') && model.enum.includes('yealink-t54w'));
  });

  it('--write keeps a file or a symbolic link it did not write (exit 2) unless --force, which replaces the link itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbc-schema-'));
    const target = join(dir, 'elsewhere.json');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, join(dir, 'sipbc-inventory.schema.json'));
    const r = runCli(['schema', '--write', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exists and is not a schema sipbc wrote; not overwritten/);
    assert.match(r.stderr, /--force/);
    assert.equal(runCli(['schema', '--write', dir, '--force']).code, 0);
    assert.equal(readFileSync(target, 'utf8'), 'precious\n', 'nothing written through the link');
    assert.ok(lstatSync(join(dir, 'sipbc-inventory.schema.json')).isFile());
    const missing = runCli(['schema', '--write', join(dir, 'no-such-dir')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no-such-dir: not a directory/);
  });
});
