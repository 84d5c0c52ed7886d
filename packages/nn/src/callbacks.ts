/**
 * Callbacks: hooks `fit` calls around epochs and batches (Keras' and TensorFlow.js' names;
 * epochs and batches are counted from 0). Any hook may be async. Set `model.stopTraining = true`
 * to stop after the current batch.
 * @module
 */
import type { Tensor } from '@stablegrad/core';
import { ModelError } from './errors.js';
import { checkKnownOptions, showValue } from './names.js';
import type { ModelOptimizer } from './optimizers/index.js';

/**
 * The logs of an epoch or batch: `loss`, the metrics, `val_` ones after validation, and the
 * learning rate (`learning_rate`, when the optimizer says it).
 * @example
 * ```ts
 * const logs: Logs = { loss: 0.21, accuracy: 0.94, val_loss: 0.25, val_accuracy: 0.93, learning_rate: 0.001 };
 * ```
 */
export type Logs = { readonly [name: string]: number };

/**
 * What a callback can see and do of the model being trained.
 * @example
 * ```ts
 * const stopAtLoss: Callback = { onEpochEnd: (_e, logs, model) => { if (logs.loss! < 0.1) model.stopTraining = true; } };
 * ```
 */
export interface TrainingModel {
  stopTraining: boolean;
  /** Copies of the current weights. */
  getWeights(): Tensor[];
  /** Replaces the weights. */
  setWeights(weights: readonly Tensor[]): void;
  /** Writes the model to a file, crash-safely (what `modelCheckpoint` calls). */
  save?(path: string): void;
  /** The model's optimizer: its learning rate, read and set by `reduceLROnPlateau` and `learningRateScheduler`. */
  readonly optimizer?: ModelOptimizer;
}

/**
 * Hooks called by `fit`.
 * @example
 * ```ts
 * await model.fit(x, y, { callbacks: [{ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) }] });
 * ```
 */
export interface Callback {
  /** Before the first epoch. */
  onTrainBegin?(model: TrainingModel): void | Promise<void>;
  /** Before each epoch (0-based). */
  onEpochBegin?(epoch: number, model: TrainingModel): void | Promise<void>;
  /**
   * After each batch's update, with that batch's own loss and metrics (computed at the weights
   * before the update, as PyTorch's `loss.item()` and TensorFlow.js' `onBatchEnd`) and the
   * learning rate of the update. The epoch's logs are the means over its batches.
   */
  onBatchEnd?(batch: number, logs: Logs, model: TrainingModel): void | Promise<void>;
  /** After each epoch, with its loss and metrics, validation ones included. */
  onEpochEnd?(epoch: number, logs: Logs, model: TrainingModel): void | Promise<void>;
  /** After the last epoch (or a stop), with the last epoch's logs. */
  onTrainEnd?(logs: Logs, model: TrainingModel): void | Promise<void>;
}

/**
 * Options of `earlyStopping`, Keras' names.
 * @example
 * ```ts
 * earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
 * ```
 */
export interface EarlyStoppingOptions {
  /** The log to watch (default `val_loss`). */
  readonly monitor?: string;
  /** Epochs without improvement before stopping (default 0). */
  readonly patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  /** `min` for losses, `max` for accuracies; default: `max` when the name contains 'acc', else `min`. */
  readonly mode?: 'min' | 'max';
  /** Put back the weights of the best epoch when stopping (default false). */
  readonly restoreBestWeights?: boolean;
}

/**
 * The callback `earlyStopping` returns.
 * @example
 * ```ts
 * const stop = earlyStopping({ patience: 2 });
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.2, callbacks: [stop] });
 * stop.stoppedEpoch(); // the 0-based epoch it stopped after, or undefined
 * ```
 */
export interface EarlyStopping extends Callback {
  /** The 0-based epoch after which it stopped training, or undefined if it did not. */
  readonly stoppedEpoch: () => number | undefined;
}

/**
 * Stops training when a monitored log has stopped improving.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2, callbacks: [earlyStopping({ patience: 5 })] });
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  checkKnownOptions('earlyStopping', options, ['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights']);
  const monitor = checkMonitor('earlyStopping', options.monitor);
  const patience = options.patience ?? 0;
  if (!Number.isSafeInteger(patience) || patience < 0) throw new ModelError(`earlyStopping: patience must be an integer >= 0, got ${showValue(patience)}`);
  if (options.minDelta !== undefined && (typeof options.minDelta !== 'number' || !Number.isFinite(options.minDelta))) throw new ModelError(`earlyStopping: minDelta must be a finite number, got ${showValue(options.minDelta)}`);
  const minDelta = Math.abs(options.minDelta ?? 0);
  const mode = checkMode('earlyStopping', options.mode, monitor);
  if (options.restoreBestWeights !== undefined && typeof options.restoreBestWeights !== 'boolean') throw new ModelError(`earlyStopping: restoreBestWeights must be true or false, got ${showValue(options.restoreBestWeights)}`);
  let best = Infinity;
  let wait = 0;
  let bestWeights: Tensor[] | undefined;
  let stopped: number | undefined;
  const score = (value: number) => (mode === 'min' ? value : -value);
  return {
    stoppedEpoch: () => stopped,
    onTrainBegin() {
      best = Infinity;
      wait = 0;
      bestWeights = undefined;
      stopped = undefined;
    },
    onEpochEnd(epoch, logs, model) {
      const value = logs[monitor];
      if (value === undefined) {
        throw new ModelError(`earlyStopping: the logs have no '${monitor}' (they have ${Object.keys(logs).join(', ')}); validation logs need validationSplit or validationData`);
      }
      if (score(value) < best - minDelta) {
        best = score(value);
        wait = 0;
        if (options.restoreBestWeights === true) bestWeights = model.getWeights();
        return;
      }
      // As Keras: never after the first epoch (there is nothing to compare it with yet).
      if (++wait >= patience && epoch > 0) {
        stopped = epoch;
        model.stopTraining = true;
        if (bestWeights !== undefined) model.setWeights(bestWeights);
      }
    },
  };
}

/**
 * The monitored log's name (default `val_loss`), else a `ModelError` naming the callback.
 * @example
 * ```ts
 * checkMonitor('reduceLROnPlateau', undefined); // 'val_loss'
 * ```
 */
export function checkMonitor(what: string, monitor: unknown): string {
  if (monitor === undefined) return 'val_loss';
  if (typeof monitor !== 'string' || monitor === '') throw new ModelError(`${what}: monitor must be the name of a log (loss, accuracy, val_loss, ...), got ${JSON.stringify(monitor) ?? typeof monitor}`);
  return monitor;
}

/**
 * `min` or `max` for a monitored log; 'auto' as Keras: accuracies are maximised, everything else minimised.
 * @example
 * ```ts
 * checkMode('earlyStopping', 'auto', 'val_accuracy'); // 'max'
 * ```
 */
export function checkMode(what: string, mode: unknown, monitor: string): 'min' | 'max' {
  if (mode === undefined || mode === 'auto') return monitor.includes('acc') ? 'max' : 'min';
  if (mode !== 'min' && mode !== 'max') throw new ModelError(`${what}: mode must be 'min', 'max' or 'auto', got ${JSON.stringify(mode) ?? typeof mode}`);
  return mode;
}

/**
 * Options of `modelCheckpoint`, Keras' `ModelCheckpoint` names.
 * @example
 * ```ts
 * modelCheckpoint({ filepath: 'ckpt/model-{epoch:02d}-{val_loss:.3f}.json', monitor: 'val_loss', saveBestOnly: true });
 * ```
 */
export interface ModelCheckpointOptions {
  /**
   * Where to save. `{epoch}` is replaced by the 1-based epoch number (as Keras), `{name}` by the
   * value of a log (`{val_loss}`); `{epoch:02d}` pads with zeros, `{val_loss:.4f}` fixes the
   * digits. Without placeholders, each save replaces the last, atomically.
   */
  readonly filepath: string;
  /** The log to watch for `saveBestOnly` (default `val_loss`). */
  readonly monitor?: string;
  /** Save only when the monitored log improves on the best so far (default false: every epoch). */
  readonly saveBestOnly?: boolean;
  /** `min`, `max`, or `auto` (default: `max` when the name contains 'acc', else `min`). */
  readonly mode?: 'min' | 'max' | 'auto';
}

/**
 * The callback `modelCheckpoint` returns.
 * @example
 * ```ts
 * const checkpoint = modelCheckpoint({ filepath: 'best.json', saveBestOnly: true });
 * await model.fit(x, y, { epochs: 20, validationSplit: 0.2, callbacks: [checkpoint] });
 * checkpoint.lastSaved(); // { path: 'best.json', epoch: 12, value: 0.083 }
 * ```
 */
export interface ModelCheckpoint extends Callback {
  /** The last file written, its 0-based epoch and the monitored value then (undefined when the log was absent), or undefined before any save. */
  readonly lastSaved: () => { readonly path: string; readonly epoch: number; readonly value: number | undefined } | undefined;
}

/**
 * Saves the model at the end of epochs, as Keras' `ModelCheckpoint`: every epoch, or with
 * `saveBestOnly` only when the monitored log improves. Each save is crash-safe (a temporary
 * file, fsync, rename), so a kill during training leaves the last checkpoint whole.
 * @example
 * ```ts
 * await model.fit(x, y, {
 *   epochs: 50, validationSplit: 0.2,
 *   callbacks: [modelCheckpoint({ filepath: 'best.model.json', monitor: 'val_accuracy', saveBestOnly: true })],
 * });
 * const best = loadModel('best.model.json');
 * ```
 */
export function modelCheckpoint(options: ModelCheckpointOptions): ModelCheckpoint {
  checkKnownOptions('modelCheckpoint', options, ['filepath', 'monitor', 'saveBestOnly', 'mode']);
  const { filepath } = options;
  if (typeof filepath !== 'string' || filepath === '') throw new ModelError(`modelCheckpoint: filepath must be a non-empty string, got ${JSON.stringify(filepath) ?? typeof filepath}`);
  const bad = [...filepath.matchAll(PLACEHOLDER)].find((m) => m[2] !== undefined && !/^0?\d*d$|^\.\d+f$/.test(m[2]));
  if (bad !== undefined) throw new ModelError(`modelCheckpoint: the placeholder '${bad[0]}' has format '${bad[2]}'; formats are like 02d (integers) and .4f (digits after the point)`);
  const monitor = checkMonitor('modelCheckpoint', options.monitor);
  const saveBestOnly = options.saveBestOnly ?? false;
  if (typeof saveBestOnly !== 'boolean') throw new ModelError(`modelCheckpoint: saveBestOnly must be true or false, got ${showValue(saveBestOnly)}`);
  const mode = checkMode('modelCheckpoint', options.mode, monitor);
  let best = Infinity;
  let last: { path: string; epoch: number; value: number | undefined } | undefined;
  return {
    lastSaved: () => last,
    onTrainBegin(model) {
      if (typeof model.save !== 'function') throw new ModelError('modelCheckpoint: this model cannot be saved (it has no save method)');
    },
    onEpochEnd(epoch, logs, model) {
      const value = logs[monitor];
      if (saveBestOnly) {
        if (value === undefined) {
          throw new ModelError(`modelCheckpoint: the logs have no '${monitor}' (they have ${Object.keys(logs).join(', ')}); validation logs need validationSplit or validationData`);
        }
        const score = mode === 'min' ? value : -value;
        if (!(score < best)) return;
        best = score;
      }
      const path = fillPath(filepath, epoch, logs);
      model.save!(path);
      last = { path, epoch, value };
    },
  };
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

// Keras' names: {epoch} counts from 1; a log missing from the logs is an error, not 'undefined'.
function fillPath(template: string, epoch: number, logs: Logs): string {
  return template.replace(PLACEHOLDER, (whole, name: string, format: string | undefined) => {
    const value = name === 'epoch' ? epoch + 1 : logs[name];
    if (value === undefined) throw new ModelError(`modelCheckpoint: the filepath names '${name}', which is not in the logs (they have epoch, ${Object.keys(logs).join(', ')})`);
    if (format === undefined) return String(value);
    const fixed = /^\.(\d+)f$/.exec(format);
    if (fixed !== null) return value.toFixed(Math.min(100, Number(fixed[1])));
    const width = /^0?(\d*)d$/.exec(format);
    const digits = Math.round(value).toString();
    return width !== null && width[1] !== '' ? digits.padStart(Number(width[1]), format.startsWith('0') ? '0' : ' ') : digits;
  });
}
