/**
 * Plain SGD for the stablegrad systems of the CNN workload: `p -= learningRate * g` in place,
 * in float32, as TensorFlow.js' `tf.train.sgd` and an optax `sgd` step do.
 * @module
 */
import type { TypedArray } from '@stablegrad/core';

/**
 * An SGD optimizer over parameter buffers updated in place.
 * @example
 * ```ts
 * const sgd = sgdOptimizer(model.trained, 0.05);
 * sgd.update(grads.map((g) => g.data));
 * ```
 */
export interface SgdOptimizer {
  /** One update with `grads`, one per parameter in order. */
  update(grads: readonly TypedArray[]): void;
  /** SGD keeps no state. */
  readonly stateBytes: 0;
}

/**
 * Makes an SGD optimizer for `params` with a fixed learning rate.
 * @example
 * ```ts
 * sgdOptimizer([W, b], 0.1).update([dW, db]);
 * ```
 */
export function sgdOptimizer(params: readonly Float32Array[], learningRate: number): SgdOptimizer {
  return {
    stateBytes: 0,
    update: (grads) => params.forEach((p, i) => {
      const g = grads[i]!;
      for (let j = 0; j < p.length; j++) p[j] = p[j]! - learningRate * g[j]!;
    }),
  };
}
