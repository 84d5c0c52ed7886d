/**
 * The activations a dense layer can apply, by their Keras names. `softmax` and `sigmoid` mark
 * an output as probabilities: losses without `fromLogits` expect them, and the stabilize pass
 * fuses them with the loss.
 * @module
 */
import { type Node, relu, sigmoid, softmax, tanh } from '@stablegrad/core';
import { ModelError } from './errors.js';

/**
 * The activation names: `linear` (none: the layer outputs logits), `relu`, `sigmoid`, `softmax`
 * (over the last axis), `tanh`.
 * @example
 * ```ts
 * dense({ units: 10, activation: 'softmax' });
 * ```
 */
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'softmax' | 'tanh';

const ACTIVATIONS: { readonly [name in Activation]: (z: Node) => Node } = {
  linear: (z) => z,
  relu: (z) => relu(z),
  sigmoid: (z) => sigmoid(z),
  softmax: (z) => softmax(z, -1),
  tanh: (z) => tanh(z),
};

/**
 * Applies an activation by name to a layer's pre-activation `z`.
 * @example
 * ```ts
 * applyActivation('relu', x.matmul(W).add(b));
 * ```
 */
export function applyActivation(name: Activation, z: Node): Node {
  return ACTIVATIONS[name](z);
}

/**
 * Checks an activation name (from user code or a saved file); unknown names are a `ModelError`
 * listing the known ones.
 * @example
 * ```ts
 * checkActivation('gelu', 'dense_1'); // ModelError: dense_1: unknown activation "gelu"; known: linear, relu, ...
 * ```
 */
export function checkActivation(name: unknown, where: string): Activation {
  if (typeof name === 'string' && Object.hasOwn(ACTIVATIONS, name)) return name as Activation;
  throw new ModelError(`${where}: unknown activation ${JSON.stringify(name)}; known: ${Object.keys(ACTIVATIONS).join(', ')}`);
}

/** True for the activations whose output is a probability (sigmoid, softmax). */
export function isProbabilityActivation(name: Activation): boolean {
  return name === 'sigmoid' || name === 'softmax';
}
