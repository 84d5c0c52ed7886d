/**
 * The training loop behind `model.fit`, and the batched measurement behind `evaluate` and
 * validation. It works on a `StepRunner` (the model's compiled graph and optimizer), so the loop
 * reads on its own: shuffle, batch, step, check, update, log.
 * @module
 */
import type { Tensor, TensorLike, TypedArray } from '@stablegrad/core';
import type { Callback, Logs, TrainingModel } from './callbacks.js';
import { firstNonFinite, rowRange, takeRows } from './data.js';
import { ModelError, TrainingError } from './errors.js';
import { checkKnownOptions } from './names.js';
import type { Metric } from './metrics.js';
import { createProgress, type ProgressStream } from './progress.js';
import { permutation, type SeededRandom } from './random.js';

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
  /** Rows per step (default 32). The last batch of an epoch may be smaller. */
  readonly batchSize?: number;
  /** Shuffle the training rows before each epoch (default true; seeded by the model's seed). */
  readonly shuffle?: boolean;
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
  /** 0 silent, 1 progress bar in a terminal (default), 2 one line per epoch. */
  readonly verbose?: 0 | 1 | 2;
  readonly callbacks?: readonly Callback[];
  /** Where progress goes (default `process.stdout`). */
  readonly stream?: ProgressStream;
}

/**
 * What `fit` returns: per epoch, the training loss and metrics and the validation ones
 * (`val_loss`, `val_accuracy`, ...), as Keras' `History`.
 * @example
 * ```ts
 * const { history } = await model.fit(x, y, { epochs: 10, validationSplit: 0.2 });
 * history.loss;          // 10 numbers
 * history.val_accuracy;  // 10 numbers
 * ```
 */
export interface History {
  /** 0-based epoch numbers that ran. */
  readonly epoch: number[];
  readonly history: { [name: string]: number[] };
  readonly params: { readonly epochs: number; readonly batchSize: number; readonly samples: number; readonly steps: number };
}

/**
 * One model's training and evaluation steps (the model builds it from its compiled graph).
 * @example
 * ```ts
 * const { loss, gradients } = runner.train(xBatch, yBatch);
 * runner.update(gradients);
 * ```
 */
export interface StepRunner {
  readonly metrics: readonly Metric[];
  readonly fromLogits: boolean;
  /** Scope paths of the params, in gradient order (for error messages). */
  readonly paramPaths: readonly string[];
  /** Loss, gradients and prediction on a batch, at the current weights (`w`: the rows' sample weights). */
  train(x: Tensor, y: Tensor, w?: Tensor): { loss: number; gradients: TypedArray[]; prediction: Tensor };
  /** The optimizer's update from those gradients. */
  update(gradients: readonly TypedArray[]): void;
  /** Loss and prediction on a batch. */
  test(x: Tensor, y: Tensor, w?: Tensor): { loss: number; prediction: Tensor };
  weights(): Tensor[];
  /** The current weights' own arrays (no copy), kernels and biases in order. */
  weightData(): readonly TypedArray[];
  restoreWeights(weights: readonly Tensor[]): void;
}

/**
 * Rows of training data: features, labels and, when given, sample weights `[rows]`.
 * @example
 * ```ts
 * const data: Rows = { x, y, w: tensor([1, 0, 2]) };
 * ```
 */
export interface Rows {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly w?: Tensor | undefined;
}

/**
 * The training loop.
 * @example
 * ```ts
 * const history = await fitModel(model, runner, { x, y }, undefined, { epochs: 5 }, seededRandom(1));
 * ```
 */
export async function fitModel(
  model: TrainingModel, runner: StepRunner, data: Rows,
  validationData: Rows | undefined, options: FitOptions, random: SeededRandom,
): Promise<History> {
  const epochs = positiveInteger(options.epochs ?? 1, 'fit: epochs');
  const batchSize = positiveInteger(options.batchSize ?? 32, 'fit: batchSize');
  const { train, validation } = splitValidation(data, validationData, options.validationSplit);
  const rows = train.x.shape[0]!;
  const steps = Math.ceil(rows / batchSize);
  const progress = createProgress(options.verbose ?? 1, options.stream ?? process.stdout, epochs);
  const callbacks = options.callbacks ?? [];
  const history: History = { epoch: [], history: {}, params: { epochs, batchSize, samples: rows, steps } };

  model.stopTraining = false;
  for (const c of callbacks) await c.onTrainBegin?.(model);
  let lastLogs: Logs = {};
  let lastYield = performance.now();
  for (let epoch = 0; epoch < epochs && !model.stopTraining; epoch++) {
    for (const c of callbacks) await c.onEpochBegin?.(epoch, model);
    const started = performance.now();
    const order = options.shuffle ?? true ? permutation(rows, random) : Array.from({ length: rows }, (_, i) => i);
    const totals = new Totals(runner.metrics);
    progress.startEpoch(epoch, steps);
    for (let batch = 0; batch < steps; batch++) {
      const indices = order.slice(batch * batchSize, (batch + 1) * batchSize);
      const x = takeRows(train.x, indices);
      const y = takeRows(train.y, indices);
      const result = runner.train(x, y, train.w === undefined ? undefined : takeRows(train.w, indices));
      checkFinite(result.loss, result.gradients, runner.paramPaths, epoch, batch, batchSize, indices.length);
      runner.update(result.gradients);
      checkUpdated(runner, epoch, batch);
      totals.add(result.loss, indices.length, y, result.prediction, runner.fromLogits);
      const logs = totals.logs();
      progress.batch(batch + 1, logs);
      for (const c of callbacks) await c.onBatchEnd?.(batch, logs, model);
      // Let the event loop draw the progress bar and run timers, without yielding every step.
      if (performance.now() - lastYield > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (model.stopTraining) break;
    }
    const logs: { [name: string]: number } = { ...totals.logs() };
    if (validation !== undefined) {
      for (const [name, value] of Object.entries(measureModel(runner, validation, Math.max(batchSize, 256)))) logs[`val_${name}`] = value;
    }
    history.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value);
    progress.endEpoch(epoch, logs, (performance.now() - started) / 1000);
    lastLogs = logs;
    for (const c of callbacks) await c.onEpochEnd?.(epoch, logs, model);
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const c of callbacks) await c.onTrainEnd?.(lastLogs, model);
  return history;
}

/**
 * Loss and metrics over a data set, batch by batch (losses weighted by their rows).
 * @example
 * ```ts
 * measureModel(runner, { x, y }, 256); // { loss: 0.1, accuracy: 0.97 }
 * ```
 */
export function measureModel(runner: StepRunner, data: Rows, batchSize: number): { [name: string]: number } {
  positiveInteger(batchSize, 'evaluate: batchSize');
  const rows = data.x.shape[0]!;
  const totals = new Totals(runner.metrics);
  for (let start = 0; start < rows; start += batchSize) {
    const end = Math.min(rows, start + batchSize);
    const y = rowRange(data.y, start, end);
    const { loss, prediction } = runner.test(rowRange(data.x, start, end), y, data.w === undefined ? undefined : rowRange(data.w, start, end));
    totals.add(loss, end - start, y, prediction, runner.fromLogits);
  }
  return totals.logs();
}

/** Running sums of the loss (weighted by rows) and of each metric's counts. */
class Totals {
  #loss = 0;
  #rows = 0;
  readonly #sums: number[];
  readonly #counts: number[];
  constructor(readonly metrics: readonly Metric[]) {
    this.#sums = metrics.map(() => 0);
    this.#counts = metrics.map(() => 0);
  }

  add(loss: number, rows: number, y: Tensor, prediction: Tensor, fromLogits: boolean): void {
    this.#loss += loss * rows;
    this.#rows += rows;
    this.metrics.forEach((metric, i) => {
      const { sum, count } = metric.measure(y, prediction, { fromLogits });
      this.#sums[i]! += sum;
      this.#counts[i]! += count;
    });
  }

  logs(): Logs {
    const logs: { [name: string]: number } = { loss: this.#loss / this.#rows };
    this.metrics.forEach((metric, i) => { logs[metric.name] = this.#sums[i]! / this.#counts[i]!; });
    return logs;
  }
}

function splitValidation(
  data: Rows, validationData: Rows | undefined, split: number | undefined,
): { train: Rows; validation: Rows | undefined } {
  if (split === undefined || split === 0) return { train: data, validation: validationData };
  if (validationData !== undefined) throw new ModelError('fit: give validationSplit or validationData, not both');
  if (!(split > 0 && split < 1)) throw new ModelError(`fit: validationSplit must be in (0, 1), got ${split}`);
  const rows = data.x.shape[0]!;
  const trainRows = Math.floor(rows * (1 - split));
  if (trainRows < 1 || trainRows >= rows) {
    throw new ModelError(`fit: validationSplit ${split} of ${rows} rows leaves ${trainRows} to train on and ${rows - trainRows} to validate on; both need at least one`);
  }
  const part = (start: number, end: number): Rows => ({
    x: rowRange(data.x, start, end), y: rowRange(data.y, start, end), w: data.w === undefined ? undefined : rowRange(data.w, start, end),
  });
  return { train: part(0, trainRows), validation: part(trainRows, rows) };
}

function checkFinite(
  loss: number, gradients: readonly TypedArray[], paths: readonly string[], epoch: number, batch: number, batchSize: number, rows: number,
): void {
  const where = () => `at epoch ${epoch + 1}, batch ${batch + 1} (rows ${batch * batchSize}-${batch * batchSize + rows - 1} of the epoch's order)`;
  const advice = 'training stopped; the weights are those before this batch. Try a smaller learning rate, or check the data';
  if (!Number.isFinite(loss)) throw new TrainingError(`the loss became ${loss} ${where()}; ${advice}`);
  for (let p = 0; p < gradients.length; p++) {
    const g = gradients[p]!;
    const i = firstNonFinite(g);
    if (i >= 0) throw new TrainingError(`the gradient of '${paths[p]}' became ${g[i]} (element ${i}) ${where()}; ${advice}`);
  }
}

// Finite gradients can still step weights out of range (a huge learning rate): say so at once,
// rather than at the next batch's loss.
function checkUpdated(runner: StepRunner, epoch: number, batch: number): void {
  const values = runner.weightData();
  values.forEach((w, p) => {
    const i = firstNonFinite(w);
    if (i >= 0) {
      throw new TrainingError(
        `the update at epoch ${epoch + 1}, batch ${batch + 1} made '${runner.paramPaths[p]}' ${w[i]} (element ${i}): the step was too large for ${w instanceof Float32Array ? 'float32' : 'float64'}; training stopped, and the weights are not usable. Try a smaller learning rate`,
      );
    }
  });
}

const FIT_OPTIONS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'sampleWeight', 'verbose', 'callbacks', 'stream'] as const;
const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

/**
 * Checks `fit`'s options before any data is read or step run: unknown keys, wrong types and
 * values out of range are a `ModelError` naming the option.
 * @example
 * ```ts
 * checkFitOptions({ verbose: 7 }); // ModelError: fit: verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch), got 7
 * ```
 */
export function checkFitOptions(options: FitOptions): void {
  checkKnownOptions('fit', options, FIT_OPTIONS);
  if (options.epochs !== undefined) positiveInteger(options.epochs, 'fit: epochs');
  if (options.batchSize !== undefined) positiveInteger(options.batchSize, 'fit: batchSize');
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new ModelError(`fit: shuffle must be true or false, got ${String(options.shuffle)}`);
  const split = options.validationSplit;
  if (split !== undefined && (typeof split !== 'number' || !(split >= 0 && split < 1))) throw new ModelError(`fit: validationSplit must be in (0, 1) (or 0 for none), got ${String(split)}`);
  const v = options.validationData;
  if (v !== undefined && (!Array.isArray(v) || (v.length !== 2 && v.length !== 3))) {
    throw new ModelError('fit: validationData must be [x, y] or [x, y, sampleWeight]');
  }
  const verbose = options.verbose;
  if (verbose !== undefined && verbose !== 0 && verbose !== 1 && verbose !== 2) {
    throw new ModelError(`fit: verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch), got ${String(verbose)}`);
  }
  const stream = options.stream as { write?: unknown } | undefined;
  if (stream !== undefined && (typeof stream !== 'object' || stream === null || typeof stream.write !== 'function')) {
    throw new ModelError('fit: stream must be an object with a write(text) method, such as process.stdout');
  }
  const callbacks = options.callbacks as unknown;
  if (callbacks === undefined) return;
  if (!Array.isArray(callbacks)) throw new ModelError(`fit: callbacks must be an array of callback objects, got ${typeof callbacks === 'object' ? String(callbacks) : `${typeof callbacks} ${String(callbacks)}`}`);
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
  if (!Number.isSafeInteger(value) || value < 1) throw new ModelError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}
