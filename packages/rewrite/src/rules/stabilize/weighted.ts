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
  add, broadcastShapes, input, log, logSigmoid, mul, neg, type Node, type Shape, sigmoid, sub, weightedSigmoidCrossEntropyWithLogits,
} from '@stablegrad/core';
import { isConstantNear } from '../../match.js';
import { P, v } from '../../pattern.js';
import { rule } from '../../rule.js';

const isFloat = (node: Node) => node.dtype !== 'int32';
/** The engine's check: same rank, numeric dims equal. */
const fits = (root: Node, shape: Shape) => root.shape.length === shape.length && shape.every((d, i) => d === root.shape[i] || typeof d !== 'number' || typeof root.shape[i] !== 'number');
const factorsOf = (node: Node): Node[] => (node.op === 'mul' ? [...factorsOf(node.inputs[0]!), ...factorsOf(node.inputs[1]!)] : [node]);

/** y when `node` is 1 + (-y) (canonical 1 - y), else undefined. */
function oneMinus(node: Node): Node | undefined {
  if (node.op !== 'add') return undefined;
  const [p, q] = node.inputs as [Node, Node];
  const [one, negated] = isConstantNear(p, 1) ? [p, q] : [q, p];
  return isConstantNear(one, 1) && one.shape.length === 0 && negated.op === 'neg' ? negated.inputs[0] : undefined;
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

const product = (factors: readonly Node[]): Node => factors.slice(1).reduce((w, f) => mul(w, f), factors[0]!);

/**
 * The z, y, positive weight and common weights of `W pw y logσ(z) + W (1-y) logσ(-z)`, in any
 * association and order (pw: the factors of the first term that the second lacks, at least one).
 */
export function positiveWeightedBinary(p: Node, q: Node): { z: Node; y: Node; pw: Node; weights: Node[] } | null {
  for (const [first, second] of [[p, q], [q, p]] as const) {
    const [fa, fb] = [factorsOf(first), factorsOf(second)];
    for (const ls of fa.filter((f) => f.op === 'logSigmoid')) {
      const zn = ls.inputs[0]!;
      // logSigmoid(-z), or logSigmoid(t) when z is -t (the double negation cancelled)
      const negates = (w: Node) => (w.op === 'neg' && w.inputs[0] === zn) || (zn.op === 'neg' && zn.inputs[0] === w);
      const lsNeg = fb.find((f) => f.op === 'logSigmoid' && negates(f.inputs[0]!));
      if (lsNeg === undefined) continue;
      for (const om of fb) {
        const yn = oneMinus(om);
        if (yn === undefined || yn === ls || !isFloat(yn) || !fa.includes(yn)) continue;
        const restA = without(fa, [ls, yn]);
        const weights = without(fb, [lsNeg, om]);
        const pw = restA === null || weights === null ? null : without(restA, weights);
        if (pw === null || weights === null || pw.length === 0 || !pw.every(isFloat)) continue;
        return { z: zn, y: yn, pw: product(pw), weights };
      }
    }
  }
  return null;
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
