// Reductions: sum, mean, max, min, logsumexp — shapes (symbolic included), values against
// hand-computed and decimal.js results, NaN and infinity rules, and VJPs by finite differences.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  DTypeError, evaluate, grad, input, logsumexp, max, mean, min, type Node, ShapeError, sum, tensor,
} from '@stablegrad/core';
import { propertyRuns, referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { f64Tensor, gradCheck, logsumexpDec, weightedSum } from './op-check.js';

const params = { seed: 4242, numRuns: propertyRuns() };
const f64 = { dtype: 'float64' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);

// x[i][j] = 10 i + j over [2, 3]
const grid = [[0, 1, 2], [10, 11, 12]];

describe('shapes', () => {
  it('reduces the given axes, keeping them as 1 with keepDims', () => {
    const x = input([2, 3, 4], f64);
    for (const op of [sum, mean, max, min, logsumexp]) {
      expect(op(x).shape).toEqual([]);
      expect(op(x, { axis: 1 }).shape).toEqual([2, 4]);
      expect(op(x, { axis: [0, -1], keepDims: true }).shape).toEqual([1, 3, 1]);
    }
  });

  it('keeps symbolic dimensions and reduces them at run time', () => {
    const x = input(['batch', 3], { ...f64, name: 'x' });
    expect(x.mean({ axis: 1 }).shape).toEqual(['batch']);
    expect(x.sum({ axis: 0 }).shape).toEqual([3]);
    const feed = { x: Array.from({ length: 5 }, (_, i) => [i, 2 * i, 3 * i]) };
    // batch = 5: column sums of i, 2i, 3i over i = 0..4 are 10, 20, 30
    expect(values(x.sum({ axis: 0 }), feed)).toEqual([10, 20, 30]);
    expect(values(x.mean({ axis: 0 }), feed)).toEqual([2, 4, 6]);
    expect(values(x.mean({ axis: 1 }), feed)).toEqual([0, 2, 4, 6, 8]);
    expect(values(x.max({ axis: 0 }), feed)).toEqual([4, 8, 12]);
  });

  it('names the node in axis errors', () => {
    const x = input([2, 3], { ...f64, name: 'x' });
    expect(() => mean(x, { axis: 2 })).toThrow(ShapeError);
    expect(() => mean(x, { axis: 2 })).toThrow(/'x'/);
    expect(() => max(x, { axis: [0, 0] })).toThrow(/repeated axis/);
  });

  it('mean and logsumexp need floats; max and min accept int32', () => {
    const k = input([3], { dtype: 'int32', name: 'k' });
    expect(() => mean(k)).toThrow(DTypeError);
    expect(() => logsumexp(k)).toThrow(DTypeError);
    expect(values(max(k), { k: [3, -7, 5] })).toEqual([5]);
    expect(values(min(k), { k: [3, -7, 5] })).toEqual([-7]);
  });
});

describe('values', () => {
  const x = input([2, 3], { ...f64, name: 'x' });
  it('mean, max and min over each axis', () => {
    expect(values(mean(x, { axis: 0 }), { x: grid })).toEqual([5, 6, 7]);
    expect(values(mean(x, { axis: 1 }), { x: grid })).toEqual([1, 11]);
    expect(values(mean(x), { x: grid })).toEqual([6]);
    expect(values(max(x, { axis: 1 }), { x: grid })).toEqual([2, 12]);
    expect(values(min(x, { axis: 0 }), { x: grid })).toEqual([0, 1, 2]);
  });

  it('float32 mean accumulates in float64', () => {
    // In float32, 1 + 1e8 rounds to 1e8, so a float32 running sum gives 0; the true mean is 1/3.
    const y = input([3], { name: 'y' });
    expect(values(mean(y), { y: [1, 1e8, -1e8] })).toEqual([Math.fround(1 / 3)]);
  });

  it('max and min propagate NaN wherever it is in the lane', () => {
    const y = input([2, 3], { ...f64, name: 'y' });
    const feed = { y: [[NaN, 1, 2], [1, 2, NaN]] };
    expect(values(max(y, { axis: 1 }), feed)).toEqual([NaN, NaN]);
    expect(values(min(y, { axis: 1 }), feed)).toEqual([NaN, NaN]);
    expect(values(max(y, { axis: 0 }), feed)).toEqual([NaN, 2, NaN]);
  });

  it('empty reductions: max -Infinity, min Infinity, mean NaN, logsumexp -Infinity', () => {
    const e = input([0, 2], { ...f64, name: 'e' });
    const feed = { e: tensor(new Float64Array(0), { shape: [0, 2] }) };
    expect(values(max(e, { axis: 0 }), feed)).toEqual([-Infinity, -Infinity]);
    expect(values(min(e, { axis: 0 }), feed)).toEqual([Infinity, Infinity]);
    expect(values(mean(e, { axis: 0 }), feed)).toEqual([NaN, NaN]);
    expect(values(logsumexp(e, { axis: 0 }), feed)).toEqual([-Infinity, -Infinity]);
  });
});

describe('logsumexp numerics', () => {
  const z = input([3], { ...f64, name: 'z' });
  const lse = (v: number[]): number => values(logsumexp(z), { z: v })[0]!;
  const exact = (v: number[]): number => logsumexpDec(v).toNumber();

  it('does not overflow or underflow', () => {
    expect(lse([1000, 1000, -Infinity])).toBe(1000 + Math.LN2);
    expect(lse([-1000, -1000, -1000])).toBeCloseTo(-1000 + Math.log(3), 12);
    expect(ulpDistance(lse([1000, 0, -1000]), 1000)).toBe(0);
  });

  it('an all -Infinity lane gives -Infinity, a +Infinity gives +Infinity, NaN propagates', () => {
    expect(lse([-Infinity, -Infinity, -Infinity])).toBe(-Infinity);
    expect(lse([Infinity, 0, -Infinity])).toBe(Infinity);
    expect(lse([Infinity, Infinity, 1])).toBe(Infinity);
    expect(lse([NaN, Infinity, 1])).toBeNaN();
  });

  it('keeps relative accuracy when one term dominates (log1p of the rest)', () => {
    // lse([0, -40, -45]) = log1p(e^-40 + e^-45) ~ 4.3e-18: a log of a sum would give 0.
    expect(ulpDistance(lse([0, -40, -45]), exact([0, -40, -45]))).toBeLessThanOrEqual(1);
    expect(ulpDistance(lse([20, 0, -1]), exact([20, 0, -1]))).toBeLessThanOrEqual(1);
  });

  const lane = fc.array(fc.double({ min: -700, max: 700, noNaN: true }), { minLength: 1, maxLength: 6 });
  // Where lse is near 0 with large inputs (m < 0 < log(sum)) the function itself is
  // ill-conditioned: kappa = sum(p_i |x_i|) / |lse| bounds how much input rounding moves it.
  test.prop([lane], params)('is within 2 + 2 kappa ULP of decimal.js for finite lanes', (v) => {
    const w = input([v.length], { ...f64, name: 'w' });
    const got = values(logsumexp(w), { w: v })[0]!;
    const want = exact(v);
    const p = v.map((t) => Math.exp(t - want));
    const kappa = want === 0 ? 1 : p.reduce((a, pi, i) => a + pi * Math.abs(v[i]!), 0) / Math.abs(want);
    expect(ulpDistance(got, want)).toBeLessThanOrEqual(2 + 2 * kappa);
  });

  test.prop([fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 2, maxLength: 6 })], params)(
    'is within 2 ULP when the max term dominates the magnitude (m >= 1)',
    (v) => {
      const lanes = [v.map((t) => t), [Math.abs(v[0]!) + 31, ...v.slice(1)]];
      for (const l of lanes.filter((u) => Math.max(...u) >= 1)) {
        const w = input([l.length], { ...f64, name: 'w' });
        expect(ulpDistance(values(logsumexp(w), { w: l })[0]!, exact(l))).toBeLessThanOrEqual(2);
      }
    },
  );
});

describe('references agree with kernels', () => {
  const x = input([3, 4], { ...f64, name: 'x' });
  const t = f64Tensor([3, 4], 7);
  const cases: [string, Node, number][] = [
    ['sum', sum(x, { axis: 1 }), 1],
    ['mean', mean(x, { axis: 0, keepDims: true }), 1],
    ['max', max(x, { axis: 1 }), 0],
    ['min', min(x), 0],
    ['logsumexp', logsumexp(x, { axis: 0 }), 2],
  ];
  for (const [name, node, ulps] of cases) {
    it(name, () => {
      const kernel = values(node, { x: t });
      const reference = referenceEvaluate(node, { x: t }).values;
      kernel.forEach((k, i) => expect(ulpDistance(k, reference[i]!), `element ${i}: ${k} vs ${reference[i]}`).toBeLessThanOrEqual(ulps));
    });
  }

  it('max and min references propagate NaN', () => {
    const y = input([3], { ...f64, name: 'y' });
    const nan = { dtype: 'float64' as const, shape: [3], data: new Float64Array([1, NaN, 3]) };
    expect(referenceEvaluate(max(y), { y: nan }).values).toEqual([NaN]);
    expect(referenceEvaluate(min(y), { y: nan }).values).toEqual([NaN]);
  });
});

describe('VJPs', () => {
  it('mean: finite differences, over each axis and all', () => {
    const t = f64Tensor([3, 4], 3);
    gradCheck(([x]) => weightedSum(mean(x!, { axis: 0 }), [4]), [t]);
    gradCheck(([x]) => weightedSum(mean(x!, { axis: 1, keepDims: true }), [3, 1]), [t]);
    gradCheck(([x]) => mean(x!), [t]);
  });

  it('mean over a symbolic axis divides by the run-time count', () => {
    const x = input(['batch', 2], { ...f64, name: 'x' });
    const g = grad(mean(x), x);
    expect(values(g, { x: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]] })).toEqual(new Array(10).fill(1 / 10));
    const gCols = grad(mean(x, { axis: 0 }).sum(), x);
    expect(values(gCols, { x: [[1, 2], [3, 4], [5, 6], [7, 8]] })).toEqual(new Array(8).fill(1 / 4));
  });

  it('max and min: finite differences away from ties', () => {
    const t = f64Tensor([3, 4], 5);
    gradCheck(([x]) => weightedSum(max(x!, { axis: 1 }), [3]), [t]);
    gradCheck(([x]) => weightedSum(min(x!, { axis: 0, keepDims: true }), [1, 4]), [t]);
  });

  it('max and min split the cotangent among ties', () => {
    const x = input([4], { ...f64, name: 'x' });
    expect(values(grad(max(x), x), { x: [1, 3, 3, 2] })).toEqual([0, 0.5, 0.5, 0]);
    expect(values(grad(min(x), x), { x: [1, 1, 1, 2] })).toEqual([1 / 3, 1 / 3, 1 / 3, 0]);
  });

  it('logsumexp: finite differences, and softmax as the gradient at large logits', () => {
    const t = f64Tensor([3, 4], 11);
    gradCheck(([x]) => weightedSum(logsumexp(x!, { axis: 1 }), [3]), [t]);
    gradCheck(([x]) => logsumexp(x!), [t]);
    const z = input([3], { ...f64, name: 'z' });
    // exp(z - lse(z)) carries the rounding of lse (an ULP of 1000 is 1.1e-13) into the result
    const g = values(grad(logsumexp(z), z), { z: [1000, 1000, -1000] });
    [0.5, 0.5, 0].forEach((e, i) => expect(g[i]).toBeCloseTo(e, 12));
  });
});

describe('logsumexp gradient at huge equal logits', () => {
  it('is 1/n per element, although lse rounds back to the logit', () => {
    for (const z of [1e300, -1e300]) {
      const x = input([4], { dtype: 'float64', name: 'x' });
      const g = evaluate(grad(logsumexp(x), x), { x: [z, z, z, z] });
      expect(Array.from(g.data)).toEqual([0.25, 0.25, 0.25, 0.25]);
    }
    const x = input([2, 2], { dtype: 'float64', name: 'x' });
    const g = evaluate(grad(logsumexp(x), x), { x: [[1e300, 1e300], [1e300, 1e300]] });
    expect(Array.from(g.data)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});
