/**
 * What every optimizer shares. An optimizer is its config plus an update rule; the state it
 * keeps between steps (step count, moments, velocities) lives in an `OptimizerState` owned by
 * the model, so it can be saved with the weights and training resumed exactly.
 * @module
 */
import { allocate, type DType, type Tensor, type TypedArray } from '@stablegrad/core';
import { ModelError } from '../errors.js';
import type { LearningRateSchedule, LearningRateScheduleConfig } from './schedules.js';
import { showValue } from '../names.js';

/**
 * The optimizer names, as saved in model files.
 * @example
 * ```ts
 * model.compile({ loss: 'binaryCrossentropy', optimizer: 'rmsprop' });
 * ```
 */
export type OptimizerName = 'sgd' | 'adam' | 'adamW' | 'rmsprop' | 'adagrad' | 'nadam';

/**
 * Whose formulas an optimizer follows. `keras` (the default): Keras 3's update rules and
 * defaults, with `weightDecay` decoupled (`w -= lr * weightDecay * w` before the update) and
 * Keras' clipping. `pytorch`: `torch.optim`'s rules and defaults, with `weightDecay` an L2 term
 * added to the gradient (`g += weightDecay * w`; `adamW` decouples it, as `torch.optim.AdamW`)
 * and `torch.nn.utils.clip_grad_norm_`'s clipping. They differ in where epsilon goes (Adam),
 * whether a momentum buffer holds the learning rate (SGD, RMSprop), and their defaults; each
 * optimizer's documentation gives both formulas.
 * @example
 * ```ts
 * adam({ convention: 'pytorch' }); // torch.optim.Adam(lr=1e-3, eps=1e-8)
 * ```
 */
export type Convention = 'keras' | 'pytorch';

/**
 * The settings every library optimizer has, as saved in model files.
 * @example
 * ```ts
 * sgd().config; // { name: 'sgd', convention: 'keras', learningRate: 0.01, momentum: 0, nesterov: false, weightDecay: 0, clipNorm: null, globalClipNorm: null, clipValue: null }
 * ```
 */
export interface CommonConfig {
  readonly convention: Convention;
  /** A number, or a schedule's config. */
  readonly learningRate: number | LearningRateScheduleConfig;
  readonly weightDecay: number;
  readonly clipNorm: number | null;
  readonly globalClipNorm: number | null;
  readonly clipValue: number | null;
}

/**
 * A library optimizer's settings, as saved in model files: its name, the common settings and
 * its own (the options of `sgd`, `adam`, ... with every default filled in).
 * @example
 * ```ts
 * adam().config; // { name: 'adam', convention: 'keras', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0, ... }
 * ```
 */
export type OptimizerConfig =
  | (CommonConfig & { readonly name: 'sgd'; readonly momentum: number; readonly nesterov: boolean; readonly dampening?: number })
  | (CommonConfig & { readonly name: 'adam' | 'adamW'; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly amsgrad: boolean })
  | (CommonConfig & { readonly name: 'rmsprop'; readonly rho: number; readonly momentum: number; readonly epsilon: number; readonly centered: boolean })
  | (CommonConfig & { readonly name: 'adagrad'; readonly initialAccumulatorValue: number; readonly epsilon: number; readonly learningRateDecay?: number })
  | (CommonConfig & { readonly name: 'nadam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly momentumDecay?: number });

/**
 * The config of an optimizer registered with `registerOptimizer`: its registered name and its
 * settings as plain JSON data (numbers, strings, booleans, arrays, objects), which the
 * registered factory turns back into the optimizer when a model file is loaded.
 * @example
 * ```ts
 * const config: CustomOptimizerConfig = { name: 'clippedSgd', learningRate: 0.1, clip: 1 };
 * ```
 */
export interface CustomOptimizerConfig {
  readonly name: string;
  readonly [setting: string]: unknown;
}

/**
 * What a slot (or scalar) of the optimizer state may hold, checked when a model file is
 * loaded: any finite value (`real`, e.g. Adam's first moment `m`), finite values >= 0
 * (`nonNegative`, e.g. Adam's second moment `v`, whose square root the update takes), or
 * values in [0, 1] (`unitInterval`, e.g. Nadam's product of momentum factors `muProduct`).
 * @example
 * ```ts
 * const slots: { [slot: string]: SlotKind } = { m: 'real', v: 'nonNegative' };
 * ```
 */
export type SlotKind = 'real' | 'nonNegative' | 'unitInterval';

/**
 * The state an optimizer keeps between steps: the number of steps taken, the learning rate of
 * the next step when it is a number (not a schedule), and per slot name (`m`, `v`, `velocity`)
 * one array per parameter, in the parameter's dtype; some optimizers keep scalars too (Nadam's
 * `muProduct`). All of it is saved with the model.
 * @example
 * ```ts
 * model.compiled?.state.iterations;   // steps taken so far
 * model.compiled?.state.learningRate; // 0.001, or undefined under a schedule
 * ```
 */
export interface OptimizerState {
  iterations: number;
  /**
   * The learning rate of the next step, when it is a number: the optimizer's, until
   * `model.optimizer.learningRate = x` or a callback (`reduceLROnPlateau`) changes it. Absent
   * when the rate follows a schedule. Custom optimizers may read it too.
   */
  learningRate?: number;
  readonly slots: { readonly [slot: string]: TypedArray[] };
  /** Numbers kept between steps besides the step count (Nadam's `muProduct`). */
  readonly scalars?: { [name: string]: number };
}

/**
 * An optimizer: `step` updates every parameter in place from its gradient.
 * @example
 * ```ts
 * const optimizer = adam({ learningRate: 0.01 });
 * const state = optimizer.createState([{ size: 4, dtype: 'float32' }]);
 * optimizer.step(state, [weights.data], [gradient.data]);
 * ```
 */
export interface Optimizer {
  /** The settings that rebuild it: a library config, or a registered optimizer's (see `registerOptimizer`). */
  readonly config: OptimizerConfig | CustomOptimizerConfig;
  /**
   * The slots its state keeps and what each may hold; a loaded file's state is checked against
   * it (the library optimizers give it; without it, slots are only checked to be finite).
   */
  readonly slotKinds?: { readonly [slot: string]: SlotKind };
  /** The scalars its state keeps (`OptimizerState.scalars`) and what each may hold. */
  readonly scalarKinds?: { readonly [name: string]: SlotKind };
  /** The schedule its learning rate follows, if any (then the rate cannot be set). */
  readonly schedule?: LearningRateSchedule;
  /** Zeroed state for parameters of these sizes and dtypes. */
  createState(params: readonly { readonly size: number; readonly dtype: DType }[]): OptimizerState;
  /** One update of every parameter, in place; values are rounded to the parameter's dtype. */
  step(state: OptimizerState, values: readonly TypedArray[], gradients: readonly ArrayLike<number>[]): void;
  /** The learning rate the next step will use (the library optimizers give it). */
  learningRate?(state: OptimizerState): number;
}

/**
 * The optimizer of a compiled model, bound to its weights and state (`model.optimizer`): read
 * or set the learning rate, and apply gradients yourself, as Keras 3's `optimizer.apply(grads)`
 * and PyTorch's `optimizer.step()`.
 * @example
 * ```ts
 * const { loss, gradients } = model.computeGradients(xBatch, yBatch);
 * model.optimizer.apply(gradients);
 * model.optimizer.learningRate *= 0.5;
 * ```
 */
export interface ModelOptimizer {
  /** The optimizer's settings (its initial learning rate included). */
  readonly config: OptimizerConfig | CustomOptimizerConfig;
  /** Steps taken (the step count schedules and bias corrections use). */
  readonly iterations: number;
  /**
   * The learning rate of the next step. Setting it (a finite number > 0) changes the rate of
   * the steps that follow, and is saved with the model; under a schedule it is a `ModelError`,
   * as in Keras.
   */
  learningRate: number;
  /** The schedule the learning rate follows, or undefined when it is a number. */
  readonly schedule: LearningRateSchedule | undefined;
  /**
   * One update of every weight from these gradients (one per weight, in `getWeights()` order,
   * each of the weight's shape and dtype), counted as a step. Wrong counts, shapes or dtypes
   * are a `ModelError`; a gradient that is not finite is a `TrainingError` and changes nothing.
   */
  apply(gradients: readonly (Tensor | TypedArray)[]): void;
}

/**
 * Zeroed slots: one array per parameter for each slot name.
 * @example
 * ```ts
 * zeroSlots(['m', 'v'], [{ size: 3, dtype: 'float32' }]); // { m: [Float32Array(3)], v: [Float32Array(3)] }
 * ```
 */
export function zeroSlots(names: readonly string[], params: readonly { readonly size: number; readonly dtype: DType }[]): { [slot: string]: TypedArray[] } {
  return Object.fromEntries(names.map((name) => [name, params.map(({ size, dtype }) => allocate(dtype, size))]));
}

/**
 * Checks that a hyperparameter is a finite number in a range, else a `ModelError` naming it.
 * @example
 * ```ts
 * checkInRange('adam', 'beta1', 0.9, 0, 1, '[0, 1)'); // fine
 * ```
 */
export function checkInRange(optimizer: string, name: string, value: unknown, lo: number, hi: number, range: string, includeHi = false): number {
  if (typeof value !== 'number' || !(value >= lo && (includeHi ? value <= hi : value < hi))) {
    throw new ModelError(`${optimizer}: ${name} must be a number in ${range}, got ${showValue(value)}`);
  }
  return value;
}
