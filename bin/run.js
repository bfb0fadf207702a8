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
//   names the sha256 of these exact bundle bytes (V8 itself checks just the length of the source,
//   the V8 version and its flags); any mismatch just means a normal compile.
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

/** Loads the CommonJS bundle as node's require() would, compiled with the code cache when it matches. */
function loadBundle(file, cacheOut) {
  const { createHash } = require('node:crypto');
  const { dirname } = require('node:path');
  const vm = require('node:vm');
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let cachedData;
  let ascii = false;
  if (!cacheOut) {
    try {
      const cache = readFileSync(`${file}.cache`);
      const nl = cache.indexOf(10);
      // First line: `sipbc-code-cache <sha256 of the bundle> <ascii|utf8>`; then V8's data.
      const [magic, hash, charset] = cache.subarray(0, nl).toString('latin1').split(' ');
      if (magic === 'sipbc-code-cache' && hash === sha256) {
        cachedData = cache.subarray(nl + 1);
        ascii = charset === 'ascii';
      }
    } catch {
      // no cache: compiled as usual
    }
  }
  // An all-ASCII bundle (the build checks) decodes faster as latin1, to the same string.
  const source = bytes.toString(ascii ? 'latin1' : 'utf8');
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    // import() inside the bundle (oclif loading an ES module plugin or hook) as in a normal module (node ≥ 20.12).
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cacheOut) {
    const isAscii = !/[^\x00-\x7f]/.test(source);
    process.once('exit', () => {
      const head = Buffer.from(`sipbc-code-cache ${sha256} ${isAscii ? 'ascii' : 'utf8'}\n`, 'latin1');
      writeFileSync(cacheOut, Buffer.concat([head, script.createCachedData()]));
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
