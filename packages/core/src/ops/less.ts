/**
 * `less(a, b)`: 1 where a < b, else 0, as int32, with NumPy broadcasting. Both inputs have one
 * dtype (any). Comparisons with NaN are false, as in IEEE arithmetic.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, comparison } from './_rules.js';

export const lessOp = defineOp({
  name: 'less',
  traits: ['comparison'],
  arity: 2,
  attrs: {},
  infer: comparison,
  elementwise: { scalar: (a, b) => (a < b ? 1 : 0) },
  reference: binaryReference((a, b, M) => M.fromNumber(M.isNaN(a) || M.isNaN(b) ? 0 : M.cmp(a, b) < 0 ? 1 : 0)),
  // piecewise constant: no gradient
  vjp: () => [null, null],
  dot: () => '<',
});

/**
 * Elementwise `a < b` as int32 0/1, with broadcasting; a number takes the other operand's dtype.
 * @example
 * ```ts
 * less(x, 0); // or x.less(0)
 * ```
 */
export function less(a: NodeLike, b: NodeLike): Node {
  return apply(lessOp, [a, b], {});
}
