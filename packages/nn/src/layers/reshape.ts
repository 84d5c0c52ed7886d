/**
 * `reshape`: each example's values under a new shape (Keras' `Reshape(target_shape)`), the batch
 * dimension kept. One entry may be -1, inferred from the element count. No weights.
 * @module
 */
import { ModelError } from '../errors.js';
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `reshape`.
 * @example
 * ```ts
 * const options: ReshapeOptions = { targetShape: [8, 8, 1] };
 * ```
 */
export interface ReshapeOptions {
  /** The shape of one example after the layer (no batch dimension); one entry may be -1. */
  readonly targetShape: readonly number[];
  readonly name?: string;
}

/**
 * A reshape layer's checked config.
 * @example
 * ```ts
 * reshape({ targetShape: [8, 8, 1] }).config.targetShape; // [8, 8, 1]
 * ```
 */
export interface ReshapeConfig {
  readonly targetShape: readonly number[];
}

/**
 * The reshape layer's definition (registered as `reshape`).
 * @example
 * ```ts
 * reshapeDefinition.outputShape({ targetShape: [-1, 4] }, [16], 'reshape_1'); // [4, 4]
 * ```
 */
export const reshapeDefinition: LayerDefinition<ReshapeConfig> = {
  type: 'reshape',
  configure: (r) => {
    const targetShape = r.integers('targetShape', (v) => v >= 1 || v === -1, 'positive integers (or one -1)');
    if (targetShape.filter((d) => d === -1).length > 1) r.fail('targetShape', `targetShape may hold one -1, got ${JSON.stringify(targetShape)}`);
    return { targetShape };
  },
  toJSON: (c) => ({ targetShape: [...c.targetShape] }),
  outputShape: (c, inputShape, where) => {
    const size = inputShape.reduce((a, b) => a * b, 1);
    const known = c.targetShape.reduce((a, b) => (b === -1 ? a : a * b), 1);
    const free = c.targetShape.indexOf(-1);
    if (free >= 0 ? size % known !== 0 : known !== size) {
      throw new ModelError(`${where}: cannot reshape an example of [${inputShape.join(', ')}] (${size} values) to [${c.targetShape.join(', ')}]`);
    }
    return c.targetShape.map((d) => (d === -1 ? size / known : d));
  },
  forward: (c, x) => {
    const size = x.shape.slice(1).reduce<number>((a, b) => a * (b as number), 1);
    const known = c.targetShape.reduce((a, b) => (b === -1 ? a : a * b), 1);
    return { output: x.reshape([-1, ...c.targetShape.map((d) => (d === -1 ? size / known : d))]) };
  },
};

/**
 * A reshape layer, e.g. the 64 pixels of a digit as an 8x8 one-channel image.
 * @example
 * ```ts
 * sequential([reshape({ targetShape: [8, 8, 1] }), conv2d({ filters: 8, kernelSize: 3 })], { inputShape: [64] });
 * ```
 */
export function reshape(options: ReshapeOptions): Layer<ReshapeConfig> {
  return makeLayer(reshapeDefinition, options);
}
