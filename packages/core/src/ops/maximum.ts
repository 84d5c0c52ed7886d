/**
 * `maximum(a, b)`: elementwise larger of a and b, with NumPy broadcasting. Any dtype. NaN
 * propagates (like `Math.max`).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, broadcastBinary, differentiable } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { where } from './where.js';

export const maximumOp = defineOp({
  name: 'maximum',
  traits: ['commutative'],
  arity: 2,
  attrs: {},
  infer: broadcastBinary,
  elementwise: { scalar: Math.max },
  reference: binaryReference((a, b, M) => (M.isNaN(a) || M.isNaN(b) ? M.fromNumber(NaN) : M.cmp(a, b) >= 0 ? a : b)),
  // d max(a, b) = da where a >= b, db where a < b; ties send the whole gradient to a
  vjp: ({ inputs, cotangent }) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    return [
      differentiable(a) ? unbroadcast(where(a.greaterEqual(b), cotangent, 0), a) : null,
      differentiable(b) ? unbroadcast(where(a.less(b), cotangent, 0), b) : null,
    ];
  },
  dot: () => 'maximum',
});

/**
 * Elementwise maximum with broadcasting; a number takes the other operand's dtype. At ties the
 * gradient goes to `a`.
 * @example
 * ```ts
 * maximum(x, 0); // or x.maximum(0): relu
 * ```
 */
export function maximum(a: NodeLike, b: NodeLike): Node {
  return apply(maximumOp, [a, b], {});
}
