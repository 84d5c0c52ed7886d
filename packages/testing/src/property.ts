/**
 * Settings of property tests: a fixed seed, so that runs are reproducible, and a number of runs
 * that stays small by default and grows on demand (`STABLEGRAD_PROPERTY_RUNS=2000 npm test`).
 * @module
 */

/**
 * The fixed seed of stablegrad's property tests. `STABLEGRAD_PROPERTY_SEED` overrides it in
 * `propertyParams`, to explore other cases reproducibly.
 * @example
 * ```ts
 * fc.assert(property, { seed: PROPERTY_SEED, numRuns: 100 });
 * ```
 */
export const PROPERTY_SEED = 20240611;

function environment(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function integerFromEnvironment(name: string, check: (n: number) => boolean, what: string): number | undefined {
  const raw = environment(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || !check(n)) throw new RangeError(`${name} must be ${what}, got '${raw}'`);
  return n;
}

/**
 * The number of runs of a property: `STABLEGRAD_PROPERTY_RUNS` when set, else `defaultRuns`.
 * @example
 * ```ts
 * propertyRuns(50); // 50, or 2000 under STABLEGRAD_PROPERTY_RUNS=2000
 * ```
 */
export function propertyRuns(defaultRuns = 100): number {
  return integerFromEnvironment('STABLEGRAD_PROPERTY_RUNS', (n) => n >= 1, 'an integer >= 1') ?? defaultRuns;
}

/**
 * fast-check parameters: a number of runs and a seed.
 * @example
 * ```ts
 * fc.assert(property, propertyParams(100) satisfies PropertyParams);
 * ```
 */
export interface PropertyParams {
  readonly numRuns: number;
  readonly seed: number;
}

/**
 * `{ numRuns, seed }` for fast-check: `propertyRuns(defaultRuns)` and the fixed seed (or
 * `STABLEGRAD_PROPERTY_SEED`).
 * @example
 * ```ts
 * import { test, fc } from '@fast-check/vitest';
 * test.prop([floatOf('float64')], propertyParams(200))('exp is positive', (x) => Math.exp(x) >= 0);
 * ```
 */
export function propertyParams(defaultRuns = 100): PropertyParams {
  const seed = integerFromEnvironment('STABLEGRAD_PROPERTY_SEED', (n) => Math.abs(n) < 2 ** 31, 'a 32-bit integer') ?? PROPERTY_SEED;
  return { numRuns: propertyRuns(defaultRuns), seed };
}
