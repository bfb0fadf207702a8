/**
 * SIP passwords: `auth.password` is `{ env: NAME }`,
 * `{ file: path }` or a literal string (validation warns about literals).
 *
 * - Only `generate` uses secrets (resolveSecrets); `validate` checks the secret FILES without
 *   printing anything of them (secretFileFindings); `dns`, `policy` and `simulate` touch neither.
 * - The environment is passed in by the command (no process.env in the core).
 * - A `file` path is relative to the inventory's directory (`LoadedInventory.baseDir`, which is
 *   the current directory when the inventory comes from stdin). Its real path must be inside the
 *   secrets root — the inventory's directory, or `--secrets-dir DIR` — and it must be a regular
 *   UTF-8 file of at most MAX_SECRET_BYTES, opened without blocking (confined-file.ts). One
 *   trailing newline (LF or CRLF) is stripped; any other line break, or a control character, is
 *   a finding naming the file. Each file is read once however many phones share it.
 * - A missing, unreadable or empty secret is an error-severity finding (SIPBC-E-SECRET-MISSING),
 *   a file that is not a usable secret file SIPBC-E-SECRET-FILE, at the `file:` value (or the
 *   `auth.password` node for env) of the first phone using it, with the number of phones sharing
 *   it. All are reported together; the caller writes nothing when there is any.
 * - `redact`: nothing is read, every password becomes {@link REDACTED}.
 *
 * No secret value ever goes into a finding, an error or a log line: messages name the variable
 * or the file, never the content.
 */
import { resolve } from 'node:path';
import { readConfinedFile, type ConfinedRead } from './confined-file.js';
import { charName } from './credential-text.js';
import type { Finding } from './findings.js';
import type { SecretRef } from './inventory.js';
import type { JsonPath, LoadedInventory } from './load.js';
import { FORBIDDEN } from './render/escape.js';

/** What `--redact` writes instead of every password. */
export const REDACTED = 'REDACTED';

/** A secret file longer than this is not a password (a wrong path, most likely). */
export const MAX_SECRET_BYTES = 4096;

export const SECRET_MISSING = 'SIPBC-E-SECRET-MISSING';
export const SECRET_FILE = 'SIPBC-E-SECRET-FILE';

export interface SecretOptions {
  /** The environment the `env` references are read from (the command passes process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** Write {@link REDACTED} for every password and read nothing. */
  redact?: boolean;
  /** `--secrets-dir`: the directory every secret file must be inside (default: the inventory's directory). */
  secretsDir?: string;
  /** How a secret file is read (tests count the reads); default: readConfinedFile. */
  readFile?: (root: string, absolutePath: string, rootLabel: string) => ConfinedRead;
}

/** A phone whose password is needed: its index in inventory.phones and its reference. */
export interface PasswordUse {
  index: number;
  password?: SecretRef;
}

export interface SecretResolution {
  /** Phone index → password ('' for a phone with auth: none). Empty when there are findings. */
  passwords: Map<number, string>;
  findings: Finding[];
}

/** One trailing newline (LF or CRLF) is not part of the password. */
export function stripOneNewline(s: string): string {
  if (s.endsWith('\r\n')) return s.slice(0, -2);
  if (s.endsWith('\n')) return s.slice(0, -1);
  return s;
}

const defaultRead = (root: string, abs: string, rootLabel: string): ConfinedRead => readConfinedFile(root, abs, { maxBytes: MAX_SECRET_BYTES, rootLabel });

type Outcome = { ok: true; value: string } | { ok: false; code: string; missing: boolean; problem: string; hint: string };

const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;

/** The secrets root and how messages name it. */
export function secretsRoot(loaded: Pick<LoadedInventory, 'baseDir'>, secretsDir?: string): { root: string; label: string } {
  return secretsDir === undefined
    ? { root: loaded.baseDir, label: `the inventory's directory (${loaded.baseDir})` }
    : { root: resolve(secretsDir), label: `the secrets directory ${secretsDir}` };
}

/** Reads and checks one secret file; the outcome's messages name the file, never its content. */
function secretFile(file: string, abs: string, root: { root: string; label: string }, read: NonNullable<SecretOptions['readFile']>): Outcome {
  const where = `secret file ${file}`;
  const r = read(root.root, abs, root.label);
  if (!r.ok) {
    const outside = /outside/.test(r.problem);
    return {
      ok: false,
      code: r.missing ? SECRET_MISSING : SECRET_FILE,
      missing: r.missing === true,
      problem: `${where} ${r.problem}`,
      hint: outside
        ? "keep secret files inside the inventory's directory, or name the directory that holds them with --secrets-dir DIR (e.g. /run/secrets)"
        : r.missing
          ? 'paths are relative to the inventory file (the current directory for stdin)'
          : `a secret file is a regular UTF-8 text file of at most ${MAX_SECRET_BYTES} bytes holding the password on one line`,
    };
  }
  const value = stripOneNewline(r.text);
  if (value === '') return { ok: false, code: SECRET_MISSING, missing: false, problem: `${where} is empty`, hint: 'write the SIP password into it' };
  const lb = LINE_BREAK.exec(value);
  if (lb) {
    return {
      ok: false,
      code: SECRET_FILE,
      missing: false,
      problem: `${where} holds more than one line (${charName(lb[0][0])} before its end): a password is a single line`,
      hint: 'remove the extra line break; one newline at the very end is allowed',
    };
  }
  const bad = FORBIDDEN.exec(value);
  if (bad)
    return {
      ok: false,
      code: SECRET_FILE,
      missing: false,
      problem: `${where} holds ${charName(bad[0])}, which no provisioning file can carry`,
      hint: 'remove it from the file',
    };
  return { ok: true, value };
}

function envSecret(name: string, env: SecretOptions['env']): Outcome {
  const v = Object.hasOwn(env, name) ? env[name] : undefined;
  if (v === undefined)
    return {
      ok: false,
      code: SECRET_MISSING,
      missing: true,
      problem: `environment variable ${name} is not set`,
      hint: `export ${name}=… before running generate`,
    };
  if (v === '')
    return { ok: false, code: SECRET_MISSING, missing: false, problem: `environment variable ${name} is empty`, hint: `give ${name} the SIP password` };
  return { ok: true, value: v };
}

interface Problem {
  first: number;
  count: number;
  outcome: Extract<Outcome, { ok: false }>;
  file: boolean;
}

function findingsOf(
  loaded: LoadedInventory,
  problems: Iterable<Problem>,
  severityOf: (o: Problem['outcome']) => { code: string; severity: Finding['severity']; lead: string },
): Finding[] {
  const findings: Finding[] = [];
  for (const p of problems) {
    const path: JsonPath = p.file ? ['phones', p.first, 'auth', 'password', 'file'] : ['phones', p.first, 'auth', 'password'];
    const pos = loaded.locate(path);
    const others = p.count > 1 ? ` (used by ${p.count} phones; this is the first)` : '';
    const { code, severity, lead } = severityOf(p.outcome);
    findings.push({
      code,
      severity,
      message: `${lead}${p.outcome.problem}${others}; ${p.outcome.hint}`,
      file: loaded.file,
      path: [...path],
      line: pos.line,
      column: pos.column,
    });
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));
  return findings;
}

/**
 * Resolves every phone's password. All problems are collected; when there is any, `passwords` is
 * empty and the findings say which references are missing or unusable (never their values).
 */
export function resolveSecrets(loaded: LoadedInventory, uses: readonly PasswordUse[], opts: SecretOptions): SecretResolution {
  const passwords = new Map<number, string>();
  const read = opts.readFile ?? defaultRead;
  const root = secretsRoot(loaded, opts.secretsDir);

  // One outcome per distinct reference, so 100 000 phones sharing one file read it once and report it once.
  // Environment variables by name and files by absolute path, in maps of their own: no key string per phone.
  const envCache = new Map<string, Outcome>();
  const fileCache = new Map<string, Outcome>();
  const envProblems = new Map<string, Problem>();
  const fileProblems = new Map<string, Problem>();

  for (const use of uses) {
    const ref = use.password;
    if (ref === undefined) {
      passwords.set(use.index, ''); // auth: none (validation refuses a phone without auth.password)
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
    const isFile = 'file' in ref;
    const key = isFile ? resolve(loaded.baseDir, ref.file) : ref.env;
    const cache = isFile ? fileCache : envCache;
    let outcome = cache.get(key);
    if (!outcome) {
      outcome = isFile ? secretFile(ref.file, key, root, read) : envSecret(ref.env, opts.env);
      cache.set(key, outcome);
    }
    if (outcome.ok) {
      passwords.set(use.index, outcome.value);
      continue;
    }
    const problems = isFile ? fileProblems : envProblems;
    const p = problems.get(key);
    if (p) p.count++;
    else problems.set(key, { first: use.index, count: 1, outcome, file: isFile });
  }

  // findingsOf sorts by position: the two maps' order does not matter.
  const findings = findingsOf(loaded, [...fileProblems.values(), ...envProblems.values()], (o) => ({
    code: o.code,
    severity: 'error',
    lead: o.code === SECRET_MISSING ? 'the SIP password cannot be read: ' : 'the SIP password file cannot be used: ',
  }));
  if (findings.length > 0) passwords.clear();
  return { passwords, findings };
}

/**
 * What `validate` reports about the `file:` secrets, without printing anything of them: a file
 * outside the secrets root, not a regular file, too large, not UTF-8, with a line break or a
 * control character is an error (SIPBC-E-SECRET-FILE, or SIPBC-E-SECRET-MISSING when empty). A
 * file that does not exist is not reported: validate never needs the secrets (they may be
 * provisioned only where generate runs, and `sipbc init`'s example must validate cleanly).
 * Only `file:` references touch the file system.
 */
export function secretFileFindings(loaded: LoadedInventory, opts: Pick<SecretOptions, 'secretsDir' | 'readFile'> = {}): Finding[] {
  const data = loaded.data as { phones?: unknown } | null;
  const phones = data !== null && typeof data === 'object' && Array.isArray(data.phones) ? (data.phones as unknown[]) : [];
  const read = opts.readFile ?? defaultRead;
  const root = secretsRoot(loaded, opts.secretsDir);
  const cache = new Map<string, Outcome>();
  const problems = new Map<string, Problem>();
  for (let i = 0; i < phones.length; i++) {
    const ph = phones[i] as { auth?: { password?: { file?: unknown } } } | null;
    const pw = ph !== null && typeof ph === 'object' && ph.auth !== null && typeof ph.auth === 'object' ? ph.auth.password : undefined;
    if (pw === null || typeof pw !== 'object' || typeof pw.file !== 'string' || pw.file === '') continue;
    const abs = resolve(loaded.baseDir, pw.file);
    let outcome = cache.get(abs);
    if (!outcome) {
      outcome = secretFile(pw.file, abs, root, read);
      cache.set(abs, outcome);
    }
    if (outcome.ok || (!outcome.ok && outcome.missing)) continue;
    const p = problems.get(abs);
    if (p) p.count++;
    else problems.set(abs, { first: i, count: 1, outcome, file: true });
  }
  return findingsOf(loaded, problems.values(), (o) => ({
    code: o.code,
    severity: 'error',
    lead: o.code === SECRET_MISSING ? 'the SIP password cannot be read: ' : 'the SIP password file cannot be used: ',
  }));
}
