// BigMath over decimal.js, for checking kernels and op references in this directory
// (independent of the testing package, which core's tests do not depend on).
import { Decimal } from 'decimal.js';
import type { BigMath } from '@stablegrad/core';

// Every float64 is a dyadic rational with at most 767 significant decimal digits, and the exact
// sum, difference or product of two float64 values has at most ~1400: 2000 digits hold them all.
const EXACT_DIGITS = 2000;
const Exact = Decimal.clone({ precision: EXACT_DIGITS, rounding: Decimal.ROUND_HALF_EVEN });
const TWO_53 = 2 ** 53;

/**
 * The float64 `x` as an exact decimal. `new Decimal(x)` is not enough: it reads the shortest
 * round-trip string (1e-30 rather than the binary value 1.0000000000000000083e-30), an error of
 * up to half an ULP that shows up as several ULP after pow.
 */
function exactDecimal(x: number): Decimal {
  if (!Number.isFinite(x) || x === 0) return new Exact(x);
  // x = m * 2^e with m an integer below 2^53; scaling by 2 is exact in float64.
  let m = x;
  let e = 0;
  while (!Number.isInteger(m)) { m *= 2; e--; }
  while (Math.abs(m) >= TWO_53) { m /= 2; e++; }
  return new Exact(m).mul(new Exact(2).pow(e));
}

/** A BigMath computing at `precision` significant digits (round half to even). */
export function makeDecimalMath(precision: number): BigMath<Decimal> {
  const D = Decimal.clone({ precision, rounding: Decimal.ROUND_HALF_EVEN });
  return {
    // the constructor copies a Decimal without rounding it, so inputs stay exact
    fromNumber: (x) => new D(exactDecimal(x)),
    toNumber: (x) => Number(x.toString()), // V8 parses long decimal strings correctly rounded
    add: (a, b) => a.add(b),
    sub: (a, b) => a.sub(b),
    mul: (a, b) => a.mul(b),
    div: (a, b) => a.div(b),
    neg: (a) => a.neg(),
    abs: (a) => a.abs(),
    exp: (a) => a.exp(),
    log: (a) => a.ln(),
    sqrt: (a) => a.sqrt(),
    pow: (a, b) => a.pow(b),
    trunc: (a) => a.trunc(),
    cmp: (a, b) => a.cmp(b),
    isNaN: (a) => a.isNaN(),
  };
}

/** 60 digits, as the design's reference evaluator uses; for transcendental functions. */
export const M60 = makeDecimalMath(60);
/** Exact for +, -, * of float64 values (and division ties in the subnormal range). */
export const MExact = makeDecimalMath(EXACT_DIGITS);
/** Same as M60 (name kept for the other test files of this directory). */
export const decimalMath = M60;
/** A 60-digit Decimal constructor. Careful: `new D(x)` reads x's shortest string, not its exact value. */
export const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
/** Instances of D. */
export type Dec = Decimal;

/** Distance in units in the last place between two float64 values (0 for equal, incl. +-0). */
export function ulpDistance(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const ordered = (x: number): bigint => {
    const bits = new BigInt64Array(new Float64Array([x]).buffer)[0]!;
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}
