/**
 * SIPBC-E-PROTO-KEY: `__proto__`, `constructor` and `prototype` are refused as
 * keys anywhere (even inside maps such as `extensions`, where the schema allows
 * free keys), so no later code can be tricked into touching Object.prototype.
 */
import type { Finding } from '../../findings.js';
import type { RuleContext } from '../context.js';

export const PROTO_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function prototypeKeys(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  if (ctx.loaded.plainKeys) return out; // the subset reader saw every key
  // One mutable path (push/pop) instead of a new array per node: this walks every node of a 100 000-phone file.
  const path: (string | number)[] = [];
  const walk = (v: object): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (child !== null && typeof child === 'object') {
          path.push(i);
          walk(child);
          path.pop();
        }
      }
      return;
    }
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      if (PROTO_KEYS.has(k)) {
        out.push(
          ctx.finding('SIPBC-E-PROTO-KEY', [...path, k], `the key "${k}" is not allowed (it is reserved in JavaScript objects); remove or rename it.`, {
            key: true,
          }),
        );
        continue;
      }
      const child = (v as Record<string, unknown>)[k];
      if (child !== null && typeof child === 'object') {
        path.push(k);
        walk(child);
        path.pop();
      }
    }
  };
  const data = ctx.loaded.data;
  if (data !== null && typeof data === 'object') walk(data);
  return out;
}
