/**
 * `abs(x)` = |x|. Exact for floats; int32 wraps like two's complement (`abs(-2^31)` is `-2^31`).
 * The gradient at 0 is taken as 0 (the subgradient `sign(0)`).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { anyUnary, differentiable, unaryReference } from './_rules.js';
import { sign } from './sign.js';

export const absOp = defineOp({
  name: 'abs',
  arity: 1,
  attrs: {},
  infer: anyUnary,
  elementwise: { scalar: Math.abs },
  reference: unaryReference((x, M) => M.abs(x)),
  // d|x| = sign(x) dx
  vjp: ({ inputs, cotangent }) => [differentiable(inputs[0]!) ? cotangent.mul(sign(inputs[0]!)) : null],
  dot: () => 'abs',
});

/**
 * Elementwise absolute value (float32, float64 or int32).
 * @example
 * ```ts
 * abs(input([3])); // or x.abs()
 * ```
 */
export function abs(x: NodeLike): Node {
  return apply(absOp, [x], {});
}
