/**
 * Reading an inventory: YAML or JSON, a path or `-` for stdin.
 *
 * Parsing uses js-yaml 4 `load` (fast, small: the `yaml` package's document
 * model is ~15× slower and ~10× bigger on a 100 000-phone file). Source
 * positions are needed only for findings, so they are computed lazily: the
 * first `locate` call parses the text again with js-yaml's `listener` and
 * keeps positions only for the containers on the requested paths.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yaml from 'js-yaml';
import { ExitCode, SipbcError } from './errors.js';
import type { SourcePosition } from './findings.js';

export type JsonPath = readonly (string | number)[];

export interface LoadedInventory {
  /** The file name as the user gave it ('<stdin>' for -). */
  file: string;
  /** Directory that relative `file:` secrets are resolved against. */
  baseDir: string;
  text: string;
  data: unknown;
  /** Position of the value at `path` (or of its key with `{ key: true }`); the nearest existing ancestor when the path does not exist. */
  locate(path: JsonPath, opts?: { key?: boolean }): SourcePosition;
}

/** Maximum nesting: a legitimate inventory is 6 levels deep. */
const MAX_DEPTH = 64;

export function readInventorySource(pathOrDash: string, stdin?: () => string): { file: string; baseDir: string; text: string } {
  if (pathOrDash === '-') {
    let text: string;
    try {
      text = stdin ? stdin() : readFileSync(0, 'utf8');
    } catch (e) {
      throw new SipbcError(`cannot read the inventory from stdin: ${(e as Error).message}`, ExitCode.USAGE);
    }
    return { file: '<stdin>', baseDir: process.cwd(), text };
  }
  let st;
  try {
    st = statSync(pathOrDash);
  } catch {
    throw new SipbcError(`${pathOrDash}: no such file`, ExitCode.USAGE, 'check the path, or use - to read the inventory from stdin');
  }
  if (st.isDirectory()) throw new SipbcError(`${pathOrDash}: is a directory, not an inventory file`, ExitCode.USAGE);
  let text: string;
  try {
    text = readFileSync(pathOrDash, 'utf8');
  } catch (e) {
    throw new SipbcError(`${pathOrDash}: cannot read: ${(e as Error).message}`, ExitCode.USAGE);
  }
  return { file: pathOrDash, baseDir: dirname(resolve(pathOrDash)), text };
}

export function parseInventory(text: string, file: string, baseDir = process.cwd()): LoadedInventory {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    const pos = offsetToPosition(text, nul);
    throw new SipbcError(`${file}:${pos.line}:${pos.column}: this is not a text file (it contains a NUL byte); an inventory is YAML or JSON text`, ExitCode.USAGE);
  }
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file, json: false, schema: yaml.CORE_SCHEMA, maxDepth: MAX_DEPTH } as yaml.LoadOptions);
  } catch (e) {
    throw yamlError(e, file, text);
  }
  checkAliasExpansion(data, text, file);
  let index: PositionIndex | undefined;
  return {
    file,
    baseDir,
    text,
    data,
    locate(path, opts) {
      index ??= new PositionIndex(text);
      return index.locate(path, opts?.key ?? false);
    },
  };
}

export function loadInventory(pathOrDash: string): LoadedInventory {
  const src = readInventorySource(pathOrDash);
  return parseInventory(src.text, src.file, src.baseDir);
}

/**
 * YAML aliases (`*name`) share one object, so js-yaml loads a "billion laughs" document in
 * microseconds — but every later walk (schema, rules, renderers) would visit 9^10 nodes. Refuse a
 * document whose aliases expand it to more than 10 times its own size (plus a margin for the
 * legitimate `auth: *auth` kind of sharing). Counted once per distinct object, so linear time.
 */
const MAX_ALIAS_EXPANSION = { factor: 10, margin: 1_000_000 };

function checkAliasExpansion(data: unknown, text: string, file: string): void {
  if (data === null || typeof data !== 'object' || !text.includes('*')) return;
  const memo = new Map<object, number>();
  let own = 0;
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const hit = memo.get(v);
    if (hit !== undefined) return hit;
    memo.set(v, 1);
    const kids = Array.isArray(v) ? v : Object.values(v);
    own += 1 + kids.length;
    let n = 1;
    for (const k of kids) n += size(k);
    memo.set(v, n);
    return n;
  };
  const expanded = size(data);
  if (expanded <= MAX_ALIAS_EXPANSION.factor * own + MAX_ALIAS_EXPANSION.margin) return;
  const at = /(^|[\s[{,:?-])\*[^\s,[\]{}]/m.exec(text);
  const pos = at ? offsetToPosition(text, at.index + at[1].length) : { line: 1, column: 1 };
  throw new SipbcError(
    `${file}:${pos.line}:${pos.column}: the YAML aliases (*name) expand the document to more than ${expanded > 1e12 ? 'a trillion' : Math.round(expanded).toLocaleString('en-US')} values (an "alias bomb"); refused`,
    ExitCode.USAGE,
    'write the values out, or share only small mappings such as auth: *auth',
  );
}

function yamlError(e: unknown, file: string, text?: string): SipbcError {
  if (e instanceof yaml.YAMLException) {
    const m = e.mark;
    // js-yaml gives no mark for "expected a single document": point at the second document's start.
    const second = !m && text !== undefined ? /^(?:---|\.\.\.)(?:[ \t]|$)/m.exec(text.slice(1)) : null;
    const pos = m ? { line: m.line + 1, column: m.column + 1 } : second ? offsetToPosition(text!, second.index + 1) : { line: 1, column: 1 };
    const where = `${file}:${pos.line}:${pos.column}`;
    return new SipbcError(`${where}: cannot parse the inventory: ${e.reason}`, ExitCode.USAGE, 'fix the YAML/JSON syntax at that position');
  }
  return new SipbcError(`${file}: cannot parse the inventory: ${(e as Error).message}`, ExitCode.USAGE);
}

export function offsetToPosition(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

interface NodeInfo {
  offset: number; // first character of the node
  result: unknown;
  kind: string | null;
  /** Followed by ':' — a mapping key (nodes without a value do not break the key/value pairing). */
  isKey?: boolean;
  children?: NodeInfo[];
}

/** Offsets of keys and values inside the containers that lie on the requested paths. */
class PositionIndex {
  private readonly containers = new Map<object, NodeInfo>();
  private readonly lineStarts: number[] = [0];

  /** The document as this second parse built it: the containers map is keyed by its objects. */
  private readonly data: unknown;

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    const stack: NodeInfo[] = [];
    const containers = this.containers;
    const listener = (event: 'open' | 'close', state: { position: number; kind: string | null; result: unknown }) => {
      if (event === 'open') {
        stack.push({ offset: this.skipBlank(state.position), result: undefined, kind: null, children: [] });
        return;
      }
      let node = stack.pop()!;
      node.result = state.result;
      node.kind = state.kind;
      node.isKey = this.colonFollows(state.position);
      // A node that only wraps one child with the same value (js-yaml tried a block mapping and kept the scalar) is that child.
      if (node.children!.length === 1 && node.children![0].result === node.result) node = node.children![0];
      if (node.result !== null && typeof node.result === 'object') {
        if (!containers.has(node.result)) containers.set(node.result, node);
      } else {
        delete node.children;
      }
      stack[stack.length - 1]?.children!.push(node);
    };
    this.data = yaml.load(text, { schema: yaml.CORE_SCHEMA, maxDepth: MAX_DEPTH, listener } as yaml.LoadOptions);
  }

  private colonFollows(pos: number): boolean {
    const t = this.text;
    while (t.charCodeAt(pos) === 0x20 || t.charCodeAt(pos) === 0x09) pos++;
    return t.charCodeAt(pos) === 0x3a;
  }

  /** The first character of the node that starts at or after `pos`: skips spaces, line breaks and comments. */
  private skipBlank(pos: number): number {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else if (c === 0x23 /* # */) {
        const nl = t.indexOf('\n', pos);
        if (nl === -1) return pos;
        pos = nl + 1;
      } else return pos;
    }
  }

  locate(path: JsonPath, key: boolean): SourcePosition {
    let here: unknown = this.data;
    let offset = this.containers.get(here as object)?.offset ?? 0;
    for (let i = 0; i < path.length; i++) {
      const info = here !== null && typeof here === 'object' ? this.containers.get(here) : undefined;
      if (!info?.children) break;
      const step = path[i];
      const last = i === path.length - 1;
      let found: { keyNode?: NodeInfo; valueNode: NodeInfo } | undefined;
      if (info.kind === 'sequence' && typeof step === 'number') {
        const child = info.children[step];
        if (child) found = { valueNode: child };
      } else if (info.kind === 'mapping') {
        const kids = info.children;
        for (let c = 0; c < kids.length; c++) {
          if (!kids[c].isKey || String(kids[c].result) !== String(step)) continue;
          const value = kids[c + 1] && !kids[c + 1].isKey ? kids[c + 1] : kids[c];
          found = { keyNode: kids[c], valueNode: value };
        }
      }
      if (!found) break;
      offset = last && key && found.keyNode ? found.keyNode.offset : found.valueNode.offset;
      here = (here as Record<string, unknown>)[step as string];
    }
    return this.position(offset);
  }

  private position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }
}
