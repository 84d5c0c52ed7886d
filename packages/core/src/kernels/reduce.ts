/**
 * Sums and means into preallocated buffers: `sum`, `mean` over axes and `sumTo` (the gradient
 * of a broadcast). Each output element is accumulated in float64 in increasing input order and
 * rounded once, as core's kernels do, so the results are the interpreter's bits.
 * @module
 */
import type { TypedArray } from '../dtype.js';

/**
 * `out[map[i]] += x[i]` in float64 (`acc`, as long as out), then `out = acc / divisor`.
 * @example
 * ```ts
 * reduceInto(g, reductionIndex([32, 10], [0]).map, new Float64Array(10), dBias, 1);
 * ```
 */
export function reduceInto(x: TypedArray, map: Int32Array, acc: Float64Array, out: TypedArray, divisor: number): void {
  acc.fill(0);
  for (let i = 0; i < x.length; i++) acc[map[i]!]! += x[i]!;
  if (divisor === 1) for (let j = 0; j < out.length; j++) out[j] = acc[j]!;
  else for (let j = 0; j < out.length; j++) out[j] = acc[j]! / divisor;
}
