/**
 * Injection (issue 6): no inventory value — user, password (literal, env, file), extension, place
 * id, agent login/user, site id/name, zone, subdomain, host, address, MAC, model, even the
 * inventory's file name — can add a line to a key=value file (Yealink, AudioCodes, Alcatel,
 * baresip), an element or attribute to an XML file (Poly, Cisco, Snom, Grandstream), a record to
 * the zone or nsupdate script, or a row/column to a CSV.
 *
 * Every case runs the real generate pipeline (planOutputs: validate → policy → DNS → secrets →
 * render). The outcome must be either a refusal (error findings and no files, or a SipbcError
 * with exit 1/2 — never a crash), or files whose STRUCTURE is exactly the baseline's: the same
 * keys in the same order, the same XML elements/attributes, the same record lines, the same CSV
 * shape. Where the value is rendered, it must come back out exactly (after XML unescaping).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SipbcError } from '../../src/core/errors.js';
import type { GenerateResult } from '../../src/core/generate.js';
import type { OutputFile } from '../../src/core/output.js';
import { escapeXml, checkKeyValue, ESCAPERS } from '../../src/core/render/escape.js';
import { cleanupTempDirs, clone, FAMILY_MODELS, planText, securityInventory, tempDir, type Obj } from '../support/security.js';

after(cleanupTempDirs);

/** Values a hostile or careless inventory could carry. */
const PAYLOADS: readonly string[] = [
  'a\nevil = 1',
  'a\r\nevil=1',
  'a\revil=1',
  'a\u2028evil=1',
  'a\u2029evil=1',
  'a\u0085evil=1',
  'a\u000bevil',
  'a\u000cevil',
  'a\u0000evil',
  'a\tb',
  'a\u001bb',
  '"/><evil a="1',
  "'/><evil a='1",
  '</Password_1_><Evil>1</Evil><Password_1_>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
  '<!--',
  '-->',
  ']]>',
  '&amp;&lt;&#10;',
  'a;auth_pass=evil',
  'x>;outbound="sip:evil.example"',
  'a,b',
  'a b',
  'a\\',
  '#comment',
  '[section]',
  'a=b',
  '{{line.password}}',
  '{{#each this}}x{{/each}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion an attacker would try, as plain text
  '${HOME}$(id)`id`',
  '@ 300 IN A 6.6.6.6',
  '=HYPERLINK("http://evil")',
  "o'neil(1)+*!~",
  '\ud800x',
  'é€😀',
];

/** An inventory edit that puts payload `p` somewhere; `env`/`files` for secrets. */
interface Mutation {
  name: string;
  apply(inv: Obj, p: string, ctx: { dir: string; env: Record<string, string> }): void;
  /** The value must appear, decoded, in every phone file of these formats when accepted. */
  rendered?: (p: string) => string;
  /** Exactly which payloads a full run accepts (default: MUST_ACCEPT are among them). */
  accepts?: (p: string) => boolean;
  /** The inventory file name carries the payload. */
  fileName?: (p: string) => string;
}

const MUTATIONS: readonly Mutation[] = [
  // A SIP user (issue 18): 1-64 of letters, digits and - _ . ! ~ * ' ( ) +, whatever the file format could carry.
  {
    name: 'auth.user',
    apply: (inv, p) => inv.phones.forEach((ph: Obj) => (ph.auth.user = p)),
    rendered: (p) => p,
    accepts: (p) => /^[A-Za-z0-9._~!*'()+-]{1,64}$/.test(p),
  },
  { name: 'password (literal)', apply: (inv, p) => inv.phones.forEach((ph: Obj) => (ph.auth.password = p)), rendered: (p) => p },
  { name: 'password (env)', apply: (_inv, p, ctx) => (ctx.env.SIP_PW = p), rendered: (p) => p },
  {
    name: 'password (file)',
    apply: (inv, p, ctx) => {
      writeFileSync(join(ctx.dir, 'pw.txt'), p);
      inv.phones.forEach((ph: Obj) => (ph.auth.password = { file: join(ctx.dir, 'pw.txt') }));
    },
    // As the file holds it (a lone surrogate is written as U+FFFD); one trailing newline is stripped.
    rendered: (p) =>
      Buffer.from(p, 'utf8')
        .toString('utf8')
        .replace(/\r?\n$/, ''),
  },
  {
    name: 'extension',
    apply: (inv, p) => inv.places.forEach((pl: Obj, i: number) => (pl.extensions = { east: `${p}${i}`, west: `${p}${i}` })),
  },
  {
    name: 'place id',
    apply: (inv, p) => {
      inv.places.forEach((pl: Obj, i: number) => (pl.id = `${p}${i}`));
      inv.agents.forEach((a: Obj, i: number) => (a.place = `${p}${i}`));
      inv.phones.forEach((ph: Obj, i: number) => (ph.place = `${p}${i}`));
    },
  },
  { name: 'agent login', apply: (inv, p) => inv.agents.forEach((a: Obj, i: number) => (a.login = `${p}${i}`)) },
  { name: 'agent user', apply: (inv, p) => inv.agents.forEach((a: Obj) => (a.user = p)) },
  { name: 'site name', apply: (inv, p) => (inv.sites[0].name = p) },
  {
    name: 'site id',
    apply: (inv, p) => {
      inv.sites[0].id = p;
      for (const pl of inv.places) pl.extensions = { [p]: pl.extensions.east, west: pl.extensions.west };
      for (const a of inv.agents) if (a.preferredSite === 'east') a.preferredSite = p;
    },
  },
  { name: 'dns.zone', apply: (inv, p) => (inv.dns.zone = `contoso${p}.example`) },
  { name: 'dns.subdomain', apply: (inv, p) => (inv.dns.subdomain = p) },
  { name: 'server host', apply: (inv, p) => (inv.sites[0].sipServer.primary.host = `sipsrv-a${p}.east.contoso.example`) },
  { name: 'server address', apply: (inv, p) => (inv.sites[0].sipServer.primary.address = `10.1.0.11${p}`) },
  { name: 'MAC', apply: (inv, p) => (inv.phones[0].mac = `00:15:65:00:00:01${p}`) },
  { name: 'model', apply: (inv, p) => (inv.phones[0].model = `yealink-t54w${p}`) },
  { name: 'switch DN', apply: (inv, p) => (inv.switchDNs[0].number = p) },
  { name: 'stat server version', apply: (inv, p) => (inv.genesys.statServerVersion = `8.1.2${p}`) },
  { name: 'inventory file name', apply: () => undefined, fileName: (p) => `inv${p.replace(/\//g, '')}.json` },
];

// ---------------------------------------------------------------- structure of each format

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  preserveOrder: true,
  commentPropName: '#comment',
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

type Node = Record<string, unknown>;

/** Element names, attribute names and comment count, in document order (values left out). */
function xmlSkeleton(text: string): string[] {
  const valid = XMLValidator.validate(text);
  assert.equal(valid, true, `not well-formed XML: ${JSON.stringify(valid)}`);
  assert.ok(!/<!DOCTYPE|<!ENTITY/i.test(text), 'a DOCTYPE/ENTITY declaration got into the file');
  const out: string[] = [];
  const walk = (nodes: Node[], depth: number) => {
    for (const n of nodes) {
      for (const [k, v] of Object.entries(n)) {
        if (k === ':@') continue;
        if (k === '#text') continue;
        if (k === '#comment') {
          out.push(`${depth}:<!---->`);
          continue;
        }
        const attrs = n[':@'] ? Object.keys(n[':@'] as object).join(',') : '';
        out.push(`${depth}:<${k} ${attrs}>`);
        if (Array.isArray(v)) walk(v as Node[], depth + 1);
      }
    }
  };
  walk(xmlParser.parse(text) as Node[], 0);
  return out;
}

/** Every text and attribute value of an XML document, decoded. */
function xmlValues(text: string): string[] {
  const out: string[] = [];
  const walk = (nodes: Node[]) => {
    for (const n of nodes) {
      if (n[':@']) for (const v of Object.values(n[':@'] as object)) out.push(String(v));
      for (const [k, v] of Object.entries(n)) {
        if (k === '#text') out.push(String(v));
        else if (k !== ':@' && Array.isArray(v)) {
          const texts = (v as Node[]).filter((c) => '#text' in c).map((c) => String(c['#text']));
          out.push(texts.join(''));
          walk(v as Node[]);
        }
      }
    }
  };
  walk(xmlParser.parse(text) as Node[]);
  return out;
}

/** Characters a line-oriented parser may take as the end of a line, or choke on. */
const LINE_BREAKERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** key=value and INI: the keys (or comment/section markers) line by line; baresip: the URI parameter names. */
function keyValueSkeleton(text: string): string[] {
  const m = LINE_BREAKERS.exec(text);
  assert.equal(m, null, `a control or line-separator character U+${m?.[0].charCodeAt(0).toString(16)} got into a key=value file`);
  return text.split('\n').map((line) => {
    if (line.startsWith('#')) return '#';
    if (line.startsWith('[')) return line;
    if (line.startsWith('<')) {
      const params = [...line.matchAll(/;([^=;<>]+)=/g)].map((x) => x[1]);
      const shape = line.replace(/[^<>;,"\\ ]/g, '');
      return `uri ${shape} ${params.join(',')}`;
    }
    const eq = line.indexOf('=');
    if (eq === -1) return line.split(/\s/)[0]; // baresip config: "name<TAB>value"
    return line.slice(0, eq).trim();
  });
}

const RECORD =
  /^(@|(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\.?)+) +\d+ IN (?:A +(?:\d{1,3}\.){3}\d{1,3}|AAAA +[0-9a-f:]+|SRV +\d+ +\d+ +\d+ (?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+|NAPTR +\d+ +\d+ "s" "(?:SIP\+D2U|SIP\+D2T|SIPS\+D2T)" +"" (?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?\.)+)$/;
const NAME = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\.)+$/;

function zoneSkeleton(text: string): string[] {
  assert.ok(!LINE_BREAKERS.test(text), 'a control character got into the zone file');
  return text
    .trimEnd()
    .split('\n')
    .map((line, i) => {
      if (i === 0) {
        assert.match(line, /^; /);
        return ';';
      }
      if (line.startsWith('$ORIGIN ')) {
        assert.match(line.slice(8), NAME);
        return '$ORIGIN';
      }
      if (line.startsWith('$TTL ')) return '$TTL';
      assert.match(line, RECORD, `not a plain record line: ${JSON.stringify(line)}`);
      return line.split(/ +/).slice(2, 4).join(' ');
    });
}

function nsupdateSkeleton(text: string): string[] {
  assert.ok(!LINE_BREAKERS.test(text), 'a control character got into the nsupdate script');
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      if (line.startsWith(';')) return ';';
      let m = /^zone (\S+)$/.exec(line);
      if (m) {
        assert.match(m[1], NAME);
        return 'zone';
      }
      m = /^update delete (\S+) (A|AAAA|NAPTR|SRV)$/.exec(line);
      if (m) {
        assert.match(m[1], NAME);
        return `delete ${m[2]}`;
      }
      m = /^update add (\S+) \d+ IN (A|AAAA|NAPTR|SRV) (.+)$/.exec(line);
      if (m) {
        assert.match(m[1], NAME);
        assert.match(`x ${1} IN ${m[2]} ${m[3]}`, RECORD);
        return `add ${m[2]}`;
      }
      assert.equal(line, 'send', `unexpected nsupdate line ${JSON.stringify(line)}`);
      return 'send';
    });
}

/** RFC 4180 rows → cell counts. */
function csvShape(text: string): number[] {
  const rows: number[] = [];
  let cells = 1;
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') i++;
      else if (c === '"') q = false;
    } else if (c === '"') q = true;
    else if (c === ',') cells++;
    else if (c === '\n') {
      rows.push(cells);
      cells = 1;
    } else if (c === '\r') assert.fail('bare CR outside quotes in a CSV');
  }
  assert.equal(q, false, 'unterminated quote in CSV');
  return rows;
}

/** Values of a key=value file: what follows the first '=' ("key = value" or "key=value"); baresip: each ;param=value. */
function keyValueValues(text: string): string[] {
  return text.split('\n').flatMap((l) => (l.startsWith('<') ? [...l.matchAll(/;[^=;]+=([^;]*)/g)].map((m) => m[1]) : [l.replace(/^[^=]*?= ?/, '')]));
}

/** A path with the zone name taken out, so files of two runs can be paired. */
function kindOf(path: string): string {
  return path.replace(/^dns\/.*\.(zone|nsupdate)$/, 'dns/ZONE.$1');
}

function formatOf(path: string): 'xml' | 'keyvalue' | 'zone' | 'nsupdate' | 'csv' {
  if (path.endsWith('.zone')) return 'zone';
  if (path.endsWith('.nsupdate')) return 'nsupdate';
  if (path.endsWith('.csv')) return 'csv';
  const fam = FAMILY_MODELS.find((f) => path.startsWith(`phones/${f.family}/`));
  assert.ok(fam, `unknown output ${path}`);
  if (fam.family === 'poly') return 'xml';
  return fam.format;
}

function skeleton(f: OutputFile): unknown {
  switch (formatOf(f.path)) {
    case 'xml':
      return xmlSkeleton(f.contents);
    case 'keyvalue':
      return keyValueSkeleton(f.contents);
    case 'zone':
      return zoneSkeleton(f.contents);
    case 'nsupdate':
      return nsupdateSkeleton(f.contents);
    case 'csv':
      return csvShape(f.contents);
  }
}

// ---------------------------------------------------------------- the matrix

const BASE = securityInventory({ phonesPerFamily: 3 });
/** baresip refuses ; , < > " \\ and spaces in credentials (no escaping exists), which would refuse the whole run: without it, the other families get those values. */
const BASE_NO_BARESIP = securityInventory({ phonesPerFamily: 3, families: FAMILY_MODELS.filter((f) => f.family !== 'baresip').map((f) => f.family) });
const ENV = { SIP_PW: 'Base-Pw-1' };

/** Credentials every family but baresip must accept (and carry intact): they are legal in XML and key=value files once escaped. */
const MUST_ACCEPT = [
  '"/><evil a="1',
  "'/><evil a='1",
  '</Password_1_><Evil>1</Evil><Password_1_>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
  '-->',
  ']]>',
  'a;auth_pass=evil',
  'a=b',
  '{{line.password}}',
  'é€😀',
];

interface Baseline {
  name: string;
  inv: Obj;
  byKind: Map<string, OutputFile>;
  skeletons: Map<string, unknown>;
}

function baselineOf(name: string, inv: Obj): Baseline {
  const r = planText(JSON.stringify(inv), ENV, { file: 'inventory.json' });
  assert.deepEqual(
    r.findings.filter((f) => f.severity === 'error'),
    [],
    `${name}: baseline has errors`,
  );
  return { name, inv, byKind: new Map(r.files.map((f) => [kindOf(f.path), f])), skeletons: new Map(r.files.map((f) => [kindOf(f.path), skeleton(f)])) };
}

const BASELINES = [baselineOf('all families', BASE), baselineOf('all but baresip', BASE_NO_BARESIP)];
const baseByKind = BASELINES[0].byKind;
const baseline = { files: [...baseByKind.values()], findings: [] as GenerateResult['findings'] };

describe('injection: the baseline', () => {
  it('generates every family (dual and active-backup), the zone, the nsupdate script and the CSVs', () => {
    assert.deepEqual(
      baseline.findings.filter((f) => f.severity === 'error'),
      [],
    );
    for (const fam of FAMILY_MODELS)
      assert.ok(
        baseline.files.some((f) => f.path.startsWith(`phones/${fam.family}/`)),
        fam.family,
      );
    for (const k of ['dns/ZONE.zone', 'dns/ZONE.nsupdate', 'policy.csv']) assert.ok(baseByKind.has(k), k);
  });
});

describe('injection: every payload in every field, through the real generate', () => {
  for (const m of MUTATIONS) {
    it(`${m.name}: refused, or the same structure with the value intact`, () => {
      const accepted = new Set<string>();
      for (const base of BASELINES) {
        for (const p of PAYLOADS) {
          const inv = clone(base.inv);
          const env = { ...ENV };
          const dir = tempDir();
          m.apply(inv, p, { dir, env });
          const file = m.fileName ? m.fileName(p) : 'inventory.json';
          for (const only of [undefined, ['dns', 'policy', 'genesys']] as const) {
            const label = `${base.name}: ${m.name} = ${JSON.stringify(p)}${only ? ' (--only dns,policy,genesys)' : ''}`;
            let r: GenerateResult;
            try {
              // The inventory's directory is the secrets root: the secret file is written there.
              r = planText(JSON.stringify(inv), env, { file, only: only ? [...only] : undefined, baseDir: dir });
            } catch (e) {
              if (!(e instanceof SipbcError)) throw new Error(`${label}: generate crashed instead of refusing: ${(e as Error).stack}`);
              assert.ok(e.exitCode === 1 || e.exitCode === 2, `${label}: exit ${e.exitCode}: ${e.message}`);
              assert.ok(!/[\r\n]/.test(e.message), `${label}: multi-line error ${JSON.stringify(e.message)}`);
              continue;
            }
            if (r.findings.some((f) => f.severity === 'error')) {
              assert.deepEqual(r.files, [], `${label}: files despite errors`);
              continue;
            }
            if (!only && base === BASELINES[1]) accepted.add(p);
            for (const f of r.files) {
              const kind = kindOf(f.path);
              assert.ok(base.byKind.has(kind), `${label}: unexpected output ${f.path}`);
              assert.deepEqual(skeleton(f), base.skeletons.get(kind), `${label}: ${f.path} changed shape:\n${f.contents}`);
              if (m.rendered && f.path.startsWith('phones/') && f.secret) {
                const want = m.rendered(p);
                const values = formatOf(f.path) === 'xml' ? xmlValues(f.contents) : keyValueValues(f.contents);
                assert.ok(values.includes(want), `${label}: the value does not come back out of ${f.path} unchanged:\n${f.contents}`);
              }
            }
          }
        }
      }
      if (m.accepts) {
        for (const p of PAYLOADS)
          assert.equal(accepted.has(p), m.accepts(p), `${m.name} = ${JSON.stringify(p)} was ${accepted.has(p) ? 'accepted' : 'refused'}`);
      } else if (m.rendered) {
        for (const p of MUST_ACCEPT) assert.ok(accepted.has(p), `${m.name} = ${JSON.stringify(p)} was refused, but an XML or key=value file can carry it`);
      }
    });
  }
});

describe('injection: one escaping/refusal function per format, used by every template', () => {
  it('xml: escapes the five special characters and refuses every control character and lone surrogate', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f`, { subject: 's', field: 'f' }), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    for (const bad of ['\n', '\r', '\u0000', '\u001f', '\u007f', '\u0085', '\u2028', '\u2029', '\ufffe', '\ud800', '\udc00']) {
      assert.throws(
        () => escapeXml(`a${bad}b`, { subject: 'phone x', field: 'line.password' }),
        (e: unknown) => e instanceof SipbcError && !e.message.includes(`a${bad}b`),
      );
    }
    assert.equal(escapeXml('😀', { subject: 's', field: 'f' }), '😀');
  });

  it('key=value: passes text through and refuses anything that could end a line', () => {
    assert.equal(checkKeyValue('a = b; c', { subject: 's', field: 'f' }), 'a = b; c');
    for (const bad of ['\n', '\r', '\u000b', '\u000c', '\u0085', '\u2028', '\u2029', '\u0000']) {
      assert.throws(() => checkKeyValue(`x${bad}`, { subject: 's', field: 'f' }), SipbcError);
    }
  });

  it('every catalogue file declares a format that has an escaper', async () => {
    const { loadCatalogue } = await import('../../src/core/catalogue.js');
    const cat = loadCatalogue();
    for (const [id, fam] of Object.entries(cat.families)) {
      for (const spec of [...fam.files, ...fam.commonFiles]) assert.ok(Object.hasOwn(ESCAPERS, spec.format), `${id}: ${spec.name} has format ${spec.format}`);
    }
  });

  it('a user template cannot bypass escaping: triple-stash gets the already-escaped value', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'cisco'));
    writeFileSync(join(dir, 'cisco', 'mac.xml.hbs'), '<?xml version="1.0"?>\n<x a="{{{line.password}}}">{{{line.authUser}}}</x>\n');
    const render = (user: string, pw: string) => {
      const inv = securityInventory({ phonesPerFamily: 3, families: ['cisco'] });
      inv.phones.forEach((ph: Obj) => (ph.auth.user = user));
      return planText(JSON.stringify(inv), { SIP_PW: pw }, { userTemplatesDir: dir, only: ['phones'] }).files.filter((f) => f.path.startsWith('phones/cisco/'));
    };
    const benign = render('u', 'p');
    // The user holds the one XML special a SIP user may hold: the apostrophe.
    const hostile = render("o'neil", `"'/><evil a='1`);
    assert.ok(hostile.length > 0);
    hostile.forEach((f, i) => {
      assert.deepEqual(xmlSkeleton(f.contents), xmlSkeleton(benign[i].contents), f.contents);
      assert.ok(xmlValues(f.contents).includes(`"'/><evil a='1`), f.contents);
      assert.ok(xmlValues(f.contents).includes("o'neil"), f.contents);
      assert.ok(f.contents.includes('o&apos;neil'), f.contents);
    });
  });
});
