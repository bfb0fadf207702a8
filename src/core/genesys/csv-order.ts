/**
 * One documented order for every Genesys CSV: the header row first, then the
 * data rows sorted by the bytes of the rendered line — the order
 * `LC_ALL=C sort` gives. An admin can reproduce it on an export from Genesys
 * Administrator (`tail -n +2 export.csv | LC_ALL=C sort`) and `diff` the two;
 * identical lines are written once.
 */
import { type Cell, CsvText, csvRecord } from '../output.js';

/**
 * A CSV file whose rows are written in a fixed order (sorted, duplicates dropped) whatever order
 * they are added in. Each row is kept as its finished CSV line only (100 000 agents × 7 options:
 * no array of cells per row).
 */
export class SortedCsv {
  private readonly lines: string[];
  private count = 0;
  private shared: readonly string[] | undefined;
  /**
   * `expected`: about how many rows will be added. The list is made that long at once: grown by
   * push, a list of 600 000 rows is copied ~30 times, each copy garbage the collector must handle.
   */
  constructor(
    private readonly header: readonly string[],
    expected = 0,
  ) {
    this.lines = new Array<string>(expected);
  }

  add(cells: readonly Cell[]): void {
    this.addLine(csvRecord(cells));
  }

  /** A row already written as a CSV line (csvRecord, or pieces of it). */
  addLine(line: string): void {
    this.lines[this.count++] = line; // beyond `expected`, the list grows as with push
  }

  /** Rows from another SortedCsv's `rows()`, already sorted: merged in, not sorted again. */
  merge(sorted: readonly string[]): void {
    this.shared = sorted;
  }

  /** The data rows, sorted, each once. */
  rows(): string[] {
    const lines = this.lines;
    lines.length = this.count;
    sortLines(lines);
    let kept = 0;
    for (let i = 0; i < lines.length; i++) if (i === 0 || lines[i] !== lines[kept - 1]) lines[kept++] = lines[i];
    lines.length = kept;
    return this.shared ? mergeSorted(lines, this.shared) : lines;
  }

  /** The file as UTF-8 bytes: header, then the rows (never one string of tens of MB; see bytesFile). */
  bytes(): Buffer {
    const lines = this.rows();
    let size = 0;
    for (const l of lines) size += l.length + 1;
    const csv = new CsvText(size + 1024).row(this.header); // exact for ASCII; grows once otherwise
    for (const l of lines) csv.line(l);
    return csv.bytes();
  }
}

/** In place, by the bytes of their UTF-8 encoding. */
function sortLines(lines: string[]): void {
  // Without a character at or above U+D800, UTF-16 order is the UTF-8 byte order: no need to encode
  // every line (measured: Buffer.from per line was the top self-time of generate at 100 000 phones).
  // sort() without a comparator orders strings by UTF-16 code units, as `a < b` does, without a JS call per comparison.
  if (lines.some((l) => ABOVE_D800.test(l))) lines.sort(byteOrder);
  else lines.sort();
}

/** Two sorted, duplicate-free lists as one (a line in both is kept once). */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const high = a.some((l) => ABOVE_D800.test(l)) || b.some((l) => ABOVE_D800.test(l));
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const c = high ? byteOrder(a[i], b[j]) : a[i] < b[j] ? -1 : a[i] > b[j] ? 1 : 0;
    if (c < 0) out[n++] = a[i++];
    else if (c > 0) out[n++] = b[j++];
    else {
      out[n++] = a[i++];
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++];
  while (j < b.length) out[n++] = b[j++];
  out.length = n;
  return out;
}

const ABOVE_D800 = /[\ud800-\uffff]/;

/** UTF-8 byte order: code units order like the bytes, except a surrogate (≥ U+10000) against U+E000–U+FFFF. */
function byteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) : x - y;
  }
  return a.length - b.length;
}
