/**
 * `reshapeLike(x, like)`: reshapes `x` to the run-time shape of `like`. The gradient of
 * `reshape` uses it when the input's shape has unknown (`null`) dimensions; `like` only lends
 * its shape.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, isConcrete, sizeOf } from '../shape.js';

export const reshapeLikeOp = defineOp({
  name: 'reshapeLike',
  traits: ['view', 'movement'],
  arity: 2,
  attrs: {},
  infer: ([x, like]) => {
    if (isConcrete(x!.shape) && isConcrete(like!.shape) && sizeOf(x!.shape) !== sizeOf(like!.shape)) {
      throw new ShapeError(`cannot reshape ${formatShape(x!.shape)} to the shape of ${formatShape(like!.shape)}: element counts differ`);
    }
    return { shape: like!.shape, dtype: x!.dtype };
  },
  kernel: ([x], _attrs, out) => out.data.set(x!.data),
  reference: ([x]) => [...x!.data],
  // a relabelling: reshape the cotangent back like x
  vjp: ({ inputs, cotangent }) => [reshapeLike(cotangent, inputs[0]!), null],
  dot: () => 'reshapeLike',
});

/**
 * Reshapes `x` to the shape `like` has when the graph runs (same element count).
 * @example
 * ```ts
 * reshapeLike(g.reshape([-1]), x); // back to x's shape, even when x is [?, 3]
 * ```
 */
export function reshapeLike(x: Node, like: Node): Node {
  return apply(reshapeLikeOp, [x, like], {});
}
