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
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import Handlebars from 'handlebars';
import { SHIPPED_TEMPLATES } from '../catalogue.js';
import { ExitCode, SipbcError } from '../errors.js';

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
  if (
    name.length === 0 ||
    isAbsolute(name) ||
    name.includes('\\') ||
    name.includes('\0') ||
    segments.some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new SipbcError(`${kind} "${name}" must be a relative path inside its directory (no absolute path, no "..", no "\\")`, ExitCode.USAGE);
  }
}

function inside(dir: string, file: string): boolean {
  return file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

export class TemplateLoader {
  private readonly cache = new Map<string, LoadedTemplate>();
  private readonly hbs = Handlebars.create();

  constructor(
    private readonly userDir?: string,
    private readonly shippedDir: string = SHIPPED_TEMPLATES,
  ) {}

  /** The compiled template `<family>/<name>`, user directory first. */
  get(family: string, name: string): LoadedTemplate {
    const key = `${family}/${name}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    checkName('family', family);
    checkName('template name', name);

    const roots = this.userDir ? [{ root: this.userDir, user: true }, { root: this.shippedDir, user: false }] : [{ root: this.shippedDir, user: false }];
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
      let source: string;
      try {
        source = readFileSync(realFile, 'utf8').replace(/\r\n/g, '\n');
      } catch (e) {
        throw new SipbcError(`cannot read template ${file}: ${(e as Error).message}`, ExitCode.USAGE);
      }
      let compiled: HandlebarsTemplateDelegate;
      try {
        compiled = this.hbs.compile(source, { noEscape: true, strict: true });
      } catch (e) {
        throw new SipbcError(`template ${file}: ${(e as Error).message}`, user ? ExitCode.USAGE : ExitCode.INTERNAL);
      }
      const loaded: LoadedTemplate = {
        path: file,
        user,
        render: (context: object) => {
          try {
            return compiled(context);
          } catch (e) {
            // Strict mode: `"x" not defined in … - line:col`. Syntax errors also surface on first render.
            const msg = (e as Error).message.replace(/ in \[object Object\]/, '').replace(/ in undefined/, ' (its parent value is missing)');
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
    throw new SipbcError(
      `no template ${key}: looked in ${roots.map((r) => join(r.root, family)).join(' and ')}`,
      ExitCode.USAGE,
    );
  }
}
