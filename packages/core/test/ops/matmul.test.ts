// matmul: 2-D and batched products against a naive triple loop written here, broadcasting of
// batch axes, symbolic dimensions, shape errors, float64 accumulation, and the VJP.
import { describe, expect, it } from 'vitest';
import { evaluate, grad, input, matmul, type Node, ShapeError, type Tensor } from '@stablegrad/core';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { f64Tensor, gradCheck, weightedSum } from './op-check.js';

const f64 = { dtype: 'float64' } as const;

/** Row-major strides. */
const strides = (shape: readonly number[]): number[] => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** Naive batched product with NumPy broadcasting of the batch axes, by explicit indexing. */
function naiveMatmul(a: Tensor, b: Tensor): { shape: number[]; data: number[] } {
  const [ab, bb] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const rank = Math.max(ab.length, bb.length);
  const pad = (s: readonly number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [pa, pb] = [pad(ab), pad(bb)];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const [m, k, n] = [a.shape[a.shape.length - 2]!, a.shape[a.shape.length - 1]!, b.shape[b.shape.length - 1]!];
  const [sa, sb] = [strides([...pa, m, k]), strides([...pb, k, n])];
  const data: number[] = [];
  const total = batch.reduce((x, y) => x * y, 1);
  for (let t = 0; t < total; t++) {
    const idx = strides(batch).map((s, i) => Math.floor(t / s) % batch[i]!);
    let offA = 0;
    let offB = 0;
    idx.forEach((v, i) => {
      offA += (pa[i] === 1 ? 0 : v) * sa[i]!;
      offB += (pb[i] === 1 ? 0 : v) * sb[i]!;
    });
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[offA + i * k + p]! * b.data[offB + p * n + j]!;
        data.push(s);
      }
    }
  }
  return { shape: [...batch, m, n], data };
}

function check(shapeA: number[], shapeB: number[]): void {
  const [ta, tb] = [f64Tensor(shapeA, 3), f64Tensor(shapeB, 5)];
  const a = input(shapeA, { ...f64, name: 'a' });
  const b = input(shapeB, { ...f64, name: 'b' });
  const y = matmul(a, b);
  const got = evaluate(y, { a: ta, b: tb });
  const want = naiveMatmul(ta, tb);
  expect(y.shape).toEqual(want.shape);
  expect(got.shape).toEqual(want.shape);
  got.data.forEach((v, i) => expect(v).toBeCloseTo(want.data[i]!, 12));
}

describe('values', () => {
  it('2-D against a triple loop, and a hand-computed product', () => {
    check([3, 4], [4, 5]);
    check([1, 1], [1, 7]);
    const a = input([2, 2], { ...f64, name: 'a' });
    const b = input([2, 3], { ...f64, name: 'b' });
    const y = evaluate(matmul(a, b), { a: [[1, 2], [3, 4]], b: [[5, 6, 7], [8, 9, 10]] });
    expect(Array.from(y.data)).toEqual([21, 24, 27, 47, 54, 61]);
  });

  it('batched, with broadcasting of the batch axes', () => {
    check([2, 3, 4], [2, 4, 5]);
    check([2, 1, 3, 4], [5, 4, 2]);
    check([3, 4], [6, 4, 2]);
    check([2, 3, 4], [4, 1]);
    check([1, 3, 4], [2, 1, 4, 2]);
  });

  it('empty inner dimension gives zeros, empty outer gives an empty result', () => {
    const a = input([2, 0], { ...f64, name: 'a' });
    const b = input([0, 3], { ...f64, name: 'b' });
    const feeds = { a: { dtype: 'float64' as const, shape: [2, 0], data: new Float64Array(0) }, b: { dtype: 'float64' as const, shape: [0, 3], data: new Float64Array(0) } };
    expect(Array.from(evaluate(matmul(a, b), feeds).data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(evaluate(matmul(b, input([3, 2], { ...f64, name: 'c' })), { b: feeds.b, c: [[1, 2], [3, 4], [5, 6]] }).shape).toEqual([0, 2]);
  });

  it('float32 products accumulate in float64 and round once', () => {
    // float32 running sum: 1 + 1e8 = 1e8, then - 1e8 = 0; the exact result is 1.
    const a = input([1, 3], { name: 'a' });
    const b = input([3, 1], { name: 'b' });
    expect(Array.from(evaluate(matmul(a, b), { a: [[1, 1e8, -1e8]], b: [[1], [1], [1]] }).data)).toEqual([1]);
  });

  it('propagates NaN and Infinity (no skipping of zeros)', () => {
    const a = input([1, 2], { ...f64, name: 'a' });
    const b = input([2, 1], { ...f64, name: 'b' });
    expect(Array.from(evaluate(matmul(a, b), { a: [[0, 1]], b: [[Infinity], [1]] }).data)).toEqual([NaN]);
  });

  it('the reference agrees with the kernel', () => {
    const a = input([2, 2, 3], { ...f64, name: 'a' });
    const b = input([3, 2], { ...f64, name: 'b' });
    const [ta, tb] = [f64Tensor([2, 2, 3], 9), f64Tensor([3, 2], 10)];
    const y = matmul(a, b);
    const kernel = Array.from(evaluate(y, { a: ta, b: tb }).data);
    const reference = referenceEvaluate(y, { a: ta, b: tb }).values;
    // a 3-term dot product in float64 accumulates at most a few roundings
    kernel.forEach((v, i) => expect(ulpDistance(v, reference[i]!)).toBeLessThanOrEqual(8));
  });
});

describe('shapes and errors', () => {
  it('keeps symbolic dimensions', () => {
    const x = input(['batch', 3], { ...f64, name: 'x' });
    const w = input([3, 2], { ...f64, name: 'w' });
    expect(matmul(x, w).shape).toEqual(['batch', 2]);
    expect(matmul(input(['n', 2, 3]), input([3, 4])).shape).toEqual(['n', 2, 4]);
    const y = evaluate(matmul(x, w), { x: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], w: [[1, 2], [3, 4], [5, 6]] });
    expect(y.shape).toEqual([4, 2]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4, 5, 6, 9, 12]);
  });

  it('an inner mismatch names the node and both shapes', () => {
    const a = input([2, 3], { name: 'a' });
    const b = input([4, 5], { name: 'b' });
    expect(() => matmul(a, b)).toThrow(ShapeError);
    expect(() => matmul(a, b)).toThrow(/matmul 'matmul'.*\[2, 3\] @ \[4, 5\].*3 vs 4/);
  });

  it('a symbolic inner dimension is checked at run time, naming the node', () => {
    const a = input(['batch', 'k'], { ...f64, name: 'a' });
    const b = input([3, 2], { ...f64, name: 'b' });
    const y = matmul(a, b);
    expect(() => evaluate(y, { a: [[1, 2, 3, 4]], b: [[1, 2], [3, 4], [5, 6]] })).toThrow(/matmul 'matmul'.*\[1, 4\] @ \[3, 2\]/);
  });

  it('a rank-1 operand is a ShapeError with a hint to reshape', () => {
    const v = input([3], { name: 'v' });
    const m = input([3, 2], { name: 'm' });
    expect(() => matmul(v, m)).toThrow(ShapeError);
    expect(() => matmul(v, m)).toThrow(/rank >= 2.*reshape/);
    expect(() => matmul(m.transpose(), v)).toThrow(/\[2, 3\] @ \[3\]/);
  });

  it('batch axes that do not broadcast are a ShapeError', () => {
    expect(() => matmul(input([2, 3, 4]), input([3, 4, 5]))).toThrow(/batch dimensions do not broadcast.*\[2, 3, 4\] @ \[3, 4, 5\]/);
  });
});

describe('VJP', () => {
  it('2-D: finite differences', () => {
    gradCheck(([a, b]) => weightedSum(matmul(a!, b!), [3, 2]), [f64Tensor([3, 4], 1), f64Tensor([4, 2], 2)]);
  });

  it('batched with broadcasting: gradients are summed back to each operand', () => {
    gradCheck(([a, b]) => weightedSum(matmul(a!, b!), [2, 3, 3, 2]), [f64Tensor([2, 1, 3, 4], 3), f64Tensor([3, 4, 2], 4)]);
    gradCheck(([a, b]) => weightedSum(matmul(a!, b!), [2, 3, 2]), [f64Tensor([2, 3, 4], 5), f64Tensor([4, 2], 6)]);
  });

  it('has the operands\' shapes, symbolic ones included', () => {
    const x = input(['batch', 3], { ...f64, name: 'x' });
    const w = input([3, 2], { ...f64, name: 'w' });
    const [gx, gw]: Node[] = grad(matmul(x, w).sum(), [x, w]);
    expect(gx!.shape).toEqual(['batch', 3]);
    expect(gw!.shape).toEqual([3, 2]);
    // d sum(x w) / dw[i][j] = sum over rows of x[:, i]
    const [vx, vw] = evaluate([gx!, gw!], { x: [[1, 2, 3], [4, 5, 6]], w: [[1, 2], [3, 4], [5, 6]] });
    expect(Array.from(vw!.data)).toEqual([5, 5, 7, 7, 9, 9]);
    expect(Array.from(vx!.data)).toEqual([3, 7, 11, 3, 7, 11]);
  });
});
