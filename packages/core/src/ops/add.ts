/**
 * `add(a, b)` = a + b, with NumPy broadcasting.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, broadcastBinary } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';

export const addOp = defineOp({
  name: 'add',
  traits: ['commutative'],
  arity: 2,
  attrs: {},
  infer: broadcastBinary,
  elementwise: { scalar: (a, b) => a + b },
  reference: binaryReference((a, b, M) => M.add(a, b)),
  // d(a + b) = da + db
  vjp: ({ inputs, cotangent }) => [unbroadcast(cotangent, inputs[0]!), unbroadcast(cotangent, inputs[1]!)],
  dot: () => '+',
});

/**
 * Elementwise a + b with broadcasting; a number takes the other operand's dtype.
 * @example
 * ```ts
 * add(x, 1); // or x.add(1)
 * ```
 */
export function add(a: NodeLike, b: NodeLike): Node {
  return apply(addOp, [a, b], {});
}
