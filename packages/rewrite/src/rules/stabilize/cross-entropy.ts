/**
 * Recognition of whole cross-entropies: once the local rules have turned `log(sigmoid z)` into
 * `logSigmoid(z)`, `log(1 - sigmoid z)` into `logSigmoid(-z)` and `log(softmax z)` into
 * `logSoftmax(z)`, these rules collapse the surrounding sums and products into the fused ops,
 * whose gradients are `sigmoid(z) - y` and `softmax(z) sum(y) - y` (`softmax(z) - y` for distributions):
 * - binary `y logSigmoid(z) + (1-y) logSigmoid(-z)` (weighted or not) -> `-sigmoidCrossEntropyWithLogits(z, y)`,
 *   elementwise, so multi-label losses and any later sum or mean come along; for logits written
 *   negated (`-t`) the canonical double negations leave `logSigmoid(t)` in the second term, a rule of its own;
 * - categorical `sum(y * logSoftmax(z), axis)` -> `-softmaxCrossEntropyWithLogits(z, y)` for any float
 *   labels: the fused op's gradient is exact whether or not they sum to 1, and keeps its digits
 *   where the graph gradient of `logSoftmax` cancels (softmax(z) sum(y) close to y);
 * - sparse: `gather(logSoftmax(z), labels)` and one-hot labels -> `sparseSoftmaxCrossEntropyWithLogits`
 *   (labels outside [0, k) then raise a ValueError instead of giving a zero row).
 * The fused forms come out negated; the last rules keep negations outermost (the canonical form)
 * so that the user's own `-(...)` cancels.
 * @module
 */
import {
  add, broadcastShapes, div, expandDims, gather, input, log, logSigmoid, logSoftmax, mean, mul, neg, type Node,
  oneHot, sameWrittenShape, type Shape, sigmoid, sigmoidCrossEntropyWithLogits, softmax, softmaxCrossEntropyWithLogits,
  sparseSoftmaxCrossEntropyWithLogits, sub, sum,
} from '@stablegrad/core';
import { attr, bind, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { oneMinusOf } from '../_guards.js';

const isFloat = (node: Node) => node.dtype !== 'int32';
const y = v('y', isFloat);
const z = v('z');
const [a, b] = [v('a'), v('b')];

/** Same rank, and each pair of dims equal or both symbolic (so no broadcasting hides between them). */
const alike = (p: Shape, q: Shape) => p.length === q.length && p.every((d, i) => d === q[i] || (typeof d !== 'number' && typeof q[i] !== 'number'));
/** The root's static shape exactly (a symbolic dimension where the root has a number would be a broadcast the fusion drops). */
export const fits = (root: Node, shape: Shape) => sameWrittenShape(root.shape, shape);

// Example graphs, as a user writes them.
const named = (name: string, shape: readonly (number | string)[] = [3], dtype: 'float32' | 'int32' = 'float32') => input(shape, { name, dtype });
const naiveBce = (zn: Node, yn: Node) => add(mul(yn, log(sigmoid(zn))), mul(sub(1, yn), log(sub(1, sigmoid(zn)))));

/** y logSigmoid(z) + (1 - y) logSigmoid(-z) -> -sigmoidCrossEntropyWithLogits(z, y). */
export const binaryCrossEntropy = rule({
  name: 'binary-cross-entropy',
  doc: 'y log(sigmoid z) + (1-y) log(1 - sigmoid z) is -sigmoidCrossEntropyWithLogits(z, y), finite for every z',
  // y logσ(z) + (1-y) logσ(-z) = -(softplus(-z) + (1-y) z) = -(max(z,0) - y z + log1p(e^-|z|)), for any real y
  pattern: P.add(P.mul(y, P.logSigmoid(z)), P.mul(P.add(c(1), P.neg(y)), P.logSigmoid(P.neg(z)))),
  guard: (m) => fits(m.$root, broadcastShapes(m.z.shape, m.y.shape)),
  replace: (m) => neg(sigmoidCrossEntropyWithLogits(m.z, m.y)),
  examples: [
    { before: () => naiveBce(named('z'), named('y')), after: 'neg(sigmoidCrossEntropyWithLogits(z, y))' },
    { before: () => { const [zn, yn] = [named('z'), named('y')]; return add(mul(logSigmoid(neg(zn)), add(neg(yn), 1)), mul(logSigmoid(zn), yn)); }, after: 'neg(sigmoidCrossEntropyWithLogits(z, y))' },
  ],
});

/** y logSigmoid(-t) + (1 - y) logSigmoid(t) -> -sigmoidCrossEntropyWithLogits(-t, y): the logits were negated (`-t`), and double negations cancelled. */
export const binaryCrossEntropyOfNegated = rule({
  name: 'binary-cross-entropy-of-negated-logits',
  doc: 'y log(sigmoid(-t)) + (1-y) log(1 - sigmoid(-t)) is -sigmoidCrossEntropyWithLogits(-t, y), where -(-t) became t',
  // the binary form with z = -t: logσ(-z) = logσ(t)
  pattern: P.add(P.mul(y, P.logSigmoid(bind('z', P.neg(v('t'))))), P.mul(P.add(c(1), P.neg(y)), P.logSigmoid(v('t')))),
  guard: (m) => fits(m.$root, broadcastShapes(m.z.shape, m.y.shape)),
  replace: (m) => neg(sigmoidCrossEntropyWithLogits(m.z, m.y)),
  examples: [{ before: () => naiveBce(neg(named('t')), named('y')), after: 'neg(sigmoidCrossEntropyWithLogits(neg(t), y))' }],
});

/** The factors of a product chain, left to right (a non-product is its own only factor). */
function factorsOf(node: Node, into: Node[] = []): Node[] {
  if (node.op !== 'mul') into.push(node);
  else {
    factorsOf(node.inputs[0]!, into);
    factorsOf(node.inputs[1]!, into);
  }
  return into;
}

/** True when a product chain has a logSigmoid factor (checked before any factor list is built). */
function hasLogSigmoidFactor(node: Node): boolean {
  return node.op === 'logSigmoid' || (node.op === 'mul' && (hasLogSigmoidFactor(node.inputs[0]!) || hasLogSigmoidFactor(node.inputs[1]!)));
}

/** `nodes` without one occurrence of each of `drop` (by identity), or null when one is missing. */
function without(nodes: readonly Node[], drop: readonly Node[]): Node[] | null {
  const rest = [...nodes];
  for (const d of drop) {
    const at = rest.indexOf(d);
    if (at < 0) return null;
    rest.splice(at, 1);
  }
  return rest;
}

/**
 * The two terms of a binary cross-entropy as factors: `W E y logσ(z) + W (1-y) logσ(-z)` in any
 * association and order, with W the factors of the second term besides (1-y) logσ(-z) and E the
 * factors of the first term that the second lacks. Returns the first reading `accept` takes, or
 * null. The plain weighted loss wants E empty; the positive-weighted one E = pw.
 */
export function binaryTermFactors(
  p: Node, q: Node, accept: (found: { z: Node; y: Node; weights: Node[]; extra: Node[] }) => boolean,
): { z: Node; y: Node; weights: Node[]; extra: Node[] } | null {
  if (!hasLogSigmoidFactor(p) || !hasLogSigmoidFactor(q)) return null;
  for (const [first, second] of [[p, q], [q, p]] as const) {
    const [fa, fb] = [factorsOf(first), factorsOf(second)];
    for (const ls of fa.filter((f) => f.op === 'logSigmoid')) {
      const zn = ls.inputs[0]!;
      // logSigmoid(-z), or logSigmoid(t) when z is -t (the double negation cancelled)
      const negates = (w: Node) => (w.op === 'neg' && w.inputs[0] === zn) || (zn.op === 'neg' && zn.inputs[0] === w);
      const lsNeg = fb.find((f) => f.op === 'logSigmoid' && negates(f.inputs[0]!));
      if (lsNeg === undefined) continue;
      for (const om of fb) {
        const yn = oneMinusOf(om);
        if (yn === null || yn === ls || !isFloat(yn) || !fa.includes(yn)) continue;
        const restA = without(fa, [ls, yn]);
        const weights = without(fb, [lsNeg, om]);
        const extra = restA === null || weights === null ? null : without(restA, weights);
        if (weights === null || extra === null) continue;
        const found = { z: zn, y: yn, weights, extra };
        if (accept(found)) return found;
      }
    }
  }
  return null;
}

/** The z, y and common weights of `w y logσ(z) + w (1-y) logσ(-z)`, in any association and order. */
export function weightedBinary(p: Node, q: Node): { z: Node; y: Node; weights: Node[] } | null {
  return binaryTermFactors(p, q, (f) => f.weights.length > 0 && f.extra.length === 0);
}

/** w y logSigmoid(z) + w (1 - y) logSigmoid(-z) -> -(w sigmoidCrossEntropyWithLogits(z, y)). */
export const weightedBinaryCrossEntropy = rule({
  name: 'weighted-binary-cross-entropy',
  doc: 'w y log(sigmoid z) + w (1-y) log(1 - sigmoid z), weights on both terms, is -w sigmoidCrossEntropyWithLogits(z, y)',
  // w y logσ(z) + w (1-y) logσ(-z) = w (y logσ(z) + (1-y) logσ(-z))
  pattern: P.add(a, b),
  guard: (m) => {
    const found = weightedBinary(m.a, m.b);
    return found !== null && fits(m.$root, [...found.weights, found.z, found.y].map((n) => n.shape).reduce(broadcastShapes));
  },
  replace: (m) => {
    const { z: zn, y: yn, weights } = weightedBinary(m.a, m.b)!;
    return neg(mul(weights.reduce((w, f) => mul(w, f)), sigmoidCrossEntropyWithLogits(zn, yn)));
  },
  examples: [{
    before: () => {
      const [zn, yn, w] = [named('z'), named('y'), named('w')];
      return add(mul(mul(w, yn), log(sigmoid(zn))), mul(log(sub(1, sigmoid(zn))), mul(sub(1, yn), w)));
    },
    after: 'neg(mul(w, sigmoidCrossEntropyWithLogits(z, y)))',
  }],
});

/** sum(y * logSoftmax(z, axis), axes ∋ axis) -> -softmaxCrossEntropyWithLogits(z, y, axis), for any float labels. */
export const categoricalCrossEntropy = rule({
  name: 'categorical-cross-entropy',
  doc: 'sum (or mean) of y * logSoftmax(z) over the class axis is -softmaxCrossEntropyWithLogits(z, y), for any float labels y',
  // sum_i y_i log softmax(z)_i = -sum_i y_i (lse(z) - z_i); the fused gradient softmax(z) sum_i y_i - y is exact for any y
  pattern: op(['sum', 'mean'], [P.mul(y, op('logSoftmax', [z], { axis: attr('axis') }))], { axes: attr('axes'), keepDims: attr('keepDims') }),
  guard: (m) => {
    const axis = m.$attrs.axis as number;
    return (m.$attrs.axes as readonly number[]).includes(axis) && m.y.dtype === m.z.dtype && alike(m.y.shape, m.z.shape) &&
      (m.$root.op === 'sum' || typeof m.z.shape[axis] === 'number');
  },
  replace: (m) => {
    const [axis, keepDims] = [m.$attrs.axis as number, m.$attrs.keepDims as boolean];
    const reduce = m.$root.op === 'sum' ? sum : mean;
    // The other reduced axes, as numbered after the class axis is gone (or kept as size 1).
    const rest = (m.$attrs.axes as readonly number[]).filter((i) => i !== axis).map((i) => (keepDims || i < axis ? i : i - 1));
    let loss = softmaxCrossEntropyWithLogits(m.z, m.y, axis);
    if (keepDims) loss = expandDims(loss, axis);
    if (rest.length > 0) loss = reduce(loss, { axis: rest, keepDims });
    // A mean also divides by the k classes.
    return neg(m.$root.op === 'sum' ? loss : div(loss, m.z.shape[axis] as number));
  },
  examples: [
    {
      // label smoothing with a = 0.25 over k = 4 classes: 0.75 y + 0.0625 still sums to 1
      before: () => sum(mul(add(mul(oneHot(named('labels', [2], 'int32'), 4), 0.75), 0.0625), logSoftmax(named('z', [2, 4]))), { axis: 1 }),
      after: 'neg(softmaxCrossEntropyWithLogits{axis=1}(z, add(mul(oneHot{depth=4, dtype=float32}(labels), 0.75), 0.0625)))',
    },
    { before: () => sum(mul(softmax(named('t', [2, 3]), 1), logSoftmax(named('z', [2, 3]), 1)), { axis: [0, 1] }), after: 'neg(sum{axes=[0]}(softmaxCrossEntropyWithLogits{axis=1}(z, softmax{axis=1}(t))))' },
    // labels fed as an input, not known to sum to 1
    { before: () => mean(mul(named('y', [2, 3]), logSoftmax(named('z', [2, 3]))), { axis: 1 }), after: 'neg(div(softmaxCrossEntropyWithLogits{axis=1}(z, y), 3))' },
  ],
});

/** gather(logSoftmax(z), labels, last axis, batchDims r-1) -> -sparseSoftmaxCrossEntropyWithLogits(z, labels). */
export const sparseCrossEntropy = rule({
  name: 'sparse-cross-entropy',
  doc: 'picking logSoftmax(z)[label] with gather is -sparseSoftmaxCrossEntropyWithLogits(z, labels)',
  // log softmax(z)[k] = -(lse(z) - z[k])
  pattern: op('gather', [op('logSoftmax', [z], { axis: attr('axis') }), v('labels')], { axis: attr('axis'), batchDims: attr('batchDims') }),
  guard: (m) => {
    const last = m.z.shape.length - 1;
    return m.$attrs.axis === last && m.$attrs.batchDims === last && m.labels.shape.length === last;
  },
  replace: (m) => neg(sparseSoftmaxCrossEntropyWithLogits(m.z, m.labels)),
  examples: [{
    before: () => gather(logSoftmax(named('z', [2, 3])), named('labels', [2], 'int32'), { axis: 1, batchDims: 1 }),
    after: 'neg(sparseSoftmaxCrossEntropyWithLogits(z, labels))',
  }],
});

/**
 * softmaxCrossEntropyWithLogits(z, oneHot(labels, k)) -> sparseSoftmaxCrossEntropyWithLogits(z, labels).
 * Changes behaviour for labels outside [0, k): a loss of 0 before, a ValueError after.
 */
export const oneHotToSparse = rule({
  name: 'one-hot-cross-entropy-to-sparse',
  doc: 'softmax cross-entropy against oneHot(labels, k) over the last axis of k classes is the sparse form, which needs no one-hot tensor; a label outside [0, k) then raises a ValueError instead of giving loss 0',
  // sum_i oneHot(l)_i (lse(z) - z_i) = lse(z) - z_l for l in [0, k); oneHot(l) is a zero row (loss 0) for any other l,
  // where the sparse op throws a ValueError naming the node and the label: a bad label is a bug, not a free zero.
  pattern: op('softmaxCrossEntropyWithLogits', [z, bind('hot', P.oneHot(v('labels')))], { axis: attr('axis') }),
  guard: (m) => m.$attrs.axis === m.z.shape.length - 1 && typeof m.hot.attrs.depth === 'number' && m.hot.attrs.depth === m.z.shape[m.z.shape.length - 1],
  replace: (m) => sparseSoftmaxCrossEntropyWithLogits(m.z, m.labels),
  examples: [{
    before: () => mean(neg(sum(mul(oneHot(named('labels', [2], 'int32'), 3), logSoftmax(named('z', [2, 3]))), { axis: -1 }))),
    after: 'mean{axes=[0]}(sparseSoftmaxCrossEntropyWithLogits(z, labels))',
  }],
});

/** The cross-entropy rules, in the order they are tried (after the sigmoid and softmax rules). */
export const crossEntropyRules = [binaryCrossEntropy, binaryCrossEntropyOfNegated, weightedBinaryCrossEntropy, categoricalCrossEntropy, sparseCrossEntropy, oneHotToSparse];
