/**
 * The numerics shared by the six fused cross-entropy ops: their float kernels (to a few ULP,
 * tiny losses included) and their high-precision references. The op files hold only shapes,
 * VJPs and docs.
 *
 * Loss kernels write every quantity as a sum of non-negative terms, so nothing cancels:
 * - sigmoid: `(1 - y) z + log1p(e^-z)` for z >= 0, `-y z + log1p(e^z)` for z < 0;
 * - softmax: `lse(z) - z_i = (m - z_i) + log1p(T)`, with m = max z, `m - z_i` kept exactly
 *   as a TwoSum pair and `T = sum over i != argmax of e^(z_i - m)` summed with compensation.
 *
 * Gradient kernels (`sigmoid(z) - y`, `softmax(z)_i sum(y) - y_i`) cancel when the probability
 * (times the label sum) is close to the label. They first pick the form with an exact operand
 * (`(1 - y) - sigmoid(-z)` for y > 1/2; `(softmax(z)_i - y_i) + softmax(z)_i (sum(y) - 1)`, whose
 * second term is skipped when the compensated `sum(y) - 1` is exactly 0), compute in double, and recompute in double-double (`ddExp`) when the result
 * lost more than one bit, i.e. when |result| < (inexact operand) / 2. Where even double-double
 * cancels (a label equal to the rounded probability), `BigFloat` finishes the job with as many
 * bits as it takes.
 * @module
 */
import { requireFloat, type TypedArray } from '../dtype.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { Node } from '../node.js';
import type { BigMath, TypeInfo } from '../op.js';
import { formatShape, mayBeSameShape, type Shape, unravelIndex } from '../shape.js';
import type { Tensor } from '../tensor.js';
import {
  type DD, ddAdd, ddAddNumber, ddDiv, ddExp, ddExpScaled, ddLdexp, ddMul, ddMulNumber, ddNeg, ddSub, ddToNumber, fastExp, ldexp, productError, twoSum,
} from './_double-double.js';
import { type BigFloat, bigAdd, bigDiv, bigExp, bigFromNumber, bigMul, bigNeg, bigToNumber } from './_big-float.js';
import { checkAxis } from './_rules.js';

/** A double-double result is trusted while it keeps 60 of its ~104 bits: |g| >= 2^-44 operand. */
const DD_TRUSTED = 2 ** -44;
/** BigFloat precision of the first try; doubled until the result keeps 64 good bits. */
const BIG_BITS = 192;
const BIG_MAX_BITS = 4096;

/**
 * Whether a BigFloat result computed with `bits` bits from operands of size `inexact` is
 * settled: it keeps 64 good bits, or its error is below the smallest subnormal (the true value
 * rounds to 0 or nearly), or the precision is at its cap.
 */
function settled(result: number, inexact: number, bits: number): boolean {
  return Math.abs(result) >= inexact * 2 ** (72 - bits) || Math.log2(inexact) + 8 - bits < -1080 || bits >= BIG_MAX_BITS;
}

// ---------------------------------------------------------------- sigmoid cross-entropy

/**
 * `max(z, 0) - z y + log1p(e^-|z|)`, to about 1 ULP: the linear term is computed exactly
 * (TwoSum for 1 - y, TwoProd for the product), so only `log1p(exp(-|z|))` rounds.
 */
export function sigmoidCrossEntropyValue(z: number, y: number): number {
  const w = Math.abs(z);
  // c w is the linear term: (1 - y) |z| for z >= 0, y |z| for z < 0; ce is the error of 1 - y.
  let c = y;
  let ce = 0;
  if (z >= 0) {
    c = 1 - y;
    const bb = c - 1;
    ce = 1 - (c - bb) + (-y - bb);
  }
  const t = Math.log1p(Math.exp(-w));
  const p = c * w;
  // A label outside [0, 1] times a huge |z| overflows: the loss is that infinity (t <= log 2),
  // where the compensation below would be Inf - Inf
  if (!Number.isFinite(p)) return p + t;
  const pe = productError(c, w, p) + ce * w;
  const s = p + t;
  const bb = s - p;
  return s + (p - (s - bb) + (t - bb) + pe);
}

/** `sigmoid(z) - y`, within a few ULP wherever the result is a normal number. */
export function sigmoidCrossEntropyGradValue(z: number, y: number): number {
  // sigmoid(0) = 1/2 exactly, the one place where the difference can be exactly 0
  if (z === 0) return 0.5 - y;
  const e = Math.exp(-Math.abs(z));
  const d = 1 + e;
  // 1 + e = d + dl exactly (FastTwoSum, e <= 1); dividing by d then correcting by dl / d
  // leaves only the division's rounding and exp's own error.
  const r = (e - (d - 1)) / d;
  const inv = 1 / d;
  const ed = e / d;
  const big = inv - inv * r; // sigmoid(|z|), in [1/2, 1)
  const small = ed - ed * r; // sigmoid(-|z|), in (0, 1/2]
  let g: number;
  let inexact: number;
  if (y <= 0.5) {
    inexact = z >= 0 ? big : small;
    g = inexact - y;
  } else {
    // 1 - y is exact for y in [1/2, 1] (Sterbenz), so only sigmoid(-z) carries error.
    inexact = z >= 0 ? small : big;
    g = 1 - y - inexact;
  }
  if (!(Math.abs(g) < 0.5 * inexact)) return g;
  g = sigmoidGradSlow(z, y);
  if (Math.abs(g) >= DD_TRUSTED * inexact) return g;
  return sigmoidGradBig(z, y, inexact);
}

/** The double-double path of `sigmoid(z) - y`, for when the double one cancelled. */
function sigmoidGradSlow(z: number, y: number): number {
  // e^-|z| = E 2^k; the small sigmoid is (E / (1 + e)) 2^k, kept scaled so no bit is lost.
  const { mantissa: E, exponent: k } = ddExpScaled([-Math.abs(z), 0]);
  const D = ddAddNumber(ddLdexp(E, k), 1);
  const big = (): DD => ddDiv([1, 0], D);
  const smallScaled = (): DD => ddDiv(E, D);
  if (y <= 0.5) {
    if (z >= 0) return ddToNumber(ddAddNumber(big(), -y));
    return ldexp(ddToNumber(ddAddNumber(smallScaled(), -ldexp(y, -k))), k);
  }
  const c = 1 - y;
  if (z >= 0) return ldexp(ddToNumber(ddAddNumber(ddNeg(smallScaled()), ldexp(c, -k))), k);
  return ddToNumber(ddAddNumber(ddNeg(big()), c));
}

/** `sigmoid(z) - y` in BigFloat, doubling the precision until the difference is resolved. */
function sigmoidGradBig(z: number, y: number, inexact: number): number {
  const one = bigFromNumber(1);
  for (let bits = BIG_BITS; ; bits *= 2) {
    const E = bigExp(bigFromNumber(-Math.abs(z)), bits);
    const D = bigAdd(one, E);
    const big = bigDiv(one, D, bits);
    const small = bigDiv(E, D, bits);
    const g = y <= 0.5
      ? bigAdd(z >= 0 ? big : small, bigFromNumber(-y))
      : bigAdd(bigFromNumber(1 - y), bigNeg(z >= 0 ? small : big));
    const result = bigToNumber(g);
    if (settled(result, inexact, bits)) return result;
  }
}

// ---------------------------------------------------------------- softmax rows

/**
 * Scratch space for the softmax gradient kernels, one per kernel call, reused across rows:
 * for each element of the current row, `m - z_i` as an exact pair and `e^(z_i - m)`.
 * @example
 * ```ts
 * const scratch: SoftmaxScratch = softmaxScratch(10); // for rows of 10 logits
 * ```
 */
export interface SoftmaxScratch {
  readonly negHi: Float64Array;
  readonly negLo: Float64Array;
  readonly e: Float64Array;
  /** e_i in double-double, filled only for rows that take the slow path. */
  readonly eHi: Float64Array;
  readonly eLo: Float64Array;
}

/**
 * Scratch for rows of length `k`.
 * @example
 * ```ts
 * const scratch = softmaxScratch(k);
 * sparseRowGrad(z, grad, 0, k, label, scratch);
 * ```
 */
export function softmaxScratch(k: number): SoftmaxScratch {
  const array = (): Float64Array => new Float64Array(k);
  return { negHi: array(), negLo: array(), e: array(), eHi: array(), eLo: array() };
}

/** What `loadRow` finds: the argmax and `T = sum over i != argmax of e^(z_i - m)` as hi + lo. */
export interface RowSummary {
  argmax: number;
  max: number;
  tHi: number;
  tLo: number;
}

const row: RowSummary = { argmax: 0, max: 0, tHi: 0, tLo: 0 };

/** Index of the first largest element of a row (NaN rows give -1). */
function rowArgmax(z: TypedArray, offset: number, stride: number, k: number): number {
  let m = -Infinity;
  let a = 0;
  for (let i = 0; i < k; i++) {
    const v = z[offset + i * stride]!;
    if (v > m) {
      m = v;
      a = i;
    } else if (v !== v) return -1;
  }
  return a;
}

/**
 * Fills `row` (and `scratch`, when given) for one row: `m - z_i = hi + lo` exactly by TwoSum,
 * `e_i = e^(-hi) (1 - lo)`, and T summed with TwoSum compensation. The softmax and logSoftmax
 * kernels use it too. The result is a shared object, valid until the next call.
 */
export function loadRow(z: TypedArray, offset: number, stride: number, k: number, scratch?: SoftmaxScratch): RowSummary {
  const a = rowArgmax(z, offset, stride, k);
  const m = a < 0 ? NaN : z[offset + a * stride]!;
  let tHi = 0;
  let tLo = 0;
  for (let i = 0; i < k; i++) {
    const v = z[offset + i * stride]!;
    const hi = m - v;
    const bb = hi - m;
    // m - v overflows only for spreads beyond 1.8e308; then e^-(m - v) is 0 anyway.
    const lo = hi === Infinity ? 0 : m - (hi - bb) + (-v - bb);
    let e = fastExp(-hi);
    if (e !== 0) e -= e * lo;
    if (scratch !== undefined) {
      scratch.negHi[i] = hi;
      scratch.negLo[i] = lo;
      scratch.e[i] = e;
    }
    if (i !== a) {
      const s = tHi + e;
      const b2 = s - tHi;
      tLo += tHi - (s - b2) + (e - b2);
      tHi = s;
    }
  }
  row.argmax = a;
  row.max = m;
  row.tHi = tHi;
  row.tLo = tLo;
  return row;
}

/** `log1p(T)` for T = tHi + tLo. */
export function log1pOfTail(r: RowSummary): number {
  return Math.log1p(r.tHi) + r.tLo / (1 + r.tHi);
}

/**
 * Below this T, the losses recompute it scaled (`scaledTail`): its terms are subnormal or
 * underflowed, each off by up to half a subnormal step, and a loss `(sum y) log1p(T)` would
 * add up those errors (times the label sum).
 */
const TINY_TAIL = 2 ** -1000;
/** `scaledTail` returns T 2^TAIL_SCALE. */
const TAIL_SCALE = 1100;

/**
 * T 2^TAIL_SCALE for a row with T below TINY_TAIL (then log1p(T) = T), each term from the
 * scaled double-double exp, so that the loss rounds once into the subnormal range.
 */
function scaledTail(z: TypedArray, offset: number, stride: number, k: number, r: RowSummary): number {
  let t = 0;
  for (let i = 0; i < k; i++) {
    if (i === r.argmax) continue;
    const v = z[offset + i * stride]!;
    const hi = r.max - v;
    // e^-1500 2^1100 is below 2^-1000: nothing that could reach a float64 result
    if (!(hi < 1500)) continue;
    const bb = hi - r.max;
    const lo = r.max - (hi - bb) + (-v - bb);
    const { mantissa, exponent } = ddExpScaled([-hi, -lo]);
    t += ldexp(mantissa[0] + mantissa[1], exponent + TAIL_SCALE);
  }
  return t;
}

/**
 * Softmax cross-entropy of one row: `sum_i y_i ((m - z_i) + log1p(T))`, written as
 * `A + (sum_i y_i) log1p(T)` with A = sum_i y_i (m - z_i) in double-double.
 * @example
 * ```ts
 * const loss = softmaxRowLoss(z, y, r * k, 1, k); // row r of contiguous [rows, k] logits and labels
 * ```
 */
export function softmaxRowLoss(z: TypedArray, y: TypedArray, offset: number, stride: number, k: number): number {
  if (k === 0) return 0;
  const r = loadRow(z, offset, stride, k);
  const m = r.max;
  let aHi = 0;
  let aLo = 0;
  let syHi = 0;
  let syLo = 0;
  for (let i = 0; i < k; i++) {
    const yi = y[offset + i * stride]!;
    if (yi === 0) continue;
    const v = z[offset + i * stride]!;
    let hi = m - v;
    let p: number;
    let pe: number;
    if (hi !== Infinity) {
      const bb = hi - m;
      const lo = m - (hi - bb) + (-v - bb);
      p = yi * hi;
      pe = productError(yi, hi, p) + yi * lo;
    } else {
      // The spread overflows: y (m - z) = 2 y (m/2 - z/2), exact halving.
      hi = m * 0.5 - v * 0.5;
      p = yi * hi;
      pe = 2 * productError(yi, hi, p);
      p *= 2;
    }
    const s = aHi + p;
    const bb = s - aHi;
    aLo += aHi - (s - bb) + (p - bb) + pe;
    aHi = s;
    const t = syHi + yi;
    const b2 = t - syHi;
    syLo += syHi - (t - b2) + (yi - b2);
    syHi = t;
  }
  // (sum y) T rounded once, where T's terms would each round to the subnormal grid
  let loss: number;
  if (r.tHi < TINY_TAIL) loss = aHi + (ldexp(syHi * scaledTail(z, offset, stride, k, r), -TAIL_SCALE) + aLo);
  else {
    const L = log1pOfTail(r);
    const B = syHi * L;
    const be = productError(syHi, L, B) + syLo * L;
    const s = aHi + B;
    const bb = s - aHi;
    loss = s + (aHi - (s - bb) + (B - bb) + aLo + be);
  }
  // An overflowed partial sum (a spread beyond MAX times a label, labels summing past MAX)
  // leaves Inf - Inf in the compensation terms, NaN where the loss is Infinity or even finite.
  return Number.isFinite(loss) ? loss : wideRowLoss(z, y, offset, stride, k, r, loss);
}

/** BigFloat precision of `wideRowLoss`'s products: far beyond the 53 bits of the result. */
const WIDE_BITS = 160;

/**
 * The loss of a row whose float sums overflowed: `A + s log1p(T)` with A = sum_i y_i (m - z_i)
 * and s = sum_i y_i exact in BigFloat (no overflow there), rounded once, to Infinity exactly
 * where the loss is beyond the largest double. A label on a -Infinity logit (a masked class)
 * makes the loss +-Infinity, and so does one on a finite logit beside a +Infinity one; a row
 * of -Infinity logits with no labels (padding) has loss 0; rows with NaN or infinite labels keep
 * `fast`, the IEEE result.
 */
function wideRowLoss(z: TypedArray, y: TypedArray, offset: number, stride: number, k: number, r: RowSummary, fast: number): number {
  if (r.max === Infinity || r.max === -Infinity) {
    // each labelled term is +-Infinity, NaN where m - z is (on a +Infinity logit, or in a row
    // of -Infinity only); a row without labels (padding) is 0
    let sum = 0;
    for (let i = 0; i < k; i++) {
      const yi = y[offset + i * stride]!;
      if (yi !== 0) sum += yi * (r.max - z[offset + i * stride]!);
    }
    return sum;
  }
  if (!Number.isFinite(r.max)) return fast;
  const m = bigFromNumber(r.max);
  let a = bigFromNumber(0);
  let s = bigFromNumber(0);
  // the terms of labels on -Infinity logits (masked classes): +-Infinity, NaN if of both signs
  let masked = 0;
  for (let i = 0; i < k; i++) {
    const yi = y[offset + i * stride]!;
    const v = z[offset + i * stride]!;
    if (!Number.isFinite(yi) || Number.isNaN(v)) return fast;
    if (yi === 0) continue;
    if (v === -Infinity) {
      masked += yi * Infinity;
      continue;
    }
    const label = bigFromNumber(yi);
    a = bigAdd(a, bigMul(label, bigAdd(m, bigNeg(bigFromNumber(v))), WIDE_BITS));
    s = bigAdd(s, label);
  }
  if (masked !== 0) return masked;
  let tail: BigFloat;
  if (r.tHi < TINY_TAIL) {
    const scaled = bigFromNumber(scaledTail(z, offset, stride, k, r));
    tail = { m: scaled.m, e: scaled.e - TAIL_SCALE };
  } else tail = bigFromNumber(log1pOfTail(r));
  return bigToNumber(bigAdd(a, bigMul(s, tail, WIDE_BITS)));
}

/**
 * Sparse softmax cross-entropy of one contiguous row: `(m - z_label) + log1p(T)`.
 * @example
 * ```ts
 * loss[r] = sparseRowLoss(z, r * k, k, labels[r]);
 * ```
 */
export function sparseRowLoss(z: TypedArray, offset: number, k: number, label: number): number {
  return sparseLossOfRow(z, offset, k, label, loadRow(z, offset, 1, k));
}

/** The sparse loss of a row from its summary (`loadRow`). */
function sparseLossOfRow(z: TypedArray, offset: number, k: number, label: number, r: RowSummary): number {
  const m = r.max;
  const v = z[offset + label]!;
  const hi = m - v;
  const bb = hi - m;
  const lo = hi === Infinity ? 0 : m - (hi - bb) + (-v - bb);
  const tail = r.tHi < TINY_TAIL ? ldexp(scaledTail(z, offset, 1, k, r), -TAIL_SCALE) : log1pOfTail(r);
  return hi + (tail + lo);
}

/** 1 / (1 + T) as a double-double. */
function inverseDenominator(r: RowSummary): DD {
  const sHi = 1 + r.tHi;
  const sLo = 1 - (sHi - (sHi - 1)) + (r.tHi - (sHi - 1)) + r.tLo;
  return ddDiv([1, 0], [sHi, sLo]);
}

/**
 * `sum_i y_i` of one row (skipping entry `skip`) as a double-double, summed with TwoSum
 * compensation: exact for rows of a few labels of similar size, and within 2^-104 of the
 * largest label otherwise.
 */
function labelSum(y: TypedArray, offset: number, stride: number, k: number, skip = -1): DD {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < k; i++) {
    if (i === skip) continue;
    const v = y[offset + i * stride]!;
    const s = hi + v;
    const bb = s - hi;
    lo += hi - (s - bb) + (v - bb);
    hi = s;
  }
  return twoSum(hi, lo);
}

/**
 * `softmax(z)_i sum(y) - y_i` for one row (z, y and out share offset and stride): the derivative
 * of `sum_i y_i (lse(z) - z_i)` with respect to z_i, for any labels. With S = 1 + T, s = sum(y)
 * and d = s - 1 (compensated, so 0 exactly when the labels sum to exactly 1):
 * - d = 0: `softmax(z)_i - y_i`. Non-argmax i: `e_i / S - y_i`; argmax: `1/S - y` for
 *   y <= 1/2, `(1 - y) - T/S` otherwise.
 * - d != 0: non-argmax i: `(e_i / S - y_i) + (e_i / S) d`, where the first difference is exact
 *   when it cancels (Sterbenz) and the second term is small when s is close to 1; argmax:
 *   `(r - y T) / S` with r = sum over j != argmax of y_j, which cancels only when r is close to y T.
 * Cancelled results are recomputed in double-double, then in BigFloat.
 * @example
 * ```ts
 * softmaxRowGrad(z, y, grad, r * k, 1, k, softmaxScratch(k));
 * ```
 */
export function softmaxRowGrad(
  z: TypedArray, y: TypedArray, out: TypedArray, offset: number, stride: number, k: number, scratch: SoftmaxScratch,
): void {
  const r = loadRow(z, offset, stride, k, scratch);
  const [invHi, invLo] = inverseDenominator(r);
  const a = r.argmax;
  const total = labelSum(y, offset, stride, k);
  if (!Number.isFinite(total[0]) && rowFinite(y, offset, stride, k)) {
    scaledLabelsRowGrad(z, y, out, offset, stride, k, scratch);
    return;
  }
  const dHi = ddAddNumber(total, -1)[0];
  // Labels that sum to anything but exactly 1 (NaN included) take the general form.
  const labels: RowLabels | undefined = dHi === 0 ? undefined : { y, offset, stride, sum: total, rest: labelSum(y, offset, stride, k, a) };
  let slow: SlowRow | undefined;
  for (let i = 0; i < k; i++) {
    const at = offset + i * stride;
    const yi = y[at]!;
    // inexact: the size of the operands that carry rounding errors, against which g may cancel
    let inexact: number;
    let g: number;
    if (labels !== undefined) {
      if (i !== a) {
        const e = scratch.e[i]!;
        const p = e * invHi + e * invLo;
        const extra = p * dHi;
        g = p - yi + extra;
        inexact = p + Math.abs(extra);
      } else {
        const [restHi, restLo] = labels.rest;
        const q = yi * r.tHi;
        const num = restHi - q + (restLo - (productError(yi, r.tHi, q) + yi * r.tLo));
        g = num * invHi + num * invLo;
        inexact = (Math.abs(restHi) + Math.abs(q)) * invHi;
      }
    } else if (i !== a) {
      const e = scratch.e[i]!;
      inexact = e * invHi + e * invLo;
      g = inexact - yi;
    } else if (yi <= 0.5) {
      inexact = invHi + invLo;
      g = inexact - yi;
    } else {
      inexact = r.tHi * invHi + (r.tLo * invHi + r.tHi * invLo);
      g = 1 - yi - inexact;
    }
    if (Math.abs(g) < 0.5 * inexact) {
      slow ??= slowRow(scratch, a, k, labels);
      g = slowGrad(slow, scratch, i, yi);
      if (Math.abs(g) < DD_TRUSTED * inexact) g = bigGrad(slow, scratch, i, yi, inexact);
    }
    out[at] = g;
  }
}

/** Whether every element of a row is finite. */
function rowFinite(x: TypedArray, offset: number, stride: number, k: number): boolean {
  for (let i = 0; i < k; i++) if (!Number.isFinite(x[offset + i * stride]!)) return false;
  return true;
}

/**
 * `softmaxRowGrad` for finite labels whose sum overflows (its compensation then holds
 * Inf - Inf): the gradient is linear in the labels, so it is computed for the labels times
 * 2^-n (n with k 2^-n <= 1/2, so the sum stays finite; exact but for subnormal labels) and
 * scaled back.
 */
function scaledLabelsRowGrad(
  z: TypedArray, y: TypedArray, out: TypedArray, offset: number, stride: number, k: number, scratch: SoftmaxScratch,
): void {
  const n = Math.ceil(Math.log2(k)) + 1;
  const zs = new Float64Array(k);
  const ys = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    zs[i] = z[offset + i * stride]!;
    ys[i] = ldexp(y[offset + i * stride]!, -n);
  }
  const g = new Float64Array(k);
  softmaxRowGrad(zs, ys, g, 0, 1, k, scratch);
  for (let i = 0; i < k; i++) out[offset + i * stride] = ldexp(g[i]!, n);
}

/**
 * `softmax(z) - oneHot(label)` for one contiguous row. Never cancels: the label's entry is
 * `-(sum over i != label of e_i) / S`.
 * @example
 * ```ts
 * sparseRowGrad(z, grad, r * k, k, labels[r], scratch);
 * ```
 */
export function sparseRowGrad(z: TypedArray, out: TypedArray, offset: number, k: number, label: number, scratch: SoftmaxScratch): void {
  sparseGradOfRow(out, offset, k, label, scratch, loadRow(z, offset, 1, k, scratch));
}

/**
 * The sparse loss and its gradient of one row in one pass over it (one exp per entry): the same
 * values as `sparseRowLoss` and `sparseRowGrad`, for backends that need both.
 * @example
 * ```ts
 * loss[r] = sparseRowLossAndGrad(z, grad, r * k, k, labels[r], scratch);
 * ```
 */
export function sparseRowLossAndGrad(z: TypedArray, out: TypedArray, offset: number, k: number, label: number, scratch: SoftmaxScratch): number {
  const r = loadRow(z, offset, 1, k, scratch);
  sparseGradOfRow(out, offset, k, label, scratch, r);
  return sparseLossOfRow(z, offset, k, label, r);
}

/** The sparse gradient of a row from its summary and scratch (`loadRow` with scratch). */
function sparseGradOfRow(out: TypedArray, offset: number, k: number, label: number, scratch: SoftmaxScratch, r: RowSummary): void {
  const [invHi, invLo] = inverseDenominator(r);
  for (let i = 0; i < k; i++) {
    const e = scratch.e[i]!;
    out[offset + i] = e * invHi + e * invLo;
  }
  // sum over i != label of e_i = (1 - e_label) + T; both terms are non-negative.
  const c = 1 - scratch.e[label]!; // e = 1 at the argmax
  const nHi = c + r.tHi;
  const bb = nHi - c;
  const nLo = c - (nHi - bb) + (r.tHi - bb) + r.tLo;
  out[offset + label] = -(nHi * invHi + (nLo * invHi + nHi * invLo));
}

/**
 * The labels of a row that do not sum to exactly 1: where they are, their sum s, and the sum r
 * of all but the argmax entry's, both double-double.
 */
interface RowLabels {
  readonly y: TypedArray;
  readonly offset: number;
  readonly stride: number;
  readonly sum: DD;
  readonly rest: DD;
}

/**
 * Double-double T and S = 1 + T of a row, computed once when some element needs them, and
 * the BigFloat ones, computed once when double-double is not enough.
 */
interface SlowRow {
  readonly argmax: number;
  readonly k: number;
  readonly t: DD;
  readonly s: DD;
  /** 1 / S */
  readonly inv: DD;
  /** Labels summing to s != 1, or undefined for s = 1. */
  readonly labels: RowLabels | undefined;
  big?: BigRow;
}

/** A row's exponentials e_i, T and S in BigFloat at `bits` bits, and the exact label sums s and r. */
interface BigRow {
  readonly bits: number;
  readonly e: readonly BigFloat[];
  readonly t: BigFloat;
  readonly s: BigFloat;
  readonly labelSum: BigFloat;
  readonly labelRest: BigFloat;
}

function slowRow(scratch: SoftmaxScratch, argmax: number, k: number, labels: RowLabels | undefined): SlowRow {
  let t: DD = [0, 0];
  for (let j = 0; j < k; j++) {
    const [hi, lo] = ddExp([-scratch.negHi[j]!, -scratch.negLo[j]!]);
    scratch.eHi[j] = hi;
    scratch.eLo[j] = lo;
    if (j !== argmax) t = ddAdd(t, [hi, lo]);
  }
  const s = ddAddNumber(t, 1);
  return { argmax, k, t, s, inv: ddDiv([1, 0], s), labels };
}

/** Below this, e_i's low part is subnormal and the scaled exp keeps the bits instead. */
const DD_NORMAL = 2 ** -900;

/** `softmax(z)_i s - y_i` in double-double (s = 1 unless the row has labels). */
function slowGrad(slow: SlowRow, scratch: SoftmaxScratch, i: number, yi: number): number {
  const labels = slow.labels;
  if (i === slow.argmax) {
    // (r - y T) / S
    if (labels !== undefined) return ddToNumber(ddDiv(ddSub(labels.rest, ddMulNumber(slow.t, yi)), slow.s));
    if (yi <= 0.5) return ddToNumber(ddAddNumber(slow.inv, -yi));
    return ddToNumber(ddAddNumber(ddNeg(ddMul(slow.t, slow.inv)), 1 - yi));
  }
  const times = (p: DD): DD => (labels === undefined ? p : ddMul(p, labels.sum));
  const eHi = scratch.eHi[i]!;
  if (eHi >= DD_NORMAL) return ddToNumber(ddAddNumber(times(ddMul([eHi, scratch.eLo[i]!], slow.inv)), -yi));
  // e_i = E 2^k kept scaled: e_i s / S - y = 2^k (E s / S - y 2^-k), exact where it is normal.
  const { mantissa, exponent } = ddExpScaled([-scratch.negHi[i]!, -scratch.negLo[i]!]);
  return ldexp(ddToNumber(ddAddNumber(times(ddMul(mantissa, slow.inv)), -ldexp(yi, -exponent))), exponent);
}

/** The exact BigFloat sum of a row's labels, skipping entry `skip`. */
function bigLabelSum(labels: RowLabels | undefined, k: number, skip = -1): BigFloat {
  let sum = bigFromNumber(0);
  if (labels === undefined) return sum;
  for (let j = 0; j < k; j++) if (j !== skip) sum = bigAdd(sum, bigFromNumber(labels.y[labels.offset + j * labels.stride]!));
  return sum;
}

function bigRow(scratch: SoftmaxScratch, slow: SlowRow, bits: number): BigRow {
  const { argmax, k, labels } = slow;
  const e: BigFloat[] = [];
  let t = bigFromNumber(0);
  for (let j = 0; j < k; j++) {
    const hi = scratch.negHi[j]!;
    // e_j = exp(-(m - z_j)) with m - z_j = hi + lo exactly
    const ej = hi === Infinity ? bigFromNumber(0) : bigExp(bigNeg(bigAdd(bigFromNumber(hi), bigFromNumber(scratch.negLo[j]!))), bits);
    e.push(ej);
    if (j !== argmax) t = bigAdd(t, ej);
  }
  const labelSum = slow.big?.labelSum ?? bigLabelSum(labels, k);
  const labelRest = slow.big?.labelRest ?? bigLabelSum(labels, k, argmax);
  return { bits, e, t, s: bigAdd(t, bigFromNumber(1)), labelSum, labelRest };
}

/** `softmax(z)_i s - y_i` in BigFloat, doubling the precision until the difference is resolved. */
function bigGrad(slow: SlowRow, scratch: SoftmaxScratch, i: number, yi: number, inexact: number): number {
  for (let bits = slow.big?.bits ?? BIG_BITS; ; bits *= 2) {
    if (slow.big === undefined || slow.big.bits < bits) slow.big = bigRow(scratch, slow, bits);
    const { e, t, s, labelSum, labelRest } = slow.big;
    const y = bigFromNumber(yi);
    let g: BigFloat;
    if (slow.labels !== undefined) {
      g = i === slow.argmax
        ? bigDiv(bigAdd(labelRest, bigNeg(bigMul(t, y, bits))), s, bits) // (r - y T) / S
        : bigAdd(bigDiv(bigMul(e[i]!, labelSum, bits), s, bits), bigNeg(y)); // e_i s / S - y
    } else if (i !== slow.argmax) g = bigAdd(bigDiv(e[i]!, s, bits), bigNeg(y));
    else if (yi <= 0.5) g = bigAdd(bigDiv(bigFromNumber(1), s, bits), bigNeg(y));
    else g = bigAdd(bigFromNumber(1 - yi), bigNeg(bigDiv(t, s, bits)));
    const result = bigToNumber(g);
    if (settled(result, inexact, bits)) return result;
  }
}

// ---------------------------------------------------------------- references

/** `log(1 + x)` at the reference precision; a series below 1e-10, where `1 + x` would drop x. */
export function refLog1p<T>(x: T, M: BigMath<T>): T {
  if (M.cmp(M.abs(x), M.fromNumber(1e-10)) < 0) {
    // x - x^2/2 + x^3/3 - x^4/4 + x^5/5; the next term is below 1e-50 relative.
    let sum = M.fromNumber(0);
    let power = x;
    for (let n = 1; n <= 5; n++) {
      const term = M.div(power, M.fromNumber(n));
      sum = n % 2 === 1 ? M.add(sum, term) : M.sub(sum, term);
      power = M.mul(power, x);
    }
    return sum;
  }
  return M.log(M.add(M.fromNumber(1), x));
}

function refNaN<T>(M: BigMath<T>, ...xs: T[]): boolean {
  return xs.some((x) => M.isNaN(x));
}

/** Reference `max(z, 0) - z y + log(1 + e^-|z|)`, as two non-negative terms. */
export function refSigmoidCrossEntropy<T>(z: T, y: T, M: BigMath<T>): T {
  if (refNaN(M, z, y)) return M.fromNumber(NaN);
  const linear = M.cmp(z, M.fromNumber(0)) >= 0 ? M.mul(M.sub(M.fromNumber(1), y), z) : M.neg(M.mul(y, z));
  return M.add(linear, refLog1p(M.exp(M.neg(M.abs(z))), M));
}

/** `exp(x) - 1` at the reference precision; a series below 1e-5, where `exp(x) - 1` cancels. */
export function refExpm1<T>(x: T, M: BigMath<T>): T {
  if (M.cmp(M.abs(x), M.fromNumber(1e-5)) < 0) {
    // sum of x^n / n! for n = 1..12; the next term is below 1e-64 relative.
    let sum = M.fromNumber(0);
    let term = x;
    for (let n = 1; n <= 12; n++) {
      sum = M.add(sum, term);
      term = M.div(M.mul(term, x), M.fromNumber(n + 1));
    }
    return sum;
  }
  return M.sub(M.exp(x), M.fromNumber(1));
}

/**
 * Reference `sigmoid(z) - y`, in the form that cancels least: for y in [1/4, 3/4],
 * `+-(sigmoid(|z|) - 1/2) + (1/2 - y)` with `sigmoid(|z|) - 1/2 = -expm1(-|z|) / (2 (1 + e^-|z|))`
 * and `1/2 - y` exact; otherwise `sigmoid(z) - y` for y < 1/4 and `(1 - y) - sigmoid(-z)` for y > 3/4.
 */
export function refSigmoidCrossEntropyGrad<T>(z: T, y: T, M: BigMath<T>): T {
  if (refNaN(M, z, y)) return M.fromNumber(NaN);
  const one = M.fromNumber(1);
  const half = M.fromNumber(0.5);
  const w = M.neg(M.abs(z));
  const e = M.exp(w);
  const d = M.add(one, e);
  const positive = M.cmp(z, M.fromNumber(0)) >= 0;
  if (M.cmp(y, M.fromNumber(0.25)) >= 0 && M.cmp(y, M.fromNumber(0.75)) <= 0) {
    const h = M.div(M.neg(refExpm1(w, M)), M.add(d, d));
    return M.add(positive ? h : M.neg(h), M.sub(half, y));
  }
  const big = M.div(one, d);
  const small = M.div(e, d);
  if (M.cmp(y, half) <= 0) return M.sub(positive ? big : small, y);
  return M.sub(M.sub(one, y), positive ? small : big);
}

/** Reference softmax quantities of a row: argmax, max and T = sum over i != argmax of e^(z_i - m). */
function refRow<T>(z: readonly T[], M: BigMath<T>): { argmax: number; max: T; t: T } {
  let argmax = 0;
  for (let i = 1; i < z.length; i++) if (M.cmp(z[i]!, z[argmax]!) > 0) argmax = i;
  const max = z[argmax]!;
  let t = M.fromNumber(0);
  z.forEach((v, i) => {
    if (i !== argmax) t = M.add(t, M.exp(M.sub(v, max)));
  });
  return { argmax, max, t };
}

/** Reference `sum_i y_i (lse(z) - z_i)` with `lse(z) - z_i = (m - z_i) + log1p(T)`. */
export function refSoftmaxRowLoss<T>(z: readonly T[], y: readonly T[], M: BigMath<T>): T {
  if (z.some((x) => M.isNaN(x)) || y.some((x) => M.isNaN(x))) return M.fromNumber(NaN);
  if (z.length === 0) return M.fromNumber(0);
  const { max, t } = refRow(z, M);
  const log1pT = refLog1p(t, M);
  const zero = M.fromNumber(0);
  let loss = zero;
  z.forEach((v, i) => {
    if (M.cmp(y[i]!, zero) !== 0) loss = M.add(loss, M.mul(y[i]!, M.add(M.sub(max, v), log1pT)));
  });
  return loss;
}

/**
 * Reference `softmax(z)_i s - y_i` of a row, s = sum_j y_j, in whichever of three equal forms
 * cancels least (largest result relative to its largest operand), with S = 1 + T:
 * `(e_i / S) s - y_i`; at the argmax `(r - y_i T) / S` with r = sum over j != i of y_j (for s = 1,
 * `(1 - y_i) - T / S`); and a split form for ties and nearly equal logits. The split form takes
 * the set N of logits within 1/2 of the max, writes `e_j = 1 + expm1(z_j - m)` there, and expands
 * `S (p_i s - y_i) = e_i s - y_i S` into
 * `([i in N] s - y_i |N|) + (expm1(z_i - m) or e_i) s - y_i sum_N expm1(z_j - m) - y_i sum_(not N) e_j`,
 * with `s - y_i |N| = sum_N (y_j - y_i) + sum_(not N) y_j` for i in N: its label differences are
 * exact, and the other parts are small exactly when p_i s is close to y_i.
 */
export function refSoftmaxRowGrad<T>(z: readonly T[], y: readonly T[], M: BigMath<T>): T[] {
  if (z.some((x) => M.isNaN(x)) || y.some((x) => M.isNaN(x))) return z.map(() => M.fromNumber(NaN));
  const { argmax, max, t } = refRow(z, M);
  const zero = M.fromNumber(0);
  const one = M.fromNumber(1);
  const S = M.add(one, t);
  const labelSum = y.reduce((p, q) => M.add(p, q), zero);
  const gaps = z.map((v) => M.sub(v, max));
  const near = gaps.map((d) => M.cmp(d, M.fromNumber(-0.5)) > 0);
  const e = gaps.map((d) => M.exp(d));
  const em = gaps.map((d, j) => (near[j] ? refExpm1(d, M) : zero));
  const nearCount = M.fromNumber(near.filter(Boolean).length);
  const nearSum = em.reduce((a, b) => M.add(a, b), zero);
  const farSum = e.reduce((a, b, j) => (near[j] ? a : M.add(a, b)), zero);
  const abs = (x: T): T => M.abs(x);
  const maxOf = (xs: T[]): T => xs.reduce((a, b) => (M.cmp(a, b) >= 0 ? a : b));
  // The far labels apart from the near ones, so that tiny ones are not rounded away against them.
  const farLabels = y.reduce((a, b, j) => (near[j] ? a : M.add(a, b)), zero);
  return z.map((_, i) => {
    const yi = y[i]!;
    const ps = M.mul(M.div(e[i]!, S), labelSum);
    // each candidate: its value and the scale of its largest operand
    const candidates: [T, T][] = [[M.sub(ps, yi), maxOf([abs(ps), abs(yi)])]];
    if (i === argmax) {
      // r = the other labels' sum, not s - y_i (s rounded to the working precision, minus y_i)
      const rest = y.reduce((a, b, j) => (j === i ? a : M.add(a, b)), zero);
      const yt = M.mul(yi, t);
      candidates.push([M.div(M.sub(rest, yt), S), M.div(maxOf([abs(rest), abs(yt)]), S)]);
    }
    const parts = [
      // sum_N y_j - |N| y_i summed as sum_N (y_j - y_i): exact where near labels are equal
      near[i] ? y.reduce((a, b, j) => (near[j] ? M.add(a, M.sub(b, yi)) : a), zero) : M.neg(M.mul(yi, nearCount)),
      near[i] ? farLabels : zero,
      M.mul(near[i] ? em[i]! : e[i]!, labelSum),
      M.neg(M.mul(yi, nearSum)),
      M.neg(M.mul(yi, farSum)),
    ];
    candidates.push([M.div(parts.reduce((a, b) => M.add(a, b)), S), M.div(maxOf(parts.map(abs)), S)]);
    // least cancellation: largest |value| / scale, i.e. |value_a| scale_b > |value_b| scale_a;
    // a scale of 0 means all operands were exactly 0, an exact result
    let best = candidates[0]!;
    for (const c of candidates.slice(1)) {
      if (M.cmp(best[1], zero) === 0) break;
      if (M.cmp(c[1], zero) === 0 || M.cmp(M.mul(abs(c[0]), best[1]), M.mul(abs(best[0]), c[1])) > 0) best = c;
    }
    return best[0];
  });
}

// ---------------------------------------------------------------- shape rules and labels

/**
 * The shape two inputs must share exactly (no broadcasting), taking known sizes where one
 * side is symbolic. Throws a ShapeError naming both shapes.
 */
export function sameShapeOf(a: Shape, b: Shape, what: string): Shape {
  if (!mayBeSameShape(a, b)) throw new ShapeError(`${what} must have the same shape, got ${formatShape(a)} and ${formatShape(b)}`);
  return a.map((d, i) => {
    const e = b[i]!;
    return typeof d === 'number' ? d : typeof e === 'number' ? e : (d ?? e);
  });
}

/** The dtype rule of the softmax cross-entropies: float logits, labels of the same dtype. */
/** Shape rule shared by softmax cross-entropy and its gradient: float logits and labels of one shape, a valid axis. */
export function softLabelShape(z: TypeInfo, y: TypeInfo, axis: number): Shape {
  checkSoftLabels(z, y);
  const shape = sameShapeOf(z.shape, y.shape, 'logits and labels');
  checkAxis(axis, shape.length);
  return shape;
}

export function checkSoftLabels(z: TypeInfo, y: TypeInfo): void {
  requireFloat(z.dtype, 'logits');
  if (y.dtype !== z.dtype) throw new DTypeError(`labels must have the logits' dtype ${z.dtype}, got ${y.dtype}; cast them`);
}

/** Shape and dtype rule of the sparse ops: float logits [..., k], int32 labels [...]. */
export function checkSparse(z: TypeInfo, labels: TypeInfo): Shape {
  requireFloat(z.dtype, 'logits');
  if (labels.dtype !== 'int32') throw new DTypeError(`labels must be int32 class indices, got ${labels.dtype}`);
  if (z.shape.length === 0) throw new ShapeError('logits must have a class axis (rank >= 1), got a scalar');
  return sameShapeOf(z.shape.slice(0, -1), labels.shape, 'labels and the logits without their last axis');
}

/**
 * Throws a ValueError naming `node`, the label and its position unless every label is in [0, k).
 * @example
 * ```ts
 * checkLabels(labels, 10, node); // ValueError: ... label 12 at position [3] is outside [0, 10) for 10 classes
 * ```
 */
export function checkLabels(labels: Tensor, k: number, node: Node): void {
  const data = labels.data;
  for (let i = 0; i < data.length; i++) {
    const label = data[i]!;
    if (label >= 0 && label < k) continue;
    const position = labels.shape.length === 0 ? '' : ` at position [${unravelIndex(i, labels.shape).join(', ')}]`;
    throw new ValueError(`${node}: label ${label}${position} is outside [0, ${k}) for ${k} classes`);
  }
}
