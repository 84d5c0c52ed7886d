/**
 * `sparseSoftmaxCrossEntropyGrad(z, labels)` = `softmax(z) - oneHot(labels)` over the last
 * axis: the gradient of `sparseSoftmaxCrossEntropyWithLogits` with respect to its logits, as
 * one fused op with z's shape. Nothing cancels: the label's entry is computed as
 * `-(sum of the other probabilities)`, so every entry is within a few ULP.
 * A label outside [0, k) is a ValueError naming the node, the label and its position.
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node } from '../node.js';
import { sparseRows } from '../kernels/sparse-rows.js';
import { defineOp } from '../op.js';
import { checkLabels, checkSparse, refSoftmaxRowGrad, softmaxScratch } from './_cross-entropy.js';

export const sparseSoftmaxCrossEntropyGradOp = defineOp({
  name: 'sparseSoftmaxCrossEntropyGrad',
  traits: ['fusedLossGrad', 'stable'],
  formula: 'fused gradient: softmax(z) - onehot(y)',
  arity: 2,
  attrs: {},
  infer: ([z, labels]) => {
    checkSparse(z!, labels!);
    return { shape: z!.shape, dtype: z!.dtype };
  },
  kernel: ([z, labels], _attrs, out, node) => {
    const k = z!.shape[z!.shape.length - 1]!;
    checkLabels(labels!, k, node);
    sparseRows(z!.data, labels!.data, undefined, out.data, 0, labels!.data.length, k, softmaxScratch(k), null);
  },
  reference: ([z, labels], _attrs, M, _out, node) => {
    const k = z!.shape[z!.shape.length - 1]!;
    const classes = labels!.data.map((l) => M.toNumber(l));
    checkLabels({ dtype: 'int32', shape: labels!.shape, data: Int32Array.from(classes) }, k, node);
    const [zero, one] = [M.fromNumber(0), M.fromNumber(1)];
    return classes.flatMap((label, r) =>
      refSoftmaxRowGrad(z!.data.slice(r * k, (r + 1) * k), Array.from({ length: k }, (_, i) => (i === label ? one : zero)), M),
    );
  },
  // d (softmax(z) - oneHot) = p * (dz - sum(p dz)), p = softmax(z), along the last axis
  vjp: ({ inputs: [z], cotangent }) => {
    const p = z!.softmax(-1);
    return [p.mul(cotangent.sub(cotangent.mul(p).sum({ axis: -1, keepDims: true }))), null];
  },
  dot: () => 'sparseSoftmaxCrossEntropyGrad',
});

/**
 * `softmax(z) - oneHot(labels, k)` over the last axis, as one accurate op.
 * @example
 * ```ts
 * sparseSoftmaxCrossEntropyGrad(logits, labels); // what grad(sparseSoftmaxCrossEntropyWithLogits(logits, labels).sum(), logits) computes
 * ```
 */
export function sparseSoftmaxCrossEntropyGrad(z: Node, labels: Node, options: BuildOptions = {}): Node {
  return apply(sparseSoftmaxCrossEntropyGradOp, [z, labels], {}, options);
}
