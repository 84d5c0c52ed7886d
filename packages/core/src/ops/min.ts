/**
 * `min(x, { axis, keepDims })`: smallest element over axes (all by default). NaN propagates;
 * the min over zero elements is +Infinity.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, ReduceOptions } from '../node.js';
import { defineOp } from '../op.js';
import { normalizeAxes } from '../shape.js';
import { extremumInfer, extremumKernel, extremumReference, extremumVjp } from './max.js';

export const minOp = defineOp<{ axes: readonly number[]; keepDims: boolean }>({
  name: 'min',
  traits: ['reduction'],
  arity: 1,
  attrs: { axes: 'ints', keepDims: 'bool' },
  infer: extremumInfer,
  kernel: extremumKernel(-1),
  reference: extremumReference(-1),
  // d min(x) = dx[argmin]; with k tied minima each gets 1/k of the cotangent
  vjp: extremumVjp,
  dot: ({ axes }) => `min ${JSON.stringify(axes)}`,
});

/**
 * Smallest element over `axis` (a number or list; all axes by default). NaN propagates.
 * @example
 * ```ts
 * x.min({ axis: 0 }); // column minima
 * ```
 */
export function min(x: Node, options: ReduceOptions = {}): Node {
  const axes = normalizeAxes(options.axis, x.shape.length, `min '${x.path}'`);
  return apply(minOp, [x], { axes, keepDims: options.keepDims ?? false });
}
