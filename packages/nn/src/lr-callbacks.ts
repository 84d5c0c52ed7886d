/**
 * Callbacks that change the learning rate between epochs: `reduceLROnPlateau` (Keras'
 * `ReduceLROnPlateau`, or PyTorch's `torch.optim.lr_scheduler.ReduceLROnPlateau` with
 * `convention: 'pytorch'`) and `learningRateScheduler` (Keras' `LearningRateScheduler`, the way
 * to run PyTorch's per-epoch schedulers). Both set `model.optimizer.learningRate`, which is saved
 * with the model; an optimizer whose rate follows a schedule cannot be driven by them.
 * @module
 */
import { type Callback, checkMode, checkMonitor, type TrainingModel } from './callbacks.js';
import { ModelError } from './errors.js';
import { checkKnownOptions, showValue } from './names.js';
import type { Convention, ModelOptimizer } from './optimizers/index.js';

/**
 * Options of `reduceLROnPlateau`, Keras' names and defaults.
 * @example
 * ```ts
 * reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 3, minLr: 1e-5 });
 * ```
 */
export interface ReduceLROnPlateauOptions {
  /** The log to watch (default `val_loss`). */
  readonly monitor?: string;
  /** The new rate is `rate * factor`, in (0, 1); default 0.1. */
  readonly factor?: number;
  /** Epochs without improvement before a reduction, an integer >= 0; default 10. */
  readonly patience?: number;
  /** `min`, `max` or `auto` (default: `max` when the name contains 'acc', else `min`). */
  readonly mode?: 'min' | 'max' | 'auto';
  /**
   * The smallest change that counts as an improvement, finite and >= 0; default 1e-4. Keras:
   * absolute (`value < best - minDelta`); PyTorch: relative, its `threshold` in `rel` mode
   * (`value < best * (1 - minDelta)`).
   */
  readonly minDelta?: number;
  /** Epochs to wait after a reduction before counting again, an integer >= 0; default 0. */
  readonly cooldown?: number;
  /** The rate never goes below this, finite and >= 0; default 0. */
  readonly minLr?: number;
  /**
   * `keras` (default): reduce when `patience` epochs in a row did not improve. `pytorch`:
   * reduce when more than `patience` did (PyTorch's `num_bad_epochs > patience`), with a
   * relative `minDelta`, and skip reductions smaller than 1e-8.
   */
  readonly convention?: Convention;
  /** 1: print a line when the rate is reduced (default 0). */
  readonly verbose?: 0 | 1;
}

/**
 * The callback `reduceLROnPlateau` returns.
 * @example
 * ```ts
 * const plateau = reduceLROnPlateau({ patience: 2 });
 * await model.fit(x, y, { epochs: 30, validationSplit: 0.2, callbacks: [plateau] });
 * plateau.reductions(); // [{ epoch: 7, learningRate: 0.0001 }, ...]
 * ```
 */
export interface ReduceLROnPlateau extends Callback {
  /** Each reduction: the 0-based epoch after which it happened and the new rate. */
  readonly reductions: () => readonly { readonly epoch: number; readonly learningRate: number }[];
}

/**
 * Multiplies the learning rate by `factor` when a monitored log has stopped improving.
 *
 * Keras (default): per epoch, during a cooldown the counter `wait` is 0; an improvement
 * (`value < best - minDelta` for `min`) resets it, otherwise outside a cooldown
 * `wait += 1`, and at `wait >= patience` the rate becomes `max(rate * factor, minLr)` (when it
 * is above `minLr`) and a cooldown of `cooldown` epochs starts.
 * PyTorch: an improvement is `value < best * (1 - minDelta)`; bad epochs are counted and zeroed
 * during a cooldown, and at `bad > patience` the rate becomes `max(rate * factor, minLr)` if that
 * lowers it by more than 1e-8.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.2, callbacks: [reduceLROnPlateau({ factor: 0.2, patience: 5 })] });
 * ```
 */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  const name = 'reduceLROnPlateau';
  checkKnownOptions(name, options, ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr', 'convention', 'verbose']);
  const monitor = checkMonitor(name, options.monitor);
  const factor = options.factor ?? 0.1;
  if (typeof factor !== 'number' || !(factor > 0 && factor < 1)) throw new ModelError(`${name}: factor must be a number in (0, 1) (the rate is multiplied by it), got ${showValue(factor)}`);
  const patience = count(name, 'patience', options.patience ?? 10);
  const cooldown = count(name, 'cooldown', options.cooldown ?? 0);
  const minDelta = nonNegative(name, 'minDelta', options.minDelta ?? 1e-4);
  const minLr = nonNegative(name, 'minLr', options.minLr ?? 0);
  const mode = checkMode(name, options.mode, monitor);
  const convention = options.convention ?? 'keras';
  if (convention !== 'keras' && convention !== 'pytorch') throw new ModelError(`${name}: convention must be 'keras' or 'pytorch', got ${typeof convention === 'string' ? JSON.stringify(convention) : showValue(convention)}`);
  const verbose = options.verbose ?? 0;
  if (verbose !== 0 && verbose !== 1) throw new ModelError(`${name}: verbose must be 0 or 1, got ${showValue(verbose)}`);
  const improves = (value: number, best: number | undefined): boolean => {
    if (best === undefined) return true;
    if (convention === 'keras') return mode === 'min' ? value + minDelta < best : value - minDelta > best;
    return mode === 'min' ? value < best * (1 - minDelta) : value > best * (1 + minDelta);
  };
  let best: number | undefined;
  let wait = 0;
  let cooling = 0;
  let reductions: { epoch: number; learningRate: number }[] = [];
  const reduce = (optimizer: ModelOptimizer, epoch: number): boolean => {
    const old = optimizer.learningRate;
    const next = Math.max(old * factor, minLr);
    if (convention === 'keras' ? !(old > minLr) : !(old - next > 1e-8)) return false;
    optimizer.learningRate = next;
    reductions.push({ epoch, learningRate: next });
    if (verbose === 1) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
    return true;
  };
  return {
    reductions: () => reductions,
    onTrainBegin(model) {
      settableOptimizer(name, model);
      best = undefined;
      wait = 0;
      cooling = 0;
      reductions = [];
    },
    onEpochEnd(epoch, logs, model) {
      const value = logs[monitor];
      if (value === undefined) throw new ModelError(`${name}: the logs have no '${monitor}' (they have ${Object.keys(logs).join(', ')}); validation logs need validationSplit or validationData`);
      const optimizer = settableOptimizer(name, model);
      if (convention === 'keras') {
        if (cooling > 0) {
          cooling--;
          wait = 0;
        }
        if (improves(value, best)) {
          best = value;
          wait = 0;
        } else if (cooling === 0 && ++wait >= patience && reduce(optimizer, epoch)) {
          cooling = cooldown;
          wait = 0;
        }
        return;
      }
      if (improves(value, best)) {
        best = value;
        wait = 0;
      } else {
        wait++;
      }
      if (cooling > 0) {
        cooling--;
        wait = 0;
      }
      if (wait > patience) {
        reduce(optimizer, epoch);
        cooling = cooldown;
        wait = 0;
      }
    },
  };
}

/**
 * Options of `learningRateScheduler`.
 * @example
 * ```ts
 * learningRateScheduler({ schedule: (epoch, lr) => (epoch > 0 && epoch % 30 === 0 ? lr * 0.1 : lr) });
 * ```
 */
export interface LearningRateSchedulerOptions {
  /** The rate of epoch `epoch` (0-based) from the current one; it must return a finite number > 0. */
  readonly schedule: (epoch: number, learningRate: number) => number;
  /** 1: print the rate set at the start of each epoch (default 0). */
  readonly verbose?: 0 | 1;
}

/**
 * Sets the learning rate at the start of every epoch from a function of the epoch and the
 * current rate, as Keras' `LearningRateScheduler`. PyTorch's schedulers stepped once per epoch
 * are functions of this kind: `StepLR(step_size=30, gamma=0.1)` is
 * `(epoch, lr) => (epoch > 0 && epoch % 30 === 0 ? lr * 0.1 : lr)`, `ExponentialLR(gamma)` is
 * `(epoch, lr) => (epoch > 0 ? lr * gamma : lr)`.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 90, callbacks: [learningRateScheduler({ schedule: (epoch) => 0.1 * 0.1 ** Math.floor(epoch / 30) })] });
 * ```
 */
export function learningRateScheduler(options: LearningRateSchedulerOptions): Callback {
  const name = 'learningRateScheduler';
  checkKnownOptions(name, options, ['schedule', 'verbose']);
  const { schedule } = options;
  if (typeof schedule !== 'function') throw new ModelError(`${name}: schedule must be a function (epoch, learningRate) => learningRate, got ${schedule === null ? 'null' : typeof schedule}`);
  const verbose = options.verbose ?? 0;
  if (verbose !== 0 && verbose !== 1) throw new ModelError(`${name}: verbose must be 0 or 1, got ${showValue(verbose)}`);
  return {
    onTrainBegin(model) {
      settableOptimizer(name, model);
    },
    onEpochBegin(epoch, model) {
      const optimizer = settableOptimizer(name, model);
      const rate: unknown = schedule(epoch, optimizer.learningRate);
      if (typeof rate !== 'number' || !(rate > 0 && Number.isFinite(rate))) throw new ModelError(`${name}: the schedule gave ${showValue(rate)} for epoch ${epoch}; a learning rate is a finite number > 0`);
      optimizer.learningRate = rate;
      if (verbose === 1) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${rate}.`);
    },
  };
}

/** The model's optimizer, whose rate is a number (not a schedule), else a `ModelError`. */
function settableOptimizer(what: string, model: TrainingModel): ModelOptimizer {
  const optimizer = model.optimizer;
  if (optimizer === undefined) throw new ModelError(`${what}: this model has no optimizer to adjust (compile it first)`);
  if (optimizer.schedule !== undefined) {
    throw new ModelError(`${what}: the optimizer's learning rate follows a schedule (${optimizer.schedule.config.name}); give the optimizer a number as its learningRate to let ${what} change it`);
  }
  return optimizer;
}

function count(what: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ModelError(`${what}: ${name} must be an integer >= 0, got ${showValue(value)}`);
  return value;
}

function nonNegative(what: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && Number.isFinite(value))) throw new ModelError(`${what}: ${name} must be a finite number >= 0, got ${showValue(value)}`);
  return value;
}
