/**
 * Callbacks: hooks `fit` calls around epochs and batches (Keras' and TensorFlow.js' names;
 * epochs and batches are counted from 0). Any hook may be async. Set `model.stopTraining = true`
 * to stop after the current batch.
 * @module
 */
import type { Tensor } from '@stablegrad/core';
import { ModelError } from './errors.js';

/**
 * The logs of an epoch or batch: `loss`, the metrics, and `val_` ones after validation.
 * @example
 * ```ts
 * const logs: Logs = { loss: 0.21, accuracy: 0.94, val_loss: 0.25, val_accuracy: 0.93 };
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
  /** After each batch's update, with the epoch's running loss and metrics so far. */
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
  const monitor = options.monitor ?? 'val_loss';
  const patience = options.patience ?? 0;
  const minDelta = Math.abs(options.minDelta ?? 0);
  const mode = options.mode ?? (monitor.includes('acc') ? 'max' : 'min');
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
