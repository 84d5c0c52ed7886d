/**
 * The losses, and a loss from its name or saved config.
 * @module
 */
import { ModelError } from '../errors.js';
import { didYouMean } from '../names.js';
import { binaryCrossentropy } from './binary-crossentropy.js';
import { categoricalCrossentropy } from './categorical-crossentropy.js';
import type { Loss, LossConfig, LossName, LossOptions } from './loss.js';
import { meanSquaredError } from './mean-squared-error.js';
import { sparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';

export { binaryCrossentropy } from './binary-crossentropy.js';
export { categoricalCrossentropy } from './categorical-crossentropy.js';
export { sparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';
export { meanSquaredError } from './mean-squared-error.js';
export { isLibraryLoss, type Loss, type LossConfig, type LossName, type LossOptions, type Reduction } from './loss.js';

const LOSSES: { readonly [name in LossName]: (options: LossOptions) => Loss } = {
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
  if (typeof spec === 'string') return make({});
  const { fromLogits, labelSmoothing, axis, reduction } = spec;
  return make({ fromLogits, labelSmoothing, axis, reduction });
}
