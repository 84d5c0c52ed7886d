/**
 * Adam as Keras and TensorFlow write it (epsilon outside the square root, bias correction folded
 * into the step size), over plain Float32Arrays: the optimizer of the stablegrad systems. The
 * jax-js system uses the same formula inside its jitted step, through `adamStepSize`.
 * @module
 */
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
  update(grads: readonly ArrayLike<number>[]): void;
  /** Bytes of the moment buffers (two per parameter). */
  readonly stateBytes: number;
}

/**
 * Adam over `params`, which it updates in place.
 * @example
 * ```ts
 * const W = new Float32Array([0.5]);
 * adamOptimizer([W], 0.1).update([[1]]); // W[0] ~ 0.4
 * ```
 */
export function adamOptimizer(params: readonly Float32Array[], learningRate: number): AdamOptimizer {
  const ms = params.map((p) => new Float32Array(p.length));
  const vs = params.map((p) => new Float32Array(p.length));
  const { beta1, beta2, epsilon } = ADAM;
  let t = 0;
  return {
    stateBytes: ms.reduce((sum, m) => sum + 2 * m.byteLength, 0),
    update(grads) {
      t += 1;
      const alpha = adamStepSize(learningRate, t);
      params.forEach((p, i) => {
        const g = grads[i]!;
        const m = ms[i]!;
        const v = vs[i]!;
        for (let j = 0; j < p.length; j++) {
          const gj = g[j]!;
          // m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  p <- p - alpha m / (sqrt(v) + eps)
          const mj = (m[j] = beta1 * m[j]! + (1 - beta1) * gj);
          const vj = (v[j] = beta2 * v[j]! + (1 - beta2) * gj * gj);
          p[j] = p[j]! - (alpha * mj) / (Math.sqrt(vj) + epsilon);
        }
      });
    },
  };
}
