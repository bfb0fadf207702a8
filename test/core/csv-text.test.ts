/**
 * CsvText: rows encoded one by one into a growing buffer must give the very bytes of the CSV
 * written as one string, across the buffer's growth, with multi-byte characters and quoting.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvText, csvRecord } from '../../src/core/output.js';

test('CsvText writes the bytes of the joined CSV as its buffer grows, with UTF-8 and quoting', () => {
  const rows: string[][] = [];
  for (let i = 0; i < 5000; i++)
    rows.push([`00156500${i}`, i % 7 === 0 ? 'Zürich, "HQ"' : `Place_${i}`, i % 11 === 0 ? '東京 ☎' : '', `=${i}`, 'x'.repeat(i % 97)]);
  const expected = Buffer.from(`${['mac', 'place', 'note', 'n', 'pad'].join(',')}\n${rows.map((r) => `${csvRecord(r)}\n`).join('')}`, 'utf8');

  const csv = new CsvText(16).row(['mac', 'place', 'note', 'n', 'pad']);
  rows.forEach((r, i) => {
    csv.row(r);
    if (i === 63) csv.reserve(csv.length * 80); // as policy.csv does once 64 rows are in
  });
  assert.ok(expected.length > 200_000, 'grows the 16-byte buffer many times');
  assert.deepEqual(csv.bytes(), expected);
  assert.equal(csv.text(), expected.toString('utf8'));

  const lines = new CsvText(16);
  for (const r of rows) lines.line(csvRecord(r));
  assert.deepEqual(lines.bytes(), expected.subarray(expected.indexOf(10) + 1));
  assert.equal(lines.length, expected.length - expected.indexOf(10) - 1);
});
