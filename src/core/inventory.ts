/**
 * The inventory as the user writes it (format version 1), after loading and
 * schema validation. Optional keys stay optional here; `resolve-defaults.ts`
 * is the one place that fills in defaults.
 */
export type Transport = 'udp' | 'tcp' | 'tls';
export type Mode = 'dual' | 'active-backup';
export const TRANSPORTS: readonly Transport[] = ['udp', 'tcp', 'tls'];

export interface ServerEndpoint {
  host: string;
  address?: string;
  port?: number;
}

/** Either `vip`, or `primary` + `backup` (the schema enforces one of the two shapes). */
export interface SipServerPair {
  vip?: ServerEndpoint;
  primary?: ServerEndpoint;
  backup?: ServerEndpoint;
}

export interface Site {
  id: string;
  name?: string;
  capacity?: number;
  sipServer: SipServerPair;
}

export interface Place {
  id: string;
  /** site id → Extension DN number */
  extensions: Record<string, string>;
}

export interface Agent {
  login: string;
  user: string;
  place: string;
  preferredSite?: string; // site id or 'auto'
  /** Agent uses the Workspace SIP Endpoint: its options get the sbc-register pair. */
  sipEndpoint?: boolean;
}

/** A secret reference: an environment variable, a file (relative to the inventory), or a literal (warned). */
export type SecretRef = string | { env: string } | { file: string };

export interface Phone {
  mac: string;
  model: string;
  place: string;
  registration?: Mode;
  preferredSite?: string;
  transport?: Transport;
  /** Required by validation: the credentials, or 'none' for a phone that registers without any. */
  auth?: { user?: string; password?: SecretRef } | 'none';
}

export interface SwitchDN {
  number: string;
  type: 'acd-queue' | 'call-processing-port';
}

export interface Inventory {
  version: 1;
  /** resolvers: DNS servers the phones use, written where a phone file carries its own (Alcatel `[dns] dns_addr`). */
  dns: { zone: string; subdomain?: string; ttl?: number; resolvers?: string[] };
  defaults?: {
    registration?: Mode;
    transport?: Transport;
    registerExpires?: number;
    preferredSite?: string;
  };
  sites: Site[];
  places: Place[];
  agents?: Agent[];
  phones?: Phone[];
  switchDNs?: SwitchDN[];
  genesys?: { statServerVersion?: string };
}
