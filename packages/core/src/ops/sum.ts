/**
 * `sum(x, { axis, keepDims })`: sum over axes (all by default).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, ReduceOptions } from '../node.js';
import { reduceInto } from '../kernels/reduce.js';
import { defineOp } from '../op.js';
import { normalizeAxes } from '../shape.js';
import { reductionIndex } from '../kernels/indexing.js';
import { checkAxes, reducedShape } from './_rules.js';
import { unreduce } from './_unbroadcast.js';

export const sumOp = defineOp<{ axes: readonly number[]; keepDims: boolean }>({
  name: 'sum',
  traits: ['reduction'],
  arity: 1,
  attrs: { axes: 'ints', keepDims: 'bool' },
  infer: ([x], { axes, keepDims }) => {
    checkAxes(axes, x!.shape.length);
    return { shape: reducedShape(x!.shape, axes, keepDims), dtype: x!.dtype };
  },
  // Accumulated in float64, so float32 sums round once.
  kernel: ([x], { axes }, out) => reduceInto(x!.data, reductionIndex(x!.shape, axes).map, new Float64Array(out.data.length), out.data, 1),
  reference: ([x], { axes }, M) => {
    const { map, outSize } = reductionIndex(x!.shape, axes);
    const acc = Array.from({ length: outSize }, () => M.fromNumber(0));
    x!.data.forEach((v, i) => (acc[map[i]!] = M.add(acc[map[i]!]!, v)));
    return acc;
  },
  // d sum(x) = sum(dx): the cotangent spreads back over the reduced axes
  vjp: ({ inputs, attrs, cotangent }) => [unreduce(cotangent, inputs[0]!, attrs.axes, attrs.keepDims)],
  dot: ({ axes }) => `sum ${JSON.stringify(axes)}`,
});

/**
 * Sum over `axis` (a number or list; all axes by default).
 * @example
 * ```ts
 * sum(x);                         // scalar
 * x.sum({ axis: -1, keepDims: true });
 * ```
 */
export function sum(x: Node, options: ReduceOptions = {}): Node {
  const axes = normalizeAxes(options.axis, x.shape.length, `sum '${x.path}'`);
  return apply(sumOp, [x], { axes, keepDims: options.keepDims ?? false });
}
