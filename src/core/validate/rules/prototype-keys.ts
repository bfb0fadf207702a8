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
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: ctx.loaded.data, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] !== null && typeof v[i] === 'object') stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    for (const k of Object.keys(v)) {
      if (PROTO_KEYS.has(k)) {
        out.push(ctx.finding('SIPBC-E-PROTO-KEY', [...path, k], `the key "${k}" is not allowed (it is reserved in JavaScript objects); remove or rename it.`, { key: true }));
        continue;
      }
      const child = (v as Record<string, unknown>)[k];
      if (child !== null && typeof child === 'object') stack.push({ v: child, path: [...path, k] });
    }
  }
  return out;
}
