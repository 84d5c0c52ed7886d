/**
 * Seeded randomness: every random number the layers package draws (initial weights, the
 * shuffles of `fit`) comes from one of these generators, so a seed reproduces a run bit for bit.
 * @module
 */

/**
 * A seeded generator of uniform numbers in [0, 1).
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random.uniform(); // the same number on every run
 * random.normal();  // a standard normal sample
 * ```
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (mean 0, standard deviation 1), by the Box-Muller transform. */
  normal(): number;
}

/**
 * A generator for `seed` (any integer; it is reduced to 32 bits). The core is mulberry32, a
 * small 32-bit-state generator, ample for initial weights and shuffles.
 * @example
 * ```ts
 * const a = seededRandom(7), b = seededRandom(7);
 * a.uniform() === b.uniform(); // true
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    // 1 - u is in (0, 1], so the log is finite.
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

/**
 * A random permutation of `0 .. n-1` (Fisher-Yates).
 * @example
 * ```ts
 * permutation(5, seededRandom(1)); // e.g. [3, 0, 4, 1, 2]
 * ```
 */
export function permutation(n: number, random: SeededRandom): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * A fresh seed when the user gave none: runs differ, and the model reports the seed it used so
 * any run can be repeated.
 * @example
 * ```ts
 * const seed = options.seed ?? freshSeed();
 * ```
 */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
