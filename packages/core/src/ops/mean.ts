/**
 * `mean(x, { axis, keepDims })`: arithmetic mean over axes (all by default). The sum is
 * accumulated in float64 and divided once. The mean over zero elements is NaN (0 / 0).
 * @module
 */
import { apply } from '../apply.js';
import { requireFloat } from '../dtype.js';
import type { Node, ReduceOptions } from '../node.js';
import { reduceInto } from '../kernels/reduce.js';
import { defineOp } from '../op.js';
import { normalizeAxes, sizeOf } from '../shape.js';
import { reductionIndex } from '../kernels/indexing.js';
import { checkAxes, reducedShape } from './_rules.js';
import { unreduce } from './_unbroadcast.js';
import { broadcastLike } from './broadcast-like.js';
import { constant } from './constant.js';
import { sum } from './sum.js';

export const meanOp = defineOp<{ axes: readonly number[]; keepDims: boolean }>({
  name: 'mean',
  traits: ['reduction'],
  arity: 1,
  attrs: { axes: 'ints', keepDims: 'bool' },
  infer: ([x], { axes, keepDims }) => {
    requireFloat(x!.dtype, 'mean');
    checkAxes(axes, x!.shape.length);
    return { shape: reducedShape(x!.shape, axes, keepDims), dtype: x!.dtype };
  },
  kernel: ([x], { axes }, out) => {
    const { map, groupSize } = reductionIndex(x!.shape, axes);
    reduceInto(x!.data, map, new Float64Array(out.data.length), out.data, groupSize);
  },
  reference: ([x], { axes }, M) => {
    const { map, outSize } = reductionIndex(x!.shape, axes);
    const count = M.fromNumber(sizeOf(axes.map((a) => x!.shape[a]!)));
    const acc = Array.from({ length: outSize }, () => M.fromNumber(0));
    x!.data.forEach((v, i) => (acc[map[i]!] = M.add(acc[map[i]!]!, v)));
    return acc.map((s) => M.div(s, count));
  },
  // d mean(x) = sum(dx) / n: the cotangent divided by the count spreads back over the axes
  vjp: ({ inputs, attrs, cotangent }) => {
    const x = inputs[0]!;
    return [unreduce(cotangent.div(countOver(x, attrs.axes, attrs.keepDims)), x, attrs.axes, attrs.keepDims)];
  },
  dot: ({ axes }) => `mean ${JSON.stringify(axes)}`,
});

/**
 * The number of elements of `x` over `axes`, as a node of x's dtype: a constant when the reduced
 * dimensions are known, else counted at run time (shaped as a reduction with `keepDims`).
 */
export function countOver(x: Node, axes: readonly number[], keepDims: boolean): Node {
  const reduced = axes.map((a) => x.shape[a]!);
  // A symbolic count is only known at run time: count the ones of a tensor shaped like x.
  return reduced.every((d): d is number => typeof d === 'number')
    ? constant(sizeOf(reduced), { dtype: x.dtype })
    : sum(broadcastLike(constant(1, { dtype: x.dtype }), x), { axis: axes, keepDims });
}

/**
 * Mean over `axis` (a number or list; all axes by default). Float inputs only.
 * @example
 * ```ts
 * mean(x);                           // scalar
 * x.mean({ axis: 0, keepDims: true });
 * ```
 */
export function mean(x: Node, options: ReduceOptions = {}): Node {
  const axes = normalizeAxes(options.axis, x.shape.length, `mean '${x.path}'`);
  return apply(meanOp, [x], { axes, keepDims: options.keepDims ?? false });
}
