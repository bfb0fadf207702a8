/**
 * Golden zone fragments: test/fixtures/dns/NNN-name/inventory.yaml → expected.zone.
 * On a mismatch the actual output is written beside it as expected.zone.actual;
 * `UPDATE_GOLDEN=1 npm test` rewrites the golden files on purpose (review the diff!).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { buildDnsRecords, renderDns } from '../../src/core/dns/index.js';
import { dnsFixtures } from '../support/dns-fixtures.js';
import { UPDATE_GOLDEN } from '../support/golden.js';

describe('golden zone fragments', () => {
  const fixtures = dnsFixtures();
  it('there are fixtures', () => assert.ok(fixtures.length >= 3));
  for (const fx of fixtures) {
    it(fx.name, () => {
      const actual = renderDns(fx.inventory, buildDnsRecords(fx.inventory, fx.options), 'bind', {
        source: 'inventory.yaml',
        drain: fx.options.drain,
      }) as string;
      const actualPath = fx.expectedZonePath + '.actual';
      if (UPDATE_GOLDEN) {
        writeFileSync(fx.expectedZonePath, actual);
        rmSync(actualPath, { force: true });
        return;
      }
      assert.ok(existsSync(fx.expectedZonePath), `${fx.expectedZonePath} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
      const expected = readFileSync(fx.expectedZonePath, 'utf8');
      if (actual !== expected) writeFileSync(actualPath, actual);
      else rmSync(actualPath, { force: true });
      assert.equal(actual, expected, `output differs from ${fx.expectedZonePath}; actual written to ${actualPath}`);
    });
  }
});
