/**
 * The losses, and a loss from its name or saved config.
 * @module
 */
import { ModelError } from '../errors.js';
import { didYouMean } from '../names.js';
import { binaryCrossentropy } from './binary-crossentropy.js';
import { categoricalCrossentropy } from './categorical-crossentropy.js';
import type { Loss, LossConfig, LossName } from './loss.js';
import { meanSquaredError } from './mean-squared-error.js';
import { sparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';

export { binaryCrossentropy, type BinaryCrossentropyOptions } from './binary-crossentropy.js';
export { categoricalCrossentropy, type CategoricalCrossentropyOptions } from './categorical-crossentropy.js';
export { sparseCategoricalCrossentropy, type SparseCategoricalCrossentropyOptions } from './sparse-categorical-crossentropy.js';
export { meanSquaredError } from './mean-squared-error.js';
export { isLibraryLoss, type Loss, type LossConfig, type LossName, type LossOptions, type Reduction } from './loss.js';

const LOSSES: { readonly [name in LossName]: (options: never) => Loss } = {
  binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, meanSquaredError,
};

/**
 * A loss from itself, its name (default options) or its saved config.
 * @example
 * ```ts
 * resolveLoss('sparseCategoricalCrossentropy').config.fromLogits; // false
 * resolveLoss({ name: 'binaryCrossentropy', fromLogits: true }).config.fromLogits; // true
 * ```
 */
export function resolveLoss(spec: Loss | LossName | (Partial<LossConfig> & { name: LossName })): Loss {
  if (typeof spec === 'object' && 'build' in spec) return spec;
  const name = typeof spec === 'string' ? spec : spec.name;
  const make = typeof name === 'string' && Object.hasOwn(LOSSES, name) ? LOSSES[name] : undefined;
  if (make === undefined) throw new ModelError(`unknown loss ${JSON.stringify(name)}${didYouMean(name, Object.keys(LOSSES))}; known: ${Object.keys(LOSSES).join(', ')}`);
  if (typeof spec === 'string') return make({} as never);
  // Everything but the name goes to the loss, which rejects keys it does not know; a saved mean
  // squared error config carries the shared fields at their defaults, which it does not take.
  const { name: _, ...options } = spec as { [key: string]: unknown };
  if (name === 'meanSquaredError') {
    for (const [key, standard] of [['fromLogits', false], ['labelSmoothing', 0], ['axis', -1]] as const) {
      if (options[key] === standard || options[key] === undefined) delete options[key];
    }
  }
  return make(options as never);
}
