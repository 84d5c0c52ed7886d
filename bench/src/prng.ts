/**
 * A small seeded pseudo-random generator, so that every system trains on the same bytes and a
 * run can be repeated exactly. mulberry32: 32 bits of state, good enough for synthetic data.
 * @module
 */

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
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    // 1 - u keeps the log argument in (0, 1]
    normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
    int: (n) => Math.floor(uniform() * n),
  };
}
