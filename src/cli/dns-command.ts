/**
 * What `sipbc dns`, `dns push` and `dns verify` share: the inventory's records (validated, DNS
 * warnings shown) and the TSIG key from --key-file or --key NAME:ALG:SECRET-ENV.
 */
import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { loadCatalogue } from '../core/catalogue.js';
import { buildDnsRecords, type DnsRecord } from '../core/dns/index.js';
import { decodeSecret, isTsigAlgorithm, parseKeyFile, TSIG_ALGORITHMS, TsigKey } from '../core/dns/tsig.js';
import { inventoryDnsUsage } from '../core/dns-usage.js';
import { environmentError, ExitCode, SipbcError } from '../core/errors.js';
import type { Inventory } from '../core/inventory.js';
import type { LoadedInventory } from '../core/load.js';
import { formatFinding } from './report.js';
import { loadValidInventory } from './valid-inventory.js';

export interface InventoryRecords {
  loaded: LoadedInventory;
  inventory: Inventory;
  records: DnsRecord[];
}

/** Load → validate → build the records (with --drain); DNS warnings shown in full on stderr, others counted. */
export function inventoryRecords(path: string, opts: { drain?: string; consequence: string; logToStderr(line: string): void }): InventoryRecords {
  // Validation includes the DNS record rules (validate/rules/dns-records.ts): no second check here.
  const { loaded, inventory, findings } = loadValidInventory(path, { consequence: opts.consequence, logToStderr: opts.logToStderr });
  const warnings = findings.filter((f) => f.severity === 'warning');
  for (const f of warnings.filter((w) => w.code.includes('-DNS-'))) opts.logToStderr(formatFinding(f));
  const hidden = warnings.filter((w) => !w.code.includes('-DNS-')).length;
  if (hidden > 0) opts.logToStderr(`${loaded.file}: ${hidden} other warning${hidden === 1 ? '' : 's'} (run \`sipbc validate\` to see them)`);
  // The NAPTR records list the transports of the phones resolving each name (the same answer as generate's plan).
  const records = buildDnsRecords(inventory, { drain: opts.drain, usage: inventoryDnsUsage(inventory, loadCatalogue()) });
  return { loaded, inventory, records };
}

export const serverFlags = {
  server: Flags.string({ required: true, description: "the zone's primary name server: HOST or HOST:PORT ([IPv6]:PORT), port 53 by default" }),
  timeout: Flags.integer({ min: 1, max: 600, default: 5, description: 'seconds to wait for each answer' }),
};

export const keyFlags = {
  'key-file': Flags.string({ exclusive: ['key'], description: 'TSIG key file as tsig-keygen writes it: key "name" { algorithm hmac-sha256; secret "…"; };' }),
  key: Flags.string({ exclusive: ['key-file'], description: 'TSIG key as NAME:ALGORITHM:ENV, the base64 secret read from the environment variable ENV' }),
};

/** The TSIG key of --key-file or --key (undefined without either). Messages name the file or variable, never the secret. */
export function keyFromFlags(flags: { 'key-file'?: string; key?: string }, env: NodeJS.ProcessEnv): TsigKey | undefined {
  if (flags['key-file'] !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags['key-file'], 'utf8');
    } catch (e) {
      const known = environmentError(e, flags['key-file']);
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new SipbcError(`--key-file ${flags['key-file']}: no such file`, ExitCode.USAGE, 'make one with: tsig-keygen -a hmac-sha256 <key name> > <file>');
      throw known ?? e;
    }
    return parseKeyFile(text, flags['key-file']);
  }
  if (flags.key !== undefined) {
    const m = flags.key.match(/^([^:]+):([^:]+):([A-Za-z_][A-Za-z0-9_]*)$/);
    const algs = Object.keys(TSIG_ALGORITHMS).join(', ');
    if (!m)
      throw new SipbcError(
        `--key ${JSON.stringify(flags.key)}: expected NAME:ALGORITHM:ENV (e.g. sipbc-key:hmac-sha256:SIPBC_TSIG_SECRET)`,
        ExitCode.USAGE,
        'the secret itself never goes on the command line: put it in the environment variable ENV',
      );
    const [, name, alg, variable] = m;
    const algorithm = alg.toLowerCase();
    if (!isTsigAlgorithm(algorithm)) throw new SipbcError(`--key: unsupported algorithm ${alg}`, ExitCode.USAGE, `use one of ${algs}`);
    const secret = env[variable];
    if (secret === undefined || secret === '')
      throw new SipbcError(`--key: the environment variable ${variable} is not set`, ExitCode.USAGE, `export ${variable}=<the base64 secret of key ${name}>`);
    return new TsigKey(name, algorithm, decodeSecret(secret, `--key: the environment variable ${variable}`));
  }
  return undefined;
}
