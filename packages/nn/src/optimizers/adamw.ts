/**
 * AdamW: Adam with decoupled weight decay (Loshchilov and Hutter), Keras' `AdamW` and
 * PyTorch's `torch.optim.AdamW`.
 * @module
 */
import { checkKnownOptions } from '../names.js';
import { type AdamOptions, adamOptimizer } from './adam.js';
import { COMMON_OPTIONS, readCommon } from './define.js';
import type { Optimizer } from './optimizer.js';

/**
 * AdamW: before each Adam step (see `adam` for both conventions), the weights shrink by
 * `lr * weightDecay` of themselves, apart from the gradient. Keras: `w -= w * weightDecay * lr`,
 * weightDecay 0.004, eps 1e-7. PyTorch: `w *= 1 - lr * weightDecay`, weightDecay 0.01, eps 1e-8.
 * The learning rate is 0.001 in both.
 * @example
 * ```ts
 * model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: adamW({ learningRate: 3e-4, weightDecay: 0.05 }) });
 * ```
 */
export function adamW(options: AdamOptions = {}): Optimizer {
  checkKnownOptions('adamW', options, [...COMMON_OPTIONS, 'beta1', 'beta2', 'epsilon', 'amsgrad']);
  return adamOptimizer('adamW', options, readCommon('adamW', options, { learningRate: { keras: 0.001, pytorch: 0.001 }, weightDecay: { keras: 0.004, pytorch: 0.01 } }));
}
