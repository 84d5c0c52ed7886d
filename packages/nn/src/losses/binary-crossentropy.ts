/**
 * Binary cross-entropy, Keras' `BinaryCrossentropy`: per output unit
 * `-(y log p + (1 - y) log(1 - p))`, averaged over the units of each example. With
 * `fromLogits: false` it is written in probability space exactly as Keras computes it (p clipped
 * to `[eps, 1 - eps]`); the stabilize pass turns it into `sigmoidCrossEntropyWithLogits`.
 * @module
 */
import { type Node, sigmoidCrossEntropyWithLogits } from '@stablegrad/core';
import { EPSILON, firstOutside, libraryLoss, type Loss, lossConfig, type LossOptions, reduce } from './loss.js';

/**
 * Binary (and multi-label) cross-entropy. Labels: `[batch, units]` floats in [0, 1] (`[batch]`
 * is accepted when the model has one output unit).
 * @example
 * ```ts
 * model.compile({ loss: binaryCrossentropy(), optimizer: adam() });                   // sigmoid output
 * model.compile({ loss: binaryCrossentropy({ fromLogits: true }), optimizer: adam() }); // linear output
 * ```
 */
export function binaryCrossentropy(options: LossOptions = {}): Loss {
  const config = lossConfig('binaryCrossentropy', options);
  return libraryLoss({
    config,
    description: 'binary cross-entropy',
    labelType: (units, dtype) => ({ shape: ['batch', units], dtype }),
    build(yTrue, yPred) {
      const y = smoothBinary(yTrue, config.labelSmoothing);
      const perUnit = config.fromLogits ? sigmoidCrossEntropyWithLogits(yPred, y) : kerasBinaryCrossentropy(y, yPred);
      return reduce(perUnit.mean({ axis: -1 }), config.reduction);
    },
    badLabel: (y) => firstOutside(y, 0, 1, 'a binary label'),
  });
}

/** `y (1 - s) + s / 2`: labels pulled towards 1/2. */
function smoothBinary(y: Node, s: number): Node {
  return s === 0 ? y : y.mul(1 - s).add(s / 2);
}

/** Keras' probability-space formula: `-(y log(clip p) + (1 - y) log(1 - clip p))`. */
function kerasBinaryCrossentropy(y: Node, p: Node): Node {
  const clipped = p.clip(EPSILON, 1 - EPSILON);
  return y.mul(clipped.log()).add(y.neg().add(1).mul(clipped.neg().add(1).log())).neg();
}
