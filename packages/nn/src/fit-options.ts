/**
 * The checks of `fit`'s options, run before any data is read or step taken: unknown keys,
 * wrong types and values out of range are a `ModelError` naming the option.
 * @module
 */
import { ModelError } from './errors.js';
import type { TensorLike } from '@stablegrad/core';
import type { Callback } from './callbacks.js';
import type { ProgressStream } from './progress.js';
import { checkKnownOptions, showValue } from './names.js';

/**
 * The rows each epoch visits, in order (indices into the training rows, after
 * `validationSplit`); consecutive `batchSize` slices of it are the batches, the last one
 * possibly smaller. One array per epoch, or a function of the 0-based epoch (a sampler, as a
 * PyTorch `DataLoader`'s). Rows may repeat or be left out (sampling with replacement, or
 * `drop_last` by leaving out the tail).
 * @example
 * ```ts
 * // The order a PyTorch DataLoader drew, epoch by epoch (torch.randperm with its generator):
 * await model.fit(x, y, { epochs: 2, batchSize: 4, batchOrder: [[3, 0, 5, 1, 4, 2], [1, 5, 0, 2, 3, 4]] });
 * await model.fit(x, y, { epochs: 10, batchOrder: (epoch) => myPermutation(epoch) });
 * ```
 */
export type BatchOrder = readonly (readonly number[])[] | ((epoch: number) => readonly number[]);

/**
 * Options of `fit`, Keras' names.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 30, batchSize: 32, validationSplit: 0.2, verbose: 2 });
 * ```
 */
export interface FitOptions {
  /** Passes over the data (default 1, as Keras). */
  readonly epochs?: number;
  /**
   * Check every value of the training graph on every batch, not only the loss and the
   * gradients (TensorFlow's `check_numerics`): a NaN or infinity anywhere, even one the loss
   * survives, stops training with a `TrainingError` naming the node that produced it from
   * finite inputs, the epoch and the batch. Runs each batch a second time with the interpreter,
   * so training is several times slower; default false. Without it, a loss or gradient that is
   * not finite still names that node.
   */
  readonly checkNumerics?: boolean;
  /** Rows per step (default 32). The last batch of an epoch may be smaller. */
  readonly batchSize?: number;
  /** Shuffle the training rows before each epoch (default true; seeded by the model's seed). False with `batchOrder`. */
  readonly shuffle?: boolean;
  /**
   * The rows of each epoch in order, to reproduce another framework's run exactly (see
   * `BatchOrder`); instead of shuffling. Indices are checked before each epoch (a `ModelError`).
   */
  readonly batchOrder?: BatchOrder;
  /** Hold out this share of the rows, the last ones before shuffling (as Keras), for validation. */
  readonly validationSplit?: number;
  /** `[x, y]` or `[x, y, sampleWeight]` to validate on after each epoch (instead of `validationSplit`). */
  readonly validationData?: readonly [TensorLike, TensorLike] | readonly [TensorLike, TensorLike, TensorLike];
  /**
   * One finite non-negative weight per row (Keras' `sample_weight`): each row's loss is
   * multiplied by it, and the mean still divides by the rows (`sum(w l) / rows`, Keras'
   * `sum_over_batch_size`). A row of weight 0 has no effect on training. `validationSplit`
   * splits the weights with the rows. Metrics are not weighted.
   */
  readonly sampleWeight?: TensorLike;
  /**
   * `'auto'` (default): the progress bar in a terminal, one line per epoch elsewhere (a pipe,
   * a CI log), as Keras; `1` the progress bar only (nothing when the stream is not a terminal);
   * `2` one line per epoch anywhere; `0` silent.
   */
  readonly verbose?: 'auto' | 0 | 1 | 2;
  readonly callbacks?: readonly Callback[];
  /** Where progress goes (default `process.stdout`, or the console where there is no `process`). */
  readonly stream?: ProgressStream;
}

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
