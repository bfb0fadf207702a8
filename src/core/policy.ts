/**
 * Registration policy (the resolution rules of the inventory format; capabilities from the catalogue): for every phone, its
 * preferred site, its mode, and per line the name, port and transport it
 * registers to — each decision with a human-readable "why". Pure: inventory
 * + catalogue in, plan out. Assumes the inventory passed validation.
 */
import crypto, { createHash } from 'node:crypto';
import type { Catalogue, Family, Model } from './catalogue.js';
import { baseDomain, defaultPort, preferredName, siteName } from './dns-names.js';
import type { Agent, Inventory, Mode, Phone, Place, SecretRef, Site, Transport } from './inventory.js';
import { normaliseMac } from './mac.js';
import { StringIndex } from './string-index.js';

export const DEFAULT_REGISTER_EXPIRES = 3600;

/** One server entry of a line: the name the phone is given and how it resolves it. */
export interface LineServer {
  /** Host name written into the phone file (`S.B`, `T.B` or `S-preferred.B`). */
  host: string;
  /** Explicit port, or 0 when the phone resolves the name through DNS SRV (NAPTR/SRV, RFC 3263). */
  port: number;
  srv: boolean;
  transport: Transport;
  /** The site this entry reaches first. */
  site: string;
  /** SIP user on that site's switch (auth.user, else the place's Extension DN on that site). */
  user: string;
}

export type SiteSource = 'phone' | 'agents' | 'default' | 'auto';

export interface PhonePolicy {
  /** Index in inventory.phones (for locating findings). */
  index: number;
  mac: string;
  modelId: string;
  model: Model;
  familyId: string;
  family: Family;
  place: Place;
  agents: Agent[];
  preferredSite: string;
  peerSite: string;
  siteSource: SiteSource;
  mode: Mode;
  transport: Transport;
  registerExpires: number;
  /** Server entries of line 1, in the phone's order of preference. */
  servers: LineServer[];
  authUser: string;
  password?: SecretRef;
  /** Why this site and this mode, in words an admin reads (policy output). */
  why: readonly string[];
  /** The default asked for dual but the model cannot: recorded as a note. */
  notes: readonly string[];
}

export interface AgentPolicy {
  agent: Agent;
  place: Place;
  site: string;
  peerSite: string;
  siteSource: SiteSource;
}

export interface Plan {
  base: string;
  /** dns.resolvers: the DNS servers written into phone files that carry their own (Alcatel). */
  resolvers?: readonly string[];
  sites: Site[];
  phones: PhonePolicy[];
  agents: AgentPolicy[];
  /** Preferred site of every place id (what its phones and agents use). */
  placeSites: Map<string, string>;
}

/** The notes of a phone without any (one frozen array shared by all of them). */
const NO_NOTES: readonly string[] = Object.freeze([]);

/** A place's agents before its first one is added (replaced, never changed). */
const NO_AGENTS: Agent[] = [];

export function siteLabel(site: Site): string {
  return site.name ?? site.id;
}

/**
 * `auto`: weighted rendezvous (highest random weight) hashing of the place id
 * over the sites. Each (place, site) pair gets a score −w / ln(h) with h a
 * uniform hash in (0,1); the highest score wins. The winner for a place depends
 * only on that place's id and the sites, so adding or removing a place never
 * moves another, and the share of places per site follows the weights
 * (capacity, or equal when any capacity is absent).
 */
export function autoSite(placeId: string, sites: readonly Site[]): string {
  let weighted = true;
  for (let i = 0; i < sites.length; i++) {
    const c = sites[i].capacity;
    if (!(typeof c === 'number' && c > 0)) weighted = false;
  }
  let best = sites[0].id;
  let bestScore = -Infinity;
  for (let i = 0; i < sites.length; i++) {
    const s = sites[i];
    // The digest's first 6 bytes as a number, read from its Latin-1 text: one 32-character string per
    // hash (the hex digest, its slice and parseInt took ~1.5x the time; a Buffer digest twice).
    const d = digestLatin1(`${placeId}\u0000${s.id}`);
    const n =
      d.charCodeAt(0) * 2 ** 40 +
      d.charCodeAt(1) * 2 ** 32 +
      d.charCodeAt(2) * 2 ** 24 +
      d.charCodeAt(3) * 2 ** 16 +
      d.charCodeAt(4) * 2 ** 8 +
      d.charCodeAt(5);
    const h = (n + 0.5) / 2 ** 48; // (0,1)
    const score = -(weighted ? s.capacity! : 1) / Math.log(h);
    if (score > bestScore || (score === bestScore && s.id < best)) {
      best = s.id;
      bestScore = score;
    }
  }
  return best;
}

/** SHA-256 of the UTF-8 text, each byte of the digest one character (node's one-shot `crypto.hash` where it exists). */
function digestLatin1(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'latin1') : createHash('sha256').update(text).digest('binary'); // (binary: Latin-1)
}
const oneShotHash = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: 'latin1') => string }).hash;

/**
 * Makes V8 flatten a text built by a template literal now (reading a character does): until then it is
 * a chain of concatenation nodes, ~5 per place here, that every garbage collection copies until the
 * policy table reads the text; flat, it is one string.
 */
function flat(text: string): void {
  text.charCodeAt(text.length - 1);
}

function port(site: Site, transport: Transport): number {
  const ep = site.sipServer.vip ?? site.sipServer.primary;
  return ep?.port ?? defaultPort(transport);
}

/** What resolvePlan works out about one place (every field set at creation: one shape for all). */
interface PlaceState {
  place: Place;
  agents: Agent[];
  /** What its agents (or, with none, the default) prefer, and why. */
  site: string;
  source: SiteSource;
  why: string;
  /** The preferred site of its phones: undefined while it has none, null when they differ. */
  phoneSite: string | null | undefined;
  /** Its `auto` site, once worked out ('' before): two sha256 per place, made once. */
  auto: string;
}

/** Shared texts and host names of one site (made once, not per phone). */
interface SiteTexts {
  site: Site;
  peer: string;
  host: string;
  preferredHost: string;
  phoneSets: string;
  dual: string;
  srv: string;
  backup: string;
}

function lineServer(host: string, port: number, srv: boolean, transport: Transport, site: string, user: string): LineServer {
  return { host, port, srv, transport, site, user };
}

export function resolvePlan(inv: Inventory, catalogue: Catalogue): Plan {
  const b = new PlanBuilder(inv, catalogue);
  // Each step is a method of its own: one function with all the loops was compiled and thrown away loop by loop.
  const places = inv.places;
  for (let k = 0; k < places.length; k++) b.addPlace(places[k], k);
  const invAgents = inv.agents ?? [];
  // Indexed loops: these run once, mostly before they are optimised, where for...of allocated an iterator result per entry.
  for (let m = 0; m < invAgents.length; m++) b.addAgent(invAgents[m]);
  const states = b.states;
  for (let k = 0; k < states.length; k++) b.placeSite(states[k]);
  const invPhones = inv.phones ?? [];
  const phones: PhonePolicy[] = [];
  for (let index = 0; index < invPhones.length; index++) phones.push(b.phone(invPhones[index], index));
  const agents: AgentPolicy[] = [];
  for (let m = 0; m < invAgents.length; m++) agents.push(b.agent(invAgents[m]));
  let placeSites: Map<string, string> | undefined;
  return {
    base: b.base,
    resolvers: inv.dns.resolvers,
    sites: b.sites,
    phones,
    agents,
    // Made when asked for: nothing in generate reads it, and a Map of 100 000 places cost ~50 ms.
    get placeSites() {
      if (!placeSites) {
        placeSites = new Map();
        for (const st of states) placeSites.set(st.place.id, st.site);
      }
      return placeSites;
    },
  };
}

/** resolvePlan's state: the places, the texts shared by many phones, made once. */
class PlanBuilder {
  readonly base: string;
  readonly sites: Site[];
  private readonly defaults: NonNullable<Inventory['defaults']>;
  private readonly defaultSite: string;
  private readonly registerExpires: number;
  /** One state per place, in inventory order, and its index by place id (each phone and agent looks its place up once). */
  readonly states: PlaceState[] = [];
  private readonly index: StringIndex;
  // Most explanations and host names repeat from phone to phone: one shared string each, made once
  // per site, family or mode (100 000 phones: the plan's largest part was these strings, each phone
  // holding its own copies; building each again to look it up cost ~0.3 s).
  private readonly perSite = new Map<string, SiteTexts>();
  /** The mode texts, by family id (why a family's mode differs) and by mode (phone or default); made on first use. */
  private readonly noDualText = new Map<string, string>();
  private readonly cannotText = new Map<string, string>();
  private readonly phoneModeText = new Map<Mode, string>();
  private readonly defaultModeText = new Map<Mode, string>();

  constructor(
    inv: Inventory,
    private readonly catalogue: Catalogue,
  ) {
    const base = baseDomain(inv);
    const sites = inv.sites;
    this.base = base;
    this.sites = sites;
    this.defaults = inv.defaults ?? {};
    this.defaultSite = this.defaults.preferredSite ?? 'auto';
    this.registerExpires = this.defaults.registerExpires ?? DEFAULT_REGISTER_EXPIRES;
    this.index = new StringIndex(inv.places.length);
    for (let i = 0; i < sites.length; i++) {
      const s = sites[i];
      const peer = sites[1 - i].id;
      const preferredHost = preferredName(base, s.id);
      this.perSite.set(s.id, {
        site: s,
        peer,
        host: siteName(base, s.id),
        preferredHost,
        phoneSets: `phone sets preferredSite ${s.id}`,
        dual: `dual: line 1 registers to ${s.id} (outbound calls) and ${peer} at the same time`,
        srv: `active-backup via SRV ${preferredHost}: ${s.id} first, ${peer} when it is unreachable`,
        backup: `active-backup via backup registrar: ${s.id}, then ${peer}`,
      });
    }
  }

  addPlace(place: Place, k: number): void {
    this.states.push({ place, agents: NO_AGENTS, site: '', source: 'default', why: '', phoneSite: undefined, auto: '' });
    this.index.add(place.id, k); // (ids are unique: validation checks it)
  }

  /** The state of the place with id `id`. */
  at(id: string): PlaceState | undefined {
    const k = this.index.get(id);
    return k === -1 ? undefined : this.states[k];
  }

  addAgent(a: Agent): void {
    const st = this.at(a.place);
    if (st === undefined) return;
    // The usual single agent gets an array of exactly one entry: an array grown by push() keeps room
    // for 17 (100 000 places with one agent each held ~15 MB of it); longer lists are cut to size in placeSite.
    if (st.agents === NO_AGENTS) st.agents = [a];
    else st.agents.push(a);
  }

  /** `auto` or a site id → a site id, for this place. */
  private concrete(pref: string, st: PlaceState): string {
    if (pref !== 'auto') return pref;
    if (st.auto === '') st.auto = autoSite(st.place.id, this.sites);
    return st.auto;
  }

  /** What the agents at a place (or, with none, the default) prefer. */
  placeSite(st: PlaceState): string {
    const { place } = st;
    let agents = st.agents;
    if (agents.length > 1) st.agents = agents = agents.slice();
    const defaultSite = this.defaultSite;
    if (agents.length > 0) {
      const first = this.concrete(agents[0].preferredSite ?? defaultSite, st);
      let agree = true;
      let auto = true;
      for (let i = 0; i < agents.length; i++) {
        const pref = agents[i].preferredSite ?? defaultSite;
        if (pref !== 'auto') auto = false;
        if (i > 0 && this.concrete(pref, st) !== first) agree = false;
      }
      st.site = first;
      if (agree) {
        st.source = auto ? 'auto' : 'agents';
        st.why = auto
          ? `site ${first} chosen by auto (rendezvous hash of place ${place.id})`
          : `the agents at ${place.id} (${agents.length === 1 ? agents[0].login : agents.map((a) => a.login).join(', ')}) prefer ${first}`;
      } else {
        // Agents disagree: only valid when every phone at the place names its site (validation checks this).
        st.source = 'agents';
        st.why = `the agents at ${place.id} disagree; each phone names its site`;
      }
    } else {
      if (st.agents === NO_AGENTS) st.agents = []; // each place its own list, as before
      const auto = defaultSite === 'auto';
      st.site = this.concrete(defaultSite, st);
      st.source = auto ? 'auto' : 'default';
      st.why = auto
        ? `no agent at ${place.id}; site ${st.site} chosen by auto (rendezvous hash of the place)`
        : `no agent at ${place.id}; defaults.preferredSite is ${st.site}`;
    }
    flat(st.why);
    return st.site;
  }

  phone(phone: Phone, index: number): PhonePolicy {
    const { catalogue, defaults } = this;
    const model = catalogue.models[phone.model];
    const family = catalogue.families[model.family];
    const st = this.at(phone.place)!;
    const place = st.place;
    // Each phone's `why` is three texts (site, mode, servers), held in an array of exactly that size.
    let siteWhy: string;
    let modeWhy: string | undefined;
    let note: string | undefined;

    let preferredSite: string;
    let siteSource: SiteSource;
    if (phone.preferredSite !== undefined) {
      preferredSite = this.concrete(phone.preferredSite, st);
      if (phone.preferredSite === 'auto') {
        siteSource = 'auto';
        siteWhy = `phone asks for auto: site ${preferredSite} by rendezvous hash of place ${place.id}`;
      } else {
        siteSource = 'phone';
        siteWhy = this.perSite.get(preferredSite)!.phoneSets;
      }
    } else {
      preferredSite = st.site;
      siteSource = st.source;
      siteWhy = st.why;
    }
    // An agent follows the phones at its place when they agree (agent()): note whether they do.
    st.phoneSite = st.phoneSite === undefined || st.phoneSite === preferredSite ? preferredSite : null;
    const preferred = this.perSite.get(preferredSite)!;
    const peerSite = preferred.peer;

    const asked = phone.registration ?? defaults.registration ?? 'active-backup';
    let mode: Mode = asked;
    if (asked === 'dual' && !family.dualRegistration) {
      mode = 'active-backup';
      modeWhy = note = this.noDualText.get(model.family);
      if (modeWhy === undefined)
        this.noDualText.set(model.family, (modeWhy = note = `${family.label} cannot dual-register: active-backup instead of defaults.registration dual`));
    } else if (phone.registration) {
      modeWhy = this.phoneModeText.get(mode);
      if (modeWhy === undefined) this.phoneModeText.set(mode, (modeWhy = `phone sets registration ${mode}`));
    } else if (mode === 'active-backup' && !family.dualRegistration) {
      modeWhy = this.cannotText.get(model.family);
      if (modeWhy === undefined) this.cannotText.set(model.family, (modeWhy = `${family.label} cannot dual-register`));
    } else {
      modeWhy = this.defaultModeText.get(mode);
      if (modeWhy === undefined) this.defaultModeText.set(mode, (modeWhy = `defaults.registration ${mode}`));
    }

    const transport = phone.transport ?? defaults.transport ?? 'udp';
    const auth = phone.auth === 'none' ? undefined : phone.auth; // auth: none registers without credentials
    // The SIP user on a site: auth.user, else the place's Extension DN there.
    const ownUser = auth?.user;
    const authUser = ownUser ?? place.extensions[preferredSite];

    let servers: LineServer[];
    let serverWhy: string;
    if (mode === 'dual') {
      const peer = this.perSite.get(peerSite)!;
      const srv = family.dualSrv;
      servers = [
        lineServer(preferred.host, srv ? 0 : port(preferred.site, transport), srv, transport, preferredSite, authUser),
        lineServer(peer.host, srv ? 0 : port(peer.site, transport), srv, transport, peerSite, ownUser ?? place.extensions[peerSite]),
      ];
      serverWhy = preferred.dual;
    } else if (family.activeBackup === 'srv') {
      servers = [lineServer(preferred.preferredHost, 0, true, transport, preferredSite, authUser)];
      serverWhy = preferred.srv;
    } else {
      const peer = this.perSite.get(peerSite)!;
      servers = [
        lineServer(preferred.host, port(preferred.site, transport), false, transport, preferredSite, authUser),
        lineServer(peer.host, port(peer.site, transport), false, transport, peerSite, ownUser ?? place.extensions[peerSite]),
      ];
      serverWhy = preferred.backup;
    }

    return {
      index,
      mac: normaliseMac(phone.mac)!,
      modelId: phone.model,
      model,
      familyId: model.family,
      family,
      place,
      agents: st.agents,
      preferredSite,
      peerSite,
      siteSource,
      mode,
      transport,
      registerExpires: this.registerExpires,
      servers,
      authUser,
      password: auth?.password,
      why: [siteWhy, modeWhy, serverWhy],
      notes: note === undefined ? NO_NOTES : [note],
    };
  }

  /** An agent follows the phones at its place when they agree, so desktop and phone always name the same site. */
  agent(agent: Agent): AgentPolicy {
    const st = this.at(agent.place)!;
    let site: string;
    let siteSource: SiteSource;
    if (typeof st.phoneSite === 'string') {
      site = st.phoneSite;
      siteSource = st.source;
    } else {
      const pref = agent.preferredSite ?? this.defaultSite;
      site = this.concrete(pref, st);
      siteSource = pref === 'auto' ? 'auto' : agent.preferredSite ? 'agents' : 'default';
    }
    return { agent, place: st.place, site, peerSite: this.perSite.get(site)!.peer, siteSource };
  }
}
