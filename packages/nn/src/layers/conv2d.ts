/**
 * `conv2d`: Keras' `Conv2D`, a 2-D convolution of NHWC images with a kernel of shape
 * `[kh, kw, inChannels, filters]` (Keras' HWIO layout), plus a bias and an activation. Keras'
 * defaults: `strides: 1`, `padding: 'valid'`, `dilationRate: 1`, `glorotUniform` kernel with fans
 * `kh * kw * inChannels` and `kh * kw * filters`, `zeros` bias. Exported as `layers.conv2d`
 * (core's `conv2d` is the op).
 * @module
 */
import { conv2d as convolve } from '@stablegrad/core';
import { type Activation, applyActivation } from '../activations.js';
import type { Initializer, InitializerName } from '../initializers.js';
import { imageShape, slidingSize } from './_spatial.js';
import type { Layer, LayerDefinition, WeightSpec } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `layers.conv2d`, Keras' names.
 * @example
 * ```ts
 * const options: Conv2dLayerOptions = { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' };
 * ```
 */
export interface Conv2dLayerOptions {
  /** Output channels. */
  readonly filters: number;
  /** Window size: one number for both axes, or `[rows, columns]`. */
  readonly kernelSize: number | readonly [number, number];
  /** Default 1. */
  readonly strides?: number | readonly [number, number];
  /** Default `'valid'` (no padding). */
  readonly padding?: 'valid' | 'same';
  /** Default 1. */
  readonly dilationRate?: number | readonly [number, number];
  /** Default `linear`. */
  readonly activation?: Activation;
  /** Default true. */
  readonly useBias?: boolean;
  /** Default `glorotUniform`. */
  readonly kernelInitializer?: Initializer | InitializerName;
  /** Default `zeros`. */
  readonly biasInitializer?: Initializer | InitializerName;
  readonly name?: string;
}

/**
 * A conv2d layer's checked config.
 * @example
 * ```ts
 * layers.conv2d({ filters: 8, kernelSize: 3 }).config.kernelSize; // [3, 3]
 * ```
 */
export interface Conv2dLayerConfig {
  readonly filters: number;
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: readonly [number, number];
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
}

/**
 * The conv2d layer's definition (registered as `conv2d`).
 * @example
 * ```ts
 * conv2dDefinition.outputShape(layers.conv2d({ filters: 8, kernelSize: 3 }).config, [8, 8, 1], 'conv2d_1'); // [6, 6, 8]
 * ```
 */
export const conv2dDefinition: LayerDefinition<Conv2dLayerConfig> = {
  type: 'conv2d',
  configure: (r) => ({
    filters: r.positiveInteger('filters'),
    kernelSize: r.pair('kernelSize'),
    strides: r.pair('strides', { default: 1 }),
    padding: r.oneOf('padding', ['valid', 'same'] as const, { default: 'valid' }),
    dilationRate: r.pair('dilationRate', { default: 1 }),
    activation: r.activation('activation', { default: 'linear' }),
    useBias: r.boolean('useBias', { default: true }),
    kernelInitializer: r.initializer('kernelInitializer', { default: 'glorotUniform' }),
    biasInitializer: r.initializer('biasInitializer', { default: 'zeros' }),
  }),
  toJSON: (c) => ({
    filters: c.filters, kernelSize: [...c.kernelSize], strides: [...c.strides], padding: c.padding, dilationRate: [...c.dilationRate],
    activation: c.activation, useBias: c.useBias, kernelInitializer: c.kernelInitializer.name, biasInitializer: c.biasInitializer.name,
  }),
  outputShape: (c, inputShape, where) => {
    const [height, width] = imageShape(inputShape, where, 'conv2d');
    return [
      slidingSize(height, c.kernelSize[0], c.strides[0], c.dilationRate[0], c.padding, where, 'height'),
      slidingSize(width, c.kernelSize[1], c.strides[1], c.dilationRate[1], c.padding, where, 'width'),
      c.filters,
    ];
  },
  weights: (c, inputShape) => {
    const [kh, kw] = c.kernelSize;
    const channels = inputShape[2]!;
    // Keras' fans for a convolution: the receptive field times the channels on each side.
    const fans = { fanIn: kh * kw * channels, fanOut: kh * kw * c.filters };
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [kh, kw, channels, c.filters], initializer: c.kernelInitializer, fans, trainable: true }];
    if (c.useBias) specs.push({ name: 'bias', shape: [c.filters], initializer: c.biasInitializer, fans, trainable: true });
    return specs;
  },
  forward: (c, x, { kernel, bias }) => {
    const convolved = convolve(x, kernel!, { strides: [...c.strides], padding: c.padding, dilations: [...c.dilationRate] });
    const preActivation = bias === undefined ? convolved : convolved.add(bias);
    return { output: applyActivation(c.activation, preActivation), preActivation };
  },
  activation: (c) => c.activation,
};

/**
 * A 2-D convolution layer (Keras' `Conv2D`), NHWC.
 * @example
 * ```ts
 * sequential([layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }), maxPooling2d(), flatten(), dense({ units: 10, activation: 'softmax' })], { inputShape: [8, 8, 1] });
 * ```
 */
export function conv2d(options: Conv2dLayerOptions): Layer<Conv2dLayerConfig> {
  return makeLayer(conv2dDefinition, options);
}
