/**
 * `neg(x)` = -x. Exact for floats; int32 wraps like two's complement (`neg(-2^31)` is `-2^31`).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { anyUnary, differentiable, unaryReference } from './_rules.js';

export const negOp = defineOp({
  name: 'neg',
  arity: 1,
  attrs: {},
  infer: anyUnary,
  elementwise: { scalar: (x) => -x },
  reference: unaryReference((x, M) => M.neg(x)),
  // d(-x) = -dx
  vjp: ({ inputs, cotangent }) => [differentiable(inputs[0]!) ? cotangent.neg() : null],
  dot: () => 'neg',
});

/**
 * Elementwise negation, -x (float32, float64 or int32).
 * @example
 * ```ts
 * neg(input([3])); // or x.neg()
 * ```
 */
export function neg(x: NodeLike): Node {
  return apply(negOp, [x], {});
}
