/**
 * `sipbc plan --base REF NEW`: the inventory OLD is the same file as NEW, at git revision REF.
 * git runs without a shell (execFileSync with an argument list), REF is resolved to a commit
 * first (`rev-parse --verify`, after `--end-of-options`, so no REF is read as an option), and the
 * path is NEW's own path relative to the top of its work tree, checked to stay inside it.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ExitCode, SipbcError } from '../core/errors.js';
import { MAX_INVENTORY_BYTES } from '../core/load.js';

export interface RevisionSource {
  /** `REF:path/in/repo`, how findings name it. */
  file: string;
  baseDir: string;
  text: string;
}

function git(cwd: string, args: string[], what: string): string {
  try {
    // core.fsmonitor names a program git would run: a repository's own config must not start one here.
    return execFileSync('git', ['-c', 'core.fsmonitor=false', ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: MAX_INVENTORY_BYTES,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new SipbcError(
        '--base needs git, which is not installed (or not on PATH)',
        ExitCode.USAGE,
        'install git, or give the old inventory as a file: sipbc plan OLD NEW',
      );
    const said = (err.stderr ?? '').trim().split('\n')[0];
    throw new SipbcError(`${what}${said ? `: ${said}` : ''}`, ExitCode.USAGE);
  }
}

/** NEW's text at revision `ref` of the git work tree that holds NEW. */
export function readAtRevision(ref: string, newPath: string): RevisionSource {
  if (ref === '' || ref.startsWith('-') || /[\s:\u0000-\u001f\u007f]/.test(ref)) {
    throw new SipbcError(
      `--base ${JSON.stringify(ref)}: not a git revision`,
      ExitCode.USAGE,
      'give a branch, tag or commit, e.g. --base main or --base HEAD~1',
    );
  }
  if (newPath === '-')
    throw new SipbcError(
      '--base needs NEW as a file inside a git work tree, not -',
      ExitCode.USAGE,
      'give the inventory path, e.g. sipbc plan --base main inventory.yaml',
    );
  let real: string;
  try {
    real = realpathSync(newPath);
    if (!statSync(real).isFile()) throw new Error('not a file');
  } catch {
    throw new SipbcError(`${newPath}: no such file`, ExitCode.USAGE, 'give the inventory path inside the git work tree');
  }
  const dir = dirname(real);
  const top = git(dir, ['rev-parse', '--show-toplevel'], `${newPath} is not inside a git work tree`).trim();
  const rel = relative(realpathSync(top), real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new SipbcError(`${newPath} is outside the git work tree ${top}`, ExitCode.USAGE);
  }
  const inRepo = rel.split(sep).join('/');
  const commit = git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], `--base ${ref}: no such revision`).trim();
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new SipbcError(`--base ${ref}: no such revision`, ExitCode.USAGE);
  const text = git(top, ['cat-file', 'blob', `${commit}:${inRepo}`], `${ref} has no file ${inRepo}`);
  return { file: `${ref}:${inRepo}`, baseDir: resolve(dir), text };
}
