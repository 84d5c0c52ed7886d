/**
 * `softmaxCrossEntropyWithLogits(z, y, axis = -1)`: cross-entropy of label distributions `y`
 * against logits `z` along `axis` (TensorFlow's `softmax_cross_entropy_with_logits`):
 * `sum_i y_i (logsumexp(z) - z_i)`, reducing `axis`. z and y have the same shape.
 * Computed as `sum_i y_i (m - z_i) + (sum_i y_i) log1p(T)` with m = max z and T the sum of
 * `e^(z_i - m)` over the non-maximal entries: finite for every finite input and within a few ULP,
 * tiny losses included (`[20, 0]` with labels `[1, 0]` gives `log1p(e^-20)` to full precision).
 * Its gradient with respect to z is `softmax(z) sum(y) - y` (the fused `softmaxCrossEntropyGrad`),
 * exact for any labels, not only for labels that sum to 1.
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node } from '../node.js';
import { lanesOf } from './_rules.js';
import { defineOp } from '../op.js';
import { normalizeAxis } from '../shape.js';
import { refSoftmaxRowLoss, softLabelShape, softmaxRowLoss } from './_cross-entropy.js';
import { forEachLane } from '../kernels/indexing.js';
import { expandDims } from './expand-dims.js';
import { softmaxCrossEntropyGrad } from './softmax-cross-entropy-grad.js';

export const softmaxCrossEntropyWithLogitsOp = defineOp<{ axis: number }>({
  name: 'softmaxCrossEntropyWithLogits',
  traits: ['fusedLoss', 'stable'],
  domains: [null, [0, 1]], // labels are probabilities
  arity: 2,
  attrs: { axis: 'int' },
  infer: ([z, y], { axis }) => {
    return { shape: softLabelShape(z!, y!, axis).filter((_, i) => i !== axis), dtype: z!.dtype };
  },
  kernel: ([z, y], { axis }, out) => {
    const loss = out.data;
    const k = z!.shape[axis]!;
    let j = 0;
    forEachLane(z!.shape, axis, (offset, stride) => {
      loss[j++] = softmaxRowLoss(z!.data, y!.data, offset, stride, k);
    });
  },
  reference: ([z, y], { axis }, M) => {
    const { lanes, positions } = lanesOf(z!, axis);
    return lanes.map((lane, r) => refSoftmaxRowLoss(lane, positions[r]!.map((p) => y!.data[p]!), M));
  },
  // d loss = sum_i (softmax(z)_i sum(y) - y_i) dz_i + (lse(z) - z_i) dy_i
  vjp: ({ inputs: [z, y], attrs: { axis }, cotangent }) => {
    const ct = expandDims(cotangent, axis);
    return [ct.mul(softmaxCrossEntropyGrad(z!, y!, axis)), ct.mul(z!.logSoftmax(axis).neg())];
  },
  dot: ({ axis }) => `softmaxCrossEntropy ${axis}`,
});

/**
 * Cross-entropy of labels `y` (usually distributions: non-negative, summing to 1 along `axis`)
 * against logits `z` of the same shape; the result drops `axis`. The gradient with respect to z
 * is `softmax(z) sum(y) - y`, exact for any labels (TensorFlow's `softmax(z) - y` assumes they
 * sum to 1); for distributions it is `softmax(z) - y`.
 * @example
 * ```ts
 * const logits = input(['batch', 10], { name: 'logits' });
 * const labels = input(['batch', 10], { name: 'labels' });
 * softmaxCrossEntropyWithLogits(logits, labels).shape; // ['batch']
 * ```
 */
export function softmaxCrossEntropyWithLogits(z: Node, y: Node, axis = -1, options: BuildOptions = {}): Node {
  const a = normalizeAxis(axis, z.shape.length, `softmaxCrossEntropyWithLogits '${z.path}'`);
  return apply(softmaxCrossEntropyWithLogitsOp, [z, y], { axis: a }, options);
}
