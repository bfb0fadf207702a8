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
  const fast = plainMac(input);
  if (fast !== undefined) return fast;
  const s = input.trim().toLowerCase();
  return NOTATIONS.some((re) => re.test(s)) ? s.replace(/[^0-9a-f]/g, '') : undefined;
}

/** 0-9 a-f A-F. */
function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** A MAC in any notation normaliseMac reads (without making its normal form in the usual case). */
export function isMac(input: string): boolean {
  return plainStep(input) !== -1 || normaliseMac(input) !== undefined;
}

/**
 * The usual MAC — 12 hex digits, or pairs split by one ':' or '-', or quads by '.', without spaces —
 * read without the regular expressions (normaliseMac runs for every phone in validation and in the
 * plan); undefined for anything else, which the regular expressions then decide.
 */
function plainMac(s: string): string | undefined {
  const step = plainStep(s);
  if (step === -1) return undefined;
  if (step === 0) return hasUpper(s) ? s.toLowerCase() : s;
  // Digit k sits at k + k / (step - 1) (a separator after every step - 1 digits): one new string, lower case.
  const per = step - 1;
  return String.fromCharCode(
    lower(s, 0),
    lower(s, 1),
    lower(s, 2 + ((2 / per) | 0)),
    lower(s, 3 + ((3 / per) | 0)),
    lower(s, 4 + ((4 / per) | 0)),
    lower(s, 5 + ((5 / per) | 0)),
    lower(s, 6 + ((6 / per) | 0)),
    lower(s, 7 + ((7 / per) | 0)),
    lower(s, 8 + ((8 / per) | 0)),
    lower(s, 9 + ((9 / per) | 0)),
    lower(s, 10 + ((10 / per) | 0)),
    lower(s, 11 + ((11 / per) | 0)),
  );
}

/** The character code at i, A-F made a-f. */
function lower(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0x41 && c <= 0x46 ? c + 0x20 : c;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x46) return true;
  }
  return false;
}

/** The usual MAC's separator step (0: none, 3: pairs, 5: quads), or -1 when s is not one. */
function plainStep(s: string): number {
  const n = s.length;
  // Separator positions: none (12), every third character from 2 (17), 4 and 9 (14).
  const step = n === 12 ? 0 : n === 17 ? 3 : n === 14 ? 5 : -1;
  if (step === -1) return -1;
  const sep = step === 0 ? 0 : s.charCodeAt(step - 1);
  if (step === 3 ? sep !== 0x3a && sep !== 0x2d : step === 5 ? sep !== 0x2e : false) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (step !== 0 && i % step === step - 1) {
      if (c !== sep) return -1;
    } else if (!isHex(c)) return -1;
  }
  return step;
}
