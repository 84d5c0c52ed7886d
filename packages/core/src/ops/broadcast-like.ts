/**
 * `broadcastLike(x, like)`: broadcasts `x` to the run-time shape of `like`. Gradients of
 * reductions use it, because the shape may hold symbolic dimensions; `like` only lends its shape.
 * @module
 */
import { apply } from '../apply.js';
import { allocate } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import { broadcastIndex, checkBroadcast } from './_rules.js';
import { sumTo } from './sum-to.js';

export const broadcastLikeOp = defineOp({
  name: 'broadcastLike',
  arity: 2,
  attrs: {},
  infer: ([x, like]) => {
    broadcastShapes(x!.shape, like!.shape);
    if (x!.dtype !== like!.dtype) throw new DTypeError(`dtypes differ: ${x!.dtype} vs ${like!.dtype}`);
    return { shape: like!.shape, dtype: x!.dtype };
  },
  kernel: ([x, like], _attrs, out) => {
    checkBroadcast(x!.shape, like!.shape);
    const map = broadcastIndex(x!.shape, out.shape);
    const y = allocate(out.dtype, sizeOf(out.shape));
    const data = x!.data;
    for (let i = 0; i < y.length; i++) y[i] = data[map[i]!]!;
    return y;
  },
  reference: ([x], _attrs, _M, out) => Array.from(broadcastIndex(x!.shape, out.shape), (i) => x!.data[i]!),
  // the transpose of broadcasting is summing back
  vjp: ({ inputs, cotangent }) => [sumTo(cotangent, inputs[0]!), null],
  dot: () => 'broadcastLike',
});

/**
 * Broadcasts `x` to the shape `like` has when the graph runs.
 * @example
 * ```ts
 * broadcastLike(constant(0), x); // zeros shaped like x
 * ```
 */
export function broadcastLike(x: Node, like: Node): Node {
  return apply(broadcastLikeOp, [x, like], {});
}
