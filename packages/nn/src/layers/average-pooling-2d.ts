/**
 * `averagePooling2d`: Keras' `AveragePooling2D`, the mean of each window per channel, NHWC.
 * With `padding: 'same'` padded positions are not counted (Keras; PyTorch counts them by default). No weights.
 * @module
 */
import { avgPool2d } from '@stablegrad/core';
import { configurePooling, type Pooling2dConfig, type Pooling2dOptions, poolingJSON, poolingShape } from './_pooling.js';
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * The average pooling layer's definition (registered as `averagePooling2d`).
 * @example
 * ```ts
 * averagePooling2dDefinition.outputShape(averagePooling2d().config, [6, 6, 8], 'averagePooling2d_2'); // [3, 3, 8]
 * ```
 */
export const averagePooling2dDefinition: LayerDefinition<Pooling2dConfig> = {
  type: 'averagePooling2d',
  configure: configurePooling,
  toJSON: poolingJSON,
  outputShape: (c, inputShape, where) => poolingShape(c, inputShape, where, 'averagePooling2d'),
  forward: (c, x) => ({ output: avgPool2d(x, { poolSize: [...c.poolSize], strides: [...c.strides], padding: c.padding }) }),
};

/**
 * A average pooling layer.
 * @example
 * ```ts
 * sequential([layers.conv2d({ filters: 8, kernelSize: 3 }), averagePooling2d({ poolSize: 2 }), flatten()], { inputShape: [8, 8, 1] });
 * ```
 */
export function averagePooling2d(options: Pooling2dOptions = {}): Layer<Pooling2dConfig> {
  return makeLayer(averagePooling2dDefinition, options);
}
