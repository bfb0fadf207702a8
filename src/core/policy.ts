/**
 * Registration policy (the resolution rules of the inventory format; capabilities from the catalogue): for every phone, its
 * preferred site, its mode, and per line the name, port and transport it
 * registers to — each decision with a human-readable "why". Pure: inventory
 * + catalogue in, plan out. Assumes the inventory passed validation.
 */
import type { Catalogue, Family, Model } from './catalogue.js';
import { baseDomain, defaultPort, preferredName, siteName } from './dns-names.js';
import type { Agent, Inventory, Mode, Place, SecretRef, Site, Transport } from './inventory.js';
import { normaliseMac } from './mac.js';
import { sha256Bytes } from './sha256.js';

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
  const weighted = sites.every((s) => typeof s.capacity === 'number' && s.capacity > 0);
  let best = sites[0].id;
  let bestScore = -Infinity;
  for (const s of sites) {
    const digest = sha256Bytes(`${placeId}\u0000${s.id}`);
    const h = (digest.readUIntBE(0, 6) + 0.5) / 2 ** 48; // (0,1)
    const score = -(weighted ? s.capacity! : 1) / Math.log(h);
    if (score > bestScore || (score === bestScore && s.id < best)) {
      best = s.id;
      bestScore = score;
    }
  }
  return best;
}

function port(site: Site, transport: Transport): number {
  const ep = site.sipServer.vip ?? site.sipServer.primary;
  return ep?.port ?? defaultPort(transport);
}

/** What resolvePlan works out about one place. */
interface PlaceState {
  place: Place;
  agents: Agent[];
  /** What its agents (or, with none, the default) prefer, and why. */
  site: string;
  source: SiteSource;
  why: string;
  /** The preferred site of its phones: undefined while it has none, null when they differ. */
  phoneSite?: string | null;
}

export function resolvePlan(inv: Inventory, catalogue: Catalogue): Plan {
  const base = baseDomain(inv);
  const sites = inv.sites;
  const peerOf = new Map(sites.map((s, i) => [s.id, sites[1 - i].id]));
  const defaults = inv.defaults ?? {};
  const defaultSite = defaults.preferredSite ?? 'auto';
  // One entry per place id, so each phone and agent looks its place up once (100 000 places).
  const at = new Map<string, PlaceState>();
  for (const place of inv.places) at.set(place.id, { place, agents: [], site: '', source: 'default', why: '' });
  for (const a of inv.agents ?? []) at.get(a.place)?.agents.push(a);
  // An array grown by push() keeps room for 17 entries: 100 000 places with one agent each held ~15 MB of it.
  for (const st of at.values()) if (st.agents.length > 0) st.agents = st.agents.slice();

  /** `auto` or a site id → a site id, for this place. */
  const concrete = (pref: string, placeId: string): { site: string; auto: boolean } =>
    pref === 'auto' ? { site: autoSite(placeId, sites), auto: true } : { site: pref, auto: false };

  /** What the agents at a place (or, with none, the default) prefer. */
  const placeSites = new Map<string, string>();
  for (const st of at.values()) {
    const { place, agents } = st;
    if (agents.length > 0) {
      const resolved = agents.map((a) => concrete(a.preferredSite ?? defaultSite, place.id));
      const distinct = [...new Set(resolved.map((r) => r.site))];
      if (distinct.length === 1) {
        const auto = resolved.every((r) => r.auto);
        st.site = distinct[0];
        st.source = auto ? 'auto' : 'agents';
        st.why = auto
          ? `site ${distinct[0]} chosen by auto (rendezvous hash of place ${place.id})`
          : `the agents at ${place.id} (${agents.map((a) => a.login).join(', ')}) prefer ${distinct[0]}`;
      } else {
        // Agents disagree: only valid when every phone at the place names its site (validation checks this).
        st.site = resolved[0].site;
        st.source = 'agents';
        st.why = `the agents at ${place.id} disagree; each phone names its site`;
      }
    } else {
      const r = concrete(defaultSite, place.id);
      st.site = r.site;
      st.source = r.auto ? 'auto' : 'default';
      st.why = r.auto
        ? `no agent at ${place.id}; site ${r.site} chosen by auto (rendezvous hash of the place)`
        : `no agent at ${place.id}; defaults.preferredSite is ${r.site}`;
    }
    placeSites.set(place.id, st.site);
  }

  // Most explanations and host names repeat from phone to phone: one shared string each, made once
  // per site, family or mode (100 000 phones: the plan's largest part was these strings, each phone
  // holding its own copies; building each again to look it up cost ~0.3 s).
  const perSite = new Map(
    sites.map((s) => {
      const peer = peerOf.get(s.id)!;
      const preferredHost = preferredName(base, s.id);
      return [
        s.id,
        {
          site: s,
          host: siteName(base, s.id),
          preferredHost,
          phoneSets: `phone sets preferredSite ${s.id}`,
          dual: `dual: line 1 registers to ${s.id} (outbound calls) and ${peer} at the same time`,
          srv: `active-backup via SRV ${preferredHost}: ${s.id} first, ${peer} when it is unreachable`,
          backup: `active-backup via backup registrar: ${s.id}, then ${peer}`,
        },
      ];
    }),
  );
  const texts = new Map<string, string>();
  /** The one shared copy of the text `key` names (made by `make` the first time). */
  const text = (key: string, make: () => string): string => {
    let t = texts.get(key);
    if (t === undefined) texts.set(key, (t = make()));
    return t;
  };

  const phones: PhonePolicy[] = [];
  (inv.phones ?? []).forEach((phone, index) => {
    const model = catalogue.models[phone.model];
    const family = catalogue.families[model.family];
    const st = at.get(phone.place)!;
    const place = st.place;
    // Each phone's `why` is three texts (site, mode, servers), held in an array of exactly that size.
    let siteWhy: string;
    let modeWhy: string;
    let serverWhy: string;
    let note: string | undefined;

    let preferredSite: string;
    let siteSource: SiteSource;
    if (phone.preferredSite !== undefined) {
      const r = concrete(phone.preferredSite, place.id);
      preferredSite = r.site;
      siteSource = r.auto ? 'auto' : 'phone';
      siteWhy = r.auto ? `phone asks for auto: site ${r.site} by rendezvous hash of place ${place.id}` : perSite.get(r.site)!.phoneSets;
    } else {
      preferredSite = st.site;
      siteSource = st.source;
      siteWhy = st.why;
    }
    // An agent follows the phones at its place when they agree (below): note whether they do.
    st.phoneSite = st.phoneSite === undefined || st.phoneSite === preferredSite ? preferredSite : null;
    const peerSite = peerOf.get(preferredSite)!;

    const asked = phone.registration ?? defaults.registration ?? 'active-backup';
    let mode: Mode = asked;
    if (asked === 'dual' && !family.dualRegistration) {
      mode = 'active-backup';
      modeWhy = note = text(`no-dual ${model.family}`, () => `${family.label} cannot dual-register: active-backup instead of defaults.registration dual`);
    } else if (phone.registration) {
      modeWhy = text(`phone ${mode}`, () => `phone sets registration ${mode}`);
    } else if (mode === 'active-backup' && !family.dualRegistration) {
      modeWhy = text(`cannot ${model.family}`, () => `${family.label} cannot dual-register`);
    } else {
      modeWhy = text(`default ${mode}`, () => `defaults.registration ${mode}`);
    }

    const transport = phone.transport ?? defaults.transport ?? 'udp';
    const auth = phone.auth === 'none' ? undefined : phone.auth; // auth: none registers without credentials
    const userOn = (site: string) => auth?.user ?? place.extensions[site];
    const siteEntry = (site: string, srv: boolean): LineServer => {
      const s = perSite.get(site)!;
      return { host: s.host, port: srv ? 0 : port(s.site, transport), srv, transport, site, user: userOn(site) };
    };

    const preferred = perSite.get(preferredSite)!;
    let servers: LineServer[];
    if (mode === 'dual') {
      servers = [siteEntry(preferredSite, family.dualSrv), siteEntry(peerSite, family.dualSrv)];
      serverWhy = preferred.dual;
    } else if (family.activeBackup === 'srv') {
      servers = [{ host: preferred.preferredHost, port: 0, srv: true, transport, site: preferredSite, user: userOn(preferredSite) }];
      serverWhy = preferred.srv;
    } else {
      servers = [siteEntry(preferredSite, false), siteEntry(peerSite, false)];
      serverWhy = preferred.backup;
    }

    phones.push({
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
      registerExpires: defaults.registerExpires ?? DEFAULT_REGISTER_EXPIRES,
      servers,
      authUser: userOn(preferredSite),
      password: auth?.password,
      why: [siteWhy, modeWhy, serverWhy],
      notes: note === undefined ? NO_NOTES : [note],
    });
  });

  // An agent follows the phones at its place when they agree, so desktop and phone always name the same site.
  const agents: AgentPolicy[] = (inv.agents ?? []).map((agent) => {
    const st = at.get(agent.place)!;
    const place = st.place;
    let site: string;
    let siteSource: SiteSource;
    if (typeof st.phoneSite === 'string') {
      site = st.phoneSite;
      siteSource = st.source;
    } else {
      const r = concrete(agent.preferredSite ?? defaultSite, place.id);
      site = r.site;
      siteSource = r.auto ? 'auto' : agent.preferredSite ? 'agents' : 'default';
    }
    return { agent, place, site, peerSite: peerOf.get(site)!, siteSource };
  });

  return { base, resolvers: inv.dns.resolvers, sites, phones, agents, placeSites };
}
