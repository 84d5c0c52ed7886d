/**
 * `dropout`: in training, each value is kept with probability `1 - rate` and scaled by
 * `1 / (1 - rate)`, else zeroed (inverted dropout, as Keras and PyTorch); in `predict` and
 * `evaluate` the layer passes its input through. The mask is an input of the training graph
 * (`dropout_2/mask`) that the model fills at every step from its seed and the step count, so a
 * run repeats bit for bit and a loaded model goes on with the same masks.
 * @module
 */
import { input } from '@stablegrad/core';
import type { SeededRandom } from '../random.js';
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `dropout`.
 * @example
 * ```ts
 * const options: DropoutOptions = { rate: 0.25 };
 * ```
 */
export interface DropoutOptions {
  /** The fraction of values dropped in training, in [0, 1). */
  readonly rate: number;
  readonly name?: string;
}

/**
 * A dropout layer's checked config.
 * @example
 * ```ts
 * dropout({ rate: 0.5 }).config.rate; // 0.5
 * ```
 */
export interface DropoutConfig {
  readonly rate: number;
}

/**
 * `size` mask values: `1 / (1 - rate)` with probability `1 - rate`, else 0.
 * @example
 * ```ts
 * keepMask(4, 0.5, seededRandom(1)); // e.g. [2, 0, 0, 2]
 * ```
 */
export function keepMask(size: number, rate: number, random: SeededRandom): Float64Array {
  const out = new Float64Array(size);
  const scale = 1 / (1 - rate);
  for (let i = 0; i < size; i++) out[i] = random.uniform() >= rate ? scale : 0;
  return out;
}

/**
 * The dropout layer's definition (registered as `dropout`).
 * @example
 * ```ts
 * dropoutDefinition.dependsOnMode; // true
 * ```
 */
export const dropoutDefinition: LayerDefinition<DropoutConfig> = {
  type: 'dropout',
  configure: (r) => {
    const rate = r.number('rate', { min: 0, max: 1 });
    if (rate === 1) r.fail('rate', 'rate must be below 1 (a rate of 1 drops everything), got 1');
    return { rate };
  },
  toJSON: (c) => ({ rate: c.rate }),
  outputShape: (_c, inputShape) => [...inputShape],
  dependsOnMode: true,
  forward: (c, x, _weights, { training }) => {
    if (!training || c.rate === 0) return { output: x };
    const mask = input(x.shape, { name: 'mask', dtype: x.dtype });
    return { output: x.mul(mask), stepInputs: [{ node: mask, fill: (size, random) => keepMask(size, c.rate, random) }] };
  },
};

/**
 * A dropout layer (Keras' `Dropout(rate)`), active only while training.
 * @example
 * ```ts
 * sequential([dense({ units: 64, activation: 'relu' }), dropout({ rate: 0.25 }), dense({ units: 10, activation: 'softmax' })], { inputShape: [64] });
 * ```
 */
export function dropout(options: DropoutOptions): Layer<DropoutConfig> {
  return makeLayer(dropoutDefinition, options);
}
