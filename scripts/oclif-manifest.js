#!/usr/bin/env node
// Build step (run by scripts/bundle.js, right after the bundle): writes oclif.manifest.json, what
// `oclif manifest` does, with @oclif/core's own Plugin class, so no extra dependency. It lists every
// command's id, flags and help as read from dist/bundle/sipbc.cjs (package.json oclif.commands), so
// oclif loads only the command being run instead of every command's modules. The manifest is
// rebuilt with the bundle, so it never describes other commands than the bundle's; bin/run.js
// ignores it when it runs the tsc output instead (a tree where only tsc ran since the last build).
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
// A temporary name, then renamed: a CLI started meanwhile reads the old manifest or the new one, whole.
const temp = join(root, `oclif.manifest.json.${process.pid}.tmp`);
writeFileSync(temp, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
renameSync(temp, join(root, 'oclif.manifest.json'));
process.stdout.write(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands\n`);
