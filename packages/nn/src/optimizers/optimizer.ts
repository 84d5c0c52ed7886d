/**
 * What every optimizer shares. An optimizer is its config plus an update rule; the state it
 * keeps between steps (step count, moments, velocities) lives in an `OptimizerState` owned by
 * the model, so it can be saved with the weights and training resumed exactly.
 * @module
 */
import { allocate, type DType, type TypedArray } from '@stablegrad/core';
import { ModelError } from '../errors.js';

/**
 * The optimizer names, as saved in model files.
 * @example
 * ```ts
 * model.compile({ loss: 'binaryCrossentropy', optimizer: 'sgd' });
 * ```
 */
export type OptimizerName = 'sgd' | 'adam';

/**
 * An optimizer's settings, as saved in model files.
 * @example
 * ```ts
 * adam().config; // { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
 * ```
 */
export type OptimizerConfig =
  | { readonly name: 'sgd'; readonly learningRate: number; readonly momentum: number; readonly nesterov: boolean }
  | { readonly name: 'adam'; readonly learningRate: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number };

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
 * What a slot of the optimizer state may hold, checked when a model file is loaded: any finite
 * value (`real`, e.g. Adam's first moment `m`), or finite values >= 0 (`nonNegative`, e.g.
 * Adam's second moment `v`, whose square root the update takes).
 * @example
 * ```ts
 * const slots: { [slot: string]: SlotKind } = { m: 'real', v: 'nonNegative' };
 * ```
 */
export type SlotKind = 'real' | 'nonNegative';

/**
 * The state an optimizer keeps between steps: the number of steps taken and, per slot name
 * (`m`, `v`, `velocity`), one array per parameter, in the parameter's dtype.
 * @example
 * ```ts
 * model.optimizerState?.iterations; // steps taken so far
 * ```
 */
export interface OptimizerState {
  iterations: number;
  readonly slots: { readonly [slot: string]: TypedArray[] };
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
  /** Zeroed state for parameters of these sizes and dtypes. */
  createState(params: readonly { readonly size: number; readonly dtype: DType }[]): OptimizerState;
  /** One update of every parameter, in place; values are rounded to the parameter's dtype. */
  step(state: OptimizerState, values: readonly TypedArray[], gradients: readonly TypedArray[]): void;
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
    throw new ModelError(`${optimizer}: ${name} must be a number in ${range}, got ${String(value)}`);
  }
  return value;
}
