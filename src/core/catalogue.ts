/**
 * The phone-model catalogue: capabilities are data, in
 * `templates/catalogue.json`. Code asks the catalogue; it never switches on
 * model names. A user's `--templates DIR/catalogue.json` can add model ids to a
 * family or define a new family; its entries win over the shipped ones.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transport } from './inventory.js';
import { SipbcError, ExitCode } from './errors.js';
import { readConfinedFile } from './confined-file.js';

/** A user catalogue larger than this is not a catalogue (a wrong file, most likely). */
export const MAX_USER_CATALOGUE_BYTES = 1024 * 1024;

/** How a family writes one file: `name` is a pattern where `{mac}` is the normalised lower-case MAC, `{MAC}` upper case. */
export interface FileSpec {
  name: string;
  template: string;
  /** Escaping/refusal rules for values rendered into this file (one function per format). */
  format: 'keyvalue' | 'xml';
  /** The file holds credentials: written with mode 0600, redacted by --redact. */
  secret: boolean;
}

/** Vendor values for a family's transport and port parameters, as data. */
export interface VendorCodes {
  /** Value of the family's transport parameter for each transport it supports, e.g. Yealink udp "0", Cisco udp "UDP". */
  transport: Partial<Record<Transport, string>>;
  /** Transport value for a server resolved through DNS NAPTR/SRV (Yealink "3" = DNS-NAPTR, Poly "DNSnaptr"); absent: the explicit transport's value. */
  srvTransport?: string;
  /** Port value for a server resolved through DNS SRV; absent: "0". */
  srvPort?: string;
}

/**
 * Timers behind `sipbc simulate`'s worst-case re-registration delay (src/core/simulate.ts):
 * outage = max(0, refreshFraction × registerExpires − refreshLeadSeconds) + timeoutSeconds[transport].
 */
export interface FailoverTimers {
  /** When the phone refreshes its registration, as a fraction of registerExpires (1 = at expiry). */
  refreshFraction: number;
  /** Seconds before that point the phone refreshes (Poly expires.overlap). */
  refreshLeadSeconds: number;
  /** Seconds an unanswered REGISTER to the dead site takes before the next server is tried. */
  timeoutSeconds: Partial<Record<Transport, number>>;
  /** Where the numbers come from, with confidence tags. */
  source: string;
}

export interface Family {
  vendor: string;
  /** Sub-directory of `phones/` the family's files go to. */
  dir: string;
  label: string;
  /** Can register to both sites at the same time. */
  dualRegistration: boolean;
  /** How active-backup is expressed: one SRV name (`S-preferred.B`), or a backup proxy/registrar set (`S.B` then `T.B`). */
  activeBackup: 'srv' | 'backup-registrar';
  /** Can resolve its server through DNS SRV. */
  srv: boolean;
  /** Dual-registration lines use SRV (`S.B` with port 0). False where the vendor forbids it (Cisco MPP: DNS SRV must be off with Dual Registration); those lines use the `S.B` A record with an explicit port. */
  dualSrv: boolean;
  /** In dual mode each site gets its own identity (its own Extension DN as SIP user): Snom identities, baresip accounts. Other families register one user name on both sites. */
  perSiteIdentity?: boolean;
  transports: Transport[];
  /** The family's file carries the phone's DNS server (`dns.resolvers`): Alcatel-Lucent 4000 `[dns] dns_addr`. */
  needsResolver?: boolean;
  /** Extension DNs of places with this family's phones need `dr-forward = no-agent` (Alcatel-Lucent 4000). */
  drForwardNoAgent?: boolean;
  /** Vendor parameter values the templates need (reference §4 cheat-sheet); absent: the transport names themselves. */
  codes?: VendorCodes;
  /** Characters the family's file syntax cannot carry in a user name or password (no escaping exists), e.g. baresip's `;auth_pass=` parameter. */
  credentialForbiddenChars?: string;
  /** Failover timers for `sipbc simulate`; absent: refresh at expiry and 32 s (simulate.ts DEFAULT_FAILOVER). */
  failover?: FailoverTimers;
  files: FileSpec[];
  /** Files written once per vendor directory when at least one such phone exists. */
  commonFiles: FileSpec[];
  /**
   * The site's master file, written only on request (`generate --poly-master`): it names every phone's
   * own file through a vendor variable (Poly `[PHONE_MAC_ADDRESS]`). Never one per phone: a per-phone
   * master would hide the site's own.
   */
  siteMaster?: FileSpec;
}

export interface Model {
  id: string;
  family: string;
  name: string;
}

export interface Catalogue {
  families: Record<string, Family>;
  models: Record<string, Model>;
}

/**
 * The package root (where templates/ and schemas/ live): the nearest directory above this module
 * with a package.json, so it holds from src/core, dist/src/core and the bundle dist/bundle/sipbc.js.
 */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
export const SHIPPED_TEMPLATES = join(PACKAGE_ROOT, 'templates');

interface CatalogueFile {
  families?: Record<string, Family>;
  models?: Record<string, { family: string; name: string }>;
}

function parseCatalogueFile(path: string, text?: string): CatalogueFile {
  if (text === undefined) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new SipbcError(`cannot read catalogue ${path}: ${(e as Error).message}`, ExitCode.USAGE);
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // JSON.parse's message quotes the text around the error: only the position goes out (the file may be anything).
    const at = /position (\d+)/.exec((e as Error).message);
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      where = ` at line ${before.split('\n').length}, column ${Number(at[1]) - before.lastIndexOf('\n')}`;
    }
    throw new SipbcError(`catalogue ${path} is not valid JSON${where}`, ExitCode.USAGE, 'a catalogue is a JSON object with "families" and/or "models"');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SipbcError(`catalogue ${path} is not a JSON object`, ExitCode.USAGE, 'a catalogue is a JSON object with "families" and/or "models"');
  }
  return data as CatalogueFile;
}

function merge(into: Catalogue, file: CatalogueFile, origin: string): void {
  for (const [id, fam] of Object.entries(file.families ?? {})) {
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(id) || !/^[a-z0-9][a-z0-9-]{0,31}$/.test(fam.dir ?? '')) {
      throw new SipbcError(`${origin}: family "${id}" needs an id and a dir made of lower-case letters, digits and '-'`, ExitCode.USAGE);
    }
    into.families[id] = fam;
  }
  for (const [id, m] of Object.entries(file.models ?? {})) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(id)) {
      throw new SipbcError(`${origin}: model id "${id}" must be lower-case letters, digits and '-'`, ExitCode.USAGE);
    }
    if (!Object.hasOwn(into.families, m.family)) {
      throw new SipbcError(`${origin}: model "${id}" names unknown family "${m.family}"`, ExitCode.USAGE);
    }
    into.models[id] = { id, family: m.family, name: m.name };
  }
}

let shipped: Catalogue | undefined;

/** The shipped catalogue, merged with `<userTemplatesDir>/catalogue.json` when that file exists. */
export function loadCatalogue(userTemplatesDir?: string): Catalogue {
  if (!shipped) {
    shipped = { families: Object.create(null), models: Object.create(null) };
    merge(shipped, parseCatalogueFile(join(SHIPPED_TEMPLATES, 'catalogue.json')), 'shipped catalogue');
  }
  if (!userTemplatesDir) return shipped;
  const cat: Catalogue = {
    families: Object.assign(Object.create(null), shipped.families),
    models: Object.assign(Object.create(null), shipped.models),
  };
  const userFile = join(userTemplatesDir, 'catalogue.json');
  let exists = true;
  try {
    lstatSync(userFile); // not a read: a FIFO must not block, and a link is checked by readConfinedFile
  } catch {
    exists = false;
  }
  if (exists) {
    const read = readConfinedFile(userTemplatesDir, 'catalogue.json', { maxBytes: MAX_USER_CATALOGUE_BYTES });
    if (!read.ok)
      throw new SipbcError(
        `catalogue ${userFile} ${read.problem}: refused`,
        ExitCode.USAGE,
        'the catalogue is a regular JSON file inside the --templates directory',
      );
    merge(cat, parseCatalogueFile(userFile, read.text), userFile);
  }
  return cat;
}

export function familyOf(cat: Catalogue, modelId: string): Family | undefined {
  const m = Object.hasOwn(cat.models, modelId) ? cat.models[modelId] : undefined;
  return m ? cat.families[m.family] : undefined;
}
