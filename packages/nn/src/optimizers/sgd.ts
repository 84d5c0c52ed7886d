/**
 * Stochastic gradient descent with optional (Nesterov) momentum, Keras' formulation:
 * `velocity = momentum * velocity - lr * g`, then `w += velocity`
 * (Nesterov: `w += momentum * velocity - lr * g`). Without momentum, `w -= lr * g`.
 * @module
 */
import { ModelError } from '../errors.js';
import { checkKnownOptions } from '../names.js';
import { libraryOptimizer } from './library.js';
import { checkInRange, type Optimizer, zeroSlots } from './optimizer.js';

/**
 * Options of `sgd`.
 * @example
 * ```ts
 * sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true });
 * ```
 */
export interface SgdOptions {
  /** Default 0.01 (Keras). */
  readonly learningRate?: number;
  /** In [0, 1); default 0 (plain gradient descent). */
  readonly momentum?: number;
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean;
}

/**
 * Stochastic gradient descent.
 * @example
 * ```ts
 * model.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.5 }) });
 * ```
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  checkKnownOptions('sgd', options, ['learningRate', 'momentum', 'nesterov']);
  const learningRate = checkInRange('sgd', 'learningRate', options.learningRate ?? 0.01, Number.MIN_VALUE, Infinity, '(0, Infinity)');
  const momentum = checkInRange('sgd', 'momentum', options.momentum ?? 0, 0, 1, '[0, 1)');
  const nesterov = options.nesterov ?? false;
  if (typeof nesterov !== 'boolean') throw new ModelError(`sgd: nesterov must be true or false, got ${String(nesterov)}`);
  return libraryOptimizer({
    config: { name: 'sgd', learningRate, momentum, nesterov },
    slotKinds: momentum === 0 ? {} : { velocity: 'real' },
    createState: (params) => ({ iterations: 0, slots: momentum === 0 ? {} : zeroSlots(['velocity'], params) }),
    step(state, values, gradients) {
      values.forEach((w, p) => {
        const g = gradients[p]!;
        if (momentum === 0) {
          for (let i = 0; i < w.length; i++) w[i] = w[i]! - learningRate * g[i]!;
          return;
        }
        const velocity = state.slots.velocity![p]!;
        for (let i = 0; i < w.length; i++) {
          velocity[i] = momentum * velocity[i]! - learningRate * g[i]!;
          w[i] = nesterov ? w[i]! + momentum * velocity[i]! - learningRate * g[i]! : w[i]! + velocity[i]!;
        }
      });
      state.iterations++;
    },
  });
}
