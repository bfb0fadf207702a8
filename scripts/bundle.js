#!/usr/bin/env node
// Build step (npm run build, after tsc and precompile-schemas): the whole CLI as ONE CommonJS file,
// dist/bundle/sipbc.cjs, plus V8's code cache for it, dist/bundle/sipbc.cjs.cache. bin/run.js runs
// the bundle, compiled with that cache. Measured (issue 7): `sipbc validate` of a 5-phone inventory
// spent most of its time loading ~150 separate modules (@oclif/core and its dependencies, ajv,
// js-yaml, the commands): resolving, reading, parsing and compiling them. One file removes the
// resolving and reading; the code cache removes most of the parsing and compiling.
//
// The bundle is made from tsc's output (dist/src/**/*.js), so it runs exactly the code tsc compiled
// and type-checked. Its entry is generated here: every dist/src/commands/**/*.js, exported as COMMANDS
// for oclif's "explicit" command discovery (package.json oclif.commands: {strategy: explicit,
// target: ./dist/bundle/sipbc.cjs, identifier: COMMANDS}), plus @oclif/core's `execute`, so that
// bin/run.js and the commands share the one bundled copy of @oclif/core. A new command file needs
// no edit here.
//
// CommonJS rather than an ES module: only a classic script can be compiled with a code cache
// (vm.Script) without experimental flags. The two `import.meta.url` in src/ become the bundle's URL.
//
// Beside the bundle: oclif-plugins.cjs (below), and the ajv standalone validators (*.validator.cjs),
// which src/core/validate/schema.ts loads relative to its own module, i.e. the bundle once bundled.
// templates/, schemas/ and package.json
// are still read from the package root at run time (src/core/catalogue.ts PACKAGE_ROOT).
//
// The code cache is V8's compiled code for everything that ran during one `sipbc validate` of
// examples/inventory.yaml (bin/run.js with SIPBC_CODE_CACHE_OUT). It is tied to this node's V8
// version and flags and to the bundle's sha256; where it does not fit, bin/run.js writes the user's
// own (docs/packaging.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src');
const outDir = join(root, 'dist', 'bundle');
const outFile = join(outDir, 'sipbc.cjs');
const validateDir = join(compiled, 'core', 'validate');

// A command in a sub-directory is a topic's command: commands/dns/push.js is `dns:push` (`sipbc dns push`).
const commands = readdirSync(join(compiled, 'commands'), { recursive: true })
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.split('\\').join('/'))
  .sort()
  .map((f) => ({ id: f.slice(0, -'.js'.length).replaceAll('/', ':'), file: `./dist/src/commands/${f}` }));
if (commands.length === 0) throw new Error('no compiled commands in dist/src/commands: run tsc first');

// Each command is a getter that require()s its module: esbuild then initialises a command's
// modules (and its dependencies: handlebars, dns-packet, …) only when oclif first asks for that
// command. With oclif.manifest.json (written below) oclif asks only for the command being run;
// without one it reads every getter to list the commands, which is just slower.
// oclif's own features come from its plugins, built into a second file beside the bundle,
// dist/bundle/oclif-plugins.cjs: `help`, shell completion (`autocomplete`) and the did-you-mean
// hook (package.json oclif.hooks.command_not_found → its NOT_FOUND_HOOK). They share the bundle's
// one @oclif/core (OCLIF_CORE below), and stay out of it: the bundle is read, hashed and
// deserialised at every start, and these (the prompt library above all) ran in none. See
// docs/packaging.md. Their package.json "exports" name only an index, so their command files are
// required by their path in node_modules.
const pluginLib = (pkg) =>
  relative(root, dirname(createRequire(join(root, 'package.json')).resolve(pkg)))
    .split(sep)
    .join('/');
const pluginCommands = [
  { id: 'help', file: `./${pluginLib('@oclif/plugin-help')}/commands/help.js` },
  ...['index', 'create', 'script'].map((f) => ({
    id: f === 'index' ? 'autocomplete' : `autocomplete:${f}`,
    file: `./${pluginLib('@oclif/plugin-autocomplete')}/commands/autocomplete/${f}.js`,
  })),
];
const PLUGINS_FILE = 'oclif-plugins.cjs';
// A require() esbuild leaves alone (a computed path): the file beside the running bundle, at run time.
const besideBundle = (name) => `require(require('node:path').join(__dirname, ${JSON.stringify(name)}))`;
const getters = (list, value) => list.map((c) => `Object.defineProperty(COMMANDS, ${JSON.stringify(c.id)}, { enumerable: true, get: () => ${value(c)} });`);
const entry = [
  "export { execute } from '@oclif/core';",
  "export * as OCLIF_CORE from '@oclif/core';",
  'export const COMMANDS = {};',
  ...getters(commands, (c) => `require(${JSON.stringify(c.file)}).default`),
  ...getters(pluginCommands, (c) => `${besideBundle(PLUGINS_FILE)}.COMMANDS[${JSON.stringify(c.id)}]`),
].join('\n');
const pluginsEntry = [
  'export const COMMANDS = {};',
  ...getters(pluginCommands, (c) => `require(${JSON.stringify(c.file)}).default`),
  "export { default as NOT_FOUND_HOOK } from './dist/src/cli/not-found-hook.js';",
].join('\n');
// In oclif-plugins.cjs, `@oclif/core` is the bundle's own copy (which bin/run.js put in require.cache).
const sharedOclifCore = {
  name: 'shared-oclif-core',
  setup(b) {
    b.onResolve({ filter: /^@oclif\/core$/ }, () => ({ path: '@oclif/core', namespace: 'sipbc-bundle' }));
    b.onLoad({ filter: /.*/, namespace: 'sipbc-bundle' }, () => ({ contents: `module.exports = ${besideBundle('sipbc.cjs')}.OCLIF_CORE;`, loader: 'js' }));
  },
};

// @oclif/core sorts the commands with String#localeCompare at every start, and the first
// localeCompare in a process builds ICU's collator: measured 14 ms, a sixth of a bare `node -e 0`.
// In the bundle that one sort compares UTF-16 code units instead, which orders these command ids
// exactly as localeCompare does (checked here, so a command name where the two orders differ
// stops the build rather than changing the order of `sipbc --help`).
const ids = [...commands, ...pluginCommands].map((c) => c.id);
const byLocale = [...ids].sort((a, b) => a.localeCompare(b)).join();
if ([...ids].sort().join() !== byLocale)
  throw new Error(`command ids ${byLocale}: code-unit order differs from localeCompare; drop the oclif-command-sort plugin`);
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id))';
const oclifCommandSort = {
  name: 'oclif-command-sort',
  setup(b) {
    b.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (text.split(OCLIF_SORT).length !== 2) throw new Error(`${args.path}: expected one "${OCLIF_SORT}" (a new @oclif/core?); update scripts/bundle.js`);
      return { contents: text.replace(OCLIF_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js' };
    });
  },
};

// Made in dist/bundle.new and then swapped in: other processes may run bin/run.js meanwhile (the
// tests run in parallel), and must see either no bundle (then the tsc output runs) or a whole one.
const newDir = `${outDir}.new`;
const newFile = join(newDir, 'sipbc.cjs');
rmSync(newDir, { recursive: true, force: true });
mkdirSync(newDir, { recursive: true });
const cjsOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // @oclif/core requires typescript only to map a development tree's dist/ to src/ (NODE_ENV=development
  // or test); left to node at run time, as without the bundle, instead of 10 MB of compiler in the bundle.
  external: ['typescript'],
  banner: { js: "var __sipbcBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: {
    'import.meta.url': '__sipbcBundleUrl',
    // @oclif/core checks the node version against the "engines" of its own package.json, which it
    // looks for beside its module: in the bundle there is none, so the check can never warn. This
    // skips it (and loading semver for it); sipbc's own "engines" (node >= 20) is stricter anyway.
    'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"',
  },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({
  ...cjsOptions,
  stdin: { contents: entry, resolveDir: root, sourcefile: 'sipbc-entry.js', loader: 'js' },
  outfile: newFile,
  plugins: [oclifCommandSort],
});
await build({
  ...cjsOptions,
  stdin: { contents: pluginsEntry, resolveDir: root, sourcefile: 'oclif-plugins-entry.js', loader: 'js' },
  outfile: join(newDir, PLUGINS_FILE),
  plugins: [sharedOclifCore],
});

// Modules started by URL, `new Worker(new URL('./x.js', import.meta.url))`: in the bundle
// import.meta.url is the bundle's, so each such module is bundled beside it under the same name,
// as an ES module (package.json "type": "module"), its CommonJS dependencies given a require().
const byUrl = new Map();
const walkJs = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkJs(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
for (const file of walkJs(compiled)) {
  for (const m of readFileSync(file, 'utf8').matchAll(/new URL\(\s*(['"])(\.\.?\/[^'"]+\.js)\1\s*,\s*import\.meta\.url\s*\)/g)) {
    const target = join(dirname(file), m[2]);
    const name = m[2].split('/').pop();
    if (byUrl.has(name) && byUrl.get(name) !== target) throw new Error(`two modules started by URL are both named ${name}: ${byUrl.get(name)}, ${target}`);
    byUrl.set(name, target);
  }
}
for (const [name, target] of byUrl) {
  await build({
    entryPoints: [target],
    outfile: join(newDir, name),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['typescript'],
    banner: { js: "import { createRequire as __sipbcCreateRequire } from 'node:module';\nconst require = __sipbcCreateRequire(import.meta.url);" },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

// An all-ASCII bundle is decoded as latin1 by bin/run.js (faster than UTF-8, same string). esbuild
// escapes non-ASCII text except inside regular expressions: the one there (U+009B, the C1 CSI,
// in ansis's ANSI pattern `[\x1b\x9b]`) is written as the same escape here.
const bundleText = readFileSync(newFile, 'utf8');
const asciiText = bundleText.replaceAll('[\x1b\u009b]', '[\x1b\\x9b]');
if (asciiText !== bundleText) writeFileSync(newFile, asciiText);

// The precompiled schema validators, with the parts of ajv's runtime they require built in: an
// installed sipbc needs no ajv (src/core/validate/schema.ts compiles a schema only when its file
// no longer matches its validator, i.e. someone edited the installed schema).
for (const f of readdirSync(validateDir).filter((n) => n.endsWith('.validator.cjs'))) {
  await build({ ...cjsOptions, banner: {}, define: {}, entryPoints: [join(validateDir, f)], outfile: join(newDir, f) });
}

const oldDir = `${outDir}.old`;
rmSync(oldDir, { recursive: true, force: true });
if (existsSync(outDir)) renameSync(outDir, oldDir);
renameSync(newDir, outDir);
rmSync(oldDir, { recursive: true, force: true });

// oclif.manifest.json (gitignored, shipped): every command's id, flags and help, read from the
// bundle just made, so oclif need not load every command to list them.
const manifest = spawnSync(process.execPath, [join(root, 'scripts', 'oclif-manifest.js')], { cwd: root, encoding: 'utf8' });
if (manifest.status !== 0) {
  process.stderr.write(`bundle: scripts/oclif-manifest.js failed (exit ${manifest.status}): ${manifest.stderr || manifest.stdout}\n`);
  process.exit(1);
}

// The code cache, written by bin/run.js at the exit of one real run (to a temporary name, then
// renamed into place, for the same reason as the bundle).
const cacheFile = `${outFile}.cache`;
const cacheTemp = `${cacheFile}.${process.pid}.tmp`;
const run = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'validate', join(root, 'examples', 'inventory.yaml')], {
  cwd: root,
  // No NODE_OPTIONS: the cache is for node as users start it (bin/run.js keys caches by node's options).
  env: { ...process.env, SIPBC_CODE_CACHE_OUT: cacheTemp, NO_COLOR: '1', NODE_OPTIONS: '' },
  encoding: 'utf8',
});
if (run.status !== 0 || !existsSync(cacheTemp)) {
  process.stderr.write(`bundle: the warm-up run for the code cache failed (exit ${run.status}): ${run.stderr || run.stdout}\n`);
  process.exit(1);
}
renameSync(cacheTemp, cacheFile);
const extra = byUrl.size ? `; beside it ${[...byUrl.keys()].join(', ')}` : '';
process.stdout.write(`dist/bundle/sipbc.cjs: ${ids.length} commands (${ids.join(', ')}), oclif.manifest.json, code cache${extra}\n`);
