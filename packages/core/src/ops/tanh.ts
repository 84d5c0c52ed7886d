/**
 * `tanh(x)`: hyperbolic tangent (`Math.tanh`, within 1 ULP). Saturates to exactly +-1 for |x|
 * above ~19.1 (float64) or ~9 (float32); the gradient is computed so that it does not.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { type BigMath, defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';
import { expm1Reference } from './expm1.js';
import { sigmoid } from './sigmoid.js';

/** Above this |x|, tanh(x) is +-1 to within 1e-86, beyond any reference precision we use. */
const SATURATES_ABOVE = 100;

/**
 * tanh in high precision: tanh(t) = expm1(2t) / (expm1(2t) + 2) for t = |x|, which has no
 * cancellation near 0, then the sign of x.
 */
export function tanhReference<T>(x: T, M: BigMath<T>): T {
  if (M.isNaN(x) || M.cmp(x, M.fromNumber(0)) === 0) return x;
  const negative = M.cmp(x, M.fromNumber(0)) < 0;
  const t = M.abs(x);
  let y: T;
  if (M.cmp(t, M.fromNumber(SATURATES_ABOVE)) > 0) {
    y = M.fromNumber(1);
  } else {
    const e = expm1Reference(M.add(t, t), M);
    y = M.div(e, M.add(e, M.fromNumber(2)));
  }
  return negative ? M.neg(y) : y;
}

export const tanhOp = defineOp({
  name: 'tanh',
  arity: 1,
  attrs: {},
  infer: floatUnary,
  elementwise: { scalar: Math.tanh },
  reference: unaryReference(tanhReference),
  // d tanh(x) = (1 - tanh(x)^2) dx = 4 sigmoid(2x) sigmoid(-2x) dx (1 - t^2 cancels where |t| ~ 1)
  vjp: ({ inputs, cotangent }) => {
    const x = inputs[0]!;
    return [sigmoid(x.mul(2)).mul(sigmoid(x.mul(-2))).mul(4).mul(cotangent)];
  },
  dot: () => 'tanh',
});

/**
 * Elementwise hyperbolic tangent.
 * @example
 * ```ts
 * tanh(input([3])); // or x.tanh()
 * ```
 */
export function tanh(x: NodeLike): Node {
  return apply(tanhOp, [x], {});
}
