/**
 * `weightedSigmoidCrossEntropyGrad(z, y, posWeight)` = `(1 - y) sigmoid(z) - pw y sigmoid(-z)`,
 * elementwise with broadcasting: the gradient of `weightedSigmoidCrossEntropyWithLogits` with
 * respect to its logits, as one fused op. Within a few ULP wherever the result is a normal
 * number: near the optimum the two terms cancel, and the kernel recomputes them in
 * double-double (then BigFloat) instead of subtracting two rounded probabilities.
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import {
  refWeightedSigmoidCrossEntropyGrad, ternaryReference, weightedInfer, weightedSigmoidCrossEntropyGradValue,
} from './_weighted-cross-entropy.js';
import { unbroadcast } from './_unbroadcast.js';

export const weightedSigmoidCrossEntropyGradOp = defineOp({
  name: 'weightedSigmoidCrossEntropyGrad',
  traits: ['fusedLossGrad', 'stable'],
  domains: [null, [0, 1], [0, Infinity]], // labels are probabilities
  formula: 'fused gradient: (1 - y) sigmoid(z) - pw y sigmoid(-z)',
  arity: 3,
  attrs: {},
  infer: weightedInfer('weightedSigmoidCrossEntropyGrad'),
  elementwise: { scalar: weightedSigmoidCrossEntropyGradValue },
  reference: ternaryReference(refWeightedSigmoidCrossEntropyGrad),
  // d g = (1 - y + pw y) sigmoid(z) sigmoid(-z) dz - (sigmoid(z) + pw sigmoid(-z)) dy - y sigmoid(-z) dpw
  vjp: ({ inputs: [z, y, pw], cotangent }) => {
    const [s, sNeg] = [z!.sigmoid(), z!.neg().sigmoid()];
    return [
      unbroadcast(cotangent.mul(y!.neg().add(1).add(pw!.mul(y!))).mul(s).mul(sNeg), z!),
      unbroadcast(cotangent.mul(s.add(pw!.mul(sNeg))).neg(), y!),
      unbroadcast(cotangent.mul(y!.mul(sNeg)).neg(), pw!),
    ];
  },
  dot: () => 'weightedSigmoidCrossEntropyGrad',
});

/**
 * `(1 - y) sigmoid(z) - pw y sigmoid(-z)` as one accurate op (labels and weights broadcast against z).
 * @example
 * ```ts
 * weightedSigmoidCrossEntropyGrad(z, y, 3); // what grad(weightedSigmoidCrossEntropyWithLogits(z, y, 3).sum(), z) computes
 * ```
 */
export function weightedSigmoidCrossEntropyGrad(z: Node, y: NodeLike, posWeight: NodeLike, options: BuildOptions = {}): Node {
  return apply(weightedSigmoidCrossEntropyGradOp, [z, y, posWeight], {}, options);
}
