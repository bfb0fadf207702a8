/**
 * User templates (`--templates DIR`, issue 18): a template cannot print or reach outside its
 * context, files under DIR are read only when they are regular files inside it, and a read or
 * parse failure never prints a file's content.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import yaml from 'js-yaml';
import { runCli, type CliResult } from '../support/cli.js';
import { cleanupTempDirs, hasStackTrace, securityInventory, tempDir } from '../support/security.js';

after(cleanupTempDirs);

const SENTINEL = 'Sentinel-Pw-7Qz';
const CONTENT = 'Top-Secret-Content-42';

/** An inventory (one Yealink phone, password from SIP_PW) and a templates directory with `files`. */
function setup(files: Record<string, string>, password = SENTINEL) {
  const dir = tempDir();
  writeFileSync(join(dir, 'inv.yaml'), yaml.dump(securityInventory({ phonesPerFamily: 1, families: ['yealink'] }), { lineWidth: -1 }));
  const templates = join(dir, 'tpl');
  mkdirSync(join(templates, 'yealink'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(templates, name), text);
  const generate = (...extra: string[]) =>
    runCli(['generate', 'inv.yaml', '-o', 'out', '--templates', 'tpl', ...extra], { cwd: dir, env: { SIP_PW: password }, timeout: 30_000 });
  return { dir, templates, generate };
}

function assertClean(r: CliResult, what: string, secrets: readonly string[] = [SENTINEL, CONTENT]): void {
  for (const s of secrets) assert.ok(!(r.stdout + r.stderr).includes(s), `${what} prints ${s}:\n${r.stdout}${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), `${what}: stack trace\n${r.stderr}`);
}

describe('templates: no printing, no reaching outside the context', () => {
  it('{{log line.password}} is refused (exit 2, naming the template and the helper) and prints nothing', () => {
    const { generate } = setup({ 'yealink/mac.cfg.hbs': '#!version:1.0.0.1\n{{log line.password}}\n' });
    const r = generate();
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /template tpl\/yealink\/mac\.cfg\.hbs: the "log" helper is not available in templates: it would print values \(passwords\) to the console/,
    );
    assertClean(r, 'log');
  });

  it('lookup reaches no prototype property, and Handlebars logs nothing (not even a password used as a property name)', () => {
    for (const password of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const { dir, generate } = setup(
        {
          'yealink/mac.cfg.hbs':
            '#!version:1.0.0.1\na={{lookup this "constructor"}}\nb={{lookup line.password "toString"}}\nc={{lookup this line.password}}\nd={{lookup line line.password}}\n',
        },
        password,
      );
      const r = generate();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', `${password}: ${r.stderr}`);
      assertClean(r, `lookup with password ${password}`, [password]);
      const out = spawnSync('sh', ['-c', 'cat out/phones/yealink/*.cfg'], { cwd: dir, encoding: 'utf8' }).stdout;
      assert.match(out, /^a=\nb=\nc=\nd=\n$/m, `${password}: a prototype property was rendered:\n${out}`);
    }
  });

  it('an error while rendering names the expression and its position, never the value it was looked up in', () => {
    for (const [template, message] of [
      ['{{line.password.x}}', /"x" was looked up in a value that is not a mapping/],
      ['{{#with line.password}}{{y}}{{/with}}', /"y" was looked up in a value that is not a mapping/],
      ['{{line.nope}}', /"nope" not defined at line 2, column 2/],
      ['{{> (lookup line "password")}}', /a partial could not be found \(no partials are registered; its name is not shown: it may be a value\)/],
      ['{{lookup line line.password line.password}}', /the template failed \(TypeError; its message is not shown: it may quote a value\)/],
      ['{{#with}}{{/with}}', /#with requires exactly one argument/],
    ] as const) {
      const { generate } = setup({ 'yealink/mac.cfg.hbs': `#!version:1.0.0.1\n${template}\n` });
      const r = generate();
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assertClean(r, template);
    }
  });

  it('a template with a syntax error: the position and what was expected, not the excerpt of its source', () => {
    const { generate } = setup({ 'yealink/mac.cfg.hbs': `#!version:1.0.0.1\n${CONTENT} {{#if x}\n` });
    const r = generate();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /template tpl\/yealink\/mac\.cfg\.hbs: Parse error on line 2: Expecting /);
    assertClean(r, 'parse error');
  });
});

describe('templates: files under --templates are read only when they are regular files inside it', () => {
  it('catalogue.json that is a link to /etc/shadow, or to any file outside: refused, nothing of it printed (generate and validate)', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.json'), `{"${CONTENT}": 1}`);
    for (const target of ['/etc/shadow', join(outside, 'secret.json')]) {
      const { dir, templates, generate } = setup({});
      symlinkSync(target, join(templates, 'catalogue.json'));
      const r = generate();
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /catalogue tpl\/catalogue\.json leads outside tpl through a symbolic link: refused/);
      assertClean(r, `catalogue -> ${target}`, [CONTENT, 'root:']);
      const v = runCli(['validate', 'inv.yaml', '--templates', 'tpl'], { cwd: dir });
      assert.equal(v.code, 2, v.stderr);
      assertClean(v, `validate, catalogue -> ${target}`, [CONTENT, 'root:']);
    }
  });

  it('catalogue.json that is not JSON: the position, not the text', () => {
    const { generate } = setup({ 'catalogue.json': `{\n  "families": ${CONTENT}\n}` });
    const r = generate();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /catalogue tpl\/catalogue\.json is not valid JSON( at line 2, column \d+)?\n/);
    assertClean(r, 'catalogue not JSON');
  });

  it('a FIFO as catalogue.json or as a template: refused at once, not waited on', () => {
    const a = setup({});
    spawnSync('mkfifo', [join(a.templates, 'catalogue.json')]);
    const r = a.generate();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /catalogue tpl\/catalogue\.json is a FIFO \(named pipe\), not a regular file: refused/);
    const b = setup({});
    spawnSync('mkfifo', [join(b.templates, 'yealink', 'mac.cfg.hbs')]);
    const t = b.generate();
    assert.equal(t.code, 2, t.stderr);
    assert.match(t.stderr, /template tpl\/yealink\/mac\.cfg\.hbs is a FIFO \(named pipe\), not a regular file: refused/);
  });

  it('a template that is a link leading out of its directory: refused, its target not printed', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'x.hbs'), CONTENT);
    const { templates, generate } = setup({});
    symlinkSync(join(outside, 'x.hbs'), join(templates, 'yealink', 'mac.cfg.hbs'));
    const r = generate();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /template tpl\/yealink\/mac\.cfg\.hbs resolves to .*, outside tpl\/yealink: refused/);
    assertClean(r, 'template link');
  });
});
