/**
 * Two-dimensional matrix products that read either operand transposed, so the backward pass
 * (`x^T g`, `g W^T`) never materialises a transpose. Each output element is accumulated in
 * float64 over the inner index in increasing order and rounded once, exactly as core's matmul
 * kernel does: the results are the interpreter's bits. Rows (and, with `transB`, columns) are
 * taken four at a time so that each value loaded serves four accumulators; that changes which
 * loads happen, not the order of any element's sum.
 * @module
 */
import type { TypedArray } from '../dtype.js';

/**
 * `out[m, n] = op(a) op(b)`: `transA` means a is stored `[k, m]`, `transB` that b is stored
 * `[n, k]`. `rows` is a float64 scratch of at least 4 n elements.
 * @example
 * ```ts
 * matmulInto(x, g, dW, 64, 32, 25, true, false, new Float64Array(4 * 25)); // dW = x^T g
 * ```
 */
export function matmulInto(
  a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean, rows: Float64Array,
): void {
  if (transB) dotProducts(a, b, out, m, k, n, transA);
  else rowUpdates(a, b, out, m, k, n, transA, rows);
}

// i-p-j order, four rows of the output at once: the inner loop walks a row of b and four
// accumulator rows contiguously.
function rowUpdates(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean, rows: Float64Array): void {
  // a[i, p] is at i * sa + p * sp
  const sa = transA ? 1 : k;
  const sp = transA ? m : 1;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    rows.fill(0, 0, 4 * n);
    for (let p = 0; p < k; p++) {
      const at = i * sa + p * sp;
      const a0 = a[at]!;
      const a1 = a[at + sa]!;
      const a2 = a[at + 2 * sa]!;
      const a3 = a[at + 3 * sa]!;
      const bRow = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bRow + j]!;
        rows[j]! += a0 * bv;
        rows[n + j]! += a1 * bv;
        rows[2 * n + j]! += a2 * bv;
        rows[3 * n + j]! += a3 * bv;
      }
    }
    const base = i * n;
    for (let j = 0; j < 4 * n; j++) out[base + j] = rows[j]!;
  }
  for (; i < m; i++) {
    rows.fill(0, 0, n);
    for (let p = 0; p < k; p++) {
      const av = a[i * sa + p * sp]!;
      const bRow = p * n;
      for (let j = 0; j < n; j++) rows[j]! += av * b[bRow + j]!;
    }
    const base = i * n;
    for (let j = 0; j < n; j++) out[base + j] = rows[j]!;
  }
}

// Dot products of rows of a (columns, with transA) and rows of b, four rows of b at once.
function dotProducts(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean): void {
  const sa = transA ? 1 : k;
  const sp = transA ? m : 1;
  for (let i = 0; i < m; i++) {
    const aRow = i * sa;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let acc0 = 0;
      let acc1 = 0;
      let acc2 = 0;
      let acc3 = 0;
      const b0 = j * k;
      for (let p = 0; p < k; p++) {
        const av = a[aRow + p * sp]!;
        acc0 += av * b[b0 + p]!;
        acc1 += av * b[b0 + k + p]!;
        acc2 += av * b[b0 + 2 * k + p]!;
        acc3 += av * b[b0 + 3 * k + p]!;
      }
      const at = i * n + j;
      out[at] = acc0;
      out[at + 1] = acc1;
      out[at + 2] = acc2;
      out[at + 3] = acc3;
    }
    for (; j < n; j++) {
      let acc = 0;
      const bRow = j * k;
      for (let p = 0; p < k; p++) acc += a[aRow + p * sp]! * b[bRow + p]!;
      out[i * n + j] = acc;
    }
  }
}

/**
 * `matmulInto` with its own scratch: the plain JavaScript product, the interpreter's bits, used
 * as the fallback and as the oracle of the WebAssembly kernel.
 * @example
 * ```ts
 * matmulJs(a, b, out, m, k, n, false, false);
 * ```
 */
export function matmulJs(a: TypedArray, b: TypedArray, out: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  matmulInto(a, b, out, m, k, n, transA, transB, new Float64Array(4 * n));
}
