/**
 * `log1mexp(x)` = log(1 - e^x) for x <= 0, computed as Mächler (2012) recommends:
 * `log(-expm1(x))` for x > -log 2, `log1p(-exp(x))` otherwise. Each form is accurate where the
 * other is not: `log1p(-exp(x))` loses every digit as x -> 0 (1 - e^x cancels), `log(-expm1(x))`
 * loses them for very negative x (-expm1(x) rounds to 1). -Infinity at x = 0 (either sign of
 * zero), -0 at x = -Infinity, NaN for x > 0.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';
import { expm1Reference } from './expm1.js';
import { log1pReference } from './log1p.js';

/** log(1 - e^x) in float64, split at x = -log 2; NaN above 0. */
export function log1mexpFloat(x: number): number {
  if (!(x <= 0)) return NaN;
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/**
 * log(1 - e^x) in high precision, with the same split: the expm1 and log1p references keep
 * every digit of a tiny x (near 0) and of a tiny e^x (very negative x).
 */
export function log1mexpReference<T>(x: T, M: BigMath<T>): T {
  if (M.isNaN(x) || M.cmp(x, M.fromNumber(0)) > 0) return M.fromNumber(NaN);
  if (M.cmp(x, M.fromNumber(-Math.LN2)) > 0) return M.log(M.neg(expm1Reference(x, M)));
  return log1pReference(M.neg(M.exp(x)), M);
}

export const log1mexpOp = defineOp({
  name: 'log1mexp',
  arity: 1,
  attrs: {},
  infer: floatUnary,
  domains: [[-Infinity, 0]],
  elementwise: { scalar: log1mexpFloat },
  reference: unaryReference(log1mexpReference),
  // d log(1 - e^x) = -e^x / (1 - e^x) dx = e^x / expm1(x) dx: both accurate near 0 and for very negative x
  vjp: ({ inputs, cotangent }) => [cotangent.mul(inputs[0]!.exp().div(inputs[0]!.expm1()))],
  dot: () => 'log1mexp',
});

/**
 * Elementwise log(1 - e^x) for x <= 0 (e.g. log(1 - p) from log p), accurate over the whole
 * domain.
 * @example
 * ```ts
 * log1mexp(logP); // log(1 - p); or logP.log1mexp()
 * ```
 */
export function log1mexp(x: NodeLike): Node {
  return apply(log1mexpOp, [x], {});
}
