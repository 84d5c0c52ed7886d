/**
 * Sparse categorical cross-entropy, Keras' `SparseCategoricalCrossentropy`: the labels are class
 * indices. With `fromLogits: false` it is written as Keras computes it from probabilities
 * (renormalised, clipped, log, then `-sum(oneHot(label) log p)`); the stabilize pass turns it
 * into `sparseSoftmaxCrossEntropyWithLogits` when p is a softmax.
 * @module
 */
import { sparseSoftmaxCrossEntropyWithLogits, softmaxCrossEntropyWithLogits } from '@stablegrad/core';
import { kerasCategoricalCrossentropy, smoothCategorical } from './categorical-crossentropy.js';
import { libraryLoss, type Loss, lossConfig, type LossOptions, reduce } from './loss.js';

/**
 * Cross-entropy of integer class labels `[batch]` (int32, in `[0, classes)`) against the model's
 * class probabilities (or logits with `fromLogits: true`). With `labelSmoothing` the labels are
 * made one-hot and smoothed, as categorical cross-entropy does.
 * @example
 * ```ts
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam(), metrics: ['accuracy'] });
 * ```
 */
export function sparseCategoricalCrossentropy(options: LossOptions = {}): Loss {
  const config = lossConfig('sparseCategoricalCrossentropy', options);
  return libraryLoss({
    config,
    description: 'sparse categorical cross-entropy',
    labelType: () => ({ shape: ['batch'], dtype: 'int32' }),
    build(yTrue, yPred) {
      const classes = yPred.shape[yPred.shape.length - 1] as number;
      const s = config.labelSmoothing;
      let perExample;
      if (s > 0) {
        const y = smoothCategorical(yTrue.oneHot(classes, { dtype: yPred.dtype }), s, classes);
        perExample = config.fromLogits ? softmaxCrossEntropyWithLogits(yPred, y) : kerasCategoricalCrossentropy(y, yPred);
      } else {
        perExample = config.fromLogits
          ? sparseSoftmaxCrossEntropyWithLogits(yPred, yTrue)
          : kerasCategoricalCrossentropy(yTrue.oneHot(classes, { dtype: yPred.dtype }), yPred);
      }
      return reduce(perExample, config.reduction);
    },
    badLabel(y, classes) {
      for (let i = 0; i < y.data.length; i++) {
        const label = y.data[i]!;
        if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
          return `row ${i}: label ${label} is not a class index in [0, ${classes}) (the last layer has ${classes} units)`;
        }
      }
      return null;
    },
  });
}
