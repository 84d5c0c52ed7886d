/**
 * `relu(x)` = max(x, 0). Exact; `relu(-0)` is +0 and NaN stays NaN. The gradient at 0 is taken
 * as 0.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { anyUnary, differentiable, unaryReference } from './_rules.js';
import { greater } from './greater.js';
import { where } from './where.js';

export const reluOp = defineOp({
  name: 'relu',
  arity: 1,
  attrs: {},
  infer: anyUnary,
  elementwise: { scalar: (x) => (x > 0 || Number.isNaN(x) ? x : 0) },
  reference: unaryReference((x, M) => (M.isNaN(x) || M.cmp(x, M.fromNumber(0)) > 0 ? x : M.fromNumber(0))),
  // d max(x, 0) = dx where x > 0, else 0
  vjp: ({ inputs, cotangent }) => {
    const x = inputs[0]!;
    if (!differentiable(x)) return [null];
    return [where(greater(x, 0), cotangent, 0)];
  },
  dot: () => 'relu',
});

/**
 * Elementwise rectified linear unit, max(x, 0) (float32, float64 or int32).
 * @example
 * ```ts
 * relu(input([3])); // or x.relu()
 * ```
 */
export function relu(x: NodeLike): Node {
  return apply(reluOp, [x], {});
}
