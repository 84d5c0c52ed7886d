/**
 * `compile(graph)`: an executable for a graph. It keeps one plan per binding of the graph's
 * symbolic dimensions (a training loop sees one or two batch sizes), built on first use, and
 * runs it on each call: the feeds are checked (by core's `checkFeed`, as the interpreter checks
 * them), the plan's closures run over pooled buffers.
 * @module
 */
import {
  checkFeed, type ConcreteShape, type DType, FeedError, type Graph, isGraph, type Node, notFedError, type Tensor, topoSort, type TypedArray,
} from '@stablegrad/core';
import { buildPlan, type Plan, type PlanOptions, type PlanStats } from './plan.js';

/**
 * A compiled graph.
 * @example
 * ```ts
 * const step = compile([loss, ...gradients]);
 * const [lossValue, ...grads] = step.run(new Map([[x, xBatch], [y, yBatch]]));
 * ```
 */
export interface Executable {
  readonly outputs: readonly Node[];
  /**
   * Runs the graph. Feeds: a tensor per input node, and optionally per param (else the param's
   * own value). The results' data are the plan's buffers: valid until the next `run`; copy what
   * you keep. Feeding a result back in is fine (it is copied first).
   */
  run(feeds: ReadonlyMap<Node, Tensor>): Tensor[];
  /**
   * Builds (or finds) the plan for these feeds' shapes without running it, and returns its
   * statistics: the compile step proper, for timing and inspection.
   */
  prepare(feeds: ReadonlyMap<Node, Tensor>): PlanStats;
  /** The plan statistics for each binding seen so far (key: `batch=32,...`). */
  stats(): { readonly [dims: string]: PlanStats };
}

/**
 * Compiles a graph (or a list of output nodes) for repeated runs. Float32 matmuls run on the
 * WebAssembly SIMD kernel unless `{ matmul: 'exact' }`; everything else gives the interpreter's bits.
 * @example
 * ```ts
 * const { loss, gradients } = prepareTraining({ loss: lossNode, params });
 * const step = compile([loss, ...gradients]);
 * ```
 */
export function compile(outputs: Graph | readonly Node[], options: PlanOptions = {}): Executable {
  const list = isGraph(outputs) ? outputs.outputs : outputs;
  const nodes = topoSort(list);
  const sources = nodes.map((n, i) => ({ node: n, i })).filter(({ node }) => node.inputs.length === 0);
  const sourceNodes = sources.map(({ node }) => node);
  const outputIndex = list.map((node) => nodes.indexOf(node));
  const inGraph = new Set(nodes);
  const plans = new Map<string, Plan>();
  const sourceData: (TypedArray | undefined)[] = nodes.map(() => undefined);
  const sourceTypes: ({ shape: ConcreteShape; dtype: DType } | undefined)[] = nodes.map(() => undefined);
  // Checks the feeds, fills sourceData / sourceTypes, and returns the plan for their sizes.
  const planFor = (feeds: ReadonlyMap<Node, Tensor>): Plan => {
    const dims = new Map<string, number>();
    // Sizes of unnamed (`null`) dimensions: they bind no name, but they still select the plan.
    const unnamed: string[] = [];
    let fedSources = 0;
    if (!(feeds instanceof Map)) throw new FeedError(`run takes a Map from input node to tensor, got ${feeds === null ? 'null' : typeof feeds}`);
    for (const { node, i } of sources) {
      const raw = feeds.get(node);
      // checkFeed checks the value and converts nested arrays (a JavaScript caller's habit) to a tensor.
      const fed = raw === undefined ? undefined : checkFeed(node, raw, dims);
      const value = fed ?? (node.op === 'input' ? undefined : node.value);
      if (value === undefined) throw notFedError(node, sourceNodes);
      if (fed !== undefined) {
        fedSources++;
        node.shape.forEach((d, k) => {
          if (d === null) unnamed.push(`${node.path}[${k}]=${fed.shape[k]}`);
        });
      }
      sourceData[i] = value.data;
      sourceTypes[i] = { shape: value.shape, dtype: value.dtype };
    }
    // More feeds than fed sources: as in the interpreter, a computed node of this graph cannot be
    // fed (its value would silently be recomputed); nodes of other graphs are ignored.
    if (feeds.size > fedSources) {
      for (const node of feeds.keys()) {
        if (node.inputs.length > 0 && inGraph.has(node)) throw new FeedError(`${node} is not an input or param and cannot be fed`);
      }
    }
    const key = [...[...dims].map(([name, size]) => `${name}=${size}`), ...unnamed].join(',');
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = buildPlan(nodes, list, sourceTypes, dims, options);
      // A bounded cache: each plan holds its buffers; the least recently used goes first.
      if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value!);
    } else plans.delete(key);
    plans.set(key, plan);
    // A result of an earlier run fed back (a state update, power iteration) lives in a buffer
    // this run overwrites while reading it: give the plan a copy.
    for (const { i } of sources) {
      const data = sourceData[i]!;
      if (plan.owns(data)) sourceData[i] = data.slice();
    }
    return plan;
  };
  return {
    outputs: list,
    run(feeds) {
      const plan = planFor(feeds);
      const data = plan.run(sourceData);
      const shapes = plan.shapes;
      return list.map((node, o) => ({ dtype: node.dtype, shape: shapes[outputIndex[o]!]!, data: data[o]! }));
    },
    prepare: (feeds) => planFor(feeds).stats,
    stats: () => Object.fromEntries([...plans].map(([key, plan]) => [key, plan.stats])),
  };
}

/** Plans kept per executable (one per batch size seen; training uses one or two). */
const MAX_PLANS = 8;
