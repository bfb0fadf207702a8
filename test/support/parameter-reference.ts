/**
 * The per-family parameter references (templates/<family>/parameters.json) and a reader that lists
 * every key=value a generated file sets, per file syntax. Used by test/core/parameter-reference.test.ts.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SHIPPED_TEMPLATES } from '../../src/core/catalogue.js';
import { hostNameProblem } from '../../src/core/dns-names.js';

export interface ParameterSpec {
  values?: string[];
  type?: 'integer' | 'string' | 'host' | 'host-port' | 'host-port-transport' | 'ip' | 'mac' | 'sip-uri';
  min?: number;
  max?: number;
  /** Extra literal values allowed besides the type (Yealink's %NULL% reset token). */
  also?: string[];
  allowEmpty?: boolean;
  /** host-port: an SRV owner name (_sip._tcp.name) is allowed too (Cisco Proxy with DNS SRV on). */
  srvOwner?: boolean;
  source: { guide: string; section: string };
}

export interface FileSyntax {
  syntax: 'keyvalue' | 'ini' | 'xml-elements' | 'xml-attributes' | 'baresip-accounts' | 'baresip-config';
  /** XML: '/'-separated path of the element whose children (xml-elements) or attributes (xml-attributes) are the keys. */
  element?: string;
  /** xml-elements: further single elements that are keys themselves (Grandstream gs_provision/mac). */
  also?: string[];
  /** xml-attributes: prefix of the key names. */
  prefix?: string;
  /** xml-elements: allowed values of each child's attributes. */
  attributes?: Record<string, string[]>;
}

export interface ParameterReference {
  family: string;
  checkedAgainst: string;
  files: Record<string, FileSyntax>;
  parameters: Record<string, ParameterSpec>;
}

export function loadReference(familyDir: string): ParameterReference {
  return JSON.parse(readFileSync(join(SHIPPED_TEMPLATES, familyDir, 'parameters.json'), 'utf8')) as ParameterReference;
}

/** The file syntax for a generated file name (patterns with {mac} / {MAC}). */
export function syntaxFor(ref: ParameterReference, name: string): FileSyntax | undefined {
  for (const [pattern, syntax] of Object.entries(ref.files)) {
    const re = new RegExp(
      '^' +
        pattern
          .replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '{' || c === '}' ? c : `\\${c}`))
          .replace('{mac}', '[0-9a-f]{12}')
          .replace('{MAC}', '[0-9A-F]{12}') +
        '$',
    );
    if (re.test(name)) return syntax;
  }
  return undefined;
}

export interface Setting {
  key: string;
  value: string;
  /** Attributes of an XML element setting. */
  attributes?: Record<string, string>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  commentPropName: '#comment',
});

function at(doc: unknown, path: string): Record<string, unknown> {
  let node = doc as Record<string, unknown>;
  for (const part of path.split('/')) {
    node = node?.[part] as Record<string, unknown>;
    if (node === undefined) throw new Error(`no element ${path}`);
  }
  return node;
}

function elementSetting(key: string, v: unknown): Setting {
  if (typeof v === 'string') return { key, value: v };
  const o = v as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) if (k.startsWith('@_')) attributes[k.slice(2)] = String(x);
  return { key, value: typeof o['#text'] === 'string' ? (o['#text'] as string) : '', attributes };
}

/** Every setting a file makes, in file order (XML: document order per element name). */
export function settingsOf(syntax: FileSyntax, text: string): Setting[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  switch (syntax.syntax) {
    case 'keyvalue':
      return lines.map((l) => {
        const i = l.indexOf('=');
        if (i < 0) throw new Error(`not key=value: ${l}`);
        return { key: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
      });
    case 'ini': {
      let section = '';
      const out: Setting[] = [];
      for (const l of lines) {
        const m = /^\[([a-z0-9_]+)\]$/.exec(l);
        if (m) section = m[1];
        else {
          const i = l.indexOf('=');
          if (i < 0 || section === '') throw new Error(`not key=value in a section: ${l}`);
          out.push({ key: `${section}.${l.slice(0, i)}`, value: l.slice(i + 1) });
        }
      }
      return out;
    }
    case 'xml-elements': {
      const doc = parser.parse(text) as unknown;
      const out: Setting[] = [];
      for (const [k, v] of Object.entries(at(doc, syntax.element!))) {
        if (k.startsWith('@_') || k === '#text' || k === '#comment') continue;
        for (const item of Array.isArray(v) ? v : [v]) out.push(elementSetting(k, item));
      }
      for (const path of syntax.also ?? []) out.push(elementSetting(path.split('/').at(-1)!, at(doc, path)));
      return out;
    }
    case 'xml-attributes': {
      const node = at(parser.parse(text), syntax.element!);
      return Object.entries(node)
        .filter(([k]) => k.startsWith('@_'))
        .map(([k, v]) => ({ key: (syntax.prefix ?? '') + k.slice(2), value: String(v) }));
    }
    case 'baresip-accounts':
      return lines.flatMap((l) => {
        const m = /^(<sip:[^>]*>)(.*)$/.exec(l);
        if (!m) throw new Error(`not an account line: ${l}`);
        const out: Setting[] = [{ key: 'aor', value: m[1] }];
        for (const p of m[1].slice(1, -1).split(';').slice(1)) {
          const [k, v = ''] = p.split('=');
          out.push({ key: `aor.${k}`, value: v });
        }
        for (const p of m[2].split(';').slice(1)) {
          const [k, v = ''] = p.split('=');
          out.push({ key: k, value: v });
        }
        return out;
      });
    case 'baresip-config':
      return lines.map((l) => {
        const m = /^(\S+)\s+(.*)$/.exec(l);
        if (!m) throw new Error(`not "key value": ${l}`);
        return { key: m[1], value: m[2] };
      });
  }
}

function hostOk(h: string, srvOwner = false): boolean {
  const name = srvOwner ? h.replace(/^(_sip\._udp|_sip\._tcp|_sips\._tcp)\./, '') : h;
  return hostNameProblem(name) === undefined;
}

function hostPortOk(v: string, srvOwner = false): boolean {
  const m = /^([^:;]+)(?::(\d{1,5}))?$/.exec(v);
  return !!m && hostOk(m[1], srvOwner) && (m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65535));
}

/** Why `value` is not allowed by `spec`, or undefined when it is. */
export function valueProblem(spec: ParameterSpec, value: string): string | undefined {
  if (spec.also?.includes(value)) return undefined;
  if (spec.allowEmpty && value === '') return undefined;
  if (spec.values) return spec.values.includes(value) ? undefined : `not one of ${spec.values.join(', ')}`;
  switch (spec.type) {
    case 'integer': {
      if (!/^\d+$/.test(value)) return 'not an integer';
      const n = Number(value);
      return n < (spec.min ?? 0) || n > (spec.max ?? Infinity) ? `outside ${spec.min}-${spec.max}` : undefined;
    }
    case 'string':
      return /[\n\r]/.test(value) ? 'has a line break' : undefined;
    case 'host':
      return hostOk(value) ? undefined : 'not a host name';
    case 'host-port':
      return hostPortOk(value, spec.srvOwner) ? undefined : 'not host[:port]';
    case 'host-port-transport': {
      const m = /^(.*);transport=(udp|tcp|tls)$/.exec(value);
      return m && hostPortOk(m[1]) ? undefined : 'not host[:port];transport=udp|tcp|tls';
    }
    case 'ip':
      return isIP(value) ? undefined : 'not an IP address';
    case 'mac':
      return /^[0-9a-f]{12}$/.test(value) ? undefined : 'not a 12-digit lower-case MAC';
    case 'sip-uri': {
      const m = /^<sip:[^@<>;]+@([^;>]+)(;transport=(udp|tcp|tls))?>$/.exec(value);
      return m && hostOk(m[1]) ? undefined : 'not <sip:user@host;transport=x>';
    }
    default:
      return `the reference gives no type or values`;
  }
}
