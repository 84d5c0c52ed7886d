/**
 * decimal.js as core's `BigMath`: the arithmetic op references run on, at 60 significant digits,
 * with IEEE-like +-Infinity, NaN and signed zeros. Numbers enter exactly (a float is a dyadic
 * rational, so its decimal expansion is finite): `new Decimal(0.1)` would read the shortest
 * string "0.1" and be off by half an ULP, which matters when a reference subtracts nearly equal
 * values.
 * @module
 */
import { Decimal as DecimalJs } from 'decimal.js';
import type { BigMath, DType } from '@stablegrad/core';
import { nextDown, nextUp } from './ulp.js';

/**
 * A decimal.js number: what `referenceEvaluate` returns in `exact`, and what exact feeds hold.
 * @example
 * ```ts
 * const third: Decimal = new decimalMath.Decimal(1).div(3);
 * ```
 */
export type Decimal = DecimalJs;

/**
 * A decimal.js constructor (a clone with its own precision), such as `decimalMath.Decimal`.
 * @example
 * ```ts
 * const D: DecimalConstructor = createDecimalMath(100).Decimal;
 * new D(2).sqrt();
 * ```
 */
export type DecimalConstructor = DecimalJs.Constructor;

/**
 * Beyond this |x|, `exp(x)` is taken to be +Infinity or 0 without computing it: every float
 * overflows or underflows long before, and decimal.js would spend seconds (or forever, in `pow`)
 * on the exact value. `pow(a, b)` does the same when |b ln a| is beyond it.
 * @example
 * ```ts
 * decimalMath.exp(decimalMath.fromNumber(2 * EXP_LIMIT)).toNumber(); // Infinity, at once
 * ```
 */
export const EXP_LIMIT = 1e6;

/**
 * A `BigMath` over decimal.js, with the decimal constructor it computes with.
 * @example
 * ```ts
 * const M: DecimalMath = createDecimalMath(80);
 * M.precision; // 80
 * ```
 */
export interface DecimalMath extends BigMath<Decimal> {
  /** The decimal.js constructor (a clone configured with `precision`). */
  readonly Decimal: DecimalConstructor;
  /** Significant digits of every rounded result. */
  readonly precision: number;
}

/**
 * Makes a `BigMath` over decimal.js with `precision` significant digits (ties to even).
 * @example
 * ```ts
 * const M = createDecimalMath(100);
 * M.toNumber(M.log(M.fromNumber(2))); // 0.6931471805599453
 * ```
 */
export function createDecimalMath(precision: number): DecimalMath {
  if (!Number.isInteger(precision) || precision < 20) throw new RangeError(`precision must be an integer >= 20, got ${precision}`);
  const D = DecimalJs.clone({ precision, rounding: DecimalJs.ROUND_HALF_EVEN });
  const zero = (negative: boolean): Decimal => new D(negative ? -0 : 0);
  return {
    Decimal: D,
    precision,
    fromNumber: (x) => toDecimal(x, D),
    toNumber: (x) => x.toNumber(),
    add: (a, b) => a.add(b),
    sub: (a, b) => a.sub(b),
    mul: (a, b) => a.mul(b),
    div: (a, b) => a.div(b),
    neg: (a) => a.neg(),
    abs: (a) => a.abs(),
    exp: (a) => {
      if (a.isFinite() && a.abs().gt(EXP_LIMIT)) return a.isNeg() ? zero(false) : new D(Infinity);
      return a.exp();
    },
    log: (a) => a.ln(),
    sqrt: (a) => a.sqrt(),
    pow: (a, b) => {
      // Huge results: decide overflow/underflow from b ln|a| before decimal.js tries exp().
      if (a.isFinite() && b.isFinite() && !a.isZero() && !b.isZero()) {
        const t = b.toNumber() * a.abs().ln().toNumber();
        if (Math.abs(t) > EXP_LIMIT) {
          const integer = b.isInteger();
          if (a.isNeg() && !integer) return new D(NaN);
          const negative = a.isNeg() && b.mod(2).abs().eq(1);
          return t > 0 ? new D(negative ? -Infinity : Infinity) : zero(negative);
        }
      }
      return a.pow(b);
    },
    trunc: (a) => a.trunc(),
    cmp: (a, b) => a.cmp(b),
    isNaN: (a) => a.isNaN(),
  };
}

/**
 * The testing kit's high-precision arithmetic: decimal.js at 60 significant digits.
 * @example
 * ```ts
 * const M = decimalMath;
 * M.toNumber(M.sub(M.exp(M.fromNumber(1e-20)), M.fromNumber(1))); // 1e-20
 * M.log(M.fromNumber(0)).toNumber();                               // -Infinity
 * ```
 */
export const decimalMath: DecimalMath = createDecimalMath(60);

/**
 * Significant digits of `exactDecimalMath`. A float64 is m 2^e with m < 2^53 and
 * -1074 <= e <= 971, so the sum of two spans at most 309 integer and 1074 fractional digits
 * (1383), and a product m1 m2 5^2148 10^-2148 has at most 32 + 1502 = 1534 significant digits.
 * @example
 * ```ts
 * exactDecimalMath.precision === EXACT_DIGITS; // true
 * ```
 */
export const EXACT_DIGITS = 2000;

/**
 * decimal.js at `EXACT_DIGITS` digits: the sum, difference and product of any two float64
 * values are exact, so kernels that must be correctly rounded (add, sub, mul, div, comparisons,
 * casts) can be checked to 0 ULP, and error-free transformations (TwoSum, TwoProd) shown to be
 * exact with `eq`. Quotients, roots and transcendental functions still round, at 2000 digits
 * and at a matching cost: use `decimalMath` for those.
 * @example
 * ```ts
 * const M = exactDecimalMath;
 * const x = M.add(M.fromNumber(Number.MAX_VALUE), M.fromNumber(Number.MIN_VALUE));
 * M.sub(x, M.fromNumber(Number.MAX_VALUE)).eq(M.fromNumber(Number.MIN_VALUE)); // true: nothing was lost
 * ```
 */
export const exactDecimalMath: DecimalMath = createDecimalMath(EXACT_DIGITS);

/**
 * Digits of products, quotients and square roots in `createMixedPrecisionMath`: a float64 spans 632
 * decimal orders (1e-324 to 1e308), so 700 digits keep what any later subtraction of two such
 * values can expose: 1 - 1/(1 + e^-700), sqrt(x^2 + 1) - x for x = 1e300.
 */
const QUOTIENT_DIGITS = 700;
/** Up to this |x| `createMixedPrecisionMath` computes exp(x) (decimal.js holds exponents to 9e15). */
const HUGE_EXP_LIMIT = 1e15;
/** Below this |x|, exp(x), log(1 + x) and sqrt(1 + x) are summed from their series, exactly enough. */
const SERIES_LIMIT = 1e-10;

/**
 * Mixed precision, for references whose inputs are floats of any magnitude and whose results
 * may later cancel: sums and differences are exact (up to `EXACT_DIGITS`), so
 * `(1 + 1e-300) - 1` is 1e-300, which at 60 digits would be 0; products, quotients and square
 * roots keep 700 digits, so `1 - 1/(1 + e^-700)` and `sqrt(x^2 + 1) - x` are right; exp, log and sqrt
 * near 1 (argument, or argument - 1, below 1e-10 in magnitude) come from their Taylor series in
 * exact arithmetic (truncation below 1e-50 relative), so `exp(x) - 1` and `log(1 + x)` are right
 * for tiny x; elsewhere exp, log and powers are correctly rounded to `precision` digits, exp
 * up to |x| = 1e15 (not only `EXP_LIMIT`: e^-2e6 is a number, not 0). The
 * stability lint falls back to it where double-double cannot be trusted; exp and log cost what
 * they cost at `precision` digits, not at 2000.
 * @example
 * ```ts
 * const M = createMixedPrecisionMath(30);
 * M.toNumber(M.sub(M.add(M.fromNumber(1), M.fromNumber(1e-300)), M.fromNumber(1))); // 1e-300
 * M.toNumber(M.sub(M.exp(M.fromNumber(1e-200)), M.fromNumber(1)));                   // 1e-200
 * ```
 */
export function createMixedPrecisionMath(precision: number): DecimalMath {
  const narrow = createDecimalMath(precision);
  const N = narrow.Decimal;
  const W = DecimalJs.clone({ precision: EXACT_DIGITS, rounding: DecimalJs.ROUND_HALF_EVEN });
  const Q = DecimalJs.clone({ precision: QUOTIENT_DIGITS, rounding: DecimalJs.ROUND_HALF_EVEN });
  const one = new W(1);
  const small = (x: Decimal): boolean => x.isFinite() && x.abs().lt(SERIES_LIMIT);
  // Truncated after the x^4 term: what is left is below |x|^5 < 1e-50 for |x| < 1e-10.
  // Coefficients as [numerator, denominator]: 1/6 as a float would not be 1/6.
  const series = (x: Decimal, coefficients: readonly (readonly [number, number])[]): Decimal => {
    let sum = new W(0);
    let power = one;
    for (const [num, den] of coefficients) {
      if (num !== 0) sum = W.add(sum, Q.div(W.mul(power, num), den));
      power = W.mul(power, x);
    }
    return sum;
  };
  // Each value carries its constructor's precision into the next operation: so every operation
  // goes through the statics of the constructor it should round with, whatever made its arguments.
  return {
    ...narrow,
    fromNumber: (x) => toDecimal(x, W),
    add: (a, b) => W.add(a, b),
    sub: (a, b) => W.sub(a, b),
    // Products do not cancel: 700 digits keep every digit a later sum can expose, and a chain of
    // products stays cheap (2000-digit products cost eight times as much).
    mul: (a, b) => Q.mul(a, b),
    neg: (a) => new W(a).neg(),
    abs: (a) => new W(a).abs(),
    trunc: (a) => new W(a).trunc(),
    div: (a, b) => Q.div(a, b),
    // exp of huge arguments too (decimal.js takes milliseconds for e^(2e6)): e^-2e6 is not 0,
    // and log(e^-2e6) must come back as -2e6, not -Infinity.
    exp: (a) => {
      if (small(a)) return series(a, [[1, 1], [1, 1], [1, 2], [1, 6], [1, 24]]);
      return a.isFinite() && a.abs().lt(HUGE_EXP_LIMIT) ? new N(a).exp() : narrow.exp(new N(a));
    },
    log: (a) => {
      const d = W.sub(a, one);
      return small(d) ? series(d, [[0, 1], [1, 1], [-1, 2], [1, 3], [-1, 4]]) : narrow.log(new N(a));
    },
    sqrt: (a) => {
      const d = W.sub(a, one);
      // sqrt(x^2 + 1) - x cancels twice as many digits as x has orders of magnitude.
      return small(d) ? series(d, [[1, 1], [1, 2], [-1, 8], [1, 16], [-5, 128]]) : Q.sqrt(a);
    },
    pow: (a, b) => narrow.pow(new N(a), new N(b)),
  };
}

const bits = new DataView(new ArrayBuffer(8));

/**
 * The exact value of a float64 as a Decimal (every digit kept; NaN, +-Infinity and -0 too).
 * @example
 * ```ts
 * toDecimal(0.1).toString(); // '0.1000000000000000055511151231257827021181583404541015625'
 * ```
 */
export function toDecimal(x: number, D: DecimalConstructor = decimalMath.Decimal): Decimal {
  if (!Number.isFinite(x) || x === 0 || Number.isSafeInteger(x)) return new D(x);
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = (biased === 0 ? 1 : biased) - 1075; // x = +-mantissa * 2^exponent
  const sign = x < 0 ? '-' : '';
  // m * 2^-k = m * 5^k * 10^-k: an exact decimal string.
  const digits = exponent >= 0 ? `${mantissa << BigInt(exponent)}` : `${mantissa * 5n ** BigInt(-exponent)}e${exponent}`;
  return new D(sign + digits);
}

/**
 * Rounds a high-precision value to the nearest value of `dtype` (ties to even), without the
 * double rounding of `Math.fround(x.toNumber())`. int32 results of references are exact
 * integers and are returned as they are.
 * @example
 * ```ts
 * roundToDType(toDecimal(1).div(3), 'float32'); // 0.3333333432674408
 * ```
 */
export function roundToDType(x: Decimal, dtype: DType): number {
  const d = x.toNumber();
  if (dtype !== 'float32') return d;
  const f = Math.fround(d);
  if (f === d || Number.isNaN(d)) return f;
  // float64 rounding can only mislead float32 rounding by landing exactly on a float32 midpoint.
  const other = d > f ? nextUp(f, 'float32') : nextDown(f, 'float32');
  const otherValue = Number.isFinite(other) ? other : Math.sign(other) * 2 ** 128;
  const fValue = Number.isFinite(f) ? f : Math.sign(f) * 2 ** 128;
  if ((fValue + otherValue) / 2 !== d) return f;
  const c = x.cmp(toDecimal(d, x.constructor as DecimalConstructor));
  if (c === 0) return f;
  return c > 0 ? Math.max(f, other) : Math.min(f, other);
}
