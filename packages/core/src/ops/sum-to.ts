/**
 * `sumTo(g, like)`: sums `g` down to the run-time shape of `like`, undoing NumPy broadcasting.
 * The gradient of every broadcasting op uses it; `like` only lends its shape.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { reduceInto } from '../kernels/reduce.js';
import { defineOp } from '../op.js';
import { broadcastShapes, type ConcreteShape, formatShape, sizeOf } from '../shape.js';
import { broadcastIndex } from '../kernels/indexing.js';
import { checkBroadcast } from './_rules.js';
import { broadcastLike } from './broadcast-like.js';

function checkSumTo(from: readonly (number | string | null)[], to: readonly (number | string | null)[]): void {
  if (to.length > from.length) throw new ShapeError(`cannot sum ${formatShape(from)} down to the larger rank of ${formatShape(to)}`);
  broadcastShapes(to, from);
}

export const sumToOp = defineOp({
  name: 'sumTo',
  arity: 2,
  attrs: {},
  infer: ([g, like]) => {
    checkSumTo(g!.shape, like!.shape);
    if (g!.dtype !== like!.dtype) throw new ShapeError(`dtypes differ: ${g!.dtype} vs ${like!.dtype}`);
    return { shape: like!.shape, dtype: g!.dtype };
  },
  kernel: ([g, like], _attrs, out) => {
    checkBroadcast(like!.shape as ConcreteShape, g!.shape);
    reduceInto(g!.data, broadcastIndex(like!.shape, g!.shape), new Float64Array(out.data.length), out.data, 1);
  },
  reference: ([g, like], _attrs, M, out) => {
    const map = broadcastIndex(like!.shape, g!.shape);
    const acc = Array.from({ length: sizeOf(out.shape) }, () => M.fromNumber(0));
    g!.data.forEach((v, i) => (acc[map[i]!] = M.add(acc[map[i]!]!, v)));
    return acc;
  },
  // sumTo is linear; its transpose is broadcasting back to g's shape
  vjp: ({ inputs, cotangent }) => [broadcastLike(cotangent, inputs[0]!), null],
  dot: () => 'sumTo',
});

/**
 * Sums `g` over the axes along which `like` was broadcast, giving `like`'s shape. Used by
 * gradients of broadcasting ops; exported for custom VJPs.
 * @example
 * ```ts
 * const b = param(tensor([0, 0, 0]));
 * sumTo(input([8, 3]), b); // shape [3]
 * ```
 */
export function sumTo(g: Node, like: Node): Node {
  return apply(sumToOp, [g, like], {});
}
