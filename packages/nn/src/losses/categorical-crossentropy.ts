/**
 * Categorical cross-entropy, Keras' `CategoricalCrossentropy`: `-sum(y log p)` over the class
 * axis (`-sum(w y log p)` with `classWeights` w, PyTorch's `CrossEntropyLoss(weight=...)` for
 * probability targets). With `fromLogits: false` it is written as Keras computes it from probabilities
 * (renormalised so each row sums to 1, clipped to `[eps, 1 - eps]`, then the log); the
 * stabilize pass turns it into `softmaxCrossEntropyWithLogits` when p is a softmax.
 * @module
 */
import { type Node, softmaxCrossEntropyWithLogits } from '@stablegrad/core';
import {
  checkKnownOptions, checkWeights, EPSILON, firstOutside, libraryLoss, type Loss, lossConfig, type LossOptions, reduce, SHARED_OPTIONS,
  weightsFor,
} from './loss.js';

/**
 * Options of `categoricalCrossentropy`.
 * @example
 * ```ts
 * const options: CategoricalCrossentropyOptions = { classWeights: [1, 5, 1] };
 * ```
 */
export interface CategoricalCrossentropyOptions extends LossOptions {
  /**
   * One finite non-negative weight per class (PyTorch's `CrossEntropyLoss(weight=...)`): each
   * example's loss is `-sum_c w_c y_c log p_c` (labels smoothed first). The `mean` divides by
   * the rows, as PyTorch does for probability targets (the sparse loss divides by the weights).
   */
  readonly classWeights?: readonly number[] | undefined;
}

const KNOWN = [...SHARED_OPTIONS, 'classWeights'] as const;

/**
 * Categorical cross-entropy over one-hot (or soft) labels `[batch, classes]` in [0, 1].
 * `classWeights` weights each class's term; sample weights (given to `fit` or `evaluate`)
 * multiply each example's loss, and the mean divides by the rows (Keras).
 * @example
 * ```ts
 * model.compile({ loss: categoricalCrossentropy({ labelSmoothing: 0.1 }), optimizer: adam() });
 * model.compile({ loss: categoricalCrossentropy({ classWeights: [1, 1, 10] }), optimizer: adam() });
 * ```
 */
export function categoricalCrossentropy(options: CategoricalCrossentropyOptions = {}): Loss {
  checkKnownOptions('categoricalCrossentropy', options, KNOWN);
  const base = lossConfig('categoricalCrossentropy', options);
  const classWeights = options.classWeights === undefined ? undefined : checkWeights(options.classWeights, 'categoricalCrossentropy: classWeights', false);
  const config = classWeights === undefined ? base : { ...base, classWeights };
  return libraryLoss({
    config,
    description: 'categorical cross-entropy',
    labelType: (units, dtype) => ({ shape: ['batch', units], dtype }),
    build(yTrue, yPred, sampleWeight) {
      const classes = yPred.shape[yPred.shape.length - 1] as number;
      let y = smoothCategorical(yTrue, config.labelSmoothing, classes);
      // -sum_c w_c y_c log p_c is the cross-entropy of the labels w y: the fused op's gradient softmax(z) sum(w y) - w y is exact for them
      if (classWeights !== undefined) y = y.mul(weightsFor(classWeights, yPred, 'classWeights', 'categoricalCrossentropy'));
      const perExample = config.fromLogits ? softmaxCrossEntropyWithLogits(yPred, y) : kerasCategoricalCrossentropy(y, yPred);
      return reduce(perExample, config.reduction, sampleWeight);
    },
    badLabel: (y) => firstOutside(y, 0, 1, 'a class probability'),
  });
}

/**
 * `y (1 - s) + s / classes`: labels mixed with the uniform distribution.
 * @example
 * ```ts
 * smoothCategorical(oneHotLabels, 0.1, 10);
 * ```
 */
export function smoothCategorical(y: Node, s: number, classes: number): Node {
  return s === 0 ? y : y.mul(1 - s).add(s / classes);
}

/**
 * Keras' probability-space formula: `-sum(y log(clip(p / sum(p))))` over the last axis.
 * @example
 * ```ts
 * kerasCategoricalCrossentropy(oneHotLabels, softmax(z)); // the stabilize pass fuses it
 * ```
 */
export function kerasCategoricalCrossentropy(y: Node, p: Node): Node {
  const renormalized = p.div(p.sum({ axis: -1, keepDims: true }));
  const logP = renormalized.clip(EPSILON, 1 - EPSILON).log();
  return y.mul(logP).sum({ axis: -1 }).neg();
}
