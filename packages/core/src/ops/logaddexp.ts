/**
 * `logaddexp(a, b)` = log(e^a + e^b), with NumPy broadcasting, computed as
 * max(a, b) + log1p(e^-|a - b|): finite for every finite input (`logaddexp(1e308, 1e308)` is
 * 1e308 + log 2 = 1e308, `logaddexp(-800, -800)` is -800 + log 2, where `log(exp(a) + exp(b))`
 * gives Infinity and -Infinity). logaddexp(-Infinity, -Infinity) is -Infinity, logaddexp(Infinity,
 * x) is Infinity, NaN propagates. Where the two terms cancel (max(a, b) close to -log1p(e^-|a - b|),
 * a result near 0, as for log-probabilities that sum to about 1) it is recomputed in
 * double-double from the exact difference a - b, and where even that cancels, as
 * log1p(e^a + e^b - 1) in BigFloat.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { sameShape } from '../shape.js';
import { bigAdd, bigExp, bigFromNumber, bigToNumber } from './_big-float.js';
import { ddAddNumber, ddExp, ddLog1p, ddToNumber, twoSum } from './_double-double.js';
import { binaryReference, broadcastFloatBinary } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { broadcastLike } from './broadcast-like.js';
import { concat } from './concat.js';
import { log1pReference } from './log1p.js';
import { slice } from './slice.js';

/**
 * logaddexp in float64: m + log1p(e^-|a - b|) with m = max(a, b) and a - b kept exactly. For
 * m < 0 the two terms have opposite signs; when the sum lost a bit to cancellation (|r| < t / 2)
 * it is redone in double-double, so only the final rounding remains.
 */
export function logaddexpFloat(a: number, b: number): number {
  const m = Math.max(a, b);
  // NaN, +Infinity, or both -Infinity (where a - b would be NaN)
  if (!Number.isFinite(m)) return m;
  // -|a - b| = nh + nl exactly (TwoSum); a rounded |a - b| would put its rounding error,
  // relative to t, into t = log1p(e^-|a - b|), e.g. |m| relative when |m| << t
  const [dh, dl] = twoSum(a, -b);
  const nh = dh > 0 ? -dh : dh;
  // a spread beyond the largest double: e^-|a - b| is 0 (and TwoSum's error term NaN)
  if (nh === -Infinity) return m;
  const nl = dh > 0 ? -dl : dl;
  const e = Math.exp(nh);
  // log1p(e^(nh + nl)) = log1p(e) + nl e / (1 + e) to first order (|nl| <= ulp(nh) / 2)
  const t = Math.log1p(e) + (nl * e) / (1 + e);
  const r = m + t;
  if (!(Math.abs(r) < 0.5 * t)) return r;
  const negative: readonly [number, number] = [nh, nl];
  const slow = ddToNumber(ddAddNumber(ddLog1p(ddExp(negative)), m));
  // double-double carries ~100 bits of t: trusted while the result keeps 60 of them
  return Math.abs(slow) >= DD_TRUSTED * t ? slow : logaddexpBig(a, b);
}

/** A double-double result is trusted while it keeps 60 of its ~104 bits. */
const DD_TRUSTED = 2 ** -44;

/**
 * logaddexp of a pair whose result cancels beyond double-double: log1p(u) with
 * u = e^a + e^b - 1 in BigFloat (|u| small, no cancellation left in log1p), doubling the
 * precision until u keeps 64 good bits.
 */
function logaddexpBig(a: number, b: number): number {
  const minusOne = bigFromNumber(-1);
  for (let bits = 192; ; bits *= 2) {
    const u = bigToNumber(bigAdd(bigAdd(bigExp(bigFromNumber(a), bits), bigExp(bigFromNumber(b), bits)), minusOne));
    // e^a + e^b <= 2, each within 2^(8 - bits) relative
    if (Math.abs(u) >= 2 ** (74 - bits) || bits >= 4096) return Math.log1p(u);
  }
}

/** logaddexp in high precision, with the same split so that e^a never overflows. */
export function logaddexpReference<T>(a: T, b: T, M: BigMath<T>): T {
  if (M.isNaN(a)) return a;
  if (M.isNaN(b)) return b;
  const m = M.cmp(a, b) >= 0 ? a : b;
  const limit = M.fromNumber(Infinity);
  if (M.cmp(M.abs(m), limit) === 0) return m;
  return M.add(m, log1pReference(M.exp(M.neg(M.abs(M.sub(a, b)))), M));
}

/** `x` broadcast to the shape of `like` when it has another static shape. */
function spread(x: Node, like: Node): Node {
  return sameShape(x.shape, like.shape) ? x : broadcastLike(x, like);
}

export const logaddexpOp = defineOp({
  name: 'logaddexp',
  traits: ['commutative'],
  arity: 2,
  attrs: {},
  infer: broadcastFloatBinary,
  elementwise: { scalar: logaddexpFloat },
  reference: binaryReference(logaddexpReference),
  // d log(e^a + e^b) = sigmoid(a - b) da + sigmoid(b - a) db = softmax([a, b]) . [da, db];
  // softmax takes a - b exactly, where sigmoid of a rounded a - b is off by |a - b| ULP
  vjp: ({ inputs: [a, b], output, cotangent }) => {
    const pair = concat([spread(a!, output).expandDims(-1), spread(b!, output).expandDims(-1)], -1).softmax(-1);
    const begin = output.shape.map(() => 0);
    const size = output.shape.map(() => -1);
    const weight = (k: number): Node => slice(pair, [...begin, k], [...size, 1]).squeeze(-1);
    return [unbroadcast(cotangent.mul(weight(0)), a!), unbroadcast(cotangent.mul(weight(1)), b!)];
  },
  dot: () => 'logaddexp',
});

/**
 * Elementwise log(e^a + e^b) with broadcasting, stable for every input; a number takes the
 * other operand's dtype. Accurate to a few ULP even where the result is close to 0.
 * @example
 * ```ts
 * logaddexp(logP, logQ); // log(p + q) from log-probabilities; or logP.logaddexp(logQ)
 * ```
 */
export function logaddexp(a: NodeLike, b: NodeLike): Node {
  return apply(logaddexpOp, [a, b], {});
}
