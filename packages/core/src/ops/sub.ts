/**
 * `sub(a, b)` = a - b, with NumPy broadcasting. Any dtype; int32 wraps around on overflow
 * (two's complement, like Int32Array stores).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, broadcastBinary, differentiable } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { neg } from './neg.js';

export const subOp = defineOp({
  name: 'sub',
  arity: 2,
  attrs: {},
  infer: broadcastBinary,
  // The float64 difference of two int32 values is exact; the Int32Array store wraps it.
  elementwise: { scalar: (a, b) => a - b },
  reference: binaryReference((a, b, M) => M.sub(a, b)),
  // d(a - b) = da - db
  vjp: ({ inputs, cotangent }) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    return [
      differentiable(a) ? unbroadcast(cotangent, a) : null,
      differentiable(b) ? neg(unbroadcast(cotangent, b)) : null,
    ];
  },
  dot: () => '-',
});

/**
 * Elementwise a - b with broadcasting; a number takes the other operand's dtype.
 * @example
 * ```ts
 * sub(x, 1); // or x.sub(1)
 * sub(1, x); // 1 - x, in x's dtype
 * ```
 */
export function sub(a: NodeLike, b: NodeLike): Node {
  return apply(subOp, [a, b], {});
}
