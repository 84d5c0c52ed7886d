/**
 * `activation`: an activation as a layer of its own (Keras' `Activation`), e.g. a softmax head
 * after a linear dense layer or a relu after batch normalization. No weights.
 * @module
 */
import { type Activation, applyActivation } from '../activations.js';
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `activation`.
 * @example
 * ```ts
 * const options: ActivationOptions = { activation: 'softmax' };
 * ```
 */
export interface ActivationOptions {
  readonly activation: Activation;
  readonly name?: string;
}

/**
 * An activation layer's checked config.
 * @example
 * ```ts
 * activation({ activation: 'relu' }).config.activation; // 'relu'
 * ```
 */
export interface ActivationConfig {
  readonly activation: Activation;
}

/**
 * The activation layer's definition (registered as `activation`).
 * @example
 * ```ts
 * activationDefinition.outputShape({ activation: 'relu' }, [10], 'activation_2'); // [10]
 * ```
 */
export const activationDefinition: LayerDefinition<ActivationConfig> = {
  type: 'activation',
  configure: (r) => ({ activation: r.activation('activation') }),
  toJSON: (c) => ({ activation: c.activation }),
  outputShape: (_c, inputShape) => [...inputShape],
  forward: (c, x) => ({ output: applyActivation(c.activation, x), preActivation: x }),
  activation: (c) => c.activation,
};

/**
 * An activation layer. Softmax is over the last axis.
 * @example
 * ```ts
 * sequential([dense({ units: 10 }), activation({ activation: 'softmax' })], { inputShape: [64] });
 * ```
 */
export function activation(options: ActivationOptions): Layer<ActivationConfig> {
  return makeLayer(activationDefinition, options);
}
