/**
 * `logSigmoid(x)` = log(sigmoid(x)) = -softplus(-x), computed as min(x, 0) - log1p(e^-|x|):
 * finite and within a few ULP for every finite x, where `log(sigmoid(x))` is -Infinity below
 * ~-745 and 0 (not -e^-x) above ~36.7. The stabilize pass rewrites `log(sigmoid(x))` into it.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';
import { sigmoid } from './sigmoid.js';
import { softplusReference } from './softplus.js';

/** log sigmoid in float64: min(x, 0) - log1p(e^-|x|); both terms are <= 0, so nothing cancels. */
export function logSigmoidFloat(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

export const logSigmoidOp = defineOp({
  name: 'logSigmoid',
  traits: ['logarithm', 'stable'],
  arity: 1,
  attrs: {},
  infer: floatUnary,
  elementwise: { scalar: logSigmoidFloat },
  reference: unaryReference((x, M) => M.neg(softplusReference(M.neg(x), M))),
  // d log sigmoid(x) = (1 - sigmoid(x)) dx = sigmoid(-x) dx
  vjp: ({ inputs, cotangent }) => [cotangent.mul(sigmoid(inputs[0]!.neg()))],
  dot: () => 'logSigmoid',
});

/**
 * Elementwise log(sigmoid(x)), stable for every x.
 * @example
 * ```ts
 * logSigmoid(input([3])); // or x.logSigmoid()
 * ```
 */
export function logSigmoid(x: NodeLike): Node {
  return apply(logSigmoidOp, [x], {});
}
