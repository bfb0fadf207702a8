/**
 * MAC addresses in any common notation → 12 lower-case hex digits:
 * 00:15:65:12:34:AB, 00-15-65-12-34-ab, 0015.6512.34ab, 001565.1234ab, 00156512 34AB → 0015651234ab.
 * Mixed or misplaced separators are refused (a typo is more likely than a new notation).
 */
const NOTATIONS = [
  /^[0-9a-f]{12}$/,
  /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/,
  /^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/,
  /^[0-9a-f]{4}(\.[0-9a-f]{4}){2}$/,
  /^[0-9a-f]{6}[-.:][0-9a-f]{6}$/,
];

export function normaliseMac(input: string): string | undefined {
  const s = input.trim().toLowerCase();
  return NOTATIONS.some((re) => re.test(s)) ? s.replace(/[^0-9a-f]/g, '') : undefined;
}
