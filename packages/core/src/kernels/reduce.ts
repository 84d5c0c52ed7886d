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
  if (divisor === 1) {
    for (let j = 0; j < out.length; j++) out[j] = acc[j]!;
    return;
  }
  let overflowed = false;
  for (let j = 0; j < out.length; j++) {
    out[j] = acc[j]! / divisor;
    if (acc[j] === Infinity || acc[j] === -Infinity) overflowed = true;
  }
  // A sum of finite values can overflow where their mean does not (the mean of values near the
  // largest float): such groups are summed again scaled by 2^-k (exact), so that n of them fit.
  if (!overflowed) return;
  const k = Math.ceil(Math.log2(divisor)) + 1;
  const down = 2 ** -k;
  const scaled = new Float64Array(out.length);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(acc[map[i]!]!)) scaled[map[i]!]! += x[i]! * down;
  for (let j = 0; j < out.length; j++) if (acc[j] === Infinity || acc[j] === -Infinity) out[j] = (scaled[j]! / divisor) * 2 ** k;
}
