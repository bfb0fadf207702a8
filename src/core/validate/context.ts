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
import { StringIndex } from '../string-index.js';
import { ruleInfo } from './codes.js';

/** placeSite not worked out yet for a place. */
const NOT_MADE = Symbol('not made');

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

/**
 * The mappings of one of the inventory's lists, each with its index there (for paths): `v(ix)` and
 * `i(ix)` for ix below `length`. The usual list holds only mappings and is used as it is; an {v, i}
 * object per entry was 300 000 objects (~20 MB) for 100 000 phones. Rules walk them with indexed
 * loops: each rule runs once, mostly before it is optimised, where for...of allocated an iterator
 * result per entry.
 */
export class Entries<T> {
  readonly length: number;
  private readonly values: readonly unknown[];
  /** The index in the inventory's list of each mapping, when some entries are not mappings. */
  private readonly index?: readonly number[];

  constructor(list: unknown) {
    const all = Array.isArray(list) ? list : [];
    let mappings = 0;
    for (let i = 0; i < all.length; i++) if (isObject(all[i])) mappings++;
    if (mappings === all.length) this.values = all;
    else {
      const values: unknown[] = [];
      const index: number[] = [];
      for (let i = 0; i < all.length; i++) {
        if (!isObject(all[i])) continue;
        values.push(all[i]);
        index.push(i);
      }
      this.values = values;
      this.index = index;
    }
    this.length = mappings;
  }

  /** The ix-th mapping. */
  v(ix: number): T {
    return this.values[ix] as T;
  }

  /** Its index in the inventory's list. */
  i(ix: number): number {
    return this.index === undefined ? ix : this.index[ix];
  }

  /** The ix-th mapping and its index, as one object (for the short lists, and for findings). */
  item(ix: number): Item<T> {
    return { v: this.v(ix), i: this.i(ix) };
  }

  /** Every mapping with its index (a new list: for the short lists). */
  items(): Item<T>[] {
    const out: Item<T>[] = [];
    for (let ix = 0; ix < this.length; ix++) out.push(this.item(ix));
    return out;
  }
}

/** `phones[3].auth.password` — how messages name a node. */
export function formatPath(path: JsonPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(top level)' : s;
}

export class RuleContext {
  readonly inv: Inventory;
  readonly sites: Entries<Site>;
  readonly places: Entries<Place>;
  readonly agents: Entries<Agent>;
  readonly phones: Entries<Phone>;
  readonly switchDNs: Entries<SwitchDN>;
  /** The site ids (only string ones). */
  readonly siteIds: string[];
  /** The schema found no problem: the inventory has the shape of inventory.ts (set by validateInventory before the rules run). */
  shapeValid = false;
  /** Place id → its index in `places` (the first place with that id). */
  private _placeIndex?: StringIndex;
  /**
   * The agents naming each place, in inventory order, as chains of indexes into `agents` (no array
   * per place: 100 000 places): agentFirst[place], agentNext[agent], -1 ending a chain. Agents naming
   * an id that is no place are grouped in agentsElsewhere.
   */
  private _agentFirst?: Int32Array;
  private _agentNext?: Int32Array;
  private _agentsElsewhere?: Map<string, Item<Agent>[]>;
  private _phonesAt?: Map<string, Item<Phone>[]>;
  private _serverSites?: Site[];
  /** placeSite per place index (NOT_MADE before it is worked out), and per id that is no place. */
  private _placeSite?: (string | undefined | typeof NOT_MADE)[];
  private _placeSiteElsewhere?: Map<string, string | undefined>;

  constructor(
    readonly loaded: LoadedInventory,
    readonly catalogue: Catalogue,
  ) {
    const inv = (isObject(loaded.data) ? loaded.data : {}) as unknown as Inventory;
    this.inv = inv;
    this.sites = new Entries<Site>(inv.sites);
    this.places = new Entries<Place>(inv.places);
    this.agents = new Entries<Agent>(inv.agents);
    this.phones = new Entries<Phone>(inv.phones);
    this.switchDNs = new Entries<SwitchDN>(inv.switchDNs);
    this.siteIds = [
      ...new Set(
        this.sites
          .items()
          .map((s) => str(s.v.id))
          .filter((x): x is string => x !== undefined),
      ),
    ];
  }

  /** The index in `places` of the first place with id `id`, or -1. */
  placeIndex(id: string): number {
    let index = this._placeIndex;
    if (!index) {
      const places = this.places;
      index = this._placeIndex = new StringIndex(places.length);
      for (let k = 0; k < places.length; k++) {
        const id = str(places.v(k).id);
        if (id !== undefined) index.add(id, k);
      }
    }
    return index.get(id);
  }

  /** The first place with id `id`, and its index. */
  placeById(id: string): Item<Place> | undefined {
    const k = this.placeIndex(id);
    return k === -1 ? undefined : this.places.item(k);
  }

  /** The first place with id `id` (without its index: no object made). */
  place(id: string): Place | undefined {
    const k = this.placeIndex(id);
    return k === -1 ? undefined : this.places.v(k);
  }

  /** The place ids, each once, in inventory order (did-you-mean candidates). */
  placeIds(): string[] {
    const ids: string[] = [];
    for (let k = 0; k < this.places.length; k++) {
      const id = str(this.places.v(k).id);
      if (id !== undefined && this.placeIndex(id) === k) ids.push(id);
    }
    return ids;
  }

  private chainAgents(): void {
    const n = this.places.length;
    const first = new Int32Array(n).fill(-1);
    const last = new Int32Array(n).fill(-1);
    const agents = this.agents;
    const next = new Int32Array(agents.length).fill(-1);
    for (let m = 0; m < agents.length; m++) {
      const id = str(agents.v(m).place);
      if (id === undefined) continue;
      const k = this.placeIndex(id);
      if (k === -1) {
        const elsewhere = (this._agentsElsewhere ??= new Map());
        const l = elsewhere.get(id);
        if (l) l.push(agents.item(m));
        else elsewhere.set(id, [agents.item(m)]);
      } else {
        if (last[k] === -1) first[k] = m;
        else next[last[k]] = m;
        last[k] = m;
      }
    }
    this._agentFirst = first;
    this._agentNext = next;
  }

  /** The agents naming the place at index `k` of `places` (its first with that id), in inventory order. */
  agentsAtPlace(k: number): Item<Agent>[] {
    if (!this._agentFirst) this.chainAgents();
    const out: Item<Agent>[] = [];
    for (let m = this._agentFirst![k]; m !== -1; m = this._agentNext![m]) out.push(this.agents.item(m));
    return out;
  }

  /** How many agents name the place at index `k` of `places`. */
  agentCount(k: number): number {
    if (!this._agentFirst) this.chainAgents();
    let n = 0;
    for (let m = this._agentFirst![k]; m !== -1; m = this._agentNext![m]) n++;
    return n;
  }

  /** Phones by the place id they name. */
  get phonesAt(): Map<string, Item<Phone>[]> {
    return (this._phonesAt ??= groupBy(this.phones.items(), (p) => str(p.v.place)));
  }

  /** The sites with a string id and a sipServer mapping (the rules that follow the policy need exactly two). */
  get serverSites(): Site[] {
    return (this._serverSites ??= this.sites
      .items()
      .map((s) => s.v)
      .filter((s): s is Site => typeof s.id === 'string' && isObject(s.sipServer)));
  }

  /**
   * The site a place gives its phones that name none, as the policy works it out: its agents' when
   * they agree (each agent's preferredSite, else defaults.preferredSite; `auto` by the rendezvous
   * hash over serverSites), the default with no agent there, undefined when they disagree. Made
   * once per place (rules ask per phone). Only when serverSites are two.
   */
  placeSite(placeId: string): string | undefined {
    const k = this.placeIndex(placeId);
    if (k === -1) {
      const memo = (this._placeSiteElsewhere ??= new Map());
      if (memo.has(placeId)) return memo.get(placeId);
      const site = this.agreedSite(placeId, -1);
      memo.set(placeId, site);
      return site;
    }
    const memo = (this._placeSite ??= new Array<string | undefined | typeof NOT_MADE>(this.places.length).fill(NOT_MADE));
    const made = memo[k];
    if (made !== NOT_MADE) return made;
    return (memo[k] = this.agreedSite(placeId, k));
  }

  /** placeSite's answer, from the agents naming the place at index k of `places` (-1: the id is no place). */
  private agreedSite(placeId: string, k: number): string | undefined {
    if (!this._agentFirst) this.chainAgents();
    const def = (isObject(this.inv.defaults) ? str(this.inv.defaults.preferredSite) : undefined) ?? 'auto';
    const list = k === -1 ? this._agentsElsewhere?.get(placeId) : undefined;
    // The agents one by one: along the place's chain, or through the list of an id that is no place.
    let m = k !== -1 ? this._agentFirst![k] : list ? 0 : -1;
    if (m === -1) return def !== 'auto' ? def : autoSite(placeId, this.serverSites);
    let site: string | undefined;
    let auto: string | undefined;
    while (m !== -1) {
      let pref = str((list ? list[m].v : this.agents.v(m)).preferredSite) ?? def;
      if (pref === 'auto') pref = auto ??= autoSite(placeId, this.serverSites);
      if (site === undefined) site = pref;
      else if (pref !== site) return undefined;
      m = list ? (m + 1 < list.length ? m + 1 : -1) : this._agentNext![m];
    }
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
