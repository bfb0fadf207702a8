/**
 * The per-family parameter reference (templates/<family>/parameters.json): every key sipbc writes in
 * every generated file — every family, both modes where it has both, every transport it supports, the
 * common and site-master files too, and the golden trees — is in its family's reference, with an
 * allowed value and a source. A typo or a made-up key fails here. And no reference entry is dead.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { loadCatalogue } from '../../src/core/catalogue.js';
import type { Inventory, Mode, Phone, Transport } from '../../src/core/inventory.js';
import type { OutputFile } from '../../src/core/output.js';
import { resolvePlan } from '../../src/core/policy.js';
import { renderPhones } from '../../src/core/render/phones.js';
import { fixturePath, readTree } from '../support/golden.js';
import { loadReference, settingsOf, syntaxFor, valueProblem, type ParameterReference } from '../support/parameter-reference.js';

const cat = loadCatalogue();
const families = Object.keys(cat.families).sort();
const refs = new Map<string, ParameterReference>(families.map((f) => [f, loadReference(cat.families[f].dir)]));

function inventory(phones: Phone[], transport: Transport): Inventory {
  return {
    version: 1,
    dns: { zone: 'contoso.example', resolvers: ['10.1.0.53', '10.2.0.53'] },
    defaults: { transport, registerExpires: 600 },
    sites: [
      {
        id: 'east',
        sipServer: { primary: { host: 'a.east.contoso.example', address: '10.1.0.11' }, backup: { host: 'b.east.contoso.example', address: '10.1.0.12' } },
      },
      { id: 'west', sipServer: { vip: { host: 'vip.west.contoso.example', address: '10.2.0.10', port: 5070 } } },
    ],
    places: [{ id: 'P1', extensions: { east: '1001', west: '2001' } }],
    phones,
  };
}

/** Every family × supported mode × supported transport, each rendered with the site master files. */
function matrix(): { family: string; label: string; files: OutputFile[] }[] {
  const out: { family: string; label: string; files: OutputFile[] }[] = [];
  let n = 0;
  for (const family of families) {
    const fam = cat.families[family];
    const model = Object.values(cat.models).find((m) => m.family === family)!.id;
    const modes: Mode[] = fam.dualRegistration ? ['dual', 'active-backup'] : ['active-backup'];
    for (const transport of fam.transports) {
      for (const mode of modes) {
        for (const preferredSite of ['east', 'west']) {
          const mac = `02000000${(++n).toString(16).padStart(4, '0')}`;
          const inv = inventory([{ mac, model, place: 'P1', registration: mode, preferredSite, transport }], transport);
          const files = renderPhones(resolvePlan(inv, cat), cat, { inventoryFile: 'inventory.yaml', passwordFor: () => 'pw-1001', siteMasters: true });
          out.push({ family, label: `${family} ${mode} ${transport} ${preferredSite}`, files });
        }
      }
    }
  }
  return out;
}

function check(family: string, path: string, contents: string, seen: Set<string>): string[] {
  const ref = refs.get(family)!;
  const name = path.split('/').slice(2).join('/');
  const syntax = syntaxFor(ref, name);
  if (!syntax) return [`${path}: no file pattern of ${family}/parameters.json matches ${name}`];
  const problems: string[] = [];
  for (const s of settingsOf(syntax, contents)) {
    const spec = ref.parameters[s.key];
    if (!spec) {
      problems.push(`${path}: ${s.key} is not in ${family}/parameters.json`);
      continue;
    }
    seen.add(`${family} ${s.key}`);
    const p = valueProblem(spec, s.value);
    if (p) problems.push(`${path}: ${s.key} = "${s.value}" is ${p}`);
    for (const [attr, value] of Object.entries(s.attributes ?? {})) {
      const allowed = syntax.attributes?.[attr];
      if (!allowed?.includes(value)) problems.push(`${path}: ${s.key} attribute ${attr}="${value}" is not allowed (${allowed?.join(', ') ?? 'none'})`);
    }
  }
  return problems;
}

test('every shipped family has a parameter reference naming the versions it was checked against, each entry with a source', () => {
  for (const [family, ref] of refs) {
    assert.equal(ref.family, family);
    assert.ok(ref.checkedAgainst.length > 10, family);
    for (const [key, spec] of Object.entries(ref.parameters)) {
      assert.ok(spec.source?.guide && spec.source.section, `${family} ${key} has no source`);
      assert.ok(spec.values || spec.type, `${family} ${key} has no type or values`);
    }
  }
});

const seen = new Set<string>();

test('every key of every generated file (every family, mode, transport, site; common and site-master files) is in its reference, with an allowed value', () => {
  const problems: string[] = [];
  const fileCount = new Map<string, number>();
  for (const { family, files } of matrix()) {
    for (const f of files) {
      const fam = families.find((id) => f.path.startsWith(`phones/${cat.families[id].dir}/`))!;
      assert.equal(fam, family, f.path);
      problems.push(...check(family, f.path, f.contents, seen));
      fileCount.set(family, (fileCount.get(family) ?? 0) + 1);
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual([...fileCount.keys()].sort(), families);
});

test('the golden trees (test/fixtures/*/expected/phones) pass the same check', () => {
  const problems: string[] = [];
  const fixtures = readdirSync(fixturePath()).filter((d) => /^\d{3}-/.test(d));
  assert.ok(fixtures.length >= 3);
  for (const fx of fixtures) {
    for (const [path, bytes] of readTree(fixturePath(fx, 'expected'), { skipActual: true })) {
      if (!path.startsWith('phones/')) continue;
      const family = families.find((id) => path.startsWith(`phones/${cat.families[id].dir}/`));
      assert.ok(family, path);
      problems.push(...check(family, path, bytes.toString('utf8'), seen).map((p) => `${fx}: ${p}`));
    }
  }
  assert.deepEqual(problems, []);
});

test('no dead entry: every key of every reference is written by some file above', () => {
  const dead: string[] = [];
  for (const [family, ref] of refs) for (const key of Object.keys(ref.parameters)) if (!seen.has(`${family} ${key}`)) dead.push(`${family} ${key}`);
  assert.deepEqual(dead, []);
});

test('the check catches a made-up key and a value outside the reference (proof it can fail)', () => {
  const bad = '#!version:1.0.0.1\naccount.1.enable = 1\naccount.1.sip_server.1.transprot_type = 2\naccount.1.sip_server.1.transport_type = 4\n';
  assert.deepEqual(check('yealink', 'phones/yealink/001565000001.cfg', bad, new Set()), [
    'phones/yealink/001565000001.cfg: account.1.sip_server.1.transprot_type is not in yealink/parameters.json',
    'phones/yealink/001565000001.cfg: account.1.sip_server.1.transport_type = "4" is not one of 0, 1, 2, 3, %NULL%',
  ]);
  const cisco = '<?xml version="1.0"?><flat-profile><Proxy_1_ ua="rw">east.sip.contoso.example</Proxy_1_></flat-profile>';
  assert.deepEqual(check('cisco', 'phones/cisco/a45630000001.xml', cisco, new Set()), [
    'phones/cisco/a45630000001.xml: Proxy_1_ attribute ua="rw" is not allowed (na)',
  ]);
});
