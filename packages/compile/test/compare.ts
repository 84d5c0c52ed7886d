/**
 * Comparing the compiled backend's results with the interpreter's. The comparison is a
 * parameter: `bits` (the default promise wherever both use the same kernel: every element
 * `Object.is`-equal, NaN equal to NaN, +0 distinct from -0), or a stated tolerance for kernels
 * that round differently: `ulp` (units in the last place of the dtype) or `relative`
 * (`|got - want| <= atol + rtol |want|`, the usual bound for a float32-accumulating SIMD matmul,
 * whose error grows with k and with cancellation, not with the result's own ULP).
 * @module
 */
import { expect } from 'vitest';
import type { Tensor, TypedArray } from '@stablegrad/core';
import { ulpDistance } from '@stablegrad/testing';

/**
 * How results must agree: bit for bit, within `maxUlp` units in the last place of their dtype,
 * or within `atol + rtol |want|`. Under a tolerance, non-finite values must still match exactly.
 */
export type Comparison =
  | { readonly kind: 'bits' }
  | { readonly kind: 'ulp'; readonly maxUlp: number }
  | { readonly kind: 'relative'; readonly rtol: number; readonly atol: number };

/** The default: the same bits. */
export const BITS: Comparison = { kind: 'bits' };

/** The first element where `got` and `want` disagree under `mode`, or undefined. */
export function firstMismatch(got: TypedArray, want: TypedArray, dtype: Tensor['dtype'], mode: Comparison = BITS): number | undefined {
  if (got.length !== want.length) return -1;
  for (let i = 0; i < got.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (Object.is(g, w)) continue;
    // NaN payloads are not observable from JavaScript numbers; Object.is(NaN, NaN) is true.
    if (mode.kind !== 'bits' && Number.isFinite(g) && Number.isFinite(w) && withinTolerance(g, w, dtype, mode)) continue;
    return i;
  }
  return undefined;
}

function withinTolerance(g: number, w: number, dtype: Tensor['dtype'], mode: Exclude<Comparison, { kind: 'bits' }>): boolean {
  switch (mode.kind) {
    case 'ulp': return ulpDistance(g, w, dtype) <= mode.maxUlp;
    case 'relative': return Math.abs(g - w) <= mode.atol + mode.rtol * Math.abs(w);
    default: return mode satisfies never;
  }
}

/** Describes a mismatch for a failure message. */
function describeMismatch(label: string, got: Tensor, want: Tensor, i: number): string {
  if (i < 0) return `${label}: ${got.data.length} values, expected ${want.data.length}`;
  return `${label}[${i}]: compiled ${Object.is(got.data[i], -0) ? '-0' : got.data[i]} vs interpreter ${Object.is(want.data[i], -0) ? '-0' : want.data[i]}`;
}

/**
 * Expects each compiled result to equal the interpreter's (dtype, shape and values under `mode`).
 * @example
 * ```ts
 * expectSameResults(executable.run(feeds), evaluate(outputs, feeds), ['loss', 'grad(W)']);
 * ```
 */
export function expectSameResults(got: readonly Tensor[], want: readonly Tensor[], labels: readonly string[] = [], mode: Comparison = BITS): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => {
    const w = want[k]!;
    const label = labels[k] ?? `output ${k}`;
    expect(g.dtype, `${label} dtype`).toBe(w.dtype);
    expect([...g.shape], `${label} shape`).toEqual([...w.shape]);
    const i = firstMismatch(g.data, w.data, w.dtype, mode);
    if (i !== undefined) expect.fail(describeMismatch(label, g, w, i));
  });
}

/**
 * Copies results out of the executable's buffers (they are overwritten by the next run).
 * @example
 * ```ts
 * const kept = snapshot(executable.run(feeds));
 * ```
 */
export function snapshot(results: readonly Tensor[]): Tensor[] {
  return results.map((t) => ({ dtype: t.dtype, shape: [...t.shape], data: t.data.slice() }));
}
