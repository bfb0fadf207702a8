/**
 * The shipped templates without the Handlebars runtime: each is parsed once by Handlebars itself
 * (`parse` applies its whitespace control, so standalone `{{#if}}`, `{{else}}`, `{{/if}}` and
 * comment lines are already stripped from the text pieces) and turned into a list of text pieces,
 * context paths and `{{#if path}} … {{else}} … {{/if}}` blocks. Rendering a phone file is then one
 * walk of that list — the Handlebars runtime's lookups and helper calls were ~1.2 s of CPU and much
 * of the garbage at 100 000 phones.
 *
 * It is a fast path, not a second template language: a template using anything else (helpers,
 * `each`, `with`, `../`, `this`, literals, partials) is not compiled here, and at render time any
 * value that is not a plain own string, number or boolean (a missing key, a function, an array) makes
 * `render` return undefined so the caller renders that file with Handlebars — which then gives the
 * very same output, or its own strict-mode error. test/core/render-fast.test.ts renders the golden
 * tree and a 10 000-phone inventory both ways.
 */
import type Handlebars from 'handlebars';

type Node = string | { path: string[] } | { cond: string[]; then: Node[]; else: Node[] };

/** Handlebars' AST, as far as this file reads it. */
interface AstNode {
  type: string;
  value?: string;
  path?: { type: string; parts: string[]; depth: number; data: boolean; original: string };
  params?: AstNode[];
  hash?: unknown;
  program?: { body: AstNode[]; blockParams?: string[] };
  inverse?: { body: AstNode[]; chained?: boolean };
  parts?: string[];
  depth?: number;
  data?: boolean;
  original?: string;
}

/** A context path such as `line.server1.host` (no `this`, `..`, `@data` or segment literals). */
function plainPath(p: AstNode | AstNode['path'] | undefined): string[] | undefined {
  if (p?.type !== 'PathExpression' || p.depth !== 0 || p.data || !p.parts || p.parts.length === 0) return undefined;
  // `this.x` and `./x` leave `this` out of parts; the original text tells.
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(p.original ?? '') || /^this\b/.test(p.original ?? '')) return undefined;
  return p.parts;
}

function compileBody(body: AstNode[], helpers: Record<string, unknown>): Node[] | undefined {
  const out: Node[] = [];
  for (const n of body) {
    if (n.type === 'ContentStatement') {
      if (n.value) out.push(n.value);
    } else if (n.type === 'CommentStatement') {
      // renders nothing
    } else if (n.type === 'MustacheStatement') {
      const path = plainPath(n.path);
      // `{{name}}` calls a helper of that name where there is one.
      if (!path || (n.params?.length ?? 0) > 0 || n.hash || (path.length === 1 && Object.hasOwn(helpers, path[0]))) return undefined;
      out.push({ path });
    } else if (n.type === 'BlockStatement') {
      if (n.path?.original !== 'if' || n.params?.length !== 1 || n.hash || n.program?.blockParams) return undefined;
      const cond = plainPath(n.params[0]);
      const then = n.program && compileBody(n.program.body, helpers);
      const otherwise = n.inverse ? compileBody(n.inverse.body, helpers) : [];
      if (!cond || !then || !otherwise) return undefined;
      out.push({ cond, then, else: otherwise });
    } else return undefined;
  }
  return out;
}

/** Not a value this renderer writes: the caller renders the file with Handlebars instead. */
const BAIL = Symbol('bail');

function lookup(ctx: object, path: string[], missingIsUndefined: boolean): unknown {
  let v: unknown = ctx;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return BAIL;
    if (!Object.hasOwn(v, path[i])) return missingIsUndefined && i === path.length - 1 ? undefined : BAIL;
    v = (v as Record<string, unknown>)[path[i]];
  }
  return v;
}

function run(nodes: Node[], ctx: object): string | undefined {
  let out = '';
  for (const n of nodes) {
    if (typeof n === 'string') {
      out += n;
    } else if ('path' in n) {
      const v = lookup(ctx, n.path, false);
      if (typeof v === 'string') out += v;
      else if (typeof v === 'number' || typeof v === 'boolean') out += String(v);
      else return undefined;
    } else {
      // Handlebars' `if`: falsy (0 included) or an empty array takes the else branch.
      const v = lookup(ctx, n.cond, true);
      if (v === BAIL || typeof v === 'function' || Array.isArray(v)) return undefined;
      const part = run(v ? n.then : n.else, ctx);
      if (part === undefined) return undefined;
      out += part;
    }
  }
  return out;
}

/** The template as a render function, or undefined when it uses more than this file handles. */
export function compileFast(hbs: typeof Handlebars, source: string): ((context: object) => string | undefined) | undefined {
  let ast: AstNode;
  try {
    ast = hbs.parse(source) as unknown as AstNode;
  } catch {
    return undefined; // Handlebars reports the syntax error
  }
  const nodes = compileBody((ast as unknown as { body: AstNode[] }).body, hbs.helpers as Record<string, unknown>);
  return nodes && ((context: object) => run(nodes, context));
}
