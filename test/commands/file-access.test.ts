/**
 * `generate --file-mode` / `--group`: files a provisioning server running as another user can read,
 * kept by later runs (the manifest records them) and checked by `--check` as a mode or group
 * difference, not as changed content.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { canonicalEntries } from '../../src/cli/write-output.js';
import { spawnSync } from 'node:child_process';
import { BIN, repoPath, runCli } from '../support/cli.js';
import { cleanupTempDirs, tempDir } from '../support/security.js';

after(cleanupTempDirs);

const INV = repoPath('examples', 'inventory.yaml');
const MANIFEST = '.sipbc-manifest.json';
const GROUP = { name: 'nogroup', gid: 65534 }; // in every Debian /etc/group
const isRoot = process.getuid?.() === 0;

function manifestFiles(out: string): Record<string, string> {
  return JSON.parse(readFileSync(join(out, MANIFEST), 'utf8')).files as Record<string, string>;
}

test('--file-mode 0640 --group: secret files 0640, every file in the group; kept by re-runs and --check; drift named as mode or group', {
  skip: !isRoot && 'chgrp to a group the user is not in needs root',
}, () => {
  const out = join(tempDir(), 'out');
  const r = runCli(['generate', INV, '-o', out, '--file-mode', '0640', '--group', GROUP.name]);
  assert.equal(r.code, 0, r.stderr);
  const files = Object.keys(manifestFiles(out));
  const secret = files.find((p) => p.startsWith('phones/yealink/'))!;
  const plain = 'policy.csv';
  assert.equal(statSync(join(out, secret)).mode & 0o777, 0o640);
  assert.equal(statSync(join(out, plain)).mode & 0o777, 0o644);
  for (const p of files) assert.equal(statSync(join(out, p)).gid, GROUP.gid, p);
  const text = readFileSync(join(out, MANIFEST), 'utf8');
  assert.match(
    text,
    /^\{\n {2}"generator": "sipbc",\n {2}"version": 1,\n {2}"access": \{ "secretFileMode": "0640", "group": "nogroup", "gid": 65534 \},\n {2}"files": \{\n/,
  );
  assert.equal(canonicalEntries(text)?.size, files.length, 'the manifest keeps its line-by-line layout');

  // Later runs and --check keep to it without the flags.
  const again = runCli(['generate', INV, '-o', out]);
  assert.match(again.stdout, /0 created, 0 updated, 0 removed, \d+ unchanged/);
  assert.equal(runCli(['generate', INV, '-o', out, '--check']).code, 0);

  chmodSync(join(out, secret), 0o600);
  chownSync(join(out, plain), 0, 0);
  const check = runCli(['generate', INV, '-o', out, '--check']);
  assert.equal(check.code, 3);
  assert.match(check.stdout, new RegExp(`^mode {5}${secret.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(check.stdout, /^group {4}policy\.csv$/m);
  const json = JSON.parse(runCli(['generate', INV, '-o', out, '--check', '--json']).stdout);
  assert.deepEqual(json.drift, [
    { path: secret, kind: 'update', reason: 'mode' },
    { path: 'policy.csv', kind: 'update', reason: 'owner' },
  ]);
  const before = readFileSync(join(out, secret));
  const repaired = runCli(['generate', INV, '-o', out]);
  assert.match(repaired.stdout, /0 created, 2 updated/);
  assert.equal(statSync(join(out, secret)).mode & 0o777, 0o640);
  assert.equal(statSync(join(out, plain)).gid, GROUP.gid);
  assert.deepEqual(readFileSync(join(out, secret)), before);

  // Back to the default: an explicit flag wins over the manifest.
  assert.equal(runCli(['generate', INV, '-o', out, '--file-mode', '0600']).code, 0);
  assert.equal(statSync(join(out, secret)).mode & 0o777, 0o600);
});

/** The example inventory's passwords (examples/secrets/*.txt): a file holding one is a secret file. */
const PASSWORDS = readdirSync(repoPath('examples', 'secrets')).map((n) => readFileSync(repoPath('examples', 'secrets', n), 'utf8').trim());

test('--file-mode is exact under any umask (the umask only narrows the other files), and --check agrees at once', () => {
  for (const [umask, mode] of [
    ['077', '0644'],
    ['077', '0640'],
    ['077', '0600'],
    ['000', '0600'],
    ['000', '0640'],
  ] as const) {
    const out = join(tempDir(), 'out');
    const shell = (args: string) => spawnSync('sh', ['-c', `umask ${umask}; exec "${process.execPath}" "${BIN}" ${args}`], { encoding: 'utf8' });
    const r = shell(`generate "${INV}" -o "${out}" --file-mode ${mode}`);
    assert.equal(r.status, 0, r.stderr);
    let secrets = 0;
    for (const p of Object.keys(manifestFiles(out))) {
      const st = statSync(join(out, p));
      const text = readFileSync(join(out, p), 'utf8');
      const secret = PASSWORDS.some((pw) => text.includes(pw));
      if (secret) secrets++;
      const want = secret ? parseInt(mode, 8) : 0o644 & ~parseInt(umask, 8);
      assert.equal(st.mode & 0o777, want, `umask ${umask}, --file-mode ${mode}: ${p} is 0${(st.mode & 0o777).toString(8)}`);
    }
    assert.ok(secrets > 0);
    assert.equal(statSync(join(out, MANIFEST)).mode & 0o777, 0o600);
    const check = shell(`generate "${INV}" -o "${out}" --check`);
    assert.equal(check.status, 0, `umask ${umask}, --file-mode ${mode}: ${check.stdout}`);
  }
});

test('--file-mode and --group refuse what cannot be right, before anything is written', () => {
  const out = join(tempDir(), 'out');
  for (const [args, message] of [
    [['--file-mode', '0755'], /--file-mode 0755: not a mode for files holding passwords/],
    [['--file-mode', '0440'], /--file-mode 0440: not a mode/],
    [['--file-mode', 'rw-r-----'], /not a mode/],
    [['--group', 'no-such-group-here'], /--group no-such-group-here: no such group in \/etc\/group/],
  ] as const) {
    const r = runCli(['generate', INV, '-o', out, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  const loose = runCli(['generate', INV, '-o', out, '--file-mode', '0644']);
  assert.equal(loose.code, 0, loose.stderr);
  assert.match(loose.stderr, /readable by every user of this machine/);
});
