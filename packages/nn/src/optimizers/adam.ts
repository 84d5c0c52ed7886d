/**
 * Adam, Keras' (and TensorFlow's) formulation: at step t,
 * `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
 * `w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)`.
 * The bias correction is folded into the step size, so `eps` is the "epsilon hat" of the
 * paper; with the same settings the updates match Keras and TensorFlow.js.
 * @module
 */
import { checkKnownOptions } from '../names.js';
import { libraryOptimizer } from './library.js';
import { checkInRange, type Optimizer, zeroSlots } from './optimizer.js';

/**
 * Options of `adam`, with Keras' defaults.
 * @example
 * ```ts
 * adam({ learningRate: 0.01 });
 * ```
 */
export interface AdamOptions {
  /** Default 0.001. */
  readonly learningRate?: number;
  /** Decay of the first moment, in [0, 1); default 0.9. */
  readonly beta1?: number;
  /** Decay of the second moment, in [0, 1); default 0.999. */
  readonly beta2?: number;
  /** Added to `sqrt(v)`; default 1e-7. */
  readonly epsilon?: number;
}

/**
 * The Adam optimizer.
 * @example
 * ```ts
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.01 }) });
 * ```
 */
export function adam(options: AdamOptions = {}): Optimizer {
  checkKnownOptions('adam', options, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  const learningRate = checkInRange('adam', 'learningRate', options.learningRate ?? 0.001, Number.MIN_VALUE, Infinity, '(0, Infinity)');
  const beta1 = checkInRange('adam', 'beta1', options.beta1 ?? 0.9, 0, 1, '[0, 1)');
  const beta2 = checkInRange('adam', 'beta2', options.beta2 ?? 0.999, 0, 1, '[0, 1)');
  const epsilon = checkInRange('adam', 'epsilon', options.epsilon ?? 1e-7, 0, Infinity, '[0, Infinity)');
  return libraryOptimizer({
    config: { name: 'adam', learningRate, beta1, beta2, epsilon },
    // v is a running mean of squares: a negative one would make sqrt(v) NaN
    slotKinds: { m: 'real', v: 'nonNegative' },
    createState: (params) => ({ iterations: 0, slots: zeroSlots(['m', 'v'], params) }),
    step(state, values, gradients) {
      const t = state.iterations + 1;
      const stepSize = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      values.forEach((w, p) => {
        const g = gradients[p]!;
        const m = state.slots.m![p]!;
        const v = state.slots.v![p]!;
        for (let i = 0; i < w.length; i++) {
          const gi = g[i]!;
          m[i] = beta1 * m[i]! + (1 - beta1) * gi;
          v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
          w[i] = w[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) + epsilon);
        }
      });
      state.iterations = t;
    },
  });
}
