/**
 * `log1p(x)` = log(1 + x), accurate for tiny x (`log1p(1e-20)` is 1e-20, where `log(1 + 1e-20)`
 * is 0). -Infinity at -1, NaN below -1.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';

/** Below this |x|, references sum a Taylor series instead of rounding `1 + x`. */
const SERIES_BELOW = 1e-8;
/** Terms of the series: the first one left out is below 1e-64 relative to the sum. */
const SERIES_TERMS = 8;

/**
 * log(1 + x) in high precision. `1 + x` at 50 digits would lose all of a tiny x, so near 0 this
 * sums x - x^2/2 + x^3/3 - ... instead.
 */
export function log1pReference<T>(x: T, M: BigMath<T>): T {
  if (M.isNaN(x)) return x;
  if (M.cmp(M.abs(x), M.fromNumber(SERIES_BELOW)) >= 0) return M.log(M.add(M.fromNumber(1), x));
  if (M.cmp(x, M.fromNumber(0)) === 0) return x; // keeps the sign of zero
  let sum = M.fromNumber(0);
  let power = x;
  for (let k = 1; k <= SERIES_TERMS; k++) {
    const term = M.div(power, M.fromNumber(k));
    sum = k % 2 === 1 ? M.add(sum, term) : M.sub(sum, term);
    power = M.mul(power, x);
  }
  return sum;
}

export const log1pOp = defineOp({
  name: 'log1p',
  traits: ['logarithm', 'stable'],
  arity: 1,
  attrs: {},
  infer: floatUnary,
  domains: [[-1, Infinity]],
  elementwise: { scalar: Math.log1p },
  reference: unaryReference(log1pReference),
  // d log(1 + x) = dx / (1 + x)
  vjp: ({ inputs, cotangent }) => [cotangent.div(inputs[0]!.add(1))],
  dot: () => 'log1p',
});

/**
 * Elementwise log(1 + x), accurate near x = 0.
 * @example
 * ```ts
 * log1p(input([3])); // or x.log1p()
 * ```
 */
export function log1p(x: NodeLike): Node {
  return apply(log1pOp, [x], {});
}
