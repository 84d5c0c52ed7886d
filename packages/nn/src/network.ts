/**
 * Builds a sequential network's graph: the input `x` (`['batch', ...inputShape]`), each layer
 * under its own scope, in order — once in inference mode (what `predict` and `evaluate` run)
 * and, when a layer behaves differently in training (dropout, batch normalization), once more in
 * training mode on the same weights. A pure function of the layers and either a seeded
 * generator (new weights) or saved weight values, so a model can rebuild its graph with its
 * current weights at any time (`toGraph`, `save`).
 * @module
 */
import { type DType, input, MAX_ELEMENTS, type Node, param, scope, tensor } from '@stablegrad/core';
import { ModelError } from './errors.js';
import type { BuiltLayer, Layer, LayerForward, StepInput, WeightSpec } from './layers/layer.js';
import type { SeededRandom } from './random.js';
import { weightValues } from './weight-values.js';

/**
 * A moving average of a built network: the weight it updates (index into `weights`), the
 * training graph's node whose value feeds it, and the momentum.
 * @example
 * ```ts
 * net.movingUpdates[0]; // { index: 3, value: <bn_2/mean node>, momentum: 0.99 }
 * ```
 */
export interface BuiltMovingUpdate {
  readonly index: number;
  readonly value: Node;
  readonly momentum: number;
}

/**
 * A built network: its input, its layers, its outputs in both modes and its weights.
 * @example
 * ```ts
 * const net = buildNetwork([dense({ units: 3 })], [4], 'float32', { random: seededRandom(1) });
 * net.output.shape; // ['batch', 3]
 * ```
 */
export interface Network {
  readonly input: Node;
  readonly layers: readonly BuiltLayer[];
  /** Inference mode: what `predict` and `evaluate` run. */
  readonly output: Node;
  /** Training mode: what `fit` trains (the same node as `output` when no layer depends on the mode). */
  readonly trainingOutput: Node;
  /** Every weight, layer by layer, in `getWeights` order. */
  readonly weights: readonly Node[];
  /** Whether each of `weights` is trained by gradients. */
  readonly trainable: readonly boolean[];
  /** The trainable weights, in order: what the optimizer updates. */
  readonly params: readonly Node[];
  /** Inputs the training graph needs fed at every step (dropout masks). */
  readonly stepInputs: readonly StepInput[];
  /** Moving averages each training step updates. */
  readonly movingUpdates: readonly BuiltMovingUpdate[];
}

/**
 * Builds the network. Layer names default to `<type>_<position>` (skipping numbers a named layer
 * took); names must be unique. Weight values, when given, are every weight in `weights` order.
 * @example
 * ```ts
 * buildNetwork(layers, [8, 8, 1], 'float32', { random: seededRandom(42) });
 * ```
 */
export function buildNetwork(
  layers: readonly Layer[], inputShape: readonly number[], dtype: DType,
  source: { readonly random: SeededRandom } | { readonly weights: readonly ArrayLike<number>[] },
  maxParams = DEFAULT_MAX_PARAMS,
): Network {
  const names = layerNames(layers);
  // Arithmetic first: nothing is drawn or allocated for a model over the limit.
  const plan = planLayers(layers, names, inputShape);
  const planned = plan.flatMap((p) => p.weights);
  checkWeightCount(planned, maxParams, 'sequential');
  plan.forEach((p, i) => {
    const size = p.outputShape.reduce((a, b) => a * b, 1);
    if (size > MAX_ELEMENTS) {
      throw new ModelError(`${names[i]}: one example's output [${p.outputShape.join(', ')}] would hold ${size.toLocaleString('en-US')} values, more than the ${MAX_ELEMENTS.toLocaleString('en-US')} one tensor may hold`);
    }
  });
  if ('weights' in source && source.weights.length !== planned.length) {
    throw new ModelError(`sequential: these layers have ${planned.length} weights (${planned.map((w) => w.path).join(', ')}), ${source.weights.length} were given`);
  }
  const x = input(['batch', ...inputShape], { name: 'x', dtype });
  const random = 'random' in source ? source.random : NO_RANDOM;
  let next = 0;
  // Each layer's weights, then its nodes, layer after layer: the graph reads in layer order.
  const weightNodes: { readonly [name: string]: Node }[] = [];
  const inference: LayerForward[] = [];
  let h = x;
  layers.forEach((layer, i) => {
    weightNodes.push(scope(names[i]!, () => Object.fromEntries(plan[i]!.specs.map((spec) => {
      const path = `${names[i]}/${spec.name}`;
      const values = weightValues(path, spec.shape, dtype, 'weights' in source ? source.weights[next++] : undefined, spec.initializer, spec.fans, random);
      return [spec.name, param(tensor(values, { dtype, shape: [...spec.shape] }), { name: spec.name })];
    }))));
    const forward = run(layer, names[i]!, h, weightNodes[i]!, false, plan[i]!.outputShape);
    inference.push(forward);
    h = forward.output;
  });
  const weights = weightNodes.flatMap((w, i) => plan[i]!.specs.map((spec) => w[spec.name]!));
  const trainable = plan.flatMap((p) => p.specs.map((spec) => spec.trainable));
  const stepInputs: StepInput[] = [];
  const movingUpdates: BuiltMovingUpdate[] = [];
  let training = inference;
  if (layers.some((layer) => layer.definition.dependsOnMode === true)) {
    training = [];
    let t = x;
    layers.forEach((layer, i) => {
      const forward = run(layer, names[i]!, t, weightNodes[i]!, true, plan[i]!.outputShape);
      stepInputs.push(...(forward.stepInputs ?? []));
      for (const update of forward.movingUpdates ?? []) {
        const node = Object.hasOwn(weightNodes[i]!, update.weight) ? weightNodes[i]![update.weight] : undefined;
        if (node === undefined) throw new ModelError(`${names[i]}: a moving update names the weight '${update.weight}', which the layer does not declare`);
        if (!(update.momentum >= 0 && update.momentum <= 1)) throw new ModelError(`${names[i]}: momentum must be in [0, 1], got ${update.momentum}`);
        movingUpdates.push({ index: weights.indexOf(node), value: update.value, momentum: update.momentum });
      }
      training.push(forward);
      t = forward.output;
    });
  }
  const built: BuiltLayer[] = layers.map((layer, i) => ({
    layer, type: layer.type, name: names[i]!, config: layer.config, inputShape: plan[i]!.inputShape, outputShape: plan[i]!.outputShape,
    weights: weightNodes[i]!, weightSpecs: plan[i]!.specs, preActivation: inference[i]!.preActivation, trainingPreActivation: training[i]!.preActivation,
    output: inference[i]!.output,
  }));
  const trainingOutput = training[training.length - 1]!.output;
  return {
    input: x, layers: built, output: h, trainingOutput, weights, trainable, params: weights.filter((_, i) => trainable[i]), stepInputs, movingUpdates,
  };
}

// One layer's forward pass under its scope; its output shape must be the one it declared.
function run(layer: Layer, name: string, x: Node, weights: { readonly [name: string]: Node }, training: boolean, declared: readonly number[]): LayerForward {
  const forward = scope(name, () => layer.definition.forward(layer.config, x, weights, { training }));
  const shape = forward.output.shape;
  if (shape.length !== declared.length + 1 || declared.some((d, i) => shape[i + 1] !== d)) {
    throw new ModelError(`${name}: the ${layer.type} layer declared the output shape [batch, ${declared.join(', ')}] but built [${shape.join(', ')}]`);
  }
  return forward;
}

// Loading from saved weights draws nothing; a draw would be a bug.
const NO_RANDOM: SeededRandom = {
  uniform: () => { throw new ModelError('internal: no random numbers when weights are given'); },
  normal: () => { throw new ModelError('internal: no random numbers when weights are given'); },
};

/**
 * The default of `maxParams` (`sequential`, `loadModel`): at most 100,000,000 weight values
 * in a model (400 MB of float32 weights, twice that in float64, and as much again per optimizer
 * slot). Larger models pass a larger `maxParams`.
 * @example
 * ```ts
 * sequential(layers, { inputShape: [100_000], maxParams: 2 * DEFAULT_MAX_PARAMS });
 * ```
 */
export const DEFAULT_MAX_PARAMS = 100_000_000;

/**
 * The layer names: given ones, and `<type>_<position>` for the others (the next free number
 * when a user took that name). Names must be unique and must not be `x`, `y` or `loss`.
 * @example
 * ```ts
 * layerNames([dense({ units: 3 }), dense({ units: 1, name: 'out' })]); // ['dense_1', 'out']
 * ```
 */
export function layerNames(layers: readonly Layer[]): string[] {
  if (layers.length === 0) throw new ModelError('sequential: a model needs at least one layer');
  const given = new Set(layers.flatMap((layer) => (layer.name === undefined ? [] : [layer.name])));
  let next = 0;
  const names = layers.map((layer, i) => {
    if (layer.name !== undefined) return layer.name;
    next = Math.max(next, i + 1);
    while (given.has(`${layer.type}_${next}`)) next++;
    given.add(`${layer.type}_${next}`);
    return `${layer.type}_${next++}`;
  });
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new ModelError(`sequential: two layers are named '${duplicate}'; layer names must be unique`);
  if (names.includes('x') || names.includes('y') || names.includes('loss')) {
    throw new ModelError(`sequential: 'x', 'y' and 'loss' name the model's inputs and loss; choose another layer name`);
  }
  return names;
}

/**
 * One weight a network will have: its path, shape, number of values, layer, and whether it is
 * trained by gradients.
 * @example
 * ```ts
 * const w: PlannedWeight = { path: 'dense_1/kernel', shape: [64, 25], size: 1600, layer: 0, trainable: true };
 * ```
 */
export interface PlannedWeight {
  readonly path: string;
  readonly shape: readonly number[];
  /** Product of the shape (a double: exact up to 2^53, only compared with limits beyond). */
  readonly size: number;
  /** Index of the layer it belongs to. */
  readonly layer: number;
  readonly trainable: boolean;
}

/**
 * One layer's plan: its shapes per example and its weights, from the configs alone.
 * @example
 * ```ts
 * planLayers([flatten()], ['flatten_1'], [8, 8, 1])[0].outputShape; // [64]
 * ```
 */
export interface LayerPlan {
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly specs: readonly WeightSpec[];
  readonly weights: readonly PlannedWeight[];
}

/**
 * The shapes and weights of these layers on examples of `inputShape`, computed from the
 * configs alone (nothing is allocated): a layer that cannot take its input is a `ModelError`
 * naming it. `fail`, when
 * given, receives such an error with the layer's index (loading says the file's JSON path).
 * @example
 * ```ts
 * planLayers([dense({ units: 25 })], ['dense_1'], [64])[0].weights; // [{ path: 'dense_1/kernel', shape: [64, 25], ... }, { path: 'dense_1/bias', ... }]
 * ```
 */
export function planLayers(
  layers: readonly Layer[], names: readonly string[], inputShape: readonly number[], fail?: (layer: number, error: ModelError) => never,
): LayerPlan[] {
  let shape = [...inputShape];
  return layers.map((layer, i) => {
    try {
      const plan = planLayer(layer, names[i]!, i, shape);
      shape = [...plan.outputShape];
      return plan;
    } catch (e) {
      if (fail !== undefined && e instanceof ModelError) fail(i, e);
      throw e;
    }
  });
}

function planLayer(layer: Layer, name: string, i: number, shape: readonly number[]): LayerPlan {
  const outputShape = layer.definition.outputShape(layer.config, shape, name);
  if (!Array.isArray(outputShape) || outputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new ModelError(`${name}: the ${layer.type} layer's output shape must be positive integers, got ${JSON.stringify(outputShape)}`);
  }
  const specs = layer.definition.weights?.(layer.config, shape) ?? [];
  const seen = new Set<string>();
  const weights = specs.map((spec) => {
    if (typeof spec.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.name) || seen.has(spec.name)) {
      throw new ModelError(`${name}: weight names must be distinct identifiers, got ${JSON.stringify(spec.name)}`);
    }
    seen.add(spec.name);
    if (spec.shape.some((d) => !Number.isSafeInteger(d) || d < 1)) throw new ModelError(`${name}/${spec.name}: a weight's shape must be positive integers, got ${JSON.stringify(spec.shape)}`);
    return { path: `${name}/${spec.name}`, shape: spec.shape, size: spec.shape.reduce((a, b) => a * b, 1), layer: i, trainable: spec.trainable };
  });
  return { inputShape: shape, outputShape, specs, weights };
}

/**
 * Throws a ModelError (naming the first weight that passes the limit) when the planned weights
 * hold more than `maxParams` values together, or one holds more than a tensor may (core's
 * `MAX_ELEMENTS`).
 * @example
 * ```ts
 * checkWeightCount(planned, 1e8, 'sequential'); // ModelError: sequential: ... 'dense_1/kernel' [1000000000, 25] ...
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
