/**
 * One documented order for every Genesys CSV: the header row first, then the
 * data rows sorted by the bytes of the rendered line — the order
 * `LC_ALL=C sort` gives. An admin can reproduce it on an export from Genesys
 * Administrator (`tail -n +2 export.csv | LC_ALL=C sort`) and `diff` the two;
 * identical lines are written once.
 */
import { csvCell } from '../output.js';

export type Cell = string | number | boolean | undefined;

export function sortedCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [...new Set(rows.map((r) => r.map(csvCell).join(',')))];
  const bytes = new Map(lines.map((l) => [l, Buffer.from(l, 'utf8')]));
  lines.sort((a, b) => Buffer.compare(bytes.get(a)!, bytes.get(b)!));
  return [header.map(csvCell).join(','), ...lines].join('\n') + '\n';
}
