/**
 * Reading an inventory: YAML or JSON, a path or `-` for stdin.
 *
 * Parsing uses js-yaml 4 `load` (fast, small: the `yaml` package's document
 * model is ~15× slower and ~10× bigger on a 100 000-phone file), after a
 * faster reader for the usual subset of YAML (yaml-subset.ts) that gives
 * exactly js-yaml's result or leaves the text to js-yaml. Source
 * positions are needed only for findings, so they are computed lazily: the
 * first `locate` call parses the text again with js-yaml's `listener` and
 * keeps the offsets of every container's keys and values in flat arrays.
 */
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yaml from 'js-yaml';
import { ExitCode, SipbcError } from './errors.js';
import type { Finding, SourcePosition } from './findings.js';
import { ownCopy, readYamlSubset, subsetPositions } from './yaml-subset.js';

export type JsonPath = readonly (string | number)[];

export interface LoadedInventory {
  /** The file name as the user gave it ('<stdin>' for -). */
  file: string;
  /** Directory that relative `file:` secrets are resolved against. */
  baseDir: string;
  text: string;
  data: unknown;
  /** Every key and string of `data` is printable ASCII (known when the subset reader read it; unset: unknown). */
  printable?: boolean;
  /** No key of `data` is `__proto__`, `constructor` or `prototype` (known when the subset reader read it). */
  plainKeys?: boolean;
  /** Position of the value at `path` (or of its key with `{ key: true }`); the nearest existing ancestor when the path does not exist. */
  locate(path: JsonPath, opts?: { key?: boolean }): SourcePosition;
}

/** Maximum nesting: a legitimate inventory is 6 levels deep. */
const MAX_DEPTH = 64;

/** How an inventory read from stdin (`-`) is named in findings and messages. */
export const STDIN_NAME = '<stdin>';

/** The name of the inventory given as `pathOrDash` (a path, or - for stdin) in findings and messages. */
export function inventoryName(pathOrDash: string): string {
  return pathOrDash === '-' ? STDIN_NAME : pathOrDash;
}

/**
 * The most sipbc reads as an inventory: 8 times a 100 000-phone inventory (~31 MB). Without it,
 * `validate /dev/urandom` or an endless pipe grew until the machine ran out of memory.
 */
export const MAX_INVENTORY_BYTES = 256 * 1024 * 1024;
const READ_CHUNK = 4 * 1024 * 1024;

function tooLarge(file: string): SipbcError {
  return new SipbcError(
    `${file}: larger than ${MAX_INVENTORY_BYTES / 1024 / 1024} MiB, the most sipbc reads as an inventory (100 000 phones take about 31 MB); refused`,
    ExitCode.USAGE,
    'give the inventory file itself (YAML or JSON text), not a device or an endless stream',
  );
}

/**
 * Everything `fd` holds, up to MAX_INVENTORY_BYTES (more: refused). Reading stops early after a
 * chunk with a NUL byte: that is no text file, and parseInventory reports where the NUL is
 * (`validate /dev/urandom` or `/dev/zero` ends at once).
 */
function readBounded(fd: number, file: string): DecodedText {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let n: number;
    try {
      n = readSync(fd, buf, 0, READ_CHUNK, null);
    } catch (e) {
      // A non-blocking stdin (a pipe some shells hand over): wait for data rather than fail.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_INVENTORY_BYTES) throw tooLarge(file);
    const chunk = buf.subarray(0, n);
    chunks.push(chunk);
    if (chunk.includes(0)) break;
  }
  return decodeText(Buffer.concat(chunks, total));
}

interface DecodedText {
  text: string;
  /** The bytes, when they are all ASCII (then byte and character offsets agree: parseInventory copies values from them). */
  bytes?: Buffer;
}

/**
 * The text of the bytes, read as UTF-8. The usual all-ASCII inventory is decoded as Latin-1, which
 * gives the same string without UTF-8 decoding (node keeps it outside the JS heap): 100 000 phones
 * (31 MB) are read in ~0.24 s instead of ~0.31 s.
 */
function decodeText(buf: Buffer): DecodedText {
  return isAscii(buf) ? { text: buf.toString('latin1'), bytes: buf } : { text: buf.toString('utf8') };
}

export function readInventorySource(pathOrDash: string, stdin?: () => string): { file: string; baseDir: string; text: string; bytes?: Buffer } {
  if (pathOrDash === '-') {
    let text: string;
    try {
      text = stdin ? stdin() : readBounded(0, STDIN_NAME).text;
    } catch (e) {
      if (e instanceof SipbcError) throw e;
      throw new SipbcError(`cannot read the inventory from stdin: ${(e as Error).message}`, ExitCode.USAGE);
    }
    if (text.length > MAX_INVENTORY_BYTES) throw tooLarge(STDIN_NAME);
    return { file: STDIN_NAME, baseDir: process.cwd(), text };
  }
  let st;
  try {
    st = statSync(pathOrDash);
  } catch {
    throw new SipbcError(`${pathOrDash}: no such file`, ExitCode.USAGE, 'check the path, or use - to read the inventory from stdin');
  }
  if (st.isDirectory()) throw new SipbcError(`${pathOrDash}: is a directory, not an inventory file`, ExitCode.USAGE);
  // Refused before a byte is read; a non-regular file (a pipe, a device) is read up to the limit.
  if (st.isFile() && st.size > MAX_INVENTORY_BYTES) throw tooLarge(pathOrDash);
  let text: string;
  let bytes: Buffer | undefined;
  let fd: number | undefined;
  try {
    if (st.isFile() && st.size > 0) ({ text, bytes } = decodeText(readFileSync(pathOrDash)));
    else {
      fd = openSync(pathOrDash, 'r');
      ({ text, bytes } = readBounded(fd, pathOrDash));
    }
  } catch (e) {
    if (e instanceof SipbcError) throw e;
    throw new SipbcError(`${pathOrDash}: cannot read: ${(e as Error).message}`, ExitCode.USAGE);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return { file: pathOrDash, baseDir: dirname(resolve(pathOrDash)), text, bytes };
}

/** `bytes`: the text's bytes when it is all ASCII (the subset reader copies its longer values from them). */
export function parseInventory(text: string, file: string, baseDir = process.cwd(), bytes?: Buffer): LoadedInventory {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    const pos = offsetToPosition(text, nul);
    throw new SipbcError(
      `${file}:${pos.line}:${pos.column}: this is not a text file (it contains a NUL byte); an inventory is YAML or JSON text`,
      ExitCode.USAGE,
    );
  }
  // The usual inventory is read by the fast subset reader (yaml-subset.ts); anything else by js-yaml.
  const fast = readYamlSubset(text, bytes !== undefined && bytes.length === text.length ? bytes : undefined);
  let data: unknown = fast?.data;
  const subset = fast !== undefined;
  if (data === undefined) {
    try {
      data = yaml.load(text, { filename: file, json: false, schema: yaml.CORE_SCHEMA, maxDepth: MAX_DEPTH } as yaml.LoadOptions);
    } catch (e) {
      throw yamlError(e, file, text);
    }
    checkAliasExpansion(data, text, file);
    detachStrings(data, text.includes('*'));
  }
  let index: { locate(path: JsonPath, key: boolean): SourcePosition } | undefined;
  return {
    file,
    baseDir,
    text,
    data,
    printable: fast?.printable ?? false,
    plainKeys: fast?.plainKeys ?? false,
    locate(path, opts) {
      index ??= (subset && subsetIndex(text)) || new PositionIndex(text);
      return index.locate(path, opts?.key ?? false);
    },
  };
}

export function loadInventory(pathOrDash: string): LoadedInventory {
  const src = readInventorySource(pathOrDash);
  return parseInventory(src.text, src.file, src.baseDir, src.bytes);
}

/**
 * js-yaml parses a copy of the text (its own, with a NUL appended) and returns values of 13 or more
 * characters as V8 "sliced strings": views that keep that whole copy alive for as long as any of
 * them lives. Each such string value gets its own small copy here, so only `text` remains:
 * 100 000 phones hold 25 MB less (for ~5% of the load time).
 */
function detachStrings(data: unknown, mayHaveAliases: boolean): void {
  // Aliases share (or even nest) objects: then each is visited once. Without any '*' there is none (and no set to pay for).
  const seen = mayHaveAliases ? new Set<object>() : undefined;
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen?.has(node)) continue;
    seen?.add(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (typeof v === 'string') node[i] = ownCopy(v);
        else stack.push(v);
      }
      continue;
    }
    const obj = node as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (typeof v === 'string') obj[k] = ownCopy(v);
      else stack.push(v);
    }
  }
}

/**
 * YAML aliases (`*name`) share one object, so js-yaml loads a "billion laughs" document in
 * microseconds — but every later walk (schema, rules, renderers) would visit 9^10 nodes. Refuse a
 * document whose aliases expand it to more than 10 times its own size (plus a margin for small
 * files). Counted once per distinct object, so linear time. The margin was 1 000 000 values: then
 * 50 KB of `- *phone` lines gave 140 000 findings (23 MB of output); the legitimate `auth: *auth`
 * sharing expands a document by well under 2x.
 */
const MAX_ALIAS_EXPANSION = { factor: 10, margin: 10_000 };

function checkAliasExpansion(data: unknown, text: string, file: string): void {
  if (data === null || typeof data !== 'object' || !text.includes('*')) return;
  const memo = new Map<object, number>();
  // The characters of every string (keys included) as the expanded document holds them: without
  // aliases never more than the text, so beyond 10 times the text aliases repeat a long string
  // (1 MB under an anchor, aliased as 3 000 phones' mac, model and place, ran validate out of memory).
  const charMemo = new Map<object, number>();
  let own = 0;
  let chars = 0;
  const size = (v: unknown): number => {
    if (typeof v === 'string') {
      chars += v.length;
      return 1;
    }
    if (v === null || typeof v !== 'object') return 1;
    const hit = memo.get(v);
    if (hit !== undefined) {
      chars += charMemo.get(v) ?? 0;
      return hit;
    }
    memo.set(v, 1);
    const before = chars;
    const keys = Array.isArray(v) ? undefined : Object.keys(v);
    const kids = Array.isArray(v) ? v : Object.values(v);
    if (keys) for (const k of keys) chars += k.length;
    own += 1 + kids.length;
    let n = 1;
    for (const k of kids) n += size(k);
    memo.set(v, n);
    charMemo.set(v, chars - before);
    return n;
  };
  const expanded = size(data);
  const limitChars = MAX_ALIAS_EXPANSION.factor * text.length + MAX_ALIAS_EXPANSION.margin;
  if (expanded <= MAX_ALIAS_EXPANSION.factor * own + MAX_ALIAS_EXPANSION.margin && chars <= limitChars) return;
  const at = /(^|[\s[{,:?-])\*[^\s,[\]{}]/m.exec(text);
  const pos = at ? offsetToPosition(text, at.index + at[1].length) : { line: 1, column: 1 };
  const what =
    chars > limitChars
      ? `${Math.round(chars).toLocaleString('en-US')} characters of text (from ${text.length.toLocaleString('en-US')})`
      : `more than ${expanded > 1e12 ? 'a trillion' : Math.round(expanded).toLocaleString('en-US')} values`;
  throw new SipbcError(
    `${file}:${pos.line}:${pos.column}: the YAML aliases (*name) expand the document to ${what} (an "alias bomb"); refused`,
    ExitCode.USAGE,
    'write the values out, or share only small mappings such as auth: *auth',
  );
}

/** The rule code of a YAML/JSON syntax error (validate/codes.ts). */
export const SYNTAX_CODE = 'SIPBC-E-SYNTAX';

/**
 * A YAML/JSON syntax error, thrown by parseInventory: a SIPBC-E-SYNTAX finding (with file:line:col)
 * that validate reports among the other files' findings, and that refuses every other command as
 * an invalid inventory (exit 1) with that finding.
 */
export class InventorySyntaxError extends SipbcError {
  constructor(
    readonly finding: Finding,
    summary: string,
    hint: string,
  ) {
    super(`${finding.file}:${finding.line}:${finding.column}: ${summary}`, ExitCode.INVALID, hint, { findings: [finding] });
  }
}

/** Text meant as JSON (a .json file, or text that starts like a JSON document) gets JSON words in its syntax error. */
export function looksLikeJson(file: string, text: string): boolean {
  return /\.json$/i.test(file) || /^\s*[{[]/.test(text);
}

/** js-yaml's reasons, in the words of a JSON user (a JSON document is read by the same parser). */
const JSON_REASONS: [RegExp, string][] = [
  [/^missed comma between flow collection entries$/, 'a comma is missing between two entries'],
  [/^unexpected end of the (?:stream|document) within a flow collection$/, 'the file ends inside an object or array (a { or [ is not closed)'],
  [/^unexpected end of the (?:stream|document) within a (?:double|single) quoted scalar$/, 'the file ends inside a string (a quote is not closed)'],
  [/^expected the node content, but found ','$/, "a value is missing before ','"],
  [/^end of the stream or a document separator is expected$/, 'unexpected text after the end of the JSON document'],
  [/^duplicated mapping key$/, 'the same key twice in one object'],
  [/^can not read an implicit mapping pair; a colon is missed$/, "a ':' is missing after a key"],
];

function jsonReason(reason: string): string {
  for (const [re, words] of JSON_REASONS) if (re.test(reason)) return words;
  return reason
    .replace(/flow collection/g, 'object or array')
    .replace(/(?:double|single) quoted scalar/g, 'string')
    .replace(/\bmapping\b/g, 'object')
    .replace(/\bsequence\b/g, 'array')
    .replace(/\bstream\b/g, 'file');
}

function yamlError(e: unknown, file: string, text: string): SipbcError {
  if (!(e instanceof yaml.YAMLException)) return new SipbcError(`${file}: cannot parse the inventory: ${(e as Error).message}`, ExitCode.USAGE);
  const m = e.mark;
  // js-yaml gives no mark for "expected a single document": point at the second document's start.
  const second = !m ? /^(?:---|\.\.\.)(?:[ \t]|$)/m.exec(text.slice(1)) : null;
  const pos = m ? { line: m.line + 1, column: m.column + 1 } : second ? offsetToPosition(text, second.index + 1) : { line: 1, column: 1 };
  // js-yaml quotes alias and tag names from the text (`unidentified alias "s3cret"`): an unquoted
  // password starting with * or ! would be printed. The position says where; the name is left out.
  // "tag name is malformed: !x" names it unquoted: cut after the colon.
  const yamlReason = e.reason
    .replace(/\s*"[^"\n]*"/g, '')
    .replace(/\s*!<[^>\n]*>/g, '')
    .replace(/(such characters|is malformed): .*$/s, '$1');
  const json = looksLikeJson(file, text);
  const reason = json ? jsonReason(yamlReason) : yamlReason;
  const hint = json
    ? 'fix the JSON syntax at that position'
    : /alias|tag|anchor/.test(yamlReason)
      ? 'a value that starts with *, & or ! is YAML syntax: quote it'
      : 'fix the YAML syntax at that position';
  const summary = `cannot parse the inventory as ${json ? 'JSON' : 'YAML'}: ${reason}`;
  const finding: Finding = { code: SYNTAX_CODE, severity: 'error', message: `${summary}; ${hint}.`, file, path: [], line: pos.line, column: pos.column };
  return new InventorySyntaxError(finding, summary, hint);
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

/** Line and column of an offset: a binary search in the line starts (one array, built once). */
class LineTable {
  /** Counted first, then filled: 1.2 million lines at 100 000 phones, no array grown line by line. */
  private readonly lineStarts: Int32Array;
  constructor(text: string) {
    let n = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    const starts = new Int32Array(n);
    n = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
    this.lineStarts = starts;
  }

  get count(): number {
    return this.lineStarts.length;
  }

  position(offset: number): SourcePosition {
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

/**
 * The positions of a text the subset reader (yaml-subset.ts) accepted: that reader records them
 * in flat arrays without building a second document, the same offsets js-yaml's listener gives
 * (test/core/yaml-subset.test.ts compares both). 100 000 phones with 13 000 warnings: ~1 s and
 * ~60 MiB, where PositionIndex took ~5.4 s and ~265 MiB — beyond generate's heap limit.
 */
function subsetIndex(text: string): { locate(path: JsonPath, key: boolean): SourcePosition } | undefined {
  const lines = new LineTable(text);
  const positions = subsetPositions(text, lines.count);
  if (!positions) return undefined;
  return { locate: (path, key) => lines.position(positions.locate(path, key)) };
}

/** PositionIndex's offsets for every path: the js-yaml reading, for tests that compare it with the subset reader's. */
export function jsYamlLocator(text: string): (path: JsonPath, key: boolean) => SourcePosition {
  const index = new PositionIndex(text);
  return (path, key) => index.locate(path, key);
}

/**
 * Offsets of the keys and values of every container, kept compact: one Map entry per container
 * and numbers in flat arrays, no object per node. Measured with bench/synth.ts (100 000 phones, a
 * warning on 7 000 of them): an object per node made the first `locate` cost ~40 s of listener and
 * garbage collection and 1.8 GB of memory.
 */
class PositionIndex {
  /** Container object (of this second parse) → its number in the c* arrays. */
  private readonly containers = new Map<object, number>();
  private readonly cOffset: number[] = [];
  private readonly cKind: (string | null)[] = [];
  /** Its children are k*[cFirst … cFirst + cCount - 1], in document order. */
  private readonly cFirst: number[] = [];
  private readonly cCount: number[] = [];
  private readonly kOffset: number[] = [];
  /** Followed by ':' — a mapping key (nodes without a value do not break the key/value pairing). */
  private readonly kIsKey: boolean[] = [];
  /** The key's value, for key children. */
  private readonly kKey: unknown[] = [];
  private readonly lines: LineTable;
  /** Key → child index of the large mappings looked up so far (keyIndex). */
  private readonly keyMaps = new Map<number, Map<string, number>>();

  /** The document as this second parse built it: the containers map is keyed by its objects. */
  private readonly data: unknown;

  constructor(private readonly text: string) {
    this.lines = new LineTable(text);
    const { containers, cOffset, cKind, cFirst, cCount, kOffset, kIsKey, kKey } = this;
    // Nodes still open: their first character and where their children start in the s* stack.
    const openOffset: number[] = [];
    const openStart: number[] = [];
    // Closed nodes whose parent is still open, in document order.
    const sOffset: number[] = [];
    const sIsKey: boolean[] = [];
    const sResult: unknown[] = [];
    const listener = (event: 'open' | 'close', state: { position: number; kind: string | null; result: unknown }) => {
      if (event === 'open') {
        openOffset.push(this.skipBlank(state.position));
        openStart.push(sOffset.length);
        return;
      }
      let offset = openOffset.pop()!;
      const start = openStart.pop()!;
      const result = state.result;
      let isKey = this.colonFollows(state.position);
      const n = sOffset.length - start;
      if (n === 1 && sResult[start] === result) {
        // A node that only wraps one child with the same value (js-yaml tried a block mapping and kept the scalar) is that child.
        offset = sOffset[start];
        isKey = sIsKey[start];
      } else if (result !== null && typeof result === 'object' && !containers.has(result)) {
        containers.set(result, cOffset.length);
        cOffset.push(offset);
        cKind.push(state.kind);
        cFirst.push(kOffset.length);
        cCount.push(n);
        for (let i = start; i < start + n; i++) {
          kOffset.push(sOffset[i]);
          kIsKey.push(sIsKey[i]);
          kKey.push(sIsKey[i] ? sResult[i] : undefined);
        }
      }
      sOffset.length = start;
      sIsKey.length = start;
      sResult.length = start;
      sOffset.push(offset);
      sIsKey.push(isKey);
      sResult.push(result);
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
    const root = this.containers.get(here as object);
    let offset = root === undefined ? 0 : this.cOffset[root];
    for (let i = 0; i < path.length; i++) {
      const c = here !== null && typeof here === 'object' ? this.containers.get(here) : undefined;
      if (c === undefined) break;
      const step = path[i];
      const last = i === path.length - 1;
      const first = this.cFirst[c];
      const end = first + this.cCount[c];
      let keyOffset: number | undefined;
      let valueOffset: number | undefined;
      if (this.cKind[c] === 'sequence' && typeof step === 'number') {
        if (Number.isInteger(step) && step >= 0 && first + step < end) valueOffset = this.kOffset[first + step];
      } else if (this.cKind[c] === 'mapping') {
        const k = this.keyIndex(c, first, end, String(step));
        if (k !== undefined) {
          keyOffset = this.kOffset[k];
          valueOffset = this.kOffset[k + 1 < end && !this.kIsKey[k + 1] ? k + 1 : k];
        }
      }
      if (valueOffset === undefined) break;
      offset = last && key && keyOffset !== undefined ? keyOffset : valueOffset;
      here = (here as Record<string, unknown>)[step as string];
    }
    return this.position(offset);
  }

  /**
   * The child index of `key` in mapping container c (the last one, as js-yaml keeps the last of
   * duplicate keys). A scan for a small mapping; a Map built once for a large one, or 40 000
   * unknown keys in one mapping cost 40 000 scans of 40 000 keys (16 s of validate).
   */
  private keyIndex(c: number, first: number, end: number, key: string): number | undefined {
    if (end - first <= 32) {
      let found: number | undefined;
      for (let k = first; k < end; k++) if (this.kIsKey[k] && String(this.kKey[k]) === key) found = k;
      return found;
    }
    let byKey = this.keyMaps.get(c);
    if (!byKey) {
      byKey = new Map();
      for (let k = first; k < end; k++) if (this.kIsKey[k]) byKey.set(String(this.kKey[k]), k);
      this.keyMaps.set(c, byKey);
    }
    return byKey.get(key);
  }

  private position(offset: number): SourcePosition {
    return this.lines.position(offset);
  }
}
