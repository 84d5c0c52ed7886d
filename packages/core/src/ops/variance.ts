/**
 * `variance(x, { axis, keepDims })`: population variance over axes (all by default), dividing by
 * the count n as Keras' batch and layer normalization do. Computed in two passes (the mean, then
 * the mean squared deviation from it) with compensated sums, never as `E[x^2] - E[x]^2`, which
 * cancels catastrophically when the spread is small against the mean (1e8 + noise). The
 * variance over zero elements is NaN.
 * @module
 */
import { apply } from '../apply.js';
import { requireFloat } from '../dtype.js';
import type { Node, ReduceOptions } from '../node.js';
import { reductionIndex } from '../kernels/indexing.js';
import { varianceInto } from '../kernels/variance.js';
import { defineOp } from '../op.js';
import { normalizeAxes, sizeOf } from '../shape.js';
import { checkAxes, reducedShape } from './_rules.js';
import { unreduce } from './_unbroadcast.js';
import { countOver, mean } from './mean.js';

export const varianceOp = defineOp<{ axes: readonly number[]; keepDims: boolean }>({
  name: 'variance',
  traits: ['reduction'],
  arity: 1,
  attrs: { axes: 'ints', keepDims: 'bool' },
  infer: ([x], { axes, keepDims }) => {
    requireFloat(x!.dtype, 'variance');
    checkAxes(axes, x!.shape.length);
    return { shape: reducedShape(x!.shape, axes, keepDims), dtype: x!.dtype };
  },
  kernel: ([x], { axes }, out) => {
    const { map, groupSize } = reductionIndex(x!.shape, axes);
    varianceInto(x!.data, map, groupSize, out.data);
  },
  reference: ([x], { axes }, M) => {
    const { map, outSize } = reductionIndex(x!.shape, axes);
    const count = M.fromNumber(sizeOf(axes.map((a) => x!.shape[a]!)));
    const sums = Array.from({ length: outSize }, () => M.fromNumber(0));
    x!.data.forEach((v, i) => (sums[map[i]!] = M.add(sums[map[i]!]!, v)));
    const means = sums.map((s) => M.div(s, count));
    const squares = Array.from({ length: outSize }, () => M.fromNumber(0));
    x!.data.forEach((v, i) => {
      const d = M.sub(v, means[map[i]!]!);
      squares[map[i]!] = M.add(squares[map[i]!]!, M.mul(d, d));
    });
    return squares.map((s) => M.div(s, count));
  },
  // d var(x) = 2 (x - mean(x)) dx / n (the mean's own change sums to zero against x - mean)
  vjp: ({ inputs, attrs, cotangent }) => {
    const x = inputs[0]!;
    const axis = attrs.axes;
    // Centered twice, as the kernel's corrected two-pass formula: the rounding error of the first
    // mean (large against the deviations when the mean is large) is the mean of the first
    // deviations, and subtracting it leaves deviations accurate to their own size.
    const rough = x.sub(mean(x, { axis, keepDims: true }));
    const centered = rough.sub(mean(rough, { axis, keepDims: true }));
    return [unreduce(cotangent, x, attrs.axes, attrs.keepDims).mul(centered.mul(2).div(countOver(x, attrs.axes, true)))];
  },
  dot: ({ axes }) => `variance ${JSON.stringify(axes)}`,
});

/**
 * Population variance (divided by n) over `axis` (a number or list; all axes by default), as
 * Keras' normalization layers compute it. Float inputs only. Two-pass and compensated: accurate
 * even for values with a large mean and a tiny spread.
 * @example
 * ```ts
 * variance(x);                                // scalar
 * x.variance({ axis: [0, 1, 2], keepDims: true }); // per channel of an NHWC batch
 * ```
 */
export function variance(x: Node, options: ReduceOptions = {}): Node {
  const axes = normalizeAxes(options.axis, x.shape.length, `variance '${x.path}'`);
  return apply(varianceOp, [x], { axes, keepDims: options.keepDims ?? false });
}
