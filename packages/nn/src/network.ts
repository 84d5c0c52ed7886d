/**
 * Builds a sequential network's graph: the input `x` (`['batch', features]`), each layer under
 * its own scope, in order. A pure function of the layer configs and either a seeded generator
 * (new weights) or saved weight values, so a model can rebuild its graph with its current
 * weights at any time (`toGraph`, `save`).
 * @module
 */
import { type DType, input, type Node } from '@stablegrad/core';
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
): Network {
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
