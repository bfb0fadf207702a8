/**
 * The DNS golden fixtures: test/fixtures/dns/NNN-name/{inventory.yaml, options.json?, expected.zone}.
 * options.json may hold `{ "drain": "<site>" }`. Shared by the golden unit test and the real-BIND test
 * (which runs named-checkzone on every expected.zone: a golden file can be wrong too).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../src/core/inventory.js';
import { parseInventory } from '../../src/core/load.js';
import { repoPath } from './cli.js';

export interface DnsFixture {
  name: string;
  dir: string;
  inventory: Inventory;
  options: { drain?: string };
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
      return {
        name,
        dir,
        inventory: parseInventory(readFileSync(join(dir, 'inventory.yaml'), 'utf8'), 'inventory.yaml').data as Inventory,
        options: existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as { drain?: string }) : {},
        expectedZonePath: join(dir, 'expected.zone'),
      };
    });
}
