/**
 * No secret value in any output other than the phone files (issue 18), as a property.
 *
 * A password such as "a" or "line" occurs in most outputs whatever sipbc does with it, so "the
 * output does not contain the password" cannot be asserted for it directly. What is asserted is
 * stronger: the output does not DEPEND on the password. Each generated password P gets a twin T of
 * the same shape (every digit and ASCII letter shifted, everything else kept: same length, same
 * character classes, same YAML type) and sipbc is run on the inventory with P and on the same
 * inventory with T: every command, every format, stdout, stderr and exit code must be
 * byte-identical. A message that quoted P, or masked it by replacement (`line.p***ssword` for the
 * password "a"), would differ.
 *
 * Passwords include one-letter ones, ones equal to words the messages use ("line", "password",
 * "a", "e"), digit strings that YAML reads as numbers (8675309123, unquoted), control characters
 * and punctuation; each phone takes its password as a literal (plain or quoted), from an
 * environment variable or from a secret file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { renderReport, REPORT_FORMATS } from '../../src/cli/report.js';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { planOutputs } from '../../src/core/generate.js';
import { parseInventory } from '../../src/core/load.js';
import { validateInventory } from '../../src/core/validate/index.js';
import { runCli } from '../support/cli.js';
import { cleanupTempDirs, securityInventory, tempDir } from '../support/security.js';

after(cleanupTempDirs);

const RUNS = Number(process.env.SIPBC_PROPERTY_RUNS ?? 150);
const catalogue = loadCatalogue();

/** Words the messages themselves use, and the passwords of the issue. */
const WORDS = [
  'line',
  'password',
  'a',
  'e',
  'p',
  's',
  'auth',
  'phones',
  'error',
  'warning',
  'SIPBC',
  'yealink',
  'east',
  'west',
  'file',
  'env',
  'true',
  'null',
  '8675309123',
  '0',
  '1',
  '00',
  'x',
  'REDACTED',
  'inventory',
  'quote',
  'the',
];

const passwordArb = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ minLength: 1, maxLength: 2 }),
  fc.stringMatching(/^[0-9]{1,12}$/),
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
);

type Form = 'plain' | 'quoted' | 'env' | 'file';
const formArb = fc.constantFrom<Form>('plain', 'quoted', 'env', 'file');

/** The same shape with other letters and digits. */
export function twinOf(p: string): string {
  return p
    .replace(/[0-9]/g, (d) => String((Number(d) + 7) % 10))
    .replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97))
    .replace(/[A-Z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 65 + 13) % 26) + 65));
}

/** YAML text for a literal password: plain when P and its twin both can be (and YAML reads them as the same type), else double-quoted. */
function literal(p: string, form: Form): string {
  const t = twinOf(p);
  const plainOk = (s: string) => /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(s);
  if (form === 'plain' && plainOk(p) && plainOk(t)) {
    const type = (s: string) => {
      const v = (yaml.load(`k: ${s}`, { schema: yaml.CORE_SCHEMA }) as { k: unknown }).k;
      return v === null ? 'null' : typeof v;
    };
    if (type(p) === type(t)) return p;
  }
  return JSON.stringify(p);
}

interface Case {
  text: string;
  env: Record<string, string>;
  files: Record<string, string>;
}

/** The security inventory (one phone per family) with phone i's password `pws[i]` in form `forms[i]`. */
function build(pws: readonly string[], forms: readonly Form[], twin: boolean): Case {
  const inv = securityInventory({ phonesPerFamily: 1 });
  const env: Record<string, string> = {};
  const files: Record<string, string> = {};
  const literals: string[] = [];
  inv.phones.forEach((ph: { auth: { password: unknown } }, i: number) => {
    const p = pws[i % pws.length];
    const v = twin ? twinOf(p) : p;
    let form = forms[i % forms.length];
    if (form === 'env' && v.includes('\u0000')) form = 'file'; // the environment cannot carry a NUL
    if (form === 'env') {
      env[`SIP_PW_${i}`] = v;
      ph.auth.password = { env: `SIP_PW_${i}` };
    } else if (form === 'file') {
      files[`pw-${i}.txt`] = `${v}\n`;
      ph.auth.password = { file: `pw-${i}.txt` };
    } else {
      ph.auth.password = `@@PW${i}@@`;
      literals[i] = literal(p, form);
      if (twin) literals[i] = literal(p, form) === JSON.stringify(p) ? JSON.stringify(v) : v;
    }
  });
  let text = yaml.dump(inv, { lineWidth: -1 });
  text = text.replace(/'?@@PW(\d+)@@'?/g, (_, i: string) => literals[Number(i)]);
  return { text, env, files };
}

function inProcess(c: Case, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(c.files)) writeFileSync(join(dir, name), content);
  const out: string[] = [];
  try {
    const loaded = parseInventory(c.text, 'inv.yaml', dir);
    const v = validateInventory(loaded, catalogue);
    for (const format of REPORT_FORMATS) out.push(renderReport(format, { files: ['inv.yaml'], findings: v.findings, toolVersion: '0' }));
    const g = planOutputs(loaded, catalogue, { env: c.env });
    out.push(JSON.stringify(g.findings), String(g.files.length));
    // The phone files hold the passwords; the others must not depend on them.
    for (const f of g.files) if (!f.secret) out.push(f.path, f.contents);
  } catch (e) {
    out.push(`threw ${(e as Error).name}: ${(e as Error).message} ${(e as { hint?: string }).hint ?? ''}`);
  }
  return out.join('\n');
}

describe('no password in any output (property: outputs do not depend on the password)', () => {
  it('validate (every report format) and generate (findings, errors, every file but the phone files), in-process', () => {
    const root = tempDir();
    let n = 0;
    fc.assert(
      fc.property(fc.array(passwordArb, { minLength: 1, maxLength: 8 }), fc.array(formArb, { minLength: 1, maxLength: 8 }), (pws, forms) => {
        n++;
        const a = inProcess(build(pws, forms, false), join(root, `a${n}`));
        const b = inProcess(build(pws, forms, true), join(root, `b${n}`));
        assert.equal(a, b);
      }),
      {
        numRuns: RUNS,
        examples: [
          [
            ['8675309123', 'a', 'line', 'password', 'e', 'p', 's', 'x'],
            ['plain', 'plain', 'plain', 'quoted', 'env', 'file', 'plain', 'quoted'],
          ],
        ],
      },
    );
  });

  it('every command in every format, through the CLI: stdout, stderr and exit code', () => {
    const root = tempDir();
    let n = 0;
    const commands: string[][] = [
      ['validate', 'inv.yaml'],
      ['validate', 'inv.yaml', '--strict', '--format', 'json'],
      ['validate', 'inv.yaml', '--format', 'github'],
      ['validate', 'inv.yaml', '--format', 'sarif'],
      ['generate', 'inv.yaml', '-o', 'out', '--dry-run'],
      ['generate', 'inv.yaml', '-o', 'out'],
      ['generate', 'inv.yaml', '-o', 'out', '--check', '--json'],
      ['generate', 'inv.yaml', '-o', 'review', '--redact', '--json'],
      ['policy', 'inv.yaml'],
      ['policy', 'inv.yaml', '--format', 'csv'],
      ['policy', 'inv.yaml', '--json'],
      ['dns', 'inv.yaml', '--format', 'bind'],
      ['dns', 'inv.yaml', '--format', 'nsupdate'],
      ['dns', 'inv.yaml', '--format', 'json'],
      ['dns', 'inv.yaml', '--format', 'wire'],
      ['simulate', 'inv.yaml', '--fail', 'east'],
      ['simulate', 'inv.yaml', '--fail', 'west', '--json'],
    ];
    const run = (c: Case, dir: string): string[] => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'inv.yaml'), c.text);
      for (const [name, content] of Object.entries(c.files)) writeFileSync(join(dir, name), content);
      return commands.map((args) => {
        const r = runCli(args, { cwd: dir, env: c.env });
        return `$ sipbc ${args.join(' ')}\nexit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
      });
    };
    fc.assert(
      fc.property(fc.array(passwordArb, { minLength: 8, maxLength: 8 }), fc.array(formArb, { minLength: 8, maxLength: 8 }), (pws, forms) => {
        n++;
        const a = run(build(pws, forms, false), join(root, `a${n}`));
        const b = run(build(pws, forms, true), join(root, `b${n}`));
        for (let i = 0; i < a.length; i++) assert.equal(a[i], b[i]);
      }),
      {
        numRuns: Number(process.env.SIPBC_CLI_PROPERTY_RUNS ?? 1),
        examples: [
          // The reproductions: an unquoted number, and "a" beside another password (masking by replacement leaked it).
          [
            ['8675309123', 'a', 'line', 'password', 'e', 'Secret-1', '4213', 'p'],
            ['plain', 'plain', 'plain', 'plain', 'plain', 'env', 'plain', 'file'],
          ],
          [
            ['a', 'line', 'a', 'e', '8675309123', 'password', 's', 'x\ny'],
            ['plain', 'quoted', 'env', 'file', 'plain', 'env', 'plain', 'file'],
          ],
        ],
      },
    );
  });
});
