/**
 * What the library optimizers share, as Keras' base `Optimizer` and PyTorch's `Optimizer` do:
 * the common options (learning rate or schedule, convention, weight decay, gradient clipping)
 * and one `step` that clips the gradients, applies the weight decay, runs the optimizer's own
 * update on each parameter and counts the step. An optimizer file then holds only its options
 * and its update, in both conventions.
 * @module
 */
import { type DType, type TypedArray } from '@stablegrad/core';
import { ModelError } from '../errors.js';
import { showValue } from '../names.js';
import { libraryOptimizer } from './library.js';
import { checkInRange, type CommonConfig, type Convention, type Optimizer, type OptimizerConfig, type OptimizerState, type SlotKind } from './optimizer.js';
import { type LearningRateSchedule, type LearningRateScheduleConfig, resolveSchedule } from './schedules.js';

/**
 * A learning rate as an optimizer option: a finite number > 0, a schedule made by
 * `exponentialDecay`, `piecewiseConstant` or `cosineDecay`, or such a schedule's saved config.
 * @example
 * ```ts
 * const rate: LearningRate = cosineDecay({ initialLearningRate: 0.1, decaySteps: 1000 });
 * ```
 */
export type LearningRate = number | LearningRateSchedule | LearningRateScheduleConfig;

/**
 * The options every library optimizer takes besides its own.
 * @example
 * ```ts
 * adam({ learningRate: 3e-4, convention: 'pytorch', weightDecay: 1e-4, globalClipNorm: 1 });
 * ```
 */
export interface CommonOptions {
  /**
   * Whose formulas and defaults: `keras` (default) or `pytorch` (see `Convention` and each
   * optimizer's documentation).
   */
  readonly convention?: Convention;
  /**
   * A finite number > 0 (the default depends on the optimizer and the convention), or a
   * schedule (`exponentialDecay`, `piecewiseConstant`, `cosineDecay`) evaluated at the step count.
   */
  readonly learningRate?: LearningRate;
  /**
   * Weight decay, finite and >= 0 (default 0; `adamW`: 0.004 Keras, 0.01 PyTorch). Keras
   * convention: decoupled, `w -= w * weightDecay * lr` before the update (Keras' `weight_decay`
   * on every optimizer). PyTorch convention: an L2 term `g += weightDecay * w` (`torch.optim`'s
   * `weight_decay`), except `adamW`, which decouples it as `w *= 1 - lr * weightDecay`.
   */
  readonly weightDecay?: number;
  /**
   * Clip each weight's gradient to this L2 norm (finite, > 0). Keras: `g * c / max(||g||, c)`;
   * PyTorch (`clip_grad_norm_` on each weight alone): `g * min(1, c / (||g|| + 1e-6))`.
   */
  readonly clipNorm?: number | null;
  /**
   * Clip all gradients together to this global L2 norm (finite, > 0), Keras' `global_clipnorm`:
   * `g * c * min(1 / N, 1 / c)` with `N` the norm of all gradients; PyTorch's
   * `torch.nn.utils.clip_grad_norm_(params, c)`: `g * min(1, c / (N + 1e-6))`.
   */
  readonly globalClipNorm?: number | null;
  /** Clip each gradient element to [-v, v] (finite, > 0), Keras' `clipvalue`, PyTorch's `clip_grad_value_`. */
  readonly clipValue?: number | null;
}

/** The keys of `CommonOptions`, for `checkKnownOptions`. */
export const COMMON_OPTIONS = ['convention', 'learningRate', 'weightDecay', 'clipNorm', 'globalClipNorm', 'clipValue'] as const;

/** Common options, checked, with their defaults. */
export interface Common {
  readonly config: CommonConfig;
  readonly convention: Convention;
  readonly schedule: LearningRateSchedule | undefined;
  /** The rate a new state starts with (unused under a schedule). */
  readonly learningRate: number;
  readonly weightDecay: number;
}

/**
 * Reads and checks the common options; `defaults` are the optimizer's learning rate and weight
 * decay in each convention.
 */
export function readCommon(
  name: string, options: CommonOptions, defaults: { readonly learningRate: { readonly [c in Convention]: number }; readonly weightDecay?: { readonly [c in Convention]: number } },
): Common {
  const convention = options.convention ?? 'keras';
  if (convention !== 'keras' && convention !== 'pytorch') throw new ModelError(`${name}: convention must be 'keras' or 'pytorch', got ${typeof convention === 'string' ? JSON.stringify(convention) : showValue(convention)}`);
  const given = options.learningRate ?? defaults.learningRate[convention];
  const schedule = typeof given === 'object' && given !== null ? resolveSchedule(given, `${name}: learningRate`) : undefined;
  const learningRate = schedule === undefined ? checkLearningRate(name, given) : NaN;
  const weightDecay = checkInRange(name, 'weightDecay', options.weightDecay ?? defaults.weightDecay?.[convention] ?? 0, 0, Infinity, '[0, Infinity)');
  const clip = (key: 'clipNorm' | 'globalClipNorm' | 'clipValue'): number | null => {
    const value = options[key];
    return value === undefined || value === null ? null : checkInRange(name, key, value, Number.MIN_VALUE, Infinity, '(0, Infinity)');
  };
  const clipNorm = clip('clipNorm');
  const globalClipNorm = clip('globalClipNorm');
  const clipValue = clip('clipValue');
  const set = [['clipNorm', clipNorm], ['globalClipNorm', globalClipNorm], ['clipValue', clipValue]].filter(([, v]) => v !== null);
  if (set.length > 1) throw new ModelError(`${name}: only one of clipNorm, globalClipNorm and clipValue can be set (as in Keras), got ${set.map(([k, v]) => `${k} ${v}`).join(' and ')}`);
  return {
    config: { convention, learningRate: schedule === undefined ? learningRate : schedule.config, weightDecay, clipNorm, globalClipNorm, clipValue },
    convention,
    schedule,
    learningRate,
    weightDecay,
  };
}

/**
 * A learning rate given as a number: finite and > 0, else a `ModelError` naming it.
 * @example
 * ```ts
 * checkLearningRate('sgd', 0.1); // 0.1
 * ```
 */
export function checkLearningRate(name: string, value: unknown): number {
  return checkInRange(name, 'learningRate', value, Number.MIN_VALUE, Infinity, '(0, Infinity)');
}

/** What an optimizer's update sees at one step. */
export interface StepContext {
  /** The learning rate of this step. */
  readonly lr: number;
  /** This step's number, from 1 (Adam's bias corrections use it). */
  readonly t: number;
  /** The state's scalars (Nadam's `muProduct`), to read and update once per step. */
  readonly scalars: { [name: string]: number };
}

/** One parameter's update: its values (updated in place), its gradient and its slot arrays. */
export type ParamUpdate = (w: TypedArray, g: ArrayLike<number>, slots: { readonly [slot: string]: TypedArray }) => void;

/** The definition of a library optimizer. */
export interface OptimizerDefinition {
  readonly common: Common;
  /** Its config, the common settings included. */
  readonly config: OptimizerConfig;
  /** Its slots: what each may hold, and the value it starts at (default 0). */
  readonly slots: { readonly [slot: string]: { readonly kind: SlotKind; readonly initial?: number } };
  /** Its scalars and their starting values. */
  readonly scalars?: { readonly [name: string]: { readonly kind: SlotKind; readonly initial: number } };
  /** Weight decay decoupled from the gradient (Keras' optimizers, both AdamWs) rather than an L2 term. */
  readonly decoupledWeightDecay: boolean;
  /** Once per step: the per-step numbers, then the update of each parameter. */
  prepare(context: StepContext): ParamUpdate;
}

/**
 * A library optimizer from its definition: the state, the step (clip, decay, update, count)
 * and the learning rate.
 * @example
 * ```ts
 * return defineOptimizer({ common, config, slots: { velocity: { kind: 'real' } }, decoupledWeightDecay: true, prepare: ({ lr }) => (w, g, { velocity }) => { ... } });
 * ```
 */
export function defineOptimizer(definition: OptimizerDefinition): Optimizer {
  const { common, slots, scalars = {} } = definition;
  const slotNames = Object.keys(slots);
  const learningRateOf = (state: OptimizerState): number => common.schedule?.at(state.iterations) ?? state.learningRate ?? common.learningRate;
  const optimizer: Optimizer = {
    config: definition.config,
    slotKinds: Object.fromEntries(slotNames.map((s) => [s, slots[s]!.kind])),
    scalarKinds: Object.fromEntries(Object.entries(scalars).map(([s, d]) => [s, d.kind])),
    ...(common.schedule === undefined ? {} : { schedule: common.schedule }),
    createState(params: readonly { readonly size: number; readonly dtype: DType }[]): OptimizerState {
      const state: OptimizerState = {
        iterations: 0,
        slots: Object.fromEntries(slotNames.map((s) => [s, params.map(({ size, dtype }) => filled(dtype, size, slots[s]!.initial ?? 0))])),
        scalars: Object.fromEntries(Object.entries(scalars).map(([s, d]) => [s, d.initial])),
      };
      if (common.schedule === undefined) state.learningRate = common.learningRate;
      return state;
    },
    step(state, values, gradients) {
      const lr = learningRateOf(state);
      const clipped = clipGradients(gradients, common.config, common.convention);
      const update = definition.prepare({ lr, t: state.iterations + 1, scalars: state.scalars ?? {} });
      const { weightDecay } = common;
      values.forEach((w, p) => {
        let g = clipped[p]!;
        if (weightDecay > 0 && definition.decoupledWeightDecay) {
          if (common.convention === 'keras') for (let i = 0; i < w.length; i++) w[i] = w[i]! - w[i]! * weightDecay * lr;
          else for (let i = 0; i < w.length; i++) w[i] = w[i]! * (1 - lr * weightDecay);
        } else if (weightDecay > 0) {
          const l2 = new Float64Array(w.length);
          for (let i = 0; i < w.length; i++) l2[i] = g[i]! + weightDecay * w[i]!;
          g = l2;
        }
        update(w, g, Object.fromEntries(slotNames.map((s) => [s, state.slots[s]![p]!])));
      });
      state.iterations++;
    },
    learningRate: learningRateOf,
  };
  return libraryOptimizer(optimizer);
}

function filled(dtype: DType, size: number, value: number): TypedArray {
  const out = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  return value === 0 ? out : out.fill(value);
}

/**
 * The gradients after the clipping the config asks for (copies; the arrays given are never
 * changed), by Keras' or PyTorch's formulas.
 * @example
 * ```ts
 * clipGradients([Float64Array.of(3, 4)], { clipNorm: null, globalClipNorm: 1, clipValue: null }, 'keras'); // [[0.6, 0.8]]
 * ```
 */
export function clipGradients(
  gradients: readonly ArrayLike<number>[], clip: Pick<CommonConfig, 'clipNorm' | 'globalClipNorm' | 'clipValue'>, convention: Convention,
): readonly ArrayLike<number>[] {
  const sumOfSquares = (g: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
    return s;
  };
  const scaled = (g: ArrayLike<number>, f: (x: number) => number): Float64Array => Float64Array.from(g as ArrayLike<number>, f);
  const { clipNorm: c, globalClipNorm: gc, clipValue: v } = clip;
  if (c !== null) {
    return gradients.map((g) => {
      const norm = Math.sqrt(sumOfSquares(g));
      // Keras: g * c / max(||g||, c). PyTorch: g * clamp(c / (||g|| + 1e-6), max 1).
      if (convention === 'keras') return scaled(g, (x) => (x * c) / Math.max(norm, c));
      const coefficient = Math.min(c / (norm + 1e-6), 1);
      return scaled(g, (x) => x * coefficient);
    });
  }
  if (gc !== null) {
    // Keras' global_norm sums the squares of all tensors; PyTorch takes the norm of the norms.
    const total = convention === 'keras'
      ? Math.sqrt(gradients.reduce((s, g) => s + sumOfSquares(g), 0))
      : Math.sqrt(gradients.reduce((s, g) => s + Math.sqrt(sumOfSquares(g)) ** 2, 0));
    const scale = convention === 'keras' ? gc * Math.min(1 / total, 1 / gc) + (total - total) : Math.min(gc / (total + 1e-6), 1);
    return gradients.map((g) => scaled(g, (x) => x * scale));
  }
  if (v !== null) return gradients.map((g) => scaled(g, (x) => Math.min(Math.max(x, -v), v)));
  return gradients;
}
