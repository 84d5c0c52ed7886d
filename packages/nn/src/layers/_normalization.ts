/**
 * What layer and batch normalization share: axes counted Keras' way, moments computed in the
 * form that does not cancel, and the normalize-scale-shift step.
 * @module
 */
import { type Node, rsqrt, variance } from '@stablegrad/core';
import { ModelError } from '../errors.js';

/**
 * An axis of the full input (batch included, negative counting from the end, as Keras counts)
 * as a non-negative index in `[1, rank)`; the batch axis is refused.
 * @example
 * ```ts
 * resolveAxis(-1, 4, 'layer_normalization_1'); // 3
 * ```
 */
export function resolveAxis(axis: number, rank: number, where: string): number {
  const resolved = axis < 0 ? rank + axis : axis;
  if (!Number.isSafeInteger(axis) || resolved < 1 || resolved >= rank) {
    throw new ModelError(`${where}: axis ${axis} is not a feature axis of inputs of rank ${rank} (batch included: axes 1 to ${rank - 1}, or -1 to ${1 - rank})`);
  }
  return resolved;
}

/**
 * Mean and (population) variance of `x` over `axes`, kept as size-1 dimensions. The variance is
 * core's `variance` op, `mean((x - mean)^2)` in two passes, never `E[x^2] - E[x]^2`: with values of mean 1e4 and spread
 * 1, float32 `E[x^2] - E[x]^2` subtracts two numbers near 1e8 whose last digit is worth 8, and
 * the variance comes out 0 or negative.
 * @example
 * ```ts
 * const { mean, variance } = moments(x, [0, 1, 2]);
 * ```
 */
export function moments(x: Node, axes: readonly number[]): { mean: Node; variance: Node; centered: Node } {
  const mean = x.mean({ axis: axes, keepDims: true });
  return { mean, centered: x.sub(mean), variance: variance(x, { axis: axes, keepDims: true }) };
}

/**
 * `centered * rsqrt(variance + epsilon) * gamma + beta`, gamma and beta (when given) reshaped to
 * `broadcast` so they line up with their axes.
 * @example
 * ```ts
 * normalize(centered, variance, 1e-3, gamma, beta, [1, 1, 1, 8]);
 * ```
 */
export function normalize(
  centered: Node, variance: Node, epsilon: number, gamma: Node | undefined, beta: Node | undefined, broadcast: readonly number[],
): Node {
  let out = centered.mul(rsqrt(variance.add(epsilon)));
  if (gamma !== undefined) out = out.mul(gamma.reshape(broadcast));
  if (beta !== undefined) out = out.add(beta.reshape(broadcast));
  return out;
}
