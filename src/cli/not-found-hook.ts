/**
 * oclif's `command_not_found` hook (package.json oclif.hooks): `sipbc valdate x.yaml`.
 * At a terminal it is @oclif/plugin-not-found's own hook, which asks "Did you mean validate?" and
 * runs it on yes. Elsewhere (a script, CI) that plugin prints no suggestion at all and exits 127,
 * so sipbc names the closest command itself and exits 2 like every other usage error.
 */
import type { Hook } from '@oclif/core';
import { ExitCode } from '../core/errors.js';
import { didYouMean } from '../core/validate/did-you-mean.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  if (process.stdin.isTTY && process.stderr.isTTY) {
    // Loaded only here: it brings the interactive prompt (@inquirer/prompts).
    const { default: plugin } = await import('@oclif/plugin-not-found');
    return plugin.call(this, opts);
  }
  const config = opts.config;
  const ids = config.commands.filter((c) => !c.hidden).map((c) => c.id);
  // With `topicSeparator: ' '` the id is the typed words joined by ':' (`valdate:x.yaml`).
  // Control characters are shown as `?`: the words are echoed to a terminal.
  const [typed, ...rest] = opts.id.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').split(':');
  const match = didYouMean(typed, ids);
  const words = (id: string) => id.split(':').join(' ');
  const suggestion = match === undefined ? '' : `; did you mean \`${[config.bin, words(match), ...rest, ...(opts.argv ?? [])].join(' ')}\`?`;
  process.stderr.write(`${config.bin}: ${typed} is not a ${config.bin} command${suggestion}\n  hint: ${config.bin} help lists the commands\n`);
  this.exit(ExitCode.USAGE);
};

export default hook;
