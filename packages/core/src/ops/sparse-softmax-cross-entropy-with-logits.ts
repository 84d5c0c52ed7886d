/**
 * `sparseSoftmaxCrossEntropyWithLogits(z, labels)`: cross-entropy of integer class labels
 * against logits z [..., k] (TensorFlow's `sparse_softmax_cross_entropy_with_logits`):
 * `logsumexp(z) - z[label]` over the last axis, giving labels' shape [...].
 * Computed as `(m - z[label]) + log1p(T)` (m = max z, T = sum of `e^(z_i - m)` over the
 * non-maximal entries): finite for every finite input and within a few ULP, tiny losses included.
 * A label outside [0, k) is a ValueError naming the node, the label and its position.
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node } from '../node.js';
import { sparseRows } from '../kernels/sparse-rows.js';
import { defineOp } from '../op.js';
import { checkLabels, checkSparse, refSoftmaxRowLoss, softmaxScratch } from './_cross-entropy.js';
import { expandDims } from './expand-dims.js';
import { sparseSoftmaxCrossEntropyGrad } from './sparse-softmax-cross-entropy-grad.js';

export const sparseSoftmaxCrossEntropyWithLogitsOp = defineOp({
  name: 'sparseSoftmaxCrossEntropyWithLogits',
  traits: ['fusedLoss', 'stable'],
  arity: 2,
  attrs: {},
  infer: ([z, labels]) => ({ shape: checkSparse(z!, labels!), dtype: z!.dtype }),
  kernel: ([z, labels], _attrs, out, node) => {
    const k = z!.shape[z!.shape.length - 1]!;
    checkLabels(labels!, k, node);
    sparseRows(z!.data, labels!.data, out.data, undefined, 0, labels!.data.length, k, softmaxScratch(k), null);
  },
  reference: ([z, labels], _attrs, M, _out, node) => {
    const k = z!.shape[z!.shape.length - 1]!;
    const classes = labels!.data.map((l) => M.toNumber(l));
    checkLabels({ dtype: 'int32', shape: labels!.shape, data: Int32Array.from(classes) }, k, node);
    const [zero, one] = [M.fromNumber(0), M.fromNumber(1)];
    return classes.map((label, r) =>
      refSoftmaxRowLoss(z!.data.slice(r * k, (r + 1) * k), Array.from({ length: k }, (_, i) => (i === label ? one : zero)), M),
    );
  },
  // d loss = (softmax(z) - oneHot(label)) dz; integer labels get no gradient
  vjp: ({ inputs: [z, labels], cotangent }) => [expandDims(cotangent, -1).mul(sparseSoftmaxCrossEntropyGrad(z!, labels!)), null],
  dot: () => 'sparseSoftmaxCrossEntropy',
});

/**
 * Cross-entropy of int32 class `labels` [...] against logits `z` [..., k]; the result has the
 * labels' shape. The gradient with respect to z is `softmax(z) - oneHot(labels)`.
 * @example
 * ```ts
 * const logits = input(['batch', 10], { name: 'logits' });
 * const labels = input(['batch'], { dtype: 'int32', name: 'labels' });
 * const loss = sparseSoftmaxCrossEntropyWithLogits(logits, labels).mean();
 * ```
 */
export function sparseSoftmaxCrossEntropyWithLogits(z: Node, labels: Node, options: BuildOptions = {}): Node {
  return apply(sparseSoftmaxCrossEntropyWithLogitsOp, [z, labels], {}, options);
}
