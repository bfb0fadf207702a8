/**
 * The DNS golden fixtures: test/fixtures/dns/NNN-name/{inventory.yaml, options.json?, expected.zone}.
 * options.json may hold `{ "drain": "<site>" }`; `usage` (who resolves which name, for the NAPTR records)
 * comes from the inventory's registration plan, as in `sipbc dns` and `generate`. Shared by the golden unit test and the real-BIND test
 * (which runs named-checkzone on every expected.zone: a golden file can be wrong too).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogue } from '../../src/core/catalogue.js';
import type { BuildOptions } from '../../src/core/dns/index.js';
import { dnsUsageOf } from '../../src/core/generate.js';
import type { Inventory } from '../../src/core/inventory.js';
import { parseInventory } from '../../src/core/load.js';
import { resolvePlan } from '../../src/core/policy.js';
import { repoPath } from './cli.js';

export interface DnsFixture {
  name: string;
  dir: string;
  inventory: Inventory;
  options: BuildOptions;
  expectedZonePath: string;
}

export const DNS_FIXTURES_DIR = repoPath('test', 'fixtures', 'dns');

export function dnsFixtures(): DnsFixture[] {
  return readdirSync(DNS_FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{3}-/.test(d.name))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = join(DNS_FIXTURES_DIR, name);
      const optionsPath = join(dir, 'options.json');
      const inventory = parseInventory(readFileSync(join(dir, 'inventory.yaml'), 'utf8'), 'inventory.yaml').data as Inventory;
      const drain = existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as { drain?: string }) : {};
      return {
        name,
        dir,
        inventory,
        options: { ...drain, usage: dnsUsageOf(resolvePlan(inventory, loadCatalogue())) },
        expectedZonePath: join(dir, 'expected.zone'),
      };
    });
}
