/**
 * Keras-style probability losses: the guards that Keras puts around a probability before taking
 * its log are treated as what they are, stability guards, and removed when the probability is a
 * sigmoid or softmax output, so that the sigmoid and softmax rules can turn the log into the
 * logit form (logSigmoid, logSoftmax) and the recognition rules can fuse the whole loss.
 *
 * The guards: `log(clip(p, eps, 1 - eps))` and `log(1 - clip(p, eps, 1 - eps))` (Keras,
 * eps = 1e-7), the same plus eps inside the log (`log(p + eps)`, `log(1 - p + eps)`, the
 * tf.keras backend's binary cross-entropy), and the renormalisation `p / sum(p, axis, keepDims)`
 * of categorical cross-entropy, which is p itself when p = softmax(z, axis).
 *
 * Policy: the result is the *exact* loss, not the clipped one. The clipped loss saturates at
 * -log(1e-7) ~ 16.1 and has zero gradient there, so a confidently wrong prediction stops being
 * corrected; the exact loss keeps growing (softplus(z) for a wrong sigmoid) and its gradient
 * keeps pointing the right way. Where the clip is not active (eps <= p <= 1 - eps) the two
 * agree; where it is, the rewritten graph computes the unclipped value. The epsilon added
 * inside the log shifts the loss by at most eps / p, and is dropped the same way.
 *
 * Guards: eps is a small positive constant (0 < eps <= 1e-3; float32-rounded 1e-7 too), the
 * clip's upper bound is 1 - eps within float32 rounding (or anything above), and p is a sigmoid
 * or softmax output, possibly seen through movement ops (gather, reshape, ...) or renormalised.
 * `log(1 - p)` forms are rewritten only for a sigmoid p, the one case with a stable logit form
 * (logSigmoid(-z)); for a softmax, dropping the clip would leave log(0) where p rounds to 1.
 * A `log(clip(x, ...))` of anything else (an input that only looks like a probability) is kept.
 * @module
 */
import { add, clip, div, input, log, neg, type Node, reshape, sigmoid, softmax, sub, sum } from '@stablegrad/core';
import { attr, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { normalizingAxis, sameShape, throughMovement } from './softmax.js';

/** Largest epsilon treated as a guard: Keras uses 1e-7; anything below 1e-3 is a guard, not a model choice. */
const MAX_EPSILON = 1e-3;
/** Slack on `hi = 1 - eps`: a few float32 ULP near 1. */
const ONE_SLACK = 2 ** -22;

/** The value of a constant whose elements all equal one number, else null. */
function constantValue(n: Node): number | null {
  const data = n.op === 'constant' ? n.value?.data : undefined;
  if (data === undefined || data.length === 0) return null;
  const first = data[0]!;
  for (const d of data) if (d !== first) return null;
  return first;
}

/** A constant eps with 0 < eps <= 1e-3 (a float32-rounded 1e-3 included). */
function isEpsilon(n: Node): boolean {
  const e = constantValue(n);
  return e !== null && e > 0 && e <= MAX_EPSILON * (1 + ONE_SLACK);
}

/** A constant 1 + eps with 0 < eps <= 1e-3. */
function isOnePlusEpsilon(n: Node): boolean {
  const e = constantValue(n);
  return e !== null && e > 1 && e <= 1 + MAX_EPSILON * (1 + ONE_SLACK);
}

/** Clip bounds that only guard against 0 and 1: lo = eps, hi = 1 - eps (or above). */
function isGuardBounds(lo: unknown, hi: unknown): boolean {
  return typeof lo === 'number' && typeof hi === 'number' && lo > 0 && lo <= MAX_EPSILON * (1 + ONE_SLACK) && hi >= 1 - lo - ONE_SLACK;
}

/** True when `p` is `softmax(z, a) / sum(softmax(z, a), a, keepDims)`. */
function isRenormalizedSoftmax(p: Node): boolean {
  if (p.op !== 'div' || p.inputs[0]!.op !== 'softmax') return false;
  const s = p.inputs[0]!;
  const sameSoftmax = (n: Node) => n === s || (n.op === 'softmax' && n.inputs[0] === s.inputs[0] && n.attrs.axis === s.attrs.axis);
  return normalizingAxis(p.inputs[1]!, sameSoftmax) === s.attrs.axis && sameShape(p, s);
}

/** A sigmoid or softmax output, possibly moved (gather, reshape, ...) or renormalised. */
function isProbabilityOutput(p: Node): boolean {
  const { source } = throughMovement(p);
  return source.op === 'sigmoid' || source.op === 'softmax' || isRenormalizedSoftmax(source);
}

/** `clip(p, eps, 1 - eps)` -> p; anything else unchanged. */
function unclipped(q: Node): Node {
  return q.op === 'clip' && isGuardBounds(q.attrs.lo, q.attrs.hi) ? q.inputs[0]! : q;
}

/** A probability output, or a guard clip of one. */
function isMaybeClippedProbability(q: Node): boolean {
  return isProbabilityOutput(unclipped(q));
}

/** A sigmoid output, or a guard clip of one. */
function isMaybeClippedSigmoid(q: Node): boolean {
  return unclipped(q).op === 'sigmoid';
}

const p = v('p');
const z = v('z');
const q = v('q', isMaybeClippedProbability);
const qs = v('q', isMaybeClippedSigmoid);
const eps = v('eps', isEpsilon);
const guardClip = (inner: typeof p) => op('clip', [inner], { lo: attr('lo'), hi: attr('hi') });
const guarded = (m: { readonly $attrs: { readonly [k: string]: unknown } }) => isGuardBounds(m.$attrs.lo, m.$attrs.hi);
const E = 1e-7;
const zs = () => input([3], { name: 'z' });
const zz = () => input([2, 3], { name: 'z' });

/** softmax(z, a) / sum(softmax(z, a), a, keepDims) -> softmax(z, a). */
export const renormalizedSoftmax = rule({
  name: 'keras-renormalized-softmax',
  doc: 'p / sum(p, axis) is p for p = softmax(z, axis): Keras renormalises probabilities that already sum to 1',
  pattern: P.div(op('softmax', [z], { axis: attr('axis') }), v('den')),
  guard: (m) => isRenormalizedSoftmax(m.$root),
  // sum_i softmax(z)_i = 1
  replace: (m) => m.$root.inputs[0]!,
  examples: [
    { before: () => { const s = softmax(zz(), 1); return div(s, sum(s, { axis: 1, keepDims: true })); }, after: 'softmax{axis=1}(z)' },
    {
      before: () => { const s = softmax(zz(), 1); return log(clip(div(s, sum(s, { axis: 1, keepDims: true })), E, 1 - E)); },
      after: 'logSoftmax{axis=1}(z)',
    },
  ],
});

/** log(clip(p, eps, 1 - eps)) -> log(p). */
export const logOfClipped = rule({
  name: 'keras-log-clipped',
  doc: 'log(clip(p, eps, 1 - eps)) is log(p) for a sigmoid/softmax p: the clip is a stability guard, and the logit form needs none',
  pattern: P.log(guardClip(v('p', isProbabilityOutput))),
  guard: guarded,
  // log(p) where eps <= p <= 1 - eps; beyond, the exact log(p) instead of log(eps) (see header)
  replace: (m) => log(m.p),
  examples: [
    { before: () => log(clip(sigmoid(zs()), E, 1 - E)), after: 'logSigmoid(z)' },
    { before: () => log(clip(softmax(zz(), 1), E, 1 - E)), after: 'logSoftmax{axis=1}(z)' },
    { before: () => log(clip(reshape(softmax(zz(), 1), [6]), E, 1 - E)), after: 'reshape{shape=[6]}(logSoftmax{axis=1}(z))' },
  ],
});

/** log(1 - clip(sigmoid(z), eps, 1 - eps)) -> log(1 - sigmoid(z)). */
export const logOfOneMinusClipped = rule({
  name: 'keras-log-one-minus-clipped',
  doc: 'log(1 - clip(p, eps, 1 - eps)) is log(1 - p) for a sigmoid p, which becomes logSigmoid(-z)',
  pattern: P.log(P.add(c(1), P.neg(guardClip(p)))),
  // (the 1 may be a constant tensor that broadcasts p to a larger shape: then keep it)
  guard: (m) => guarded(m) && m.p.op === 'sigmoid' && sameShape(m.$root, m.p),
  // log(1 - p) where eps <= p <= 1 - eps; beyond, the exact value (see header)
  replace: (m) => log(add(1, neg(m.p))),
  examples: [{ before: () => log(sub(1, clip(sigmoid(zs()), E, 1 - E))), after: 'logSigmoid(neg(z))' }],
});

/** log(q + eps) -> log(p), q = p or clip(p, eps, 1 - eps). */
export const logPlusEpsilon = rule({
  name: 'keras-log-epsilon',
  doc: 'log(p + eps) (p possibly clipped) is log(p) for a sigmoid/softmax p: eps only guards against log(0)',
  pattern: P.log(P.add(q, eps)),
  guard: (m) => sameShape(m.$root, m.q),
  // log(p + eps) = log(p) + log(1 + eps/p); the second term is at most eps/p
  replace: (m) => log(unclipped(m.q)),
  examples: [
    { before: () => log(add(sigmoid(zs()), E)), after: 'logSigmoid(z)' },
    { before: () => log(add(clip(softmax(zz(), 1), E, 1 - E), E)), after: 'logSoftmax{axis=1}(z)' },
    // tf.keras: 1 - p is rewritten to sigmoid(-z) first, then its log loses the epsilon.
    { before: () => log(add(sub(1, sigmoid(zs())), E)), after: 'logSigmoid(neg(z))' },
  ],
});

/** log((1 - q) + eps) -> log(1 - p), q = sigmoid p or clip(p, eps, 1 - eps). */
export const logOneMinusPlusEpsilon = rule({
  name: 'keras-log-one-minus-epsilon',
  doc: 'log(1 - p + eps) (p possibly clipped) is log(1 - p) for a sigmoid p, which becomes logSigmoid(-z)',
  pattern: P.log(P.add(P.add(c(1), P.neg(qs)), eps)),
  guard: (m) => sameShape(m.$root, m.q),
  // log(1 - p + eps) = log(1 - p) + log(1 + eps/(1 - p))
  replace: (m) => log(add(1, neg(unclipped(m.q)))),
  examples: [{ before: () => log(add(sub(1, clip(sigmoid(zs()), E, 1 - E)), E)), after: 'logSigmoid(neg(z))' }],
});

/** log((1 + eps) - q) -> log(1 - p), the same with the constants folded. */
export const logOnePlusEpsilonMinus = rule({
  name: 'keras-log-one-plus-epsilon-minus',
  doc: 'log((1 + eps) - p) (p possibly clipped) is log(1 - p) for a sigmoid p, which becomes logSigmoid(-z)',
  pattern: P.log(P.add(v('onePlusEps', isOnePlusEpsilon), P.neg(qs))),
  guard: (m) => sameShape(m.$root, m.q),
  // log(1 + eps - p) = log(1 - p) + log(1 + eps/(1 - p))
  replace: (m) => log(add(1, neg(unclipped(m.q)))),
  examples: [{ before: () => log(sub(1 + E, clip(sigmoid(zs()), E, 1 - E))), after: 'logSigmoid(neg(z))' }],
});

/** The Keras guard rules, in the order they are tried (before the sigmoid and softmax rules). */
export const kerasRules = [
  renormalizedSoftmax, logOfClipped, logOfOneMinusClipped, logPlusEpsilon, logOneMinusPlusEpsilon, logOnePlusEpsilonMinus,
];
