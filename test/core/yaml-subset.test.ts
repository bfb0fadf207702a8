/**
 * The fast subset reader (src/core/yaml-subset.ts) against js-yaml: whatever text it accepts, it
 * must return exactly what js-yaml's core-schema `load` returns; whatever js-yaml refuses, it must
 * leave to js-yaml (return undefined). Generated documents mix the subset with what is outside it
 * (anchors, tags, block scalars, escapes, tabs, CRs, odd indentation, duplicate and prototype
 * keys) and are then mutated character by character; a test also pins that the usual inventory
 * shapes do take the fast path, so the reader cannot pass by never being used.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { jsYamlLocator, parseInventory } from '../../src/core/load.js';
import { loadYamlSubset, readYamlSubset, subsetPositions } from '../../src/core/yaml-subset.js';
import { synthInventory } from '../../bench/synth.js';

function jsYaml(text: string): { value: unknown } | { error: string } {
  try {
    return { value: yaml.load(text, { schema: yaml.CORE_SCHEMA, json: false }) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The property: the fast path returns js-yaml's value or nothing. Returns whether it was taken. */
function agrees(text: string): boolean {
  const fast = loadYamlSubset(text);
  if (fast === undefined) return false;
  const slow = jsYaml(text);
  assert.ok('value' in slow, `the subset reader accepted what js-yaml refuses (${'error' in slow ? slow.error : ''}):\n${text}`);
  assert.deepStrictEqual(fast, slow.value, `the subset reader differs from js-yaml on:\n${text}`);
  // An ASCII file's bytes (loadInventory passes them): values copied from them are the same.
  if (/^[\x00-\x7f]*$/.test(text)) assert.deepStrictEqual(readYamlSubset(text, Buffer.from(text, 'latin1'))?.data, slow.value, `with the bytes:\n${text}`);
  return true;
}

const SCALARS = [
  'abc',
  'a b',
  'a:b',
  'a: b',
  'a:',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'null',
  'Null',
  '~',
  '0x1F',
  '0o17',
  '012',
  '0b101',
  '1_000',
  '-1',
  '+1',
  '.5',
  '1.',
  '1e3',
  '.inf',
  '-.Inf',
  '.NaN',
  '5060',
  '10.1.0.11',
  'a #b',
  'a#b',
  "it's",
  'x"y',
  '-x',
  '- x',
  '?x',
  '@x',
  '%x',
  '`x',
  '00:15:00:00:00:01',
  '0015.0000.0001',
  'sip:alice@example.com',
  '12:30',
  'é',
  'naïve café',
  'a\\b',
  ' ',
  'constructor',
  '__proto__',
  'toString',
  'sipsrv-a.east.contoso.example',
  'a, b',
  'a[b]',
  '{x}',
  '[x]',
  'x}',
  '*ref',
  '&anchor x',
  '!tag x',
  '|',
  '>',
  'a\tb',
  'line\u0085',
  '\u0001',
];
const KEYS = [
  'id',
  'name',
  'mac',
  'model',
  'a.b',
  'a-b',
  '_x',
  '1',
  '0x1',
  'true',
  'null',
  '__proto__',
  'constructor',
  'a b',
  '-a',
  'é',
  'k',
  'k',
  '"q"',
  "'q'",
  '? k',
  '<<',
];

type Tree = string | Tree[] | [string, Tree][];
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...SCALARS),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { maxLength: 4 }),
  ),
})).node;

interface Style {
  quote: number;
  flow: boolean;
  comment: boolean;
  extraIndent: number;
  seqAtKeyIndent: boolean;
  dashSpaces: number;
  blank: boolean;
}
const style = fc.record({
  quote: fc.nat(3),
  flow: fc.boolean(),
  comment: fc.boolean(),
  extraIndent: fc.nat(2),
  seqAtKeyIndent: fc.boolean(),
  dashSpaces: fc.nat(2),
  blank: fc.boolean(),
});

function scalar(s: string, st: Style): string {
  if (st.quote === 1) return `'${s.replace(/'/g, "''")}'`;
  if (st.quote === 2) return `"${s}"`;
  return s;
}
const isPairs = (t: Tree): t is [string, Tree][] =>
  Array.isArray(t) && t.length > 0 && t.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && !Array.isArray(e[0]));

function flowText(t: Tree, st: Style): string {
  if (typeof t === 'string') return scalar(t, st);
  if (isPairs(t)) return `{ ${t.map(([k, v]) => `${k}: ${flowText(v, st)}`).join(', ')} }`;
  return `[${(t as Tree[]).map((v) => flowText(v, st)).join(', ')}]`;
}

/** Lines of `t` as a block node at indent n; styles picked from `styles` in turn. */
function block(t: Tree, n: number, styles: Style[], out: string[]): void {
  const st = styles[out.length % styles.length];
  const sp = ' '.repeat(n);
  const tail = st.comment ? '  # note' : '';
  if (st.blank) out.push(st.comment ? `${' '.repeat(n + st.extraIndent)}# a comment line` : '');
  if (isPairs(t)) {
    for (const [k, v] of t) {
      if (typeof v === 'string' || st.flow) out.push(`${sp}${k}: ${typeof v === 'string' ? scalar(v, st) : flowText(v, st)}${tail}`);
      else {
        out.push(`${sp}${k}:${tail}`);
        const seq = !isPairs(v);
        block(v, seq && st.seqAtKeyIndent ? n : n + 1 + st.extraIndent, styles, out);
      }
    }
    return;
  }
  if (Array.isArray(t)) {
    if (t.length === 0) out.push(`${sp}[]`);
    for (const v of t as Tree[]) {
      const dash = `${sp}-${' '.repeat(1 + st.dashSpaces)}`;
      if (typeof v === 'string' || st.flow) out.push(`${dash}${typeof v === 'string' ? scalar(v, st) : flowText(v, st)}${tail}`);
      else if (isPairs(v)) {
        // A compact mapping: the first pair on the dash line, the others at its column.
        const inner: string[] = [];
        block(v, dash.length, styles, inner);
        out.push(dash + inner[0].trimStart(), ...inner.slice(1));
      } else {
        out.push(`${sp}-${tail}`);
        block(v, n + 1 + st.extraIndent, styles, out);
      }
    }
    return;
  }
  out.push(`${sp}${scalar(t, st)}${tail}`);
}

function documentText(t: Tree, styles: Style[]): string {
  const out: string[] = [];
  block(isPairs(t) ? t : [['root', t]], 0, styles, out);
  return out.join('\n') + '\n';
}

const JUNK = [
  ' ',
  '  ',
  '-',
  ':',
  '#',
  ' #',
  '\t',
  '\r',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  ',',
  '\n',
  '\n  ',
  '\u0001',
  'é',
  '*',
  '&',
  '!',
  '|',
  '\\',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
];
const mutation = fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...JUNK));

describe('yaml-subset: the fast reader agrees with js-yaml', () => {
  it('on generated documents, and takes the fast path on a good share of them', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(tree, fc.array(style, { minLength: 1, maxLength: 4 }), fc.boolean(), (t, styles, crlf) => {
        runs++;
        const text = documentText(t, styles);
        if (agrees(crlf ? text.replace(/\n/g, '\r\n') : text)) fast++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(fast > runs / 5, `fast path taken on only ${fast} of ${runs} documents`);
  });

  it('on the same documents mutated: a character inserted, deleted or replaced', () => {
    fc.assert(
      fc.property(
        tree,
        fc.array(style, { minLength: 1, maxLength: 4 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (t, styles, muts, crlf) => {
          let text = documentText(t, styles);
          if (crlf) text = text.replace(/\n/g, '\r\n');
          for (const [at, op, junk] of muts) {
            const i = at % (text.length + 1);
            text =
              op === 0
                ? text.slice(0, i) + junk + text.slice(i)
                : op === 1
                  ? text.slice(0, i) + text.slice(i + 1)
                  : text.slice(0, i) + junk + text.slice(i + 1);
          }
          agrees(text);
        },
      ),
      { numRuns: 4000 },
    );
  });

  /** Every path of the document (and a missing key under each), as key and as value: the subset reader's positions are js-yaml's. */
  function samePositions(text: string): boolean {
    const data = loadYamlSubset(text);
    if (data === undefined) return false;
    assert.ok(subsetPositions(text), 'positions not recorded for a text the reader accepts');
    const slow = jsYamlLocator(text);
    const fast = parseInventory(text, 'x.yaml');
    const walk = (v: unknown, path: (string | number)[]): void => {
      for (const p of [path, [...path, 'missing'], [...path, 99]]) {
        for (const key of [false, true])
          assert.deepStrictEqual(fast.locate(p, { key }), slow(p, key), `${JSON.stringify(p)}${key ? ' (key)' : ''} in:\n${text}`);
      }
      if (v !== null && typeof v === 'object')
        for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...path, Array.isArray(v) ? Number(k) : k]);
    };
    walk(data, []);
    return true;
  }

  it('records the positions js-yaml gives, for every key and value of generated documents', () => {
    let fast = 0;
    fc.assert(
      fc.property(tree, fc.array(style, { minLength: 1, maxLength: 4 }), fc.boolean(), (t, styles, crlf) => {
        const text = documentText(t, styles);
        if (samePositions(crlf ? text.replace(/\n/g, '\r\n') : text)) fast++;
      }),
      { numRuns: 1500 },
    );
    assert.ok(fast > 200, `only ${fast} documents took the fast path`);
    for (const text of [readFileSync(new URL('../../../examples/inventory.yaml', import.meta.url), 'utf8'), synthInventory(300, { warnings: true }).text])
      assert.ok(samePositions(text));
  });

  const cases: [string, string, boolean][] = [
    ['block mapping and sequence', 'a: 1\nb:\n  - x\n  - y: 2\n    z: "3"\n', true],
    ["sequence at its key's indent", 'a:\n- 1\n- 2\nb: c\n', true],
    ['flow collections, nested', 'p:\n  - { id: P1, extensions: { east: \'1001\', west: "1001" } }\n  - [udp, tcp, 5060]\n', true],
    ['comments everywhere, deeper comment lines', '# head\na: 1   # one\n     # deeper\nb: # none\n  c: x # y\n', true],
    ['core-schema scalars', 'a: ~\nb: True\nc: 0x1F\nd: .inf\ne: 012\nf: 00:15:00:00:00:01\ng: 1_000\n', true],
    ['a quote in single quotes', "a: 'it''s'\n", true],
    // js-yaml (4.x) reads this as { a: [[null, x]] }: after an empty entry its sequence goes on at any `- `.
    ['an empty entry before a less indented one', 'a:\n  -\n    -\n  - x\n', false],
    // A null entry: js-yaml's listener then gives the next entries' positions to the ones before (seed -387681545 found it).
    ['a null entry', 'root:\n -  \n -\n  - abc\n - abc\n', false],
    ['an entry whose value is a deeper block', 'root:\n -\n  - abc\n - x\n', true],
    ['a key js-yaml renames (true → "true")', 'true: 1\n', false],
    ['a duplicate key', 'a: 1\na: 2\n', false],
    ['a __proto__ key', '__proto__: { polluted: 1 }\n', false],
    ['an anchor and alias', 'a: &x 1\nb: *x\n', false],
    ['a block scalar', 'a: |\n  text\n', false],
    ['a multi-line plain scalar', 'a: one\n  two\n', false],
    ['an escape', 'a: "x\\ny"\n', false],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  - "x" # c\r\n  - { y: z }\r\n\r\n', true],
    ['a CR on its own (a line break to js-yaml)', 'a: 1\rb: 2\n', false],
    ['a tab', 'a:\t1\n', false],
    ['a document marker', '---\na: 1\n', false],
  ];
  for (const [name, text, takesFastPath] of cases) {
    it(`${name}: ${takesFastPath ? 'fast path, same value' : 'left to js-yaml'}`, () => {
      assert.equal(agrees(text), takesFastPath);
    });
  }

  it('the bundled example and a synthetic 2 000-phone inventory take the fast path', () => {
    for (const text of [readFileSync(new URL('../../../examples/inventory.yaml', import.meta.url), 'utf8'), synthInventory(2000).text]) {
      assert.ok(agrees(text), 'fast path not taken');
    }
  });

  it('parseInventory gives the same data and the same finding positions either way', () => {
    const text = readFileSync(new URL('../../../examples/inventory.yaml', import.meta.url), 'utf8');
    const fast = parseInventory(text, 'inventory.yaml');
    // An anchor on the version (same lines, same columns before it): js-yaml's path.
    const slow = parseInventory(text.replace(/^version: 1$/m, 'version: &v 1'), 'inventory.yaml');
    assert.equal(loadYamlSubset(text.replace(/^version: 1$/m, 'version: &v 1')), undefined);
    assert.deepStrictEqual(fast.data, slow.data);
    for (const path of [
      ['phones', 3, 'model'],
      ['sites', 1, 'sipServer', 'vip', 'host'],
      ['places', 12],
    ]) {
      assert.deepStrictEqual(fast.locate(path), slow.locate(path));
    }
  });

  it('says whether every string is printable ASCII and no key is a prototype name (the rules that walk for them rely on it)', () => {
    const doc = (value: string, key = 'name') => `version: 1\nsites:\n  - id: east\n    ${key}: ${value}\n`;
    assert.deepStrictEqual(readYamlSubset(doc('Boston')), { data: { version: 1, sites: [{ id: 'east', name: 'Boston' }] }, printable: true, plainKeys: true });
    for (const value of ['"Bo\u202eston"', 'Bo\u200bston', "'Zürich'", '{ a: "x\u00a0y" }', '[é]']) {
      const read = readYamlSubset(doc(value));
      assert.ok(read, `fast path not taken for ${value}`);
      assert.equal(read.printable, false, value);
      assert.equal(read.plainKeys, true, value);
    }
    assert.equal(readYamlSubset(doc('x', 'prototype'))?.plainKeys, false);
    assert.equal(readYamlSubset(doc('{ prototype: 1 }'))?.plainKeys, false);
    // __proto__ and constructor are left to js-yaml.
    assert.equal(readYamlSubset(doc('x', '__proto__')), undefined);
    assert.equal(readYamlSubset(doc('x', 'constructor')), undefined);
    // parseInventory passes both on; js-yaml's documents are walked (flags false).
    const fast = parseInventory(doc('"Bo\u202eston"'), 'x.yaml');
    assert.equal(fast.printable, false);
    const slow = parseInventory(`${doc('Boston')}anchor: &a 1\n`, 'x.yaml');
    assert.equal(slow.printable, false);
    assert.equal(slow.plainKeys, false);
    assert.equal(parseInventory(doc('Boston'), 'x.yaml').printable, true);
  });
});
