/**
 * `exp(x)` = e^x. Overflows to Infinity above ~88.72 (float32) or ~709.78 (float64).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';

export const expOp = defineOp({
  name: 'exp',
  arity: 1,
  attrs: {},
  infer: floatUnary,
  elementwise: { scalar: Math.exp },
  reference: unaryReference((x, M) => M.exp(x)),
  // d e^x = e^x dx
  vjp: ({ output, cotangent }) => [cotangent.mul(output)],
  dot: () => 'exp',
});

/**
 * Elementwise e^x.
 * @example
 * ```ts
 * exp(input([3])); // or x.exp()
 * ```
 */
export function exp(x: NodeLike): Node {
  return apply(expOp, [x], {});
}
