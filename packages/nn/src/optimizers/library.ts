/**
 * Which optimizers are the library's own: those `sgd()`, `adam()` and the others made, whose config alone
 * rebuilds them. A custom object that merely calls itself `adam` is not one of them.
 * @module
 */
import type { Optimizer } from './optimizer.js';

const LIBRARY_OPTIMIZERS = new WeakSet<Optimizer>();

/**
 * Marks an optimizer as the library's own (what `save` may write by its config).
 * @example
 * ```ts
 * return libraryOptimizer({ config, slotKinds, createState, step });
 * ```
 */
export function libraryOptimizer(optimizer: Optimizer): Optimizer {
  LIBRARY_OPTIMIZERS.add(optimizer);
  return optimizer;
}

/**
 * True for optimizers made by the library's factories (`sgd()`, `adam()`, `adamW()`, `rmsprop()`, `adagrad()`, `nadam()`).
 * @example
 * ```ts
 * isLibraryOptimizer(adam()); // true
 * ```
 */
export function isLibraryOptimizer(optimizer: Optimizer): boolean {
  return LIBRARY_OPTIMIZERS.has(optimizer);
}
