/**
 * The `Layer` interface: what every layer of a `sequential` model is, library or user-defined.
 * A layer is a plain, checked config plus its `LayerDefinition` — one object that says, from the
 * config alone, the layer's output shape and weights (arithmetic, nothing allocated), how it
 * computes its output as graph ops (in training or in inference mode), and what `summary`,
 * `save` and the pictures show of it. A new layer is one file exporting its definition and its
 * maker, plus one line in the registry (`layers/registry.ts`); user layers go through
 * `registerLayer`, under the same contract.
 * @module
 */
import type { Node } from '@stablegrad/core';
import type { Activation } from '../activations.js';
import type { Fans, Initializer } from '../initializers.js';
import type { SeededRandom } from '../random.js';
import type { ConfigReader } from './config-reader.js';

/**
 * A JSON value a layer config may hold: what `save` writes and `loadModel` reads back.
 * @example
 * ```ts
 * const value: ConfigValue = { units: 3, activation: 'relu', kernelSize: [3, 3] };
 * ```
 */
export type ConfigValue = null | boolean | number | string | readonly ConfigValue[] | { readonly [key: string]: ConfigValue };

/**
 * One weight a layer declares: its name inside the layer's scope, its shape, how it is filled,
 * and whether training changes it by gradients (`trainable`) or by the layer's own updates
 * (batch normalization's moving statistics).
 * @example
 * ```ts
 * const kernel: WeightSpec = { name: 'kernel', shape: [64, 10], initializer: glorotUniform(), fans: { fanIn: 64, fanOut: 10 }, trainable: true };
 * ```
 */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly initializer: Initializer;
  readonly fans: Fans;
  readonly trainable: boolean;
}

/**
 * The mode a layer's forward pass is built in: `training` for what `fit` runs, inference for
 * `predict` and `evaluate` (dropout off, batch normalization on its moving statistics).
 * @example
 * ```ts
 * definition.forward(config, x, weights, { training: false });
 * ```
 */
export interface LayerMode {
  readonly training: boolean;
}

/**
 * An input a training-mode layer needs fed afresh at every step (dropout's mask): the input
 * node, and how to fill it for a batch of that shape from the model's seeded generator.
 * @example
 * ```ts
 * const mask: StepInput = { node: input(x.shape, { name: 'mask' }), fill: (size, random) => keepMask(size, 0.5, random) };
 * ```
 */
export interface StepInput {
  readonly node: Node;
  /** `size` values for a batch (row-major, the batch's shape), drawn from `random`. */
  fill(size: number, random: SeededRandom): ArrayLike<number>;
}

/**
 * A moving average a training step updates (batch normalization's statistics), Keras' formula:
 * `weight = momentum * weight + (1 - momentum) * value`, with `value` computed by the step.
 * @example
 * ```ts
 * const update: MovingUpdate = { weight: 'moving_mean', value: batchMean, momentum: 0.99 };
 * ```
 */
export interface MovingUpdate {
  readonly weight: string;
  readonly value: Node;
  readonly momentum: number;
}

/**
 * What a layer's forward pass builds.
 * @example
 * ```ts
 * const out: LayerForward = { output: applyActivation('relu', z), preActivation: z };
 * ```
 */
export interface LayerForward {
  readonly output: Node;
  /** The value before the activation, when the layer has one (`explain` names fused heads by it). */
  readonly preActivation?: Node;
  /** Training mode: inputs fed at every step (dropout masks). */
  readonly stepInputs?: readonly StepInput[];
  /** Training mode: moving averages updated after every step. */
  readonly movingUpdates?: readonly MovingUpdate[];
}

/**
 * Everything about one kind of layer, in one object. Each function gets the checked config
 * (method signatures, so a definition of a specific config is a `LayerDefinition` too);
 * `inputShape` and `outputShape` are per example (no batch dimension).
 * @example
 * ```ts
 * const scale: LayerDefinition<{ factor: number }> = {
 *   type: 'scale',
 *   configure: (r) => ({ factor: r.number('factor', { default: 2 }) }),
 *   toJSON: (c) => ({ factor: c.factor }),
 *   outputShape: (_c, inputShape) => [...inputShape],
 *   forward: (c, x) => ({ output: x.mul(c.factor) }),
 * };
 * registerLayer(scale);
 * ```
 */
export interface LayerDefinition<C = unknown> {
  /** The name files and `summary` use (`conv2d`); registered once. */
  readonly type: string;
  /**
   * The checked config from options (user code) or a file's fields, read through `r` so that a
   * bad field is reported with its name (and JSON path when loading). Unknown fields are refused
   * by the caller. Defaults are Keras'.
   */
  configure(r: ConfigReader): C;
  /** The config as plain JSON data (what `save` writes; `configure` reads it back). */
  toJSON(config: C): { readonly [key: string]: ConfigValue };
  /** The output shape for this input shape, or a `ModelError` (via `where`) saying why not. */
  outputShape(config: C, inputShape: readonly number[], where: string): number[];
  /** The weights for this input shape, in the order `getWeights` lists them (default: none). */
  weights?(config: C, inputShape: readonly number[]): readonly WeightSpec[];
  /** The output as graph ops on `x` (`['batch', ...inputShape]`), the weights as param nodes by name. */
  forward(config: C, x: Node, weights: { readonly [name: string]: Node }, mode: LayerMode): LayerForward;
  /** True when training and inference differ (dropout, batch normalization): the model then builds both. */
  readonly dependsOnMode?: boolean;
  /** The activation `summary` and the pictures show, if the layer has one. */
  activation?(config: C): Activation | undefined;
}

/**
 * A layer in a model's list: its type, its optional name, its checked config and its
 * definition. Made by `dense(...)`, `conv2d(...)`, ... or `customLayer(type, options)`.
 * @example
 * ```ts
 * const layer: Layer = dense({ units: 10, activation: 'softmax' });
 * layer.type; // 'dense'
 * ```
 */
export interface Layer<C = unknown> {
  readonly type: string;
  readonly name: string | undefined;
  readonly config: C;
  readonly definition: LayerDefinition<C>;
}

/**
 * A layer inside a built model: its name (its scope), shapes, weights as param nodes, and the
 * nodes of its inference-mode output.
 * @example
 * ```ts
 * model.layers[0].weights.kernel.path; // 'dense_1/kernel'
 * ```
 */
export interface BuiltLayer<C = unknown> {
  readonly layer: Layer<C>;
  readonly type: string;
  readonly name: string;
  readonly config: C;
  /** Per example, without the batch dimension. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Every weight by name (trainable and not), as `param` nodes under the layer's scope. */
  readonly weights: { readonly [name: string]: Node };
  readonly weightSpecs: readonly WeightSpec[];
  /** The inference-mode pre-activation, when the layer has one. */
  readonly preActivation: Node | undefined;
  /** The training-mode pre-activation (the same node when no layer depends on the mode): the logits a fused loss takes. */
  readonly trainingPreActivation: Node | undefined;
  /** The inference-mode output. */
  readonly output: Node;
}

/**
 * The activation a built layer declares (`linear` for layers without one).
 * @example
 * ```ts
 * activationOf(model.layers.at(-1)!); // 'softmax'
 * ```
 */
export function activationOf(layer: { readonly layer: Layer; readonly config: unknown }): Activation {
  return layer.layer.definition.activation?.(layer.config) ?? 'linear';
}

/**
 * The layer whose activation is the model's output activation: the last that declares one
 * (layers after it, such as dropout or reshape, keep its values' meaning).
 * @example
 * ```ts
 * headLayer(model.layers)?.name; // 'dense_3'
 * ```
 */
export function headLayer<B extends { readonly layer: Layer }>(layers: readonly B[]): B | undefined {
  for (let i = layers.length - 1; i >= 0; i--) if (layers[i]!.layer.definition.activation !== undefined) return layers[i];
  return undefined;
}
