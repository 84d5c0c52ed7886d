/**
 * Recognition of the positive-weighted binary cross-entropy (TensorFlow's
 * `weighted_cross_entropy_with_logits`, PyTorch's `BCEWithLogitsLoss(pos_weight=...)`, the nn
 * `binaryCrossentropy({ posWeight })` written the Keras way). Once the local rules have turned
 * `log(sigmoid z)` into `logSigmoid(z)` and `log(1 - sigmoid z)` into `logSigmoid(-z)`, the loss
 * reads `pw y logSigmoid(z) + (1 - y) logSigmoid(-z)` (factors in any order and association,
 * optionally with weights common to both terms), and becomes
 * `-weightedSigmoidCrossEntropyWithLogits(z, y, pw)`, whose fused gradient
 * `(1 - y) sigmoid(z) - pw y sigmoid(-z)` keeps its digits near the optimum, where the graph
 * gradient of the two logSigmoid terms cancels.
 * @module
 */
import {
  add, broadcastShapes, input, log, logSigmoid, mul, neg, type Node, sigmoid, sub, weightedSigmoidCrossEntropyWithLogits,
} from '@stablegrad/core';
import { P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { binaryTermFactors, fits } from './cross-entropy.js';

const isFloat = (node: Node) => node.dtype !== 'int32';

const product = (factors: readonly Node[]): Node => factors.slice(1).reduce((acc, f) => mul(acc, f), factors[0]!);

/**
 * The z, y, positive weight and common weights of `W pw y logσ(z) + W (1-y) logσ(-z)`, in any
 * association and order (pw: the factors of the first term that the second lacks, at least one).
 */
export function positiveWeightedBinary(p: Node, q: Node): { z: Node; y: Node; pw: Node; weights: Node[] } | null {
  const found = binaryTermFactors(p, q, (f) => f.extra.length > 0 && f.extra.every(isFloat));
  return found === null ? null : { z: found.z, y: found.y, pw: product(found.extra), weights: found.weights };
}

/** pw y logSigmoid(z) + (1 - y) logSigmoid(-z) -> -weightedSigmoidCrossEntropyWithLogits(z, y, pw). */
export const positiveWeightedBinaryCrossEntropy = rule({
  name: 'positive-weighted-binary-cross-entropy',
  doc: 'pw y log(sigmoid z) + (1-y) log(1 - sigmoid z), the positive term weighted, is -weightedSigmoidCrossEntropyWithLogits(z, y, pw)',
  // pw y logσ(z) + (1-y) logσ(-z) = -(pw y softplus(-z) + (1-y) softplus(z)), for any real y and pw
  pattern: P.add(v('a'), v('b')),
  guard: (m) => {
    const found = positiveWeightedBinary(m.a, m.b);
    if (found === null || found.pw.dtype !== found.z.dtype || found.y.dtype !== found.z.dtype) return false;
    return fits(m.$root, [...found.weights, found.z, found.y, found.pw].map((n) => n.shape).reduce(broadcastShapes));
  },
  replace: (m) => {
    const { z, y, pw, weights } = positiveWeightedBinary(m.a, m.b)!;
    const loss = weightedSigmoidCrossEntropyWithLogits(z, y, pw);
    return neg(weights.length === 0 ? loss : mul(product(weights), loss));
  },
  examples: [
    {
      before: () => {
        const [z, y, pw] = ['z', 'y', 'pw'].map((name) => input([3], { name })) as [Node, Node, Node];
        return add(mul(mul(y, pw), log(sigmoid(z))), mul(sub(1, y), log(sub(1, sigmoid(z)))));
      },
      after: 'neg(weightedSigmoidCrossEntropyWithLogits(z, y, pw))',
    },
    {
      // operands swapped, the weight first, logSigmoid written directly
      before: () => {
        const [z, y, pw] = ['z', 'y', 'pw'].map((name) => input([3], { name })) as [Node, Node, Node];
        return add(mul(logSigmoid(neg(z)), sub(1, y)), mul(pw, mul(logSigmoid(z), y)));
      },
      after: 'neg(weightedSigmoidCrossEntropyWithLogits(z, y, pw))',
    },
  ],
});

/** The positive-weighted cross-entropy rules (after the unweighted ones). */
export const weightedRules = [positiveWeightedBinaryCrossEntropy];
