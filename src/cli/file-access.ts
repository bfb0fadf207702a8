/**
 * `--file-mode` and `--group`: who may read the generated files. A TFTP or HTTP provisioning server
 * usually runs as its own user; files holding passwords are 0600 and the run's owner's by default,
 * so such a server cannot serve them. `--group tftp --file-mode 0640` lets that group read them,
 * nobody else.
 */
import { readFileSync } from 'node:fs';
import { ExitCode, SipbcError } from '../core/errors.js';
import type { Access } from './write-output.js';

/** `0640` → 0o640; refuses execute bits and a mode the owner cannot read and write. */
export function parseFileMode(text: string): number {
  const m = /^0?([0-7]{3})$/.exec(text);
  const mode = m ? parseInt(m[1], 8) : NaN;
  if (Number.isNaN(mode) || (mode & 0o111) !== 0 || (mode & 0o600) !== 0o600) {
    throw new SipbcError(
      `--file-mode ${text}: not a mode for files holding passwords`,
      ExitCode.USAGE,
      'give an octal mode with read and write for the owner and no execute bit, e.g. 0600 (the default) or 0640 with --group',
    );
  }
  return mode;
}

/** A group name (from /etc/group) or a numeric gid → the group. */
export function resolveGroup(name: string, groupFile = '/etc/group'): { name: string; gid: number } {
  if (/^\d+$/.test(name)) return { name, gid: Number(name) };
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    // no group database: only numeric ids work
  }
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && /^\d+$/.test(gid ?? '')) return { name, gid: Number(gid) };
  }
  throw new SipbcError(
    `--group ${name}: no such group in ${groupFile}`,
    ExitCode.USAGE,
    'give the group your provisioning server runs as (e.g. tftp, www-data), or its numeric id',
  );
}

/** The access the flags ask for (undefined parts come from the previous run's manifest), and a warning when passwords become readable by everyone. */
export function accessFromFlags(fileMode: string | undefined, group: string | undefined, warn: (m: string) => void): Partial<Access> {
  const access: Partial<Access> = {};
  if (fileMode !== undefined) {
    access.secretMode = parseFileMode(fileMode);
    if (access.secretMode & 0o004)
      warn(`--file-mode ${fileMode}: files holding passwords will be readable by every user of this machine (a group, with --group, is usually enough)`);
  }
  if (group !== undefined) access.group = resolveGroup(group);
  return access;
}
