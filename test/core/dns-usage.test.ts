/** inventoryDnsUsage (what `sipbc dns` uses) gives the same answer as the plan generate uses, on every fixture and a synthetic inventory. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { synthInventory } from '../../bench/synth.js';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { inventoryDnsUsage } from '../../src/core/dns-usage.js';
import type { DnsUsage } from '../../src/core/dns/index.js';
import { dnsUsageOf } from '../../src/core/generate.js';
import type { Inventory } from '../../src/core/inventory.js';
import { parseInventory } from '../../src/core/load.js';
import { resolvePlan } from '../../src/core/policy.js';
import { fixturePath } from '../support/golden.js';

const cat = loadCatalogue();
const plain = (u: DnsUsage) => [...u].map(([name, v]) => [name, [...v.transports].sort(), [...v.naptrDriven].sort()]).sort();

test('inventoryDnsUsage = dnsUsageOf(resolvePlan()) on the golden fixtures, the DNS fixtures and a synthetic inventory', () => {
  const texts = [
    ...readdirSync(fixturePath())
      .filter((d) => /^\d{3}-/.test(d))
      .map((d) => readFileSync(fixturePath(d, 'inventory.yaml'), 'utf8')),
    ...readdirSync(fixturePath('dns'))
      .filter((d) => /^\d{3}-/.test(d))
      .map((d) => readFileSync(fixturePath('dns', d, 'inventory.yaml'), 'utf8')),
    synthInventory(3000).text,
  ];
  for (const text of texts) {
    const inv = parseInventory(text, 'inventory.yaml').data as Inventory;
    assert.deepEqual(plain(inventoryDnsUsage(inv, cat)), plain(dnsUsageOf(resolvePlan(inv, cat))));
  }
});
