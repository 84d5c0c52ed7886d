/**
 * `pow(a, b)` = a^b, with NumPy broadcasting. Float only. Follows JavaScript's `**`: a^0 = 1
 * for every a (NaN included), a negative base with a non-integer exponent gives NaN, 0^b for
 * b < 0 is Infinity, and 1^NaN, 1^Infinity are NaN (C's `pow` gives 1 there).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, broadcastFloatBinary } from './_rules.js';
import { unbroadcast } from './_unbroadcast.js';
import { log } from './log.js';
import { where } from './where.js';

export const powOp = defineOp({
  name: 'pow',
  arity: 2,
  attrs: {},
  infer: broadcastFloatBinary,
  elementwise: { scalar: (a, b) => a ** b },
  reference: binaryReference((a, b, M) => M.pow(a, b)),
  // d a^b = b a^(b-1) da + a^b log(a) db. log(a) is taken as 0 where a <= 0, so a constant
  // exponent on a negative base does not put NaN into the (possibly evaluated) b-gradient.
  vjp: ({ inputs, output, cotangent }) => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    const logA = where(a.greater(0), log(a), 0);
    return [
      unbroadcast(cotangent.mul(b).mul(a.pow(b.sub(1))), a),
      unbroadcast(cotangent.mul(output).mul(logA), b),
    ];
  },
  dot: () => 'pow',
});

/**
 * Elementwise a^b with broadcasting, for floats; a number takes the other operand's dtype.
 * @example
 * ```ts
 * pow(x, 3);   // or x.pow(3)
 * pow(2, x);   // 2^x
 * ```
 */
export function pow(a: NodeLike, b: NodeLike): Node {
  return apply(powOp, [a, b], {});
}
