// softmax and logSoftmax: values against decimal.js, finiteness at extreme logits, accuracy
// of logSoftmax when one class dominates, axis handling, references, and VJPs.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { DTypeError, evaluate, grad, input, logSoftmax, type Node, ShapeError, softmax, sum } from '@stablegrad/core';
import { createDecimalMath, decimalMath, propertyRuns, referenceEvaluate, toDecimal, ulpDistance } from '@stablegrad/testing';
import { f64Tensor, gradCheck, log1pDec, logsumexpDec, weightedSum } from './op-check.js';

const params = { seed: 777, numRuns: propertyRuns() };
/** ULP allowed for float64 softmax and logSoftmax: the kernels measure <= 2 (TwoSum, log1p). */
const ULP = 4;
const WIDE = createDecimalMath(400);
const f64 = { dtype: 'float64' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);

/** Exact log-softmax of a finite lane, rounded to float64. */
const exactLogSoftmax = (v: readonly number[]): number[] => {
  const lse = logsumexpDec(v);
  return v.map((t) => toDecimal(t).sub(lse).toNumber());
};
/**
 * Exact log-softmax at 400 digits where it matters: (z_i - m) exactly (400 digits hold the
 * difference of any two float64 values), minus log1p(sum of e^(z_j - m), j != argmax) at 60
 * digits. Both parts are <= 0 and >= 0, so nothing cancels, and a dominant class's tiny loss
 * (-e^-700) keeps its digits, which `z_i - lse` at 60 digits rounds to 0.
 */
const preciseLogSoftmax = (v: readonly number[]): number[] => {
  const m = Math.max(...v);
  const k = v.indexOf(m);
  const rest = decimalMath.Decimal.sum(0, ...v.filter((_, j) => j !== k).map((t) => toDecimal(t).sub(toDecimal(m)).exp()));
  const logS = log1pDec(rest);
  return v.map((t) => toDecimal(t, WIDE.Decimal).sub(toDecimal(m, WIDE.Decimal)).sub(new WIDE.Decimal(logS)).toNumber());
};
const exactSoftmax = (v: readonly number[]): number[] => {
  const lse = logsumexpDec(v);
  return v.map((t) => toDecimal(t).sub(lse).exp().toNumber());
};

describe('extreme logits', () => {
  const z = input([3], { ...f64, name: 'z' });
  it('softmax and logSoftmax of [1000, 0, -1000] are finite and exact', () => {
    expect(values(softmax(z), { z: [1000, 0, -1000] })).toEqual([1, 0, 0]);
    expect(values(logSoftmax(z), { z: [1000, 0, -1000] })).toEqual([0, -1000, -2000]);
    const z32 = input([3], { name: 'z32' });
    expect(values(logSoftmax(z32), { z32: [1000, 0, -1000] })).toEqual([0, -1000, -2000]);
    expect(values(softmax(z32), { z32: [1000, 0, -1000] })).toEqual([1, 0, 0]);
  });

  it('logSoftmax keeps the digits of a tiny loss (log1p)', () => {
    // -logSoftmax([20, 0])[0] = log1p(e^-20) ~ 2.06e-9; log(1 + 2e-9) would be wrong in the 8th digit
    const w = input([2], { ...f64, name: 'w' });
    const got = values(logSoftmax(w), { w: [20, 0] });
    const want = exactLogSoftmax([20, 0]);
    expect(ulpDistance(got[0]!, want[0]!)).toBeLessThanOrEqual(1);
    expect(ulpDistance(got[1]!, want[1]!)).toBeLessThanOrEqual(1);
    const far = values(logSoftmax(w), { w: [50, 0] });
    expect(ulpDistance(far[0]!, decimalMath.Decimal.exp(-50).neg().toNumber())).toBeLessThanOrEqual(1); // log1p(e^-50) = e^-50 to 1e-22
  });

  it('lanes with NaN give NaN', () => {
    expect(values(softmax(z), { z: [1, NaN, 2] })).toEqual([NaN, NaN, NaN]);
    expect(values(logSoftmax(z), { z: [1, NaN, 2] })).toEqual([NaN, NaN, NaN]);
  });

  const lane = fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 6 });
  test.prop([lane], params)('logSoftmax is finite and within a few ULP of decimal.js for every finite lane', (v) => {
    const w = input([v.length], { ...f64, name: 'w' });
    const got = values(logSoftmax(w), { w: v });
    const want = preciseLogSoftmax(v);
    got.forEach((g, i) => {
      expect(Number.isFinite(g)).toBe(true);
      expect(ulpDistance(g, want[i]!), `element ${i}: got ${g}, want ${want[i]}`).toBeLessThanOrEqual(ULP);
    });
  });

  test.prop([lane], params)('softmax sums to 1 and is within a few ULP of decimal.js', (v) => {
    const w = input([v.length], { ...f64, name: 'w' });
    const got = values(softmax(w), { w: v });
    const want = exactSoftmax(v);
    expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    got.forEach((g, i) => {
      expect(Number.isFinite(g)).toBe(true);
      // ULPs of the dtype, subnormal results included (their ULP is the smallest subnormal)
      expect(ulpDistance(g, want[i]!), `element ${i}: got ${g}, want ${want[i]}`).toBeLessThanOrEqual(ULP);
    });
  });

  it('carries the rounding of z_i - max into exp (TwoSum): a naive kernel is hundreds of ULP off here', () => {
    // 0.1 and -600.3 are not multiples of each other's ULP: -600.3 - 0.1 rounds (by up to 5.7e-14),
    // and exp turns that absolute error into a relative error of the same size, ~250 ULP.
    const v = [0.1, -600.3];
    const w = input([2], { ...f64, name: 'w' });
    const naiveTail = Math.exp(v[1]! - v[0]!);
    const wantSoft = exactSoftmax(v);
    const wantLog = preciseLogSoftmax(v);
    // The lane discriminates: the naive formulas are far off on the small probability and on
    // the tiny loss of the dominant class, -log1p(e^(z_1 - m)).
    expect(ulpDistance(naiveTail / (1 + naiveTail), wantSoft[1]!)).toBeGreaterThan(50);
    expect(ulpDistance(-Math.log1p(naiveTail), wantLog[0]!)).toBeGreaterThan(50);
    values(softmax(w), { w: v }).forEach((g, i) => expect(ulpDistance(g, wantSoft[i]!)).toBeLessThanOrEqual(ULP));
    values(logSoftmax(w), { w: v }).forEach((g, i) => expect(ulpDistance(g, wantLog[i]!)).toBeLessThanOrEqual(ULP));
  });
});

describe('axes and shapes', () => {
  it('normalises along the given axis', () => {
    const x = input([2, 2], { ...f64, name: 'x' });
    const feed = { x: [[0, Math.log(3)], [Math.log(3), 0]] };
    // axis -1: rows [1/4, 3/4] and [3/4, 1/4]; axis 0: columns the same way
    values(softmax(x), feed).forEach((v, i) => expect(v).toBeCloseTo([0.25, 0.75, 0.75, 0.25][i]!, 15));
    values(softmax(x, 0), feed).forEach((v, i) => expect(v).toBeCloseTo([0.25, 0.75, 0.75, 0.25][i]!, 15));
    const x3 = input([2, 3, 2], { ...f64, name: 'x3' });
    const t = f64Tensor([2, 3, 2], 4);
    const s = values(softmax(x3, 1), { x3: t });
    for (let a = 0; a < 2; a++) for (let c = 0; c < 2; c++) expect(s[a * 6 + c]! + s[a * 6 + 2 + c]! + s[a * 6 + 4 + c]!).toBeCloseTo(1, 15);
  });

  it('keeps symbolic dims; errors name the node', () => {
    expect(softmax(input(['batch', 10])).shape).toEqual(['batch', 10]);
    expect(() => softmax(input([3], { name: 'x' }), 1)).toThrow(ShapeError);
    expect(() => logSoftmax(input([3], { name: 'x' }), 1)).toThrow(/logSoftmax 'x'.*axis 1/);
    expect(() => softmax(input([3], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});

describe('references agree with kernels', () => {
  const x = input([2, 4], { ...f64, name: 'x' });
  const t = f64Tensor([2, 4], 21);
  for (const [name, node] of [['softmax', softmax(x)], ['logSoftmax', logSoftmax(x, 0)]] as const) {
    it(name, () => {
      const kernel = values(node, { x: t });
      referenceEvaluate(node, { x: t }).values.forEach((r, i) => expect(ulpDistance(kernel[i]!, r)).toBeLessThanOrEqual(4));
    });
  }
});

describe('VJPs', () => {
  it('softmax and logSoftmax: finite differences along each axis', () => {
    const t = f64Tensor([3, 4], 8);
    gradCheck(([x]) => weightedSum(softmax(x!), [3, 4]), [t]);
    gradCheck(([x]) => weightedSum(softmax(x!, 0), [3, 4]), [t]);
    gradCheck(([x]) => weightedSum(logSoftmax(x!), [3, 4]), [t]);
    gradCheck(([x]) => weightedSum(logSoftmax(x!, 0), [3, 4]), [t]);
  });

  it('the cross-entropy gradient through logSoftmax is softmax - onehot, finite at large logits', () => {
    const z = input([3], { ...f64, name: 'z' });
    const y = input([3], { ...f64, name: 'y' });
    const g = grad(sum(logSoftmax(z).mul(y)).neg(), z);
    expect(values(g, { z: [1000, 0, -1000], y: [0, 1, 0] })).toEqual([1, -1, 0]);
  });
});
