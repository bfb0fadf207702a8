/**
 * `npm run bench`: how fast and how lean the real CLI is, each figure against
 * a yardstick measured in the same run on the same machine (issue 7).
 *
 *   generate   `sipbc generate INV -o DIR` into an empty DIR, against the
 *              write FLOOR: a node process that writes the very same files
 *              (same paths, same bytes, same modes, read back from what
 *              generate wrote and handed to it as one blob) with plain
 *              mkdirSync/writeFileSync and no other work.
 *   validate   `sipbc validate INV`, against js-yaml 4's bare `load` of the
 *              same file in a node process.
 *   validate (unknown keys)  `sipbc validate` of a hostile file as large as the N-phone inventory
 *              holding N unknown keys in one mapping, against `sipbc validate` of that inventory
 *              (issue 18: validation cost linear in the input, under 2x; exit 1 is expected).
 *   start-up   `sipbc --version`, and `sipbc validate` of a 5-phone inventory
 *              and of examples/inventory.yaml, against `node -e 0`; the
 *              same validate installed from the tarball `npm pack` makes, with its
 *              code cache and with a code cache made by another node.
 *
 * Every command is a child process timed from spawn to exit (wall clock) and
 * run through `/usr/bin/time -f '%U %S %M'` for its CPU time (user + system, all threads) and peak RSS. Each pair runs
 * alternately (A B A B …, after one warm-up each) and the ratio is the median
 * of the pairwise ratios, so a drift in the machine's speed does not bias it.
 * Prints a table and writes bench/results.json (not committed).
 *
 *   npm run bench                                  # 1 000, 10 000, 100 000 phones, 5 runs
 *   npm run bench -- --sizes 1000,10000 --runs 3
 *   npm run bench -- --only startup --runs 20      # the start-up rows only
 *   node dist/bench/bench.js --only hostile --sizes 100k --runs 3   # validate of unknown keys vs normal
 *   node dist/bench/bench.js --sizes 100k --runs 5 --keep
 *   node dist/bench/bench.js --only generate --sizes 100k --runs 3   # the generate rows only
 *   node dist/bench/bench.js --only generate --sizes 100k --runs 5 --work /dev/shm --against ../sipbc-old
 *                                  # + first runs paired with another checkout's (CPU ratio), on a tmpfs
 *
 * At each size, generate also runs on the same inventory with about one phone in eight carrying a
 * warning (synth.ts --warnings): findings must not cost the memory budget.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { PROJECT_ROOT, synthInventory, synthUnknownKeys } from './synth.js';

const RUN_JS = join(PROJECT_ROOT, 'bin', 'run.js');
const TIME = '/usr/bin/time';
const MIB = 1024 * 1024;

const TARGETS = {
  /** Issue 7 sets it for 100 000 phones (GENERATE_TARGET_PHONES); smaller sizes are shown for information. */
  generate: { ratio: 1.5, rssMiB: 512 },
  validate: { ratio: 2, rssMiB: 512 },
  /** Issue 18: N unknown keys against N phones, the same bytes. */
  validateHostile: { ratio: 2 },
  startup: { ratio: 2 },
};
const GENERATE_TARGET_PHONES = 100_000;
/** statfs f_type of a tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

interface Options {
  /** `startup`: only the start-up rows (no inventory sizes); `hostile`: only the validate rows of the unknown-keys file; `generate`: only the generate rows. */
  only?: 'startup' | 'hostile' | 'generate';
  sizes: number[];
  runs: number;
  keep: boolean;
  work?: string;
  /** Another sipbc checkout (built): its generate first runs paired with this build's. */
  against?: string;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`bench: ${msg}\n`);
  process.stderr.write(
    'usage: node dist/bench/bench.js [--only startup|hostile|generate] [--sizes 1000,10000,100000] [--runs N] [--keep] [--work DIR] [--against ROOT]\n' +
      '  --only   startup: measure only the start-up rows (--version, validate of small inventories, --help)\n' +
      '           hostile: only validate of N unknown keys in one mapping against validate of N phones (same bytes)\n' +
      '           generate: only the generate rows (first run, with warnings, over unchanged output)\n' +
      '  --sizes  phone counts to synthesise (k suffix allowed: 1k,10k,100k); default 1000,10000,100000\n' +
      '  --runs   measured runs per command (median reported; one extra warm-up run each); default 5\n' +
      '  --keep   keep the work directory (inventories, outputs) for inspection\n' +
      '  --work   where to put the work directory (default: the OS temp directory; a tmpfs such as /dev/shm\n' +
      "           takes the file system's own variance out of the figures)\n" +
      '  --against ROOT  another sipbc checkout, built (npm ci && npm run build): its generate first runs are\n' +
      "           paired with this build's on the same inventory (CPU and wall ratios, peak RSS of both)\n",
  );
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [1000, 10000, 100000], runs: 5, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') usage();
    else if (a.startsWith('--sizes')) {
      o.sizes = value()
        .split(',')
        .filter(Boolean)
        .map((s) => {
          const m = /^(\d+)(k?)$/i.exec(s.trim());
          if (!m) usage(`--sizes: "${s}" is not a number of phones`);
          return Number(m[1]) * (m[2] ? 1000 : 1);
        });
      if (o.sizes.length === 0 || o.sizes.some((n) => n < 1)) usage('--sizes needs at least one positive number');
    } else if (a.startsWith('--runs')) {
      o.runs = Number(value());
      if (!Number.isInteger(o.runs) || o.runs < 1) usage('--runs needs a positive integer');
    } else if (a.startsWith('--only')) {
      const v = value();
      if (v !== 'startup' && v !== 'hostile' && v !== 'generate') usage(`--only: "${v}" is not a part of the benchmark (startup, hostile, generate)`);
      o.only = v;
    } else if (a === '--keep') o.keep = true;
    else if (a.startsWith('--work')) o.work = value();
    else if (a.startsWith('--against')) {
      o.against = value();
      if (!existsSync(join(o.against, 'bin', 'run.js'))) usage(`--against: ${o.against}/bin/run.js not found (a sipbc checkout, built)`);
    } else usage(`unknown argument ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------- running children

interface Run {
  wallMs: number;
  rssKiB: number | undefined;
  /** user + system CPU time of the process and all its threads (/usr/bin/time %U + %S) */
  cpuMs: number | undefined;
  code: number | null;
  out: string;
}

const haveTime = existsSync(TIME);

/** One child process: wall time from spawn to exit, CPU time and peak RSS via /usr/bin/time, the first 64 KiB of output. */
function runOnce(cmd: string[], env: NodeJS.ProcessEnv, rssFile: string): Promise<Run> {
  const argv = haveTime ? [TIME, '-f', '%U %S %M', '-o', rssFile, ...cmd] : cmd;
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => {
      if (out.length < 65536) out += b.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssKiB: number | undefined;
      let cpuMs: number | undefined;
      if (haveTime) {
        // /usr/bin/time writes "Command exited with non-zero status N" before the figures when the command fails.
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const [user, sys, rss] = lines[lines.length - 1].split(' ').map(Number);
        rssKiB = Number.isFinite(rss) ? rss : undefined;
        cpuMs = Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : undefined;
      }
      resolvePromise({ wallMs, rssKiB, cpuMs, code, out });
    });
  });
}

interface Side {
  label: string;
  cmd: string[];
  before?: () => void;
}

interface Stats {
  min: number;
  median: number;
  max: number;
}

interface SideResult {
  label: string;
  command: string;
  wallMs: Stats;
  rssMiB: Stats | undefined;
  /** user + system CPU time */
  cpuMs: Stats | undefined;
  exitCodes: number[];
  firstOutput: string;
}

interface PairResult {
  a: SideResult;
  b?: SideResult;
  /** median of the pairwise wall-time ratios a/b */
  ratio?: number;
  /** median of the pairwise CPU-time (user + system) ratios a/b */
  cpuRatio?: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}

function shellWords(cmd: string[]): string {
  return cmd.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A and B alternately, one warm-up each, then `runs` measured pairs. */
async function measure(a: Side, b: Side | undefined, runs: number, env: NodeJS.ProcessEnv, rssFile: string, onWarm?: (r: Run) => void): Promise<PairResult> {
  const ra: Run[] = [];
  const rb: Run[] = [];
  const once = async (s: Side) => {
    s.before?.();
    return runOnce(s.cmd, env, rssFile);
  };
  const warmA = await once(a);
  onWarm?.(warmA);
  if (b) await once(b);
  for (let i = 0; i < runs; i++) {
    ra.push(await once(a));
    if (b) rb.push(await once(b));
  }
  const side = (s: Side, rs: Run[], warm?: Run): SideResult => {
    const rss = rs.map((r) => r.rssKiB).filter((x): x is number => x !== undefined);
    const cpu = rs.map((r) => r.cpuMs).filter((x): x is number => x !== undefined);
    return {
      label: s.label,
      command: shellWords(s.cmd.map((w) => (w.length > 200 ? `${w.slice(0, 40)}…` : w))),
      wallMs: stats(rs.map((r) => r.wallMs)),
      rssMiB: rss.length ? stats(rss.map((k) => k / 1024)) : undefined,
      cpuMs: cpu.length ? stats(cpu) : undefined,
      exitCodes: [...new Set(rs.map((r) => r.code ?? -1))],
      // The warm-up's output, unless a measured run ended otherwise: then that run's, which says why.
      firstOutput: (rs.find((r) => r.code !== (warm ?? rs[0]).code) ?? warm ?? rs[0]).out.slice(0, 2000),
    };
  };
  const res: PairResult = { a: side(a, ra, warmA) };
  if (b) {
    res.b = side(b, rb);
    res.ratio = stats(ra.map((r, i) => r.wallMs / rb[i].wallMs)).median;
    const cpu = ra.flatMap((r, i) => (r.cpuMs && rb[i].cpuMs ? [r.cpuMs / rb[i].cpuMs!] : []));
    if (cpu.length) res.cpuRatio = stats(cpu).median;
  }
  return res;
}

// ---------------------------------------------------------------- the write floor

/** Every file under dir (dot-files included), sorted, relative with '/'. */
function walk(dir: string): string[] {
  const files: string[] = [];
  const rec = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) rec(p);
      else if (e.isFile()) files.push(relative(dir, p).split('\\').join('/'));
    }
  };
  rec(dir);
  return files.sort();
}

/** Packs what generate wrote into one blob + index, so the floor process gets the bytes with a single read. */
function packOutput(outDir: string, packFile: string, indexFile: string): { files: number; bytes: number } {
  const index: [string, number, number][] = [];
  const parts: Buffer[] = [];
  let bytes = 0;
  for (const f of walk(outDir)) {
    const p = join(outDir, f);
    const buf = readFileSync(p);
    index.push([f, buf.length, statSync(p).mode & 0o777]);
    parts.push(buf);
    bytes += buf.length;
  }
  writeFileSync(packFile, Buffer.concat(parts));
  writeFileSync(indexFile, JSON.stringify(index));
  return { files: index.length, bytes };
}

/** The floor: read the blob, then mkdir + writeFileSync each file. Nothing else. */
const FLOOR_JS = `
const fs = require('node:fs'), path = require('node:path');
const [pack, indexFile, out] = process.argv.slice(1);
const buf = fs.readFileSync(pack);
const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
const made = new Set();
let off = 0;
for (const [p, len, mode] of index) {
  const f = path.join(out, p);
  const d = path.dirname(f);
  if (!made.has(d)) { fs.mkdirSync(d, { recursive: true }); made.add(d); }
  fs.writeFileSync(f, buf.subarray(off, off + len), { mode });
  off += len;
}`;

// ---------------------------------------------------------------- the packed layout

/**
 * sipbc as a user installs it: `npm pack` (of the current build) installed with
 * `npm install -g --prefix` into work/prefix; returns the installed package directory.
 */
function packedInstall(work: string): string | undefined {
  const npm = (args: string[]) => {
    const r = spawnSync('npm', args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm ${args.join(' ')}: ${r.error?.message ?? r.stderr}`);
    return r.stdout;
  };
  try {
    const tarball = join(work, npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', work]).trim().split('\n').pop()!);
    npm(['install', '-g', '--prefix', join(work, 'prefix'), '--offline', '--no-audit', '--no-fund', '--silent', tarball]);
    return join(work, 'prefix', 'lib', 'node_modules', 'sipbc');
  } catch (e) {
    process.stderr.write(`bench: skipping the packed start-up: ${(e as Error).message}\n`);
    return undefined;
  }
}

/** The installed code cache made as if by another node: its first line names another V8, so bin/run.js will not use it. */
function mismatchCodeCache(pkgDir: string): void {
  const file = join(pkgDir, 'dist', 'bundle', 'sipbc.cjs.cache');
  const data = readFileSync(file);
  const nl = data.indexOf(10);
  const head = data.subarray(0, nl).toString('latin1').split(' ');
  head[3] = 'v8-0.0.0-other';
  writeFileSync(file, Buffer.concat([Buffer.from(head.join(' '), 'latin1'), data.subarray(nl)]));
}

// ---------------------------------------------------------------- the run

interface Row {
  measure: string;
  phones: number | undefined;
  result: PairResult;
  target?: { ratio?: number; rssMiB?: number };
  pass?: boolean;
  note?: string;
  /** The exit code the measured command must give (default 0). */
  exit?: number;
}

function gitCommit(root = PROJECT_ROOT): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function judge(row: Row): void {
  const t = row.target;
  if (!t) return;
  const okRatio = t.ratio === undefined || (row.result.ratio !== undefined && row.result.ratio <= t.ratio);
  const okRss = t.rssMiB === undefined || (row.result.a.rssMiB !== undefined && row.result.a.rssMiB.median <= t.rssMiB);
  const okExit = row.result.a.exitCodes.every((c) => c === (row.exit ?? 0));
  row.pass = okRatio && okRss && okExit;
}

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function printTable(rows: Row[]): void {
  const head = ['measure', 'phones', 'sipbc', 'baseline', 'ratio', 'target', 'sipbc RSS', 'base RSS', 'sipbc CPU', 'base CPU', 'CPU ratio', 'exit', ''];
  const body = rows.map((r) => {
    const a = r.result.a;
    const b = r.result.b;
    const target = r.target ? [r.target.ratio ? `≤${r.target.ratio}×` : '', r.target.rssMiB ? `≤${r.target.rssMiB} MiB` : ''].filter(Boolean).join(', ') : '';
    return [
      r.measure,
      r.phones === undefined ? '' : r.phones.toLocaleString('en-US'),
      fmtMs(a.wallMs.median),
      b ? `${fmtMs(b.wallMs.median)} (${b.label})` : '',
      r.result.ratio === undefined ? '' : `${r.result.ratio.toFixed(2)}×`,
      target,
      a.rssMiB ? `${a.rssMiB.median.toFixed(0)} MiB` : '-',
      b?.rssMiB ? `${b.rssMiB.median.toFixed(0)} MiB` : '',
      fmtMs(a.cpuMs?.median),
      b?.cpuMs ? fmtMs(b.cpuMs.median) : '',
      r.result.cpuRatio === undefined ? '' : `${r.result.cpuRatio.toFixed(2)}×`,
      a.exitCodes.join('/'),
      r.pass === undefined ? (r.note ?? '') : r.pass ? 'ok' : `MISSED${r.note ? ` (${r.note})` : ''}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 10 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const bundle = join(PROJECT_ROOT, 'dist', 'bundle', 'sipbc.cjs');
  if (!existsSync(bundle)) usage('build first: npm run build');
  const work = mkdtempSync(join(opts.work ?? tmpdir(), 'sipbc-bench-'));
  const rssFile = join(work, 'rss.txt');
  const node = process.execPath;
  const jsYaml = createRequire(join(PROJECT_ROOT, 'package.json')).resolve('js-yaml');
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  if (!haveTime) log(`${TIME} not found: peak RSS is not measured (apt-get install time)`);
  // bin/run.js runs the bundle only when it is at least as new as the tsc output (see bin/run.js).
  const tscOutput = join(PROJECT_ROOT, 'dist', 'src', 'cli', 'base-command.js');
  if (existsSync(tscOutput) && statSync(tscOutput).mtimeMs > statSync(bundle).mtimeMs) {
    log('dist/bundle is older than dist/src, so bin/run.js runs the tsc output: run npm run build for figures of what ships');
  }
  const rows: Row[] = [];
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete baseEnv.FORCE_COLOR;

  try {
    // ---- start-up
    if (opts.only !== 'hostile' && opts.only !== 'generate') {
      const five = synthInventory(5);
      const fivePath = join(work, 'inventory-5.yaml');
      writeFileSync(fivePath, five.text);
      const env5 = { ...baseEnv, ...five.env };
      const bare: Side = { label: 'node -e 0', cmd: [node, '-e', '0'] };
      log('start-up: sipbc --version vs node -e 0');
      rows.push({
        measure: 'start-up --version',
        phones: undefined,
        result: await measure({ label: 'sipbc --version', cmd: [node, RUN_JS, '--version'] }, bare, opts.runs, env5, rssFile),
        target: TARGETS.startup,
      });
      log('start-up: sipbc validate (5 phones) vs node -e 0');
      rows.push({
        measure: 'start-up validate',
        phones: 5,
        result: await measure({ label: 'sipbc validate', cmd: [node, RUN_JS, 'validate', fivePath] }, bare, opts.runs, env5, rssFile),
        target: TARGETS.startup,
      });
      const example = join(PROJECT_ROOT, 'examples', 'inventory.yaml');
      const examplePhones = (readFileSync(example, 'utf8').match(/^\s*- mac:/gm) ?? []).length || undefined;
      log('start-up: sipbc validate examples/inventory.yaml vs node -e 0');
      rows.push({
        measure: 'start-up validate (example)',
        phones: examplePhones,
        result: await measure({ label: 'sipbc validate', cmd: [node, RUN_JS, 'validate', example] }, bare, opts.runs, baseEnv, rssFile),
        target: TARGETS.startup,
      });
      // As installed from the tarball `npm pack` makes (bin, dist/bundle with its code cache, the
      // oclif.manifest.json, templates, schemas; no tsc output, no node_modules).
      const packed = packedInstall(work);
      if (packed) {
        const installed = [node, join(packed, 'bin', 'run.js'), 'validate', fivePath];
        const envXdg = { ...env5, XDG_CACHE_HOME: join(work, 'xdg-cache') };
        log('start-up: sipbc validate (5 phones), installed from the packed tarball, vs node -e 0');
        rows.push({
          measure: 'start-up validate (packed)',
          phones: 5,
          result: await measure({ label: 'sipbc validate', cmd: installed }, bare, opts.runs, envXdg, rssFile),
          target: TARGETS.startup,
        });
        // Installed on another node version: the shipped cache does not fit, the first run (the
        // warm-up) writes one to $XDG_CACHE_HOME/sipbc/code-cache, the measured runs use it.
        mismatchCodeCache(packed);
        log('start-up: sipbc validate (5 phones), installed, shipped code cache made by another node, vs node -e 0');
        rows.push({
          measure: 'start-up validate (packed, other node)',
          phones: 5,
          result: await measure({ label: 'sipbc validate', cmd: installed }, bare, opts.runs, envXdg, rssFile),
          target: TARGETS.startup,
        });
      }
      log('start-up: sipbc --help (information only)');
      rows.push({
        measure: 'start-up --help',
        phones: undefined,
        result: await measure({ label: 'sipbc --help', cmd: [node, RUN_JS, '--help'] }, bare, opts.runs, env5, rssFile),
        note: 'info',
      });
    }

    for (const n of opts.only === 'startup' ? [] : opts.sizes) {
      const dir = join(work, String(n));
      mkdirSync(dir, { recursive: true });
      const t0 = Date.now();
      const inv = synthInventory(n);
      const invPath = join(dir, 'inventory.yaml');
      writeFileSync(invPath, inv.text);
      log(`${n} phones: inventory ${(inv.text.length / MIB).toFixed(1)} MiB written in ${Date.now() - t0} ms (${Object.keys(inv.families).length} families)`);
      const env = { ...baseEnv, ...inv.env };

      const validateInv: Side = { label: 'sipbc validate', cmd: [node, RUN_JS, 'validate', invPath] };
      if (opts.only !== 'generate') {
        // ---- validate of N unknown keys in one mapping (the same bytes) vs validate of the N phones
        const hostilePath = join(dir, 'unknown-keys.yaml');
        writeFileSync(hostilePath, synthUnknownKeys(n, Buffer.byteLength(inv.text)));
        log(`${n} phones: validate of ${n} unknown keys (${(statSync(hostilePath).size / MIB).toFixed(1)} MiB) vs validate of the inventory`);
        const h = await measure(
          { label: 'sipbc validate', cmd: [node, RUN_JS, 'validate', hostilePath] },
          { ...validateInv, label: 'validate phones' },
          opts.runs,
          env,
          rssFile,
        );
        rows.push({ measure: 'validate (unknown keys)', phones: n, result: h, target: TARGETS.validateHostile, exit: 1 });
        if (opts.only === 'hostile') continue;

        // ---- validate vs js-yaml load
        log(`${n} phones: validate vs js-yaml load`);
        const yamlLoad: Side = {
          label: 'js-yaml load',
          cmd: [node, '-e', `require(${JSON.stringify(jsYaml)}).load(require('node:fs').readFileSync(process.argv[1], 'utf8'))`, invPath],
        };
        const v = await measure(validateInv, yamlLoad, opts.runs, env, rssFile);
        rows.push({ measure: 'validate', phones: n, result: v, target: TARGETS.validate });
      }

      // ---- generate vs the write floor
      const genOut = join(dir, 'gen-out');
      const floorOut = join(dir, 'floor-out');
      const packFile = join(dir, 'floor.pack');
      const indexFile = join(dir, 'floor.index.json');
      let packed: { files: number; bytes: number } | undefined;
      log(`${n} phones: generate vs write floor`);
      // Each run writes into an empty directory: the previous run's tree is moved aside, and all of
      // them are deleted only when the whole benchmark is done (~4 GiB at 100 000 phones). This
      // machine's ext4 has no journal, and there the inode allocator skips, one by one, inodes freed
      // in the last 60 s — 360 s while their inode table block is not yet written back
      // (recently_deleted() in fs/ext4/ialloc.c: 25-47% of a write-floor run's time in `perf record`
      // when the 115 000 files of the run before had just been deleted). Deleting a size's trees
      // before the next size's runs made both sides 2-5x slower at random (a floor of 7 s and 21 s
      // in one 100 000-phone series). Wait a few minutes after deleting many files before a bench.
      // A tmpfs (--work /dev/shm) has no such delay but a fixed number of inodes (~3 million here, 30
      // trees of 100 000 phones): there each tree is deleted at once.
      const trash = join(dir, 'trash');
      const tmpfs = statfsSync(dir).type === TMPFS_MAGIC;
      let moved = 0;
      const moveAside = (out: string) => {
        if (!existsSync(out)) return;
        if (tmpfs) return rmSync(out, { recursive: true, force: true });
        mkdirSync(trash, { recursive: true });
        renameSync(out, join(trash, String(++moved)));
      };
      const gen: Side = { label: 'sipbc generate', cmd: [node, RUN_JS, 'generate', invPath, '-o', genOut], before: () => moveAside(genOut) };
      const floor: Side = {
        label: 'write floor',
        cmd: [node, '-e', FLOOR_JS, packFile, indexFile, floorOut],
        before: () => {
          // The floor's bytes come from the warm-up generate run (measure() runs it first).
          if (!packed && existsSync(genOut)) packed = packOutput(genOut, packFile, indexFile);
          else if (!packed) {
            writeFileSync(packFile, '');
            writeFileSync(indexFile, '[]');
            packed = { files: 0, bytes: 0 };
          }
          moveAside(floorOut);
        },
      };
      let genCode: number | null = null;
      const g = await measure(gen, floor, opts.runs, env, rssFile, (r) => (genCode = r.code));
      const gRow: Row = { measure: 'generate', phones: n, result: g, target: n === GENERATE_TARGET_PHONES ? TARGETS.generate : undefined };
      if (packed) gRow.note = `${packed.files} files, ${(packed.bytes / MIB).toFixed(1)} MiB`;
      if (genCode !== 0) gRow.note = `generate failed (exit ${genCode}): ${g.a.firstOutput.split('\n').slice(0, 3).join(' | ')}`;
      rows.push(gRow);

      // ---- generate first runs of this build against another checkout's (--against), same inventory, alternately
      if (opts.against && genCode === 0) {
        const root = opts.against;
        const label = `sipbc ${gitCommit(root) ?? root}`;
        const otherOut = join(dir, 'against-out');
        log(`${n} phones: generate vs ${label}`);
        const vs = await measure(
          gen,
          { label, cmd: [node, join(root, 'bin', 'run.js'), 'generate', invPath, '-o', otherOut], before: () => moveAside(otherOut) },
          opts.runs,
          env,
          rssFile,
        );
        rows.push({ measure: 'generate (vs --against)', phones: n, result: vs, note: 'CPU ratio: this build / --against' });
      }

      // ---- generate again over its own unchanged output (information: files skipped by hash)
      if (genCode === 0) {
        log(`${n} phones: generate over unchanged output`);
        const unchanged = await measure(
          { label: 'sipbc generate', cmd: [node, RUN_JS, 'generate', invPath, '-o', genOut] },
          undefined,
          opts.runs,
          env,
          rssFile,
        );
        rows.push({
          measure: 'generate (unchanged)',
          phones: n,
          result: unchanged,
          ...(n === GENERATE_TARGET_PHONES ? { target: { rssMiB: TARGETS.generate.rssMiB } } : { note: 'info' }),
        });
      }
      // ---- generate of the same phones with about one in eight carrying a warning (synth.ts --warnings), against the write floor
      if (genCode === 0) {
        const warned = synthInventory(n, { warnings: true });
        const warnedPath = join(dir, 'inventory-warnings.yaml');
        writeFileSync(warnedPath, warned.text);
        const warnedOut = join(dir, 'gen-warnings-out');
        log(`${n} phones: generate with warnings (about one phone in eight) vs write floor`);
        const floorAgain: Side = { ...floor, before: () => moveAside(floorOut) };
        const gw = await measure(
          { label: 'sipbc generate', cmd: [node, RUN_JS, 'generate', warnedPath, '-o', warnedOut], before: () => moveAside(warnedOut) },
          floorAgain,
          opts.runs,
          env,
          rssFile,
        );
        rows.push({
          measure: 'generate (warnings)',
          phones: n,
          result: gw,
          target: n === GENERATE_TARGET_PHONES ? { rssMiB: TARGETS.generate.rssMiB } : undefined,
        });
      }
      rmSync(packFile, { force: true });
    }
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    else log(`work directory kept: ${work}`);
  }

  for (const r of rows) judge(r);
  process.stdout.write(
    `\nsipbc benchmark — ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}, median of ${opts.runs} runs\n\n`,
  );
  printTable(rows);
  const results = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 1024 ** 3),
    runs: opts.runs,
    sizes: opts.only === 'startup' ? [] : opts.sizes,
    targets: TARGETS,
    rows,
  };
  const resultsFile = join(PROJECT_ROOT, 'bench', 'results.json');
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwrote ${relative(process.cwd(), resultsFile) || resultsFile}\n`);
  const missed = rows.filter((r) => r.pass === false);
  if (missed.length) process.stdout.write(`targets missed: ${missed.map((r) => `${r.measure}${r.phones ? ` @${r.phones}` : ''}`).join(', ')}\n`);
}

await main();
