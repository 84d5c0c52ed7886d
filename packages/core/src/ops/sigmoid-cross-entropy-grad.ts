/**
 * `sigmoidCrossEntropyGrad(z, y)` = `sigmoid(z) - y`, elementwise with broadcasting: the
 * gradient of `sigmoidCrossEntropyWithLogits` with respect to its logits, as one fused op.
 * Within a few ULP wherever the result is a normal number: when sigmoid(z) is close to y the
 * kernel subtracts from the exact `1 - y` or recomputes in double-double instead of cancelling.
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { refSigmoidCrossEntropyGrad, sigmoidCrossEntropyGradValue } from './_cross-entropy.js';
import { binaryReference, broadcastFloatBinary } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';

export const sigmoidCrossEntropyGradOp = defineOp({
  name: 'sigmoidCrossEntropyGrad',
  traits: ['fusedLossGrad', 'stable'],
  domains: [null, [0, 1]], // labels are probabilities
  formula: 'fused gradient: sigmoid(z) - y',
  arity: 2,
  attrs: {},
  infer: broadcastFloatBinary,
  elementwise: { scalar: sigmoidCrossEntropyGradValue },
  reference: binaryReference(refSigmoidCrossEntropyGrad),
  // d (sigmoid(z) - y) = sigmoid(z) sigmoid(-z) dz - dy  (no 1 - sigmoid(z) to cancel)
  vjp: ({ inputs: [z, y], cotangent }) => [
    unbroadcast(cotangent.mul(z!.sigmoid()).mul(z!.neg().sigmoid()), z!),
    unbroadcast(cotangent.neg(), y!),
  ],
  dot: () => 'sigmoidCrossEntropyGrad',
});

/**
 * `sigmoid(z) - y` as one accurate op (labels `y` broadcast against logits `z`).
 * @example
 * ```ts
 * sigmoidCrossEntropyGrad(z, y); // what grad(sigmoidCrossEntropyWithLogits(z, y).sum(), z) computes
 * ```
 */
export function sigmoidCrossEntropyGrad(z: NodeLike, y: NodeLike, options: BuildOptions = {}): Node {
  return apply(sigmoidCrossEntropyGradOp, [z, y], {}, options);
}
