/**
 * The lint's fast reference arithmetic: double-double (about 106 bits, core's error-free
 * transformations), with a watch for the cases where 106 bits in float64's exponent range are
 * not the truth: a sum that cancels more than 45 bits, a product or quotient that overflows or
 * underflows, exp beyond float64's range, values below 2^-960 where the low part loses bits. Any
 * of them marks the evaluation `unreliable`, and the lint measures that sample again with the
 * decimal reference (`createMixedPrecisionMath`). Most samples never need it, and double-double
 * is some fifty times faster than decimal arithmetic at 30 digits.
 * @module
 */
import type { BigMath } from '@stablegrad/core';
import { nextDown, nextUp } from '@stablegrad/testing';
import { type DD, ddAdd, ddAddNumber, ddDiv, ddExp, ddLog1p, ddMul, ddMulNumber, ddSub, twoProd } from '@stablegrad/core/kernels';

/** A BigMath over double-doubles that remembers whether its results can be trusted. */
export interface DoubleDoubleMath extends BigMath<DD> {
  /** Set when a result may be wrong in its first 60 bits; cleared by `reset`. */
  readonly unreliable: boolean;
  /** What made it unreliable first: `cancellation`, `range` (overflow or underflow), `exp`, `pow`. */
  readonly reason: string | undefined;
  reset(): void;
}

/** More cancellation than this (in bits) leaves fewer than 60 correct bits of 106. */
const CANCELLATION = 2 ** -45;
/** Below this magnitude the low part of a double-double is itself subnormal. */
const TINY = 2 ** -960;
/** exp overflows above this and leaves the normal range below the negative bound. */
const EXP_MAX = 709.78;
const EXP_MIN = -708;

/** Makes a fresh double-double arithmetic. */
export function createDoubleDoubleMath(): DoubleDoubleMath {
  let unreliable = false;
  let reason: string | undefined;
  const distrust = (why: string): void => {
    if (!unreliable) reason = why;
    unreliable = true;
  };
  const finite = (x: DD): boolean => Number.isFinite(x[0]);
  // Values whose true value left float64's range (overflow to an infinity, underflow to zero or
  // below 2^-960) or came from one: harmless until an operation brings the difference back.
  const tainted = new WeakSet<DD>();
  const extreme = (x: DD): boolean => !finite(x) || (x[0] !== 0 && Math.abs(x[0]) < TINY);
  const lostRange = (x: DD): boolean => tainted.has(x) && (extreme(x) || x[0] === 0);
  // Below 2^-960 a double-double's low part is subnormal or gone: products and quotients of
  // such values, and their roots and logs, lose bits even when the values were exact.
  const tiny = (x: DD): boolean => x[0] !== 0 && Math.abs(x[0]) < TINY;
  /**
   * Marks `r` tainted when an argument is, or when finite non-zero arguments gave a result out
   * of range; distrusts the evaluation when the result is back in range from an argument that
   * was not (`amplifies`: tiny times huge, 1 / tiny), or NaN from a tainted argument.
   */
  const settle = (r: DD, args: readonly DD[], amplifies: boolean): DD => {
    const fromTainted = args.some((a) => tainted.has(a));
    if (fromTainted && Number.isNaN(r[0])) distrust('range');
    if (amplifies && args.some(lostRange) && finite(r) && !extreme(r) && r[0] !== 0) distrust('range');
    const leftRange = args.every((a) => finite(a) && a[0] !== 0) && (extreme(r) || r[0] === 0);
    if (fromTainted || leftRange) tainted.add(r);
    return r;
  };
  // A plain double result that overflowed: double-double's error terms would be NaN (Inf - Inf).
  const overflowed = (plain: number, args: readonly DD[]): boolean => !Number.isFinite(plain) && args.every(finite);
  /**
   * Whether a product or quotient with an argument that left the range stays out of it, so its
   * true value still rounds like the double-double one: tiny times at most 1, huge times at least 1.
   */
  const staysOut = (lost: DD, other: DD, divided: boolean): boolean => {
    const o = Math.abs(other[0]);
    const huge = !finite(lost);
    return huge === divided ? o <= 1 : o >= 1;
  };
  const add = (a: DD, b: DD): DD => {
    // Infinities, overflow, and sums of zeros (whose sign only plain doubles get right) as doubles.
    const plainSum = a[0] + b[0];
    if (
      !finite(a) || !finite(b) || overflowed(plainSum, [a, b]) || (plainSum === 0 && a[1] === 0 && b[1] === 0 && !tainted.has(a) && !tainted.has(b))) {
      return settle([plainSum, 0], [a, b], false);
    }
    const r = ddAdd(a, b);
    const big = Math.max(Math.abs(a[0]), Math.abs(b[0]));
    const cancelled = r[0] === 0 ? a[0] !== -b[0] || a[1] !== -b[1] : Math.abs(r[0]) < CANCELLATION * big;
    if (cancelled) distrust('cancellation');
    // A tainted operand carries a part double-double lost: a sum that cancels would expose it.
    // (Sums of values that are all tiny stay tiny: nothing there to expose.)
    else if ((tainted.has(a) || tainted.has(b)) && big >= TINY && (r[0] === 0 || Math.abs(r[0]) < 2 ** -10 * big)) distrust('range');
    return settle(r, [a, b], false);
  };
  const neg = (a: DD): DD => settle([-a[0], -a[1]], [a], false);
  const M: DoubleDoubleMath = {
    get unreliable() {
      return unreliable;
    },
    get reason() {
      return reason;
    },
    reset: () => {
      unreliable = false;
      reason = undefined;
    },
    fromNumber: (x) => [x, 0],
    toNumber: (x) => (x[1] === 0 ? x[0] : x[0] + x[1]),
    add,
    sub: (a, b) => add(a, neg(b)),
    neg,
    abs: (a) => (a[0] < 0 || (a[0] === 0 && a[1] < 0) ? neg(a) : a),
    mul: (a, b) => {
      // tiny x tiny stays tiny and huge x huge stays huge; tiny x huge could be anything.
      if ((lostRange(a) && !staysOut(a, b, false)) || (lostRange(b) && !staysOut(b, a, false))) distrust('range');
      const plain = a[0] * b[0];
      if ((tiny(a) || tiny(b)) && Math.abs(plain) >= TINY) distrust('range');
      // A zero product keeps its sign only as a plain double (-0 * 3 is -0; the error terms add +0).
      const exactPlain = !finite(a) || !finite(b) || plain === 0 || overflowed(plain, [a, b]);
      return settle(exactPlain ? [plain, 0] : ddMul(a, b), [a, b], true);
    },
    div: (a, b) => {
      if (lostRange(b) || (lostRange(a) && !staysOut(a, b, true))) distrust('range');
      const plain = a[0] / b[0];
      if ((tiny(a) || tiny(b)) && Math.abs(plain) >= TINY) distrust('range');
      const exactPlain = !finite(a) || !finite(b) || b[0] === 0 || (a[0] === 0 && a[1] === 0) || overflowed(plain, [a, b]);
      return settle(exactPlain ? [plain, 0] : ddDiv(a, b), [a, b], true);
    },
    exp: (x) => {
      // exp of an overflowed value: its true value may be far from where double-double has it.
      if (lostRange(x) && !finite(x)) distrust('range');
      if (!finite(x)) return settle([Math.exp(x[0]), 0], [x], false);
      // Out of float64's range exp is an infinity or (nearly) 0 here but finite and non-zero in truth.
      const r = ddExp(x);
      if (x[0] > EXP_MAX || x[0] < EXP_MIN) tainted.add(r);
      return settle(r, [x], false);
    },
    log: (a) => {
      // The log of an underflowed or overflowed value is finite in truth: -921, not -Infinity;
      // and Newton's step from Math.log overflows exp(-log a) below 2^-960.
      if (lostRange(a) || tiny(a)) distrust('range');
      // log(1 + d) is about d: the ~2^-106 absolute error of a double-double near 1 becomes a
      // relative error of d's size, too much once |d| < 2^-45 (the low part held d's 53 bits only).
      const d = a[0] - 1 + a[1];
      if (finite(a) && d !== 0 && Math.abs(d) < CANCELLATION) distrust('cancellation');
      return settle(logOf(a), [a], false);
    },
    sqrt: (a) => {
      // sqrt brings an underflowed or overflowed value back into range: 1e-400 -> 1e-200.
      if (lostRange(a) || tiny(a)) distrust('range');
      return settle(sqrtOf(a), [a], false);
    },
    pow: (a, b) => {
      if (lostRange(a) || lostRange(b) || tiny(a)) distrust('range');
      const exponent = b[0] + b[1];
      if (b[1] === 0 && Number.isInteger(exponent) && Math.abs(exponent) <= 64 && finite(a)) {
        let result: DD = [1, 0];
        for (let i = 0; i < Math.abs(exponent); i++) result = M.mul(result, a);
        return exponent < 0 ? M.div([1, 0], result) : result;
      }
      if (!finite(a) || !finite(b) || a[0] <= 0) {
        distrust('pow');
        return [Math.pow(a[0], exponent), 0];
      }
      return M.exp(M.mul(b, M.log(a)));
    },
    trunc: (a) => {
      const t = Math.trunc(a[0]);
      if (t !== a[0] || a[1] === 0) return [t, 0];
      // hi is an integer: the low part decides whether the value lies just below or above it.
      if (a[0] > 0 && a[1] < 0) return [a[0] - 1, 0];
      if (a[0] < 0 && a[1] > 0) return [a[0] + 1, 0];
      return [a[0], 0];
    },
    cmp: (a, b) => (a[0] !== b[0] ? Math.sign(a[0] - b[0]) : Math.sign(a[1] - b[1])),
    isNaN: (a) => Number.isNaN(a[0]),
  };
  return M;
}

/** log in double-double: near 1 through log1p of the exact difference, elsewhere one Newton step from Math.log. */
function logOf(a: DD): DD {
  if (!Number.isFinite(a[0]) || a[0] <= 0) return [Math.log(a[0]), 0];
  // (The caller distrusts a below 2^-960, where exp(-log a) would overflow: plain log is enough.)
  if (a[0] < TINY) return [Math.log(a[0]), 0];
  if (Math.abs(a[0] - 1) < 0.5) return ddLog1p(ddAddNumber(a, -1));
  const y0 = Math.log(a[0]);
  // y0 + (a e^-y0 - 1): Newton's step on e^y = a doubles the ~53 correct bits of Math.log.
  return ddAddNumber(ddAddNumber(ddMul(a, ddExp([-y0, 0])), -1), y0);
}

/** sqrt in double-double: Math.sqrt and one Newton step on the exact residual a - s0^2. */
function sqrtOf(a: DD): DD {
  if (!Number.isFinite(a[0]) || a[0] <= 0) return [Math.sqrt(a[0]), 0];
  const s0 = Math.sqrt(a[0]);
  return ddAddNumber(ddMulNumber(ddSub(a, twoProd(s0, s0)), 1 / (2 * s0)), s0);
}

/**
 * A double-double rounded to `dtype` once: float64 by adding the parts; float32 by rounding the
 * high part, unless it lies exactly halfway between two float32 values, where the low part decides.
 */
export function roundDoubleDouble(x: DD, dtype: 'float32' | 'float64' | 'int32'): number {
  // x[0] alone keeps the sign of a zero (-0 + 0 is +0).
  const d = x[1] === 0 ? x[0] : x[0] + x[1];
  if (dtype !== 'float32') return d;
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(f) || x[1] === 0) return f;
  const other = d > f ? nextUp(f, 'float32') : nextDown(f, 'float32');
  if (!Number.isFinite(other) || (f + other) / 2 !== d) return f;
  // d is a float32 midpoint: round toward the side of the low part.
  return x[1] > 0 ? Math.max(f, other) : Math.min(f, other);
}
