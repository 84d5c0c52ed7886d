/**
 * The other spellings of the softmax cross-entropy, each brought to a fused op or to the form
 * the recognition rules of cross-entropy.ts fuse:
 * - cross-entropy through logsumexp, `logsumexp(z) - z[label]` and `logsumexp(z) - sum(y * z)`;
 * - the probability picked first, `sum(oneHot(y) * p, axis)`, which is `gather(p, y)`, and
 *   PyTorch's `log_probs.gather(1, y.unsqueeze(1))`;
 * - KL divergence and other sums with a `y * log q` term: `log(pt / q)` splits into
 *   `log pt - log q`, products distribute over that difference, and a class-axis sum of several
 *   terms splits so that its `y * logSoftmax(z)` term fuses on its own.
 * Every rule is an identity of real numbers for every input it accepts; where a fused op raises
 * for a label outside [0, k) that the written form would have turned into a zero, the doc says so.
 * @module
 */
import {
  add, div, exp, expandDims, gather, input, log, logSoftmax, logsumexp, mean, mul, neg, type Node, oneHot, softmax,
  softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits, sub, sum,
} from '@stablegrad/core';
import { attr, bind, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { sameStaticShape, type SignedTerm, signedNode, termsOf } from '../_guards.js';
import { termPairRule, unsigned } from '../_terms.js';
import { otherFactor } from './binary-spellings.js';
import { isProbability, throughMovement } from './softmax.js';

const isFloat = (node: Node) => node.dtype !== 'int32';
const named = (name: string, shape: readonly (number | string)[] = [3], dtype: 'float32' | 'int32' = 'float32') => input(shape, { name, dtype });

/** logsumexp(z, last) - gather(z, labels, last) -> sparseSoftmaxCrossEntropyWithLogits(z, labels), anywhere in a sum. */
export const sparseFromLogsumexp = termPairRule({
  name: 'sparse-cross-entropy-from-logsumexp',
  doc: 'logsumexp(z) - z[label] over the last axis (-z[range(n), y] + log(sum(exp(z)))) is sparseSoftmaxCrossEntropyWithLogits(z, labels)',
  // lse(z) - z_k = -log softmax(z)_k
  first: (t) => !t.negative && t.body.op === 'logsumexp' && t.body.attrs.keepDims === false,
  second: (t) => t.body.op === 'gather',
  combine: ({ body: lse }, t) => {
    const g = t.body;
    const [picked, labels] = g.inputs as [Node, Node];
    const zn = lse.inputs[0]!;
    // lse(z) - z[label]; or lse(-u) + u[label], the same with z = -u (negated logits, their minus moved out)
    const same = t.negative ? picked === zn : zn.op === 'neg' && zn.inputs[0] === picked;
    const last = zn.shape.length - 1;
    const axes = lse.attrs.axes as readonly number[];
    const fits = same && axes.length === 1 && axes[0] === last && g.attrs.axis === last && g.attrs.batchDims === last &&
      labels.shape.length === last;
    return fits ? () => sparseSoftmaxCrossEntropyWithLogits(zn, labels) : null;
  },
  examples: [{
    before: () => { const z = named('z', [2, 3]); return add(neg(gather(z, named('y', [2], 'int32'), { axis: 1, batchDims: 1 })), log(sum(exp(z), { axis: 1 }))); },
    after: 'sparseSoftmaxCrossEntropyWithLogits(z, y)',
  }],
});

/** True when `y` sums to 1 along `axis` for every input: a softmax over that axis. */
function sumsToOne(y: Node, axis: number): boolean {
  return y.op === 'softmax' && y.attrs.axis === axis;
}

/** The labels of `oneHot(labels, k)` over the last axis of k classes of `zn`, else null. */
function oneHotLabels(y: Node, zn: Node, axis: number): Node | null {
  const last = zn.shape.length - 1;
  return y.op === 'oneHot' && axis === last && y.attrs.depth === zn.shape[last] ? y.inputs[0]! : null;
}

/** logsumexp(z, axis) - sum(y * z, axis) -> softmaxCrossEntropyWithLogits(z, y, axis) (+ (1 - sum y) lse when y may not sum to 1). */
export const crossEntropyFromLogsumexp = termPairRule({
  name: 'cross-entropy-from-logsumexp',
  doc: 'logsumexp(z) - sum(y * z) over the class axis is softmaxCrossEntropyWithLogits(z, y) for labels summing to 1 (the sparse op for one-hot labels, raising for a label outside [0, k)); for other labels the difference (1 - sum y) logsumexp(z) stays as a term of its own',
  // lse(z) - sum_i y_i z_i = sum_i y_i (lse(z) - z_i) + (1 - sum_i y_i) lse(z)
  first: (t) => !t.negative && t.body.op === 'logsumexp',
  second: (t) => t.body.op === 'sum',
  combine: ({ body: lse }, t) => {
    const total = t.body;
    const zn = lse.inputs[0]!;
    const axes = lse.attrs.axes as readonly number[];
    if (axes.length !== 1 || (total.attrs.axes as readonly number[]).join() !== axes.join() || total.attrs.keepDims !== lse.attrs.keepDims) return null;
    // lse(z) - sum(y z); or lse(-u) + sum(y u), the same with z = -u (negated logits, their minus moved out)
    const yn = t.negative ? otherFactor(total.inputs[0]!, zn) : zn.op === 'neg' ? otherFactor(total.inputs[0]!, zn.inputs[0]!) : null;
    if (yn === null || !isFloat(yn) || yn.dtype !== zn.dtype || !sameStaticShape(yn, zn)) return null;
    const axis = axes[0]!;
    const keepDims = lse.attrs.keepDims === true;
    return () => {
      // One-hot labels pick one logit: the sparse form (a label outside [0, k) raises there, as in one-hot-cross-entropy-to-sparse).
      const labels = oneHotLabels(yn, zn, axis);
      let loss = labels !== null ? sparseSoftmaxCrossEntropyWithLogits(zn, labels) : softmaxCrossEntropyWithLogits(zn, yn, axis);
      if (keepDims) loss = expandDims(loss, axis);
      if (labels !== null || sumsToOne(yn, axis)) return loss;
      return add(loss, mul(sub(1, sum(yn, { axis, keepDims })), lse));
    };
  },
  examples: [
    {
      before: () => { const [z, t] = [named('z', [2, 3]), named('t', [2, 3])]; return sub(logsumexp(z, { axis: 1 }), sum(mul(softmax(t, 1), z), { axis: 1 })); },
      after: 'softmaxCrossEntropyWithLogits{axis=1}(z, softmax{axis=1}(t))',
    },
    {
      before: () => { const z = named('z', [2, 3]); return sub(logsumexp(z, { axis: 1 }), sum(mul(named('y', [2, 3]), z), { axis: 1 })); },
      after: 'add(softmaxCrossEntropyWithLogits{axis=1}(z, y), mul(sub(1, sum{axes=[1]}(y)), logsumexp{axes=[1]}(z)))',
    },
  ],
});

const reduceAttrs = { axes: attr('axes'), keepDims: attr('keepDims') };

/** gather(logSoftmax(z), expandDims(labels, last)) -> expandDims(-sparseSoftmaxCrossEntropyWithLogits(z, labels), last). */
export const sparseWithKeptLabels = rule({
  name: 'sparse-cross-entropy-kept-labels',
  doc: 'picking logSoftmax(z) with labels kept as a column (PyTorch: log_probs.gather(1, y.unsqueeze(1))) is the sparse cross-entropy\'s negation, as a column',
  // log softmax(z)[k] = -(lse(z) - z[k]), one per row
  pattern: op('gather', [op('logSoftmax', [v('z')], { axis: attr('axis') }), P.expandDims(v('labels'))], { axis: attr('axis'), batchDims: attr('batchDims') }),
  guard: (m) => {
    const last = m.z.shape.length - 1;
    const expand = m.$root.inputs[1]!;
    return m.$attrs.axis === last && m.$attrs.batchDims === last && expand.attrs.axis === last && m.labels.shape.length === last;
  },
  replace: (m) => expandDims(neg(sparseSoftmaxCrossEntropyWithLogits(m.z, m.labels)), m.z.shape.length - 1),
  examples: [{
    before: () => gather(logSoftmax(named('z', [2, 3]), 1), expandDims(named('y', [2], 'int32'), 1), { axis: 1, batchDims: 1 }),
    after: 'expandDims{axis=1}(neg(sparseSoftmaxCrossEntropyWithLogits(z, y)))',
  }],
});

/** sum(oneHot(labels, k) * x, last) -> gather(x, labels) (mean: divided by k). */
export const oneHotPick = rule({
  name: 'one-hot-pick',
  doc: 'sum(oneHot(labels, k) * x) over the last axis is gather(x, labels), the entry each label picks; a label outside [0, k) then raises a ValueError instead of picking nothing',
  // sum_i [i = l] x_i = x_l for l in [0, k); 0 for any other l, where gather raises (a bad label is a bug, not a free zero)
  pattern: op(['sum', 'mean'], [P.mul(bind('hot', P.oneHot(v('labels'))), v('x'))], reduceAttrs),
  guard: (m) => {
    const last = m.x.shape.length - 1;
    const axes = m.$attrs.axes as readonly number[];
    return last >= 0 && axes.length === 1 && axes[0] === last && m.hot.attrs.depth === m.x.shape[last] &&
      sameStaticShape(m.hot, m.x) && m.hot.dtype === m.x.dtype;
  },
  replace: (m) => {
    const last = m.x.shape.length - 1;
    let picked = gather(m.x, m.labels, { axis: last, batchDims: last });
    if (m.$attrs.keepDims === true) picked = expandDims(picked, last);
    return m.$root.op === 'sum' ? picked : div(picked, m.x.shape[last] as number);
  },
  examples: [{
    before: () => log(sum(mul(oneHot(named('y', [2], 'int32'), 3), softmax(named('z', [2, 3]), 1)), { axis: 1 })),
    after: 'neg(sparseSoftmaxCrossEntropyWithLogits(z, y))',
  }],
});

/** log(a / q) -> log(a) - log(q) for a probability q. */
export const logOfRatio = rule({
  name: 'log-of-ratio-to-probability',
  doc: 'log(a / q) is log(a) - log(q) for a sigmoid or softmax output q, which is positive: KL divergence written sum(pt * log(pt / q))',
  // log(a / q) = log a - log q for q > 0 (a <= 0 gives NaN or -Infinity on both sides)
  pattern: P.log(P.div(v('a'), v('q', isProbability))),
  replace: (m) => add(log(m.a), neg(log(m.q))),
  examples: [{ before: () => log(div(named('t', [2, 3]), softmax(named('z', [2, 3]), 1))), after: 'add(log(t), neg(logSoftmax{axis=1}(z)))' }],
});

/** A log-probability, possibly negated: the terms a product distributes over. */
function isSignedLogProbability(n: Node): boolean {
  const { source } = throughMovement(unsigned(n).body);
  return source.op === 'logSoftmax' || source.op === 'logSigmoid';
}

/** y * (a + b) -> y*a + y*b when a or b is a log-probability. */
export const distributeOverLogTerms = rule({
  name: 'distribute-over-log-terms',
  doc: 'y * (a + log q) is y*a + y*log q when log q is a logSoftmax or logSigmoid, so that y * log q can fuse (KL divergence written sum(pt * (log pt - log q)))',
  // y (a + b) = y a + y b
  pattern: P.mul(v('y'), P.add(v('a'), v('b'))),
  guard: (m) => (isSignedLogProbability(m.a) || isSignedLogProbability(m.b)) && !isSignedLogProbability(m.y),
  replace: (m) => add(mul(m.y, m.a), mul(m.y, m.b)),
  examples: [{
    before: () => { const t = named('t', [2, 3]); return mul(t, sub(log(t), log(softmax(named('z', [2, 3]), 1)))); },
    after: 'add(mul(t, log(t)), neg(mul(t, logSoftmax{axis=1}(z))))',
  }],
});

/** The y * logSoftmax(z, axis) term of a sum (possibly negated) whose axis is among `axes`, or -1. */
function categoricalTerm(terms: readonly SignedTerm[], axes: readonly number[], shape: Node): number {
  return terms.findIndex(({ body }) => {
    if (body.op !== 'mul' || !sameStaticShape(body, shape)) return false;
    return body.inputs.some((f) => f.op === 'logSoftmax' && axes.includes(f.attrs.axis as number));
  });
}

/** sum(A + y * logSoftmax(z)) -> sum(A) + sum(y * logSoftmax(z)) over the class axis. */
export const splitCategoricalTerm = rule({
  name: 'split-categorical-term',
  doc: 'a class-axis sum (or mean) of several terms, one of them y * logSoftmax(z), is the sum of the others plus that term\'s own sum, which fuses',
  // sum_i (a_i + y_i log q_i) = sum_i a_i + sum_i y_i log q_i
  pattern: op(['sum', 'mean'], [bind('inner', P.add(v('a'), v('b')))], reduceAttrs),
  guard: (m) => {
    const terms = termsOf(m.inner);
    return terms !== null && terms.length > 1 && terms.every((t) => sameStaticShape(t.body, m.inner)) &&
      categoricalTerm(terms, m.$attrs.axes as number[], m.inner) >= 0;
  },
  replace: (m) => {
    const terms = termsOf(m.inner)!;
    const k = categoricalTerm(terms, m.$attrs.axes as number[], m.inner);
    const reduce = (x: Node) => (m.$root.op === 'sum' ? sum : mean)(x, { axis: m.$attrs.axes as number[], keepDims: m.$attrs.keepDims as boolean });
    const rest = terms.filter((_, i) => i !== k).map(signedNode).reduce((total, t) => add(total, t));
    return add(reduce(rest), reduce(signedNode(terms[k]!)));
  },
  examples: [{
    // KL divergence of a target distribution t from softmax(z)
    before: () => { const t = named('t', [2, 3]); return sum(mul(t, log(div(t, softmax(named('z', [2, 3]), 1)))), { axis: 1 }); },
    after: 'add(sum{axes=[1]}(mul(t, log(t))), softmaxCrossEntropyWithLogits{axis=1}(z, t))',
  }],
});

/** The categorical cross-entropy spellings, in the order they are tried. */
export const categoricalSpellingRules = [
  sparseWithKeptLabels, sparseFromLogsumexp, crossEntropyFromLogsumexp, oneHotPick, logOfRatio, distributeOverLogTerms, splitCategoricalTerm,
];
