/**
 * "Did you mean …?" for unknown names (model ids, site ids, place ids, keys).
 * Optimal-string-alignment (Damerau) distance, plus two cheap rescues that
 * edit distance misses: a different case/separator (`Yealink_T54W`) and a
 * missing vendor prefix (`t54w` → `yealink-t54w`, `4028` → `alcatel-4028`).
 */

/** Damerau-Levenshtein (optimal string alignment) distance; stops early above `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The closest candidate to `input`, or undefined when nothing is close enough to be a plausible typo. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const s = squash(input);
  let best: string | undefined;
  let bestScore = Infinity;
  const limit = Math.max(1, Math.floor(input.length / 3));
  for (const c of candidates) {
    if (c === input) continue;
    const sc = squash(c);
    let score: number;
    if (s.length > 0 && sc === s) score = 0;
    else if (s.length >= 3 && (sc.endsWith(s) || sc.startsWith(s))) score = 0.5;
    else {
      const d = editDistance(input.toLowerCase(), c.toLowerCase(), limit);
      if (d > limit) continue;
      score = d;
    }
    if (score < bestScore || (score === bestScore && best !== undefined && c < best)) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** " Did you mean `x`?" or "" — appended to messages. */
export function didYouMeanText(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`;
}
