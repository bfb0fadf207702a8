#!/usr/bin/env node
// The `sipbc` executable. Start-up time is a product target (issue 7: at most twice a bare
// `node -e 0`), so this file does a little more than call oclif's execute():
//
// - `sipbc --version` / `-v` is answered here, without loading oclif: the same line oclif prints,
//   `sipbc/<version> <platform>-<arch> node-<version>`, read from package.json.
// - Everything else (`--help` included) runs through oclif, from dist/bundle/sipbc.cjs: the whole
//   CLI (@oclif/core, the commands, their dependencies) as one CommonJS file made by
//   `npm run build` (scripts/bundle.js). It is compiled here with V8's code cache,
//   dist/bundle/sipbc.cjs.cache, also made by the build, so node neither resolves ~150 modules
//   nor parses and compiles most of the code again. The cache is used only when its first line
//   names the sha256 of these exact bundle bytes and this V8 (V8 itself checks just the length of
//   the source, its version and its flags). When it does not fit (sipbc installed on another node
//   version) or V8 rejects it, the bundle is compiled as usual and, at exit, a cache for this node
//   is written to the user's cache directory ($XDG_CACHE_HOME/sipbc/code-cache), used from the
//   next start on. Nothing about a cache ever fails a run or prints anything.
//   The module is registered in require.cache under its own path, so oclif's "explicit" command
//   discovery (package.json oclif.commands → that same file) finds this instance.
// - When the tsc output is newer than the bundle (someone ran `npx tsc` but not `npm run build`),
//   or there is no bundle, the compiled modules in dist/src are run as before bundling, with
//   oclif finding the commands in dist/src/commands (and not in the last build's
//   oclif.manifest.json), so a plain tsc build is never shadowed by a stale bundle.
//
// Build only: with SIPBC_CODE_CACHE_OUT=FILE the bundle is compiled without the cache and, at exit,
// V8's code cache of everything that ran is written to FILE (scripts/bundle.js).
import Module from 'node:module';

// Built-in modules through require(): an ES import of one also runs every lazy getter it exports
// (node:fs's streams, node:crypto's webcrypto), measurably slower at start-up.
const require = Module.createRequire(import.meta.url);
const { readFileSync, statSync, writeFileSync } = require('node:fs');

const first = process.argv[2];
if (first === '--version' || first === '-v') {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`sipbc/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const root = require('node:url').fileURLToPath(new URL('..', import.meta.url));
  const bundle = `${root}dist/bundle/sipbc.cjs`;
  const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  const bundled = mtime(bundle);
  const compiled = mtime(`${root}dist/src/cli/base-command.js`);
  if (bundled !== undefined && (compiled === undefined || bundled >= compiled)) {
    const { execute } = loadBundle(bundle, process.env.SIPBC_CODE_CACHE_OUT);
    await execute({ dir: import.meta.url });
  } else {
    // oclif.manifest.json, if any, describes the last bundle, so it is ignored here too.
    const { execute, Plugin } = await import('@oclif/core');
    const pjson = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    pjson.oclif = { ...pjson.oclif, commands: './dist/src/commands', hooks: { command_not_found: './dist/src/cli/not-found-hook.js' } };
    const plugin = new Plugin({ root, pjson, isRoot: true, ignoreManifest: true });
    await plugin.load();
    await execute({ loadOptions: { root, pjson, plugins: new Map([[plugin.name, plugin]]) } });
  }
}

/** Loads the CommonJS bundle as node's require() would, compiled with a code cache when one fits. */
function loadBundle(file, cacheOut) {
  const { createHash } = require('node:crypto');
  const { dirname } = require('node:path');
  const vm = require('node:vm');
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // The V8 that may use a cache: its data is rejected by any other V8 version (another node), and
  // by the same V8 with other flags (node's options, e.g. --max-old-space-size), so those runs
  // have a cache of their own rather than rejecting the shipped one at every start.
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  const engine = `v8-${process.versions.v8}-${process.arch}${flags ? `-${createHash('sha256').update(flags).digest('hex').slice(0, 8)}` : ''}`;
  const userCache = cacheOut ? undefined : userCacheFile(sha256, engine);
  let cache = cacheOut ? undefined : (readCache(userCache, sha256, engine, true) ?? readCache(`${file}.cache`, sha256, engine, false));
  // An all-ASCII bundle (the build checks) decodes faster as latin1, to the same string.
  const source = bytes.toString(cache?.ascii ? 'latin1' : 'utf8');
  const script = new vm.Script(Module.wrap(source), {
    // The name in stack traces. V8 keeps the one the cache was made with (the build machine's
    // path), so it is the same package-relative name wherever sipbc is built or installed.
    filename: 'sipbc/dist/bundle/sipbc.cjs',
    cachedData: cache?.data,
    // import() inside the bundle (oclif loading an ES module plugin or hook) as in a normal module (node ≥ 20.12).
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cache && script.cachedDataRejected) cache = undefined;
  // The build's cache (SIPBC_CODE_CACHE_OUT), or, when no cache fitted this node (another node
  // version, other V8 flags), one in the user's cache directory for the next start.
  const out = cacheOut ?? (cache ? undefined : userCache);
  if (out) {
    process.once('exit', () => {
      try {
        const isAscii = !/[^\x00-\x7f]/.test(source);
        const head = Buffer.from(`sipbc-code-cache ${sha256} ${isAscii ? 'ascii' : 'utf8'} ${engine}\n`, 'latin1');
        writeAtomically(out, () => Buffer.concat([head, script.createCachedData()]), !cacheOut);
      } catch (e) {
        if (cacheOut) throw e; // the build must have its cache; a user's start-up never fails for one
      }
    });
  }
  const requireThere = Module.createRequire(file);
  const mod = new Module(file);
  mod.filename = file;
  requireThere.cache[file] = mod;
  try {
    script.runInThisContext()(mod.exports, requireThere, mod, file, dirname(file));
  } catch (e) {
    delete requireThere.cache[file];
    throw e;
  }
  mod.loaded = true;
  return mod.exports;
}

/**
 * A code cache file: first line `sipbc-code-cache <sha256 of the bundle> <ascii|utf8> <engine>`,
 * then V8's data. Used only for these exact bundle bytes and this V8. A cache is compiled code, so
 * one in the user's cache directory is used only when the directory and the file are the user's
 * own and nobody else can write them.
 */
function readCache(path, sha256, engine, mustBeOwn) {
  if (!path) return undefined;
  try {
    if (mustBeOwn && !ownedPrivately(path)) return undefined;
    const cache = readFileSync(path);
    const nl = cache.indexOf(10);
    const [magic, hash, charset, madeBy] = cache.subarray(0, nl).toString('latin1').split(' ');
    if (magic !== 'sipbc-code-cache' || hash !== sha256 || madeBy !== engine) return undefined;
    return { data: cache.subarray(nl + 1), ascii: charset === 'ascii' };
  } catch {
    return undefined; // none, or unreadable: compiled as usual
  }
}

/** The file and its directory exist, are not symbolic links, belong to this user and only they can write them. */
function ownedPrivately(path) {
  return isPrivate(require('node:path').dirname(path)) && isPrivate(path);
}

function isPrivate(path) {
  const st = require('node:fs').lstatSync(path, { throwIfNoEntry: false });
  const uid = process.getuid?.();
  return st !== undefined && !st.isSymbolicLink() && (uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0));
}

/** `$XDG_CACHE_HOME/sipbc/code-cache/sipbc-<sha256>-<engine>.cache` (~/.cache when unset; the platform's cache directory elsewhere). */
function userCacheFile(sha256, engine) {
  try {
    const { homedir } = require('node:os');
    const env = process.env;
    const base =
      env.XDG_CACHE_HOME ||
      (process.platform === 'win32' ? env.LOCALAPPDATA : process.platform === 'darwin' ? `${homedir()}/Library/Caches` : `${homedir()}/.cache`);
    if (!base || !require('node:path').isAbsolute(base)) return undefined;
    return require('node:path').join(base, 'sipbc', 'code-cache', `sipbc-${sha256.slice(0, 16)}-${engine}.cache`);
  } catch {
    return undefined;
  }
}

/** Writes data() under a temporary name, then renames: a parallel start reads the old file or the new one, whole. */
function writeAtomically(path, data, privately) {
  const { mkdirSync, readdirSync, renameSync, unlinkSync } = require('node:fs');
  const { basename, dirname, join } = require('node:path');
  const dir = dirname(path);
  if (privately) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivate(dir)) return;
  }
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data(), { flag: 'wx', mode: privately ? 0o600 : 0o644 });
    renameSync(temp, path);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw e;
  }
  // Caches of other sipbc builds (an upgrade) are of no use any more.
  if (privately) {
    const keep = basename(path);
    const build = keep.split('-')[1];
    for (const f of readdirSync(dir)) if (f.startsWith('sipbc-') && f.endsWith('.cache') && f !== keep && f.split('-')[1] !== build) unlinkSync(join(dir, f));
  }
}
