/**
 * `layers`: every library layer maker in one namespace, as Keras' `keras.layers`. Two makers
 * live only here, because core has ops of the same names: `layers.conv2d` (core's `conv2d` is
 * the convolution op) and `layers.reshape` (core's `reshape` reshapes a node).
 * @module
 */
import { activation } from './activation.js';
import { averagePooling2d } from './average-pooling-2d.js';
import { batchNormalization } from './batch-normalization.js';
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import { embedding } from './embedding.js';
import { flatten } from './flatten.js';
import { layerNormalization } from './layer-normalization.js';
import { maxPooling2d } from './max-pooling-2d.js';
import { reshape } from './reshape.js';

/**
 * The layer makers by their Keras names (camelCase).
 * @example
 * ```ts
 * import { layers, sequential } from '@stablegrad/nn';
 * const model = sequential([
 *   layers.reshape({ targetShape: [8, 8, 1] }),
 *   layers.flatten(),
 *   layers.dense({ units: 10, activation: 'softmax' }),
 * ], { inputShape: [64] });
 * ```
 */
export const layers = {
  /** Keras' `Dense`: `activation(x W + b)`. */
  dense,
  /** Keras' `Conv2D`: a 2-D convolution of NHWC images (core's `conv2d` is the op). */
  conv2d,
  /** Keras' `MaxPooling2D`. */
  maxPooling2d,
  /** Keras' `AveragePooling2D`. */
  averagePooling2d,
  /** Keras' `Flatten`. */
  flatten,
  /** Keras' `Reshape` (core's `reshape` is the op). */
  reshape,
  /** Keras' `Activation`. */
  activation,
  /** Keras' `Dropout`, active only in training. */
  dropout,
  /** Keras' `Embedding`. */
  embedding,
  /** Keras' `LayerNormalization`. */
  layerNormalization,
  /** Keras' `BatchNormalization`, with moving statistics. */
  batchNormalization,
} as const;
