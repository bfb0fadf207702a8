/**
 * A fast reader for the YAML an inventory is normally written in — block mappings and sequences,
 * one-line scalars (plain, 'single' or "double" quoted without escapes) and one-line flow
 * collections (`{ id: P1, extensions: { east: "1001", west: "1001" } }`, `[udp, tcp]`) — that returns exactly
 * what js-yaml's `load` with the core schema returns for it, or `undefined` for anything else.
 *
 * Why (issue 7): js-yaml spends 2-3.5 s and much garbage on a 100 000-phone inventory (31 MB), most of
 * it in machinery this subset never needs; this reader takes 0.8-1.2 s. It is a fast path, not a second
 * YAML implementation: at the first thing outside the subset — an anchor, a tag, a block scalar,
 * a multi-line or escaped string, a tab, a CR that does not end a line, a directive, an unusual key, a duplicate key, a line
 * indented in a way it does not expect — it gives up, and load.ts parses the whole text with
 * js-yaml, which also produces every syntax error message. Plain scalars are resolved by js-yaml's
 * own core-schema types (null, bool, int, float), so `0x1F`, `~` or `True` mean what they mean there.
 * test/core/yaml-subset.test.ts checks it against js-yaml on generated documents.
 */
import yaml from 'js-yaml';

interface ImplicitType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}
/**
 * js-yaml's implicit types of the core schema, in its order (null, bool, int, float). Not public
 * API: should a js-yaml release drop `compiledImplicit`, the fast path turns itself off.
 */
const IMPLICIT = (yaml.CORE_SCHEMA as unknown as { compiledImplicit?: ImplicitType[] }).compiledImplicit;
const CAN_RESOLVE = Array.isArray(IMPLICIT) && IMPLICIT.length === 4;

/** js-yaml refuses these in a scalar (it checks each scalar's text); so does the fast path, by leaving it to js-yaml. */
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** Slots of SubsetReader's last-values table (a power of two). */
const VALUE_SLOTS = 2048;

/** Deeper than any inventory (6 levels); js-yaml applies the real maxDepth. */
const MAX_DEPTH = 32;

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const CR = 0x0d;

/** Thrown (and caught in loadYamlSubset) when the text leaves the subset. */
class OutsideSubset {}
const OUTSIDE = new OutsideSubset();
function outside(): never {
  throw OUTSIDE;
}

/**
 * A string of its own for `s`: a slice of 13 or more characters is a view that would keep the
 * whole inventory text alive for as long as the value lives (e.g. in the registration plan).
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1); // ' ' + s is flattened into a new string of its own
}

/** A plain scalar's value: js-yaml's core-schema resolution, or the string itself (an own string: see SubsetReader.own). */
function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Only these characters can start a null (~ n N), bool (t T f F), int or float (+ - . digits), and a few more (, /).
  const maybeTyped = (c >= 0x2b && c <= 0x39) || c === 0x7e || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46;
  if (maybeTyped) {
    for (const type of IMPLICIT!) if (type.resolve(s)) return type.construct(s);
  }
  return s;
}

/** Characters of a plain key the fast path accepts: A-Z a-z 0-9 _ . - */
function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === DASH;
}

/** Characters that cannot start a plain scalar here (YAML indicators and quotes, handled elsewhere or left to js-yaml). */
function isIndicator(c: number): boolean {
  // - ? : , [ ] { } # & * ! | > ' " % @ `
  return (
    c === DASH ||
    c === 0x3f ||
    c === COLON ||
    c === 0x2c ||
    c === 0x5b ||
    c === 0x5d ||
    c === 0x7b ||
    c === 0x7d ||
    c === HASH ||
    c === 0x26 ||
    c === 0x2a ||
    c === 0x21 ||
    c === 0x7c ||
    c === 0x3e ||
    c === 0x27 ||
    c === 0x22 ||
    c === 0x25 ||
    c === 0x40 ||
    c === 0x60
  );
}

/**
 * Where the keys and values of a document the subset reader accepted start, as flat arrays and
 * no tree (load.ts PositionIndex builds the same with js-yaml's listener for any other document). For each
 * container (by id, in the order they close), its entries are e*[cFirst … cFirst + cCount - 1]:
 * the key (mappings), the key's and the value's offsets, and the value's container id (-1 for a
 * scalar). An offset is the first character of the node, as js-yaml's listener reports it (after
 * spaces, line breaks and comments).
 */
export class SubsetPositions {
  readonly cKind: IntColumn; // 0 mapping, 1 sequence
  readonly cFirst: IntColumn;
  readonly cCount: IntColumn;
  readonly eKey: (string | undefined)[] = [];
  readonly eKeyOff: IntColumn;
  readonly eValOff: IntColumn;
  readonly eChild: IntColumn;
  root = -1;
  rootOffset = 0;
  /** Entries of the containers still open, in document order (copied to e* when their container closes); sTop of them are in use. */
  readonly sKey: (string | undefined)[] = [];
  readonly sKeyOff = new IntColumn();
  readonly sValOff = new IntColumn();
  readonly sChild = new IntColumn();
  sTop = 0;

  /**
   * `lines`: the text's line count. Block YAML has at most a container and two entries per line
   * (`- key: value`), more only with flow collections: the columns get that room at once, so a
   * document is recorded without a column growing (each growth left its old buffer outside the
   * JS heap until a collection: ~50 MB more peak memory for 100 000 phones with warnings).
   */
  constructor(lines = 0) {
    const entries = 2 * lines + 1024;
    this.cKind = new IntColumn(lines + 1024);
    this.cFirst = new IntColumn(lines + 1024);
    this.cCount = new IntColumn(lines + 1024);
    this.eKeyOff = new IntColumn(entries);
    this.eValOff = new IntColumn(entries);
    this.eChild = new IntColumn(entries);
  }

  /** The offset of the node at `path` (its key's with `key`): the nearest existing ancestor's when the path does not exist. */
  locate(path: readonly (string | number)[], key: boolean): number {
    let c = this.root;
    let offset = this.rootOffset;
    for (let i = 0; i < path.length && c !== -1; i++) {
      const step = path[i];
      const first = this.cFirst.a[c];
      const end = first + this.cCount.a[c];
      const kind = this.cKind.a[c];
      let e = -1;
      if (kind === 1) {
        if (typeof step === 'number' && Number.isInteger(step) && step >= 0 && first + step < end) e = first + step;
      } else e = this.keyIndex(c, first, end, String(step));
      if (e === -1) break;
      offset = i === path.length - 1 && key && kind === 0 ? this.eKeyOff.a[e] : this.eValOff.a[e];
      c = this.eChild.a[e];
    }
    return offset;
  }

  /** Key → entry of the large mappings looked up so far: 40 000 unknown keys in one mapping must not cost 40 000 scans. */
  private readonly keyMaps = new Map<number, Map<string, number>>();

  private keyIndex(c: number, first: number, end: number, key: string): number {
    if (end - first <= 32) {
      for (let j = end - 1; j >= first; j--) if (this.eKey[j] === key) return j;
      return -1;
    }
    let byKey = this.keyMaps.get(c);
    if (!byKey) {
      byKey = new Map();
      for (let j = first; j < end; j++) byKey.set(this.eKey[j]!, j);
      this.keyMaps.set(c, byKey);
    }
    return byKey.get(key) ?? -1;
  }
}

/**
 * A growable column of 32-bit integers (offsets fit: an inventory is at most 256 MiB): the positions
 * of 100 000 phones are ~1.8 million entries, which arrays grown by push took ~0.8 s to collect.
 */
class IntColumn {
  a: Int32Array;
  n = 0;

  constructor(size = 1024) {
    this.a = new Int32Array(size);
  }

  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }

  /** Sets entry i (at most one past the last), the column's length becoming i + 1. */
  set(i: number, v: number): void {
    if (i >= this.a.length) this.grow(i + 1);
    this.a[i] = v;
    this.n = i + 1;
  }

  /** Appends from[start, end). */
  append(from: IntColumn, start: number, end: number): void {
    const n = this.n + end - start;
    if (n > this.a.length) this.grow(n);
    const a = this.a;
    const src = from.a;
    if (end - start > 64) a.set(src.subarray(start, end), this.n);
    else for (let i = start, j = this.n; i < end; i++, j++) a[j] = src[i]; // most containers: a few entries, no view object
    this.n = n;
  }

  private grow(min: number): void {
    let size = this.a.length * 2;
    while (size < min) size *= 2;
    const b = new Int32Array(size);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
}

class SubsetReader {
  /**
   * The current significant line (not blank, not only a comment): its start, end (its line break
   * or the text's end), indent (-1 at the end of the text) and where the next line starts.
   */
  private ls = 0;
  private le = 0;
  private ind = -1;
  private nl = 0;
  private depth = 0;
  /** Where the last quoted scalar or flow collection ended (just after its closing character). */
  private at = 0;
  /** Keys already checked, by first character and length (a few per slot), so a repeated key costs no slice. */
  private readonly keys: (string[] | undefined)[] = [];
  /** A scalar held a character outside printable ASCII (keys never do: see isKeyChar). */
  unusual = false;
  /** A key is `prototype` (`__proto__` and `constructor` leave the subset). */
  prototypeKey = false;
  /** The id of the container that closed last (-1: the last value read was a scalar); positions only. */
  private child = -1;
  /** The last scalar text read, by a hash of its length and three of its characters (see own). */
  private readonly values: (string | undefined)[] = new Array(VALUE_SLOTS);

  /**
   * `crlf`: the text's line breaks are CR LF (every CR is followed by an LF). With `rec`, the reader
   * records positions instead of building the document (it keeps no value).
   */
  constructor(
    private readonly t: string,
    private readonly crlf: boolean,
    private readonly rec?: SubsetPositions,
    /** t's bytes, when it is all ASCII (see copy). */
    private readonly bytes?: Buffer,
  ) {
    this.seek(0);
  }

  read(): Record<string, unknown> {
    if (this.ind !== 0) outside();
    if (this.rec) this.rec.rootOffset = this.blankEnd(0);
    const v = this.mapping(0, this.ls);
    if (this.rec) this.rec.root = this.child;
    return this.atEnd() ? v : outside();
  }

  /** The first character at or after p that is not a space, a line break or in a comment (where js-yaml's listener puts a node). */
  private blankEnd(p: number): number {
    const t = this.t;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) p++;
      else if (c === HASH) {
        const nl = t.indexOf('\n', p);
        if (nl === -1) return p;
        p = nl + 1;
      } else return p;
    }
  }

  /** Positions: one entry of the innermost open container, its value just read. */
  private entry(key: string | undefined, keyOff: number, valOff: number): void {
    const r = this.rec!;
    const top = r.sTop++;
    r.sKey[top] = key;
    r.sKeyOff.set(top, keyOff);
    r.sValOff.set(top, valOff);
    r.sChild.set(top, this.child);
  }

  /** Positions: a container whose entries start at s-index `start` closes. */
  private close(kind: number, start: number): void {
    const r = this.rec!;
    const id = r.cKind.n;
    r.cKind.push(kind);
    r.cFirst.push(r.eKey.length);
    r.cCount.push(r.sTop - start);
    for (let i = start; i < r.sTop; i++) r.eKey.push(r.sKey[i]);
    r.eKeyOff.append(r.sKeyOff, start, r.sTop);
    r.eValOff.append(r.sValOff, start, r.sTop);
    r.eChild.append(r.sChild, start, r.sTop);
    r.sTop = start;
    this.child = id;
  }

  private atEnd(): boolean {
    return this.ind === -1;
  }

  /** Moves to the first significant line that starts at or after `from`. */
  private seek(from: number): void {
    const t = this.t;
    while (from < t.length) {
      let e = t.indexOf('\n', from);
      if (e === -1) e = t.length;
      const next = e + 1;
      if (this.crlf && e > from && t.charCodeAt(e - 1) === CR) e--;
      let i = from;
      while (i < e && t.charCodeAt(i) === SPACE) i++;
      if (i < e && t.charCodeAt(i) !== HASH) {
        this.ls = from;
        this.le = e;
        this.nl = next;
        this.ind = i - from;
        return;
      }
      from = next;
    }
    this.ls = this.le = this.nl = t.length;
    this.ind = -1;
  }

  /** Moves to the first significant line after the current one. */
  private nextLine(): void {
    this.seek(this.nl);
  }

  /** `- ` (or a lone `-`) at p: a block sequence entry. */
  private isEntry(p: number): boolean {
    const t = this.t;
    return t.charCodeAt(p) === DASH && (p + 1 === this.le || t.charCodeAt(p + 1) === SPACE);
  }

  /** The offset of the ':' ending a plain key at p (followed by a space or the line's end), or -1. */
  private keyEnd(p: number): number {
    const t = this.t;
    const le = this.le;
    const c = t.charCodeAt(p);
    if (!isKeyChar(c) || c === DASH || c === 0x2e) return -1;
    let i = p + 1;
    while (i < le && isKeyChar(t.charCodeAt(i))) i++;
    if (t.charCodeAt(i) !== COLON || (i + 1 < le && t.charCodeAt(i + 1) !== SPACE)) return -1;
    return i;
  }

  /** The key text between p and end, if it is one js-yaml would store under the same name. */
  private key(p: number, end: number, into: Record<string, unknown>): string {
    const t = this.t;
    const len = end - p;
    const slot = (t.charCodeAt(p) << 5) | (len & 31);
    const known = (this.keys[slot] ??= []);
    let key: string | undefined;
    for (let i = 0; i < known.length; i++) {
      const k = known[i];
      if (k.length === len && t.startsWith(k, p)) {
        key = k;
        break;
      }
    }
    if (key === undefined) {
      key = ownCopy(t.slice(p, end));
      // A key that resolves to something else (true, null, 0x1F …) is stored by js-yaml as String(value).
      if (len > 1024 || key === '__proto__' || resolvePlain(key) !== key) outside();
      if (key === 'prototype') this.prototypeKey = true; // __proto__ and constructor never get here (see below)
      if (known.length < 8) known.push(key);
    }
    // A duplicate (js-yaml: "duplicated mapping key"), or a name Object.prototype has (constructor …): left to js-yaml.
    if (into[key] !== undefined) outside();
    return key;
  }

  /** A block mapping at indent n whose first key starts at `start` (the line's indent, or after a `- `). */
  private mapping(n: number, start: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) outside();
    const obj: Record<string, unknown> = {};
    const rec = this.rec;
    const s0 = rec ? rec.sTop : 0;
    let p = start;
    for (;;) {
      if (this.isEntry(p)) outside();
      const colon = this.keyEnd(p);
      if (colon === -1) outside();
      const key = this.key(p, colon, obj);
      if (rec) {
        const valOff = this.blankEnd(colon + 1);
        this.child = -1;
        this.valueAfter(colon + 1, n);
        this.entry(key, p, valOff);
      } else obj[key] = this.valueAfter(colon + 1, n);
      if (this.ind !== n) break;
      p = this.ls + n;
    }
    if (this.ind > n) outside();
    this.depth--;
    if (rec) this.close(0, s0);
    return obj;
  }

  /** A block sequence at indent n (the current line is its first entry). */
  private sequence(n: number): unknown[] {
    if (++this.depth > MAX_DEPTH) outside();
    const t = this.t;
    const arr: unknown[] = [];
    const rec = this.rec;
    const s0 = rec ? rec.sTop : 0;
    while (this.ind === n && this.isEntry(this.ls + n)) {
      const le = this.le;
      let p = this.ls + n + 1;
      const valOff = rec ? this.blankEnd(p) : 0;
      this.child = -1;
      const before = arr.length;
      while (p < le && t.charCodeAt(p) === SPACE) p++;
      const emptyEntry = p === le || t.charCodeAt(p) === HASH;
      if (emptyEntry) {
        this.nextLine();
        // A null entry goes to js-yaml: after one it takes the next `- ` as this sequence's even when it is
        // less indented, and its listener's positions shift to the next entries (which findings must match).
        if (!(this.ind > n)) outside();
        arr.push(this.block());
      } else if (this.isEntry(p)) {
        outside(); // - - nested sequence on one line
      } else if (this.keyEnd(p) !== -1) {
        arr.push(this.mapping(p - this.ls, p));
      } else {
        arr.push(this.inline(p));
        this.nextLine();
        if (this.ind > n) outside();
      }
      if (rec) {
        this.entry(undefined, valOff, valOff);
        arr.length = before; // positions keep no value
      }
    }
    if (this.ind > n) outside();
    this.depth--;
    if (rec) this.close(1, s0);
    return arr;
  }

  /** The block collection that starts on the current line. */
  private block(): unknown {
    const n = this.ind;
    return this.isEntry(this.ls + n) ? this.sequence(n) : this.mapping(n, this.ls + n);
  }

  /** The value after a key's ':' at p, in a mapping at indent n; moves past it. */
  private valueAfter(p: number, n: number): unknown {
    const t = this.t;
    const le = this.le;
    while (p < le && t.charCodeAt(p) === SPACE) p++;
    if (p === le || t.charCodeAt(p) === HASH) {
      this.nextLine();
      if (this.ind > n) return this.block();
      if (this.ind === n && this.isEntry(this.ls + n)) return this.sequence(n); // a sequence may sit at its key's indent
      return null;
    }
    const v = this.inline(p);
    this.nextLine();
    // A deeper line after a scalar would continue it (a multi-line scalar): not in the subset.
    // (A deeper comment line does not: js-yaml ends a plain scalar at a # after a space.)
    if (this.ind > n) outside();
    return v;
  }

  /** A value that starts at p and ends on this line (a comment may follow it). */
  private inline(p: number): unknown {
    const t = this.t;
    const c = t.charCodeAt(p);
    let value: unknown;
    if (c === 0x22 || c === 0x27) value = this.quoted(p);
    else if (c === 0x7b || c === 0x5b) value = this.flow(p);
    else return this.plain(p);
    this.endOfLine(this.at);
    return value;
  }

  /** Nothing but spaces and a comment from p to the line's end. */
  private endOfLine(p: number): void {
    const t = this.t;
    const le = this.le;
    if (p === le) return;
    if (t.charCodeAt(p) !== SPACE) outside();
    while (p < le && t.charCodeAt(p) === SPACE) p++;
    if (p < le && t.charCodeAt(p) !== HASH) outside();
  }

  /** A block-context plain scalar from p to the line's end or a ` #` comment. */
  private plain(p: number): unknown {
    if (this.rec) return null; // positions: nothing on the rest of the line to find (see scalarText)
    const t = this.t;
    const le = this.le;
    if (isIndicator(t.charCodeAt(p))) outside();
    let end = le;
    for (let i = p + 1; i < le; i++) {
      const c = t.charCodeAt(i);
      if (c === HASH && t.charCodeAt(i - 1) === SPACE) {
        end = i;
        break;
      }
      // ': ' or a final ':' would make it a mapping key — not a scalar.
      if (c === COLON && (i + 1 === le || t.charCodeAt(i + 1) === SPACE)) outside();
    }
    while (t.charCodeAt(end - 1) === SPACE) end--;
    return resolvePlain(this.scalarText(p, end));
  }

  /** A quoted scalar at p that closes on this line (`at`: after the closing quote). */
  private quoted(p: number): string {
    const t = this.t;
    const le = this.le;
    const q = t.charCodeAt(p);
    if (q === 0x22) {
      const close = t.indexOf('"', p + 1);
      if (close === -1 || close > le) outside();
      const s = this.scalarText(p + 1, close);
      if (s.includes('\\')) outside(); // escapes: left to js-yaml
      this.at = close + 1;
      return s;
    }
    let s = '';
    let from = p + 1;
    for (;;) {
      const close = t.indexOf("'", from);
      if (close === -1 || close > le) outside();
      s += this.scalarText(from, close);
      if (t.charCodeAt(close + 1) !== 0x27) {
        this.at = close + 1;
        return ownCopy(s);
      }
      s += "'"; // '' is one quote
      from = close + 2;
    }
  }

  /** A value inside a one-line flow collection: a nested one, quoted, or plain up to , ] or } (`at`: its end). */
  private flowValue(p: number): unknown {
    const t = this.t;
    const c = t.charCodeAt(p);
    if (c === 0x22 || c === 0x27) return this.quoted(p);
    if (c === 0x7b || c === 0x5b) return this.flow(p);
    if (isIndicator(c)) outside();
    let i = p;
    for (; i < this.le; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 0x2c || ch === 0x5d || ch === 0x7d) break;
      if (ch === COLON || ch === HASH || ch === 0x5b || ch === 0x7b) outside();
    }
    this.at = i;
    while (t.charCodeAt(i - 1) === SPACE) i--;
    return resolvePlain(this.scalarText(p, i));
  }

  /** The text of a scalar from p to end (an own string); a tab or a character js-yaml refuses in a scalar leaves the subset. */
  private scalarText(p: number, end: number): string {
    // Recording positions: the text was read once already (it is in the subset), and no value is kept.
    if (this.rec) return '';
    const t = this.t;
    for (let i = p; i < end; i++) {
      const c = t.charCodeAt(i);
      if (c < SPACE || c > 0x7e) {
        this.unusual = true;
        if (NON_PRINTABLE.test(t.slice(p, end)) || t.slice(p, end).includes('\t')) outside();
        break;
      }
    }
    return this.own(p, end);
  }

  /**
   * t[p, end) as a string of its own (not a view into the text). A value equal to the last one
   * read with the same hash is that same string: model and site ids, modes and transports repeat
   * from phone to phone, and 100 000 phones held ~400 000 copies of them, all copied by the
   * garbage collector as the inventory grew.
   */
  private own(p: number, end: number): string {
    const t = this.t;
    const len = end - p;
    if (len === 0) return '';
    if (len > 32) return this.copy(p, end);
    const h = (t.charCodeAt(p) * 961 + t.charCodeAt(end - 1) * 31 + t.charCodeAt(p + (len >> 1)) + len * 4099) & (VALUE_SLOTS - 1);
    const seen = this.values[h];
    if (seen !== undefined && seen.length === len && t.startsWith(seen, p)) return seen;
    const s = len < 13 ? t.slice(p, end) : this.copy(p, end); // (a slice under 13 characters is a copy)
    this.values[h] = s;
    return s;
  }

  /**
   * t[p, end) as a string of its own: from the bytes when there are (one new string; ownCopy makes a
   * slice, a concatenation, its flat copy and a slice of that, two of which are kept).
   */
  private copy(p: number, end: number): string {
    return this.bytes ? this.bytes.toString('latin1', p, end) : ownCopy(this.t.slice(p, end));
  }

  private skipSpaces(p: number): number {
    while (p < this.le && this.t.charCodeAt(p) === SPACE) p++;
    return p;
  }

  /** `{ key: value, … }` or `[ value, … ]` on one line (`at`: after its closing bracket). */
  private flow(p: number): unknown {
    if (++this.depth > MAX_DEPTH) outside();
    const t = this.t;
    const map: Record<string, unknown> | undefined = t.charCodeAt(p) === 0x7b ? {} : undefined;
    const seq: unknown[] = [];
    const close = map ? 0x7d : 0x5d;
    const rec = this.rec;
    const s0 = rec ? rec.sTop : 0;
    let i = this.skipSpaces(p + 1);
    if (t.charCodeAt(i) !== close) {
      for (;;) {
        let key = '';
        const keyOff = i;
        if (map) {
          const colon = this.keyEnd(i);
          if (colon === -1 || t.charCodeAt(colon + 1) !== SPACE) outside();
          key = this.key(i, colon, map);
          i = this.skipSpaces(colon + 1);
        }
        this.child = -1;
        const v = this.flowValue(i);
        if (rec) this.entry(map ? key : undefined, keyOff, i);
        else if (map) map[key] = v;
        else seq.push(v);
        i = this.skipSpaces(this.at);
        if (t.charCodeAt(i) === close) break;
        if (t.charCodeAt(i) !== 0x2c) outside(); // ,
        i = this.skipSpaces(i + 1);
      }
    }
    this.depth--;
    this.at = i + 1;
    if (rec) this.close(map ? 0 : 1, s0);
    return map ?? seq;
  }
}

/**
 * What js-yaml's `load(text, { schema: CORE_SCHEMA })` returns, when `text` is a block mapping
 * written in the subset above; `undefined` when it is not (then use js-yaml).
 */
export function loadYamlSubset(text: string): Record<string, unknown> | undefined {
  return readYamlSubset(text)?.data;
}

/**
 * loadYamlSubset's document; whether every key and string in it is printable ASCII (U+0020 to
 * U+007E), and whether none of its keys is `__proto__`, `constructor` or `prototype`: then the rules
 * looking for those need not walk it.
 */
export function readYamlSubset(text: string, bytes?: Buffer): { data: Record<string, unknown>; printable: boolean; plainKeys: boolean } | undefined {
  const reader = subsetReader(text, undefined, bytes);
  if (!reader) return undefined;
  const data = readWith(reader);
  return data === undefined ? undefined : { data, printable: !reader.unusual, plainKeys: !reader.prototypeKey };
}

function readSubset(text: string, rec?: SubsetPositions): Record<string, unknown> | undefined {
  const reader = subsetReader(text, rec);
  return reader && readWith(reader);
}

function subsetReader(text: string, rec?: SubsetPositions, bytes?: Buffer): SubsetReader | undefined {
  if (!CAN_RESOLVE) return undefined;
  // CR LF line breaks are read like LF; a CR on its own is a line break to js-yaml too: left to it.
  const crlf = text.includes('\r');
  if (crlf && /\r(?!\n)/.test(text)) return undefined;
  try {
    return new SubsetReader(text, crlf, rec, bytes);
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

function readWith(reader: SubsetReader): Record<string, unknown> | undefined {
  try {
    return reader.read();
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

/**
 * The positions of every key and value of a text loadYamlSubset accepted, read again without
 * building the document: ~60 MiB of Int32 columns and line starts for 100 000 phones, where js-yaml's
 * listener (load.ts PositionIndex) held a second document and a Map of its containers (~265 MiB).
 * undefined when the text is outside the subset.
 */
export function subsetPositions(text: string, lines?: number): SubsetPositions | undefined {
  const rec = new SubsetPositions(lines);
  return readSubset(text, rec) === undefined ? undefined : rec;
}
