/**
 * Learning-rate schedules, Keras' `keras.optimizers.schedules`: a function of the optimizer's
 * step count, passed as an optimizer's `learningRate`. The step is the number of updates taken
 * before this one (the first update uses `at(0)`), as Keras evaluates `schedule(iterations)`; it
 * is saved with the model as the optimizer's step count, so a loaded model goes on with the
 * same rates. A schedule is plain data (`config`), saved in the model file and rebuilt on load.
 *
 * PyTorch's schedulers (`StepLR`, `ExponentialLR`, `MultiStepLR`, `CosineAnnealingLR`) are
 * usually stepped once per epoch; the same rates come from these schedules counted in steps
 * (`decaySteps: stepsPerEpoch`, `staircase: true`), or exactly per epoch from the
 * `learningRateScheduler` callback.
 * @module
 */
import { ModelError } from '../errors.js';
import { checkKnownOptions, showValue } from '../names.js';

/**
 * A schedule's settings, as saved in model files.
 * @example
 * ```ts
 * exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 }).config;
 * // { name: 'exponentialDecay', initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5, staircase: false }
 * ```
 */
export type LearningRateScheduleConfig =
  | { readonly name: 'exponentialDecay'; readonly initialLearningRate: number; readonly decaySteps: number; readonly decayRate: number; readonly staircase: boolean }
  | { readonly name: 'piecewiseConstant'; readonly boundaries: readonly number[]; readonly values: readonly number[] }
  | {
    readonly name: 'cosineDecay'; readonly initialLearningRate: number; readonly decaySteps: number; readonly alpha: number;
    readonly warmupTarget: number | null; readonly warmupSteps: number;
  };

/**
 * A learning-rate schedule: the rate of the update that follows `step` updates.
 * @example
 * ```ts
 * const schedule = cosineDecay({ initialLearningRate: 0.1, decaySteps: 1000 });
 * schedule.at(0);    // 0.1
 * schedule.at(500);  // 0.05
 * adam({ learningRate: schedule });
 * ```
 */
export interface LearningRateSchedule {
  readonly config: LearningRateScheduleConfig;
  /** The learning rate of the update taken after `step` updates (0-based). */
  at(step: number): number;
}

const LIBRARY_SCHEDULES = new WeakSet<LearningRateSchedule>();

function librarySchedule(schedule: LearningRateSchedule): LearningRateSchedule {
  LIBRARY_SCHEDULES.add(schedule);
  return schedule;
}

/**
 * Options of `exponentialDecay`, Keras' names.
 * @example
 * ```ts
 * exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96, staircase: true });
 * ```
 */
export interface ExponentialDecayOptions {
  /** The rate at step 0, finite and >= 0. */
  readonly initialLearningRate: number;
  /** Steps over which the rate is multiplied by `decayRate`: an integer >= 1. */
  readonly decaySteps: number;
  /** The factor per `decaySteps`, finite and > 0. */
  readonly decayRate: number;
  /** Decay at whole multiples of `decaySteps` only (default false: continuously). */
  readonly staircase?: boolean;
}

/**
 * Exponential decay, Keras' `ExponentialDecay`:
 * `lr(step) = initialLearningRate * decayRate ^ (step / decaySteps)`, the exponent floored with
 * `staircase` (then it is PyTorch's `StepLR(step_size=decaySteps, gamma=decayRate)` counted in
 * steps, and `ExponentialLR(gamma)` stepped per epoch with `decaySteps` = steps per epoch).
 * @example
 * ```ts
 * const schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
 * schedule.at(9);  // 0.1
 * schedule.at(10); // 0.05
 * model.compile({ loss: 'meanSquaredError', optimizer: sgd({ learningRate: schedule }) });
 * ```
 */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  checkKnownOptions('exponentialDecay', options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
  const initialLearningRate = rate('exponentialDecay', 'initialLearningRate', options.initialLearningRate);
  const decaySteps = steps('exponentialDecay', 'decaySteps', options.decaySteps, 1);
  const decayRate = options.decayRate;
  if (typeof decayRate !== 'number' || !(decayRate > 0 && Number.isFinite(decayRate))) throw new ModelError(`exponentialDecay: decayRate must be a finite number > 0, got ${showValue(decayRate)}`);
  const staircase = options.staircase ?? false;
  if (typeof staircase !== 'boolean') throw new ModelError(`exponentialDecay: staircase must be true or false, got ${showValue(staircase)}`);
  return librarySchedule({
    config: { name: 'exponentialDecay', initialLearningRate, decaySteps, decayRate, staircase },
    at(step) {
      const p = step / decaySteps;
      return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p);
    },
  });
}

/**
 * Options of `piecewiseConstant` (Keras' `PiecewiseConstantDecay`).
 * @example
 * ```ts
 * piecewiseConstant({ boundaries: [1000, 2000], values: [0.1, 0.01, 0.001] });
 * ```
 */
export interface PiecewiseConstantOptions {
  /** Step counts, strictly increasing finite numbers. */
  readonly boundaries: readonly number[];
  /** One rate more than there are boundaries, each finite and >= 0. */
  readonly values: readonly number[];
}

/**
 * A piecewise constant rate, Keras' `PiecewiseConstantDecay`: `values[0]` while
 * `step <= boundaries[0]`, `values[i]` while `boundaries[i-1] < step <= boundaries[i]`, and the
 * last value after the last boundary. (PyTorch's `MultiStepLR(milestones, gamma)` stepped per
 * step is `boundaries = milestones - 1`: its rate changes at the milestone itself.)
 * @example
 * ```ts
 * const schedule = piecewiseConstant({ boundaries: [100], values: [0.1, 0.01] });
 * schedule.at(100); // 0.1
 * schedule.at(101); // 0.01
 * ```
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): LearningRateSchedule {
  checkKnownOptions('piecewiseConstant', options, ['boundaries', 'values']);
  const { boundaries, values } = options;
  if (!Array.isArray(boundaries) || !boundaries.every((b) => typeof b === 'number' && Number.isFinite(b))) {
    throw new ModelError(`piecewiseConstant: boundaries must be an array of finite numbers, got ${describe(boundaries)}`);
  }
  const unordered = boundaries.findIndex((b, i) => i > 0 && !(b > boundaries[i - 1]!));
  if (unordered > 0) throw new ModelError(`piecewiseConstant: boundaries must be strictly increasing, but boundaries[${unordered}] = ${boundaries[unordered]} follows ${boundaries[unordered - 1]}`);
  if (!Array.isArray(values) || values.length !== boundaries.length + 1) {
    throw new ModelError(`piecewiseConstant: values must be an array of ${boundaries.length + 1} rates (one more than the boundaries), got ${Array.isArray(values) ? `${values.length}` : describe(values)}`);
  }
  values.forEach((v: unknown, i) => rate('piecewiseConstant', `values[${i}]`, v));
  const b = [...boundaries];
  const v = [...values];
  return librarySchedule({
    config: { name: 'piecewiseConstant', boundaries: b, values: v },
    at(step) {
      const i = b.findIndex((boundary) => step <= boundary);
      return v[i < 0 ? b.length : i]!;
    },
  });
}

/**
 * Options of `cosineDecay`, Keras' names.
 * @example
 * ```ts
 * cosineDecay({ initialLearningRate: 0, warmupTarget: 0.1, warmupSteps: 100, decaySteps: 900, alpha: 0.01 });
 * ```
 */
export interface CosineDecayOptions {
  /** The rate at step 0 (the start of the warm-up, if any), finite and >= 0. */
  readonly initialLearningRate: number;
  /** Steps of the cosine decay (after the warm-up): an integer >= 1. */
  readonly decaySteps: number;
  /** The last rate, as a fraction of the decay's starting rate, in [0, 1]; default 0. */
  readonly alpha?: number;
  /** The rate the warm-up climbs to, finite and >= 0 (default none: no warm-up). */
  readonly warmupTarget?: number | null;
  /** Steps of the linear warm-up, an integer >= 0 (default 0); needs `warmupTarget`. */
  readonly warmupSteps?: number;
}

/**
 * Cosine decay with an optional linear warm-up, Keras' `CosineDecay`. With `warmupTarget`,
 * for `step < warmupSteps`: `lr = initialLearningRate + (warmupTarget - initialLearningRate) * step / warmupSteps`;
 * then, with `s = min(step - warmupSteps, decaySteps)` and `lr0` the warm-up target (or
 * `initialLearningRate` without warm-up): `lr = lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi s / decaySteps)) + alpha)`,
 * constant at `lr0 * alpha` after the decay. (PyTorch's `CosineAnnealingLR(T_max, eta_min)`
 * stepped per step is `decaySteps: T_max, alpha: eta_min / lr` until `T_max`; past it PyTorch's
 * rate climbs again, Keras' stays at the floor.)
 * @example
 * ```ts
 * const schedule = cosineDecay({ initialLearningRate: 0, warmupTarget: 0.1, warmupSteps: 10, decaySteps: 90 });
 * schedule.at(5);   // 0.05, warming up
 * schedule.at(10);  // 0.1, the top
 * schedule.at(100); // 0, the end
 * ```
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  checkKnownOptions('cosineDecay', options, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps']);
  const initialLearningRate = rate('cosineDecay', 'initialLearningRate', options.initialLearningRate);
  const decaySteps = steps('cosineDecay', 'decaySteps', options.decaySteps, 1);
  const alpha = options.alpha ?? 0;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new ModelError(`cosineDecay: alpha must be a number in [0, 1], got ${showValue(alpha)}`);
  const warmupTarget = options.warmupTarget === undefined || options.warmupTarget === null ? null : rate('cosineDecay', 'warmupTarget', options.warmupTarget);
  const warmupSteps = steps('cosineDecay', 'warmupSteps', options.warmupSteps ?? 0, 0);
  if (warmupTarget === null && warmupSteps > 0) throw new ModelError(`cosineDecay: warmupSteps ${warmupSteps} needs a warmupTarget (the rate the warm-up climbs to); without one there is no warm-up`);
  const decay = (step: number, from: number): number => {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / decaySteps)));
    return from * ((1 - alpha) * cosine + alpha);
  };
  return librarySchedule({
    config: { name: 'cosineDecay', initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps },
    at(step) {
      if (warmupTarget === null) return decay(Math.min(step, decaySteps), initialLearningRate);
      const s = Math.min(step, decaySteps + warmupSteps);
      if (s < warmupSteps) return (warmupTarget - initialLearningRate) * (s / warmupSteps) + initialLearningRate;
      return decay(s - warmupSteps, warmupTarget);
    },
  });
}

/**
 * A schedule from itself (one made by `exponentialDecay`, `piecewiseConstant` or
 * `cosineDecay`) or from its saved config; anything else is a `ModelError` naming `what`.
 * @example
 * ```ts
 * resolveSchedule({ name: 'piecewiseConstant', boundaries: [10], values: [0.1, 0.01] }, 'adam: learningRate').at(20); // 0.01
 * ```
 */
export function resolveSchedule(value: unknown, what: string): LearningRateSchedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModelError(`${what} must be a number or a schedule, got ${describe(value)}`);
  if (typeof (value as { at?: unknown }).at === 'function') {
    if (!LIBRARY_SCHEDULES.has(value as LearningRateSchedule)) {
      throw new ModelError(`${what}: a schedule is made by exponentialDecay, piecewiseConstant or cosineDecay (its config is saved with the model); for a rate computed per epoch by your own function, use the learningRateScheduler callback`);
    }
    return value as LearningRateSchedule;
  }
  const { name, ...settings } = value as { readonly [key: string]: unknown };
  switch (name) {
    case 'exponentialDecay': return exponentialDecay(settings as unknown as ExponentialDecayOptions);
    case 'piecewiseConstant': return piecewiseConstant(settings as unknown as PiecewiseConstantOptions);
    case 'cosineDecay': return cosineDecay(settings as unknown as CosineDecayOptions);
    default: throw new ModelError(`${what}: unknown schedule ${typeof name === 'string' ? JSON.stringify(name) : showValue(name)}; known: exponentialDecay, piecewiseConstant, cosineDecay`);
  }
}

function rate(schedule: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && Number.isFinite(value))) throw new ModelError(`${schedule}: ${name} must be a finite number >= 0, got ${describe(value)}`);
  return value;
}

function steps(schedule: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new ModelError(`${schedule}: ${name} must be an integer >= ${min}, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${showValue(value)}`;
}
