/**
 * Guarded probability losses: the guards people put around a probability before taking its
 * log are treated as what they are, stability guards, and removed when the probability is a
 * sigmoid or softmax output, so that the sigmoid and softmax rules can turn the log into the
 * logit form (logSigmoid, logSoftmax) and the recognition rules can fuse the whole loss.
 *
 * The guards: `log(clip(p, eps, 1 - eps))` and `log(1 - clip(p, eps, 1 - eps))` (Keras,
 * eps = 1e-7), `maximum(p, eps)` and `minimum(p, 1 - eps)` in place of the clip (numpy
 * tutorials), eps inside the log (`log(p + eps)`, `log(1 - p + eps)`, the tf.keras backend's
 * binary cross-entropy), the log itself clamped (`maximum(log p, -100)`, PyTorch's BCELoss),
 * the renormalisation `p / sum(p, axis, keepDims)` of categorical cross-entropy (p itself when
 * p = softmax(z, axis)), and old Keras' logit recovery `log(p / (1 - p))` of a clipped sigmoid.
 *
 * Policy: the result is the *exact* loss, not the guarded one. The clipped loss saturates at
 * -log(1e-7) ~ 16.1 and has zero gradient there, so a confidently wrong prediction stops being
 * corrected; the exact loss keeps growing (softplus(z) for a wrong sigmoid) and its gradient
 * keeps pointing the right way. Where the guard is not active (eps <= p <= 1 - eps, log p >= -100)
 * the two agree; where it is, the rewritten graph computes the unguarded value. An epsilon added
 * inside the log shifts the loss by at most eps / p, and is dropped the same way.
 *
 * What counts as a guard: an epsilon or clip bound up to `guardEpsilon` (a stabilize option,
 * default 1e-6: Keras' 1e-7 and the usual 1e-8 to 1e-15 qualify, float32-rounded ones too), an
 * upper bound of at least 1 - eps, a clamp of the log at or below log(guardEpsilon) (-13.8 by
 * default: PyTorch's -100 qualifies). A larger epsilon (`-log(sigmoid(x) + 1e-3)` is 6.86 at
 * x = -10, not 10.0) or a tighter clip is part of the model and kept as written; the rest of the
 * graph is still stabilized. p must be a sigmoid or softmax output, possibly seen through
 * movement ops (gather, reshape, ...) or renormalised; `log(1 - p)` forms are rewritten only for a
 * sigmoid p, the one case with a stable logit form (logSigmoid(-z)). A guarded log of anything
 * else (an input that only looks like a probability) is kept.
 * @module
 */
import { add, clip, div, hasTrait, input, log, maximum, minimum, neg, type Node, reshape, sigmoid, softmax, sub, sum } from '@stablegrad/core';
import { attr, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { ruleContext } from '../../context.js';
import { constantValue } from '../_guards.js';
import { isProbability, normalizingAxis, sameShape, throughMovement } from './softmax.js';

/** Relative slack on the guard bound, so that a float32-rounded epsilon counts as the epsilon. */
const EPSILON_SLACK = 2 ** -22;
/** Slack on `hi = 1 - eps`: a few float32 ULP near 1. */
const ONE_SLACK = 2 ** -22;

/** The largest epsilon treated as a guard in this rewrite (`guardEpsilon`, default 1e-6). */
function guardBound(): number {
  return ruleContext().guardEpsilon * (1 + EPSILON_SLACK);
}

/** A scalar-like constant eps with 0 < eps <= the guard bound. */
function isEpsilon(n: Node): boolean {
  const e = constantValue(n);
  return e !== null && e > 0 && e <= guardBound();
}

/** A constant 1 + eps with 0 < eps <= the guard bound (plus half a float32 ULP of 1, its rounding). */
function isOnePlusEpsilon(n: Node): boolean {
  const e = constantValue(n);
  return e !== null && e > 1 && e - 1 <= guardBound() + 2 ** -24;
}

/** A constant hi >= 1 - eps: an upper guard that only keeps a probability away from 1. */
function isUpperGuard(hi: number | null): boolean {
  return hi !== null && hi >= 1 - guardBound() - ONE_SLACK;
}

/** Clip bounds that only guard against 0 and 1: lo = eps, hi = 1 - eps (or above). */
function isGuardBounds(lo: unknown, hi: unknown): boolean {
  return typeof lo === 'number' && typeof hi === 'number' && lo > 0 && lo <= guardBound() && hi >= 1 - lo - ONE_SLACK;
}

/**
 * One guard layer around a probability: `clip(p, eps, 1 - eps)`, `maximum(p, eps)` or
 * `minimum(p, 1 - eps)` (either operand order), whose removal changes no shape; returns p, or
 * null when `q` is not a guard.
 */
function guardedInner(q: Node): Node | null {
  if (q.op === 'clip') return isGuardBounds(q.attrs.lo, q.attrs.hi) ? q.inputs[0]! : null;
  if (q.op !== 'maximum' && q.op !== 'minimum') return null;
  for (const [p, bound] of [[q.inputs[0]!, q.inputs[1]!], [q.inputs[1]!, q.inputs[0]!]] as const) {
    const guards = q.op === 'maximum' ? isEpsilon(bound) : isUpperGuard(constantValue(bound));
    if (guards && sameShape(p, q)) return p;
  }
  return null;
}

/** p without the guard layers around it; `q` itself when there are none. */
function unclipped(q: Node): Node {
  let p = q;
  for (let inner = guardedInner(p); inner !== null; inner = guardedInner(p)) p = inner;
  return p;
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
  return isProbability(p) || isRenormalizedSoftmax(throughMovement(p).source);
}

/** A probability output, or a guard clip of one. */
function isMaybeClippedProbability(q: Node): boolean {
  return isProbabilityOutput(unclipped(q));
}

/** A sigmoid output, or a guard clip of one. */
function isMaybeClippedSigmoid(q: Node): boolean {
  return unclipped(q).op === 'sigmoid';
}

const z = v('z');
const q = v('q', isMaybeClippedProbability);
const qs = v('q', isMaybeClippedSigmoid);
const eps = v('eps', isEpsilon);
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

/** True when `q` is a guard (or guards) around a sigmoid or softmax output. */
const isGuardedProbability = (q: Node): boolean => unclipped(q) !== q && isProbabilityOutput(unclipped(q));

/** log(clip(p, eps, 1 - eps)) -> log(p). */
export const logOfClipped = rule({
  name: 'keras-log-clipped',
  doc: 'log(clip(p, eps, 1 - eps)) is log(p) for a sigmoid/softmax p: the clip is a stability guard, and the logit form needs none',
  pattern: P.log(op('clip', [v('p')], { lo: attr('lo'), hi: attr('hi') })),
  guard: (m) => isGuardedProbability(m.$root.inputs[0]!),
  // log(p) where eps <= p <= 1 - eps; beyond, the exact log(p) instead of log(eps) (see header)
  replace: (m) => log(unclipped(m.$root.inputs[0]!)),
  examples: [
    { before: () => log(clip(sigmoid(zs()), E, 1 - E)), after: 'logSigmoid(z)' },
    { before: () => log(clip(softmax(zz(), 1), E, 1 - E)), after: 'logSoftmax{axis=1}(z)' },
    { before: () => log(clip(reshape(softmax(zz(), 1), [6]), E, 1 - E)), after: 'reshape{shape=[6]}(logSoftmax{axis=1}(z))' },
  ],
});

/** log(maximum(p, eps)) -> log(p), and minimum(p, 1 - eps) likewise. */
export const logOfMaximumGuarded = rule({
  name: 'log-maximum-guarded',
  doc: 'log(maximum(p, eps)) (and minimum(p, 1 - eps)) is log(p) for a sigmoid/softmax p: the guard keeps p from 0, and the logit form needs none',
  pattern: P.log(op(['maximum', 'minimum'], [v('p'), v('bound')])),
  guard: (m) => isGuardedProbability(m.$root.inputs[0]!),
  // log(p) where p >= eps; below, the exact log(p) instead of log(eps) (see header)
  replace: (m) => log(unclipped(m.$root.inputs[0]!)),
  examples: [
    { before: () => log(maximum(softmax(zz(), 1), 1e-12)), after: 'logSoftmax{axis=1}(z)' },
    { before: () => log(minimum(maximum(sigmoid(zs()), E), 1 - E)), after: 'logSigmoid(z)' },
  ],
});

/** log(1 - guard(sigmoid(z))) -> log(1 - sigmoid(z)). */
export const logOfOneMinusClipped = rule({
  name: 'keras-log-one-minus-clipped',
  doc: 'log(1 - clip(p, eps, 1 - eps)) (or another guard of p) is log(1 - p) for a sigmoid p, which becomes logSigmoid(-z)',
  pattern: P.log(P.add(c(1), P.neg(v('q', (n) => unclipped(n) !== n && unclipped(n).op === 'sigmoid')))),
  // (the 1 may be a constant tensor that broadcasts p to a larger shape: then keep it)
  guard: (m) => sameShape(m.$root, m.q),
  // log(1 - p) where eps <= p <= 1 - eps; beyond, the exact value (see header)
  replace: (m) => log(add(1, neg(unclipped(m.q)))),
  examples: [
    { before: () => log(sub(1, clip(sigmoid(zs()), E, 1 - E))), after: 'logSigmoid(neg(z))' },
    { before: () => log(sub(1, minimum(sigmoid(zs()), 1 - E))), after: 'logSigmoid(neg(z))' },
  ],
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

/** A log-probability: logSigmoid or logSoftmax (possibly moved), or a fused cross-entropy's negation. */
function isLogProbability(n: Node): boolean {
  if (n.op === 'neg') return hasTrait(n.inputs[0]!.op, 'fusedLoss');
  const { source } = throughMovement(n);
  return source.op === 'logSigmoid' || source.op === 'logSoftmax';
}

/** A lower bound on a log that only keeps it finite: at most log(guardEpsilon). */
function isLogGuard(lo: number | null): boolean {
  return lo !== null && lo <= Math.log(ruleContext().guardEpsilon);
}

/** maximum(log p, c) -> log p, for a clamp c <= log(eps) (PyTorch's BCELoss clamps at -100). */
export const logClamped = rule({
  name: 'log-clamped',
  doc: 'maximum(log p, c) with c <= log(eps) (PyTorch BCELoss: -100) is log p for a sigmoid/softmax p: the clamp only keeps the loss finite, and the logit form is finite',
  // log p where log p >= c; beyond (a loss above -c), the exact log p instead of c (see header)
  pattern: P.maximum(v('l', isLogProbability), v('c', (n) => n.shape.length === 0)),
  guard: (m) => isLogGuard(constantValue(m.c)) && sameShape(m.l, m.$root),
  replace: (m) => m.l,
  examples: [
    { before: () => maximum(log(sigmoid(zs())), -100), after: 'logSigmoid(z)' },
    { before: () => maximum(log(sub(1, sigmoid(zs()))), -100), after: 'logSigmoid(neg(z))' },
  ],
});

/** clip(log p, lo, hi) -> log p, for lo <= log(eps) and hi >= 0. */
export const logClipped = rule({
  name: 'log-clip-clamped',
  doc: 'clip(log p, lo, hi) with lo <= log(eps) and hi >= 0 is log p for a sigmoid/softmax p: the clip only keeps the loss finite',
  // log p <= 0 <= hi always; log p >= lo except where the loss exceeds -lo (see header)
  pattern: op('clip', [v('l', isLogProbability)], { lo: attr('lo'), hi: attr('hi') }),
  guard: (m) => isLogGuard(m.$attrs.lo as number) && (m.$attrs.hi as number) >= 0,
  replace: (m) => m.l,
  examples: [{ before: () => clip(log(softmax(zz(), 1)), -100, Infinity), after: 'logSoftmax{axis=1}(z)' }],
});

/** True when `den` is 1 - q (the same q) or sigmoid(-z): the complement of the sigmoid q. */
function isComplementOf(den: Node, q: Node, zn: Node): boolean {
  if (den.op === 'sigmoid') return den.inputs[0]!.op === 'neg' && den.inputs[0]!.inputs[0] === zn;
  if (den.op !== 'add') return false;
  const [a, b] = den.inputs as [Node, Node];
  return [[a, b], [b, a]].some(([one, minus]) => constantValue(one!) === 1 && one!.shape.length === 0 && minus!.op === 'neg' && minus!.inputs[0] === q);
}

/** log(q / (1 - q)) -> z for q = sigmoid(z), possibly guarded. */
export const logitOfSigmoid = rule({
  name: 'logit-of-sigmoid',
  doc: 'log(p / (1 - p)) of a sigmoid p = sigmoid(z) (old Keras recovered logits this way from a clipped p) is z itself',
  // log(sigmoid(z) / sigmoid(-z)) = log(e^z) = z; with a guard, the exact z instead of the clipped +-16.1 (see header)
  pattern: P.log(P.div(v('q', (n) => unclipped(n).op === 'sigmoid'), v('den'))),
  guard: (m) => {
    const zn = unclipped(m.q).inputs[0]!;
    return isComplementOf(m.den, m.q, zn) && sameShape(zn, m.$root);
  },
  replace: (m) => unclipped(m.q).inputs[0]!,
  examples: [
    { before: () => { const pc = clip(sigmoid(zs()), E, 1 - E); return log(div(pc, sub(1, pc))); }, after: 'z' },
    { before: () => { const pc = sigmoid(zs()); return log(div(pc, sub(1, pc))); }, after: 'z' },
  ],
});

/** The Keras guard rules, in the order they are tried (before the sigmoid and softmax rules). */
export const kerasRules = [
  renormalizedSoftmax, logOfClipped, logOfMaximumGuarded, logOfOneMinusClipped, logPlusEpsilon, logOneMinusPlusEpsilon, logOnePlusEpsilonMinus,
  logitOfSigmoid,
];

/** Clamps of log-probabilities (after the sigmoid and softmax rules have made them logSigmoid and logSoftmax). */
export const logClampRules = [logClamped, logClipped];
