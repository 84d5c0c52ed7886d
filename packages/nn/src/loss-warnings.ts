/**
 * The warnings `compile` gives, as Keras does, when a loss and the model's output disagree:
 * `fromLogits: true` on probabilities, a probability loss on logits, or a head the stabilize
 * pass cannot fuse with this loss.
 * @module
 */
import { isProbabilityActivation } from './activations.js';
import { activationOf, type BuiltLayer, headLayer } from './layers/layer.js';
import type { Loss } from './losses/index.js';

/**
 * The warnings for `loss` on a model of these layers.
 * @example
 * ```ts
 * lossWarnings(binaryCrossentropy({ fromLogits: true }), model.layers); // ["binaryCrossentropy received fromLogits: true, but ..."]
 * ```
 */
export function lossWarnings(loss: Loss, layers: readonly BuiltLayer[]): string[] {
  const last = headLayer(layers) ?? layers[layers.length - 1]!;
  const activation = activationOf(last);
  const { name, fromLogits } = loss.config;
  if (name === 'meanSquaredError') return [];
  const probability = isProbabilityActivation(activation);
  if (fromLogits && probability) {
    return [`${name} received fromLogits: true, but the output of '${last.name}' comes from a ${activation} activation and thus does not represent logits. Was this intended? (use activation 'linear', or drop fromLogits)`];
  }
  if (!fromLogits && !probability) {
    return [`${name} expects probabilities, but '${last.name}' has activation '${activation}'; pass fromLogits: true if its outputs are logits`];
  }
  const expected = name === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
  if (!fromLogits && activation !== expected) {
    return [`${name} pairs with a ${expected} output, but '${last.name}' uses ${activation}; the stabilize pass only fuses ${expected} + ${loss.description}`];
  }
  return [];
}
