/**
 * The optimizers, and an optimizer from its name or saved config.
 * @module
 */
import { ModelError } from '../errors.js';
import { didYouMean } from '../names.js';
import { adam } from './adam.js';
import type { Optimizer, OptimizerConfig, OptimizerName } from './optimizer.js';
import { sgd } from './sgd.js';

export { adam, type AdamOptions } from './adam.js';
export { sgd, type SgdOptions } from './sgd.js';
export type { Optimizer, OptimizerConfig, OptimizerName, OptimizerState } from './optimizer.js';

/**
 * An optimizer from itself, its name (default settings) or its saved config.
 * @example
 * ```ts
 * resolveOptimizer('adam').config.learningRate; // 0.001
 * resolveOptimizer({ name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: false });
 * ```
 */
export function resolveOptimizer(spec: Optimizer | OptimizerName | OptimizerConfig): Optimizer {
  if (typeof spec === 'object' && 'step' in spec) return spec;
  if (spec === 'adam' || spec === 'sgd') return spec === 'adam' ? adam() : sgd();
  if (typeof spec === 'object' && spec.name === 'adam') return adam(spec);
  if (typeof spec === 'object' && spec.name === 'sgd') return sgd(spec);
  const name = typeof spec === 'object' ? (spec as { name?: unknown }).name : spec;
  throw new ModelError(`unknown optimizer ${JSON.stringify(name)}${didYouMean(name, ['sgd', 'adam'])}; known: sgd, adam`);
}
