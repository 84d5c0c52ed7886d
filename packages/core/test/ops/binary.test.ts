import { describe, expect, it } from 'vitest';
import {
  add, div, DTypeError, evaluate, grad, input, maximum, minimum, mul, type Node, param, pow, scope, ShapeError, sub, sum, where,
} from '@stablegrad/core';
import { assertGradClose } from '@stablegrad/testing';

const f64 = { dtype: 'float64' } as const;
const i32 = { dtype: 'int32' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);

// a: [2, 1, 3], b: [4, 3]; b has no zeros so div is finite.
const aVal = (i: number, k: number): number => i * 10 + k + 1;
const bVal = (j: number, k: number): number => j - 0.5 * k + 0.25;
const aFeed = [0, 1].map((i) => [[0, 1, 2].map((k) => aVal(i, k))]);
const bFeed = [0, 1, 2, 3].map((j) => [0, 1, 2].map((k) => bVal(j, k)));

/** Expected [2, 4, 3] result of f under broadcasting, by explicit index arithmetic. */
function broadcastExpected(f: (a: number, b: number) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) out.push(f(aVal(i, k), bVal(j, k)));
  return out;
}

describe('broadcasting binary ops', () => {
  const cases: [string, (a: Node, b: Node) => Node, (a: number, b: number) => number][] = [
    ['sub', sub, (a, b) => a - b],
    ['mul', mul, (a, b) => a * b],
    ['div', div, (a, b) => a / b],
    ['pow', pow, (a, b) => a ** b],
    ['maximum', maximum, (a, b) => (a > b ? a : b)],
    ['minimum', minimum, (a, b) => (a < b ? a : b)],
  ];
  for (const [name, op, f] of cases) {
    it(`${name}: [2, 1, 3] with [4, 3] gives [2, 4, 3]`, () => {
      const a = input([2, 1, 3], { ...f64, name: 'a' });
      const b = input([4, 3], { ...f64, name: 'b' });
      const y = op(a, b);
      expect(y.shape).toEqual([2, 4, 3]);
      const t = evaluate(y, { a: aFeed, b: bFeed });
      expect(t.shape).toEqual([2, 4, 3]);
      expect(Array.from(t.data)).toEqual(broadcastExpected(f));
      // the other way round broadcasts the same
      const swapped = evaluate(op(b, a), { a: aFeed, b: bFeed });
      expect(swapped.shape).toEqual([2, 4, 3]);
      expect(Array.from(swapped.data)).toEqual(broadcastExpected((x, z) => f(z, x)));
    });
  }

  it('broadcasts scalars and symbolic batch dimensions', () => {
    const x = input(['batch', 2], { ...f64, name: 'x' });
    const s = input([], { ...f64, name: 's' });
    expect(values(x.sub(s), { x: [[1, 2], [3, 4], [5, 6]], s: 0.5 })).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    expect(values(s.div(x), { x: [[1, 2], [4, 8]], s: 1 })).toEqual([1, 0.5, 0.25, 0.125]);
    expect(x.mul(s).shape).toEqual(['batch', 2]);
  });

  it('turns numbers into constants of the other operand\'s dtype', () => {
    const x = input([2], { ...f64, name: 'x' });
    // 0.1 in float64, not float32(0.1): 1 - 0.1 is exact-ish only if the constant is float64
    const y = sub(1, x);
    expect(y.dtype).toBe('float64');
    expect(values(y, { x: [0.1, 0.3] })).toEqual([1 - 0.1, 1 - 0.3]);
    expect(values(x.mul(0.1), { x: [1, 3] })).toEqual([0.1, 0.30000000000000004]);
    expect(values(div(1, x), { x: [4, 3] })).toEqual([0.25, 1 / 3]);
    const xi = input([2], { ...i32, name: 'xi' });
    expect(xi.sub(1).dtype).toBe('int32');
    expect(maximum(0, xi).dtype).toBe('int32');
    const x32 = input([1], { name: 'x32' });
    expect(x32.mul(0.1).dtype).toBe('float32');
    expect(values(x32.mul(0.1), { x32: [1] })).toEqual([Math.fround(0.1)]);
  });

  it('rejects mismatched dtypes, naming the node and both dtypes', () => {
    const a = input([2], { name: 'a' });
    const b = input([2], { ...f64, name: 'b' });
    for (const op of [sub, mul, div, pow, maximum, minimum]) {
      const call = (): Node => scope('layer', () => op(a, b));
      expect(call).toThrow(DTypeError);
      expect(call).toThrow(/'layer\/\w+'.*float32.*float64/);
    }
  });

  it('rejects shapes that do not broadcast, naming both shapes', () => {
    const a = input([2, 3], { name: 'a' });
    const b = input([4], { name: 'b' });
    for (const op of [sub, mul, div, pow, maximum, minimum]) {
      expect(() => op(a, b)).toThrow(ShapeError);
      expect(() => op(a, b)).toThrow(/\[2, 3\].*\[4\]/);
    }
  });

  it('checks symbolic shapes again at run time', () => {
    const a = input(['n'], { ...f64, name: 'a' });
    const b = input(['m'], { ...f64, name: 'b' });
    const y = a.mul(b);
    expect(values(y, { a: [1, 2], b: [3, 4] })).toEqual([3, 8]);
    expect(() => evaluate(y, { a: [1, 2], b: [3, 4, 5] })).toThrow(ShapeError);
  });

  it('div and pow accept floats only', () => {
    const x = input([2], { ...i32, name: 'x' });
    for (const op of [div, pow]) {
      expect(() => op(x, x)).toThrow(DTypeError);
      expect(() => op(x, x)).toThrow(/int32/);
    }
  });
});

describe('int32 arithmetic', () => {
  const wrap = (v: bigint): number => Number(BigInt.asIntN(32, v));
  it('computes exactly and wraps around like two\'s complement', () => {
    const a = input([5], { ...i32, name: 'a' });
    const b = input([5], { ...i32, name: 'b' });
    const av = [7, -3, 46341, 65536, -2147483648];
    const bv = [-2, 5, 46341, 65536, 1];
    const feeds = { a: av, b: bv };
    expect(values(a.sub(b), feeds)).toEqual(av.map((x, i) => wrap(BigInt(x) - BigInt(bv[i]!))));
    expect(values(a.mul(b), feeds)).toEqual(av.map((x, i) => wrap(BigInt(x) * BigInt(bv[i]!))));
    expect(values(maximum(a, b), feeds)).toEqual([7, 5, 46341, 65536, 1]);
    expect(values(minimum(a, b), feeds)).toEqual([-2, -3, 46341, 65536, -2147483648]);
    // the large product: 123456789 * 987654321 = 121932631112635269, which float64 cannot hold
    const big = evaluate(mul(input([], { ...i32, name: 'p' }), input([], { ...i32, name: 'q' })), { p: 123456789, q: 987654321 });
    expect(big.data[0]).toBe(wrap(123456789n * 987654321n));
    expect(big.dtype).toBe('int32');
  });
});

describe('edge cases', () => {
  it('div follows IEEE division', () => {
    const a = input([5], { ...f64, name: 'a' });
    const b = input([5], { ...f64, name: 'b' });
    const out = values(a.div(b), { a: [1, -1, 0, 1, 6], b: [0, 0, 0, -0, 3] });
    expect(out).toEqual([Infinity, -Infinity, NaN, -Infinity, 2]);
  });

  it('pow: 0^0 = NaN^0 = 1, negative bases, zero with negative exponents', () => {
    const a = input([8], { ...f64, name: 'a' });
    const b = input([8], { ...f64, name: 'b' });
    const out = values(a.pow(b), { a: [0, NaN, -2, -8, 0, -0, 4, 1], b: [0, 0, 3, 1 / 3, -1, -1, 0.5, NaN] });
    expect(out).toEqual([1, 1, -8, NaN, Infinity, -Infinity, 2, NaN]);
  });

  it('maximum and minimum propagate NaN', () => {
    const a = input([2], { ...f64, name: 'a' });
    const b = input([2], { ...f64, name: 'b' });
    expect(values(maximum(a, b), { a: [NaN, 1], b: [1, NaN] })).toEqual([NaN, NaN]);
    expect(values(minimum(a, b), { a: [NaN, 1], b: [1, NaN] })).toEqual([NaN, NaN]);
  });

  it('float32 results are rounded once from float64', () => {
    const a = input([2], { name: 'a' });
    const b = input([2], { name: 'b' });
    const [x, y] = [Math.fround(1.1), Math.fround(3.3)];
    expect(values(a.div(b), { a: [x, 1], b: [y, 3] })).toEqual([Math.fround(x / y), Math.fround(1 / 3)]);
  });
});

describe('gradients', () => {
  const xFeed = [[1, 2, 3], [4, 5, 6], [-7, 8, 9], [10, -11, 12.5]];
  const colSums = [0, 1, 2].map((k) => xFeed.reduce((s, row) => s + row[k]!, 0));
  const bInit = [0.5, -2, 4];

  it('grad of sum(x * b) w.r.t. b [3] with x [4, 3] is the column sums of x', () => {
    const x = input([4, 3], { ...f64, name: 'x' });
    const b = param(bInit, { ...f64, name: 'b' });
    const [gx, gb] = grad(sum(x.mul(b)), [x, b]);
    expect(gb!.shape).toEqual([3]);
    expect(values(gb!, { x: xFeed })).toEqual(colSums);
    expect(values(gx!, { x: xFeed })).toEqual(xFeed.flatMap(() => bInit));
  });

  it('sub sends -1 per broadcast element to b', () => {
    const x = input([4, 3], { ...f64, name: 'x' });
    const b = param(bInit, { ...f64, name: 'b' });
    const [gx, gb] = grad(sum(x.sub(b)), [x, b]);
    expect(values(gb!, { x: xFeed })).toEqual([-4, -4, -4]);
    expect(values(gx!, { x: xFeed })).toEqual(new Array(12).fill(1));
    // and to a scalar operand on the left: d/ds sum(s - x) = 12
    const s = param(3, { ...f64, name: 's' });
    expect(values(grad(sum(s.sub(x)), s), { x: xFeed })).toEqual([12]);
  });

  it('div: d/db sum(x / b) = -colsum(x) / b^2, d/dx = 1 / b', () => {
    const x = input([4, 3], { ...f64, name: 'x' });
    const b = param(bInit, { ...f64, name: 'b' });
    const [gx, gb] = grad(sum(x.div(b)), [x, b]);
    const expected = colSums.map((c, k) => -c / bInit[k]! ** 2);
    values(gb!, { x: xFeed }).forEach((g, k) => expect(g).toBeCloseTo(expected[k]!, 12));
    expect(values(gx!, { x: xFeed })).toEqual(xFeed.flatMap(() => bInit.map((v) => 1 / v)));
  });

  it('pow: d/da = b a^(b-1), d/db = a^b log a, summed over broadcasting', () => {
    const a = input([2, 3], { ...f64, name: 'a' });
    const b = param([1.5, -0.5, 3], { ...f64, name: 'b' });
    const aFeed2 = [[0.5, 2, 3], [4, 1.25, 0.75]];
    const [ga, gb] = grad(sum(a.pow(b)), [a, b]);
    const bv = [1.5, -0.5, 3];
    const gaExpected = aFeed2.flatMap((row) => row.map((v, k) => bv[k]! * v ** (bv[k]! - 1)));
    const gbExpected = bv.map((e, k) => aFeed2.reduce((s, row) => s + row[k]! ** e * Math.log(row[k]!), 0));
    values(ga!, { a: aFeed2 }).forEach((g, i) => expect(g).toBeCloseTo(gaExpected[i]!, 12));
    values(gb!, { a: aFeed2 }).forEach((g, i) => expect(g).toBeCloseTo(gbExpected[i]!, 12));
  });

  it('pow: a negative base with a constant exponent has finite gradients', () => {
    const a = input([3], { ...f64, name: 'a' });
    const e = param(3, { ...f64, name: 'e' });
    const [ga, ge] = grad(sum(a.pow(e)), [a, e]);
    // d/da a^3 = 3 a^2; d/de is taken as 0 where a <= 0 (log a undefined there)
    expect(values(ga!, { a: [-2, 0, 2] })).toEqual([12, 0, 12]);
    expect(values(ge!, { a: [-2, 0, 2] })[0]).toBeCloseTo(8 * Math.log(2), 12);
    expect(values(grad(sum(a.pow(2)), a), { a: [-3, 0, 1] })).toEqual([-6, 0, 2]);
  });

  it('div and pow agree with central finite differences', () => {
    const p = input([], { ...f64, name: 'p' });
    const q = input([], { ...f64, name: 'q' });
    const points = ([[1.7, 0.6], [0.3, -2.2], [5, 2]] as const).map(([pv, qv]) => ({ p: pv, q: qv }));
    for (const op of [div, pow]) assertGradClose(op(p, q), [p, q], points);
  });

  it('maximum and minimum: ties send the gradient to a', () => {
    const a = input([4], { ...f64, name: 'a' });
    const b = input([4], { ...f64, name: 'b' });
    const feeds = { a: [1, 2, 3, 5], b: [2, 2, 1, 5] };
    const [gaMax, gbMax] = grad(sum(maximum(a, b)), [a, b]);
    expect(values(gaMax!, feeds)).toEqual([0, 1, 1, 1]);
    expect(values(gbMax!, feeds)).toEqual([1, 0, 0, 0]);
    const [gaMin, gbMin] = grad(sum(minimum(a, b)), [a, b]);
    expect(values(gaMin!, feeds)).toEqual([1, 1, 0, 1]);
    expect(values(gbMin!, feeds)).toEqual([0, 0, 1, 0]);
  });

  it('maximum with a broadcast operand sums the selected cotangents', () => {
    // relu-like: maximum(x, t) with t [3] a threshold per column
    const x = input([4, 3], { ...f64, name: 'x' });
    const t = param([2, 2, 100], { ...f64, name: 't' });
    const gt = grad(sum(maximum(x, t).mul(x)), t);
    // d/dt_k = sum over rows where x < t of x
    const expected = [0, 1, 2].map((k) => xFeed.reduce((s, row) => s + (row[k]! < [2, 2, 100][k]! ? row[k]! : 0), 0));
    expect(values(gt, { x: xFeed })).toEqual(expected);
  });

  it('int32 operands get no gradient but do not block float ones', () => {
    const x = input([3], { ...f64, name: 'x' });
    const k = input([3], { ...i32, name: 'k' });
    const y = sum(where(k.mul(2).sub(1).greater(0), x.mul(3), x));
    expect(values(grad(y, x), { x: [1, 2, 3], k: [0, 1, 2] })).toEqual([1, 3, 3]);
  });

  it('second derivative through mul and div: d2/dx2 (x / (1 + x)) = -2 / (1 + x)^3', () => {
    const x = input([], { ...f64, name: 'x' });
    const d2 = grad(grad(x.div(add(x, 1)), x), x);
    for (const v of [0.5, 2, -3]) expect(evaluate(d2, { x: v }).data[0]).toBeCloseTo(-2 / (1 + v) ** 3, 12);
  });
});
