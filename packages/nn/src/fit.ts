/**
 * The training loop behind `model.fit`, the one-batch step behind `trainOnBatch`, and the
 * batched measurement behind `evaluate` and validation. It works on a `StepRunner` (the model's
 * compiled graph and optimizer), so the loop reads on its own: order, batch, step, check,
 * update, log.
 * @module
 */
import type { Tensor, TypedArray } from '@stablegrad/core';
import type { Logs, TrainingModel } from './callbacks.js';
import { firstNonFinite, rowRange, takeRows } from './data.js';
import { ModelError, TrainingError } from './errors.js';
import type { Metric } from './metrics.js';
import { checkUpdated } from './model-optimizer.js';
import { createProgress, defaultStream } from './progress.js';
import { permutation, type SeededRandom } from './random.js';

import { type FitOptions, positiveInteger } from './fit-options.js';
import { showValue } from './names.js';

export { type BatchOrder, checkFitOptions, type FitOptions, positiveInteger } from './fit-options.js';

/**
 * What `fit` returns: per epoch, the training loss and metrics, the validation ones
 * (`val_loss`, `val_accuracy`, ...) and the learning rate of the epoch's last step
 * (`learning_rate`, Keras 3's name), as Keras' `History`.
 * @example
 * ```ts
 * const { history } = await model.fit(x, y, { epochs: 10, validationSplit: 0.2 });
 * history.loss;          // 10 numbers
 * history.val_accuracy;  // 10 numbers
 * history.learning_rate; // 10 numbers
 * ```
 */
export interface History {
  /** 0-based epoch numbers that ran. */
  readonly epoch: number[];
  readonly history: { [name: string]: number[] };
  /** `steps` is the first epoch's count of batches. */
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
  /** The learning rate the next update will use, when the optimizer says it. */
  learningRate(): number | undefined;
  /**
   * Runs the batch's loss and gradients with the interpreter, keeping every value, and describes
   * the first node whose value is not finite (`describeNonFinite`), or undefined when all are.
   */
  locateNonFinite(x: Tensor, y: Tensor, w?: Tensor): string | undefined;
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
 * One training step on a batch: loss and gradients at the current weights (a `TrainingError`
 * naming `where` and the weight when they are not finite, before any change), the update, and
 * a check of the updated weights. Returns the batch's logs (its loss and metrics) and the
 * learning rate the update used.
 * @example
 * ```ts
 * const { logs, learningRate } = trainStep(runner, { x, y }, 'in trainOnBatch');
 * ```
 */
export function trainStep(runner: StepRunner, batch: Rows, where: string, rowsNote = '', checkNumerics = false): BatchStep {
  const result = runner.train(batch.x, batch.y, batch.w);
  const advice = 'training stopped; the weights are those before this batch. Try a smaller learning rate, or check the data';
  if (!Number.isFinite(result.loss)) throw new TrainingError(`the loss became ${result.loss} ${where}${rowsNote}${originOf(runner, batch)}; ${advice}`);
  result.gradients.forEach((g, p) => {
    const i = firstNonFinite(g);
    if (i >= 0) throw new TrainingError(`the gradient of '${runner.paramPaths[p]}' became ${g[i]} (element ${i}) ${where}${rowsNote}${originOf(runner, batch)}; ${advice}`);
  });
  if (checkNumerics) {
    const found = runner.locateNonFinite(batch.x, batch.y, batch.w);
    if (found !== undefined) throw new TrainingError(`checkNumerics: a value of the training graph is not finite ${where}${rowsNote}: ${found}; ${advice}`);
  }
  // Measured before the update: the prediction's buffer is the runner's, reused by the next run.
  const measured = measure(runner, batch.y, result.prediction);
  const learningRate = runner.learningRate();
  runner.update(result.gradients);
  checkUpdated(runner.weightData(), runner.paramPaths, where);
  return { loss: result.loss, rows: batch.x.shape[0]!, measured, learningRate };
}

/** Where a NaN or infinity of the batch was born, as a clause of the error (run only once training has failed). */
function originOf(runner: StepRunner, batch: Rows): string {
  const found = runner.locateNonFinite(batch.x, batch.y, batch.w);
  return found === undefined ? '' : `; it starts at ${found}`;
}

/**
 * What one training step measured: the batch's loss (at the weights before the update), its
 * rows, each metric's sum and count, and the learning rate of the update.
 * @example
 * ```ts
 * const step: BatchStep = trainStep(runner, batch, 'in trainOnBatch');
 * ```
 */
export interface BatchStep {
  readonly loss: number;
  readonly rows: number;
  readonly measured: readonly { readonly sum: number; readonly count: number }[];
  readonly learningRate: number | undefined;
}

/**
 * The logs of one batch: its loss and its metrics.
 * @example
 * ```ts
 * batchLogs(runner, trainStep(runner, batch, 'in trainOnBatch')); // { loss: 0.31, accuracy: 0.875 }
 * ```
 */
export function batchLogs(runner: StepRunner, step: Pick<BatchStep, 'loss' | 'rows' | 'measured'>): Logs {
  return new Totals(runner.metrics).add(step.loss, step.rows, step.measured).logs();
}

/**
 * Each metric's sum and count on a batch.
 * @example
 * ```ts
 * measure(runner, y, prediction); // [{ sum: 7, count: 8 }]
 * ```
 */
export function measure(runner: StepRunner, y: Tensor, prediction: Tensor): { sum: number; count: number }[] {
  return runner.metrics.map((metric) => metric.measure(y, prediction, { fromLogits: runner.fromLogits }));
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
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  const { train, validation } = splitValidation(data, validationData, options.validationSplit);
  const rows = train.x.shape[0]!;
  const orderOf = epochOrder(options, rows, epochs, random);
  const firstOrder = orderOf(0);
  const stream = options.stream ?? defaultStream();
  const verbose = options.verbose ?? 'auto';
  const progress = createProgress(verbose === 'auto' ? (stream.isTTY === true ? 1 : 2) : verbose, stream, epochs);
  const callbacks = options.callbacks ?? [];
  const history: History = { epoch: [], history: {}, params: { epochs, batchSize, samples: rows, steps: Math.ceil(firstOrder.length / batchSize) } };

  model.stopTraining = false;
  for (const c of callbacks) await c.onTrainBegin?.(model);
  let lastLogs: Logs = {};
  let lastYield = performance.now();
  for (let epoch = 0; epoch < epochs && !model.stopTraining; epoch++) {
    for (const c of callbacks) await c.onEpochBegin?.(epoch, model);
    const started = performance.now();
    const order = epoch === 0 ? firstOrder : orderOf(epoch);
    const steps = Math.ceil(order.length / batchSize);
    const totals = new Totals(runner.metrics);
    let learningRate: number | undefined;
    let batches = 0;
    progress.startEpoch(epoch, steps);
    for (let batch = 0; batch < steps; batch++) {
      const indices = order.slice(batch * batchSize, (batch + 1) * batchSize);
      const rowsNote = ` (rows ${batch * batchSize}-${batch * batchSize + indices.length - 1} of the epoch's order)`;
      const x = takeRows(train.x, indices);
      const y = takeRows(train.y, indices);
      const batchRows = { x, y, w: train.w === undefined ? undefined : takeRows(train.w, indices) };
      const step = trainStep(runner, batchRows, `at epoch ${epoch + 1}, batch ${batch + 1}`, rowsNote, options.checkNumerics === true);
      learningRate = step.learningRate;
      batches++;
      totals.add(step.loss, step.rows, step.measured);
      progress.batch(batch + 1, withRate(totals.logs(), learningRate));
      for (const c of callbacks) await c.onBatchEnd?.(batch, withRate(batchLogs(runner, step), learningRate), model);
      // Let the event loop draw the progress bar and run timers, without yielding every step.
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (model.stopTraining) break;
    }
    const logs: { [name: string]: number } = { ...totals.logs() };
    if (validation !== undefined) {
      for (const [name, value] of Object.entries(measureModel(runner, validation, Math.max(batchSize, 256)))) logs[`val_${name}`] = value;
    }
    if (learningRate !== undefined) logs.learning_rate = learningRate;
    history.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value);
    progress.endEpoch(epoch, logs, (performance.now() - started) / 1000, batches);
    lastLogs = logs;
    for (const c of callbacks) await c.onEpochEnd?.(epoch, logs, model);
    await yieldToEventLoop();
  }
  for (const c of callbacks) await c.onTrainEnd?.(lastLogs, model);
  return history;
}

function withRate(logs: Logs, learningRate: number | undefined): Logs {
  return learningRate === undefined ? logs : { ...logs, learning_rate: learningRate };
}

// setImmediate in Node; a zero timeout where there is none (a browser).
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/** Each epoch's row order: shuffled (seeded), in order, or the user's `batchOrder`, checked. */
function epochOrder(options: FitOptions, rows: number, epochs: number, random: SeededRandom): (epoch: number) => readonly number[] {
  const given = options.batchOrder;
  if (given === undefined) {
    const shuffle = options.shuffle ?? true;
    return () => (shuffle ? permutation(rows, random) : Array.from({ length: rows }, (_, i) => i));
  }
  if (Array.isArray(given) && given.length < epochs) throw new ModelError(`fit: batchOrder has the rows of ${given.length} epochs, but epochs is ${epochs}`);
  return (epoch) => {
    const order: unknown = typeof given === 'function' ? given(epoch) : given[epoch];
    const what = typeof given === 'function' ? `fit: batchOrder(${epoch})` : `fit: batchOrder[${epoch}]`;
    if (!Array.isArray(order)) throw new ModelError(`${what} must be an array of row indices, got ${order === null ? 'null' : typeof order}`);
    if (order.length === 0) throw new ModelError(`${what} is empty; an epoch needs at least one row`);
    const bad = order.findIndex((i: unknown) => typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0 || i >= rows);
    if (bad >= 0) throw new ModelError(`${what}[${bad}] is ${showValue(order[bad])}, not a row index: the ${rows} training rows are 0 to ${rows - 1}`);
    return order as readonly number[];
  };
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
    totals.add(loss, end - start, measure(runner, y, prediction));
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

  add(loss: number, rows: number, measured: readonly { readonly sum: number; readonly count: number }[]): this {
    this.#loss += loss * rows;
    this.#rows += rows;
    measured.forEach(({ sum, count }, i) => {
      this.#sums[i]! += sum;
      this.#counts[i]! += count;
    });
    return this;
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
