/**
 * Builds a sequential network's graph: the input `x` (`['batch', features]`), each layer under
 * its own scope, in order. A pure function of the layer configs and either a seeded generator
 * (new weights) or saved weight values, so a model can rebuild its graph with its current
 * weights at any time (`toGraph`, `save`).
 * @module
 */
import { type DType, input, MAX_ELEMENTS, type Node } from '@stablegrad/core';
import { buildDense, type BuiltDense, type DenseLayer } from './dense.js';
import { ModelError } from './errors.js';
import type { SeededRandom } from './random.js';

/**
 * A built network: its input, its layers and its output.
 * @example
 * ```ts
 * const net = buildNetwork([dense({ units: 3 })], 4, 'float32', { random: seededRandom(1) });
 * net.output.shape; // ['batch', 3]
 * ```
 */
export interface Network {
  readonly input: Node;
  readonly layers: readonly BuiltDense[];
  readonly output: Node;
  /** Every trainable param, layer by layer (kernel, then bias). */
  readonly params: readonly Node[];
}

/**
 * Builds the network. Layer names default to `dense_1`, `dense_2`, ... by position (skipping
 * numbers a named layer took); names must be unique. Weight values, when given, are the kernels and biases in `params` order.
 * @example
 * ```ts
 * buildNetwork(layers, 64, 'float32', { random: seededRandom(42) });
 * ```
 */
export function buildNetwork(
  layers: readonly DenseLayer[], features: number, dtype: DType,
  source: { readonly random: SeededRandom } | { readonly weights: readonly ArrayLike<number>[] },
  maxParams = DEFAULT_MAX_PARAMS,
): Network {
  const names = layerNames(layers);
  // Arithmetic first: nothing is drawn or allocated for a model over the limit.
  const planned = planWeights(layers, names, features);
  checkWeightCount(planned, maxParams, 'sequential');
  if ('weights' in source && source.weights.length !== planned.length) {
    throw new ModelError(`sequential: these layers have ${planned.length} weights (${planned.map((w) => w.path).join(', ')}), ${source.weights.length} were given`);
  }
  const x = input(['batch', features], { name: 'x', dtype });
  const built: BuiltDense[] = [];
  let weight = 0;
  let h = x;
  layers.forEach((config, i) => {
    const values = 'weights' in source
      ? { kernel: source.weights[weight++]!, ...(config.useBias ? { bias: source.weights[weight++]! } : {}) }
      : undefined;
    const layer = buildDense(config, names[i]!, h, dtype, 'random' in source ? source.random : NO_RANDOM, values);
    built.push(layer);
    h = layer.output;
  });
  const params = built.flatMap((layer) => (layer.bias === undefined ? [layer.kernel] : [layer.kernel, layer.bias]));
  return { input: x, layers: built, output: h, params };
}

// Loading from saved weights draws nothing; a draw would be a bug.
const NO_RANDOM: SeededRandom = {
  uniform: () => { throw new ModelError('internal: no random numbers when weights are given'); },
  normal: () => { throw new ModelError('internal: no random numbers when weights are given'); },
};

/**
 * The default of `maxParams` (`sequential`, `loadModel`): at most 100,000,000 trainable values
 * in a model (400 MB of float32 weights, twice that in float64, and as much again per optimizer
 * slot). Larger models pass a larger `maxParams`.
 * @example
 * ```ts
 * sequential(layers, { inputShape: [100_000], maxParams: 2 * DEFAULT_MAX_PARAMS });
 * ```
 */
export const DEFAULT_MAX_PARAMS = 100_000_000;

/**
 * The layer names: given ones, and `dense_<position>` for the others (the next free number when
 * a user took that name). Names must be unique and must not be `x`, `y` or `loss`.
 * @example
 * ```ts
 * layerNames([dense({ units: 3 }), dense({ units: 1, name: 'out' })]); // ['dense_1', 'out']
 * ```
 */
export function layerNames(layers: readonly DenseLayer[]): string[] {
  if (layers.length === 0) throw new ModelError('sequential: a model needs at least one layer');
  // Unnamed layers are dense_<position>, or the next free number when a user took that name.
  const given = new Set(layers.flatMap((layer) => (layer.name === undefined ? [] : [layer.name])));
  let next = 0;
  const names = layers.map((layer, i) => {
    if (layer.name !== undefined) return layer.name;
    next = Math.max(next, i + 1);
    while (given.has(`dense_${next}`)) next++;
    given.add(`dense_${next}`);
    return `dense_${next++}`;
  });
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new ModelError(`sequential: two layers are named '${duplicate}'; layer names must be unique`);
  if (names.includes('x') || names.includes('y') || names.includes('loss')) {
    throw new ModelError(`sequential: 'x', 'y' and 'loss' name the model's inputs and loss; choose another layer name`);
  }

  return names;
}

/**
 * One weight a network will have: its path, shape and number of values.
 * @example
 * ```ts
 * const w: PlannedWeight = { path: 'dense_1/kernel', shape: [64, 25], size: 1600, layer: 0 };
 * ```
 */
export interface PlannedWeight {
  readonly path: string;
  readonly shape: readonly [number] | readonly [number, number];
  /** Product of the shape (a double: exact up to 2^53, only compared with limits beyond). */
  readonly size: number;
  /** Index of the layer it belongs to. */
  readonly layer: number;
}

/**
 * The weights of these layers on `features` inputs, kernels and biases in order, computed
 * from the configs alone (nothing is allocated).
 * @example
 * ```ts
 * planWeights([dense({ units: 25 })], ['dense_1'], 64); // [{ path: 'dense_1/kernel', shape: [64, 25], ... }, { path: 'dense_1/bias', ... }]
 * ```
 */
export function planWeights(layers: readonly DenseLayer[], names: readonly string[], features: number): PlannedWeight[] {
  const planned: PlannedWeight[] = [];
  let inputs = features;
  layers.forEach((layer, i) => {
    planned.push({ path: `${names[i]}/kernel`, shape: [inputs, layer.units], size: inputs * layer.units, layer: i });
    if (layer.useBias) planned.push({ path: `${names[i]}/bias`, shape: [layer.units], size: layer.units, layer: i });
    inputs = layer.units;
  });
  return planned;
}

/**
 * Throws a ModelError (naming the first weight that passes the limit) when the planned weights
 * hold more than `maxParams` values together, or one holds more than a tensor may (core's
 * `MAX_ELEMENTS`).
 * @example
 * ```ts
 * checkWeightCount(planWeights(layers, names, 1e9), 1e8, 'sequential'); // ModelError: sequential: ... 'dense_1/kernel' [1000000000, 25] ...
 * ```
 */
export function checkWeightCount(planned: readonly PlannedWeight[], maxParams: number, what: string): number {
  let total = 0;
  for (const w of planned) {
    total += w.size;
    if (total > maxParams) {
      throw new ModelError(`${what}: '${w.path}' [${w.shape.join(', ')}] brings the model to ${total.toLocaleString('en-US')} weights or more, above maxParams = ${maxParams.toLocaleString('en-US')}; pass a larger maxParams to build a model this large`);
    }
    if (w.size > MAX_ELEMENTS) {
      throw new ModelError(`${what}: '${w.path}' [${w.shape.join(', ')}] would hold ${w.size.toLocaleString('en-US')} values, more than the ${MAX_ELEMENTS.toLocaleString('en-US')} one tensor may hold (core's MAX_ELEMENTS)`);
    }
  }
  return total;
}
