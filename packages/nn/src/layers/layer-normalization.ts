/**
 * `layerNormalization`: each example normalized over its feature axes (Keras'
 * `LayerNormalization`): `(x - mean) / sqrt(variance + epsilon) * gamma + beta`, mean and
 * variance per example, the variance in the two-pass form that does not cancel. Keras'
 * defaults: `axis: -1`, `epsilon: 1e-3` (PyTorch's `LayerNorm` uses 1e-5), `center` and `scale`
 * on, `gamma` ones and `beta` zeros of the normalized axes' shape. Same in training and inference.
 * @module
 */
import type { Initializer, InitializerName } from '../initializers.js';
import { moments, normalize, resolveAxis } from './_normalization.js';
import type { Layer, LayerDefinition, WeightSpec } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `layerNormalization`, Keras' names.
 * @example
 * ```ts
 * const options: LayerNormalizationOptions = { axis: -1, epsilon: 1e-5 };
 * ```
 */
export interface LayerNormalizationOptions {
  /** The axis or axes to normalize over, counted with the batch (default -1: the last). */
  readonly axis?: number | readonly number[];
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
  readonly name?: string;
}

/**
 * A layer normalization's checked config.
 * @example
 * ```ts
 * layerNormalization().config.epsilon; // 0.001
 * ```
 */
export interface LayerNormalizationConfig {
  readonly axis: readonly number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
}

// The normalized axes as indices of the full input (batch = 0), sorted.
function axesOf(c: LayerNormalizationConfig, inputShape: readonly number[], where: string): number[] {
  const axes = c.axis.map((a) => resolveAxis(a, inputShape.length + 1, where));
  return [...new Set(axes)].sort((a, b) => a - b);
}

/**
 * The layer normalization's definition (registered as `layerNormalization`).
 * @example
 * ```ts
 * layerNormalizationDefinition.weights!(layerNormalization().config, [10]); // gamma [10], beta [10]
 * ```
 */
export const layerNormalizationDefinition: LayerDefinition<LayerNormalizationConfig> = {
  type: 'layerNormalization',
  configure: (r) => {
    const raw = r.raw('axis');
    const axis = typeof raw === 'number' || raw === undefined ? [r.integer('axis', { default: -1 })] : r.integers('axis', () => true, 'integers');
    return {
      axis,
      epsilon: r.number('epsilon', { default: 1e-3, min: 0, max: Infinity, exclusive: true }),
      center: r.boolean('center', { default: true }),
      scale: r.boolean('scale', { default: true }),
      betaInitializer: r.initializer('betaInitializer', { default: 'zeros' }),
      gammaInitializer: r.initializer('gammaInitializer', { default: 'ones' }),
    };
  },
  toJSON: (c) => ({
    axis: [...c.axis], epsilon: c.epsilon, center: c.center, scale: c.scale, betaInitializer: c.betaInitializer.name, gammaInitializer: c.gammaInitializer.name,
  }),
  outputShape: (c, inputShape, where) => {
    axesOf(c, inputShape, where);
    return [...inputShape];
  },
  weights: (c, inputShape) => {
    const shape = axesOf(c, inputShape, 'layerNormalization').map((a) => inputShape[a - 1]!);
    const size = shape.reduce((a, b) => a * b, 1);
    const fans = { fanIn: size, fanOut: size };
    const specs: WeightSpec[] = [];
    if (c.scale) specs.push({ name: 'gamma', shape, initializer: c.gammaInitializer, fans, trainable: true });
    if (c.center) specs.push({ name: 'beta', shape, initializer: c.betaInitializer, fans, trainable: true });
    return specs;
  },
  forward: (c, x, { gamma, beta }) => {
    const axes = axesOf(c, x.shape.slice(1) as number[], 'layerNormalization');
    const { centered, variance } = moments(x, axes);
    // gamma and beta have the normalized axes' shape; size-1 axes elsewhere line them up.
    const broadcast = x.shape.map((d, i) => (axes.includes(i) ? d as number : 1));
    return { output: normalize(centered, variance, c.epsilon, gamma, beta, broadcast) };
  },
};

/**
 * A layer normalization layer.
 * @example
 * ```ts
 * sequential([dense({ units: 64 }), layerNormalization(), activation({ activation: 'relu' })], { inputShape: [20] });
 * ```
 */
export function layerNormalization(options: LayerNormalizationOptions = {}): Layer<LayerNormalizationConfig> {
  return makeLayer(layerNormalizationDefinition, options);
}
