/**
 * A real BIND for tests: named-checkzone on a fragment wrapped in a stub zone, and a private
 * `named` on 127.0.0.1:<unused port> with its own named.conf, pid file and working directory in a
 * temp dir. Every server is stopped by its pid (never by name).
 *
 *   if (!namedInstalled()) t.skip(NAMED_MISSING);
 *   const frag = renderZone(records, { zone: 'contoso.example', ttl: 300, source: 'x' });
 *   const check = checkFragment('contoso.example', frag);          // { code, output }
 *   const server = await startNamed([{ name: 'contoso.example', text: wrapFragment('contoso.example', frag) }]);
 *   const srv = await server.resolver().resolveSrv('_sip._udp.east-preferred.sip.contoso.example');
 *   await server.stop();
 *
 * A zone with `dynamic: true` accepts RFC 2136 updates from 127.0.0.1 (allow-update), so
 * `nsupdate` (server 127.0.0.1 <port>) and raw UPDATE messages (`sendUdp`) can change it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** Absolute path of a BIND tool (named, named-checkzone, nsupdate), or undefined. */
export function bindTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH];
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export const NAMED_MISSING =
  'BIND is not installed (named / named-checkzone / nsupdate not found): install the Debian packages bind9 bind9-utils bind9-dnsutils (.ci/run does) to run the real-DNS tests';

export function namedInstalled(): boolean {
  return ['named', 'named-checkzone', 'nsupdate'].every((t) => bindTool(t) !== undefined);
}

/** A port free for both UDP and TCP on 127.0.0.1 (a small race remains: use it at once). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free UDP+TCP port found on 127.0.0.1');
}

export interface StubOptions {
  /** Name server host label (default ns1-test): gets an A record 127.0.0.1. */
  ns?: string;
  /** SOA serial (default 1). */
  serial?: number;
  /** Extra zone-file lines after the stub (relative to the zone). */
  extra?: string[];
}

/** A complete zone: $ORIGIN/$TTL, SOA, NS and the NS host's A record, then `extra` lines. */
export function stubZone(zone: string, opts: StubOptions = {}): string {
  const z = zone.replace(/\.$/, '');
  const ns = opts.ns ?? 'ns1-test';
  return [
    `$ORIGIN ${z}.`,
    '$TTL 60',
    `@ IN SOA ${ns}.${z}. hostmaster.${z}. ${opts.serial ?? 1} 3600 600 86400 60`,
    `  IN NS ${ns}.${z}.`,
    `${ns} IN A 127.0.0.1`,
    ...(opts.extra ?? []),
    '',
  ].join('\n');
}

/**
 * The fragment wrapped in a stub zone. With `includePath` the wrapper `$INCLUDE`s the fragment
 * file (so named-checkzone reports the fragment's own line numbers); without, the text is inlined.
 */
export function wrapFragment(zone: string, fragment: string, includePath?: string, opts: StubOptions = {}): string {
  return stubZone(zone, opts) + (includePath ? `$INCLUDE ${includePath}\n` : fragment);
}

export interface CheckResult {
  code: number;
  /** stdout + stderr of named-checkzone. */
  output: string;
  /** Lines that named-checkzone only warns about but that mean an SRV target does not resolve. */
  noAddress: string[];
}

/** The strict check of peers.md §2.2: `named-checkzone -k fail -S fail -M fail -i local`, wrapped fragment. */
export function checkFragment(zone: string, fragment: string, opts: StubOptions = {}): CheckResult {
  const dir = mkdtempSync(join(tmpdir(), 'sipbc-checkzone-'));
  try {
    const frag = join(dir, 'fragment.zone');
    const wrapper = join(dir, 'wrapper.zone');
    writeFileSync(frag, fragment);
    writeFileSync(wrapper, wrapFragment(zone, fragment, frag, opts));
    const r = spawnSync(
      bindTool('named-checkzone') ?? 'named-checkzone',
      ['-k', 'fail', '-S', 'fail', '-M', 'fail', '-i', 'local', zone.replace(/\.$/, ''), wrapper],
      { encoding: 'utf8' },
    );
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    return { code: r.status ?? -1, output, noAddress: output.split('\n').filter((l) => /has no address(es)? records/.test(l)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ZoneSpec {
  name: string;
  /** The complete zone-file text (SOA and NS included: see stubZone / wrapFragment). */
  text: string;
  /** Accept RFC 2136 updates from 127.0.0.1. */
  dynamic?: boolean;
  /** Accept RFC 2136 updates signed with this TSIG key only (its key statement given to startNamed's `keys`). */
  updateKey?: string;
  /** `update-policy { … };` rules instead of allow-update, e.g. `grant k subdomain sip.example. SRV NAPTR A AAAA`. */
  updatePolicy?: string[];
  /** Zone transfers: 'none' refuses AXFR, a key name allows it only signed with that key (default: BIND's default). */
  transfer?: 'none' | { key: string };
}

/** A TSIG key made by the real `tsig-keygen` (bind9): the key statement, as `key "name" { algorithm …; secret "…"; };`. */
export function tsigKeygen(name: string, algorithm = 'hmac-sha256'): string {
  const r = spawnSync(bindTool('tsig-keygen') ?? 'tsig-keygen', ['-a', algorithm, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsig-keygen failed: ${r.stderr}`);
  return r.stdout;
}

export interface NamedServer {
  port: number;
  dir: string;
  pid: number;
  /** named's log so far (stderr of `named -g`). */
  log(): string;
  /** A node Resolver pointed at this server only. */
  resolver(): dnsPromises.Resolver;
  /** Sends one DNS message over UDP and returns the reply. */
  sendUdp(message: Buffer, timeoutMs?: number): Promise<Buffer>;
  /** Runs `nsupdate` on a script (the caller includes the `server 127.0.0.1 <port>` line), with a key file if given. */
  nsupdate(script: string, keyFile?: string): { code: number; output: string };
  stop(): Promise<void>;
}

function namedConf(dir: string, port: number, zones: ZoneSpec[], keys: readonly string[]): string {
  const zoneBlocks = zones.map(
    (z) => `zone "${z.name.replace(/\.$/, '')}" {
    type primary;
    file "${join(dir, `${z.name.replace(/\.$/, '')}.zone`)}";
    ${z.updatePolicy ? `update-policy { ${z.updatePolicy.map((r) => `${r};`).join(' ')} };` : z.updateKey ? `allow-update { key "${z.updateKey}"; };` : z.dynamic ? 'allow-update { 127.0.0.1; };' : 'allow-update { none; };'}
    ${z.transfer === 'none' ? 'allow-transfer { none; };' : z.transfer ? `allow-transfer { key "${z.transfer.key}"; };` : ''}
};`,
  );
  return `// generated by test/support/bind.ts: a loopback-only authoritative instance
${keys.join('\n')}
options {
    directory "${dir}";
    pid-file "${join(dir, 'named.pid')}";
    session-keyfile "${join(dir, 'session.key')}";
    managed-keys-directory "${dir}";
    dump-file "${join(dir, 'cache_dump.db')}";
    statistics-file "${join(dir, 'named.stats')}";
    listen-on port ${port} { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    allow-query { 127.0.0.0/8; };
    dnssec-validation no;
    notify no;
};
controls { };
logging {
    channel test_log { stderr; severity info; print-category yes; };
    category default { test_log; };
    category update { test_log; };
    category update-security { test_log; };
};
${zoneBlocks.join('\n')}
`;
}

/** Starts `named -g` with its own config in a temp dir; resolves once it answers the first zone's SOA. */
export async function startNamed(zones: ZoneSpec[], opts: { timeoutMs?: number; keys?: readonly string[] } = {}): Promise<NamedServer> {
  if (zones.length === 0) throw new Error('startNamed: at least one zone');
  const named = bindTool('named');
  if (!named) throw new Error(NAMED_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'sipbc-named-'));
  const port = await freePort();
  for (const z of zones) writeFileSync(join(dir, `${z.name.replace(/\.$/, '')}.zone`), z.text);
  const conf = join(dir, 'named.conf');
  writeFileSync(conf, namedConf(dir, port, zones, opts.keys ?? []));

  let log = '';
  const child: ChildProcess = spawn(named, ['-g', '-c', conf, '-n', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pid = child.pid!;

  const resolver = () => {
    const r = new dnsPromises.Resolver({ timeout: 1000, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    return r;
  };

  const stop = async () => {
    if (!exited) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        if (!exited) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }, 5000);
      await exitPromise;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const server: NamedServer = {
    port,
    dir,
    pid,
    log: () => log,
    resolver,
    stop,
    sendUdp(message, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const s = createSocket('udp4');
        const timer = setTimeout(() => {
          s.close();
          reject(new Error(`no UDP reply from 127.0.0.1:${port} within ${timeoutMs} ms`));
        }, timeoutMs);
        s.once('message', (msg) => {
          clearTimeout(timer);
          s.close();
          resolve(msg);
        });
        s.once('error', (e) => {
          clearTimeout(timer);
          s.close();
          reject(e);
        });
        s.send(message, port, '127.0.0.1');
      });
    },
    nsupdate(script, keyFile) {
      const file = join(dir, `update-${Date.now()}-${Math.random().toString(36).slice(2)}.nsupdate`);
      writeFileSync(file, script);
      const r = spawnSync(bindTool('nsupdate') ?? 'nsupdate', [...(keyFile ? ['-k', keyFile] : []), file], { encoding: 'utf8', timeout: 30_000 });
      return { code: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
    },
  };

  // Wait until it answers authoritatively for the first zone (or dies).
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const first = zones[0].name.replace(/\.$/, '');
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`named exited before answering; its log:\n${log}`);
    }
    try {
      await resolver().resolveSoa(first);
      return server;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`named did not answer for ${first} on 127.0.0.1:${port} within ${opts.timeoutMs ?? 10_000} ms; its log:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Reads a file if it exists (for failure messages). */
export function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
