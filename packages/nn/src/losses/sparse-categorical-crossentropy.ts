/**
 * Sparse categorical cross-entropy, Keras' `SparseCategoricalCrossentropy`: the labels are class
 * indices. With `fromLogits: false` it is written as Keras computes it from probabilities
 * (renormalised, clipped, log, then `-sum(oneHot(label) log p)`); the stabilize pass turns it
 * into `sparseSoftmaxCrossEntropyWithLogits` when p is a softmax. `classWeights` and
 * `ignoreClass` follow PyTorch's `CrossEntropyLoss(weight=..., ignore_index=...)`.
 * @module
 */
import {
  gather, type Node, sparseSoftmaxCrossEntropyWithLogits, softmaxCrossEntropyWithLogits, where,
} from '@stablegrad/core';
import { ModelError } from '../errors.js';
import { kerasCategoricalCrossentropy, smoothCategorical } from './categorical-crossentropy.js';
import {
  checkKnownOptions, checkWeights, libraryLoss, type Loss, lossConfig, type LossOptions, reduce, SHARED_OPTIONS, weightsFor,
} from './loss.js';

/**
 * Options of `sparseCategoricalCrossentropy`.
 * @example
 * ```ts
 * const options: SparseCategoricalCrossentropyOptions = { classWeights: [1, 5, 1], ignoreClass: -100 };
 * ```
 */
export interface SparseCategoricalCrossentropyOptions extends LossOptions {
  /**
   * One finite non-negative weight per class (PyTorch's `weight`): row n's loss is
   * `w[label_n] * -log p[label_n]`, and the `mean` is PyTorch's weighted mean
   * `sum_n s_n w[label_n] l_n / sum_n w[label_n]` (s: sample weights, 1 when absent).
   * With `labelSmoothing` the smoothed one-hot labels are weighted per class
   * (`-sum_c w_c y_c log p_c`), as PyTorch does; the mean still divides by `sum_n w[label_n]`.
   */
  readonly classWeights?: readonly number[] | undefined;
  /**
   * A label whose rows contribute nothing (PyTorch's `ignore_index`; any int32, e.g. -100, need
   * not be a class). The `mean` is over the kept rows (with class weights, their weights). A
   * batch of ignored rows only has loss 0 and gradient 0 (PyTorch gives NaN).
   */
  readonly ignoreClass?: number | undefined;
}

const KNOWN = [...SHARED_OPTIONS, 'classWeights', 'ignoreClass'] as const;

/**
 * Cross-entropy of integer class labels `[batch]` (int32, in `[0, classes)`) against the model's
 * class probabilities (or logits with `fromLogits: true`). With `labelSmoothing` the labels are
 * made one-hot and smoothed, as categorical cross-entropy does. Sample weights (given to `fit`
 * or `evaluate`) multiply each row's loss.
 * @example
 * ```ts
 * model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam(), metrics: ['accuracy'] });
 * model.compile({ loss: sparseCategoricalCrossentropy({ classWeights: [1, 3, 1], ignoreClass: -100 }), optimizer: adam() });
 * ```
 */
export function sparseCategoricalCrossentropy(options: SparseCategoricalCrossentropyOptions = {}): Loss {
  const name = 'sparseCategoricalCrossentropy';
  checkKnownOptions(name, options, KNOWN);
  const base = lossConfig(name, options);
  const classWeights = options.classWeights === undefined ? undefined : checkWeights(options.classWeights, `${name}: classWeights`, false);
  const ignoreClass = options.ignoreClass;
  if (ignoreClass !== undefined && !(typeof ignoreClass === 'number' && Number.isInteger(ignoreClass) && ignoreClass >= -(2 ** 31) && ignoreClass < 2 ** 31)) {
    throw new ModelError(`${name}: ignoreClass must be an int32 label (e.g. -100), got ${JSON.stringify(ignoreClass)}`);
  }
  const config = { ...base, ...(classWeights === undefined ? {} : { classWeights }), ...(ignoreClass === undefined ? {} : { ignoreClass }) };
  return libraryLoss({
    config,
    description: 'sparse categorical cross-entropy',
    labelType: () => ({ shape: ['batch'], dtype: 'int32' }),
    build(yTrue, yPred, sampleWeight) {
      const classes = yPred.shape[yPred.shape.length - 1] as number;
      const s = config.labelSmoothing;
      // Ignored rows get label 0 (any class: the fused ops raise on labels outside [0, k)), then weight 0.
      const keep = ignoreClass === undefined ? undefined : yTrue.notEqual(ignoreClass).cast(yPred.dtype);
      const labels = ignoreClass === undefined ? yTrue : where(yTrue.notEqual(ignoreClass), yTrue, 0);
      const w = classWeights === undefined ? undefined : weightsFor(classWeights, yPred, 'classWeights', name);
      // Each row's weight in PyTorch's mean: w[label], times 0 for ignored rows.
      const picked = w === undefined ? undefined : gather(w, labels);
      const rowWeights = keep === undefined ? picked : picked === undefined ? keep : picked.mul(keep);
      let perExample: Node;
      if (s > 0) {
        let y = smoothCategorical(labels.oneHot(classes, { dtype: yPred.dtype }), s, classes);
        if (w !== undefined) y = y.mul(w);
        perExample = config.fromLogits ? softmaxCrossEntropyWithLogits(yPred, y) : kerasCategoricalCrossentropy(y, yPred);
        if (keep !== undefined) perExample = perExample.mul(keep);
      } else {
        perExample = config.fromLogits
          ? sparseSoftmaxCrossEntropyWithLogits(yPred, labels)
          : kerasCategoricalCrossentropy(labels.oneHot(classes, { dtype: yPred.dtype }), yPred);
        if (rowWeights !== undefined) perExample = perExample.mul(rowWeights);
      }
      return reduce(perExample, config.reduction, sampleWeight, rowWeights);
    },
    badLabel(y, classes) {
      for (let i = 0; i < y.data.length; i++) {
        const label = y.data[i]!;
        if (label === ignoreClass) continue;
        if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
          const ignored = ignoreClass === undefined ? '' : ` or the ignored label ${ignoreClass}`;
          return `row ${i}: label ${label} is not a class index in [0, ${classes})${ignored} (the last layer has ${classes} units)`;
        }
      }
      return null;
    },
  });
}
