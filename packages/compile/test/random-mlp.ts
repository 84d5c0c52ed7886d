/**
 * Random MLP training graphs for the compile-vs-interpreter property: 1-3 dense layers with
 * relu, tanh or sigmoid, and a loss that is a fused op (sparse softmax or sigmoid
 * cross-entropy) or a mean squared error written by hand, over inputs with a symbolic batch
 * dimension. A case is plain data: the recipe, the parameter values and one batch of data per
 * run, so one executable is run at several batch sizes.
 * @module
 */
import { fc } from '@fast-check/vitest';
import {
  input, type Node, param, scope, sigmoidCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits, type Tensor, tensor,
} from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { type FloatDType, floatOf } from '@stablegrad/testing';

export type Activation = 'relu' | 'tanh' | 'sigmoid';
export type LossKind = 'sparse' | 'sigmoid' | 'mse';

/** Everything about an MLP but its values. */
export interface MlpRecipe {
  readonly dtype: FloatDType;
  readonly features: number;
  /** Hidden layers (units and activation); the output layer is linear. */
  readonly hidden: readonly { readonly units: number; readonly activation: Activation }[];
  readonly outputs: number;
  readonly loss: LossKind;
  /** Feed the params through the feeds map (else they keep their own values). */
  readonly feedParams: boolean;
}

/** One batch of data: `x` [batch, features] and the targets, flat. */
export interface MlpBatch {
  readonly batch: number;
  readonly x: readonly number[];
  readonly targets: readonly number[];
}

/** A recipe, parameter values (kernel and bias per layer) and the batches run in order. */
export interface MlpCase {
  readonly recipe: MlpRecipe;
  readonly params: readonly (readonly number[])[];
  readonly batches: readonly MlpBatch[];
}

/**
 * Random recipes.
 * @example
 * ```ts
 * fc.sample(mlpRecipe(), 1)[0]!.hidden.length; // 0..2
 * ```
 */
export function mlpRecipe(): fc.Arbitrary<MlpRecipe> {
  const layer = fc.record({ units: fc.integer({ min: 1, max: 5 }), activation: fc.constantFrom<Activation>('relu', 'tanh', 'sigmoid') });
  return fc.record({
    dtype: fc.constantFrom<FloatDType>('float32', 'float64'),
    features: fc.integer({ min: 1, max: 4 }),
    hidden: fc.array(layer, { maxLength: 2 }),
    outputs: fc.integer({ min: 1, max: 4 }),
    loss: fc.constantFrom<LossKind>('sparse', 'sigmoid', 'mse'),
    feedParams: fc.boolean(),
  }).map((r) => ({ ...r, outputs: r.loss === 'sparse' ? Math.max(2, r.outputs) : r.outputs }));
}

/** Layer sizes: features, hidden units..., outputs. */
function widths(recipe: MlpRecipe): number[] {
  return [recipe.features, ...recipe.hidden.map((h) => h.units), recipe.outputs];
}

const arrayOf = (element: fc.Arbitrary<number>, n: number) => fc.array(element, { minLength: n, maxLength: n });

/** A batch of `batch` rows for the recipe: moderate inputs (some large), valid targets. */
function batchOf(recipe: MlpRecipe, batch: number): fc.Arbitrary<MlpBatch> {
  const { dtype, features, outputs, loss } = recipe;
  const value = fc.oneof({ arbitrary: floatOf(dtype, { min: -3, max: 3 }), weight: 5 }, { arbitrary: floatOf(dtype, { min: -1e3, max: 1e3 }), weight: 1 });
  const target = loss === 'sparse'
    ? arrayOf(fc.integer({ min: 0, max: outputs - 1 }), batch)
    : arrayOf(loss === 'sigmoid' ? floatOf(dtype, { min: 0, max: 1 }) : floatOf(dtype, { min: -5, max: 5 }), batch * outputs);
  return fc.record({ batch: fc.constant(batch), x: arrayOf(value, batch * features), targets: target });
}

/**
 * Random cases run at batch sizes `[b1, b2, b1]` (each with its own data): the executable
 * builds a plan per batch size and returns to the first one.
 * @example
 * ```ts
 * test.prop([mlpCase()])('compiled == interpreter', (c) => { ... });
 * ```
 */
export function mlpCase(batchSizes: fc.Arbitrary<readonly number[]> = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })).map(([a, b]) => [a, b, a])): fc.Arbitrary<MlpCase> {
  return fc.tuple(mlpRecipe(), batchSizes).chain(([recipe, sizes]) => {
    const w = widths(recipe);
    const weight = floatOf(recipe.dtype, { min: -2, max: 2 });
    const params = w.slice(1).flatMap((units, l) => [arrayOf(weight, w[l]! * units), arrayOf(weight, units)]);
    return fc.record({
      recipe: fc.constant(recipe),
      params: fc.tuple(...params),
      batches: fc.tuple(...sizes.map((b) => batchOf(recipe, b))),
    });
  });
}

/** A built MLP: the compiled-training outputs (loss, gradients, prediction) and feeds per batch. */
export interface BuiltMlp {
  readonly outputs: readonly Node[];
  readonly labels: readonly string[];
  readonly feeds: readonly ReadonlyMap<Node, Tensor>[];
}

/** Builds the training graph of a case through `prepareTraining` (fresh nodes at each call). */
export function buildMlp({ recipe, params: values, batches }: MlpCase): BuiltMlp {
  const { dtype, loss } = recipe;
  const w = widths(recipe);
  const x = input(['batch', recipe.features], { dtype, name: 'x' });
  const targets = loss === 'sparse'
    ? input(['batch'], { dtype: 'int32', name: 'labels' })
    : input(['batch', recipe.outputs], { dtype, name: 'y' });
  const params: Node[] = [];
  let h = x;
  w.slice(1).forEach((units, l) => {
    h = scope(`dense_${l + 1}`, () => {
      const W = param(tensor([...values[2 * l]!], { dtype, shape: [w[l]!, units] }), { name: 'kernel' });
      const b = param(tensor([...values[2 * l + 1]!], { dtype, shape: [units] }), { name: 'bias' });
      params.push(W, b);
      const z = h.matmul(W).add(b);
      const activation = recipe.hidden[l]?.activation;
      return activation === undefined ? z : z[activation]();
    });
  });
  const logits = h;
  let lossNode: Node;
  let prediction: Node;
  if (loss === 'sparse') {
    lossNode = sparseSoftmaxCrossEntropyWithLogits(logits, targets).mean();
    prediction = logits.softmax();
  } else if (loss === 'sigmoid') {
    lossNode = sigmoidCrossEntropyWithLogits(logits, targets).mean();
    prediction = logits.sigmoid();
  } else {
    // Written by hand: mean((prediction - y)^2).
    lossNode = logits.sub(targets).square().mean();
    prediction = logits;
  }
  const training = prepareTraining({ loss: lossNode, params, outputs: { prediction } });
  const outputs = [training.loss, ...training.gradients, training.outputs['prediction']!];
  const feeds = batches.map(({ batch, x: xs, targets: ts }) => {
    const map = new Map<Node, Tensor>([
      [x, tensor([...xs], { dtype, shape: [batch, recipe.features] })],
      [targets, loss === 'sparse' ? tensor([...ts], { dtype: 'int32', shape: [batch] }) : tensor([...ts], { dtype, shape: [batch, recipe.outputs] })],
    ]);
    // Fed params override their own values: half of them (exact in binary floating point).
    if (recipe.feedParams) params.forEach((p) => map.set(p, { ...p.value!, data: p.value!.data.map((v) => v / 2) }));
    return map;
  });
  return { outputs, labels: training.graph.outputNames, feeds };
}
