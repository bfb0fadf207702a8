/**
 * TEMPORARY one-line finding formatter for generate/policy until src/cli/report.ts (validate
 * engineer) lands; then generate/policy use its text formatter and this file goes.
 */
import type { Finding } from '../core/findings.js';

export function formatFindingLine(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code} ${f.message}${f.suggestion ? ` (did you mean "${f.suggestion}"?)` : ''}`;
}
