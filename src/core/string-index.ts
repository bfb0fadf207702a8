/**
 * String → non-negative integer, for the indexes validation and the plan build over 100 000 ids
 * (place ids, logins, MACs, Extension DNs). A Map built entry by entry cost 40-110 ms per 100 000
 * keys (its table regrown and rehashed as it fills, each entry a new heap allocation); this table is
 * sized once, open-addressed (linear probing) over one Int32Array and a key array: ~5 ms to build.
 * The hash is seeded per process, so crafted ids cannot make one inventory's keys collide.
 */
const SEED = (Math.random() * 0x7fffffff) | 0;

export class StringIndex {
  private mask: number;
  private keys: (string | undefined)[];
  private values: Int32Array;
  private count = 0;

  /** `expected`: about how many keys it will hold (it grows beyond that). */
  constructor(expected = 8) {
    let size = 16;
    while (size < 2 * expected) size *= 2;
    this.mask = size - 1;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.values = new Int32Array(size);
  }

  get size(): number {
    return this.count;
  }

  /** The value of `key`, or -1. */
  get(key: string): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let j = hash(key) & mask; ; j = (j + 1) & mask) {
      const k = keys[j];
      if (k === undefined) return -1;
      if (k === key) return this.values[j];
    }
  }

  /** Adds `key` with `value` (≥ 0) unless it is there: returns -1 when added, else the value it has (kept). */
  add(key: string, value: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let j = hash(key) & mask;
    for (;;) {
      const k = keys[j];
      if (k === undefined) break;
      if (k === key) return this.values[j];
      j = (j + 1) & mask;
    }
    keys[j] = key;
    this.values[j] = value;
    if (++this.count * 2 > mask) this.grow();
    return -1;
  }

  private grow(): void {
    const { keys, values } = this;
    const size = 2 * keys.length;
    const mask = size - 1;
    const nk = new Array<string | undefined>(size).fill(undefined);
    const nv = new Int32Array(size);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k === undefined) continue;
      let j = hash(k) & mask;
      while (nk[j] !== undefined) j = (j + 1) & mask;
      nk[j] = k;
      nv[j] = values[i];
    }
    this.keys = nk;
    this.values = nv;
    this.mask = mask;
  }
}

/** FNV-1a over the UTF-16 code units, from the per-process seed. */
function hash(s: string): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h ^ (h >>> 15);
}
