/**
 * The other spellings of the binary cross-entropy, each brought to
 * `sigmoidCrossEntropyWithLogits` (or its negation):
 * - the logistic loss in logit form, `softplus(z) - z*y` and `(1 - y) z + softplus(-z)` (also
 *   written out as `max(z, 0) - z*y + log(1 + exp(-|z|))`: canonicalize makes its softplus), and
 *   the log-likelihood `z*y - softplus(z)`;
 * - `y softplus(-z) + (1 - y) softplus(z)`, -log(sigmoid) written as softplus;
 * - `where(y == 1, -log p, -log(1 - p))`, a choice between the two logSigmoid terms;
 * - `log p - log(1 - p)` of a sigmoid, which is the logit itself.
 * Each is an identity of real numbers for every input it accepts (any real label y).
 * @module
 */
import { abs, add, cast, equal, exp, hasTrait, input, log, maximum, mul, neg, type Node, notEqual, sigmoid, sigmoidCrossEntropyWithLogits, sub, where } from '@stablegrad/core';
import { P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { isNegationOf, oneMinusOf, sameStaticShape } from '../_guards.js';
import { termPairRule, unsigned } from '../_terms.js';

const isFloat = (node: Node) => node.dtype !== 'int32';
const named = (name: string) => input([3], { name });

/** The other factor of a two-factor product `body` when one factor is `zn`, else null. */
export function otherFactor(body: Node, zn: Node): Node | null {
  if (body.op !== 'mul') return null;
  const [p, q] = body.inputs as [Node, Node];
  if (p === zn) return q;
  if (q === zn) return p;
  return null;
}

/** softplus(z) - z*y -> sigmoidCrossEntropyWithLogits(z, y), anywhere in a sum. */
export const logisticLoss = termPairRule({
  name: 'logistic-loss',
  doc: 'softplus(z) - z*y, the binary cross-entropy in logit form (also max(z,0) - z*y + log(1 + exp(-|z|)), and (1 - y) z + log(1 + exp(-z))), is sigmoidCrossEntropyWithLogits(z, y)',
  // log(1 + e^z) - y z = -(y log sigmoid(z) + (1 - y) log sigmoid(-z)), for any real y
  first: (t) => !t.negative && t.body.op === 'softplus',
  second: (t) => t.body.op === 'mul',
  combine: (sp, t) => {
    const zn = sp.body.inputs[0]!;
    // softplus(z) - z*y; or softplus(-u) + u*y, the same with z = -u (negated logits, whose minus moved out)
    const yn = t.negative ? otherFactor(t.body, zn) : zn.op === 'neg' ? otherFactor(t.body, zn.inputs[0]!) : null;
    if (yn === null || !isFloat(yn) || yn.dtype !== zn.dtype) return null;
    // With labels 1 - y, the loss is the one of -z and y: exact labels instead of a rounded 1 - y.
    const y0 = oneMinusOf(yn);
    return y0 !== null && isFloat(y0) ? () => sigmoidCrossEntropyWithLogits(neg(zn), y0) : () => sigmoidCrossEntropyWithLogits(zn, yn);
  },
  examples: [
    { before: () => { const [z, y] = [named('z'), named('y')]; return sub(log(add(1, exp(z))), mul(z, y)); }, after: 'sigmoidCrossEntropyWithLogits(z, y)' },
    // the PyTorch docs' (1 - y) z + log(1 + exp(-z)): softplus(-z) + z (1 - y) is the loss of -z and labels 1 - y, that is of z and y
    { before: () => { const [z, y] = [named('z'), named('y')]; return add(mul(sub(1, y), z), log(add(1, exp(neg(z))))); }, after: 'sigmoidCrossEntropyWithLogits(z, y)' },
    {
      before: () => { const [z, y] = [named('z'), named('y')]; return add(sub(maximum(z, 0), mul(z, y)), log(add(1, exp(neg(abs(z)))))); },
      after: 'sigmoidCrossEntropyWithLogits(z, y)',
    },
  ],
});

/** z*y + logSigmoid(-z) -> -sigmoidCrossEntropyWithLogits(z, y), anywhere in a sum. */
export const logisticLogLikelihood = termPairRule({
  name: 'logistic-log-likelihood',
  doc: 'z*y - softplus(z) = z*y + logSigmoid(-z), the log-likelihood in logit form, is -sigmoidCrossEntropyWithLogits(z, y)',
  // y z - log(1 + e^z) = -(softplus(z) - y z)
  first: (t) => !t.negative && t.body.op === 'mul',
  second: (t) => !t.negative && t.body.op === 'logSigmoid' && t.body.inputs[0]!.op === 'neg',
  combine: (t, ls) => {
    const zn = ls.body.inputs[0]!.inputs[0]!;
    const yn = otherFactor(t.body, zn);
    return yn !== null && isFloat(yn) && yn.dtype === zn.dtype ? () => neg(sigmoidCrossEntropyWithLogits(zn, yn)) : null;
  },
  examples: [{ before: () => { const [z, y] = [named('z'), named('y')]; return sub(mul(y, z), log(add(1, exp(z)))); }, after: 'neg(sigmoidCrossEntropyWithLogits(z, y))' }],
});

/** The labels y of `y * softplus(-z)`, or null. */
function labelOfSoftplusTerm(term: Node, zn: Node, negated: boolean): Node | null {
  if (term.op !== 'mul') return null;
  for (const [w, sp] of [[term.inputs[0]!, term.inputs[1]!], [term.inputs[1]!, term.inputs[0]!]] as const) {
    if (sp.op !== 'softplus') continue;
    const arg = sp.inputs[0]!;
    if (negated ? arg.op === 'neg' && arg.inputs[0] === zn : arg === zn) return w;
  }
  return null;
}

/** y softplus(-z) + (1 - y) softplus(z) -> sigmoidCrossEntropyWithLogits(z, y), anywhere in a sum. */
export const binaryCrossEntropyOfSoftplus = termPairRule({
  name: 'binary-cross-entropy-of-softplus',
  doc: 'y softplus(-z) + (1 - y) softplus(z), the cross-entropy with -log(sigmoid) written as softplus (TF docs), is sigmoidCrossEntropyWithLogits(z, y)',
  // -log sigmoid(z) = softplus(-z), -log(1 - sigmoid(z)) = softplus(z)
  first: (t) => !t.negative && t.body.op === 'mul' && t.body.inputs.some((f) => f.op === 'softplus' && f.inputs[0]!.op === 'neg'),
  second: (t) => !t.negative && t.body.op === 'mul' && t.body.inputs.some((f) => f.op === 'softplus'),
  combine: (a, b) => {
    for (const sp of a.body.inputs.filter((f) => f.op === 'softplus' && f.inputs[0]!.op === 'neg')) {
      const zn = sp.inputs[0]!.inputs[0]!;
      const yn = labelOfSoftplusTerm(a.body, zn, true);
      const other = labelOfSoftplusTerm(b.body, zn, false);
      if (yn === null || other === null || !isFloat(yn) || !isFloat(other) || yn.dtype !== zn.dtype) continue;
      if (oneMinusOf(other) === yn) return () => sigmoidCrossEntropyWithLogits(zn, yn);
      // (1 - y) softplus(-z) + y softplus(z): the loss of the logits -z (written negated, their minus moved out)
      if (oneMinusOf(yn) === other) return () => sigmoidCrossEntropyWithLogits(neg(zn), other);
    }
    return null;
  },
  examples: [{
    before: () => { const [z, y] = [named('z'), named('y')]; return add(mul(y, log(add(1, exp(neg(z))))), mul(sub(1, y), log(add(1, exp(z))))); },
    after: 'sigmoidCrossEntropyWithLogits(z, y)',
  }],
});

/** logSigmoid(w) - logSigmoid(-w) -> w, anywhere in a sum. */
export const logitFromLogSigmoids = termPairRule({
  name: 'logit-from-log-sigmoids',
  doc: 'log(p) - log(1 - p) for p = sigmoid(w), that is logSigmoid(w) - logSigmoid(-w), is w itself',
  // log sigmoid(w) - log sigmoid(-w) = log(e^w) = w
  first: (t) => !t.negative && t.body.op === 'logSigmoid',
  second: (t) => t.negative && t.body.op === 'logSigmoid',
  combine: (ls, t) => {
    const [w, other] = [ls.body.inputs[0]!, t.body.inputs[0]!];
    return isNegationOf(w, other) ? () => w : null;
  },
  examples: [{ before: () => { const p = sigmoid(named('w')); return sub(log(p), log(sub(1, p))); }, after: 'w' }],
});

/** where(c, -logSigmoid(z), -logSigmoid(-z)) -> sigmoidCrossEntropyWithLogits(z, c as 0/1). */
export const whereCrossEntropy = rule({
  name: 'where-cross-entropy',
  doc: 'where(c, -log(sigmoid z), -log(1 - sigmoid z)) (e.g. c = y == 1) is sigmoidCrossEntropyWithLogits(z, c) with c as 0/1 labels',
  // sigmoidCE(z, 1) = -log sigmoid(z), sigmoidCE(z, 0) = -log sigmoid(-z)
  pattern: P.where(v('cond'), v('a'), v('b')),
  guard: (m) => {
    const [a, b] = [unsigned(m.a), unsigned(m.b)];
    return a.negative === b.negative && a.body.op === 'logSigmoid' && b.body.op === 'logSigmoid' &&
      isNegationOf(a.body.inputs[0]!, b.body.inputs[0]!) && sameStaticShape(m.a, m.$root);
  },
  replace: (m) => {
    const [a] = [unsigned(m.a)];
    const zn = a.body.inputs[0]!;
    const yes = hasTrait(m.cond.op, 'comparison') ? m.cond : notEqual(m.cond, 0);
    const loss = sigmoidCrossEntropyWithLogits(zn, cast(yes, zn.dtype));
    return a.negative ? loss : neg(loss);
  },
  examples: [{
    before: () => { const [z, y] = [named('z'), named('y')]; const p = sigmoid(z); return where(equal(y, 1), neg(log(p)), neg(log(sub(1, p)))); },
    after: 'sigmoidCrossEntropyWithLogits(z, cast{dtype=float32}(equal(y, 1)))',
  }],
});

/** The binary cross-entropy spellings, in the order they are tried. */
export const binarySpellingRules = [
  binaryCrossEntropyOfSoftplus, logisticLoss, logisticLogLikelihood, logitFromLogSigmoids, whereCrossEntropy,
];
