/**
 * `stablegrad/testing`: the testing kit of `@stablegrad/testing` and the stability lint of
 * `@stablegrad/lint` (high-precision reference
 * evaluator, ULP distances, gradient checks, accuracy assertions, fast-check arbitraries),
 * kept out of the main entry point so that `import 'stablegrad'` does not load fast-check.
 * @example
 * ```ts
 * import { expectAccurate, logitVector } from 'stablegrad/testing';
 * ```
 * @module
 */
export * from '@stablegrad/testing';
export * from '@stablegrad/lint';
