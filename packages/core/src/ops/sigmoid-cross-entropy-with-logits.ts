/**
 * `sigmoidCrossEntropyWithLogits(z, y)`: binary cross-entropy of labels `y` in [0, 1] against
 * logits `z`, elementwise with broadcasting (TensorFlow's `sigmoid_cross_entropy_with_logits`):
 * `max(z, 0) - z y + log1p(e^-|z|)`, i.e. `-y log(sigmoid z) - (1 - y) log(1 - sigmoid z)`.
 * Finite for every finite input and within about 1 ULP, tiny losses included
 * (`sigmoidCrossEntropyWithLogits(40, 1)` is `log1p(e^-40)` to full precision).
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { refSigmoidCrossEntropy, sigmoidCrossEntropyValue } from './_cross-entropy.js';
import { binaryReference, broadcastFloatBinary } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { sigmoidCrossEntropyGrad } from './sigmoid-cross-entropy-grad.js';

export const sigmoidCrossEntropyWithLogitsOp = defineOp({
  name: 'sigmoidCrossEntropyWithLogits',
  traits: ['fusedLoss', 'stable'],
  domains: [null, [0, 1]], // labels are probabilities
  arity: 2,
  attrs: {},
  infer: broadcastFloatBinary,
  elementwise: { scalar: sigmoidCrossEntropyValue },
  reference: binaryReference(refSigmoidCrossEntropy),
  // d loss = (sigmoid(z) - y) dz - z dy
  vjp: ({ inputs: [z, y], cotangent }) => [
    unbroadcast(cotangent.mul(sigmoidCrossEntropyGrad(z!, y!)), z!),
    unbroadcast(cotangent.mul(z!).neg(), y!),
  ],
  dot: () => 'sigmoidCrossEntropy',
});

/**
 * Elementwise binary cross-entropy of labels `y` (in [0, 1], broadcast against `z`) given
 * logits `z`. Its gradient with respect to z is `sigmoid(z) - y`, never a division by a
 * saturated probability. Labels outside [0, 1] are computed by the same formula, unchecked.
 * @example
 * ```ts
 * const z = input(['batch', 1], { name: 'logits' });
 * const y = input(['batch', 1], { name: 'labels' });
 * const loss = sigmoidCrossEntropyWithLogits(z, y).mean();
 * ```
 */
export function sigmoidCrossEntropyWithLogits(z: NodeLike, y: NodeLike, options: BuildOptions = {}): Node {
  return apply(sigmoidCrossEntropyWithLogitsOp, [z, y], {}, options);
}
