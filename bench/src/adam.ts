/**
 * Adam as Keras and TensorFlow write it (epsilon outside the square root, bias correction folded
 * into the step size). The stablegrad systems use the layers package's own `adam` (what users
 * run); the jax-js system uses the same formula inside its jitted step, through `adamStepSize`.
 * @module
 */
import type { TypedArray } from '@stablegrad/core';
import { adam } from '@stablegrad/nn';
import { ADAM } from './workloads.js';

/**
 * Bias-corrected step size of update number `t` (1-based):
 * `alpha_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)`.
 * @example
 * ```ts
 * adamStepSize(1e-3, 1); // 1e-3 * sqrt(0.001) / 0.1 ~ 3.16e-4
 * ```
 */
export function adamStepSize(learningRate: number, t: number): number {
  return (learningRate * Math.sqrt(1 - ADAM.beta2 ** t)) / (1 - ADAM.beta1 ** t);
}

/**
 * Adam state for a list of parameter buffers.
 * @example
 * ```ts
 * const adam = adamOptimizer([W, b], 1e-3);
 * adam.update([dW, db]); // W and b move in place
 * ```
 */
export interface AdamOptimizer {
  /** One update with `grads`, one per parameter in order; the parameters change in place. */
  update(grads: readonly TypedArray[]): void;
  /** Bytes of the moment buffers (two per parameter). */
  readonly stateBytes: number;
}

/**
 * Adam over `params`, which it updates in place.
 * @example
 * ```ts
 * const W = new Float32Array([0.5]);
 * adamOptimizer([W], 0.1).update([new Float32Array([1])]); // W[0] ~ 0.4
 * ```
 */
export function adamOptimizer(params: readonly Float32Array[], learningRate: number): AdamOptimizer {
  const optimizer = adam({ learningRate, ...ADAM });
  const state = optimizer.createState(params.map((p) => ({ size: p.length, dtype: 'float32' })));
  return {
    stateBytes: params.reduce((sum, p) => sum + 2 * p.byteLength, 0),
    update: (grads) => optimizer.step(state, params, grads),
  };
}
