/**
 * Mean squared error, Keras' `MeanSquaredError`: `mean((y - p)^2)` over the units of each
 * example, then the reduction over the batch.
 * @module
 */
import { checkKnownOptions, firstOutside, libraryLoss, type Loss, lossConfig, type LossOptions, reduce } from './loss.js';

/**
 * Mean squared error for regression. Labels: `[batch, units]` finite floats (`[batch]` when the
 * model has one output unit). Its one option is `reduction`; sample weights (given to `fit` or
 * `evaluate`) multiply each example's loss.
 * @example
 * ```ts
 * model.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 0.01 }) });
 * ```
 */
export function meanSquaredError(options: Pick<LossOptions, 'reduction'> = {}): Loss {
  checkKnownOptions('meanSquaredError', options, ['reduction']);
  const config = lossConfig('meanSquaredError', { reduction: options.reduction });
  return libraryLoss({
    config,
    description: 'mean squared error',
    labelType: (units, dtype) => ({ shape: ['batch', units], dtype }),
    build: (yTrue, yPred, sampleWeight) => reduce(yPred.sub(yTrue).square().mean({ axis: -1 }), config.reduction, sampleWeight),
    badLabel: (y) => firstOutside(y, -Infinity, Infinity, 'a finite number'),
  });
}
