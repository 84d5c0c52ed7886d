/**
 * The checks of `fit`'s options, run before any data is read or step taken: unknown keys,
 * wrong types and values out of range are a `ModelError` naming the option.
 * @module
 */
import { ModelError } from './errors.js';
import type { FitOptions } from './fit.js';
import { checkKnownOptions, showValue } from './names.js';

const FIT_OPTIONS = ['epochs', 'batchSize', 'shuffle', 'batchOrder', 'validationSplit', 'validationData', 'sampleWeight', 'verbose', 'callbacks', 'stream', 'checkNumerics'] as const;
const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

/**
 * Checks `fit`'s options before any data is read or step run: unknown keys, wrong types and
 * values out of range are a `ModelError` naming the option.
 * @example
 * ```ts
 * checkFitOptions({ verbose: 7 }); // ModelError: fit: verbose must be 'auto', 0 (silent), 1 (progress bar) or 2 (one line per epoch), got 7
 * ```
 */
export function checkFitOptions(options: FitOptions): void {
  checkKnownOptions('fit', options, FIT_OPTIONS);
  if (options.epochs !== undefined) positiveInteger(options.epochs, 'fit: epochs');
  if (options.batchSize !== undefined) positiveInteger(options.batchSize, 'fit: batchSize');
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new ModelError(`fit: shuffle must be true or false, got ${showValue(options.shuffle)}`);
  const order = options.batchOrder as unknown;
  if (order !== undefined) {
    if (typeof order !== 'function' && !Array.isArray(order)) throw new ModelError(`fit: batchOrder must be an array of row orders (one per epoch) or a function of the epoch, got ${order === null ? 'null' : typeof order}`);
    if (options.shuffle === true) throw new ModelError('fit: give shuffle or batchOrder, not both (batchOrder says the order of the rows)');
  }
  if (options.checkNumerics !== undefined && typeof options.checkNumerics !== 'boolean') {
    throw new ModelError(`fit: checkNumerics must be true or false, got ${showValue(options.checkNumerics)}`);
  }
  const split = options.validationSplit;
  if (split !== undefined && (typeof split !== 'number' || !(split >= 0 && split < 1))) throw new ModelError(`fit: validationSplit must be in (0, 1) (or 0 for none), got ${showValue(split)}`);
  const v = options.validationData;
  if (v !== undefined && (!Array.isArray(v) || (v.length !== 2 && v.length !== 3))) {
    throw new ModelError('fit: validationData must be [x, y] or [x, y, sampleWeight]');
  }
  const verbose = options.verbose;
  if (verbose !== undefined && verbose !== 'auto' && verbose !== 0 && verbose !== 1 && verbose !== 2) {
    throw new ModelError(`fit: verbose must be 'auto' (a bar in a terminal, a line per epoch elsewhere), 0 (silent), 1 (progress bar) or 2 (one line per epoch), got ${typeof verbose === 'string' ? JSON.stringify(verbose) : String(verbose)}`);
  }
  const stream = options.stream as { write?: unknown } | undefined;
  if (stream !== undefined && (typeof stream !== 'object' || stream === null || typeof stream.write !== 'function')) {
    throw new ModelError('fit: stream must be an object with a write(text) method, such as process.stdout');
  }
  const callbacks = options.callbacks as unknown;
  if (callbacks === undefined) return;
  if (!Array.isArray(callbacks)) throw new ModelError(`fit: callbacks must be an array of callback objects, got ${typeof callbacks === 'object' ? String(callbacks) : `${typeof callbacks} ${showValue(callbacks)}`}`);
  callbacks.forEach((c: unknown, i) => {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new ModelError(`fit: callbacks[${i}] must be an object with hooks (${HOOKS.join(', ')}), got ${c === null ? 'null' : Array.isArray(c) ? 'an array' : typeof c}`);
    for (const key of Object.keys(c)) {
      const value = (c as { [key: string]: unknown })[key];
      if ((HOOKS as readonly string[]).includes(key)) {
        if (value !== undefined && typeof value !== 'function') throw new ModelError(`fit: callbacks[${i}].${key} must be a function, got ${typeof value}`);
      } else if (/^on[A-Z]/.test(key)) {
        throw new ModelError(`fit: callbacks[${i}] has a hook '${key}' that fit never calls; hooks: ${HOOKS.join(', ')}`);
      }
    }
  });
}

/**
 * A positive integer, else a `ModelError` naming it (`fit: epochs`, `predict: batchSize`).
 * @example
 * ```ts
 * positiveInteger(32, 'fit: batchSize'); // 32
 * ```
 */
export function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ModelError(`${name} must be a positive integer, got ${showValue(value)}`);
  return value;
}
