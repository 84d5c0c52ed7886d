// Movement ops: transpose, reshape (with symbolic and named dimensions), broadcastTo, concat,
// slice, squeeze, expandDims, oneHot, gather (with batchDims) and their gradient helpers
// (reshapeLike, sliceGrad, gatherGrad): shapes, values by hand indexing, errors, and VJPs.
import { describe, expect, it } from 'vitest';
import {
  broadcastTo, concat, constant, DTypeError, evaluate, expandDims, gather, gatherGrad, grad, input, type Node, oneHot, reshape,
  reshapeLike, ShapeError, slice, sliceGrad, squeeze, sum, tensor, transpose, ValueError,
} from '@stablegrad/core';
import { referenceEvaluate } from '@stablegrad/testing';
import { f64Tensor, gradCheck, weightedSum } from './op-check.js';

const f64 = { dtype: 'float64' } as const;
const i32 = { dtype: 'int32' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** [a, b, c] filled with 100 i + 10 j + k. */
const cube = (a: number, b: number, c: number): number[][][] =>
  range(a).map((i) => range(b).map((j) => range(c).map((k) => 100 * i + 10 * j + k)));

describe('transpose', () => {
  it('reverses axes by default and follows perm', () => {
    const x = input([2, 3, 4], { ...f64, name: 'x' });
    expect(transpose(x).shape).toEqual([4, 3, 2]);
    const y = transpose(x, [1, 2, 0]);
    expect(y.shape).toEqual([3, 4, 2]);
    // y[j][k][i] = x[i][j][k]
    const want = range(3).flatMap((j) => range(4).flatMap((k) => range(2).map((i) => 100 * i + 10 * j + k)));
    expect(values(y, { x: cube(2, 3, 4) })).toEqual(want);
    expect(values(transpose(x, [0, -1, 1]), { x: cube(2, 3, 4) })).toEqual(
      range(2).flatMap((i) => range(4).flatMap((k) => range(3).map((j) => 100 * i + 10 * j + k))),
    );
  });

  it('keeps symbolic dims and rejects a non-permutation', () => {
    expect(transpose(input(['batch', 3])).shape).toEqual([3, 'batch']);
    expect(() => transpose(input([2, 3], { name: 'x' }), [0, 0])).toThrow(/transpose 'transpose'.*not a permutation/);
  });

  it('VJP applies the inverse permutation', () => {
    gradCheck(([x]) => weightedSum(transpose(x!, [2, 0, 1]), [4, 2, 3]), [f64Tensor([2, 3, 4])]);
  });
});

describe('reshape', () => {
  it('reshapes row-major data, inferring one -1', () => {
    const x = input([2, 3], { ...f64, name: 'x' });
    const y = reshape(x, [3, -1]);
    expect(y.shape).toEqual([3, 2]);
    expect(evaluate(y, { x: [[1, 2, 3], [4, 5, 6]] }).shape).toEqual([3, 2]);
    expect(values(y, { x: [[1, 2, 3], [4, 5, 6]] })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reshape(x, [-1]).shape).toEqual([6]);
    expect(reshape(x, [1, 6, 1]).shape).toEqual([1, 6, 1]);
  });

  it('keeps and resolves symbolic dimensions at run time (batch 5)', () => {
    const x = input(['batch', 3, 4], { ...f64, name: 'x' });
    const flat = x.reshape([-1, 12]);
    expect(flat.shape).toEqual(['batch', 12]);
    expect(x.reshape(['batch', 12]).shape).toEqual(['batch', 12]);
    expect(x.reshape([-1]).shape).toEqual([null]);
    const feed = { x: range(5).map((i) => range(3).map((j) => range(4).map((k) => i + j + k))) };
    const t = evaluate(flat, feed);
    expect(t.shape).toEqual([5, 12]);
    // then through sum and mean: row i sums (i + j + k) over j < 3, k < 4: 12 i + 4*3 + 3*6 = 12 i + 30
    expect(values(flat.sum({ axis: 1 }), feed)).toEqual(range(5).map((i) => 12 * i + 30));
    expect(values(flat.mean({ axis: 1 }), feed)).toEqual(range(5).map((i) => i + 2.5));
    expect(evaluate(x.reshape(['batch', 2, -1]), feed).shape).toEqual([5, 2, 6]);
    expect(evaluate(x.reshape([-1]), feed).shape).toEqual([60]);
  });

  it('a name only the target has is bound at run time', () => {
    const x = input([null, 4], { ...f64, name: 'x' });
    const y = x.reshape(['pairs', 2]);
    expect(y.shape).toEqual(['pairs', 2]);
    expect(evaluate(y, { x: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]] }).shape).toEqual([6, 2]);
  });

  it('errors name the node and the shapes', () => {
    const x = input([2, 3], { name: 'x' });
    expect(() => reshape(x, [4, -1])).toThrow(ShapeError);
    expect(() => reshape(x, [4, -1])).toThrow(/reshape 'reshape'.*\[2, 3\].*\[4, -1\]/);
    expect(() => reshape(x, [5])).toThrow(/cannot reshape \[2, 3\] to \[5\]/);
    expect(() => reshape(x, [-1, -1])).toThrow(/more than one -1/);
    expect(() => reshape(x, [null, 3])).toThrow(/null/);
    const b = input(['batch', 3], { name: 'b' });
    const y = b.reshape([-1, 2]);
    expect(() => evaluate(y, { b: [[1, 2, 3]] })).toThrow(/reshape 'reshape'.*cannot reshape \[1, 3\] to \[-1, 2\]/);
  });

  it('VJP reshapes back, statically or like the input (unknown dims)', () => {
    gradCheck(([x]) => weightedSum(reshape(x!, [4, -1]), [4, 3]), [f64Tensor([2, 6])]);
    const x = input([null, 3], { ...f64, name: 'x' });
    const w = input([6], { ...f64, name: 'w' });
    const g = grad(sum(x.reshape([-1]).mul(w)), x);
    expect(g.shape).toEqual([null, 3]);
    expect(g.op).toBe('reshapeLike');
    const t = evaluate(g, { x: [[0, 0, 0], [0, 0, 0]], w: [1, 2, 3, 4, 5, 6] });
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reshapeLike checks element counts', () => {
    expect(() => reshapeLike(input([2, 3]), input([4, 2]))).toThrow(/element counts differ/);
    const x = input([null], { ...f64, name: 'x' });
    const like = input([null, 2], { ...f64, name: 'like' });
    expect(() => evaluate(reshapeLike(x, like), { x: [1, 2, 3], like: [[0, 0], [0, 0]] })).toThrow(ShapeError);
    gradCheck(([a, b]) => weightedSum(reshapeLike(a!, b!), [3, 2]), [f64Tensor([6]), f64Tensor([3, 2])]);
  });
});

describe('broadcastTo', () => {
  it('repeats along size-1 and new axes, with names resolved at run time', () => {
    const b = input([3], { ...f64, name: 'b' });
    const x = input(['batch', 1], { ...f64, name: 'x' });
    const y = broadcastTo(b, ['batch', 3]);
    expect(y.shape).toEqual(['batch', 3]);
    expect(values(y.add(x), { b: [1, 2, 3], x: [[10], [20]] })).toEqual([11, 12, 13, 21, 22, 23]);
    expect(values(broadcastTo(x, ['batch', 2]), { x: [[1], [2], [3]] })).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('errors name the node and shapes', () => {
    expect(() => broadcastTo(input([3], { name: 'v' }), [2, 4])).toThrow(/broadcastTo 'broadcastTo'.*\[3\].*\[2, 4\]/);
    expect(() => broadcastTo(input([2, 3]), [3])).toThrow(ShapeError);
    expect(() => broadcastTo(input([3]), [null, 3])).toThrow(ShapeError);
    const v = input([3], { ...f64, name: 'v' });
    expect(() => evaluate(broadcastTo(v, ['unbound', 1, 3]), { v: [1, 2, 3] })).toThrow(/'unbound' is not bound/);
  });

  it('VJP sums the copies back', () => {
    gradCheck(([x]) => weightedSum(broadcastTo(x!, [2, 3, 4]), [2, 3, 4]), [f64Tensor([3, 1])]);
  });
});

describe('concat and slice', () => {
  it('joins along an axis, keeping symbolic other axes', () => {
    const a = input(['batch', 2], { ...f64, name: 'a' });
    const b = input(['batch', 1], { ...f64, name: 'b' });
    const y = concat([a, b], -1);
    expect(y.shape).toEqual(['batch', 3]);
    expect(values(y, { a: [[1, 2], [3, 4]], b: [[5], [6]] })).toEqual([1, 2, 5, 3, 4, 6]);
    expect(values(concat([input([1, 2], { ...f64, name: 'c' }), input([2, 2], { ...f64, name: 'd' })]), { c: [[1, 2]], d: [[3, 4], [5, 6]] }))
      .toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('errors name the node and shapes', () => {
    expect(() => concat([input([2, 3]), input([3, 3])], 1)).toThrow(/concat 'concat'.*axis 0.*\[2, 3\], \[3, 3\]/);
    expect(() => concat([input(['n', 3]), input([2, 3])], 0)).toThrow(/static numbers/);
    expect(() => concat([input([2, 3]), input([2, 3, 1])], 0)).toThrow(/different ranks/);
    const a = input(['batch', 2], { ...f64, name: 'a' });
    const b = input([null, 2], { ...f64, name: 'b' });
    expect(() => evaluate(concat([a, b], 1), { a: [[1, 2]], b: [[1, 2], [3, 4]] })).toThrow(ShapeError);
  });

  it('VJP cuts the cotangent back into pieces (slices)', () => {
    gradCheck(([a, b, c]) => weightedSum(concat([a!, b!, c!], 1), [2, 6, 2]), [f64Tensor([2, 1, 2], 1), f64Tensor([2, 3, 2], 2), f64Tensor([2, 2, 2], 3)]);
    const a = input(['batch', 2], { ...f64, name: 'a' });
    const b = input(['batch', 1], { ...f64, name: 'b' });
    const w = input([3], { ...f64, name: 'w' });
    const [ga, gb] = grad(sum(concat([a, b], 1).mul(w)), [a, b]);
    expect(ga!.shape).toEqual(['batch', 2]);
    const feed = { a: [[0, 0], [0, 0]], b: [[0], [0]], w: [1, 2, 3] };
    expect(values(ga!, feed)).toEqual([1, 2, 1, 2]);
    expect(values(gb!, feed)).toEqual([3, 3]);
  });

  it('slice picks a block; -1 runs to the end, symbolic dims too', () => {
    const x = input([3, 4], { ...f64, name: 'x' });
    const y = slice(x, [1, 1], [2, -1]);
    expect(y.shape).toEqual([2, 3]);
    const grid = range(3).map((i) => range(4).map((j) => 10 * i + j));
    expect(values(y, { x: grid })).toEqual([11, 12, 13, 21, 22, 23]);
    const s = input(['batch', 4], { ...f64, name: 's' });
    expect(slice(s, [0, 2], [-1, 2]).shape).toEqual(['batch', 2]);
    expect(slice(s, [1, 0], [-1, 2]).shape).toEqual([null, 2]);
    expect(() => slice(x, [2, 0], [2, 1])).toThrow(/slice 'slice'.*out of bounds on axis 0/);
    expect(() => slice(x, [0], [1])).toThrow(/one entry per axis/);
    const r = referenceEvaluate(y, { x: tensor(grid, f64) }).values;
    expect(r).toEqual([11, 12, 13, 21, 22, 23]);
  });

  it('slice and sliceGrad VJPs', () => {
    gradCheck(([x]) => weightedSum(slice(x!, [0, 1, 1], [2, 2, -1]), [2, 2, 2]), [f64Tensor([2, 3, 3])]);
    const x = input([2, 3], { ...f64, name: 'x' });
    const g = sliceGrad(input([1, 2], { ...f64, name: 'g' }), x, [1, 1], [1, -1]);
    expect(g.shape).toEqual([2, 3]);
    expect(values(g, { g: [[7, 8]], x: [[0, 0, 0], [0, 0, 0]] })).toEqual([0, 0, 0, 0, 7, 8]);
    gradCheck(([a, like]) => weightedSum(sliceGrad(a!, like!, [1, 0], [1, -1]), [2, 3]), [f64Tensor([1, 3]), f64Tensor([2, 3])]);
  });
});

describe('squeeze and expandDims', () => {
  it('squeeze removes static size-1 axes (all by default)', () => {
    const x = input([2, 1, 'batch', 1], { ...f64, name: 'x' });
    expect(squeeze(x).shape).toEqual([2, 'batch']);
    expect(squeeze(x, -1).shape).toEqual([2, 1, 'batch']);
    expect(squeeze(x, [1, 3]).shape).toEqual([2, 'batch']);
    expect(values(squeeze(input([1, 3], { ...f64, name: 'y' })), { y: [[1, 2, 3]] })).toEqual([1, 2, 3]);
  });

  it('squeezing a non-1 or symbolic axis is a ShapeError naming the node', () => {
    const x = input([2, 1, 'batch'], { name: 'x' });
    expect(() => squeeze(x, 0)).toThrow(/squeeze 'squeeze'.*axis 0 of \[2, 1, batch\]/);
    expect(() => squeeze(x, 2)).toThrow(ShapeError);
    expect(() => squeeze(input([null, 1]), 0)).toThrow(ShapeError);
  });

  it('VJP puts the axes back; expandDims round-trips', () => {
    gradCheck(([x]) => weightedSum(squeeze(x!), [2, 3]), [f64Tensor([1, 2, 1, 3, 1])]);
    gradCheck(([x]) => weightedSum(expandDims(x!, 1), [2, 1, 3]), [f64Tensor([2, 3])]);
    const x = input([1, 'batch', 1], { ...f64, name: 'x' });
    expect(grad(squeeze(x).sum(), x).shape).toEqual([1, 'batch', 1]);
  });
});

describe('oneHot', () => {
  it('gives [...indices.shape, depth] rows; out-of-range indices give zero rows', () => {
    const k = input([2, 2], { ...i32, name: 'k' });
    const y = oneHot(k, 3);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(y.dtype).toBe('float32');
    expect(values(y, { k: [[0, 2], [3, -1]] })).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(k.oneHot(2, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('needs int32 indices and has no gradient', () => {
    expect(() => oneHot(input([2], { name: 'f' }), 3)).toThrow(DTypeError);
    expect(() => oneHot(input([2], { ...i32, name: 'k' }), -1)).toThrow(ShapeError);
    const x = input([2, 3], { ...f64, name: 'x' });
    const k = input([2], { ...i32, name: 'k' });
    // the loss depends on x only through the product: the one-hot side has no gradient path
    const g = grad(sum(oneHot(k, 3, { dtype: 'float64' }).mul(x)), x);
    expect(values(g, { x: [[1, 2, 3], [4, 5, 6]], k: [2, 0] })).toEqual([0, 0, 1, 1, 0, 0]);
  });
});

describe('gather', () => {
  const grid = range(3).map((i) => range(4).map((j) => 10 * i + j));

  it('axis 0 and axis 1 against hand indexing', () => {
    const x = input([3, 4], { ...f64, name: 'x' });
    const k = input([2], { ...i32, name: 'k' });
    expect(gather(x, k).shape).toEqual([2, 4]);
    expect(values(gather(x, k), { x: grid, k: [2, 0] })).toEqual([...grid[2]!, ...grid[0]!]);
    const cols = gather(x, k, { axis: 1 });
    expect(cols.shape).toEqual([3, 2]);
    expect(values(cols, { x: grid, k: [3, 1] })).toEqual(grid.flatMap((row) => [row[3]!, row[1]!]));
    const k2 = input([2, 2], { ...i32, name: 'k2' });
    expect(gather(x, k2, { axis: 1 }).shape).toEqual([3, 2, 2]);
  });

  it('batchDims 1 picks one entry per row (logProbs [n, k], labels [n] -> [n])', () => {
    const logProbs = input(['n', 4], { ...f64, name: 'logProbs' });
    const labels = input(['n'], { ...i32, name: 'labels' });
    const picked = gather(logProbs, labels, { axis: 1, batchDims: 1 });
    expect(picked.shape).toEqual(['n']);
    const l = [3, 0, 2];
    expect(values(picked, { logProbs: grid, labels: l })).toEqual(l.map((c, i) => grid[i]![c]!));
  });

  it('batchDims with a trailing axis and several indices per batch', () => {
    // x [2, 3, 2], indices [2, 2]: out[b][i][t] = x[b][idx[b][i]][t]
    const x = input([2, 3, 2], { ...f64, name: 'x' });
    const idx = input([2, 2], { ...i32, name: 'idx' });
    const y = gather(x, idx, { axis: 1, batchDims: 1 });
    expect(y.shape).toEqual([2, 2, 2]);
    const xv = cube(2, 3, 2);
    const iv = [[2, 0], [1, 1]];
    const want = range(2).flatMap((b) => range(2).flatMap((i) => range(2).map((t) => xv[b]![iv[b]![i]!]![t]!)));
    expect(values(y, { x: xv, idx: iv })).toEqual(want);
    expect(referenceEvaluate(y, { x: tensor(xv, f64), idx: tensor(iv, i32) }).values).toEqual(want);
  });

  it('an out-of-range index is a ValueError naming the node and the index', () => {
    const x = input([3, 4], { ...f64, name: 'x' });
    const k = input([2], { ...i32, name: 'k' });
    const y = gather(x, k, { axis: 1 });
    expect(() => evaluate(y, { x: grid, k: [1, 4] })).toThrow(ValueError);
    expect(() => evaluate(y, { x: grid, k: [1, 4] })).toThrow(/gather 'gather'.*index 4 at position \[1\].*\[0, 4\)/);
    expect(() => evaluate(y, { x: grid, k: [-1, 0] })).toThrow(/index -1/);
  });

  it('shape and dtype errors', () => {
    const x = input([3, 4], { name: 'x' });
    expect(() => gather(x, input([2]), { axis: 1 })).toThrow(DTypeError);
    expect(() => gather(x, input([2], i32), { axis: 0, batchDims: 1 })).toThrow(/batchDims 1/);
    expect(() => gather(x, input([2], i32), { axis: 1, batchDims: 1 })).toThrow(/differ on batch axis 0 \(3 vs 2\)/);
  });

  it('VJP scatter-adds into zeros, accumulating repeated indices', () => {
    const x = input([3, 2], { ...f64, name: 'x' });
    const k = input([4], { ...i32, name: 'k' });
    const w = input([4, 2], { ...f64, name: 'w' });
    const g = grad(sum(gather(x, k).mul(w)), x);
    expect(g.op).toBe('gatherGrad');
    const feed = { x: [[0, 0], [0, 0], [0, 0]], k: [2, 0, 2, 2], w: [[1, 2], [3, 4], [5, 6], [7, 8]] };
    // row 0 gets w[1]; row 2 gets w[0] + w[2] + w[3]; row 1 nothing
    expect(values(g, feed)).toEqual([3, 4, 0, 0, 13, 16]);
  });

  it('gather and gatherGrad VJPs by finite differences (constant indices)', () => {
    const labels = constant([2, 0, 1], i32);
    gradCheck(([x]) => weightedSum(gather(x!, labels, { axis: 1, batchDims: 1 }), [3]), [f64Tensor([3, 4])]);
    const rows = constant([[1, 1], [0, 2]], i32);
    gradCheck(([x]) => weightedSum(gather(x!, rows), [2, 2, 3]), [f64Tensor([3, 3])]);
    const like = constant(tensor(new Float64Array(12), { shape: [3, 4] }));
    gradCheck(([g]) => weightedSum(gatherGrad(g!, labels, like, { axis: 1, batchDims: 1 }), [3, 4]), [f64Tensor([3])]);
  });
});
