/**
 * `log(x)`: natural logarithm. -Infinity at 0, NaN below 0. For `log(1 + x)` with small x use
 * `log1p`, which keeps the digits of x that `1 + x` rounds away.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';

export const logOp = defineOp({
  name: 'log',
  traits: ['logarithm'],
  arity: 1,
  attrs: {},
  infer: floatUnary,
  domains: [[0, Infinity]],
  elementwise: { scalar: Math.log },
  reference: unaryReference((x, M) => M.log(x)),
  // d log(x) = dx / x
  vjp: ({ inputs, cotangent }) => [cotangent.div(inputs[0]!)],
  dot: () => 'log',
});

/**
 * Elementwise natural logarithm.
 * @example
 * ```ts
 * log(input([3])); // or x.log()
 * ```
 */
export function log(x: NodeLike): Node {
  return apply(logOp, [x], {});
}
