/**
 * `expm1(x)` = e^x - 1, accurate for tiny x (`expm1(1e-20)` is 1e-20, where `exp(1e-20) - 1` is
 * 0). Overflows to Infinity above ~709.78 (float64) or ~88.72 (float32); -1 as x goes to -Infinity.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';

/** Below this |x|, references sum a Taylor series instead of subtracting 1 from e^x. */
const SERIES_BELOW = 1e-8;
/** Terms of the series: the first one left out is below 1e-64 relative to the sum. */
const SERIES_TERMS = 8;

/**
 * e^x - 1 in high precision. `e^x - 1` at 50 digits would lose all of a tiny x, so near 0 this
 * sums x + x^2/2! + x^3/3! + ... instead.
 */
export function expm1Reference<T>(x: T, M: BigMath<T>): T {
  if (M.isNaN(x)) return x;
  if (M.cmp(M.abs(x), M.fromNumber(SERIES_BELOW)) >= 0) return M.sub(M.exp(x), M.fromNumber(1));
  if (M.cmp(x, M.fromNumber(0)) === 0) return x; // keeps the sign of zero
  let sum = M.fromNumber(0);
  let term = x;
  for (let k = 1; k <= SERIES_TERMS; k++) {
    sum = M.add(sum, term);
    term = M.div(M.mul(term, x), M.fromNumber(k + 1));
  }
  return sum;
}

export const expm1Op = defineOp({
  name: 'expm1',
  traits: ['stable'],
  arity: 1,
  attrs: {},
  infer: floatUnary,
  elementwise: { scalar: Math.expm1 },
  reference: unaryReference(expm1Reference),
  // d(e^x - 1) = e^x dx; exp(x), not output + 1, which is 0 once expm1(x) rounds to -1
  vjp: ({ inputs, cotangent }) => [cotangent.mul(inputs[0]!.exp())],
  dot: () => 'expm1',
});

/**
 * Elementwise e^x - 1, accurate near x = 0.
 * @example
 * ```ts
 * expm1(input([3])); // or x.expm1()
 * ```
 */
export function expm1(x: NodeLike): Node {
  return apply(expm1Op, [x], {});
}
