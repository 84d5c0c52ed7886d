/**
 * `batchNormalization`: Keras' `BatchNormalization`. In training, each feature (the `axis`,
 * default the last: channels) is normalized by the batch's mean and variance (over every other
 * axis, the batch included), and after each step the moving statistics follow Keras' formula
 * `moving = momentum * moving + (1 - momentum) * batch` with `momentum: 0.99`; in `predict` and
 * `evaluate` the moving statistics are used. The variance is the population one, in the two-pass
 * form that does not cancel. Keras' defaults: `epsilon: 1e-3`, `gamma` ones, `beta` zeros,
 * moving mean zeros, moving variance ones. PyTorch writes the same average with
 * `momentum = 1 - keras_momentum` (its 0.1 is Keras' 0.9), uses `eps = 1e-5`, and keeps an
 * unbiased running variance; to match a PyTorch model pass `momentum: 0.9, epsilon: 1e-5`.
 * The moving statistics are weights (saved, listed by `getWeights`) that gradients never touch.
 * @module
 */
import type { Initializer, InitializerName } from '../initializers.js';
import { moments, normalize, resolveAxis } from './_normalization.js';
import type { Layer, LayerDefinition, WeightSpec } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `batchNormalization`, Keras' names.
 * @example
 * ```ts
 * const options: BatchNormalizationOptions = { momentum: 0.9, epsilon: 1e-5 }; // PyTorch's defaults
 * ```
 */
export interface BatchNormalizationOptions {
  /** The feature axis, counted with the batch (default -1: the last, channels). */
  readonly axis?: number;
  /** Weight of the old moving statistics in each update (default 0.99). */
  readonly momentum?: number;
  /** Added to the variance (default 1e-3). */
  readonly epsilon?: number;
  /** Add the learned offset `beta` (default true). */
  readonly center?: boolean;
  /** Multiply by the learned scale `gamma` (default true). */
  readonly scale?: boolean;
  /** Default `zeros`. */
  readonly betaInitializer?: Initializer | InitializerName;
  /** Default `ones`. */
  readonly gammaInitializer?: Initializer | InitializerName;
  /** Default `zeros`. */
  readonly movingMeanInitializer?: Initializer | InitializerName;
  /** Default `ones`. */
  readonly movingVarianceInitializer?: Initializer | InitializerName;
  readonly name?: string;
}

/**
 * A batch normalization's checked config.
 * @example
 * ```ts
 * batchNormalization().config.momentum; // 0.99
 * ```
 */
export interface BatchNormalizationConfig {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
}

/**
 * The batch normalization's definition (registered as `batchNormalization`).
 * @example
 * ```ts
 * batchNormalizationDefinition.weights!(batchNormalization().config, [4, 4, 8]).map((w) => w.name); // gamma, beta, moving_mean, moving_variance
 * ```
 */
export const batchNormalizationDefinition: LayerDefinition<BatchNormalizationConfig> = {
  type: 'batchNormalization',
  configure: (r) => ({
    axis: r.integer('axis', { default: -1 }),
    momentum: r.number('momentum', { default: 0.99, min: 0, max: 1 }),
    epsilon: r.number('epsilon', { default: 1e-3, min: 0, max: Infinity, exclusive: true }),
    center: r.boolean('center', { default: true }),
    scale: r.boolean('scale', { default: true }),
    betaInitializer: r.initializer('betaInitializer', { default: 'zeros' }),
    gammaInitializer: r.initializer('gammaInitializer', { default: 'ones' }),
    movingMeanInitializer: r.initializer('movingMeanInitializer', { default: 'zeros' }),
    movingVarianceInitializer: r.initializer('movingVarianceInitializer', { default: 'ones' }),
  }),
  toJSON: (c) => ({
    axis: c.axis, momentum: c.momentum, epsilon: c.epsilon, center: c.center, scale: c.scale, betaInitializer: c.betaInitializer.name,
    gammaInitializer: c.gammaInitializer.name, movingMeanInitializer: c.movingMeanInitializer.name, movingVarianceInitializer: c.movingVarianceInitializer.name,
  }),
  outputShape: (c, inputShape, where) => {
    resolveAxis(c.axis, inputShape.length + 1, where);
    return [...inputShape];
  },
  weights: (c, inputShape) => {
    const features = inputShape[resolveAxis(c.axis, inputShape.length + 1, 'batchNormalization') - 1]!;
    const shape = [features];
    const fans = { fanIn: features, fanOut: features };
    const specs: WeightSpec[] = [];
    if (c.scale) specs.push({ name: 'gamma', shape, initializer: c.gammaInitializer, fans, trainable: true });
    if (c.center) specs.push({ name: 'beta', shape, initializer: c.betaInitializer, fans, trainable: true });
    specs.push({ name: 'moving_mean', shape, initializer: c.movingMeanInitializer, fans, trainable: false });
    specs.push({ name: 'moving_variance', shape, initializer: c.movingVarianceInitializer, fans, trainable: false });
    return specs;
  },
  dependsOnMode: true,
  forward: (c, x, weights, { training }) => {
    const rank = x.shape.length;
    const axis = resolveAxis(c.axis, rank, 'batchNormalization');
    const features = x.shape[axis] as number;
    const broadcast = x.shape.map((_, i) => (i === axis ? features : 1));
    const { gamma, beta } = weights;
    if (!training) {
      const centered = x.sub(weights.moving_mean!.reshape(broadcast));
      return { output: normalize(centered, weights.moving_variance!.reshape(broadcast), c.epsilon, gamma, beta, broadcast) };
    }
    const axes = x.shape.map((_, i) => i).filter((i) => i !== axis);
    const { mean, centered, variance } = moments(x, axes);
    return {
      output: normalize(centered, variance, c.epsilon, gamma, beta, broadcast),
      movingUpdates: [
        { weight: 'moving_mean', value: mean.reshape([features]), momentum: c.momentum },
        { weight: 'moving_variance', value: variance.reshape([features]), momentum: c.momentum },
      ],
    };
  },
};

/**
 * A batch normalization layer.
 * @example
 * ```ts
 * sequential([conv2d({ filters: 8, kernelSize: 3 }), batchNormalization(), activation({ activation: 'relu' })], { inputShape: [8, 8, 1] });
 * ```
 */
export function batchNormalization(options: BatchNormalizationOptions = {}): Layer<BatchNormalizationConfig> {
  return makeLayer(batchNormalizationDefinition, options);
}
