/**
 * The shipped templates' fast path (src/core/render/fast-template.ts) writes exactly what
 * Handlebars writes: every phone file of the golden inventories and of a 10 000-phone synthetic
 * inventory (every model, both modes, both sites, with and without resolvers), rendered both ways.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Handlebars from 'handlebars';
import { SHIPPED_TEMPLATES, loadCatalogue } from '../../src/core/catalogue.js';
import { parseInventory } from '../../src/core/load.js';
import { resolvePlan, type PhonePolicy } from '../../src/core/policy.js';
import { phoneFiles } from '../../src/core/render/phones.js';
import { compileFast } from '../../src/core/render/fast-template.js';
import { validateInventory } from '../../src/core/validate/index.js';
import { synthInventory } from '../../bench/synth.js';
import { fixturePath } from '../support/golden.js';

const cat = loadCatalogue();

/** A password with every XML special character where the family can carry them. */
function passwordFor(p: PhonePolicy): string {
  const forbidden = p.family.credentialForbiddenChars ?? '';
  const rich = `s3&<"'>${p.index}`;
  return [...rich].some((c) => forbidden.includes(c)) ? `pw${p.index}` : rich;
}

function bothWays(text: string, name: string): number {
  const loaded = parseInventory(text, name);
  const { inventory, findings } = validateInventory(loaded, cat);
  assert.ok(inventory, `${name}: ${findings.map((f) => f.message).join('; ')}`);
  const plan = resolvePlan(inventory, cat);
  const opts = { inventoryFile: name, passwordFor, siteMasters: true };
  const slow = [...phoneFiles(plan, cat, { ...opts, handlebarsOnly: true })];
  const fast = [...phoneFiles(plan, cat, opts)];
  assert.equal(fast.length, slow.length);
  for (let i = 0; i < fast.length; i++) {
    assert.equal(fast[i].path, slow[i].path);
    assert.equal(fast[i].secret, slow[i].secret);
    if (fast[i].contents !== slow[i].contents) assert.equal(fast[i].contents, slow[i].contents, `${name}: ${fast[i].path} differs`);
  }
  return fast.length;
}

describe('render: the fast path of the shipped templates', () => {
  it('compiles every shipped template (none falls back to Handlebars for good)', () => {
    const hbs = Handlebars.create();
    // Phone families only: templates/report/ is the HTML report's page, rendered by Handlebars with HTML escaping.
    const families = Object.keys(loadCatalogue().families);
    assert.ok(families.length >= 8, 'the shipped catalogue has every family');
    for (const family of families) {
      const names = readdirSync(join(SHIPPED_TEMPLATES, family)).filter((n) => n.endsWith('.hbs'));
      assert.ok(names.length > 0, `templates/${family} has templates`);
      for (const name of names) {
        const source = readFileSync(join(SHIPPED_TEMPLATES, family, name), 'utf8');
        assert.ok(compileFast(hbs, source), `${family}/${name} is not compiled by the fast path`);
      }
    }
  });

  it('leaves what it does not handle to Handlebars (helpers, each, parent paths, this)', () => {
    const hbs = Handlebars.create();
    for (const source of [
      '{{#each x}}{{this}}{{/each}}',
      '{{lookup a "b"}}',
      '{{../a}}',
      '{{this.a}}',
      '{{#unless a}}b{{/unless}}',
      '{{> partial}}',
      '{{log a}}',
      '{{#if a b}}x{{/if}}',
    ]) {
      assert.equal(compileFast(hbs, source), undefined, source);
    }
    // A value it does not write (missing, an object, an array) makes it hand that file to Handlebars.
    const render = compileFast(hbs, 'a={{a.b}}{{#if c}}!{{/if}}')!;
    assert.equal(render({ a: { b: 1 }, c: [] }), undefined);
    assert.equal(render({ a: {} }), undefined);
    assert.equal(render({ a: { b: { x: 1 } } }), undefined);
    assert.equal(render({ a: { b: 'x' }, c: 0 }), 'a=x');
    assert.equal(render({ a: { b: true } }), 'a=true');
  });

  it('writes the same bytes as Handlebars for the golden inventories', () => {
    for (const dir of readdirSync(fixturePath()).filter((d) => /^\d{3}-/.test(d))) {
      assert.ok(bothWays(readFileSync(fixturePath(dir, 'inventory.yaml'), 'utf8'), `${dir}/inventory.yaml`) > 0);
    }
  });

  it('writes the same bytes as Handlebars for a 10 000-phone synthetic inventory, with and without resolvers', () => {
    const text = synthInventory(10_000).text;
    assert.ok(bothWays(text, 'inventory.yaml') > 10_000);
    assert.ok(bothWays(text.replace(/^ {2}resolvers: .*\n/m, ''), 'no-resolvers.yaml') > 10_000);
  });
});
