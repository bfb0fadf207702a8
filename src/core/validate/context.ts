/**
 * What every rule gets: the inventory (possibly schema-invalid, so rules read
 * it through the guarded lists below), the catalogue, indexes built once, and
 * `finding()` which locates a node only when a finding is actually made.
 */
import type { Catalogue } from '../catalogue.js';
import type { Finding } from '../findings.js';
import type { Agent, Inventory, Phone, Place, Site, SwitchDN } from '../inventory.js';
import type { JsonPath, LoadedInventory } from '../load.js';
import { autoSite } from '../policy.js';
import { ruleInfo } from './codes.js';

/** An item of one of the inventory's lists, with its index there (for paths). */
export interface Item<T> {
  v: T;
  i: number;
}

export interface FindingOptions {
  /** Point at the key rather than at its value. */
  key?: boolean;
  suggestion?: string;
  /** Overrides the code's default severity. */
  severity?: Finding['severity'];
}

export type Rule = (ctx: RuleContext) => Finding[];

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function items<T>(list: unknown): Item<T>[] {
  if (!Array.isArray(list)) return [];
  const out: Item<T>[] = [];
  for (let i = 0; i < list.length; i++) if (isObject(list[i])) out.push({ v: list[i] as T, i });
  return out;
}

/** `phones[3].auth.password` — how messages name a node. */
export function formatPath(path: JsonPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(top level)' : s;
}

export class RuleContext {
  readonly inv: Inventory;
  readonly sites: Item<Site>[];
  readonly places: Item<Place>[];
  readonly agents: Item<Agent>[];
  readonly phones: Item<Phone>[];
  readonly switchDNs: Item<SwitchDN>[];
  /** The site ids (only string ones). */
  readonly siteIds: string[];
  /** The schema found no problem: the inventory has the shape of inventory.ts (set by validateInventory before the rules run). */
  shapeValid = false;
  private _placeById?: Map<string, Item<Place>>;
  private _agentsAt?: Map<string, Item<Agent>[]>;
  private _phonesAt?: Map<string, Item<Phone>[]>;
  private _serverSites?: Site[];
  private _placeSite?: Map<string, string | undefined>;

  constructor(
    readonly loaded: LoadedInventory,
    readonly catalogue: Catalogue,
  ) {
    const inv = (isObject(loaded.data) ? loaded.data : {}) as unknown as Inventory;
    this.inv = inv;
    this.sites = items<Site>(inv.sites);
    this.places = items<Place>(inv.places);
    this.agents = items<Agent>(inv.agents);
    this.phones = items<Phone>(inv.phones);
    this.switchDNs = items<SwitchDN>(inv.switchDNs);
    this.siteIds = [...new Set(this.sites.map((s) => str(s.v.id)).filter((x): x is string => x !== undefined))];
  }

  /** First place with each id. */
  get placeById(): Map<string, Item<Place>> {
    if (!this._placeById) {
      this._placeById = new Map();
      for (const p of this.places) {
        const id = str(p.v.id);
        if (id !== undefined && !this._placeById.has(id)) this._placeById.set(id, p);
      }
    }
    return this._placeById;
  }

  /** Agents by the place id they name. */
  get agentsAt(): Map<string, Item<Agent>[]> {
    return (this._agentsAt ??= groupBy(this.agents, (a) => str(a.v.place)));
  }

  /** Phones by the place id they name. */
  get phonesAt(): Map<string, Item<Phone>[]> {
    return (this._phonesAt ??= groupBy(this.phones, (p) => str(p.v.place)));
  }

  /** The sites with a string id and a sipServer mapping (the rules that follow the policy need exactly two). */
  get serverSites(): Site[] {
    return (this._serverSites ??= this.sites.map((s) => s.v).filter((s): s is Site => typeof s.id === 'string' && isObject(s.sipServer)));
  }

  /**
   * The site a place gives its phones that name none, as the policy works it out: its agents' when
   * they agree (each agent's preferredSite, else defaults.preferredSite; `auto` by the rendezvous
   * hash over serverSites), the default with no agent there, undefined when they disagree. Made
   * once per place (rules ask per phone). Only when serverSites are two.
   */
  placeSite(placeId: string): string | undefined {
    const memo = (this._placeSite ??= new Map());
    if (memo.has(placeId)) return memo.get(placeId);
    const sites = this.serverSites;
    const def = (isObject(this.inv.defaults) ? str(this.inv.defaults.preferredSite) : undefined) ?? 'auto';
    let auto: string | undefined;
    const resolve = (pref: string): string => (pref !== 'auto' ? pref : (auto ??= autoSite(placeId, sites)));
    const agents = this.agentsAt.get(placeId);
    let site: string | undefined;
    if (agents === undefined) site = resolve(def);
    else {
      site = resolve(str(agents[0].v.preferredSite) ?? def);
      for (let k = 1; k < agents.length; k++) {
        if (resolve(str(agents[k].v.preferredSite) ?? def) !== site) {
          site = undefined;
          break;
        }
      }
    }
    memo.set(placeId, site);
    return site;
  }

  /** The site a phone at `placeId` prefers, as the policy works it out: its own `preferredSite` (`auto` by the hash), else its place's (placeSite). */
  phoneSite(placeId: string, own: string | undefined): string | undefined {
    return own === undefined ? this.placeSite(placeId) : own === 'auto' ? autoSite(placeId, this.serverSites) : own;
  }

  /** A finding at `path` (located now: call only for real findings). */
  finding(code: string, path: JsonPath, message: string, opts: FindingOptions = {}): Finding {
    const pos = this.loaded.locate(path, opts.key ? { key: true } : undefined);
    const f: Finding = {
      code,
      severity: opts.severity ?? ruleInfo(code).severity,
      message,
      file: this.loaded.file,
      path: [...path],
      line: pos.line,
      column: pos.column,
    };
    if (opts.suggestion !== undefined) f.suggestion = opts.suggestion;
    return f;
  }

  /** "line N" of a node, for messages that point at a second place in the file. */
  lineOf(path: JsonPath): number {
    return this.loaded.locate(path).line;
  }
}

function groupBy<T>(list: Item<T>[], key: (x: Item<T>) => string | undefined): Map<string, Item<T>[]> {
  const m = new Map<string, Item<T>[]>();
  for (const x of list) {
    const k = key(x);
    if (k === undefined) continue;
    const l = m.get(k);
    if (l) l.push(x);
    else m.set(k, [x]);
  }
  return m;
}
