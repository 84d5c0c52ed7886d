/**
 * `div(a, b)` = a / b, with NumPy broadcasting. Float only (IEEE division: x / 0 is
 * +-Infinity, 0 / 0 is NaN); cast integers first.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, broadcastFloatBinary } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { neg } from './neg.js';

export const divOp = defineOp({
  name: 'div',
  arity: 2,
  attrs: {},
  infer: broadcastFloatBinary,
  elementwise: { scalar: (a, b) => a / b },
  reference: binaryReference((a, b, M) => M.div(a, b)),
  // d(a / b) = da / b - (a / b^2) db, and a / b^2 = out / b reuses the output
  vjp: ({ inputs, output, cotangent }) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    return [unbroadcast(cotangent.div(b), a), unbroadcast(neg(cotangent.mul(output)).div(b), b)];
  },
  dot: () => '/',
});

/**
 * Elementwise a / b with broadcasting, for floats; a number takes the other operand's dtype.
 * @example
 * ```ts
 * div(x, 2);  // or x.div(2)
 * div(1, x);  // reciprocal
 * ```
 */
export function div(a: NodeLike, b: NodeLike): Node {
  return apply(divOp, [a, b], {});
}
