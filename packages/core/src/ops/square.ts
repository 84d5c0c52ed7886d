/**
 * `square(x)` = x * x. Floats overflow to Infinity above ~1.34e154 (float64) or ~1.84e19
 * (float32); int32 wraps modulo 2^32 like C (`Math.imul`).
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { unaryKernel } from '../kernels/elementwise.js';
import { defineOp } from '../op.js';
import { anyUnary, differentiable, unaryReference } from './_rules.js';

const floatSquare = unaryKernel((x) => x * x);
// x * x in float64 is inexact above 2^26.5, so its low 32 bits would be wrong; imul is exact.
const intSquare = unaryKernel((x) => Math.imul(x, x));

export const squareOp = defineOp({
  name: 'square',
  arity: 1,
  attrs: {},
  infer: anyUnary,
  kernel: (inputs, attrs, out) => (out.dtype === 'int32' ? intSquare : floatSquare)(inputs, attrs, out),
  // Float only: int32 squares wrap (Math.imul), which the fused loops do not do.
  elementwise: { scalar: (x) => x * x },
  reference: unaryReference((x, M) => M.mul(x, x)),
  // d x^2 = 2 x dx
  vjp: ({ inputs, cotangent }) => [differentiable(inputs[0]!) ? cotangent.mul(inputs[0]!).mul(2) : null],
  dot: () => 'square',
});

/**
 * Elementwise square (float32, float64 or int32).
 * @example
 * ```ts
 * square(input([3])); // or x.square()
 * ```
 */
export function square(x: NodeLike): Node {
  return apply(squareOp, [x], {});
}
