/**
 * `rsqrt(x)`: reciprocal square root `1 / sqrt(x)`, as normalization layers divide by
 * `sqrt(variance + epsilon)`. Computed as `1 / Math.sqrt(x)` in float64 (two roundings, within
 * 1.5 ULP in float64; float32 results round once from it). Infinity at +0 (-Infinity at -0),
 * 0 at Infinity, NaN below 0.
 * @module
 */
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';
import { floatUnary, unaryReference } from './_rules.js';

export const rsqrtOp = defineOp({
  name: 'rsqrt',
  arity: 1,
  attrs: {},
  infer: floatUnary,
  domains: [[Number.MIN_VALUE, Infinity]],
  elementwise: { scalar: (x) => 1 / Math.sqrt(x) },
  reference: unaryReference((x, M) => M.div(M.fromNumber(1), M.sqrt(x))),
  // d x^(-1/2) = -1/2 x^(-3/2) dx = -1/2 rsqrt(x) / x dx
  vjp: ({ inputs, output, cotangent }) => [cotangent.mul(output.div(inputs[0]!)).mul(-0.5)],
  dot: () => 'rsqrt',
});

/**
 * Elementwise reciprocal square root, `1 / sqrt(x)` (domain x > 0).
 * @example
 * ```ts
 * rsqrt(variance(x, { axis: -1, keepDims: true }).add(1e-3)); // or x.rsqrt()
 * ```
 */
export function rsqrt(x: NodeLike): Node {
  return apply(rsqrtOp, [x], {});
}
