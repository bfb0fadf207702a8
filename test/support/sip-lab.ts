/**
 * A loopback SIP lab for the end-to-end tests (test/e2e/): one Kamailio registrar per site on
 * 127.0.0.2 / 127.0.0.3, and baresip user agents configured from sipbc's generated files.
 * Recipes and measured timings: ../shared/reference/real-components.md §2, §3, §5.
 *
 * Every process is started in its own process group and stopped by its pid (SIGTERM, then
 * SIGKILL to the group after a grace period) — by `stop()`, by `Lab.stopAll()` in after(), and
 * as a last resort when the test process exits. Ports are checked free before use.
 *
 *   const lab = new Lab('sipbc-e2e-');
 *   const east = await lab.registrar('east', '127.0.0.2', 5060);
 *   const ua = await lab.baresip('ab-udp', generatedDir, { dnsPort });
 *   await waitFor(() => east.has('2002'), 5_000);
 *   await lab.stopAll();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { appendFileSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type NamedServer, startNamed } from './bind.js';
import { repoPath } from './cli.js';

const execFileP = promisify(execFile);

/** The registrar config shipped with the tests (read from the source tree; tsc does not copy it). */
export const KAMAILIO_CFG = repoPath('test', 'e2e', 'kamailio-registrar.cfg');

/** Binaries the e2e suite needs, and the Debian package that has each. */
export const E2E_BINARIES: Record<string, string> = {
  named: 'bind9',
  'named-checkzone': 'bind9-utils',
  nsupdate: 'bind9-dnsutils',
  kamailio: 'kamailio',
  kamcmd: 'kamailio',
  baresip: 'baresip-core',
};

/** Which binary is not on PATH (or in /usr/sbin), as "name (package)". */
export function missingBinaries(names: readonly string[] = Object.keys(E2E_BINARIES)): string[] {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'];
  return names.filter((n) => !dirs.some((d) => d && existsSync(join(d, n)))).map((n) => `${n} (${E2E_BINARIES[n] ?? '?'})`);
}

/** The Kamailio module directory of this machine (Debian: /usr/lib/<arch>/kamailio/modules). */
export function kamailioModuleDir(): string {
  for (const d of readdirSync('/usr/lib')) {
    const m = join('/usr/lib', d, 'kamailio', 'modules');
    if (existsSync(join(m, 'registrar.so'))) return m + '/';
  }
  const m = '/usr/lib/kamailio/modules';
  if (existsSync(join(m, 'registrar.so'))) return m + '/';
  throw new Error('cannot find the Kamailio module directory (registrar.so)');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` every `everyMs` until it returns true; resolves with the seconds waited, or
 * undefined after `timeoutMs`.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number | undefined> {
  const t0 = performance.now();
  for (;;) {
    if (await check()) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) return undefined;
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Ports

/** True when nothing listens on host:port over TCP and nothing is bound on it over UDP. */
export async function portFree(host: string, port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const u = createSocket('udp4');
    u.once('error', () => resolve(false));
    u.bind({ address: host, port, exclusive: true }, () => u.close(() => resolve(true)));
  });
}

const handedOut = new Set<string>();

/**
 * A port free over both UDP and TCP on every one of `hosts`, not handed out before by this process,
 * with the `count - 1` ports after it (baresip's sip_listen P also takes P + 1 for TLS).
 * Tries `preferred` first (e.g. 5060), then ports the kernel picks.
 */
export async function freePort(hosts: readonly string[], preferred?: number, count = 1): Promise<number> {
  const ok = async (p: number) => {
    for (let q = p; q < p + count; q++) {
      if (hosts.some((h) => handedOut.has(`${h}:${q}`))) return false;
      for (const h of hosts) if (!(await portFree(h, q))) return false;
    }
    return true;
  };
  const take = (p: number) => {
    for (let q = p; q < p + count; q++) for (const h of hosts) handedOut.add(`${h}:${q}`);
    return p;
  };
  if (preferred !== undefined && (await ok(preferred))) return take(preferred);
  for (let i = 0; i < 50; i++) {
    const p = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ host: hosts[0], port: 0 }, () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    if (await ok(p)) return take(p);
  }
  throw new Error(`no free UDP+TCP port on ${hosts.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Processes

const live = new Set<Daemon>();
/** Targets for `kill -KILL --`: "-<pgid>" for a daemon's group, "<pid>" for a process of a helper (named). */
const guarded = new Set<string>();

/** Last-resort cleanup: a test that crashes or is killed must not leave daemons behind. */
function killAllNow(): void {
  for (const d of live) d.killGroupNow();
  for (const g of guarded) {
    try {
      process.kill(Number(g), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  guarded.clear();
  writeGuardFile();
  try {
    if (watchdog?.pid) process.kill(watchdog.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  rmSync(guardFile, { force: true });
}
process.once('exit', killAllNow);

/**
 * When the test process itself is SIGKILLed (a runner timeout, a closed pipe), no handler runs.
 * A small watchdog bash (its builtin kill takes "-- -<pgid>"; dash's does not), in its own process group, polls this process's pid and then kills
 * exactly the pids/groups listed in the guard file — only what this process started.
 */
const guardFile = join(tmpdir(), `sipbc-e2e-guard-${process.pid}`);
let watchdog: ChildProcess | undefined;
function writeGuardFile(): void {
  try {
    writeFileSync(guardFile, [...guarded].join('\n') + '\n');
  } catch {
    /* tmp not writable: the exit handler still covers normal exits */
  }
}
function guard(target: string): void {
  guarded.add(target);
  writeGuardFile();
  if (!watchdog) {
    const script =
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; if [ -f "$2" ]; then for t in $(cat "$2"); do kill -KILL -- "$t" 2>/dev/null; done; rm -f "$2"; fi';
    watchdog = spawn('bash', ['-c', script, 'sipbc-e2e-watchdog', String(process.pid), guardFile], { detached: true, stdio: 'ignore' });
    watchdog.unref();
  }
}
function unguard(target: string): void {
  if (guarded.delete(target)) writeGuardFile();
}

/** Puts a process started by another helper (e.g. bind.ts's named) under the same last-resort cleanup. */
export function guardPid(pid: number): () => void {
  guard(String(pid));
  return () => unguard(String(pid));
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllNow();
    process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  });
}

/** A background process started by the lab, in its own process group, output to `log`. */
export class Daemon {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAt = performance.now();
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    cmd: string,
    args: readonly string[],
    readonly log: string,
    cwd?: string,
  ) {
    const fd = openSync(log, 'a');
    try {
      this.child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (this.child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
    this.pid = this.child.pid;
    live.add(this);
    guard(`-${this.pid}`);
    this.exited = new Promise<void>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        live.delete(this);
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  /** SIGTERM to the pid, wait up to `graceMs`, then SIGKILL to its process group (its own children). */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([this.exited.then(() => 'exited' as const), timer])) === 'timeout') this.killGroupNow();
    await this.exited;
    // Children of the group (kamailio workers) may outlive the main process by a moment.
    this.killGroupNow(true);
    unguard(`-${this.pid}`);
  }

  /** SIGKILL to the whole process group this daemon leads (only processes this lab started). */
  killGroupNow(quietly = false): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      if (!quietly) {
        /* group already gone */
      }
    }
  }

  logText(): string {
    try {
      return readFileSync(this.log, 'utf8');
    } catch {
      return '';
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Kamailio registrar

export class Registrar {
  daemon!: Daemon;
  private restarts = 0;

  constructor(
    readonly site: string,
    readonly ip: string,
    readonly port: number,
    readonly dir: string,
    /** Also listen for SIP over TLS on `tls.port`, with the kamailio tls module config `tls.cfg`. */
    readonly tls?: { port: number; cfg: string },
  ) {}

  get ctlSock(): string {
    return join(this.dir, 'ctl.sock');
  }

  /** Starts kamailio and waits until its ctl socket answers. */
  async start(timeoutMs = 10_000): Promise<number> {
    mkdirSync(this.dir, { recursive: true });
    rmSync(this.ctlSock, { force: true });
    const log = join(this.dir, `kamailio-${this.restarts++}.log`);
    this.daemon = new Daemon(
      `kamailio ${this.site}`,
      'kamailio',
      [
        '-f',
        KAMAILIO_CFG,
        '-DD',
        '-E',
        '-m',
        '32',
        '-M',
        '4',
        '-l',
        `${this.ip}:${this.port}`,
        '-P',
        join(this.dir, 'kamailio.pid'),
        '-Y',
        this.dir,
        '-A',
        `CTLSOCK="unix:${this.ctlSock}"`,
        '-A',
        `MPATH="${kamailioModuleDir()}"`,
        ...(this.tls ? ['-l', `tls:${this.ip}:${this.tls.port}`, '-A', `TLSCFG="${this.tls.cfg}"`] : []),
      ],
      log,
    ); // prettier-ignore
    const waited = await waitFor(
      async () => {
        if (!this.daemon.running) return true;
        return (await kamcmd(this.ctlSock, ['core.uptime'])) !== undefined;
      },
      timeoutMs,
      50,
    );
    if (!this.daemon.running || waited === undefined) {
      await this.daemon.stop();
      throw new Error(`kamailio ${this.site} on ${this.ip}:${this.port} did not start:\n${this.daemon.logText().slice(-3000)}`);
    }
    return waited;
  }

  /** Stops kamailio (SIGTERM by pid) and waits until its address is free again. */
  async stop(): Promise<void> {
    if (!this.daemon) return;
    await this.daemon.stop();
    await waitFor(() => portFree(this.ip, this.port), 10_000, 100);
    if (this.tls) await waitFor(() => portFree(this.ip, this.tls!.port), 10_000, 100);
  }

  /** The AoRs (user parts; usrloc use_domain=0) with a binding here now. Empty when not running. */
  async aors(): Promise<Set<string>> {
    if (!this.daemon?.running) return new Set();
    const out = await kamcmd(this.ctlSock, ['ul.dump', 'brief']);
    const set = new Set<string>();
    for (const m of (out ?? '').matchAll(/AoR:\s*(\S+)/g)) set.add(m[1]);
    return set;
  }

  async has(aor: string): Promise<boolean> {
    return (await this.aors()).has(aor);
  }

  /** Full `ul.dump` text (Contact, Expires, Socket, User-Agent…), for failure messages. */
  async dump(): Promise<string> {
    if (!this.daemon?.running) return `(kamailio ${this.site} not running)`;
    return (await kamcmd(this.ctlSock, ['ul.dump'])) ?? '(ul.dump failed)';
  }

  /** The REGISTER lines the registrar logged (`t=<epoch> REGISTER aor=… proto=…`), all runs. */
  registerLog(): string {
    return readdirSync(this.dir)
      .filter((f) => f.startsWith('kamailio-') && f.endsWith('.log'))
      .sort()
      .map((f) => readFileSync(join(this.dir, f), 'utf8'))
      .join('')
      .split('\n')
      .filter((l) => l.includes(' REGISTER aor='))
      .join('\n');
  }
}

/** Runs kamcmd against one ctl socket; undefined when it fails. */
export async function kamcmd(sock: string, args: readonly string[]): Promise<string | undefined> {
  try {
    const { stdout } = await execFileP('kamcmd', ['-s', `unix:${sock}`, ...args], { timeout: 5_000 });
    return stdout;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// baresip

export interface BaresipOptions {
  /** named's port on 127.0.0.1 (appended as `dns_server 127.0.0.1:<port>`). */
  dnsPort: number;
  /** Local SIP port on 127.0.0.1 (appended as `sip_listen 127.0.0.1:<port>`); a free one when unset. */
  sipPort?: number;
  /** More config lines the test appends (the TLS test's `sip_cafile`). */
  extraConfig?: string[];
}

export class Baresip {
  daemon!: Daemon;
  constructor(
    readonly name: string,
    readonly dir: string,
    readonly sipPort: number,
  ) {}

  async stop(): Promise<void> {
    await this.daemon?.stop(8_000);
  }

  logText(): string {
    return this.daemon?.logText() ?? '';
  }
}

// ---------------------------------------------------------------------------------------------
// The lab: a temp dir and everything started in it.

export class Lab {
  readonly root: string;
  private readonly registrars: Registrar[] = [];
  private readonly phones: Baresip[] = [];
  private readonly others: (() => Promise<void>)[] = [];

  constructor(prefix = 'sipbc-e2e-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
  }

  path(...p: string[]): string {
    return join(this.root, ...p);
  }

  /** A Kamailio registrar for `site` on ip:port (port checked free over UDP and TCP), started. */
  async registrar(site: string, ip: string, port: number, tls?: { port: number; cfg: string }): Promise<Registrar> {
    if (!(await portFree(ip, port))) throw new Error(`${ip}:${port} is in use (UDP or TCP); cannot start the ${site} registrar`);
    if (tls && !(await portFree(ip, tls.port))) throw new Error(`${ip}:${tls.port} is in use; cannot start the ${site} registrar's TLS listener`);
    const r = new Registrar(site, ip, port, this.path('kamailio', site), tls);
    this.registrars.push(r);
    await r.start();
    return r;
  }

  /**
   * baresip with a copy of a generated `phones/baresip/<mac>/` directory: the test only appends
   * `dns_server 127.0.0.1:<dnsPort>` and `sip_listen 127.0.0.1:<port>` to its `config`.
   */
  async baresip(name: string, generatedDir: string, opts: BaresipOptions): Promise<Baresip> {
    const dir = this.path('baresip', name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(generatedDir, dir, { recursive: true });
    // sip_listen P: UDP and TCP on P, TLS on P + 1 (a P + 1 in use made baresip exit at start: "ua: init failed").
    const sipPort = opts.sipPort ?? (await freePort(['127.0.0.1'], undefined, 2));
    for (const p of [sipPort, sipPort + 1]) if (!(await portFree('127.0.0.1', p))) throw new Error(`127.0.0.1:${p} is in use; cannot start baresip ${name}`);
    const extra = (opts.extraConfig ?? []).map((l) => `${l}\n`).join('');
    appendFileSync(join(dir, 'config'), `\n# added by the e2e test\ndns_server\t127.0.0.1:${opts.dnsPort}\nsip_listen\t127.0.0.1:${sipPort}\n${extra}`);
    const ua = new Baresip(name, dir, sipPort);
    ua.daemon = new Daemon(`baresip ${name}`, 'baresip', ['-f', dir], join(this.root, `baresip-${name}.log`));
    this.phones.push(ua);
    return ua;
  }

  /** A private named (bind.ts's startNamed), its pid guarded while it runs and stopped with the lab. */
  async named(...args: Parameters<typeof startNamed>): Promise<NamedServer> {
    const server = await startNamed(...args);
    const unguard = guardPid(server.pid);
    this.onStop(async () => {
      await server.stop();
      unguard();
    });
    return server;
  }

  /** Something else the lab must stop at the end (e.g. bind.ts's named: `lab.onStop(() => server.stop())`). */
  onStop(stop: () => Promise<void>): void {
    this.others.push(stop);
  }

  /** Stops every phone, then the registrars, then the rest (by pid). Never throws. */
  async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    const run = async (f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        errors.push(e);
      }
    };
    await Promise.all(this.phones.map((p) => run(() => p.stop())));
    await Promise.all(this.registrars.map((r) => run(() => r.stop())));
    await Promise.all(this.others.map((stop) => run(stop)));
    if (errors.length) console.error('sip-lab: errors while stopping:', errors);
  }

  /** Removes the temp dir (keep it when a test failed, for the logs). */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// DNS answers (the named itself comes from test/support/bind.ts)

/** The SRV records of `name` from a named on 127.0.0.1:port, sorted by priority then weight. */
export async function srvTargets(port: number, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const srv = await resolver.resolveSrv(name);
  srv.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  return srv.map((s) => `${s.priority} ${s.name}:${s.port}`);
}
