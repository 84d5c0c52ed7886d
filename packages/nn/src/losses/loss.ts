/**
 * What every loss shares: its saved config, the label input it needs, how its per-example
 * values are reduced over the batch, and the check of label values before training.
 * @module
 */
import { constant, type DType, type Node, type Shape, type Tensor, where } from '@stablegrad/core';
import { ModelError } from '../errors.js';
import { showValue } from '../names.js';

/**
 * How per-example losses become the loss: `mean` over the batch (Keras'
 * `sum_over_batch_size`, the default: `sum(w l) / rows` with sample weights w; with
 * `classWeights` or `ignoreClass` of the sparse loss, PyTorch's weighted mean
 * `sum(w l) / sum(class weight of each row's label)`), `sum`, or `none` (one value per
 * example, weighted; `fit` trains on their mean).
 * @example
 * ```ts
 * sparseCategoricalCrossentropy({ reduction: 'sum' });
 * ```
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * The loss names, as saved in model files.
 * @example
 * ```ts
 * model.compile({ loss: 'binaryCrossentropy', optimizer: 'adam' });
 * ```
 */
export type LossName = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';

/**
 * A loss's settings, as saved in model files (every field filled in).
 * @example
 * ```ts
 * binaryCrossentropy({ fromLogits: true }).config;
 * // { name: 'binaryCrossentropy', fromLogits: true, labelSmoothing: 0, axis: -1, reduction: 'mean' }
 * ```
 */
export interface LossConfig {
  readonly name: LossName;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  readonly reduction: Reduction;
  /** binaryCrossentropy: the weight of the positive term, one number or one per output unit. */
  readonly posWeight?: number | readonly number[];
  /** categorical and sparse categorical cross-entropy: one weight per class. */
  readonly classWeights?: readonly number[];
  /** sparseCategoricalCrossentropy: the label whose rows are left out. */
  readonly ignoreClass?: number;
}

/**
 * A loss: builds its graph from the labels and the model's output, Keras' formulas.
 * @example
 * ```ts
 * const loss = sparseCategoricalCrossentropy();
 * const y = input(['batch'], { dtype: 'int32', name: 'y' });
 * const value = loss.build(y, model.output); // a scalar node: the mean over the batch
 * ```
 */
export interface Loss {
  readonly config: LossConfig;
  /** The shape and dtype of the labels for a model output of `units` values per example. */
  labelType(units: number, dtype: DType): { readonly shape: Shape; readonly dtype: DType };
  /**
   * The loss graph: the reduction of the per-example losses, each multiplied by its row's
   * `sampleWeight` (`[batch]`, Keras' `sample_weight`) when one is given.
   */
  build(yTrue: Node, yPred: Node, sampleWeight?: Node): Node;
  /**
   * Checks label values (already shaped as `labelType` says) and returns a description of the
   * first bad one, or null. `fit` turns it into a `DataError` naming the row.
   */
  badLabel(y: Tensor, units: number): string | null;
  /** Words for reports: 'sparse categorical cross-entropy'. */
  readonly description: string;
}

/**
 * The options the cross-entropy losses share (mean squared error takes only `reduction`). Each
 * loss also has options of its own (`posWeight`, `classWeights`, `ignoreClass`); an option a
 * loss does not know is a `ModelError`, at run time too.
 * @example
 * ```ts
 * const options: LossOptions = { fromLogits: true, labelSmoothing: 0.1 };
 * ```
 */
export interface LossOptions {
  /** The model outputs logits rather than probabilities (default false). */
  readonly fromLogits?: boolean | undefined;
  /** Mix the labels with the uniform distribution: `y (1 - s) + s / classes` (default 0). */
  readonly labelSmoothing?: number | undefined;
  /** The class axis (default -1; dense outputs are `[batch, units]`, so -1 or 1). */
  readonly axis?: number | undefined;
  /** Default `mean`. */
  readonly reduction?: Reduction | undefined;
}

/** The losses this package made (a spread copy with another `build` is not one of them). */
const LIBRARY_LOSSES = new WeakSet<Loss>();

/**
 * Marks a loss as the library's own, whose config alone rebuilds it (what `save` can write).
 * @example
 * ```ts
 * return libraryLoss({ config, description, labelType, build, badLabel });
 * ```
 */
export function libraryLoss(loss: Loss): Loss {
  LIBRARY_LOSSES.add(loss);
  return loss;
}

/**
 * True for losses made by this package's functions.
 * @example
 * ```ts
 * isLibraryLoss(binaryCrossentropy()); // true
 * ```
 */
export function isLibraryLoss(loss: Loss): boolean {
  return LIBRARY_LOSSES.has(loss);
}

/** Keras' epsilon: probabilities are clipped to `[1e-7, 1 - 1e-7]` before their log. */
export const EPSILON = 1e-7;

/** The options of the cross-entropies, before each loss's own. */
export const SHARED_OPTIONS = ['fromLogits', 'labelSmoothing', 'axis', 'reduction'] as const;

export { checkKnownOptions } from '../names.js';

/**
 * Fills in and checks the options shared by the losses (unknown keys are checked by each loss).
 * @example
 * ```ts
 * lossConfig('binaryCrossentropy', { fromLogits: true }).reduction; // 'mean'
 * ```
 */
export function lossConfig(name: LossName, options: LossOptions): LossConfig {
  const labelSmoothing = options.labelSmoothing ?? 0;
  // typeof first: comparisons coerce, so '0.1', true or [0.1] from a model file would pass.
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new ModelError(`${name}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  }
  const axis = options.axis ?? -1;
  if (axis !== -1 && axis !== 1) {
    throw new ModelError(`${name}: axis must be -1 or 1 (the class axis of a [batch, units] output), got ${axis}`);
  }
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ModelError(`${name}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
  const fromLogits = options.fromLogits ?? false;
  if (typeof fromLogits !== 'boolean') throw new ModelError(`${name}: fromLogits must be true or false`);
  return { name, fromLogits, labelSmoothing, axis: -1, reduction };
}

/**
 * Reduces per-example losses `[batch]` as the config says.
 * @example
 * ```ts
 * reduce(perExample, 'mean'); // a scalar
 * ```
 */
export function reduce(perExample: Node, reduction: Reduction, sampleWeight?: Node, rowWeights?: Node): Node {
  const weighted = sampleWeight === undefined ? perExample : perExample.mul(sampleWeight);
  if (reduction === 'none') return weighted;
  if (reduction === 'sum') return weighted.sum();
  if (rowWeights === undefined) return weighted.mean();
  // PyTorch's weighted mean; a batch whose row weights sum to 0 (all rows ignored) gives 0, not 0/0
  const total = rowWeights.sum();
  return weighted.sum().div(where(total.greater(0), total, 1));
}

/**
 * A finite positive number (`positive: true`) or a finite non-negative one, else a ModelError.
 * @example
 * ```ts
 * checkWeight(2, 'binaryCrossentropy: posWeight', true); // 2
 * ```
 */
export function checkWeight(value: unknown, what: string, positive: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive ? !(value > 0) : !(value >= 0))) {
    throw new ModelError(`${what} must be a finite ${positive ? 'positive' : 'non-negative'} number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * A list of weights (a non-empty array of finite numbers, positive or non-negative), else a ModelError.
 * @example
 * ```ts
 * checkWeights([1, 2, 0.5], 'sparseCategoricalCrossentropy: classWeights', false);
 * ```
 */
export function checkWeights(value: unknown, what: string, positive: boolean): readonly number[] {
  if (!Array.isArray(value) || value.length === 0) throw new ModelError(`${what} must be a non-empty array of numbers, got ${JSON.stringify(value)}`);
  value.forEach((v, i) => checkWeight(v, `${what}[${i}]`, positive));
  return Object.freeze([...value] as number[]);
}

/**
 * A per-class (or per-unit) weight constant for a model output `yPred` of `units` values per
 * example, checking the count.
 * @example
 * ```ts
 * weightsFor([1, 2, 3], yPred, 'classWeights', 'categoricalCrossentropy'); // a [3] constant
 * ```
 */
export function weightsFor(weights: number | readonly number[], yPred: Node, what: string, name: LossName): Node {
  if (typeof weights === 'number') return constant(weights, { dtype: yPred.dtype });
  const units = yPred.shape[yPred.shape.length - 1];
  if (weights.length !== units) {
    throw new ModelError(`${name}: ${what} has ${weights.length} weights, but the last layer has ${showValue(units)} units (one weight per ${what === 'posWeight' ? 'output unit' : 'class'})`);
  }
  return constant([...weights], { dtype: yPred.dtype });
}

/**
 * The first value outside `[lo, hi]` (or not finite) in `y`, described with its row, or null.
 * @example
 * ```ts
 * firstOutside(y, 0, 1, 'a binary label'); // 'row 4: 2 is not a binary label in [0, 1]'
 * ```
 */
export function firstOutside(y: Tensor, lo: number, hi: number, what: string): string | null {
  const perRow = y.shape.slice(1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < y.data.length; i++) {
    const v = y.data[i]!;
    if (!(v >= lo && v <= hi)) return `row ${Math.floor(i / perRow)}: ${v} is not ${what} in [${lo}, ${hi}]`;
  }
  return null;
}
