/**
 * Template lookup and compilation.
 *
 * Lookup order for `<family>/<name>`: the user's `--templates DIR/<family>/<name>`
 * first, then the shipped `templates/<family>/<name>`. A template path must
 * stay inside its family directory: absolute names, `..` segments, backslashes
 * and symbolic links that resolve outside the directory are refused.
 *
 * Each template is compiled once per loader (one loader per render run) with
 * Handlebars `{ noEscape: true, strict: true }`: values are escaped by the
 * renderer for the file's format (escape.ts), and a missing value is an error,
 * never a blank line. CRLF in a template file is read as LF so output is
 * always LF.
 *
 * A template cannot print or reach outside its context: Handlebars' `log` helper (it writes values
 * to the console) is replaced by one that refuses, Handlebars' own logger is silenced (its
 * prototype-access warning names the property looked up, which `lookup` can take from a value),
 * and prototype properties stay denied (Handlebars' default, set explicitly). Errors name the
 * template, the expression and its position, never a value or the template's source text: a value
 * may be a password, and a file read by mistake may be anything.
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import Handlebars from 'handlebars';
import { SHIPPED_TEMPLATES } from '../catalogue.js';
import { ExitCode, SipbcError } from '../errors.js';
import { readConfinedFile } from '../confined-file.js';
import { compileFast } from './fast-template.js';

/** A template larger than this is not a template (a wrong file, most likely). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

// Handlebars has one logger for every instance; sipbc never prints through it.
Handlebars.logger.log = () => undefined;

const RUNTIME_OPTIONS: RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

/**
 * The message of an error thrown while a template renders, without any value: Handlebars' strict
 * mode says `"x" not defined in <the parent value>`, and JavaScript's `'x' in value` (a property
 * looked up on a string) quotes the string — which may be a password.
 */
export function safeRenderMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const undef = /^"([^"]*)" not defined in ([\s\S]*) - (\d+):(\d+)$/.exec(msg);
  if (undef) return `"${undef[1]}" not defined${undef[2] === 'undefined' ? ' (its parent value is missing)' : ''} at line ${undef[3]}, column ${undef[4]}`;
  const inOp = /^Cannot use 'in' operator to search for '([^']*)'/.exec(msg);
  if (inOp) return `"${inOp[1]}" was looked up in a value that is not a mapping (a text or a number has no fields)`;
  // Handlebars messages whose only variable part comes from the template text; any other (e.g.
  // `The partial <name> could not be found`, where `{{> (lookup line "password")}}` makes the name a value) is not shown.
  if (/^(Missing helper: "[\w.-]*"|#\w+ requires exactly one argument|Must pass iterator to #each)$/.test(msg)) return msg;
  if (/^The partial .* could not be found$/s.test(msg))
    return 'a partial could not be found (no partials are registered; its name is not shown: it may be a value)';
  return `the template failed (${e instanceof Error ? e.name : 'error'}; its message is not shown: it may quote a value)`;
}

/** A compile error without the excerpt of the source Handlebars puts in it: `Parse error on line 2: … Expecting 'ID', got 'EOF'`. */
export function safeCompileMessage(e: unknown): string {
  const lines = (e instanceof Error ? e.message : String(e)).split('\n');
  if (lines.length === 1) return lines[0];
  return `${lines[0]} ${lines[lines.length - 1]}`;
}

export interface LoadedTemplate {
  /** Absolute path of the template file used (for messages). */
  path: string;
  /** From the user's --templates directory. */
  user: boolean;
  render(context: object): string;
}

/** Refuse a template or family name that could leave its directory. */
function checkName(kind: string, name: string): void {
  const segments = name.split('/');
  if (name.length === 0 || isAbsolute(name) || name.includes('\\') || name.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new SipbcError(`${kind} "${name}" must be a relative path inside its directory (no absolute path, no "..", no "\\")`, ExitCode.USAGE);
  }
}

function inside(dir: string, file: string): boolean {
  return file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** `{{log …}}` would print values (passwords) to the console: it refuses instead. */
function withoutLog(hbs: typeof Handlebars): typeof Handlebars {
  hbs.unregisterHelper('log');
  hbs.registerHelper('log', () => {
    throw new SipbcError(
      'the "log" helper is not available in templates: it would print values (passwords) to the console',
      ExitCode.USAGE,
      'remove {{log …}} from the template',
    );
  });
  return hbs;
}

export class TemplateLoader {
  private readonly cache = new Map<string, LoadedTemplate>();
  private readonly hbs = withoutLog(Handlebars.create());

  /**
   * `handlebarsOnly`: render every template with Handlebars (tests compare it with the fast path
   * that shipped templates otherwise take, fast-template.ts; a --templates override always uses Handlebars).
   */
  constructor(
    private readonly userDir?: string,
    private readonly shippedDir: string = SHIPPED_TEMPLATES,
    private readonly handlebarsOnly = false,
  ) {}

  /** The compiled template `<family>/<name>`, user directory first. */
  get(family: string, name: string): LoadedTemplate {
    const key = `${family}/${name}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    checkName('family', family);
    checkName('template name', name);

    const roots = this.userDir
      ? [
          { root: this.userDir, user: true },
          { root: this.shippedDir, user: false },
        ]
      : [{ root: this.shippedDir, user: false }];
    for (const { root, user } of roots) {
      const dir = join(root, family);
      const file = join(dir, ...name.split('/'));
      if (!existsSync(file)) continue;
      let realRoot: string;
      let realDir: string;
      let realFile: string;
      try {
        realRoot = realpathSync(root);
        realDir = realpathSync(dir);
        realFile = realpathSync(file);
      } catch (e) {
        throw new SipbcError(`cannot read template ${file}: ${(e as Error).message}`, ExitCode.USAGE);
      }
      if (!inside(realRoot, realDir)) {
        throw new SipbcError(`template directory ${dir} resolves to ${realDir}, outside ${root}: refused`, ExitCode.USAGE);
      }
      if (!inside(realDir, realFile)) {
        throw new SipbcError(`template ${file} resolves to ${realFile}, outside ${dir}: refused`, ExitCode.USAGE);
      }
      const read = readConfinedFile(realDir, realFile, { maxBytes: MAX_TEMPLATE_BYTES });
      if (!read.ok)
        throw new SipbcError(
          `template ${file} ${read.problem}: refused`,
          ExitCode.USAGE,
          'a template is a regular UTF-8 text file inside its family directory',
        );
      const source = read.text.replace(/\r\n/g, '\n');
      let compiled: HandlebarsTemplateDelegate;
      try {
        compiled = this.hbs.compile(source, { noEscape: true, strict: true });
      } catch (e) {
        throw new SipbcError(`template ${file}: ${safeCompileMessage(e)}`, user ? ExitCode.USAGE : ExitCode.INTERNAL);
      }
      const fast = user || this.handlebarsOnly ? undefined : compileFast(this.hbs, source);
      const loaded: LoadedTemplate = {
        path: file,
        user,
        render: (context: object) => {
          const quick = fast?.(context);
          if (quick !== undefined) return quick;
          try {
            return compiled(context, RUNTIME_OPTIONS);
          } catch (e) {
            // Syntax errors also surface on first render: Handlebars compiles lazily.
            const msg = e instanceof SipbcError ? e.message : /^Parse error/.test((e as Error)?.message ?? '') ? safeCompileMessage(e) : safeRenderMessage(e);
            throw new SipbcError(
              `template ${file}: ${msg}`,
              user ? ExitCode.USAGE : ExitCode.INTERNAL,
              user ? 'a template can only use the values sipbc passes (see the shipped templates for the names)' : undefined,
            );
          }
        },
      };
      this.cache.set(key, loaded);
      return loaded;
    }
    throw new SipbcError(`no template ${key}: looked in ${roots.map((r) => join(r.root, family)).join(' and ')}`, ExitCode.USAGE);
  }
}
