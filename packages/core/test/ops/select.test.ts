// Comparisons, where, clip and cast: semantics (NaN, -0, infinities, int32), errors, gradients.
import { describe, expect, it } from 'vitest';
import {
  cast, type DType, DTypeError, equal, evaluate, grad, greater, greaterEqual, input, less, lessEqual, type Node,
  notEqual, opDef, param, scope, ShapeError, sum, ValueError, where,
} from '@stablegrad/core';

const f64 = { dtype: 'float64' } as const;
const i32 = { dtype: 'int32' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);

describe('comparisons', () => {
  const a = [1, 2, NaN, 3, -0, -Infinity];
  const b = [2, 2, 1, NaN, 0, -Infinity];
  const cases: [string, (a: Node, b: Node) => Node, (a: number, b: number) => boolean][] = [
    ['equal', equal, (x, y) => x === y],
    ['notEqual', notEqual, (x, y) => x !== y],
    ['less', less, (x, y) => x < y],
    ['lessEqual', lessEqual, (x, y) => x <= y],
    ['greater', greater, (x, y) => x > y],
    ['greaterEqual', greaterEqual, (x, y) => x >= y],
  ];
  // Hand-written truth tables (IEEE: NaN compares false, except !=; -0 == 0).
  const tables: Record<string, number[]> = {
    equal: [0, 1, 0, 0, 1, 1],
    notEqual: [1, 0, 1, 1, 0, 0],
    less: [1, 0, 0, 0, 0, 0],
    lessEqual: [1, 1, 0, 0, 1, 1],
    greater: [0, 0, 0, 0, 0, 0],
    greaterEqual: [0, 1, 0, 0, 1, 1],
  };
  for (const [name, op, f] of cases) {
    it(`${name}: int32 0/1 with IEEE semantics for NaN and -0`, () => {
      const x = input([6], { ...f64, name: 'x' });
      const y = input([6], { ...f64, name: 'y' });
      const out = evaluate(op(x, y), { x: a, y: b });
      expect(out.dtype).toBe('int32');
      expect(Array.from(out.data)).toEqual(tables[name]);
      // the table agrees with JS operators, a second independent statement of the same thing
      expect(tables[name]).toEqual(a.map((v, i) => (f(v, b[i]!) ? 1 : 0)));
    });

    it(`${name}: broadcasts, compares int32, rejects mixed dtypes, has no gradient`, () => {
      const x = input([2, 1], { ...i32, name: 'x' });
      const y = input([3], { ...i32, name: 'y' });
      const out = evaluate(op(x, y), { x: [[1], [3]], y: [1, 2, 3] });
      expect(out.shape).toEqual([2, 3]);
      expect(Array.from(out.data)).toEqual([1, 3].flatMap((u) => [1, 2, 3].map((v) => (f(u, v) ? 1 : 0))));
      const z = input([3], { name: 'z' });
      expect(() => scope('s', () => op(z, y))).toThrow(DTypeError);
      expect(() => scope('s', () => op(z, y))).toThrow(/'s\/\w+'.*float32 vs int32/);
      expect(() => op(input([2]), input([3]))).toThrow(ShapeError);
      const node = op(z, z);
      expect(opDef(node.op).vjp({ inputs: node.inputs, output: node, attrs: node.attrs, cotangent: node })).toEqual([null, null]);
    });
  }

  it('a number operand takes the node\'s dtype', () => {
    const x = input([3], { ...f64, name: 'x' });
    // 0.1 as float64: x = 0.1 (float64) equals it, float32(0.1) would not
    expect(values(x.equal(0.1), { x: [0.1, Math.fround(0.1), 1] })).toEqual([1, 0, 0]);
  });

  it('masks gradients through cast: d/dx sum(cast(x < 0) * x) = cast(x < 0)', () => {
    const x = input([4], { ...f64, name: 'x' });
    const y = sum(cast(less(x, 0), 'float64').mul(x));
    expect(values(grad(y, x), { x: [-1, 2, -3, 0] })).toEqual([1, 0, 1, 0]);
  });
});

describe('where', () => {
  it('picks a where cond is nonzero (NaN counts as nonzero, -0 as zero)', () => {
    const c = input([6], { ...f64, name: 'c' });
    const a = input([6], { ...f64, name: 'a' });
    const b = input([6], { ...f64, name: 'b' });
    const out = values(where(c, a, b), { c: [1, 0, NaN, -0, 2.5, -Infinity], a: [1, 2, 3, 4, 5, 6], b: [-1, -2, -3, -4, -5, -6] });
    expect(out).toEqual([1, -2, 3, -4, 5, 6]);
  });

  it('broadcasts all three operands', () => {
    const c = input([2, 1, 1], { ...i32, name: 'c' });
    const a = input([3, 1], { ...f64, name: 'a' });
    const b = input([4], { ...f64, name: 'b' });
    const y = where(c, a, b);
    expect(y.shape).toEqual([2, 3, 4]);
    const expected: number[] = [];
    const [cv, av, bv] = [[1, 0], [10, 20, 30], [-1, -2, -3, -4]];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expected.push(cv[i] ? av[j]! : bv[k]!);
    expect(values(y, { c: [[[1]], [[0]]], a: [[10], [20], [30]], b: bv })).toEqual(expected);
    expect(() => where(input([2]), input([3]), input([3]))).toThrow(ShapeError);
  });

  it('numbers take the dtype of the other branch, not of the (int32) condition', () => {
    const c = input([2], { ...i32, name: 'c' });
    const y = input([2], { ...f64, name: 'y' });
    const w = where(c, 0.1, y);
    expect(w.dtype).toBe('float64');
    expect(values(w, { c: [1, 0], y: [7, 8] })).toEqual([0.1, 8]);
    expect(where(c, y, 2).dtype).toBe('float64');
    expect(where(c, 1, 2).dtype).toBe('float32');
    const k = input([2], { ...i32, name: 'k' });
    expect(values(where(c, k, -1), { c: [0, 1], k: [5, 6] })).toEqual([-1, 6]);
  });

  it('rejects branches of different dtypes, naming the node and both dtypes', () => {
    const c = input([2], { ...i32, name: 'c' });
    const call = (): Node => scope('sel', () => where(c, input([2]), input([2], f64)));
    expect(call).toThrow(DTypeError);
    expect(call).toThrow(/where 'sel\/where'.*float32 vs float64/);
  });

  it('sends the cotangent to the chosen branch, summed over broadcasting', () => {
    const c = input([2, 3], { ...i32, name: 'c' });
    const a = input([2, 3], { ...f64, name: 'a' });
    const b = param([1, 2, 3], { ...f64, name: 'b' });
    const w = input([2, 3], { ...f64, name: 'w' });
    const [ga, gb] = grad(sum(where(c, a, b).mul(w)), [a, b]);
    const feeds = { c: [[1, 0, 0], [1, 1, 0]], a: [[0, 0, 0], [0, 0, 0]], w: [[1, 2, 3], [4, 5, 6]] };
    expect(values(ga!, feeds)).toEqual([1, 0, 0, 4, 5, 0]);
    expect(values(gb!, feeds)).toEqual([0, 2, 3 + 6]);
  });
});

describe('clip', () => {
  it('clamps, keeps NaN, accepts infinite bounds', () => {
    const x = input([6], { ...f64, name: 'x' });
    const feed = { x: [-Infinity, -2, 0.5, 3, Infinity, NaN] };
    expect(values(x.clip(-1, 2), feed)).toEqual([-1, -1, 0.5, 2, 2, NaN]);
    expect(values(x.clip(-Infinity, 0), feed)).toEqual([-Infinity, -2, 0, 0, 0, NaN]);
    expect(values(x.clip(1, Infinity), feed)).toEqual([1, 1, 1, 3, Infinity, NaN]);
    expect(values(x.clip(0.5, 0.5), feed)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, NaN]);
  });

  it('rounds float32 results once: clip(0, 0.1, 1) is float32(0.1)', () => {
    const x = input([2], { name: 'x' });
    expect(values(x.clip(0.1, 1), { x: [0, 2] })).toEqual([Math.fround(0.1), 1]);
  });

  it('works on int32 with integer bounds', () => {
    const k = input([4], { ...i32, name: 'k' });
    const out = evaluate(k.clip(-1, 3), { k: [-5, 0, 3, 9] });
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.data)).toEqual([-1, 0, 3, 3]);
    expect(values(k.clip(0, Infinity), { k: [-5, 0, 3, 9] })).toEqual([0, 0, 3, 9]);
    expect(() => k.clip(0.5, 3)).toThrow(DTypeError);
  });

  it('rejects lo > hi and NaN bounds with a ValueError naming the input', () => {
    const x = input([2], { name: 'probs' });
    expect(() => x.clip(1, 0)).toThrow(ValueError);
    expect(() => x.clip(1, 0)).toThrow(/probs.*lo = 1, hi = 0/);
    expect(() => x.clip(NaN, 0)).toThrow(ValueError);
  });

  it('passes the gradient where lo <= x <= hi, boundaries included (TensorFlow convention)', () => {
    const x = input([7], { ...f64, name: 'x' });
    const feed = { x: [-2, -1, 0, 2, 3, -Infinity, NaN] };
    expect(values(grad(sum(x.clip(-1, 2)), x), feed)).toEqual([0, 1, 1, 1, 0, 0, 0]);
    expect(values(grad(sum(x.clip(-Infinity, Infinity).mul(x)), x), { x: [1, 2, 3, 4, 5, 6, 7] })).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(values(grad(sum(x.clip(0, Infinity)), x), feed)).toEqual([0, 0, 1, 1, 1, 0, 0]);
  });
});

describe('cast', () => {
  it('float to int32 truncates toward zero; NaN and +-Infinity become 0; out of range wraps', () => {
    const x = input([8], { ...f64, name: 'x' });
    const out = evaluate(cast(x, 'int32'), { x: [-1.7, 2.9, NaN, Infinity, -Infinity, 2 ** 31 + 5, -0.5, 2 ** 31 - 1] });
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.data)).toEqual([-1, 2, 0, 0, 0, -(2 ** 31) + 5, 0, 2 ** 31 - 1]);
  });

  it('rounds to float32 to nearest and converts int32 exactly to float64', () => {
    const x = input([3], { ...f64, name: 'x' });
    expect(values(x.cast('float32'), { x: [0.1, 1 + 2 ** -24, 1e40] })).toEqual([Math.fround(0.1), 1, Infinity]);
    const k = input([2], { ...i32, name: 'k' });
    expect(values(k.cast('float32'), { k: [16777217, -3] })).toEqual([16777216, -3]);
    expect(values(k.cast('float64'), { k: [16777217, -3] })).toEqual([16777217, -3]);
  });

  it('returns its input when the dtype already matches', () => {
    const x = input([2], { name: 'x' });
    expect(cast(x, 'float32')).toBe(x);
  });

  it('rejects an unknown dtype attribute (from a loaded graph)', () => {
    expect(() => opDef('cast').infer([{ shape: [2], dtype: 'float32' }], { dtype: 'int8' as DType })).toThrow(DTypeError);
  });

  it('gradients flow between float dtypes and stop at int32', () => {
    const x = input([3], { ...f64, name: 'x' });
    const x32 = x.cast('float32');
    const g = grad(sum(x32.mul(x32)), x);
    expect(g.dtype).toBe('float64');
    const v = [0.1, -2.5, 3];
    expect(values(g, { x: v })).toEqual(v.map((u) => Math.fround(2 * Math.fround(u))));
    // through int32 nothing flows: only the direct factor x contributes, d/dx (trunc(x) * x) = trunc(x)
    const y = sum(x.cast('int32').cast('float64').mul(x));
    expect(values(grad(y, x), { x: [1.5, -2.5, 3] })).toEqual([1, -2, 3]);
  });
});
