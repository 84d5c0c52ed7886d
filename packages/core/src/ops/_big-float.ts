/**
 * Binary floating point of any precision on BigInt, the last resort of the cross-entropy
 * gradient kernels: when a label equals the rounded probability, `sigmoid(z) - y` is the
 * rounding error of sigmoid itself, and even double-double (~104 bits) cannot resolve it.
 * Sums and differences are exact; products, quotients and `exp` keep `bits` significant bits.
 * Slow (tens of microseconds per exp), so it runs only where nothing cheaper is accurate.
 * @module
 */
import { ldexp } from './_double-double.js';

/** The number `m * 2^e`. */
export interface BigFloat {
  readonly m: bigint;
  readonly e: number;
}

const ZERO: BigFloat = { m: 0n, e: 0 };
const view = new DataView(new ArrayBuffer(8));

/**
 * The double `x` exactly (finite x only).
 * @example
 * ```ts
 * bigFromNumber(0.75); // { m: 3n, e: -2 } up to normalization: 3 * 2^-2
 * ```
 */
export function bigFromNumber(x: number): BigFloat {
  if (x === 0) return ZERO;
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) m |= 1n << 52n;
  return { m: hi >>> 31 === 1 ? -m : m, e: (biased === 0 ? 1 : biased) - 1075 };
}

function bitLength(m: bigint): number {
  return (m < 0n ? -m : m).toString(2).length;
}

/** Keeps the top `bits` bits of the significand (truncation: relative error below 2^(1-bits)). */
function trim(x: BigFloat, bits: number): BigFloat {
  const extra = bitLength(x.m) - bits;
  return extra > 0 ? { m: x.m >> BigInt(extra), e: x.e + extra } : x;
}

/**
 * `a + b`, exact.
 * @example
 * ```ts
 * bigToNumber(bigAdd(bigFromNumber(1), bigFromNumber(2 ** -80))); // 1
 * ```
 */
export function bigAdd(a: BigFloat, b: BigFloat): BigFloat {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  return a.e >= b.e ? { m: (a.m << BigInt(a.e - b.e)) + b.m, e: b.e } : { m: a.m + (b.m << BigInt(b.e - a.e)), e: a.e };
}

/**
 * `-a`, exact.
 * @example
 * ```ts
 * bigNeg(bigFromNumber(2)); // -2
 * ```
 */
export function bigNeg(a: BigFloat): BigFloat {
  return { m: -a.m, e: a.e };
}

/**
 * `a * b` rounded to `bits` significant bits.
 * @example
 * ```ts
 * bigToNumber(bigMul(bigFromNumber(3), bigFromNumber(0.5), 64)); // 1.5
 * ```
 */
export function bigMul(a: BigFloat, b: BigFloat, bits: number): BigFloat {
  return trim({ m: a.m * b.m, e: a.e + b.e }, bits);
}

/**
 * `a / b` to `bits` significant bits.
 * @example
 * ```ts
 * bigToNumber(bigDiv(bigFromNumber(1), bigFromNumber(3), 128)); // 0.3333333333333333
 * ```
 */
export function bigDiv(a: BigFloat, b: BigFloat, bits: number): BigFloat {
  if (a.m === 0n) return ZERO;
  const shift = Math.max(0, bits + bitLength(b.m) - bitLength(a.m) + 1);
  return trim({ m: (a.m << BigInt(shift)) / b.m, e: a.e - b.e - shift }, bits);
}

/**
 * Rounds to the nearest double (ties to even) where the result is normal; subnormal results
 * may be off by one step of the subnormal grid.
 * @example
 * ```ts
 * bigToNumber(bigFromNumber(0.1)); // 0.1
 * ```
 */
export function bigToNumber(x: BigFloat): number {
  if (x.m === 0n) return 0;
  const extra = bitLength(x.m) - 64;
  if (extra <= 0) return ldexp(Number(x.m), x.e);
  // Keep 64 bits and fold the dropped ones into a sticky bit, so Number() rounds correctly.
  const negative = x.m < 0n;
  const mag = negative ? -x.m : x.m;
  let top = mag >> BigInt(extra);
  if ((top << BigInt(extra)) !== mag) top |= 1n;
  const value = ldexp(Number(top), x.e + extra);
  return negative ? -value : value;
}

const ln2Cache = new Map<number, BigFloat>();

/** ln 2 to `bits` bits: 2 atanh(1/3) = sum over n >= 0 of 2 / ((2n + 1) 3^(2n + 1)), in fixed point. */
function ln2(bits: number): BigFloat {
  const cached = ln2Cache.get(bits);
  if (cached !== undefined) return cached;
  const w = bits + 16;
  let sum = 0n;
  let power = (2n << BigInt(w)) / 3n; // 2 / 3^(2n + 1) in fixed point
  for (let n = 0n; power !== 0n; n++) {
    sum += power / (2n * n + 1n);
    power /= 9n;
  }
  const value = trim({ m: sum, e: -w }, bits);
  ln2Cache.set(bits, value);
  return value;
}

/**
 * `exp(x)` to `bits` significant bits (relative error below 2^(8-bits)). Arguments below -1500
 * give 0; the caller never needs values that small relative to the others.
 * @example
 * ```ts
 * bigToNumber(bigExp(bigFromNumber(1), 128)); // 2.718281828459045
 * ```
 */
export function bigExp(x: BigFloat, bits: number): BigFloat {
  const approx = bigToNumber(x);
  if (approx < -1500) return ZERO;
  if (approx > 1500) throw new RangeError(`bigExp: argument ${approx} overflows`);
  const k = Math.round(approx / Math.LN2);
  // r = x - k ln 2, |r| <= 0.35, in fixed point with w fractional bits.
  const w = bits + 24;
  const r = bigAdd(x, bigNeg(bigMul(bigFromNumber(k), ln2(w + 16), w + 32)));
  const shift = r.e + w;
  const R = shift >= 0 ? r.m << BigInt(shift) : r.m >> BigInt(-shift);
  const one = 1n << BigInt(w);
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * R) / (n << BigInt(w));
    sum += term;
  }
  return trim({ m: sum, e: k - w }, bits);
}
