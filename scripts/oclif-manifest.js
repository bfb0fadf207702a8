#!/usr/bin/env node
// prepack: writes oclif.manifest.json (what `oclif manifest` does, with @oclif/core's own Plugin
// class, so no extra dependency). With the manifest, oclif imports only the command being run
// instead of every command module (measured: about a third of `sipbc validate` start-up).
// It is removed again by postpack: in a development tree a manifest goes stale as soon as a
// command changes, and oclif would trust it.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
process.stdout.write(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands\n`);
