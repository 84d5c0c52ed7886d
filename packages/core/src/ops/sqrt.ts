/**
 * `sqrt(x)`: square root, correctly rounded. NaN below 0 (`sqrt(-0)` is -0); the gradient is
 * Infinity at 0.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';

export const sqrtOp = defineOp({
  name: 'sqrt',
  arity: 1,
  attrs: {},
  infer: floatUnary,
  domains: [[0, Infinity]],
  elementwise: { scalar: Math.sqrt },
  reference: unaryReference((x, M) => M.sqrt(x)),
  // d sqrt(x) = dx / (2 sqrt(x))
  vjp: ({ output, cotangent }) => [cotangent.div(output.mul(2))],
  dot: () => 'sqrt',
});

/**
 * Elementwise square root.
 * @example
 * ```ts
 * sqrt(input([3])); // or x.sqrt()
 * ```
 */
export function sqrt(x: NodeLike): Node {
  return apply(sqrtOp, [x], {});
}
