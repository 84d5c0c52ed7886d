import { adam, dense, type Sequential, sequential, sparseCategoricalCrossentropy } from 'stablegrad';

/** The flagship model: 8x8 digit images (64 pixels) -> 25 relu -> 15 relu -> 10 softmax. */
export function digitsModel(seed = 42): Sequential {
  const model = sequential([
    dense({ units: 25, activation: 'relu' }),
    dense({ units: 15, activation: 'relu' }),
    dense({ units: 10, activation: 'softmax' }),
  ], { inputShape: [64], seed });

  // The loss takes probabilities, as written here (no fromLogits): compile's stabilize pass
  // finds softmax + cross-entropy and fuses them into the stable logit form.
  model.compile({
    loss: sparseCategoricalCrossentropy(),
    optimizer: adam({ learningRate: 0.01 }),
    metrics: ['accuracy'],
  });
  return model;
}
