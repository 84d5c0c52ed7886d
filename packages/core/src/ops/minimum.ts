/**
 * `minimum(a, b)`: elementwise smaller of a and b, with NumPy broadcasting. Any dtype. NaN
 * propagates (like `Math.min`).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, broadcastBinary, differentiable } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { where } from './where.js';

export const minimumOp = defineOp({
  name: 'minimum',
  traits: ['commutative'],
  arity: 2,
  attrs: {},
  infer: broadcastBinary,
  elementwise: { scalar: Math.min },
  reference: binaryReference((a, b, M) => (M.isNaN(a) || M.isNaN(b) ? M.fromNumber(NaN) : M.cmp(a, b) <= 0 ? a : b)),
  // d min(a, b) = da where a <= b, db where a > b; ties send the whole gradient to a
  vjp: ({ inputs, cotangent }) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    return [
      differentiable(a) ? unbroadcast(where(a.lessEqual(b), cotangent, 0), a) : null,
      differentiable(b) ? unbroadcast(where(a.greater(b), cotangent, 0), b) : null,
    ];
  },
  dot: () => 'minimum',
});

/**
 * Elementwise minimum with broadcasting; a number takes the other operand's dtype. At ties the
 * gradient goes to `a`.
 * @example
 * ```ts
 * minimum(x, 1); // or x.minimum(1)
 * ```
 */
export function minimum(a: NodeLike, b: NodeLike): Node {
  return apply(minimumOp, [a, b], {});
}
