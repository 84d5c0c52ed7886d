/**
 * Hints for names written the Python way: `sparse_categorical_crossentropy` is
 * `sparseCategoricalCrossentropy` here, `acc` is `accuracy`, PyTorch's `lr` is `learningRate`.
 * @module
 */
import { ModelError } from './errors.js';

// Other frameworks' words for ours (an alias is offered only where its target is a known name).
const ALIASES: { readonly [name: string]: string } = {
  acc: 'accuracy', lr: 'learningRate', eps: 'epsilon', alpha: 'rho', betas: 'beta1', lr_decay: 'learningRateDecay', global_clipnorm: 'globalClipNorm',
  clipnorm: 'clipNorm', clipvalue: 'clipValue', max_norm: 'globalClipNorm', min_lr: 'minLr', threshold: 'minDelta', T_max: 'decaySteps',
};

/**
 * ` (did you mean 'x'?)` when `given` is a known name in another spelling, else ''.
 * @example
 * ```ts
 * didYouMean('sparse_categorical_crossentropy', ['sparseCategoricalCrossentropy']); // " (did you mean 'sparseCategoricalCrossentropy'?)"
 * ```
 */
export function didYouMean(given: unknown, known: readonly string[]): string {
  if (typeof given !== 'string') return '';
  const camel = given.toLowerCase().replace(/[_-]+([a-z])/g, (_, c: string) => c.toUpperCase());
  const alias = Object.hasOwn(ALIASES, given) && known.includes(ALIASES[given]!) ? ALIASES[given] : undefined;
  const match = alias ?? known.find((name) => name.toLowerCase() === camel.toLowerCase());
  return match === undefined || match === given ? '' : ` (did you mean '${match}'?)`;
}

/**
 * Throws a ModelError unless `options` is a plain object whose keys are all in `known` (a
 * misspelt `posWeigth` must not train as if it were absent).
 * @example
 * ```ts
 * checkKnownOptions('binaryCrossentropy', { posWieght: 2 }, ['fromLogits', 'posWeight']);
 * // ModelError: binaryCrossentropy: unknown option 'posWieght' (did you mean 'posWeight'?); known: fromLogits, posWeight
 * ```
 */
export function checkKnownOptions(name: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ModelError(`${name}: options must be an object, got ${Array.isArray(options) ? 'an array' : JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ModelError(`${name}: unknown option '${key}'${didYouMean(key, known)}; known: ${known.join(', ')}`);
    }
  }
}

/**
 * A value as error messages show it, never throwing: primitives as `String` writes them
 * (`0.1`, `yes`, `NaN`), objects as `an object`, `an array` or `a function` (an object whose
 * `toString` is not a function must not turn a ModelError into a TypeError).
 * @example
 * ```ts
 * showValue({ toString: 0 }); // 'an object'
 * ```
 */
export function showValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
