/**
 * Two-dimensional matrix products that read either operand transposed, so the backward pass
 * (`x^T g`, `g W^T`) never materialises a transpose. Each output element is accumulated in
 * float64 over the inner index in increasing order and rounded once, exactly as core's matmul
 * kernel does: the results are the interpreter's bits.
 * @module
 */
import type { TypedArray } from '@stablegrad/core';

/**
 * `out[m, n] = op(a) op(b)`: `transA` means a is stored `[k, m]`, `transB` that b is stored
 * `[n, k]`. `row` is a float64 scratch of at least n elements.
 * @example
 * ```ts
 * matmulInto(x, g, dW, 64, 32, 25, true, false, new Float64Array(25)); // dW = x^T g
 * ```
 */
export function matmulInto(
  a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean, row: Float64Array,
): void {
  if (transB) {
    // Dot products of rows of a (or columns, transA) with rows of b.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        const bRow = j * k;
        if (transA) for (let p = 0; p < k; p++) acc += a[p * m + i]! * b[bRow + p]!;
        else {
          const aRow = i * k;
          for (let p = 0; p < k; p++) acc += a[aRow + p]! * b[bRow + p]!;
        }
        out[i * n + j] = acc;
      }
    }
    return;
  }
  // i-p-j order: the inner loop walks a row of b and the accumulator row contiguously.
  for (let i = 0; i < m; i++) {
    row.fill(0, 0, n);
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i]! : a[i * k + p]!;
      const bRow = p * n;
      for (let j = 0; j < n; j++) row[j]! += av * b[bRow + j]!;
    }
    const outRow = i * n;
    for (let j = 0; j < n; j++) out[outRow + j] = row[j]!;
  }
}
