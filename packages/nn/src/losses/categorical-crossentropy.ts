/**
 * Categorical cross-entropy, Keras' `CategoricalCrossentropy`: `-sum(y log p)` over the class
 * axis. With `fromLogits: false` it is written as Keras computes it from probabilities
 * (renormalised so each row sums to 1, clipped to `[eps, 1 - eps]`, then the log); the
 * stabilize pass turns it into `softmaxCrossEntropyWithLogits` when p is a softmax.
 * @module
 */
import { type Node, softmaxCrossEntropyWithLogits } from '@stablegrad/core';
import { EPSILON, firstOutside, libraryLoss, type Loss, lossConfig, type LossOptions, reduce } from './loss.js';

/**
 * Categorical cross-entropy over one-hot (or soft) labels `[batch, classes]` in [0, 1].
 * @example
 * ```ts
 * model.compile({ loss: categoricalCrossentropy({ labelSmoothing: 0.1 }), optimizer: adam() });
 * ```
 */
export function categoricalCrossentropy(options: LossOptions = {}): Loss {
  const config = lossConfig('categoricalCrossentropy', options);
  return libraryLoss({
    config,
    description: 'categorical cross-entropy',
    labelType: (units, dtype) => ({ shape: ['batch', units], dtype }),
    build(yTrue, yPred) {
      const classes = yPred.shape[yPred.shape.length - 1] as number;
      const y = smoothCategorical(yTrue, config.labelSmoothing, classes);
      const perExample = config.fromLogits ? softmaxCrossEntropyWithLogits(yPred, y) : kerasCategoricalCrossentropy(y, yPred);
      return reduce(perExample, config.reduction);
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
