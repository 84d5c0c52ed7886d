/**
 * A small seeded pseudo-random generator, so that every system trains on the same bytes and a
 * run can be repeated exactly. mulberry32: 32 bits of state, good enough for synthetic data.
 * @module
 */
import { seededRandom as nnSeededRandom } from '@stablegrad/nn';

/**
 * A seeded source of random numbers.
 * @example
 * ```ts
 * const rng = seededRandom(42);
 * rng.uniform();    // in [0, 1)
 * rng.normal();     // standard normal
 * rng.int(10);      // integer in [0, 10)
 * ```
 */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * A mulberry32 generator started from `seed`.
 * @example
 * ```ts
 * seededRandom(1).uniform() === seededRandom(1).uniform(); // true
 * ```
 */
export function seededRandom(seed: number): Random {
  // nn's generator: the same sequence the layers package draws from a seed.
  const random = nnSeededRandom(seed);
  return { uniform: random.uniform, normal: random.normal, int: (n) => Math.floor(random.uniform() * n) };
}
