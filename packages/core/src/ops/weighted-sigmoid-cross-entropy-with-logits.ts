/**
 * `weightedSigmoidCrossEntropyWithLogits(z, y, posWeight)`: binary cross-entropy with the
 * positive term weighted (TensorFlow's `weighted_cross_entropy_with_logits`, PyTorch's
 * `BCEWithLogitsLoss(pos_weight=...)`), elementwise with broadcasting of all three inputs:
 * `-(pw y log(sigmoid z) + (1 - y) log(1 - sigmoid z))`, computed as
 * `c |z| + (1 + (pw - 1) y) log1p(e^-|z|)` (c = 1 - y for z >= 0, pw y for z < 0): two
 * non-negative terms for labels in [0, 1] and pw > 0, finite for every finite input and within
 * about 1 ULP, tiny losses included. `pw = 1` is `sigmoidCrossEntropyWithLogits`.
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import {
  refWeightedSigmoidCrossEntropy, ternaryReference, weightedInfer, weightedSigmoidCrossEntropyValue,
} from './_weighted-cross-entropy.js';
import { unbroadcast } from './_unbroadcast.js';
import { weightedSigmoidCrossEntropyGrad } from './weighted-sigmoid-cross-entropy-grad.js';

export const weightedSigmoidCrossEntropyWithLogitsOp = defineOp({
  name: 'weightedSigmoidCrossEntropyWithLogits',
  traits: ['fusedLoss', 'stable'],
  domains: [null, [0, 1], [0, Infinity]], // labels are probabilities
  arity: 3,
  attrs: {},
  infer: weightedInfer('weightedSigmoidCrossEntropyWithLogits'),
  elementwise: { scalar: weightedSigmoidCrossEntropyValue },
  reference: ternaryReference(refWeightedSigmoidCrossEntropy),
  // d loss = ((1-y) sigmoid(z) - pw y sigmoid(-z)) dz + ((pw-1) softplus(-z) - z) dy + y softplus(-z) dpw
  vjp: ({ inputs: [z, y, pw], cotangent }) => {
    const softplusNeg = z!.logSigmoid().neg();
    return [
      unbroadcast(cotangent.mul(weightedSigmoidCrossEntropyGrad(z!, y!, pw!)), z!),
      unbroadcast(cotangent.mul(pw!.sub(1).mul(softplusNeg).sub(z!)), y!),
      unbroadcast(cotangent.mul(y!.mul(softplusNeg)), pw!),
    ];
  },
  dot: () => 'weightedSigmoidCrossEntropy',
});

/**
 * Elementwise binary cross-entropy of labels `y` given logits `z`, with the positive term
 * weighted by `posWeight` (a scalar, or one weight per output unit, broadcast against z). Its
 * gradient with respect to z is `(1 - y) sigmoid(z) - pw y sigmoid(-z)`, the fused
 * `weightedSigmoidCrossEntropyGrad` (accurate where the two terms cancel, near the optimum
 * `sigmoid(z) = pw y / (1 + (pw - 1) y)` of soft labels). Labels outside [0, 1] and pw <= 0 are
 * computed by the same formula, unchecked.
 * @example
 * ```ts
 * const z = input(['batch', 1], { name: 'logits' });
 * const y = input(['batch', 1], { name: 'labels' });
 * const loss = weightedSigmoidCrossEntropyWithLogits(z, y, 3).mean(); // positives count 3 times
 * ```
 */
export function weightedSigmoidCrossEntropyWithLogits(z: Node, y: NodeLike, posWeight: NodeLike, options: BuildOptions = {}): Node {
  return apply(weightedSigmoidCrossEntropyWithLogitsOp, [z, y, posWeight], {}, options);
}
