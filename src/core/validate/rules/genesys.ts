/**
 * SIPBC-E-STAT-SERVER-VERSION: Business Continuity needs Stat Server 8.1.2 or
 * later. Versions are compared numerically, part by part (8.1.10 > 8.1.2).
 */
import type { Finding } from '../../findings.js';
import { isObject, type RuleContext, str } from '../context.js';

const MINIMUM = [8, 1, 2];

export function statServerVersion(ctx: RuleContext): Finding[] {
  const g = ctx.inv.genesys as unknown;
  if (!isObject(g)) return [];
  const v = str(g.statServerVersion);
  if (v === undefined) return [];
  const path = ['genesys', 'statServerVersion'];
  if (!/^\d+(\.\d+)*$/.test(v.trim())) {
    return [ctx.finding('SIPBC-E-STAT-SERVER-VERSION', path, `genesys.statServerVersion "${v}" is not a version number; write it like "8.1.2".`)];
  }
  const parts = v.trim().split('.').map(Number);
  for (let k = 0; k < Math.max(parts.length, MINIMUM.length); k++) {
    const a = parts[k] ?? 0;
    const b = MINIMUM[k] ?? 0;
    if (a > b) return [];
    if (a < b) {
      return [
        ctx.finding(
          'SIPBC-E-STAT-SERVER-VERSION',
          path,
          `Stat Server ${v} is too old: SIP Business Continuity needs Stat Server 8.1.2 or later. Upgrade it, then update genesys.statServerVersion.`,
        ),
      ];
    }
  }
  return [];
}
