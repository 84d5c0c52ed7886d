// The extended-precision helpers behind the fused cross-entropy gradients, against exact decimal
// arithmetic: error-free transformations are exact, double-double exp/expm1/log1p/div carry
// about 100 bits, and BigFloat exp and rounding are right to the last bit.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  type DD, ddAdd, ddDiv, ddExp, ddExpm1, ddExpScaled, ddLog1p, ddMul, fastExp, productError, twoProd, twoSum,
} from '../../dist/ops/_double-double.js';
import { bigExp, bigFromNumber, bigToNumber } from '../../dist/ops/_big-float.js';
import { createDecimalMath, type Decimal, exactDecimalMath, propertyRuns } from '@stablegrad/testing';

/** The float64 x exactly; sums and products of two such values are exact too (2000 digits). */
const exactDecimal = (x: number): Decimal => exactDecimalMath.fromNumber(x);
const D = createDecimalMath(80).Decimal;
const runs = propertyRuns();
const params = { seed: 31337, numRuns: runs };
// exact values, then transcendental functions at D's 80 digits (not the exact values' 2000)
const exact = (x: DD): Decimal => new D(exactDecimal(x[0]).add(exactDecimal(x[1])));
const dec = (x: number): Decimal => new D(exactDecimal(x));
/** |got - want| / |want| as a power of two. */
const bitsOfAgreement = (got: Decimal, want: Decimal): number => {
  if (got.eq(want)) return Infinity;
  return -Math.log2(new D(got).sub(want).div(want).abs().toNumber());
};
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });

describe('error-free transformations', () => {
  test.prop([finite, finite], params)('twoSum is exact', (a, b) => {
    const [s, e] = twoSum(a, b);
    expect(s).toBe(a + b);
    expect(exactDecimal(s).add(exactDecimal(e)).eq(exactDecimal(a).add(exactDecimal(b)))).toBe(true);
  });

  test.prop([finite, finite], params)('twoProd is exact wherever the error is a normal number', (a, b) => {
    const [p, e] = twoProd(a, b);
    fc.pre(Number.isFinite(p) && (Math.abs(p) >= 2 ** -968 || a === 0 || b === 0));
    expect(exactDecimal(p).add(exactDecimal(e)).eq(exactDecimal(a).mul(exactDecimal(b)))).toBe(true);
  });

  it('twoProd handles factors and products near the overflow threshold', () => {
    for (const [a, b] of [[1.7e308, 0.9], [1e300, 1e5], [3e-300, 1e300], [1e200, 1e100]] as const) {
      const [p, e] = twoProd(a, b);
      expect(exactDecimal(p).add(exactDecimal(e)).eq(exactDecimal(a).mul(exactDecimal(b)))).toBe(true);
    }
    expect(productError(1e300, 1e300, Infinity)).toBe(0);
  });
});

describe('double-double arithmetic', () => {
  const dd = fc.tuple(fc.double({ min: 1e-10, max: 1e10, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.boolean())
    .map(([hi, t, negative]): DD => {
      const [h, l] = twoSum(negative ? -hi : hi, t * hi * 2 ** -54);
      return [h, l];
    });

  test.prop([dd, dd], params)('add, mul and div carry about 104 bits', (x, y) => {
    const X = exact(x);
    const Y = exact(y);
    const sum = X.add(Y);
    if (!sum.isZero()) expect(new D(exact(ddAdd(x, y))).sub(sum).abs().lte(sum.abs().mul(2 ** -102).add(X.abs().add(Y.abs()).mul(2 ** -104)))).toBe(true);
    expect(bitsOfAgreement(exact(ddMul(x, y)), X.mul(Y))).toBeGreaterThanOrEqual(102);
    expect(bitsOfAgreement(exact(ddDiv(x, y)), new D(X).div(Y))).toBeGreaterThanOrEqual(102);
  });

  test.prop([fc.double({ min: -1400, max: 700, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })], params)(
    'exp carries about 100 bits, scaled below the subnormal range', (x, t) => {
      const arg: DD = twoSum(x, t * Math.abs(x) * 2 ** -54);
      const want = exact(arg).exp();
      const { mantissa, exponent } = ddExpScaled(arg);
      expect(bitsOfAgreement(exact(mantissa).mul(new D(2).pow(exponent)), want)).toBeGreaterThanOrEqual(100);
      if (x > -700) expect(bitsOfAgreement(exact(ddExp(arg)), want)).toBeGreaterThanOrEqual(100);
    },
  );

  test.prop([fc.double({ min: -30, max: 30, noNaN: true }).filter((v) => Math.abs(v) > 1e-20)], params)('expm1 and log1p carry about 100 bits', (x) => {
    expect(bitsOfAgreement(exact(ddExpm1([x, 0])), dec(x).exp().sub(1))).toBeGreaterThanOrEqual(100);
    const u = 10 ** (-10 - Math.abs(x) / 3); // from 1e-20 to 1e-10, where log(1 + u) at 80 digits is exact enough
    expect(bitsOfAgreement(exact(ddLog1p([u, 0])), dec(u).add(1).ln())).toBeGreaterThanOrEqual(100);
    expect(bitsOfAgreement(exact(ddLog1p([Math.abs(x), 0])), dec(Math.abs(x)).add(1).ln())).toBeGreaterThanOrEqual(100);
  });
});

it('expm1 of a tiny argument is the argument', () => {
  expect(ddExpm1([1e-300, 0])).toEqual([1e-300, 0]);
  expect(ddExpm1([-5e-324, 0])).toEqual([-5e-324, 0]);
  expect(ddLog1p([1e-300, 0])[0]).toBe(1e-300);
});

describe('BigFloat', () => {
  test.prop([fc.double({ min: -745, max: 0, noNaN: true })], { ...params, numRuns: Math.ceil(runs / 4) })('exp is right to 240 of 256 bits', (x) => {
    const B = createDecimalMath(120).Decimal;
    const e = bigExp(bigFromNumber(x), 256);
    const got = new B(e.m.toString()).mul(new B(2).pow(e.e));
    const want = new B(exactDecimal(x)).exp();
    expect(got.sub(want).div(want).abs().lte(new B(2).pow(-240))).toBe(true);
  });

  test.prop([finite, fc.double({ min: 1, max: 2, noNaN: true })], params)('rounds to the nearest double', (x, scale) => {
    const v = bigFromNumber(x);
    expect(bigToNumber(v) === x).toBe(true); // +-0 alike
    // x * scale exactly (106 bits), then rounded: the same as rounding the exact decimal product
    const product = { m: v.m * bigFromNumber(scale).m, e: v.e + bigFromNumber(scale).e };
    const want = Number(exactDecimal(x).mul(exactDecimal(scale)).toString());
    fc.pre(Math.abs(want) >= 2 ** -1022);
    expect(bigToNumber(product)).toBe(want);
  });
});

describe('fastExp', () => {
  /** Error of `got` against e^x (80 digits) in units of the last place of the true value. */
  const ulpError = (x: number, got: number): number => {
    const want = dec(x).exp();
    const ulp = 2 ** Math.max(Math.floor(Math.log2(want.toNumber())) - 52, -1074);
    return dec(got).sub(want).abs().div(ulp).toNumber();
  };
  const arguments_ = fc.oneof(
    fc.double({ noNaN: true, min: -708, max: 709 }),
    fc.double({ noNaN: true, min: -40, max: 0 }),
    fc.double({ noNaN: true, min: -1e-3, max: 1e-3 }),
  );

  test.prop([arguments_], { ...params, numRuns: 4 * runs })('is within 0.51 ULP of e^x on [-708, 709] (Math.exp: within 1)', (x) => {
    expect(ulpError(x, fastExp(x))).toBeLessThanOrEqual(0.51);
  });

  it('is Math.exp outside that range, NaN and infinities included', () => {
    for (const x of [-1000, -745.1, -708.5, 709.5, 710, Infinity, -Infinity, NaN]) expect(Object.is(fastExp(x), Math.exp(x))).toBe(true);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-0)).toBe(1);
  });
});
