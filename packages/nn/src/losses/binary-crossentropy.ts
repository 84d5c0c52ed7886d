/**
 * Binary cross-entropy, Keras' `BinaryCrossentropy`: per output unit
 * `-(pw y log p + (1 - y) log(1 - p))` (pw = `posWeight`, 1 by default), averaged over the units
 * of each example. With `fromLogits: false` it is written in probability space exactly as Keras
 * computes it (p clipped to `[eps, 1 - eps]`); the stabilize pass turns it into
 * `sigmoidCrossEntropyWithLogits`, or `weightedSigmoidCrossEntropyWithLogits` with a posWeight.
 * @module
 */
import { type Node, sigmoidCrossEntropyWithLogits, weightedSigmoidCrossEntropyWithLogits } from '@stablegrad/core';
import {
  checkKnownOptions, checkWeight, checkWeights, EPSILON, firstOutside, libraryLoss, type Loss, lossConfig, type LossOptions, reduce,
  SHARED_OPTIONS, weightsFor,
} from './loss.js';

/**
 * Options of `binaryCrossentropy`.
 * @example
 * ```ts
 * const options: BinaryCrossentropyOptions = { fromLogits: true, posWeight: 3 };
 * ```
 */
export interface BinaryCrossentropyOptions extends LossOptions {
  /**
   * The weight of the positive term (TensorFlow's `weighted_cross_entropy_with_logits`,
   * PyTorch's `BCEWithLogitsLoss(pos_weight=...)`): per unit
   * `-(pw y log p + (1 - y) log(1 - p))`. One finite positive number, or one per output unit.
   * Default 1 (no weighting). pw > 1 raises recall, pw < 1 precision.
   */
  readonly posWeight?: number | readonly number[] | undefined;
}

const KNOWN = [...SHARED_OPTIONS, 'posWeight'] as const;

/**
 * Binary (and multi-label) cross-entropy. Labels: `[batch, units]` floats in [0, 1] (`[batch]`
 * is accepted when the model has one output unit). `posWeight` weights the positive term, as
 * PyTorch's `pos_weight`; the fused `weightedSigmoidCrossEntropyWithLogits` keeps its value and
 * gradient accurate at every logit. Sample weights (given to `fit` or `evaluate`) multiply
 * each example's loss; the mean divides by the rows (Keras).
 * @example
 * ```ts
 * model.compile({ loss: binaryCrossentropy(), optimizer: adam() });                   // sigmoid output
 * model.compile({ loss: binaryCrossentropy({ fromLogits: true }), optimizer: adam() }); // linear output
 * model.compile({ loss: binaryCrossentropy({ posWeight: 4 }), optimizer: adam() });    // 1 positive in 5
 * ```
 */
export function binaryCrossentropy(options: BinaryCrossentropyOptions = {}): Loss {
  checkKnownOptions('binaryCrossentropy', options, KNOWN);
  const base = lossConfig('binaryCrossentropy', options);
  const given = options.posWeight;
  const posWeight = given === undefined ? undefined
    : typeof given === 'number' || typeof given !== 'object' ? checkWeight(given, 'binaryCrossentropy: posWeight', true)
      : checkWeights(given, 'binaryCrossentropy: posWeight', true);
  const config = posWeight === undefined ? base : { ...base, posWeight };
  return libraryLoss({
    config,
    description: posWeight === undefined ? 'binary cross-entropy' : 'weighted binary cross-entropy',
    labelType: (units, dtype) => ({ shape: ['batch', units], dtype }),
    build(yTrue, yPred, sampleWeight) {
      const y = smoothBinary(yTrue, config.labelSmoothing);
      // posWeight 1 is the unweighted loss: the same graph as without it
      const pw = posWeight === undefined || posWeight === 1 ? undefined : weightsFor(posWeight, yPred, 'posWeight', 'binaryCrossentropy');
      let perUnit: Node;
      if (config.fromLogits) perUnit = pw === undefined ? sigmoidCrossEntropyWithLogits(yPred, y) : weightedSigmoidCrossEntropyWithLogits(yPred, y, pw);
      else perUnit = kerasBinaryCrossentropy(y, yPred, pw);
      return reduce(perUnit.mean({ axis: -1 }), config.reduction, sampleWeight);
    },
    badLabel: (y) => firstOutside(y, 0, 1, 'a binary label'),
  });
}

/** `y (1 - s) + s / 2`: labels pulled towards 1/2. */
function smoothBinary(y: Node, s: number): Node {
  return s === 0 ? y : y.mul(1 - s).add(s / 2);
}

/** Keras' probability-space formula: `-(pw y log(clip p) + (1 - y) log(1 - clip p))`. */
function kerasBinaryCrossentropy(y: Node, p: Node, pw?: Node): Node {
  const clipped = p.clip(EPSILON, 1 - EPSILON);
  const positive = pw === undefined ? y : y.mul(pw);
  return positive.mul(clipped.log()).add(y.neg().add(1).mul(clipped.neg().add(1).log())).neg();
}
