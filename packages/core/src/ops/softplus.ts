/**
 * `softplus(x)` = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|): finite and within a few
 * ULP for every finite x (`softplus(1e300)` is 1e300, `softplus(-800)` underflows to 0 like the
 * true value, `softplus(0)` is log 2).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';
import { log1pReference } from './log1p.js';
import { sigmoid } from './sigmoid.js';

/** softplus in float64: max(x, 0) + log1p(e^-|x|); both terms are >= 0, so nothing cancels. */
export function softplusFloat(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * softplus in high precision, with the same split so that e^x never overflows:
 * x + log1p(e^-x) for x > 0, log1p(e^x) otherwise.
 */
export function softplusReference<T>(x: T, M: BigMath<T>): T {
  if (M.isNaN(x)) return x;
  if (M.cmp(x, M.fromNumber(0)) > 0) return M.add(x, log1pReference(M.exp(M.neg(x)), M));
  return log1pReference(M.exp(x), M);
}

export const softplusOp = defineOp({
  name: 'softplus',
  traits: ['stable'],
  arity: 1,
  attrs: {},
  infer: floatUnary,
  elementwise: { scalar: softplusFloat },
  reference: unaryReference(softplusReference),
  // d log(1 + e^x) = e^x / (1 + e^x) dx = sigmoid(x) dx
  vjp: ({ inputs, cotangent }) => [cotangent.mul(sigmoid(inputs[0]!))],
  dot: () => 'softplus',
});

/**
 * Elementwise log(1 + e^x), stable for every x.
 * @example
 * ```ts
 * softplus(input([3])); // or x.softplus()
 * ```
 */
export function softplus(x: NodeLike): Node {
  return apply(softplusOp, [x], {});
}
