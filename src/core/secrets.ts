/**
 * SIP passwords (SPEC §3 "Credentials"): `auth.password` is `{ env: NAME }`,
 * `{ file: path }` or a literal string (validation warns about literals).
 *
 * - Only `generate` reads secrets; `validate`, `dns`, `policy` and `simulate` never call this.
 * - The environment is passed in by the command (no process.env in the core).
 * - A `file` path is relative to the inventory's directory (`LoadedInventory.baseDir`, which is
 *   the current directory when the inventory comes from stdin). One trailing newline (LF or CRLF)
 *   is stripped from the content. A directory is refused; any other readable file is fine
 *   (including /dev/fd/N from a shell's process substitution). Each file is read once however
 *   many phones share it.
 * - A missing, unreadable or empty secret is an error-severity finding (SIPBC-E-SECRET-MISSING) at
 *   the `auth.password` node of the first phone using it (with the number of phones sharing it).
 *   All missing secrets are reported together; the caller writes nothing when there is any.
 * - `redact`: nothing is read, every password becomes {@link REDACTED}.
 *
 * No secret value ever goes into a finding, an error or a log line: messages name the variable
 * or the file, never the content.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Finding } from './findings.js';
import type { SecretRef } from './inventory.js';
import type { LoadedInventory } from './load.js';

/** What `--redact` writes instead of every password. */
export const REDACTED = 'REDACTED';

/** A secret file longer than this is not a password (a wrong path, most likely). */
export const MAX_SECRET_BYTES = 64 * 1024;

export const SECRET_MISSING = 'SIPBC-E-SECRET-MISSING';

export interface SecretOptions {
  /** The environment the `env` references are read from (the command passes process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** Write {@link REDACTED} for every password and read nothing. */
  redact?: boolean;
  /** How a secret file is read (tests inject failures); default: fs.readFileSync. */
  readFile?: (absolutePath: string) => string;
  /** Is `absolutePath` a directory? Default: fs.statSync (errors = not a directory; reading reports them). */
  isDirectory?: (absolutePath: string) => boolean;
}

/** A phone whose password is needed: its index in inventory.phones and its reference. */
export interface PasswordUse {
  index: number;
  password?: SecretRef;
}

export interface SecretResolution {
  /** Phone index → password ('' for a phone with no auth.password). Empty when there are findings. */
  passwords: Map<number, string>;
  findings: Finding[];
}

function defaultReadFile(path: string): string {
  return readFileSync(path, 'utf8');
}

function defaultIsDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** One trailing newline (LF or CRLF) is not part of the password. */
export function stripOneNewline(s: string): string {
  if (s.endsWith('\r\n')) return s.slice(0, -2);
  if (s.endsWith('\n')) return s.slice(0, -1);
  return s;
}

type Outcome = { ok: true; value: string } | { ok: false; problem: string; hint: string };

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `cannot be read (${code ?? 'error'})`;
  }
}

/**
 * Resolves every phone's password. All problems are collected; when there is any, `passwords` is
 * empty and the findings say which references are missing (never their values).
 */
export function resolveSecrets(loaded: LoadedInventory, uses: readonly PasswordUse[], opts: SecretOptions): SecretResolution {
  const passwords = new Map<number, string>();
  const readFile = opts.readFile ?? defaultReadFile;
  const isDirectory = opts.isDirectory ?? defaultIsDirectory;

  // One outcome per distinct reference, so 100 000 phones sharing one file read it once and report it once.
  const cache = new Map<string, Outcome>();
  const problems = new Map<string, { first: number; count: number; problem: string; hint: string }>();

  const resolveRef = (ref: Exclude<SecretRef, string>): { key: string; outcome: Outcome } => {
    if ('env' in ref) {
      const key = `env\u0000${ref.env}`;
      let outcome = cache.get(key);
      if (!outcome) {
        const v = Object.hasOwn(opts.env, ref.env) ? opts.env[ref.env] : undefined;
        if (v === undefined) outcome = { ok: false, problem: `environment variable ${ref.env} is not set`, hint: `export ${ref.env}=… before running generate` };
        else if (v === '') outcome = { ok: false, problem: `environment variable ${ref.env} is empty`, hint: `give ${ref.env} the SIP password` };
        else outcome = { ok: true, value: v };
        cache.set(key, outcome);
      }
      return { key, outcome };
    }
    const abs = isAbsolute(ref.file) ? ref.file : resolve(loaded.baseDir, ref.file);
    const key = `file\u0000${abs}`;
    let outcome = cache.get(key);
    if (!outcome) {
      const where = `secret file ${ref.file}${abs !== ref.file ? ` (${abs})` : ''}`;
      if (isDirectory(abs)) {
        outcome = { ok: false, problem: `${where} is a directory`, hint: 'point auth.password.file at the file that holds the password' };
      } else {
        try {
          const text = readFile(abs);
          if (Buffer.byteLength(text, 'utf8') > MAX_SECRET_BYTES) {
            outcome = { ok: false, problem: `${where} is larger than ${MAX_SECRET_BYTES} bytes: it does not hold just a password`, hint: 'check the path' };
          } else {
            const v = stripOneNewline(text);
            outcome = v === '' ? { ok: false, problem: `${where} is empty`, hint: 'write the SIP password into it' } : { ok: true, value: v };
          }
        } catch (e) {
          outcome = { ok: false, problem: `${where} ${describeFsError(e)}`, hint: 'paths are relative to the inventory file (the current directory for stdin)' };
        }
      }
      cache.set(key, outcome);
    }
    return { key, outcome };
  };

  for (const use of uses) {
    const ref = use.password;
    if (ref === undefined) {
      passwords.set(use.index, '');
      continue;
    }
    if (opts.redact) {
      passwords.set(use.index, REDACTED);
      continue;
    }
    if (typeof ref === 'string') {
      passwords.set(use.index, ref);
      continue;
    }
    const { key, outcome } = resolveRef(ref);
    if (outcome.ok) {
      passwords.set(use.index, outcome.value);
    } else {
      const p = problems.get(key);
      if (p) p.count++;
      else problems.set(key, { first: use.index, count: 1, problem: outcome.problem, hint: outcome.hint });
    }
  }

  const findings: Finding[] = [];
  for (const p of problems.values()) {
    const path = ['phones', p.first, 'auth', 'password'];
    const pos = loaded.locate(path);
    const others = p.count > 1 ? ` (used by ${p.count} phones; this is the first)` : '';
    findings.push({
      code: SECRET_MISSING,
      severity: 'error',
      message: `the SIP password cannot be read: ${p.problem}${others}; ${p.hint}`,
      file: loaded.file,
      path,
      line: pos.line,
      column: pos.column,
    });
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));
  if (findings.length > 0) passwords.clear();
  return { passwords, findings };
}
