/**
 * sipbc as a user gets it: the tarball `npm pack` makes (of the build `npm test` just made),
 * installed with `npm install -g --prefix` into a temporary directory, run from another directory.
 * Skipped only when npm is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/cli.js';

const npmMissing = spawnSync('npm', ['--version']).status !== 0;

describe('the packed and installed sipbc', { skip: npmMissing && 'npm is not installed', timeout: 240_000 }, () => {
  let work: string;
  let pkg: string; // the installed package directory
  let elsewhere: string; // a directory that is neither the repository nor the package
  let env: NodeJS.ProcessEnv;
  let packed: { path: string; mode: number }[];

  const sipbc = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(join(work, 'prefix', 'bin', 'sipbc'), args, { cwd: elsewhere, env: { ...env, ...extraEnv }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const npm = (args: string[]) => {
    const r = spawnSync('npm', args, { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'sipbc-pack-'));
    elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    env = { PATH: process.env.PATH, HOME: join(work, 'home'), XDG_CACHE_HOME: join(work, 'cache'), NO_COLOR: '1' };
    // --ignore-scripts: `npm test` has built already (prepack would build again).
    const [info] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work])) as {
      filename: string;
      files: { path: string; mode: number }[];
    }[];
    packed = info.files;
    npm(['install', '-g', '--prefix', join(work, 'prefix'), '--offline', '--no-audit', '--no-fund', join(work, info.filename)]);
    pkg = join(work, 'prefix', 'lib', 'node_modules', 'sipbc');
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('ships only what runs, with its licence', () => {
    const paths = packed.map((f) => f.path).sort();
    const allowed =
      /^(LICENSE|README\.md|package\.json|oclif\.manifest\.json|bin\/run\.js|dist\/bundle\/[^/]+\.(c?js|cache)|templates\/.+|schemas\/[^/]+\.schema\.json|examples\/.+)$/;
    assert.deepEqual(
      paths.filter((p) => !allowed.test(p)),
      [],
      'nothing else in the tarball',
    );
    for (const p of [
      'LICENSE',
      'bin/run.js',
      'dist/bundle/sipbc.cjs',
      'dist/bundle/sipbc.cjs.cache',
      'dist/bundle/oclif-plugins.cjs',
      'oclif.manifest.json',
      'schemas/sipbc-inventory.schema.json',
      'templates/catalogue.json',
      'examples/inventory.yaml',
    ]) {
      assert.ok(paths.includes(p), `${p} is shipped`);
    }
    assert.match(readFileSync(join(pkg, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) 2026 sipbc contributors\n/);
  });

  it('needs nothing from the registry: no dependencies, nothing installed beside it', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.dependencies ?? {}, {});
    assert.equal(manifest.license, 'MIT');
    assert.equal(manifest.repository.url, 'git+https://github.com/sipbc/sipbc.git');
    assert.equal(manifest.bugs.url, 'https://github.com/sipbc/sipbc/issues');
    assert.equal(manifest.homepage, 'https://github.com/sipbc/sipbc#readme');
    assert.ok(!existsSync(join(pkg, 'node_modules')));
  });

  it('holds no path of the build machine', () => {
    const files = readdirSync(pkg, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const f of files) assert.ok(!readFileSync(join(f.parentPath, f.name), 'latin1').includes(REPO_ROOT), `${f.name} names ${REPO_ROOT}`);
  });

  it('--help, -h, help generate and help for a command, from another directory', () => {
    const help = sipbc(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const c of ['autocomplete', 'dns', 'generate', 'help', 'init', 'models', 'policy', 'schema', 'simulate', 'validate'])
      assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'));
    assert.equal(sipbc(['-h']).stdout, help.stdout);
    const gen = sipbc(['help', 'generate']);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stdout, /^USAGE\n {2}\$ sipbc generate INVENTORY -o <value>/m);
    assert.equal(sipbc(['generate', '-h']).stdout, gen.stdout);
    assert.equal(sipbc(['generate', '--help']).stdout, gen.stdout);
  });

  it('a mistyped command gets a suggestion (exit 2)', () => {
    const r = sipbc(['valdate', 'x.yaml']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'sipbc: valdate is not a sipbc command; did you mean `sipbc validate x.yaml`?\n  hint: sipbc help lists the commands\n');
    assert.match(sipbc(['genrate']).stderr, /did you mean `sipbc generate`\?/);
    assert.match(sipbc(['frobnicate']).stderr, /^sipbc: frobnicate is not a sipbc command\n/);
  });

  it('autocomplete prints the set-up and writes the completion scripts to the cache directory', () => {
    const r = sipbc(['autocomplete', 'bash']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sipbc autocomplete script bash/);
    const script = sipbc(['autocomplete', 'script', 'bash']);
    assert.match(script.stdout, new RegExp(`SIPBC_AC_BASH_SETUP_PATH=${join(work, 'cache', 'sipbc', 'autocomplete', 'bash_setup')}`));
    const functions = readFileSync(join(work, 'cache', 'sipbc', 'autocomplete', 'functions', 'bash', 'sipbc.bash'), 'utf8');
    assert.match(functions, /validate/);
  });

  it('init, then validate, in a directory of its own', () => {
    const init = sipbc(['init']);
    assert.equal(init.code, 0, init.stderr);
    assert.ok(existsSync(join(elsewhere, 'sipbc-inventory.schema.json')));
    const v = sipbc(['validate', 'inventory.yaml']);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.equal(v.stdout, '✓ inventory.yaml: no problems found\n');
  });

  it('the code cache: the shipped one when it fits; one of its own, written once, on another node; never a word about it', () => {
    const example = join(pkg, 'examples', 'inventory.yaml');
    const userCaches = () => (existsSync(join(work, 'cache', 'sipbc', 'code-cache')) ? readdirSync(join(work, 'cache', 'sipbc', 'code-cache')) : []);
    const expected = sipbc(['validate', example]);
    assert.equal(expected.code, 0, expected.stderr);
    assert.equal(expected.stderr, '');
    assert.deepEqual(userCaches(), [], 'the shipped cache fits this node: nothing written');

    // As if built by another node: the first line names another V8.
    const cacheFile = join(pkg, 'dist', 'bundle', 'sipbc.cjs.cache');
    const shipped = readFileSync(cacheFile);
    const nl = shipped.indexOf(10);
    const head = shipped.subarray(0, nl).toString('latin1').split(' ');
    writeFileSync(cacheFile, Buffer.concat([Buffer.from([...head.slice(0, 3), 'v8-0.0.0-other'].join(' '), 'latin1'), shipped.subarray(nl)]));
    const first = sipbc(['validate', example]);
    assert.deepEqual(first, expected);
    const written = userCaches();
    assert.equal(written.length, 1);
    assert.match(written[0], /^sipbc-[0-9a-f]{16}-v8-.+\.cache$/);
    const own = join(work, 'cache', 'sipbc', 'code-cache', written[0]);
    assert.equal(statSync(own).mode & 0o777, 0o600);
    assert.equal(statSync(join(work, 'cache', 'sipbc', 'code-cache')).mode & 0o777, 0o700);
    const mtime = statSync(own).mtimeMs;
    assert.deepEqual(sipbc(['validate', example]), expected);
    assert.equal(statSync(own).mtimeMs, mtime, 'used, not written again');

    // Data V8 rejects (its own checks fail): compiled as usual, a fresh cache written.
    const garbled = Buffer.from(readFileSync(own));
    for (let i = garbled.indexOf(10) + 1; i < garbled.indexOf(10) + 64; i++) garbled[i] ^= 0xff;
    writeFileSync(own, garbled);
    assert.deepEqual(sipbc(['validate', example]), expected);
    assert.notDeepEqual(readFileSync(own), garbled, 'replaced');

    // A cache directory sipbc cannot use: still no failure, no message.
    rmSync(join(work, 'cache', 'sipbc', 'code-cache'), { recursive: true });
    writeFileSync(join(work, 'cache', 'sipbc', 'code-cache'), 'not a directory');
    assert.deepEqual(sipbc(['validate', example]), expected);
    writeFileSync(cacheFile, shipped);
  });

  it('stack traces name the bundle by its package path, not the machine that built it', () => {
    const r = sipbc(['validate', '--no-such-flag'], { DEBUG: 'oclif:*' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ {4}at .*\(sipbc\/dist\/bundle\/sipbc\.cjs:\d+:\d+\)$/m);
    assert.ok(!r.stderr.includes(REPO_ROOT));
  });
});
