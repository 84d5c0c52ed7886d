/**
 * `maxPooling2d`: Keras' `MaxPooling2D`, the largest value of each window per channel, NHWC.
 * With `padding: 'same'` padded positions never win. No weights.
 * @module
 */
import { maxPool2d } from '@stablegrad/core';
import { configurePooling, type Pooling2dConfig, type Pooling2dOptions, poolingJSON, poolingShape } from './_pooling.js';
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * The max pooling layer's definition (registered as `maxPooling2d`).
 * @example
 * ```ts
 * maxPooling2dDefinition.outputShape(maxPooling2d().config, [6, 6, 8], 'maxPooling2d_2'); // [3, 3, 8]
 * ```
 */
export const maxPooling2dDefinition: LayerDefinition<Pooling2dConfig> = {
  type: 'maxPooling2d',
  configure: configurePooling,
  toJSON: poolingJSON,
  outputShape: (c, inputShape, where) => poolingShape(c, inputShape, where, 'maxPooling2d'),
  forward: (c, x) => ({ output: maxPool2d(x, { poolSize: [...c.poolSize], strides: [...c.strides], padding: c.padding }) }),
};

/**
 * A max pooling layer.
 * @example
 * ```ts
 * sequential([layers.conv2d({ filters: 8, kernelSize: 3 }), maxPooling2d({ poolSize: 2 }), flatten()], { inputShape: [8, 8, 1] });
 * ```
 */
export function maxPooling2d(options: Pooling2dOptions = {}): Layer<Pooling2dConfig> {
  return makeLayer(maxPooling2dDefinition, options);
}
