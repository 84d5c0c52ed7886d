// variance and rsqrt, the two ops normalization layers need: variance against decimal.js on
// data where E[x^2] - E[x]^2 loses every digit (a large mean, a tiny spread), its shapes,
// symbolic axes and gradient; rsqrt's accuracy, special values, domain and gradient.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { evaluate, grad, input, mean, type Node, opDef, rsqrt, sum, tensor, variance } from '@stablegrad/core';
import { assertGradClose, propertyRuns, referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { f64Tensor, gradCheck, weightedSum } from './op-check.js';

const params = { seed: 1414, numRuns: propertyRuns(30) };
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);

/** `n` values 1e8 + noise of size `spread`, drawn from a seeded generator. */
function largeMean(n: number, spread: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return 1e8 + (s / 2147483647 - 0.5) * spread;
  });
}

describe('variance', () => {
  it('is accurate where E[x^2] - E[x]^2 cancels (1e8 + tiny noise), float64', () => {
    for (const [n, spread] of [[1000, 1e-3], [37, 1e-6], [4096, 1e-2]] as const) {
      const x = input([n], { dtype: 'float64', name: 'x' });
      const feeds = { x: tensor(largeMean(n, spread, n), { dtype: 'float64' }) };
      const got = values(variance(x), feeds)[0]!;
      const exact = referenceEvaluate(variance(x), feeds).values[0]!;
      expect(ulpDistance(got, exact, 'float64'), `n ${n}, spread ${spread}: ${got} vs ${exact}`).toBeLessThanOrEqual(4);
      // The naive formula on the same data has no correct digit (100% off or worse): the data is hard.
      const naive = values(mean(x.mul(x)).sub(mean(x).square()), feeds)[0]!;
      expect(Math.abs(naive - exact)).toBeGreaterThanOrEqual(exact);
    }
  });

  it('is accurate in float32 with a large mean', () => {
    const x = input([4, 256], { dtype: 'float32', name: 'x' });
    const data = Float32Array.from({ length: 1024 }, (_, i) => Math.fround(4096 + ((i * 37) % 101) / 64));
    const feeds = { x: { dtype: 'float32' as const, shape: [4, 256], data } };
    const got = values(variance(x, { axis: 1 }), feeds);
    const exact = referenceEvaluate(variance(x, { axis: 1 }), feeds).values;
    got.forEach((v, i) => expect(ulpDistance(v, exact[i]!, 'float32')).toBeLessThanOrEqual(1));
  });

  // Noise in steps of 2^-10 and integer shifts: values whose exact decimal expansions fit the
  // reference's 60 digits (a subnormal's do not, and its reference variance is then not exact).
  const noise = fc.array(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }).map((k) => k / 1024), { minLength: 2, maxLength: 40 });
  test.prop([noise, fc.double({ min: -1e12, max: 1e12, noNaN: true }).map(Math.round)], params)(
    'float64 stays within a few ULP of the exact variance, shifted data included',
    (noise, shift) => {
      const x = input([noise.length], { dtype: 'float64', name: 'x' });
      const feeds = { x: tensor(noise.map((v) => v + shift), { dtype: 'float64' }) };
      const got = values(variance(x), feeds)[0]!;
      const exact = referenceEvaluate(variance(x), feeds).values[0]!;
      // Relative to the spread that survives rounding the inputs, the result is near exact.
      expect(ulpDistance(got, exact, 'float64')).toBeLessThanOrEqual(8);
    },
  );

  it('reduces the given axes, keeps them with keepDims, and is 0 for constant data and NaN for none', () => {
    const x = input(['batch', 2, 3], { dtype: 'float64', name: 'x' });
    expect(variance(x, { axis: [0, 1] }).shape).toEqual([3]);
    expect(x.variance({ axis: -1, keepDims: true }).shape).toEqual(['batch', 2, 1]);
    const feed = { x: [[[1, 2, 3], [5, 5, 5]]] };
    expect(values(variance(x, { axis: 2 }), feed)).toEqual([2 / 3, 0]);
    expect(values(variance(input([0], { dtype: 'float64', name: 'e' })), { e: tensor([], { dtype: 'float64' }) })).toEqual([NaN]);
    expect(() => variance(input([2], { dtype: 'int32' }))).toThrow(/float/);
  });

  it('gradient accurate where the mean is large against the spread (1e8 + tiny noise), float64', () => {
    const x = input([500], { dtype: 'float64', name: 'x' });
    const feeds = { x: tensor(largeMean(500, 1e-3, 77), { dtype: 'float64' }) };
    const g = grad(variance(x), x);
    const got = values(g, feeds);
    // The exact gradient 2 (x - mean) / n, from decimal.js (the gradient graph at 60 digits).
    const exact = referenceEvaluate(g, feeds).values;
    const scale = Math.max(...exact.map(Math.abs));
    got.forEach((v, i) => expect(Math.abs(v - exact[i]!) / scale, `element ${i}: ${v} vs ${exact[i]}`).toBeLessThan(1e-9));
  });

  it('gradient 2 (x - mean) / n by central differences, over several axes and a symbolic batch', () => {
    gradCheck(([x]) => weightedSum(variance(x!, { axis: [0, 2] }), [3]), [f64Tensor([2, 3, 4])]);
    gradCheck(([x]) => weightedSum(variance(x!, { axis: 1, keepDims: true }), [2, 1, 4]), [f64Tensor([2, 3, 4], 2)]);
    const x = input(['batch', 3], { dtype: 'float64', name: 'x' });
    const loss = weightedSum(variance(x, { axis: 0 }), [3]);
    expect(grad(loss, x).shape).toEqual(['batch', 3]);
    assertGradClose(loss, [x], [new Map([[x, f64Tensor([5, 3], 3)]])]);
  });
});

describe('rsqrt', () => {
  test.prop([fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true })], params)('float64 within 2 ULP of 1 / sqrt(x)', (v) => {
    const x = input([1], { dtype: 'float64', name: 'x' });
    const feeds = { x: tensor([v], { dtype: 'float64' }) };
    expect(ulpDistance(values(rsqrt(x), feeds)[0]!, referenceEvaluate(rsqrt(x), feeds).values[0]!, 'float64')).toBeLessThanOrEqual(2);
  });

  test.prop([fc.float({ min: Math.fround(1e-38), max: Math.fround(3e38), noNaN: true })], params)('float32 correctly rounded (within 1 ULP)', (v) => {
    const x = input([1], { dtype: 'float32', name: 'x' });
    const feeds = { x: tensor([v], { dtype: 'float32' }) };
    expect(ulpDistance(values(rsqrt(x), feeds)[0]!, referenceEvaluate(rsqrt(x), feeds).values[0]!, 'float32')).toBeLessThanOrEqual(1);
  });

  it('special values, domain and gradient', () => {
    const x = input([5], { dtype: 'float64', name: 'x' });
    expect(values(x.rsqrt(), { x: tensor([0, -0, Infinity, -1, 4], { dtype: 'float64' }) })).toEqual([Infinity, -Infinity, 0, NaN, 0.5]);
    expect(opDef('rsqrt').domains).toEqual([[Number.MIN_VALUE, Infinity]]);
    gradCheck(([v]) => sum(rsqrt(v!)), [{ dtype: 'float64', shape: [3], data: Float64Array.from([0.01, 1.5, 1e4]) }]);
  });
});
