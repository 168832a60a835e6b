/**
 * Seeded, stateless randomness. Every generated record is a pure function of
 * (seed, table, index), so a workspace of any size is never materialised: the fake
 * generates a record when it is asked for and forgets it again.
 */

/** 32-bit integer hash of any number of integers (murmur3 finaliser chained). */
export function hash32(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    // Split doubles above 2^32 so large indexes/timestamps stay distinct.
    const lo = x >>> 0;
    const hi = Math.floor(x / 4294967296) >>> 0;
    h = mix(h ^ lo);
    h = mix(h ^ hi ^ 0x85ebca6b);
  }
  return h >>> 0;
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Stable small integers naming each generated stream (keeps hashes independent). */
export const STREAM = {
  contact: 1,
  company: 2,
  conversation: 3,
  part: 4,
  ticket: 5,
  ticketPart: 6,
  admin: 7,
  team: 8,
  tag: 9,
  segment: 10,
  article: 11,
  collection: 12,
  news: 13,
  activity: 14,
  note: 15,
  faults: 16,
  latency: 17,
  misc: 18,
  uuid: 19,
} as const;

/** A tiny sequential PRNG (mulberry32) seeded from a hash; returns floats in [0, 1). */
export type Rng = () => number;

export function rng(...key: number[]): Rng {
  let a = hash32(...key);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi] inclusive. */
export function int(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

/** `n` distinct integers from [0, m) (n <= m), in ascending order. */
export function distinct(r: Rng, n: number, m: number): number[] {
  // A small array beats a Set here (n ≤ 25, once per generated record); same draws, same result.
  const out: number[] = [];
  n = Math.min(n, m);
  while (out.length < n) {
    const x = Math.floor(r() * m);
    if (!out.includes(x)) out.push(x);
  }
  // Insertion sort: the values are distinct, so the order is sort()'s; a comparator sort costs more on ≤ 25 numbers.
  for (let k = 1; k < out.length; k++) {
    const v = out[k] as number;
    let j = k - 1;
    while (j >= 0 && (out[j] as number) > v) {
      out[j + 1] = out[j] as number;
      j--;
    }
    out[j + 1] = v;
  }
  return out;
}

export function hex(n: number, width: number): string {
  // The 8-digit case (every object id, twice) from a byte table: toString(16) + padStart costs more.
  if (width === 8) return (HEX2[n >>> 24] as string) + (HEX2[(n >>> 16) & 255] as string) + (HEX2[(n >>> 8) & 255] as string) + (HEX2[n & 255] as string);
  return (n >>> 0).toString(16).padStart(width, '0').slice(-width);
}

const HEX2 = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** RFC 4122-looking v4 UUID from a PRNG (deterministic, not secure — it is a fake). */
export function uuidFrom(r: Rng): string {
  const h = (k: number) => hex(Math.floor(r() * 2 ** 32), 8).slice(0, k);
  const variant = ['8', '9', 'a', 'b'][Math.floor(r() * 4)] as string;
  return `${h(8)}-${h(4)}-4${h(3)}-${variant}${h(3)}-${h(8)}${h(4)}`;
}
