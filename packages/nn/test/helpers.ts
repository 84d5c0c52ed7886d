/**
 * Shared helpers of the nn tests: tiny seeded data sets, bit-exact comparisons of weights, and
 * relative closeness for values computed independently in float64.
 */
import { type Tensor, tensor } from '@stablegrad/core';
import { expect } from 'vitest';

/** `fit` options that print nothing. */
export const SILENT = { verbose: 0 } as const;

/** A small deterministic generator (mulberry32) for test data, independent of the package's own. */
export function testRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Two linearly separable blobs in `features` dimensions: class 0 around -1, class 1 around +1
 * on every feature. Labels alternate 0, 1, 0, ... so that any contiguous slice has both.
 */
export function separable(rows: number, features: number, seed: number): { x: number[][]; y: number[] } {
  const random = testRandom(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    const label = r % 2;
    y.push(label);
    x.push(Array.from({ length: features }, () => (label === 1 ? 1 : -1) + 0.5 * (random() - 0.5)));
  }
  return { x, y };
}

/** `classes` blobs for the multi-class losses; label r % classes. */
export function blobs(rows: number, features: number, classes: number, seed: number): { x: number[][]; y: number[] } {
  const random = testRandom(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: features }, () => 4 * random() - 2));
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    const label = r % classes;
    y.push(label);
    x.push(centres[label]!.map((c) => c + 0.4 * (random() - 0.5)));
  }
  return { x, y };
}

/** One-hot rows of `labels`. */
export function oneHot(labels: readonly number[], classes: number): number[][] {
  return labels.map((label) => Array.from({ length: classes }, (_, c) => (c === label ? 1 : 0)));
}

/** Weights as plain arrays (for equality and snapshots taken before a change). */
export function snapshot(weights: readonly Tensor[]): number[][] {
  return weights.map((w) => Array.from(w.data));
}

/** Same values bit for bit (Object.is per element: tells 0 from -0 and compares NaN). */
export function expectSameBits(actual: readonly Tensor[] | number[][], expected: readonly Tensor[] | number[][]): void {
  const a = actual.map((w) => Array.from('data' in w ? w.data : w));
  const b = expected.map((w) => Array.from('data' in w ? w.data : w));
  expect(a.length).toBe(b.length);
  a.forEach((values, i) => {
    expect(values.length).toBe(b[i]!.length);
    values.forEach((v, j) => {
      if (!Object.is(v, b[i]![j])) expect.fail(`weight ${i}, element ${j}: ${v} is not bit-identical to ${b[i]![j]}`);
    });
  });
}

/** True when some element differs (the weights moved, or two runs are not the same). */
export function differ(a: readonly Tensor[] | number[][], b: readonly Tensor[] | number[][]): boolean {
  const x = a.map((w) => Array.from('data' in w ? w.data : w));
  const y = b.map((w) => Array.from('data' in w ? w.data : w));
  return x.some((values, i) => values.some((v, j) => !Object.is(v, y[i]![j])));
}

/** |actual - expected| <= rel * max(|expected|, tiny): a relative tolerance with a floor at zero. */
export function expectClose(actual: number, expected: number, rel: number, what = ''): void {
  const scale = Math.max(Math.abs(expected), 1e-30);
  if (!(Math.abs(actual - expected) <= rel * scale)) {
    expect.fail(`${what}${what === '' ? '' : ': '}${actual} is not within ${rel} (relative) of ${expected}`);
  }
}

/** A float64 tensor from nested rows. */
export function f64(rows: readonly (readonly number[])[]): Tensor {
  return tensor(rows.map((r) => [...r]), { dtype: 'float64' });
}

/** A float32 tensor from nested rows. */
export function f32(rows: readonly (readonly number[])[]): Tensor {
  return tensor(rows.map((r) => [...r]), { dtype: 'float32' });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  return expect.fail('expected the promise to reject');
}

/** The error a function throws (fails the test when it returns). */
export function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  return expect.fail('expected a throw');
}
