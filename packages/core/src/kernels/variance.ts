/**
 * The loop of `variance`: population variance per group, two-pass and compensated. The first
 * pass takes each group's mean (a compensated sum, divided once); the second sums the squared
 * deviations from it, each deviation and square carried with its exact rounding error
 * (TwoSum, Dekker's product), and removes what the mean's own rounding added (the corrected
 * two-pass formula of Chan, Golub and LeVeque: `(sum d^2 - (sum d)^2 / n) / n`). It never
 * forms `E[x^2] - E[x]^2`, which loses every digit when the spread is small against the mean.
 * @module
 */
import type { TypedArray } from '../dtype.js';
import { productError } from '../ops/_double-double.js';

/**
 * `out[j]` = the variance of the elements `x[i]` with `map[i] = j` (`groupSize` of them each).
 * @example
 * ```ts
 * const { map, groupSize } = reductionIndex(shape, axes);
 * varianceInto(x, map, groupSize, out);
 * ```
 */
export function varianceInto(x: TypedArray, map: Int32Array, groupSize: number, out: TypedArray): void {
  const size = out.length;
  const hi = new Float64Array(size);
  const lo = new Float64Array(size);
  for (let i = 0; i < x.length; i++) {
    const j = map[i]!;
    const v = x[i]!;
    const s = hi[j]!;
    const t = s + v;
    // Neumaier: the rounding error of s + v, whichever of the two is larger
    lo[j]! += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    hi[j] = t;
  }
  const mean = new Float64Array(size);
  for (let j = 0; j < size; j++) mean[j] = (hi[j]! + lo[j]!) / groupSize;
  const deviations = new Float64Array(size);
  hi.fill(0);
  lo.fill(0);
  for (let i = 0; i < x.length; i++) {
    const j = map[i]!;
    const v = x[i]!;
    const m = mean[j]!;
    // TwoSum: d + e is exactly v - m
    const d = v - m;
    const bb = d - v;
    const e = v - (d - bb) + (-m - bb);
    deviations[j]! += d + e;
    // (d + e)^2 = d*d exactly as sq + its product error, plus 2de (e^2 is below every rounding here)
    const sq = d * d;
    const s = hi[j]!;
    const t = s + sq;
    lo[j]! += s - t + sq + productError(d, d, sq) + 2 * d * e;
    hi[j] = t;
  }
  for (let j = 0; j < size; j++) {
    const sumD = deviations[j]!;
    out[j] = (hi[j]! + lo[j]! - (sumD * sumD) / groupSize) / groupSize;
  }
}
