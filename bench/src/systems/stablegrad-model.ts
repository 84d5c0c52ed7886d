/**
 * Builds a workload as a stablegrad training graph with core ops and `prepareTraining`. Shared
 * by the stablegrad systems: the interpreter evaluates this graph, a compiled backend would
 * compile the same one.
 * @module
 */
import {
  conv2d, input, maxPool2d, type Node, param, sigmoidCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits, type Tensor, topoSort,
} from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { cnnData, lossOnlyData, mlpData } from '../data.js';
import type { CnnWorkload, LossOnlyWorkload, MlpWorkload, Workload } from '../workloads.js';

/**
 * A prepared training graph and the tensors to feed it.
 * @example
 * ```ts
 * const model = buildStablegradModel(workload);
 * const [loss, ...grads] = evaluate([model.loss, ...model.gradients], model.feeds);
 * ```
 */
export interface StablegradModel {
  /** The stabilized, simplified scalar loss. */
  readonly loss: Node;
  /** d loss / d trained value, one per entry of `trained`. */
  readonly gradients: readonly Node[];
  /**
   * Feeds for every input and param. Param feeds hold the current weights: their data arrays
   * are the `trained` buffers, which the optimizer updates in place.
   */
  readonly feeds: ReadonlyMap<Node, Tensor>;
  /** Buffers updated by the optimizer, in gradient order; empty for a loss-only workload. */
  readonly trained: readonly Float32Array[];
}

/**
 * Builds the graph of `workload`: `x.matmul(W).add(b).relu()` per hidden layer, the fused
 * cross-entropy from logits, its mean, then `prepareTraining` for the gradients.
 * @example
 * ```ts
 * buildStablegradModel(WORKLOADS[0]!).gradients.length; // 6: W and b of three layers
 * ```
 */
export function buildStablegradModel(workload: Workload): StablegradModel {
  switch (workload.kind) {
    case 'mlp': return buildMlp(workload);
    case 'loss-only': return buildLossOnly(workload);
    case 'cnn': return buildCnn(workload);
    default: return workload satisfies never;
  }
}

function buildMlp(workload: MlpWorkload): StablegradModel {
  const data = mlpData(workload);
  const { batch, sizes } = workload;
  const k = sizes[sizes.length - 1]!;
  const x = input([batch, sizes[0]!], { name: 'x' });
  const feeds = new Map<Node, Tensor>([[x, float32(data.x, [batch, sizes[0]!])]]);
  const params: Node[] = [];
  let h = x;
  data.layers.forEach((layer, i) => {
    // Copies: the optimizer updates these arrays in place, the shared data stays pristine.
    const W = float32(layer.weights.slice(), [layer.inputs, layer.outputs]);
    const b = float32(layer.bias.slice(), [layer.outputs]);
    const [WNode, bNode] = [param(W, { name: `W${i + 1}` }), param(b, { name: `b${i + 1}` })];
    feeds.set(WNode, W).set(bNode, b);
    params.push(WNode, bNode);
    h = h.matmul(WNode).add(bNode);
    if (i < data.layers.length - 1) h = h.relu();
  });
  let perExample: Node;
  if (workload.loss === 'softmax-cross-entropy') {
    const labels = input([batch], { dtype: 'int32', name: 'labels' });
    feeds.set(labels, { dtype: 'int32', shape: [batch], data: data.classes! });
    perExample = sparseSoftmaxCrossEntropyWithLogits(h, labels);
  } else {
    const y = input([batch, k], { name: 'y' });
    feeds.set(y, float32(data.targets, [batch, k]));
    perExample = sigmoidCrossEntropyWithLogits(h, y);
  }
  const prepared = prepareTraining({ loss: perExample.mean(), params });
  checkParamsKept([prepared.loss, ...prepared.gradients], params);
  return { loss: prepared.loss, gradients: prepared.gradients, feeds, trained: params.map((p) => feeds.get(p)!.data as Float32Array) };
}

function buildLossOnly(workload: LossOnlyWorkload): StablegradModel {
  const data = lossOnlyData(workload);
  const { rows, classes } = workload;
  const z = input([rows, classes], { name: 'logits' });
  const labels = input([rows], { dtype: 'int32', name: 'labels' });
  const prepared = prepareTraining({ loss: sparseSoftmaxCrossEntropyWithLogits(z, labels).mean(), params: [z] });
  const feeds = new Map<Node, Tensor>([
    [z, float32(data.logits, [rows, classes])],
    [labels, { dtype: 'int32', shape: [rows], data: data.classes }],
  ]);
  return { loss: prepared.loss, gradients: prepared.gradients, feeds, trained: [] };
}

function buildCnn(workload: CnnWorkload): StablegradModel {
  const data = cnnData(workload);
  const { batch, height, width, channels, filters, kernel, pool, classes } = workload;
  const x = input([batch, height, width, channels], { name: 'x' });
  const labels = input([batch], { dtype: 'int32', name: 'labels' });
  // Copies: SGD updates these arrays in place, the shared data stays pristine.
  const values = [
    float32(data.filter.slice(), [kernel, kernel, channels, filters]),
    float32(data.filterBias.slice(), [filters]),
    float32(data.dense.weights.slice(), [data.dense.inputs, classes]),
    float32(data.dense.bias.slice(), [classes]),
  ];
  const [filter, filterBias, W, b] = values.map((v, i) => param(v, { name: ['filter', 'filterBias', 'W', 'b'][i]! })) as [Node, Node, Node, Node];
  const params = [filter, filterBias, W, b];
  const feeds = new Map<Node, Tensor>([[x, float32(data.x, [batch, height, width, channels])], [labels, { dtype: 'int32', shape: [batch], data: data.classes }]]);
  params.forEach((p, i) => feeds.set(p, values[i]!));
  const maps = maxPool2d(conv2d(x, filter, { padding: 'same' }).add(filterBias).relu(), { poolSize: pool });
  const logits = maps.reshape([batch, data.dense.inputs]).matmul(W).add(b);
  const prepared = prepareTraining({ loss: sparseSoftmaxCrossEntropyWithLogits(logits, labels).mean(), params });
  checkParamsKept([prepared.loss, ...prepared.gradients], params);
  return { loss: prepared.loss, gradients: prepared.gradients, feeds, trained: values.map((v) => v.data as Float32Array) };
}

function float32(data: Float32Array, shape: number[]): Tensor {
  return { dtype: 'float32', shape, data };
}

// Feeds are keyed by node: a rewrite that rebuilt a param would silently train its initial value.
function checkParamsKept(outputs: readonly Node[], params: readonly Node[]): void {
  const known = new Set(params);
  const stray = topoSort(outputs).filter((n) => n.op === 'param' && !known.has(n));
  if (stray.length > 0) throw new Error(`prepareTraining replaced params ${stray.map((n) => n.path).join(', ')}`);
}
