/**
 * Double-double arithmetic for the few places where float64 is not enough: the slow paths of
 * the fused cross-entropy gradients, where `sigmoid(z) - y` or `softmax(z)_i - y_i` cancels.
 *
 * A double-double (`DD`) is an unevaluated sum `hi + lo` with `|lo| <= ulp(hi) / 2`, about 106
 * bits. The error-free transformations (`twoSum`, `fastTwoSum`, `twoProd`) are exact whenever
 * nothing overflows; `ddExp` and `ddLog1p` are accurate to about 100 bits. Hot loops inline
 * `twoSum` by hand instead of calling these, which allocate a pair per call.
 * Algorithms: Dekker (1971), Knuth TAOCP vol. 2, and the QD library (Hida, Li, Bailey).
 * @module
 */

/** An unevaluated sum `hi + lo` of two doubles with `|lo| <= ulp(hi) / 2`. */
export type DD = readonly [hi: number, lo: number];

/** 2^27 + 1, Veltkamp's splitting constant for float64. */
const SPLITTER = 134217729;
/** Above this magnitude the splitting product `SPLITTER * a` could overflow. */
const SPLIT_LIMIT = 2 ** 996;
/** Above this magnitude a product's error term may overflow; it is computed scaled. */
const PRODUCT_LIMIT = 2 ** 995;

/** ln 2 in three parts: hi + lo + lo2 carries about 160 bits. */
const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const LN2_LO2 = 5.707708438416212e-34;
const INV_LN2 = 1.4426950408889634;

/** 1/n! for n = 1..9 as double-doubles (hi, lo), for the Taylor series of expm1. */
const INV_FACTORIAL: readonly DD[] = [
  [1, 0],
  [0.5, 0],
  [0.16666666666666666, 9.25185853854297e-18],
  [0.041666666666666664, 2.3129646346357427e-18],
  [0.008333333333333333, 1.1564823173178714e-19],
  [0.001388888888888889, -5.300543954373577e-20],
  [0.0001984126984126984, 1.7209558293420705e-22],
  [0.0000248015873015873, 2.1511947866775882e-23],
  [0.0000027557319223985893, -1.858393274046472e-22],
];

/** The argument of `ddExp` is divided by 2^EXP_HALVINGS before the Taylor series. */
const EXP_HALVINGS = 10;

// ---------------------------------------------------------------- error-free transformations

/**
 * Knuth's TwoSum: `s = fl(a + b)` and the exact rounding error `e`, so that `s + e = a + b`.
 * @example
 * ```ts
 * twoSum(1, 1e-20); // [1, 1e-20]
 * ```
 */
export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

/**
 * Dekker's FastTwoSum: like `twoSum` but needs `|a| >= |b|` (or `a = 0`); three operations.
 * @example
 * ```ts
 * fastTwoSum(1, 1e-20); // [1, 1e-20]
 * ```
 */
export function fastTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

/**
 * Veltkamp's split of `a` into two 26-bit halves, `a = hi + lo` exactly. Huge values are
 * split scaled down, so the splitting product never overflows.
 * @example
 * ```ts
 * const [hi, lo] = split(0.1); // hi + lo === 0.1, each with at most 26 significant bits
 * ```
 */
export function split(a: number): DD {
  if (Math.abs(a) > SPLIT_LIMIT) {
    const [hi, lo] = split(a * 2 ** -64);
    return [hi * 2 ** 64, lo * 2 ** 64];
  }
  const c = SPLITTER * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

/**
 * The rounding error of the product `p = fl(a * b)` (Dekker), so that `p + e = a * b` exactly
 * unless the error underflows. Allocates nothing, for hot loops. Returns 0 when `p` is not
 * finite; huge factors are scaled first so that no partial product overflows.
 * @example
 * ```ts
 * productError(0.1, 0.1, 0.1 * 0.1); // -8.326672684688674e-19
 * ```
 */
export function productError(a: number, b: number, p: number): number {
  if (Math.abs(p) > PRODUCT_LIMIT || Math.abs(a) > SPLIT_LIMIT || Math.abs(b) > SPLIT_LIMIT) {
    if (!Number.isFinite(p)) return 0;
    // Scaling the larger factor by a power of two is exact and keeps the split in range.
    return Math.abs(a) >= Math.abs(b)
      ? productError(a * 2 ** -128, b, p * 2 ** -128) * 2 ** 128
      : productError(a, b * 2 ** -128, p * 2 ** -128) * 2 ** 128;
  }
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * Dekker's TwoProd: `p = fl(a * b)` and its exact rounding error (no fused multiply-add in JS).
 * @example
 * ```ts
 * twoProd(0.1, 0.1); // [0.010000000000000002, -8.326672684688674e-19]
 * ```
 */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  return [p, productError(a, b, p)];
}

/**
 * Multiplies by 2^n exactly (while the result stays a normal number), in steps so that 2^n
 * itself never overflows.
 * @example
 * ```ts
 * ldexp(1, -1074); // 5e-324
 * ```
 */
export function ldexp(x: number, n: number): number {
  let y = x;
  let k = n;
  while (k > 1023) {
    y *= 2 ** 1023;
    k -= 1023;
  }
  while (k < -1022) {
    y *= 2 ** -1022;
    k += 1022;
  }
  return y * 2 ** k;
}

// ---------------------------------------------------------------- double-double arithmetic

/**
 * Rounds a double-double to the nearest double.
 * @example
 * ```ts
 * ddToNumber([1, 1e-20]); // 1
 * ```
 */
export function ddToNumber(x: DD): number {
  return x[0] + x[1];
}

/**
 * `x + y` in double-double (the accurate variant: both parts go through TwoSum).
 * @example
 * ```ts
 * ddAdd([1, 0], [1e-20, 0]); // [1, 1e-20]
 * ```
 */
export function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  const [t, f] = twoSum(x[1], y[1]);
  const [s1, e1] = fastTwoSum(s, e + t);
  return fastTwoSum(s1, e1 + f);
}

/**
 * `x + b` for a double-double `x` and a double `b`.
 * @example
 * ```ts
 * ddAddNumber([1, 1e-20], 1); // [2, 1e-20]
 * ```
 */
export function ddAddNumber(x: DD, b: number): DD {
  const [s, e] = twoSum(x[0], b);
  return fastTwoSum(s, e + x[1]);
}

/**
 * `-x` in double-double.
 * @example
 * ```ts
 * ddNeg([1, 1e-20]); // [-1, -1e-20]
 * ```
 */
export function ddNeg(x: DD): DD {
  return [-x[0], -x[1]];
}

/**
 * `x - y` in double-double.
 * @example
 * ```ts
 * ddSub([1, 0], [1, -1e-20]); // [1e-20, 0]
 * ```
 */
export function ddSub(x: DD, y: DD): DD {
  return ddAdd(x, ddNeg(y));
}

/**
 * `x * y` in double-double.
 * @example
 * ```ts
 * ddMul([0.1, 0], [10, 0]); // [1, 5.551115123125783e-17]
 * ```
 */
export function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return fastTwoSum(p, e + (x[0] * y[1] + x[1] * y[0]));
}

/**
 * `x * b` for a double-double `x` and a double `b`.
 * @example
 * ```ts
 * ddMulNumber([1, 1e-20], 3); // [3, 3e-20]
 * ```
 */
export function ddMulNumber(x: DD, b: number): DD {
  const [p, e] = twoProd(x[0], b);
  return fastTwoSum(p, e + x[1] * b);
}

/**
 * `x / y` in double-double: a first quotient and two correction steps.
 * @example
 * ```ts
 * ddDiv([1, 0], [3, 0]); // [0.3333333333333333, 1.850371707708594e-17]
 * ```
 */
export function ddDiv(x: DD, y: DD): DD {
  const q1 = x[0] / y[0];
  let r = ddSub(x, ddMulNumber(y, q1));
  const q2 = r[0] / y[0];
  r = ddSub(r, ddMulNumber(y, q2));
  const q3 = r[0] / y[0];
  return ddAddNumber(fastTwoSum(q1, q2), q3);
}

/** Multiplies both parts by 2^n (exact while they stay normal numbers). */
export function ddLdexp(x: DD, n: number): DD {
  return [ldexp(x[0], n), ldexp(x[1], n)];
}

// ---------------------------------------------------------------- exp, expm1, log1p

/** `exp(x) - 1 = em` and `exp(x) = (1 + em) * 2^k`, the shared core of ddExp and ddExpm1. */
interface ExpParts {
  /** `exp(r) - 1` for the reduced argument `r = x - k ln 2`, |r| <= ln(2) / 2. */
  readonly em: DD;
  /** The power of two taken out. */
  readonly k: number;
}

function expParts(x: DD): ExpParts {
  const k = Math.round(x[0] * INV_LN2);
  // r = x - k ln 2 with ln 2 to ~160 bits; k ln2_hi and k ln2_lo are exact products.
  let r = ddSub(x, twoProd(k, LN2_HI));
  r = ddSub(r, twoProd(k, LN2_LO));
  r = ddAddNumber(r, -k * LN2_LO2);
  // expm1(s) for s = r / 2^10 by Taylor (|s| < 3.4e-4, nine terms reach 2^-110), Horner form.
  const s = ddLdexp(r, -EXP_HALVINGS);
  let poly = INV_FACTORIAL[INV_FACTORIAL.length - 1]!;
  for (let n = INV_FACTORIAL.length - 2; n >= 0; n--) poly = ddAdd(ddMul(poly, s), INV_FACTORIAL[n]!);
  let em = ddMul(poly, s);
  // expm1(2a) = expm1(a) (expm1(a) + 2): doubling without forming 1 + small.
  for (let i = 0; i < EXP_HALVINGS; i++) em = ddMul(em, ddAddNumber(em, 2));
  return { em, k };
}

/** 2^(j/64) for j = 0..63 as double-doubles (hi at 2j, lo at 2j + 1), built on first use. */
let powTable: Float64Array | undefined;

function twoToTheSixtyFourths(): Float64Array {
  if (powTable !== undefined) return powTable;
  const table = new Float64Array(2 * EXP_TABLE_SIZE);
  for (let j = 0; j < EXP_TABLE_SIZE; j++) {
    // 2^(j/64) = exp(j ln2 / 64) by the Taylor-and-squaring path, exact in its argument.
    const { em, k } = expParts(ddMulNumber([LN2_HI, LN2_LO], j / EXP_TABLE_SIZE));
    const [hi, lo] = ddLdexp(ddAddNumber(em, 1), k);
    table[2 * j] = hi;
    table[2 * j + 1] = lo;
  }
  powTable = table;
  return table;
}

const EXP_TABLE_SIZE = 64;
/** ln(2) / 64 in three parts. */
const L64_HI = LN2_HI / EXP_TABLE_SIZE;
const L64_LO = LN2_LO / EXP_TABLE_SIZE;
const L64_LO2 = LN2_LO2 / EXP_TABLE_SIZE;

/**
 * `exp(x) = (hi + lo) * 2^exponent` with `hi + lo` in [1, 2), to about 100 bits. The scaled
 * form keeps full relative precision where exp(x) itself would be subnormal.
 * Table-driven and allocation-light (the slow paths call it once per row element):
 * x = (64 k + j) ln2/64 + r with |r| <= ln2/128, exp(r) by a degree-12 Taylor polynomial whose
 * terms of degree 7 and up are summed in plain double (they are below 2^-50 r).
 * Arguments below -1500 give `{ mantissa: [0, 0], exponent: 0 }`; above 1500, Infinity.
 * @example
 * ```ts
 * ddExpScaled([-1000, 0]); // mantissa ~1.0, exponent -1443
 * ```
 */
export function ddExpScaled(x: DD): { readonly mantissa: DD; readonly exponent: number } {
  const [xh, xl] = x;
  if (xh < -1500) return { mantissa: [0, 0], exponent: 0 };
  if (xh > 1500) return { mantissa: [Infinity, 0], exponent: 0 };
  if (Number.isNaN(xh)) return { mantissa: [NaN, NaN], exponent: 0 };
  const table = twoToTheSixtyFourths();
  const n = Math.round(xh * (EXP_TABLE_SIZE / Math.LN2));
  const j = n & (EXP_TABLE_SIZE - 1);
  const k = (n - j) / EXP_TABLE_SIZE;
  // r = x - n ln2/64: n L64_HI is exact as p1 + e1; the rest are small.
  const p1 = n * L64_HI;
  const e1 = productError(n, L64_HI, p1);
  const p2 = n * L64_LO;
  const e2 = productError(n, L64_LO, p2);
  // xh - p1, xl, -e1 and -p2 can each be ~1e-13 for |x| ~ 1000: add them by TwoSum.
  let rh = xh - p1;
  let bb = rh - xh;
  let tail = xh - (rh - bb) + (-p1 - bb) - e2 - n * L64_LO2;
  let sum = rh + xl;
  bb = sum - rh;
  tail += rh - (sum - bb) + (xl - bb);
  rh = sum - e1;
  bb = rh - sum;
  tail += sum - (rh - bb) + (-e1 - bb);
  sum = rh - p2;
  bb = sum - rh;
  tail += rh - (sum - bb) + (-p2 - bb);
  rh = sum + tail;
  const rl = tail - (rh - sum);
  // Degrees 12..7 in double, then Horner in double-double down to degree 0.
  let th = INV_FACT_12;
  for (let d = 11; d >= 7; d--) th = th * rh + INV_FACT_HIGH[d - 7]!;
  let tl = 0;
  for (let d = 6; d >= 0; d--) {
    // t = t * r + 1/d!
    const p = th * rh;
    const pe = productError(th, rh, p) + (th * rl + tl * rh);
    const [ch, cl] = d === 0 ? ONE : INV_FACTORIAL[d - 1]!;
    const q = p + ch;
    const qb = q - p;
    const qe = p - (q - qb) + (ch - qb) + pe + cl;
    th = q + qe;
    tl = qe - (th - q);
  }
  // times 2^(j/64)
  const ah = table[2 * j]!;
  const al = table[2 * j + 1]!;
  const m = th * ah;
  const me = productError(th, ah, m) + (th * al + tl * ah);
  const mh = m + me;
  return { mantissa: [mh, me - (mh - m)], exponent: k };
}

const ONE: DD = [1, 0];
/** 1/n! for n = 7..11 in double, and 1/12!. */
const INV_FACT_HIGH = [1 / 5040, 1 / 40320, 1 / 362880, 1 / 3628800, 1 / 39916800];
const INV_FACT_12 = 1 / 479001600;

/**
 * `exp(x)` in double-double, to about 100 bits (fewer where the result is subnormal).
 * @example
 * ```ts
 * ddExp([1, 0]); // [2.718281828459045, 1.4456468917292502e-16]
 * ```
 */
export function ddExp(x: DD): DD {
  const { mantissa, exponent } = ddExpScaled(x);
  return ddLdexp(mantissa, exponent);
}

/**
 * `exp(x) - 1` in double-double, to about 100 bits, without cancellation near 0.
 * @example
 * ```ts
 * ddExpm1([1e-20, 0]); // [1e-20, 5e-41]
 * ```
 */
export function ddExpm1(x: DD): DD {
  // x + x^2/2 is exact to 2^-199 here, and halving x for the series would underflow.
  if (Math.abs(x[0]) < 1e-30) return ddAddNumber(x, (x[0] * x[0]) / 2);
  if (x[0] < -80) return ddAddNumber(ddExp(x), -1);
  if (!(x[0] <= 1500)) return [x[0] > 0 ? Infinity : NaN, 0];
  const { em, k } = expParts(x);
  if (k === 0) return em;
  // (1 + em) 2^k - 1, exact scaling then one double-double sum; |result| > 0.29, no cancellation.
  return ddAddNumber(ddLdexp(ddAddNumber(em, 1), k), -1);
}

/**
 * `log(1 + x)` in double-double for x > -1, to about 100 bits: `Math.log1p` and one Newton
 * step on `expm1(y) = x`.
 * @example
 * ```ts
 * ddLog1p([1e-20, 0]); // [1e-20, -5e-41]
 * ```
 */
export function ddLog1p(x: DD): DD {
  const y0 = Math.log1p(x[0] + x[1]);
  if (!Number.isFinite(y0) || y0 === 0) return [y0, 0];
  // y1 = y0 + (x - expm1(y0)) / (1 + expm1(y0)): Newton's step, doubling the bits.
  const em = ddExpm1([y0, 0]);
  return ddAddNumber(ddDiv(ddSub(x, em), ddAddNumber(em, 1)), y0);
}

// ---------------------------------------------------------------- a fast exp

/** ln(2) / 64 in Cody-Waite form: HI has 34 significant bits, so n HI is exact for |n| < 2^19. */
const FAST_L64_HI = Math.round((LN2_HI / EXP_TABLE_SIZE) * 2 ** 40) / 2 ** 40;
const FAST_L64_LO = LN2_HI / EXP_TABLE_SIZE - FAST_L64_HI + LN2_LO / EXP_TABLE_SIZE;
const FAST_INV_L64 = EXP_TABLE_SIZE / Math.LN2;
/** Adding then subtracting 1.5 2^52 rounds a double of magnitude below 2^51 to an integer. */
const ROUNDER = 6755399441055744;
/** 2^k for the exponents of normal doubles, k = -1022 .. 1023, at k + 1022. */
const POW2 = Float64Array.from({ length: 2046 }, (_, i) => 2 ** (i - 1022));

/**
 * `e^x` within about 0.51 ULP, and two to three times as fast as V8's `Math.exp` (measured
 * 0.506 ULP worst against a 50-digit reference, where Math.exp reached 0.82): x = n ln2/64 + r
 * with |r| <= ln2/128 (Cody-Waite, n ln2/64 exact in two parts), `e^x = 2^k 2^(j/64) e^r` with
 * n = 64 k + j, 2^(j/64) from the double-double table, `e^r - 1` by its Taylor polynomial to
 * degree 6 (truncation below 2^-64), and one rounding of `T_hi + (T_hi p + T_lo (1 + p))`.
 * Outside [-708, 709], where results are subnormal or overflow, and for NaN, it is Math.exp.
 * The softmax row kernels spend most of their time in exp, one per logit.
 * @example
 * ```ts
 * fastExp(-1); // 0.36787944117144233
 * ```
 */
export function fastExp(x: number): number {
  if (!(x >= -708 && x <= 709)) return Math.exp(x);
  const table = powTable ?? twoToTheSixtyFourths();
  const n = x * FAST_INV_L64 + ROUNDER - ROUNDER;
  // x - n HI is exact: n HI is exact (16 + 34 bits) and within a factor 2 of x.
  const r = x - n * FAST_L64_HI - n * FAST_L64_LO;
  const ni = n | 0;
  const j = ni & (EXP_TABLE_SIZE - 1);
  const k = (ni - j) / EXP_TABLE_SIZE;
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720)))));
  const hi = table[2 * j]!;
  return (hi + (hi * p + table[2 * j + 1]! * (1 + p))) * POW2[k + 1022]!;
}
