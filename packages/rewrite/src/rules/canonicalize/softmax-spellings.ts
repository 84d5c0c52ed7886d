/**
 * Softmax, logSoftmax and logsumexp from their elementary spellings, so that every later rule
 * sees the primitive whatever the user wrote: `exp(x) / sum(exp(x))` (the sum kept with
 * keepDims, restored with expandDims or a reshape, or over the leading axis),
 * `log(sum(exp(x)))`, `x - logsumexp(x)`, and the max-shifted stable forms, whose shift is
 * removed because softmax and logSoftmax do not change when a lane is shifted by a constant.
 * A shift is removed only as a whole (`softmax(x - m)` with m constant along the axis), so a
 * numerator and a denominator shifted by *different* maxima are never mistaken for a softmax:
 * the two exponentials then differ, and `exp(x) / sum(exp(x))` needs the same one.
 * `exp(1000)` overflows and an entry below ~1e-45 (float32) rounds to 0, so the naive forms
 * give NaN and -Infinity where the primitives, which subtract the lane's max, stay finite.
 * @module
 */
import { add, div, exp, expandDims, hasTrait, input, log, logSoftmax, logsumexp, max, neg, type Node, reshape, softmax, sub, sum } from '@stablegrad/core';
import { attr, bind, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { constantAlong, keptReduction, normalizingAxis, sameStaticShape } from '../_guards.js';

const x = v('x');
const logits = () => input([2, 3], { name: 'x' });

/** exp(x) / sum(exp(x), axis) -> softmax(x, axis). */
export const softmaxFromExp = rule({
  name: 'softmax-from-exp',
  doc: 'exp(x) / sum(exp(x), axis) is softmax(x, axis), which subtracts the max and cannot overflow',
  // softmax(x)_k = e^x_k / sum_i e^x_i
  pattern: P.div(P.exp(x), v('den')),
  guard: (m) => normalizingAxis(m.den, (n) => n.op === 'exp' && n.inputs[0] === m.x) !== null && sameStaticShape(m.$root, m.x),
  replace: (m) => softmax(m.x, normalizingAxis(m.den, () => true)!),
  examples: [
    { before: () => { const t = logits(); return div(exp(t), sum(exp(t), { axis: 1, keepDims: true })); }, after: 'softmax{axis=1}(x)' },
    { before: () => { const t = input([3], { name: 'x' }); return div(exp(t), sum(exp(t))); }, after: 'softmax{axis=0}(x)' },
    { before: () => { const t = logits(); return div(exp(t), expandDims(sum(exp(t), { axis: 1 }), 1)); }, after: 'softmax{axis=1}(x)' },
    { before: () => { const t = logits(); return div(exp(t), reshape(sum(exp(t), { axis: 1 }), [2, 1])); }, after: 'softmax{axis=1}(x)' },
    {
      // the stable spelling: the shift goes as a whole (softmax-shift-invariance)
      before: () => { const t = logits(); const e = exp(sub(t, max(t, { axis: 1, keepDims: true }))); return div(e, sum(e, { axis: 1, keepDims: true })); },
      after: 'softmax{axis=1}(x)',
    },
  ],
});

/**
 * True when `c` is a shift the user took from x itself: a reduction of x or of -x (max, as the
 * stable spellings do; min, mean, sum, logsumexp), its negation, or a constant. A bias that is
 * only constant along the axis also cancels, but it is part of the model (its gradient is zero
 * there), so it is left to the user.
 */
function isShiftOf(c: Node, xn: Node): boolean {
  const body = c.op === 'neg' ? c.inputs[0]! : c;
  if (body.op === 'constant') return true;
  if (!hasTrait(body.op, 'reduction')) return false;
  const of = body.inputs[0]!;
  return of === xn || (of.op === 'neg' && of.inputs[0] === xn) || (xn.op === 'neg' && xn.inputs[0] === of);
}

/** The x and shift c of a softmax argument x + c, or -(x + c) (a negated argument, its minus moved out), else null. */
function shifted(arg: Node, axis: number, root: Node): { x: Node; negated: boolean } | null {
  const negated = arg.op === 'neg';
  const sum = negated ? arg.inputs[0]! : arg;
  if (sum.op !== 'add') return null;
  for (const [x, c] of [[sum.inputs[0]!, sum.inputs[1]!], [sum.inputs[1]!, sum.inputs[0]!]] as const) {
    if (x.dtype === root.dtype && sameStaticShape(x, root) && isShiftOf(c, x) && constantAlong(c, [axis], root.shape.length)) return { x, negated };
  }
  return null;
}

/** softmax(x - max(x)) -> softmax(x), logSoftmax likewise, for shifts taken from x and constant along the axis. */
export const softmaxShiftInvariance = rule({
  name: 'softmax-shift-invariance',
  doc: 'softmax(x - max(x)) and logSoftmax(x - max(x)) are softmax(x) and logSoftmax(x): a shift taken from x (or a constant) that is constant along the axis cancels',
  // e^(x_k + c) / sum_i e^(x_i + c) = e^x_k / sum_i e^x_i
  pattern: op(['softmax', 'logSoftmax'], [v('arg')], { axis: attr('axis') }),
  guard: (m) => shifted(m.arg, m.$attrs.axis as number, m.$root) !== null,
  replace: (m) => {
    const { x: xn, negated } = shifted(m.arg, m.$attrs.axis as number, m.$root)!;
    return (m.$root.op === 'softmax' ? softmax : logSoftmax)(negated ? neg(xn) : xn, m.$attrs.axis as number);
  },
  examples: [
    { before: () => { const t = logits(); return softmax(sub(t, max(t, { axis: 1, keepDims: true })), 1); }, after: 'softmax{axis=1}(x)' },
    { before: () => { const t = logits(); return logSoftmax(add(t, logsumexp(t, { axis: 1, keepDims: true })), 1); }, after: 'logSoftmax{axis=1}(x)' },
    // softmax(-x - max(-x)): the minus of -x moves out first
    { before: () => { const t = neg(logits()); return softmax(sub(t, max(t, { axis: 1, keepDims: true })), 1); }, after: 'softmax{axis=1}(neg(x))' },
  ],
});

/** log(sum(exp(x), axes, keepDims)) -> logsumexp(x, axes, keepDims). */
export const logOfSumOfExp = rule({
  name: 'log-sum-exp',
  doc: 'log(sum(exp(x))) is logsumexp(x) over the same axes, which subtracts the max and cannot overflow',
  // log sum e^x_i = m + log sum e^(x_i - m)
  pattern: P.log(op('sum', [P.exp(x)], { axes: attr('axes'), keepDims: attr('keepDims') })),
  replace: (m) => logsumexp(m.x, { axis: m.$attrs.axes as number[], keepDims: m.$attrs.keepDims as boolean }),
  examples: [
    { before: () => log(sum(exp(logits()), { axis: 1 })), after: 'logsumexp{axes=[1]}(x)' },
    { before: () => log(sum(exp(logits()), { axis: 1, keepDims: true })), after: 'logsumexp{axes=[1], keepDims=true}(x)' },
  ],
});

/** max(x) + logsumexp(x - max(x)) -> logsumexp(x): the hand-written stable form, once its log(sum(exp)) is fused. */
export const logsumexpShifted = rule({
  name: 'logsumexp-shifted',
  doc: 'max(x) + logsumexp(x - max(x)) over the same axes is logsumexp(x), the hand-written stable form',
  pattern: P.add(
    bind('outer', P.max(x)),
    op('logsumexp', [P.add(x, P.neg(bind('inner', P.max(x))))], { axes: attr('axes'), keepDims: attr('keepDims') }),
  ),
  guard: (m) => {
    const axes = m.$attrs.axes as readonly number[];
    const same = (n: Node) => (n.attrs.axes as readonly number[]).join() === axes.join();
    const innerBroadcasts = m.inner.attrs.keepDims === true || m.inner.shape.length === 0;
    return same(m.outer) && same(m.inner) && innerBroadcasts && m.outer.attrs.keepDims === m.$attrs.keepDims;
  },
  // m + log sum e^(x_i - m) = log sum e^x_i
  replace: (m) => logsumexp(m.x, { axis: m.$attrs.axes as number[], keepDims: m.$attrs.keepDims as boolean }),
  examples: [{
    before: () => {
      const t = logits();
      return max(t, { axis: 1 }).add(log(sum(exp(sub(t, max(t, { axis: 1, keepDims: true }))), { axis: 1 })));
    },
    after: 'logsumexp{axes=[1]}(x)',
  }],
});

/** x - logsumexp(x, axis) (kept for broadcasting) -> logSoftmax(x, axis). */
export const logSoftmaxFromLogsumexp = rule({
  name: 'log-softmax-from-logsumexp',
  doc: 'x - logsumexp(x, axis), the logsumexp kept per lane, is logSoftmax(x, axis), whose gradient is the fused softmax(x) - y',
  // log(e^x_k / sum_i e^x_i) = x_k - lse(x)
  pattern: P.add(x, P.neg(v('lse'))),
  guard: (m) => keptReduction(m.lse, 'logsumexp')?.input === m.x && sameStaticShape(m.x, m.$root),
  replace: (m) => logSoftmax(m.x, keptReduction(m.lse, 'logsumexp')!.axis),
  examples: [
    { before: () => { const t = logits(); return sub(t, logsumexp(t, { axis: 1, keepDims: true })); }, after: 'logSoftmax{axis=1}(x)' },
    { before: () => { const t = logits(); return sub(t, log(sum(exp(t), { axis: 1, keepDims: true }))); }, after: 'logSoftmax{axis=1}(x)' },
    { before: () => { const t = logits(); return sub(t, expandDims(logsumexp(t, { axis: 1 }), 1)); }, after: 'logSoftmax{axis=1}(x)' },
    {
      // the hand-written stable log-softmax (z - m) - log(sum(exp(z - m))): its gradient cancels, logSoftmax's does not
      before: () => {
        const t = logits();
        const shifted = sub(t, max(t, { axis: 1, keepDims: true }));
        return sub(shifted, log(sum(exp(shifted), { axis: 1, keepDims: true })));
      },
      after: 'logSoftmax{axis=1}(x)',
    },
  ],
});

/** u + logsumexp(-u, axis) (kept) -> -logSoftmax(-u, axis): x - logsumexp(x) for negated logits x = -u, the minus moved out. */
export const negatedLogSoftmaxFromLogsumexp = rule({
  name: 'negated-log-softmax-from-logsumexp',
  doc: 'u + logsumexp(-u, axis) is -logSoftmax(-u, axis): x - logsumexp(x) for logits written negated, x = -u, whose minus moved out',
  // -(x - lse(x)) with x = -u
  pattern: P.add(x, v('lse')),
  guard: (m) => {
    const found = keptReduction(m.lse, 'logsumexp');
    return found !== null && found.input.op === 'neg' && found.input.inputs[0] === m.x && sameStaticShape(m.x, m.$root);
  },
  replace: (m) => {
    const found = keptReduction(m.lse, 'logsumexp')!;
    return neg(logSoftmax(found.input, found.axis));
  },
  examples: [{
    before: () => { const t = neg(logits()); return sub(t, logsumexp(t, { axis: 1, keepDims: true })); },
    after: 'logSoftmax{axis=1}(neg(x))',
  }],
});

/** The softmax spellings, in the order they are tried. */
export const softmaxSpellingRules = [
  softmaxFromExp, softmaxShiftInvariance, logOfSumOfExp, logsumexpShifted, logSoftmaxFromLogsumexp, negatedLogSoftmaxFromLogsumexp,
];
