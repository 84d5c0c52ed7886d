/**
 * Sums and means into preallocated buffers: `sum`, `mean` over axes and `sumTo` (the gradient
 * of a broadcast). Each output element is accumulated in float64 in increasing input order and
 * rounded once, as core's kernels do, so the results are the interpreter's bits.
 * @module
 */
import type { ConcreteShape, TypedArray } from '@stablegrad/core';

/**
 * For each input element (row-major), the output element it adds into, when the axes in
 * `reduced` are summed away (kept as size-1 or dropped: the flat index is the same).
 * @example
 * ```ts
 * reductionMap([2, 3], [0]); // Int32Array [0, 1, 2, 0, 1, 2]
 * ```
 */
export function reductionMap(shape: ConcreteShape, reduced: ReadonlySet<number>): Int32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const map = new Int32Array(size);
  const outStrides = new Array<number>(shape.length).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (reduced.has(d)) continue;
    outStrides[d] = stride;
    stride *= shape[d]!;
  }
  const index = new Array<number>(shape.length).fill(0);
  let at = 0;
  for (let i = 0; i < size; i++) {
    map[i] = at;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]!++;
      at += outStrides[d]!;
      if (index[d]! < shape[d]!) break;
      at -= outStrides[d]! * index[d]!;
      index[d] = 0;
    }
  }
  return map;
}

/**
 * `out[map[i]] += x[i]` in float64 (`acc`, as long as out), then `out = acc / divisor`.
 * @example
 * ```ts
 * reduceInto(g, reductionMap([32, 10], new Set([0])), new Float64Array(10), dBias, 1);
 * ```
 */
export function reduceInto(x: TypedArray, map: Int32Array, acc: Float64Array, out: TypedArray, divisor: number): void {
  acc.fill(0);
  for (let i = 0; i < x.length; i++) acc[map[i]!]! += x[i]!;
  if (divisor === 1) for (let j = 0; j < out.length; j++) out[j] = acc[j]!;
  else for (let j = 0; j < out.length; j++) out[j] = acc[j]! / divisor;
}
