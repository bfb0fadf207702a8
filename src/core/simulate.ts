/**
 * Site-failure simulation (`sipbc simulate --fail SITE`): what
 * happens to every phone and agent when one site is lost. Pure: plan +
 * failed site id + catalogue in, outcome out. Nothing here prints.
 *
 * Phone outcomes (F = the failed site, V = the survivor):
 *
 *   unaffected          prefers V: it is registered on V already and stays there
 *   already-registered  dual, prefers F: its second line is registered on V already; calls move
 *                       to V with no re-registration (0 s)
 *   srv-failover        active-backup via the SRV name F-preferred.B: re-registers on V after
 *                       the SRV failover (worst case below)
 *   backup-registrar    active-backup through a backup proxy/registrar set (Alcatel-Lucent 4000):
 *                       re-registers on proxy2/registrar2 = V.B (worst case below)
 *   stranded            prefers F and has no usable way to V (the reason says why)
 *
 * Worst-case outage of a re-registering phone (seconds), from the family's
 * `failover` timers in the catalogue and the inventory's registerExpires E:
 *
 *   outage = max(0, refreshFraction × E − refreshLeadSeconds) + timeoutSeconds[transport] + 1
 *
 * The site can die just after a successful refresh, so the phone notices only
 * at its next refresh (refreshFraction × E − refreshLeadSeconds later); that
 * REGISTER to F then goes unanswered for timeoutSeconds (UDP: SIP Timer F,
 * 64 × T1 = 32 s) before the phone tries V; the last second (SETTLE_SECONDS)
 * covers the new DNS lookup, connect and re-sent REGISTER (measured 20–90 ms
 * by test/e2e, which found the bound without it 0.03–0.09 s short). Measured
 * with baresip (reference/real-components.md §3.2, test/e2e): refresh at
 * 0.9 × E; UDP failover = next refresh + 32 s. Over TCP a stopped registrar
 * refuses the connection and the phone moves right at the next refresh, but a
 * site that goes dark (power, network) leaves the connect unanswered for the
 * same 32 s, so the worst case counts 32 s on every transport. A family
 * without `failover` data gets the RFC 3261 bound: refresh at E, 32 s.
 *
 * Agents: those whose site is F are re-logged in on V by Workspace after
 * `disaster-recovery.timeout` (Genesys default 60 s, reference/phone-models.md
 * §1.3; workspace-options.csv does not change it). Each agent is flagged when
 * a phone at its place is stranded. Capacity: V must carry every agent.
 */
import type { Catalogue, FailoverTimers, Family } from './catalogue.js';
import { ExitCode, SipbcError } from './errors.js';
import type { Mode, Site, Transport } from './inventory.js';
import { siteLabel, type LineServer, type Plan } from './policy.js';

export const PHONE_OUTCOMES = ['unaffected', 'already-registered', 'srv-failover', 'backup-registrar', 'stranded'] as const;
export type PhoneOutcome = (typeof PHONE_OUTCOMES)[number];
export const AGENT_OUTCOMES = ['unaffected', 'relogin'] as const;
export type AgentOutcome = (typeof AGENT_OUTCOMES)[number];

/** DNS lookup, connect and re-sent REGISTER after the timeout (measured 0.02–0.09 s with baresip; rounded up). */
export const SETTLE_SECONDS = 1;

export const OUTAGE_FORMULA = `outage = max(0, refreshFraction × registerExpires − refreshLeadSeconds) + timeoutSeconds[transport] + ${SETTLE_SECONDS}`;

/** Workspace `disaster-recovery.timeout` default (seconds): the wait before a desktop switches to the DR site. */
export const AGENT_RELOGIN_SECONDS = 60;

/** Used for a family whose catalogue entry has no `failover` timers: the latest refresh RFC 3261 allows, then Timer F. */
export const DEFAULT_FAILOVER: FailoverTimers = {
  refreshFraction: 1,
  refreshLeadSeconds: 0,
  timeoutSeconds: { udp: 32, tcp: 32, tls: 32 },
  source: 'no failover timers in the catalogue for this family: assumed refresh at expiry and RFC 3261 Timer F (64 × T1 = 32 s)',
};

export interface PhoneSimulation {
  mac: string;
  model: string;
  family: string;
  place: string;
  /** Logins of the agents at the phone's place. */
  agents: string[];
  preferredSite: string;
  mode: Mode;
  transport: Transport;
  outcome: PhoneOutcome;
  /** The site the phone is registered on after the failure; null when stranded. */
  site: string | null;
  /** The name (and explicit port, if any) through which it reaches that site; null when stranded. */
  via: string | null;
  /** Worst-case seconds without a registration; null when stranded (no bound). */
  outageSeconds: number | null;
  /** The formula with this phone's numbers, for srv-failover and backup-registrar; null otherwise. */
  computation: string | null;
  /** In words: what happens and why. */
  reason: string;
}

export interface AgentSimulation {
  login: string;
  user: string;
  place: string;
  /** The agent's preferred site (the same as the phones at its place). */
  preferredSite: string;
  outcome: AgentOutcome;
  /** Where the agent is logged in after the failure. */
  site: string;
  /** Seconds until the desktop is logged in again (0 when unaffected). */
  outageSeconds: number;
  /** A phone at the agent's place is stranded: the agent is logged in but cannot take calls on it. */
  placeStranded: boolean;
}

export interface SimulationWarning {
  code: 'SIPBC-SIM-CAPACITY' | 'SIPBC-SIM-STRANDED';
  message: string;
}

export interface SiteRef {
  id: string;
  name: string;
}

export interface Simulation {
  failedSite: SiteRef;
  survivor: SiteRef;
  formula: string;
  summary: {
    phones: { total: number } & Record<PhoneOutcome, number>;
    agents: { total: number; placeStranded: number } & Record<AgentOutcome, number>;
    /** The phone with the longest bounded outage (first in inventory order on a tie); null when no phone re-registers. */
    longestOutage: { seconds: number; mac: string; outcome: PhoneOutcome } | null;
    /** Seconds until agents of the failed site are logged in again; 0 when none. */
    agentRelogin: number;
  };
  capacity: {
    site: string;
    /** The survivor's `capacity`; null when the inventory does not set it. */
    capacity: number | null;
    /** Agents the survivor must carry: every agent. */
    agents: number;
    /** Of those, agents that were on the survivor already / arrive from the failed site. */
    already: number;
    arriving: number;
    /** Agents above capacity (0 when it fits or capacity is unset). */
    overflow: number;
    /** true / false, or null when capacity is unset. */
    fits: boolean | null;
  };
  warnings: SimulationWarning[];
  phones: PhoneSimulation[];
  agents: AgentSimulation[];
}

const ref = (s: Site): SiteRef => ({ id: s.id, name: siteLabel(s) });

/** The `--fail` value must be a site id: a usage error (exit 2) listing the valid ids otherwise. */
export function failedSiteOf(plan: Plan, siteId: string): Site {
  const site = plan.sites.find((s) => s.id === siteId);
  if (!site) {
    const ids = plan.sites.map((s) => s.id);
    const byName = plan.sites.find((s) => s.name !== undefined && s.name.toLowerCase() === siteId.toLowerCase());
    throw new SipbcError(
      `unknown site "${siteId}" for --fail; valid site ids: ${ids.join(', ')}`,
      ExitCode.USAGE,
      byName ? `"${siteId}" is the name of site ${byName.id}; --fail takes the id: --fail ${byName.id}` : `e.g. --fail ${ids[0]}`,
    );
  }
  return site;
}

export function failoverTimers(family: Family): FailoverTimers {
  return family.failover ?? DEFAULT_FAILOVER;
}

/** Worst-case seconds from the failure until the phone is registered on the survivor (see the header). */
export function worstCaseOutage(t: FailoverTimers, registerExpires: number, transport: Transport): { seconds: number; computation: string } {
  const refresh = Math.max(0, t.refreshFraction * registerExpires - t.refreshLeadSeconds);
  const timeout = t.timeoutSeconds[transport] ?? 32;
  const seconds = Math.ceil(refresh + timeout + SETTLE_SECONDS);
  const lead = t.refreshLeadSeconds ? ` − ${t.refreshLeadSeconds}` : '';
  return { seconds, computation: `${t.refreshFraction} × ${registerExpires}${lead} + ${timeout} (${transport}) + ${SETTLE_SECONDS} = ${seconds} s` };
}

const hostPort = (s: LineServer) => (s.port === 0 ? s.host : `${s.host}:${s.port}`);

export function simulate(plan: Plan, failedSiteId: string, _catalogue: Catalogue): Simulation {
  const failed = failedSiteOf(plan, failedSiteId);
  const survivor = plan.sites.find((s) => s.id !== failed.id)!;
  const V = survivor.id;
  const noVip = !survivor.sipServer.vip;
  const vAddress = (survivor.sipServer.vip ?? survivor.sipServer.primary)?.address;

  /** Why a server entry that names V cannot be relied on; undefined when it can. */
  const unreliable = (s: LineServer): string | undefined => {
    if (!s.srv && noVip) {
      return (
        `it reaches ${V} only through the ${s.host} A record = ${V}'s primary server${vAddress ? ` (${vAddress})` : ''}, and ${V} has no VIP: ` +
        `when ${V}'s backup SIP Server is the active one, the phone cannot register`
      );
    }
    return undefined;
  };

  const phones: PhoneSimulation[] = plan.phones.map((p) => {
    const base = {
      mac: p.mac,
      model: p.modelId,
      family: p.familyId,
      place: p.place.id,
      agents: p.agents.map((a) => a.login),
      preferredSite: p.preferredSite,
      mode: p.mode,
      transport: p.transport,
    };
    const stranded = (reason: string): PhoneSimulation => ({
      ...base,
      outcome: 'stranded',
      site: null,
      via: null,
      outageSeconds: null,
      computation: null,
      reason,
    });

    if (p.preferredSite === V) {
      const first = p.servers[0];
      return {
        ...base,
        outcome: 'unaffected',
        site: V,
        via: hostPort(first),
        outageSeconds: 0,
        computation: null,
        reason:
          p.mode === 'dual'
            ? `dual: line 1 is registered on ${V} (its preferred site), which survives; only the ${failed.id} registration is lost`
            : `registered on ${V} (its preferred site), which survives`,
      };
    }

    if (p.place.extensions[V] === undefined) return stranded(`place ${p.place.id} has no Extension DN on ${V}: nothing to register there`);

    if (p.mode === 'dual') {
      const toV = p.servers.find((s) => s.site === V);
      if (!toV) return stranded(`dual, but no line registers to ${V}`);
      const problem = unreliable(toV);
      if (problem) return stranded(`dual: ${problem}`);
      return {
        ...base,
        outcome: 'already-registered',
        site: V,
        via: hostPort(toV),
        outageSeconds: 0,
        computation: null,
        reason: `dual: already registered on ${V} through ${hostPort(toV)}; calls move there with no re-registration`,
      };
    }

    const timers = failoverTimers(p.family);
    if (p.family.activeBackup === 'srv') {
      const name = p.servers[0];
      const { seconds, computation } = worstCaseOutage(timers, p.registerExpires, p.transport);
      return {
        ...base,
        outcome: 'srv-failover',
        site: V,
        via: name.host,
        outageSeconds: seconds,
        computation,
        reason: `re-registers on ${V} when ${name.host} SRV falls over to ${V}'s servers (priority 30/40); worst case ${computation}`,
      };
    }

    const backup = p.servers.find((s) => s.site === V);
    if (!backup) return stranded(`active-backup through a backup registrar, but no backup registrar on ${V}`);
    const problem = unreliable(backup);
    if (problem) return stranded(`backup registrar (proxy2/registrar2): ${problem}`);
    const { seconds, computation } = worstCaseOutage(timers, p.registerExpires, p.transport);
    return {
      ...base,
      outcome: 'backup-registrar',
      site: V,
      via: hostPort(backup),
      outageSeconds: seconds,
      computation,
      reason: `moves to its backup proxy/registrar (proxy2/registrar2) ${hostPort(backup)} on ${V}; worst case ${computation}`,
    };
  });

  const strandedPlaces = new Set(phones.filter((p) => p.outcome === 'stranded').map((p) => p.place));
  const agents: AgentSimulation[] = plan.agents.map((a) => {
    const moves = a.site === failed.id;
    return {
      login: a.agent.login,
      user: a.agent.user,
      place: a.place.id,
      preferredSite: a.site,
      outcome: moves ? 'relogin' : 'unaffected',
      site: V,
      outageSeconds: moves ? AGENT_RELOGIN_SECONDS : 0,
      placeStranded: strandedPlaces.has(a.place.id),
    };
  });

  const phoneCounts = Object.fromEntries(PHONE_OUTCOMES.map((o) => [o, 0])) as Record<PhoneOutcome, number>;
  for (const p of phones) phoneCounts[p.outcome]++;
  const agentCounts = Object.fromEntries(AGENT_OUTCOMES.map((o) => [o, 0])) as Record<AgentOutcome, number>;
  for (const a of agents) agentCounts[a.outcome]++;

  let longest: Simulation['summary']['longestOutage'] = null;
  for (const p of phones) {
    if (p.outageSeconds !== null && p.outageSeconds > 0 && (longest === null || p.outageSeconds > longest.seconds)) {
      longest = { seconds: p.outageSeconds, mac: p.mac, outcome: p.outcome };
    }
  }

  const capacity = survivor.capacity ?? null;
  const overflow = capacity === null ? 0 : Math.max(0, agents.length - capacity);
  const warnings: SimulationWarning[] = [];
  if (overflow > 0) {
    warnings.push({
      code: 'SIPBC-SIM-CAPACITY',
      message:
        `${V} must carry all ${agents.length} agents but its capacity is ${capacity}: ${overflow} over ` +
        `(${agentCounts.unaffected} already there, ${agentCounts.relogin} arriving from ${failed.id})`,
    });
  }
  const strandedPhones = phones.filter((p) => p.outcome === 'stranded');
  if (strandedPhones.length > 0) {
    const shown = strandedPhones
      .slice(0, 5)
      .map((p) => `${p.mac} (${p.place})`)
      .join(', ');
    const more = strandedPhones.length > 5 ? ` and ${strandedPhones.length - 5} more` : '';
    warnings.push({
      code: 'SIPBC-SIM-STRANDED',
      message:
        `${strandedPhones.length} phone${strandedPhones.length === 1 ? '' : 's'} would be stranded when ${failed.id} is lost: ${shown}${more}; ` +
        `${strandedPlaces.size} place${strandedPlaces.size === 1 ? '' : 's'} flagged (see each phone's reason)`,
    });
  }

  return {
    failedSite: ref(failed),
    survivor: ref(survivor),
    formula: OUTAGE_FORMULA,
    summary: {
      phones: { total: phones.length, ...phoneCounts },
      agents: { total: agents.length, placeStranded: agents.filter((a) => a.placeStranded).length, ...agentCounts },
      longestOutage: longest,
      agentRelogin: agentCounts.relogin > 0 ? AGENT_RELOGIN_SECONDS : 0,
    },
    capacity: {
      site: V,
      capacity,
      agents: agents.length,
      already: agentCounts.unaffected,
      arriving: agentCounts.relogin,
      overflow,
      fits: capacity === null ? null : overflow === 0,
    },
    warnings,
    phones,
    agents,
  };
}
