/**
 * `equal(a, b)`: 1 where a equals b, else 0, as int32, with NumPy broadcasting. Both inputs have one
 * dtype (any). Comparisons with NaN are false (NaN equals nothing), as in IEEE arithmetic.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { binaryReference, comparison } from './_rules.js';

export const equalOp = defineOp({
  name: 'equal',
  traits: ['comparison', 'commutative'],
  arity: 2,
  attrs: {},
  infer: comparison,
  elementwise: { scalar: (a, b) => (a === b ? 1 : 0) },
  reference: binaryReference((a, b, M) => M.fromNumber(M.isNaN(a) || M.isNaN(b) ? 0 : M.cmp(a, b) === 0 ? 1 : 0)),
  // piecewise constant: no gradient
  vjp: () => [null, null],
  dot: () => '==',
});

/**
 * Elementwise `a == b` as int32 0/1, with broadcasting; a number takes the other operand's dtype.
 * @example
 * ```ts
 * equal(labels, predictions); // or labels.equal(predictions)
 * ```
 */
export function equal(a: NodeLike, b: NodeLike): Node {
  return apply(equalOp, [a, b], {});
}
