/**
 * TEMPORARY stand-ins used by generate.ts until the real modules land
 * (validate/index.ts, render/phones.ts, genesys/index.ts). Delete this file then.
 */
import type { Catalogue } from './catalogue.js';
import type { Finding } from './findings.js';
import type { Inventory } from './inventory.js';
import type { LoadedInventory } from './load.js';
import type { OutputFile } from './output.js';
import type { PhonePolicy, Plan } from './policy.js';

export function validateInventory(loaded: LoadedInventory, _catalogue: Catalogue): { findings: Finding[]; inventory?: Inventory } {
  return { findings: [], inventory: loaded.data as Inventory };
}

export function renderPhones(
  plan: Plan,
  _catalogue: Catalogue,
  opts: { inventoryFile: string; userTemplatesDir?: string; passwordFor(p: PhonePolicy): string },
): OutputFile[] {
  return plan.phones.map((p) => ({
    path: `phones/${p.family.dir}/${p.mac}.cfg`,
    contents: `# stub ${p.mac} ${p.servers.map((s) => s.host).join(' ')} ${opts.passwordFor(p)}\n`,
    secret: true,
  }));
}

export function renderGenesys(_plan: Plan, _inv: Inventory, _opts: { inventoryFile: string }): OutputFile[] {
  return [{ path: 'genesys/dr-forward.csv', contents: 'site,extension\n', secret: false }];
}
