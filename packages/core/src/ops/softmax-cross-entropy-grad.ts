/**
 * `softmaxCrossEntropyGrad(z, y, axis = -1)` = `softmax(z, axis) * sum(y, axis) - y`: the gradient of
 * `softmaxCrossEntropyWithLogits` with respect to its logits, for any labels, as one fused op (z and
 * y have the same shape). For labels summing to 1 it is `softmax(z) - y`. Within a few ULP wherever
 * the result is a normal number: it is computed as `(softmax(z) - y) + softmax(z) (sum(y) - 1)` with
 * the label sum compensated (the second term is skipped when it is exactly 0), the argmax entry as
 * `(1 - y) - T/S` when y > 1/2 (`(r - y T) / S`, r the other labels' sum, when sum(y) != 1), and
 * entries where the two sides are close are recomputed in double-double, then BigFloat.
 * @module
 */
import { apply, type BuildOptions } from '../apply.js';
import type { Node } from '../node.js';
import { lanesOf } from './_rules.js';
import { defineOp } from '../op.js';
import { normalizeAxis } from '../shape.js';
import { refSoftmaxRowGrad, softLabelShape, softmaxRowGrad, softmaxScratch } from './_cross-entropy.js';
import { forEachLane } from '../kernels/indexing.js';

export const softmaxCrossEntropyGradOp = defineOp<{ axis: number }>({
  name: 'softmaxCrossEntropyGrad',
  traits: ['fusedLossGrad', 'stable'],
  domains: [null, [0, 1]], // labels are probabilities
  formula: 'fused gradient: softmax(z) sum(y) - y, i.e. softmax(z) - y for labels summing to 1',
  arity: 2,
  attrs: { axis: 'int' },
  infer: ([z, y], { axis }) => {
    return { shape: softLabelShape(z!, y!, axis), dtype: z!.dtype };
  },
  kernel: ([z, y], { axis }, out) => {
    const k = z!.shape[axis]!;
    // Computed in float64 and rounded once into the output's dtype.
    const g = out.dtype === 'float64' ? out.data : new Float64Array(out.data.length);
    const scratch = softmaxScratch(k);
    forEachLane(z!.shape, axis, (offset, stride) => softmaxRowGrad(z!.data, y!.data, g, offset, stride, k, scratch));
    if (g !== out.data) out.data.set(g);
  },
  reference: ([z, y], { axis }, M) => {
    const g = z!.data.slice(); // every entry is overwritten
    const { lanes, positions } = lanesOf(z!, axis);
    lanes.forEach((lane, r) => {
      const at = positions[r]!;
      refSoftmaxRowGrad(lane, at.map((p) => y!.data[p]!), M).forEach((v, i) => (g[at[i]!] = v));
    });
    return g;
  },
  // G = p s - y with p = softmax(z), s = sum(y) along axis: dG = s p (dz - sum(p dz)) + p sum(dy) - dy;
  // transposed, z-bar = s p (c - sum(c p)) and y-bar = sum(c p) - c (broadcast along axis).
  vjp: ({ inputs: [z, y], attrs: { axis }, cotangent }) => {
    const p = z!.softmax(axis);
    const cp = cotangent.mul(p).sum({ axis, keepDims: true });
    const s = y!.sum({ axis, keepDims: true });
    return [p.mul(cotangent.sub(cp)).mul(s), cp.sub(cotangent)];
  },
  dot: ({ axis }) => `softmaxCrossEntropyGrad ${axis}`,
});

/**
 * `softmax(z, axis) * sum(y, axis) - y` (`softmax(z) - y` for labels summing to 1) as one accurate op.
 * @example
 * ```ts
 * softmaxCrossEntropyGrad(logits, labels); // what grad(softmaxCrossEntropyWithLogits(logits, labels).sum(), logits) computes
 * ```
 */
export function softmaxCrossEntropyGrad(z: Node, y: Node, axis = -1, options: BuildOptions = {}): Node {
  const a = normalizeAxis(axis, z.shape.length, `softmaxCrossEntropyGrad '${z.path}'`);
  return apply(softmaxCrossEntropyGradOp, [z, y], { axis: a }, options);
}
