// decimalMath: IEEE-like special values, exact conversion of floats, fast overflow, and
// correct (not double) rounding to float32. Expected digits come from published constants and
// hand arithmetic.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  createDecimalMath, decimalMath as M, EXACT_DIGITS, exactDecimalMath as X, propertyParams, roundToDType, toDecimal,
} from '@stablegrad/testing';

const n = (x: number) => M.fromNumber(x);
const num = (x: ReturnType<typeof n>) => M.toNumber(x);

// e and ln 2 to 60 significant digits (OEIS A001113, A002162).
const E60 = '2.71828182845904523536028747135266249775724709369995957496697';
const LN2_60 = '0.693147180559945309417232121458176568075500134360255254120680';

describe('decimalMath', () => {
  it('computes at 60 significant digits', () => {
    expect(M.exp(n(1)).toString()).toBe(E60);
    expect(M.log(n(2)).eq(LN2_60)).toBe(true);
    expect(M.log(n(2)).toString()).toBe(LN2_60.replace(/0$/, '')); // no more digits than 60
    expect(M.precision).toBe(60);
  });

  it('follows float semantics at 0, infinities and NaN', () => {
    expect(num(M.log(n(0)))).toBe(-Infinity);
    expect(num(M.log(n(-0)))).toBe(-Infinity);
    expect(num(M.log(n(-1)))).toBeNaN();
    expect(num(M.log(n(Infinity)))).toBe(Infinity);
    expect(num(M.exp(n(Infinity)))).toBe(Infinity);
    expect(num(M.exp(n(-Infinity)))).toBe(0);
    expect(num(M.exp(n(NaN)))).toBeNaN();
    expect(num(M.sqrt(n(-1)))).toBeNaN();
    expect(Object.is(num(M.sqrt(n(-0))), -0)).toBe(true);
    expect(num(M.div(n(1), n(0)))).toBe(Infinity);
    expect(num(M.div(n(-1), n(0)))).toBe(-Infinity);
    expect(num(M.div(n(1), n(-0)))).toBe(-Infinity);
    expect(num(M.div(n(0), n(0)))).toBeNaN();
    expect(num(M.mul(n(Infinity), n(0)))).toBeNaN();
    expect(num(M.add(n(Infinity), n(-Infinity)))).toBeNaN();
    expect(Object.is(num(M.neg(n(0))), -0)).toBe(true);
    expect(M.isNaN(n(NaN))).toBe(true);
    expect(M.isNaN(n(Infinity))).toBe(false);
  });

  it('pow matches Math.pow on every special case', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3];
    for (const a of specials) {
      for (const b of specials) {
        const got = num(M.pow(n(a), n(b)));
        // Math.pow is not correctly rounded for finite non-integer powers: 1 ULP apart is fine there
        const ordinary = Number.isFinite(a) && Number.isFinite(b) && a > 0 && !Number.isInteger(b);
        if (ordinary) expect(Math.abs(got - Math.pow(a, b))).toBeLessThanOrEqual(2 ** -52 * Math.pow(a, b));
        else expect(Object.is(got, Math.pow(a, b)), `pow(${a}, ${b}) = ${got}, Math.pow gives ${Math.pow(a, b)}`).toBe(true);
      }
    }
  });

  it('decides huge exp and pow at once instead of computing them', () => {
    const start = Date.now();
    expect(num(M.exp(n(1e7)))).toBe(Infinity);
    expect(num(M.exp(n(-1e7)))).toBe(0);
    expect(num(M.exp(n(1e300)))).toBe(Infinity);
    expect(num(M.pow(n(10), n(1e7)))).toBe(Infinity);
    expect(num(M.pow(n(10), n(-1e7)))).toBe(0);
    expect(num(M.pow(n(-10), n(1e7 + 1)))).toBe(-Infinity);
    expect(Object.is(num(M.pow(n(-10), n(-(1e7 + 1)))), -0)).toBe(true);
    expect(num(M.pow(n(-10), n(1e7 + 0.5)))).toBeNaN();
    expect(num(M.pow(n(1 + 2 ** -52), n(1e20)))).toBe(Infinity);
    expect(Date.now() - start).toBeLessThan(2000);
    // below the cut-off the exact values still come out: exp(800) overflows only when rounded
    expect(M.exp(n(800)).toString().slice(0, 12)).toBe('2.7263745721');
    expect(num(M.exp(n(-800)))).toBe(0);
    expect(M.exp(n(-800)).isZero()).toBe(false);
  });

  it('cmp and trunc', () => {
    expect(M.cmp(n(1), n(2))).toBeLessThan(0);
    expect(M.cmp(n(-Infinity), n(-1e308))).toBeLessThan(0);
    expect(M.cmp(n(0), n(-0))).toBe(0);
    expect(num(M.trunc(n(-2.5)))).toBe(-2);
    expect(num(M.trunc(n(2.999)))).toBe(2);
  });
});

describe('toDecimal', () => {
  it('converts floats exactly', () => {
    expect(toDecimal(0.1).toString()).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(toDecimal(1 + 2 ** -52).toString()).toBe('1.0000000000000002220446049250313080847263336181640625');
    expect(toDecimal(2 ** 70).toString()).toBe('1.180591620717411303424e+21');
    expect(toDecimal(-3).toString()).toBe('-3');
    expect(Object.is(toDecimal(-0).toNumber(), -0)).toBe(true);
    // 2^-1074 has 751 significant digits; times 2^1074 (at 1100 digits) it is exactly 1.
    const H = createDecimalMath(1100).Decimal;
    expect(toDecimal(Number.MIN_VALUE, H).sd()).toBe(751);
    expect(toDecimal(Number.MIN_VALUE, H).times(new H(2).pow(1074)).eq(1)).toBe(true);
    expect(toDecimal(NaN).isNaN()).toBe(true);
    expect(toDecimal(-Infinity).toNumber()).toBe(-Infinity);
  });

  test.prop([fc.double()], propertyParams(300))('round-trips every double', (x) => {
    expect(Object.is(toDecimal(x).toNumber(), x)).toBe(true);
  });

  test.prop([fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 1000 })], propertyParams(200))(
    'k 2^-j is exactly k / 2^j', (k, j) => {
      const x = k * 2 ** -j; // exact unless it is subnormal
      fc.pre(Math.abs(x) >= 2 ** -1022 || k === 0);
      const H = createDecimalMath(1200).Decimal;
      expect(toDecimal(x, H).eq(new H(k).div(new H(2).pow(j)))).toBe(true);
    });
});

describe('exactDecimalMath', () => {
  const x = (v: number) => X.fromNumber(v);
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

  it('adds and multiplies the extreme float64 values without rounding', () => {
    expect(X.precision).toBe(EXACT_DIGITS);
    // MAX_VALUE + MIN_VALUE spans 309 + 1074 digits: taking MAX_VALUE off again leaves MIN_VALUE
    const wide = X.add(x(Number.MAX_VALUE), x(Number.MIN_VALUE));
    expect(X.sub(wide, x(Number.MAX_VALUE)).eq(x(Number.MIN_VALUE))).toBe(true);
    const lost = M.sub(M.add(M.fromNumber(Number.MAX_VALUE), M.fromNumber(Number.MIN_VALUE)), M.fromNumber(Number.MAX_VALUE));
    expect(lost.eq(M.fromNumber(Number.MIN_VALUE))).toBe(false); // 60 digits round the sum
    // (2^-1074)^2 = 5^2148 / 10^2148 (1502 significant digits); the widest mantissas add 32 more
    const D = X.Decimal;
    expect(X.mul(x(Number.MIN_VALUE), x(Number.MIN_VALUE)).eq(new D(5).pow(2148).div(new D(10).pow(2148)))).toBe(true);
    const m = (2 ** 53 - 1) * 2 ** -1074;
    expect(X.mul(x(m), x(m)).sd()).toBe(1534);
  });

  test.prop([finite, finite], propertyParams(200))('sums and products of two doubles are exact', (a, b) => {
    const sum = X.add(x(a), x(b));
    const product = X.mul(x(a), x(b));
    // rounded once, they are what float64 arithmetic gives (zeros compared by value)
    expect(X.toNumber(sum) === a + b).toBe(true);
    expect(X.toNumber(product) === a * b).toBe(true);
    // and nothing was lost: each operand comes back exactly
    expect(X.sub(sum, x(b)).eq(x(a))).toBe(true);
    if (b !== 0) expect(X.div(product, x(b)).eq(x(a))).toBe(true);
  });
});

describe('roundToDType', () => {
  it('rounds to float32 correctly where float64 rounding lands on a float32 midpoint', () => {
    const D = M.Decimal;
    // 1 + 2^-24 is halfway between the float32s 1 and 1 + 2^-23.
    const mid = new D(2).pow(-24).plus(1);
    const tiny = new D(2).pow(-70);
    expect(mid.plus(tiny).toNumber()).toBe(1 + 2 ** -24); // float64 rounding lands exactly on the midpoint
    expect(Math.fround(1 + 2 ** -24)).toBe(1); // so fround(toNumber) would give 1
    expect(roundToDType(mid.plus(tiny), 'float32')).toBe(1 + 2 ** -23);
    expect(roundToDType(mid.minus(tiny), 'float32')).toBe(1);
    expect(roundToDType(mid, 'float32')).toBe(1); // a true tie goes to even
    // 1 + 3 2^-24 is halfway between 1 + 2^-23 (odd) and 1 + 2^-22 (even)
    expect(roundToDType(new D(2).pow(-24).times(3).plus(1), 'float32')).toBe(1 + 2 ** -22);
    expect(roundToDType(new D(1).div(3), 'float32')).toBe(Math.fround(1 / 3));
    expect(roundToDType(new D(1).div(3), 'float64')).toBe(1 / 3);
    expect(roundToDType(new D('1e39'), 'float32')).toBe(Infinity);
    expect(roundToDType(new D(7), 'int32')).toBe(7);
  });

  it('createDecimalMath makes other precisions', () => {
    const M100 = createDecimalMath(100);
    expect(M100.Decimal.precision).toBe(100);
    expect(M100.log(M100.fromNumber(2)).toString().slice(0, 40)).toBe(LN2_60.slice(0, 40));
    expect(M100.log(M100.fromNumber(2)).toString().length).toBe(102);
    expect(() => createDecimalMath(5)).toThrow(RangeError);
  });
});
