/**
 * Seeded randomness for the examples: a tiny PRNG (mulberry32) and a shuffle built on it, so
 * every run splits the data the same way.
 * @module
 */
import { seededRandom } from '@stablegrad/nn';

/** A function returning uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32 (a 32-bit-state generator by Tommy Ettinger), as the layers package implements it
 * (`seededRandom(seed).uniform`): the same seed always gives the same sequence.
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // a number in [0, 1), the same on every run
 * ```
 */
export function mulberry32(seed: number): Random {
  return seededRandom(seed).uniform;
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
