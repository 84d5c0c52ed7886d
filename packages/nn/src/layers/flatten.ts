/**
 * `flatten`: each example's values in one row, `[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]`,
 * row-major (channels last, as Keras' default `data_format`), so a dense layer can follow a
 * convolution. No weights.
 * @module
 */
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * The flatten layer's definition (registered as `flatten`); its config is empty.
 * @example
 * ```ts
 * flattenDefinition.outputShape({}, [4, 4, 8], 'flatten_3'); // [128]
 * ```
 */
export const flattenDefinition: LayerDefinition<Record<string, never>> = {
  type: 'flatten',
  configure: () => ({}),
  toJSON: () => ({}),
  outputShape: (_c, inputShape) => [inputShape.reduce((a, b) => a * b, 1)],
  forward: (_c, x) => ({ output: x.reshape([-1, x.shape.slice(1).reduce<number>((a, b) => a * (b as number), 1)]) }),
};

/**
 * A flatten layer (Keras' `Flatten`).
 * @example
 * ```ts
 * sequential([conv2d({ filters: 8, kernelSize: 3 }), flatten(), dense({ units: 10 })], { inputShape: [8, 8, 1] });
 * ```
 */
export function flatten(options: { readonly name?: string } = {}): Layer<Record<string, never>> {
  return makeLayer(flattenDefinition, options);
}
