/**
 * `sign(x)`: -1, 0 or 1 (like `Math.sign`: the sign of a zero is kept, NaN stays NaN).
 * Piecewise constant, so its gradient is zero everywhere (taken as zero at 0 too).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { anyUnary, differentiable, unaryReference } from './_rules.js';
import { broadcastLike } from './broadcast-like.js';
import { constant } from './constant.js';

export const signOp = defineOp({
  name: 'sign',
  arity: 1,
  attrs: {},
  infer: anyUnary,
  elementwise: { scalar: Math.sign },
  reference: unaryReference((x, M) => {
    if (M.isNaN(x)) return x;
    const c = M.cmp(x, M.fromNumber(0));
    return c === 0 ? x : M.fromNumber(c > 0 ? 1 : -1);
  }),
  // d sign(x) = 0 (zeros, not ct * 0, which would be NaN for an infinite cotangent)
  vjp: ({ inputs, cotangent }) => [
    differentiable(inputs[0]!) ? broadcastLike(constant(0, { dtype: cotangent.dtype }), cotangent) : null,
  ],
  dot: () => 'sign',
});

/**
 * Elementwise sign: -1 for negative, 1 for positive, the zero itself for +-0 (float32, float64
 * or int32).
 * @example
 * ```ts
 * sign(input([3])); // or x.sign()
 * ```
 */
export function sign(x: NodeLike): Node {
  return apply(signOp, [x], {});
}
