/**
 * `dense`: the fully connected layer, `activation(x W + b)`, with `W` of shape
 * `[inputs, units]` (Keras' kernel layout) under the layer's scope (`dense_3/kernel`).
 * @module
 */
import { type Activation, applyActivation } from '../activations.js';
import { ModelError } from '../errors.js';
import type { Initializer, InitializerName } from '../initializers.js';
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `dense`, Keras' names.
 * @example
 * ```ts
 * const options: DenseOptions = { units: 10, activation: 'softmax', name: 'classifier' };
 * ```
 */
export interface DenseOptions {
  /** Output size. */
  readonly units: number;
  /** Default `linear` (the layer outputs logits). */
  readonly activation?: Activation;
  /** Add a bias `b` (default true). */
  readonly useBias?: boolean;
  /** Default `glorotUniform`, as in Keras. */
  readonly kernelInitializer?: Initializer | InitializerName;
  /** Default `zeros`. */
  readonly biasInitializer?: Initializer | InitializerName;
  /** Scope name of the layer's nodes; default `dense_<position>` (1-based). */
  readonly name?: string;
}

/**
 * A dense layer's checked config.
 * @example
 * ```ts
 * dense({ units: 3 }).config.activation; // 'linear'
 * ```
 */
export interface DenseConfig {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
}

/**
 * The dense layer's definition (registered as `dense`).
 * @example
 * ```ts
 * denseDefinition.outputShape(dense({ units: 3 }).config, [64], 'dense_1'); // [3]
 * ```
 */
export const denseDefinition: LayerDefinition<DenseConfig> = {
  type: 'dense',
  configure: (r) => ({
    units: r.positiveInteger('units'),
    activation: r.activation('activation', { default: 'linear' }),
    useBias: r.boolean('useBias', { default: true }),
    kernelInitializer: r.initializer('kernelInitializer', { default: 'glorotUniform' }),
    biasInitializer: r.initializer('biasInitializer', { default: 'zeros' }),
  }),
  toJSON: (c) => ({
    units: c.units, activation: c.activation, useBias: c.useBias, kernelInitializer: c.kernelInitializer.name, biasInitializer: c.biasInitializer.name,
  }),
  outputShape: (c, inputShape, where) => {
    if (inputShape.length !== 1) throw new ModelError(`${where}: dense expects inputs of shape [batch, features], got [batch, ${inputShape.join(', ')}]; put flatten() before it`);
    return [c.units];
  },
  weights: (c, [inputs]) => {
    const fans = { fanIn: inputs!, fanOut: c.units };
    return [
      { name: 'kernel', shape: [inputs!, c.units], initializer: c.kernelInitializer, fans, trainable: true },
      ...(c.useBias ? [{ name: 'bias', shape: [c.units], initializer: c.biasInitializer, fans, trainable: true }] : []),
    ];
  },
  forward: (c, x, { kernel, bias }) => {
    const product = x.matmul(kernel!);
    const preActivation = bias === undefined ? product : product.add(bias);
    return { output: applyActivation(c.activation, preActivation), preActivation };
  },
  activation: (c) => c.activation,
};

/**
 * A fully connected layer: `activation(x W + b)` with `W` of shape `[inputs, units]`.
 * @example
 * ```ts
 * const model = sequential([
 *   dense({ units: 25, activation: 'relu' }),
 *   dense({ units: 10, activation: 'softmax' }),
 * ], { inputShape: [64] });
 * ```
 */
export function dense(options: DenseOptions): Layer<DenseConfig> {
  return makeLayer(denseDefinition, options);
}
