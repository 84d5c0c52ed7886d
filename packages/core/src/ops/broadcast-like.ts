/**
 * `broadcastLike(x, like)`: broadcasts `x` to the run-time shape of `like`. Gradients of
 * reductions use it, because the shape may hold symbolic dimensions; `like` only lends its shape.
 * @module
 */
import { apply } from '../apply.js';
import { DTypeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { broadcastInto, broadcastValues, checkBroadcast } from './_rules.js';
import { sumTo } from './sum-to.js';

export const broadcastLikeOp = defineOp({
  name: 'broadcastLike',
  traits: ['movement'],
  arity: 2,
  attrs: {},
  infer: ([x, like]) => {
    broadcastShapes(x!.shape, like!.shape);
    if (x!.dtype !== like!.dtype) throw new DTypeError(`dtypes differ: ${x!.dtype} vs ${like!.dtype}`);
    return { shape: like!.shape, dtype: x!.dtype };
  },
  kernel: ([x, like], _attrs, out) => {
    checkBroadcast(x!.shape, like!.shape);
    broadcastInto(x!, out);
  },
  reference: ([x], _attrs, _M, out) => broadcastValues(x!, out),
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
