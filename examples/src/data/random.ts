/**
 * Seeded randomness for the examples: a tiny PRNG (mulberry32) and a shuffle built on it, so
 * every run splits the data the same way.
 * @module
 */

/** A function returning uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a 32-bit-state generator by Tommy Ettinger, small and good enough for shuffling.
 * The same seed always gives the same sequence.
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // a number in [0, 1), the same on every run
 * ```
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random permutation of `0 .. n-1` (Fisher-Yates).
 * @example
 * ```ts
 * permutation(5, mulberry32(1)); // e.g. [3, 0, 4, 1, 2]
 * ```
 */
export function permutation(n: number, random: Random): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
