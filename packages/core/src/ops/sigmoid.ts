/**
 * `sigmoid(x)` = 1 / (1 + e^-x), computed without overflow for every x: e^-x for x >= 0 and
 * e^x / (1 + e^x) for x < 0, so it is never NaN for finite x and keeps full relative accuracy
 * in the left tail (`sigmoid(-700)` is about 9.9e-305, not 0). It does saturate to exactly 1
 * for x above ~36.7 (float64) or ~17.3 (float32): write `log(sigmoid(x))` as `logSigmoid(x)` and
 * `1 - sigmoid(x)` as `sigmoid(-x)`.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';

/** Logistic function in float64, stable for every x. */
export function sigmoidFloat(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Logistic function in high precision; e^x is only taken for x <= 0, so it never overflows. */
export function sigmoidReference<T>(x: T, M: BigMath<T>): T {
  if (M.isNaN(x)) return x;
  const one = M.fromNumber(1);
  if (M.cmp(x, M.fromNumber(0)) >= 0) return M.div(one, M.add(one, M.exp(M.neg(x))));
  const e = M.exp(x);
  return M.div(e, M.add(one, e));
}

export const sigmoidOp = defineOp({
  name: 'sigmoid',
  arity: 1,
  attrs: {},
  infer: floatUnary,
  elementwise: { scalar: sigmoidFloat },
  reference: unaryReference(sigmoidReference),
  // d sigmoid(x) = sigmoid(x) (1 - sigmoid(x)) dx = sigmoid(x) sigmoid(-x) dx (no 1 - s cancellation)
  vjp: ({ inputs, output, cotangent }) => [cotangent.mul(output).mul(sigmoid(inputs[0]!.neg()))],
  dot: () => 'sigmoid',
});

/**
 * Elementwise logistic function 1 / (1 + e^-x).
 * @example
 * ```ts
 * sigmoid(input([3])); // or x.sigmoid()
 * ```
 */
export function sigmoid(x: NodeLike): Node {
  return apply(sigmoidOp, [x], {});
}
