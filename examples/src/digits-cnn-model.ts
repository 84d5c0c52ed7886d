import { adam, dense, flatten, layers, maxPooling2d, type Sequential, sequential, sparseCategoricalCrossentropy } from 'stablegrad';

/**
 * The convolutional digits model: 8x8 one-channel images -> conv2d (16 filters of 3x3, 'same'
 * padding, relu) -> 2x2 max pool -> flatten -> 10 softmax. `filters` sets the width of the
 * convolution (the CI test trains a narrower one).
 */
export function digitsCnnModel(seed = 42, filters = 16): Sequential {
  const model = sequential([
    layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }),
    maxPooling2d({ poolSize: 2 }),
    flatten(),
    dense({ units: 10, activation: 'softmax' }),
  ], { inputShape: [8, 8, 1], seed });

  // The loss takes probabilities, as written here: compile's stabilize pass fuses the softmax
  // of the last layer with the cross-entropy, through the convolution and the pooling before it.
  model.compile({
    loss: sparseCategoricalCrossentropy(),
    optimizer: adam({ learningRate: 0.01 }),
    metrics: ['accuracy'],
  });
  return model;
}
