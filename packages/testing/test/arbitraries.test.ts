// The arbitraries produce what they promise: the extreme values, ranges, shapes, spreads, ties,
// sums to one.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  extremeFloats, floatOf, labelsOf, logitVector, PROPERTY_SEED, probabilityVector, propertyParams, tensorOf,
} from '@stablegrad/testing';

const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number): T[] => fc.sample(arb, { seed: PROPERTY_SEED, numRuns });
const has = (values: readonly number[], x: number): boolean => values.some((v) => Object.is(v, x));

// Written out independently of the implementation.
const FLOAT32 = {
  minSubnormal: 1.401298464324817e-45,
  maxSubnormal: 1.1754942106924411e-38,
  minNormal: 1.1754943508222875e-38,
  maxFinite: 3.4028234663852886e38,
};
const FLOAT64 = { minSubnormal: 5e-324, maxSubnormal: 2.225073858507201e-308, minNormal: 2.2250738585072014e-308, maxFinite: 1.7976931348623157e308 };

describe('extremeFloats', () => {
  it('lists the float32 extremes, each a float32', () => {
    const xs = extremeFloats('float32');
    for (const m of [FLOAT32.minSubnormal, FLOAT32.maxSubnormal, FLOAT32.minNormal, 1, FLOAT32.maxFinite]) {
      expect(has(xs, m), `${m}`).toBe(true);
      expect(has(xs, -m), `${-m}`).toBe(true);
    }
    expect(has(xs, 0) && has(xs, -0)).toBe(true);
    for (const x of [88.7, 88.72, -87.3, -103.9, 17, 37, -17, -37]) expect(has(xs, Math.fround(x)), `${x}`).toBe(true);
    expect(xs.every((x) => Object.is(Math.fround(x), x))).toBe(true);
    expect(xs.some((x) => Math.abs(x) === 1e300)).toBe(false);
  });

  it('lists the float64 extremes', () => {
    const xs = extremeFloats('float64');
    for (const m of [FLOAT64.minSubnormal, FLOAT64.maxSubnormal, FLOAT64.minNormal, 1, FLOAT64.maxFinite, 1e300]) {
      expect(has(xs, m) && has(xs, -m), `${m}`).toBe(true);
    }
    for (const x of [709.78, 709.8, -708.4, -745.1, 17, 37, -17, -37]) expect(has(xs, x), `${x}`).toBe(true);
    // the exp edges really are edges
    expect(Math.exp(709.78)).toBeLessThan(Infinity);
    expect(Math.exp(709.8)).toBe(Infinity);
    expect(Math.exp(-745.1)).toBe(FLOAT64.minSubnormal); // just above the underflow to 0
    expect(Math.exp(-745.2)).toBe(0);
    expect(Math.exp(-708.4)).toBeLessThan(FLOAT64.minNormal);
  });
});

describe('floatOf', () => {
  it('produces every extreme, values of every magnitude, and no NaN or Infinity', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const xs = sample(floatOf(dtype), 4000);
      for (const x of extremeFloats(dtype)) expect(has(xs, x), `${dtype} ${x}`).toBe(true);
      expect(xs.every((x) => Number.isFinite(x))).toBe(true);
      if (dtype === 'float32') expect(xs.every((x) => Object.is(Math.fround(x), x))).toBe(true);
      const exponents = new Set(xs.map((x) => Math.floor(Math.log10(Math.abs(x)))).filter(Number.isFinite));
      expect(exponents.size).toBeGreaterThan(dtype === 'float32' ? 40 : 200);
      expect(xs.filter((x) => Math.abs(x) <= 40).length).toBeGreaterThan(1000); // moderate values too
    }
  });

  it('respects [min, max], including its ends', () => {
    const xs = sample(floatOf('float32', { min: 0.1, max: 100 }), 2000);
    expect(xs.every((x) => x >= 0.1 && x <= 100 && Object.is(Math.fround(x), x))).toBe(true);
    expect(has(xs, 100) && has(xs, Math.fround(0.1))).toBe(true); // fround(0.1) > 0.1, so it is the lower end
    expect(has(xs, 1) && has(xs, Math.fround(88.7)) && has(xs, 17)).toBe(true);
    expect(() => floatOf('float32', { min: 1.00000001, max: 1.00000002 })).toThrow(RangeError);
  });

  it('adds NaN and infinities on request only', () => {
    const xs = sample(floatOf('float64', { nan: true, infinity: true }), 2000);
    expect(xs.some(Number.isNaN)).toBe(true);
    expect(has(xs, Infinity) && has(xs, -Infinity)).toBe(true);
    const positive = sample(floatOf('float64', { min: 0, infinity: true }), 2000);
    expect(has(positive, Infinity) && !has(positive, -Infinity)).toBe(true);
  });

  test.prop([floatOf('float64', { min: -1, max: 1, extremes: false })], propertyParams(200))('stays in range without extremes', (x) => {
    expect(x >= -1 && x <= 1).toBe(true);
  });
});

describe('tensorOf and labelsOf', () => {
  test.prop([tensorOf([2, 3], 'float32', { min: -50, max: 50 }), tensorOf([4], 'int32', { min: -2, max: 2 })], propertyParams(100))(
    'have the shape, dtype and range asked for', (f, k) => {
      expect(f.shape).toEqual([2, 3]);
      expect(f.data).toBeInstanceOf(Float32Array);
      expect(Array.from(f.data).every((v) => v >= -50 && v <= 50)).toBe(true);
      expect(k.dtype).toBe('int32');
      expect(Array.from(k.data).every((v) => Number.isInteger(v) && v >= -2 && v <= 2)).toBe(true);
    });

  test.prop([labelsOf(5, 3)], propertyParams(100))('labels are int32 classes', (labels) => {
    expect(labels.shape).toEqual([5]);
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.data).every((v) => v >= 0 && v < 3)).toBe(true);
  });
});

describe('logitVector', () => {
  it('produces huge spreads, ties, a dominant logit and near-equal logits, all finite', () => {
    const rows = sample(logitVector(4, 'float64'), 1000).map((t) => Array.from(t.data));
    expect(rows.every((z) => z.length === 4 && z.every(Number.isFinite))).toBe(true);
    const spread = (z: number[]) => Math.max(...z) - Math.min(...z);
    expect(rows.some((z) => spread(z) > 1e100)).toBe(true);
    expect(rows.some((z) => spread(z) > 1e3 && spread(z) < 1e10)).toBe(true);
    expect(rows.some((z) => new Set(z).size < 4)).toBe(true); // ties
    expect(rows.some((z) => new Set(z).size === 1)).toBe(true); // all equal
    const gap = (z: number[]) => { const s = [...z].sort((a, b) => b - a); return s[0]! - s[1]!; };
    expect(rows.some((z) => gap(z) >= 15 && Math.abs(Math.min(...z)) <= 10)).toBe(true); // one dominant
    expect(rows.some((z) => spread(z) > 0 && spread(z) <= 6 * Math.abs(z[0]!) * 2 ** -52 && Math.abs(z[0]!) > 1)).toBe(true); // ULPs apart
  });

  test.prop([logitVector(3, 'float32', { batch: 2, maxMagnitude: 1e4 })], propertyParams(100))('batches and caps float32 logits', (z) => {
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe('float32');
    expect(Array.from(z.data).every((v) => Math.abs(v) <= 1e4)).toBe(true);
  });
});

describe('probabilityVector', () => {
  test.prop([probabilityVector(5)], propertyParams(300))('is non-negative and sums to 1 in float64', (p) => {
    const values = Array.from(p.data);
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.abs(values.reduce((s, v) => s + v, 0) - 1)).toBeLessThanOrEqual(4 * 2 ** -52);
  });

  test.prop([probabilityVector(3, { dtype: 'float32', batch: 2 })], propertyParams(100))('float32 rows sum to 1 within float32 rounding', (p) => {
    expect(p.shape).toEqual([2, 3]);
    for (const row of [0, 1]) {
      const values = Array.from(p.data.subarray(row * 3, row * 3 + 3));
      expect(Math.abs(values.reduce((s, v) => s + v, 0) - 1)).toBeLessThanOrEqual(4 * 2 ** -24);
    }
  });

  it('is sometimes one-hot and sometimes smoothed', () => {
    const rows = sample(probabilityVector(4), 500).map((t) => Array.from(t.data));
    expect(rows.some((p) => p.filter((v) => v === 1).length === 1 && p.filter((v) => v === 0).length === 3)).toBe(true);
    expect(rows.some((p) => p.some((v) => v > 0 && v < 1e-20))).toBe(true);
  });
});
