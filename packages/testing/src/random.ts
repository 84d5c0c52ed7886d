/**
 * The kit's seeded random numbers.
 * @module
 */

/**
 * A small seeded generator (mulberry32, 32 bits of state): the same seed gives the same
 * sequence on every run and platform. The kit's rule candidates and the stability lint's sampler
 * draw from it; fast-check's arbitraries have their own.
 * @example
 * ```ts
 * const rng = new Random(7);
 * rng.next();           // a number in [0, 1)
 * rng.int(10);          // 0 .. 9
 * rng.pick(['a', 'b']); // one of them
 * ```
 */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next number, uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of `items`, each as likely. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
