/** A validation finding: stable rule code, severity, location, message with a fix. */
export type Severity = 'error' | 'warning';

export interface SourcePosition {
  line: number; // 1-based
  column: number; // 1-based
}

export interface Finding {
  code: string; // stable rule code, e.g. SIPBC-MAC-MALFORMED
  severity: Severity;
  message: string; // what is wrong and how to fix it
  file: string; // inventory file as given by the user ('<stdin>' for -)
  /** JSON path of the offending node inside the inventory, e.g. ['phones', 3, 'mac'] */
  path: (string | number)[];
  line: number;
  column: number;
  suggestion?: string; // "did you mean" value, when there is one
  /**
   * Set only on the "and N more" finding that ends a capped list (validate/index.ts capFindings):
   * how many findings of its code it stands for, none of them listed. Counts add it up.
   */
  more?: number;
}

/** How many findings a list stands for: each counts one, an "and N more" finding counts N. */
export function countFindings(findings: readonly Finding[]): number {
  let n = 0;
  for (const f of findings) n += f.more ?? 1;
  return n;
}

export function hasBlockingFindings(findings: readonly Finding[], strict: boolean): boolean {
  return findings.some((f) => f.severity === 'error' || strict);
}
