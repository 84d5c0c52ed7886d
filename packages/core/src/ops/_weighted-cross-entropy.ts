/**
 * The numerics of the weighted sigmoid cross-entropy (`posWeight`, TensorFlow's
 * `weighted_cross_entropy_with_logits`): its float kernels and high-precision references,
 * shared by `weightedSigmoidCrossEntropyWithLogits` and its gradient op.
 *
 * With a = 1 - y, b = pw y, e = e^-|z| and d = 1 + e:
 * - loss `b softplus(-z) + a softplus(z) = c |z| + (a + b) log1p(e)`, c = a for z >= 0 and
 *   b for z < 0: two non-negative terms (labels in [0, 1], pw > 0), nothing cancels;
 * - gradient `a sigmoid(z) - b sigmoid(-z) = N / d`, N = `a - b e` (z >= 0) or `a e - b` (z < 0).
 *   N cancels near the optimum sigmoid(z) = b / (a + b) (soft labels only: hard labels never
 *   cancel). Computed in double with exact a and b; when N lost more than one bit it is
 *   recomputed in double-double (`ddExpScaled`), then in BigFloat with as many bits as it takes.
 * @module
 */
import { requireFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { BigMath, ConcreteType, RefTensor, TypeInfo } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { type BigFloat, bigAdd, bigDiv, bigExp, bigFromNumber, bigMul, bigNeg, bigToNumber } from './_big-float.js';
import { refExpm1, refLog1p } from './_cross-entropy.js';
import { broadcastIndex } from '../kernels/indexing.js';
import { type DD, ddAddNumber, ddDiv, ddLdexp, ddMul, ddSub, ddToNumber, ddExpScaled, ldexp, productError, twoSum } from './_double-double.js';

/** A double-double result is trusted while it keeps 60 of its ~104 bits. */
const DD_TRUSTED = 2 ** -44;
/** Below this e^-|z| has lost bits to the subnormal range (or is 0): kept scaled instead. */
const DD_NORMAL = 2 ** -969;
const BIG_BITS = 192;
const BIG_MAX_BITS = 4096;

/** `1 - y` as an exact pair. */
function oneMinus(y: number): DD {
  return twoSum(1, -y);
}

/** `pw y` as an exact pair. */
function product(pw: number, y: number): DD {
  const b = pw * y;
  return [b, productError(pw, y, b)];
}

/**
 * `pw y softplus(-z) + (1 - y) softplus(z)` to about 1 ULP: the linear term `c |z|` and the
 * weight `a + b` are carried as exact pairs, so only `log1p(e^-|z|)` rounds.
 */
export function weightedSigmoidCrossEntropyValue(z: number, y: number, pw: number): number {
  const w = Math.abs(z);
  const [a, ae] = oneMinus(y);
  const [b, be] = product(pw, y);
  // L = a + b = 1 + (pw - 1) y, as L + le
  const L = a + b;
  const bb = L - a;
  const le = a - (L - bb) + (b - bb) + ae + be;
  const [c, ce] = z >= 0 ? [a, ae] : [b, be];
  const t = Math.log1p(Math.exp(-w));
  const p = c * w;
  const q = L * t;
  if (!Number.isFinite(p) || !Number.isFinite(q)) return p + q;
  const pe = productError(c, w, p) + ce * w;
  const qe = productError(L, t, q) + le * t;
  const s = p + q;
  const sb = s - p;
  const loss = s + (p - (s - sb) + (q - sb) + pe + qe);
  // Near the subnormal range the error terms round to the subnormal grid, and so does a tiny
  // pw y (whose rounding error a large |z| would then multiply).
  return Math.abs(loss) < TINY_LOSS || (Math.abs(b) < TINY_LOSS && b !== 0) || (b === 0 && y !== 0 && pw !== 0) ? tinyWeightedLoss(z, y, pw) : loss;
}

/** Below this the loss is recomputed in BigFloat (`tinyWeightedLoss`). */
const TINY_LOSS = 2 ** -960;

/**
 * The loss in BigFloat, rounded once, when it or pw y is below 2^-960. The linear term is exact;
 * `log1p(e^-|z|)` is e^-|z| (to 2^-600 relative) for |z| > 600, and the double log1p (normal,
 * within an ULP) otherwise.
 */
function tinyWeightedLoss(z: number, y: number, pw: number): number {
  const bits = BIG_BITS;
  const w = Math.abs(z);
  const a = bigAdd(bigFromNumber(1), bigNeg(bigFromNumber(y)));
  const b = bigMul(bigFromNumber(pw), bigFromNumber(y), bits);
  const t = w > 600 ? bigExp(bigFromNumber(-w), bits) : bigFromNumber(Math.log1p(Math.exp(-w)));
  const linear = bigMul(z >= 0 ? a : b, bigFromNumber(w), bits);
  return bigToNumber(bigAdd(linear, bigMul(bigAdd(a, b), t, bits)));
}

/** `(1 - y) sigmoid(z) - pw y sigmoid(-z)`, within a few ULP wherever the result is a normal number. */
export function weightedSigmoidCrossEntropyGradValue(z: number, y: number, pw: number): number {
  if (z !== z || y !== y || pw !== pw) return NaN;
  const [a, ae] = oneMinus(y);
  const [b, be] = product(pw, y);
  const e = Math.exp(-Math.abs(z));
  const d = 1 + e;
  // 1 + e = d + dl exactly; dividing by d then correcting by dl / d
  const r = (e - (d - 1)) / d;
  // inexact: the operand that carries exp's rounding error, against which N may cancel
  let n: number;
  let inexact: number;
  if (z >= 0) {
    const p = b * e;
    const pe = Number.isFinite(p) ? productError(b, e, p) + be * e : 0;
    n = a - p + (ae - pe);
    inexact = Math.abs(p);
  } else {
    const p = a * e;
    const pe = productError(a, e, p) + ae * e;
    n = p - b + (pe - be);
    inexact = Math.abs(p);
  }
  // For z >= 0, e^-|z| may be subnormal or 0 while pw y e^-|z| is normal: the scaled path keeps it.
  const lostExp = z >= 0 && e < DD_NORMAL && b !== 0;
  if (!(Math.abs(n) < 0.5 * inexact) && !lostExp) {
    const g = n / d;
    return g - g * r;
  }
  const slow = weightedGradSlow(z, [a, ae], [b, be]);
  if (Math.abs(slow.n) >= DD_TRUSTED * slow.inexact) return slow.g;
  return weightedGradBig(z, y, pw, inexact);
}

/**
 * The double-double path: e^-|z| = E 2^k kept scaled, N computed as 2^k (...) where it is
 * `a E - b 2^-k` (z < 0), so no bit is lost to the subnormal range.
 */
function weightedGradSlow(z: number, A: DD, B: DD): { g: number; n: number; inexact: number } {
  const { mantissa: E, exponent: k } = ddExpScaled([-Math.abs(z), 0]);
  const D = ddAddNumber(ddLdexp(E, k), 1);
  if (z >= 0) {
    // N = a - b e; b e is normal wherever it can cancel against a >= 2^-53
    const be = ddLdexp(ddMul(B, E), k);
    const n = ddSub(A, be);
    return { g: ddToNumber(ddDiv(n, D)), n: n[0], inexact: Math.abs(be[0]) };
  }
  const ae = ddMul(A, E);
  const n = ddSub(ae, ddLdexp(B, -k));
  return { g: ldexp(ddToNumber(ddDiv(n, D)), k), n: n[0], inexact: Math.abs(ae[0]) };
}

/** The gradient in BigFloat, doubling the precision until N is resolved. */
function weightedGradBig(z: number, y: number, pw: number, inexact: number): number {
  const one = bigFromNumber(1);
  const A = bigAdd(one, bigNeg(bigFromNumber(y)));
  for (let bits = BIG_BITS; ; bits *= 2) {
    const B = bigMul(bigFromNumber(pw), bigFromNumber(y), bits);
    const E = bigExp(bigFromNumber(-Math.abs(z)), bits);
    const D = bigAdd(one, E);
    const n: BigFloat = z >= 0 ? bigAdd(A, bigNeg(bigMul(B, E, bits))) : bigAdd(bigMul(A, E, bits), bigNeg(B));
    const result = bigToNumber(bigDiv(n, D, bits));
    // settled: 64 good bits, or an error below the smallest subnormal, or the precision cap
    if (Math.abs(result) >= inexact * 2 ** (72 - bits) || Math.log2(inexact) + 8 - bits < -1080 || bits >= BIG_MAX_BITS) return result;
  }
}

// ---------------------------------------------------------------- references

function refNaN<T>(M: BigMath<T>, ...xs: T[]): boolean {
  return xs.some((x) => M.isNaN(x));
}

/** Reference `c |z| + (1 + (pw - 1) y) log(1 + e^-|z|)`, c = 1 - y for z >= 0 and pw y for z < 0. */
export function refWeightedSigmoidCrossEntropy<T>(z: T, y: T, pw: T, M: BigMath<T>): T {
  if (refNaN(M, z, y, pw)) return M.fromNumber(NaN);
  const a = M.sub(M.fromNumber(1), y);
  const b = M.mul(pw, y);
  const linear = M.mul(M.cmp(z, M.fromNumber(0)) >= 0 ? a : b, M.abs(z));
  return M.add(linear, M.mul(M.add(a, b), refLog1p(M.exp(M.neg(M.abs(z))), M)));
}

/**
 * Reference `(1 - y) sigmoid(z) - pw y sigmoid(-z)` with a = 1 - y, b = pw y, e = e^-|z|:
 * for |z| < 1, `(a - b) / 2 + (a + b) h` with `h = sigmoid(z) - 1/2 = -sign(z) expm1(-|z|) / (2 (1 + e))`
 * (nothing rounds away near z = 0); otherwise `(a - b e) / (1 + e)` for z >= 0 and
 * `(a e - b) / (1 + e)` for z < 0 (e is small there, so no term hides another).
 */
export function refWeightedSigmoidCrossEntropyGrad<T>(z: T, y: T, pw: T, M: BigMath<T>): T {
  if (refNaN(M, z, y, pw)) return M.fromNumber(NaN);
  const one = M.fromNumber(1);
  const a = M.sub(one, y);
  const b = M.mul(pw, y);
  const w = M.neg(M.abs(z));
  const e = M.exp(w);
  const d = M.add(one, e);
  const positive = M.cmp(z, M.fromNumber(0)) >= 0;
  if (M.cmp(M.abs(z), one) < 0) {
    const h = M.div(M.neg(refExpm1(w, M)), M.add(d, d));
    const half = M.div(M.sub(a, b), M.fromNumber(2));
    return M.add(half, M.mul(M.add(a, b), positive ? h : M.neg(h)));
  }
  return M.div(positive ? M.sub(a, M.mul(b, e)) : M.sub(M.mul(a, e), b), d);
}

// ---------------------------------------------------------------- three-input elementwise rules

/** Shape and dtype rule: float logits, labels and weights of one dtype, broadcast together. */
export function weightedInfer(what: string) {
  return ([z, y, pw]: readonly TypeInfo[]): TypeInfo => {
    requireFloat(z!.dtype, `${what} logits`);
    if (y!.dtype !== z!.dtype || pw!.dtype !== z!.dtype) {
      throw new DTypeError(`labels and posWeight must have the logits' dtype ${z!.dtype}, got ${y!.dtype} and ${pw!.dtype}; cast them`);
    }
    return { shape: broadcastShapes(z!.shape, broadcastShapes(y!.shape, pw!.shape)), dtype: z!.dtype };
  };
}

/** Reference of a broadcasting three-input op. */
export function ternaryReference(f: <T>(a: T, b: T, c: T, M: BigMath<T>) => T) {
  return <T>(inputs: readonly RefTensor<T>[], _attrs: unknown, M: BigMath<T>, out: ConcreteType): T[] => {
    const [a, b, c] = [inputs[0]!, inputs[1]!, inputs[2]!];
    const [ia, ib, ic] = [a, b, c].map((t) => broadcastIndex(t.shape, out.shape)) as [Int32Array, Int32Array, Int32Array];
    return Array.from(ia, (ai, i) => f(a.data[ai]!, b.data[ib[i]!]!, c.data[ic[i]!]!, M));
  };
}
