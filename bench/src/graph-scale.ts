/**
 * G1, graph scale (stablegrad only): builds MLPs of growing depth with the loss written the naive
 * way (`-sum(y log softmax(z))`), then times stabilize, differentiation and the whole
 * `prepareTraining`, with node counts. Time per layer that stays flat as depth grows shows that
 * each phase is linear in the graph size; the last phase is the compiled backend's plan for the
 * training graph, and the total is what it takes from the graph as written to a runnable step.
 * @module
 */
import { compile } from '@stablegrad/compile';
import { grad, input, type Node, param, tensor, topoSort, zeros } from '@stablegrad/core';
import { prepareTraining, stabilize } from '@stablegrad/rewrite';
import { seededRandom } from './prng.js';

/**
 * Timings (median over repetitions, ms) and node counts for one depth.
 * @example
 * ```ts
 * const row: GraphScaleRow = measureGraphScale(100, 3);
 * row.stabilizeMs / row.layers; // ms per layer
 * ```
 */
export interface GraphScaleRow {
  readonly layers: number;
  readonly width: number;
  readonly buildMs: number;
  readonly forwardNodes: number;
  readonly stabilizeMs: number;
  readonly stabilizedNodes: number;
  /** Rule firings of stabilize. */
  readonly firings: number;
  readonly gradMs: number;
  /** Nodes of the stabilized loss with its gradients. */
  readonly gradientNodes: number;
  /** stabilize + grad + simplify, from the built graph. */
  readonly prepareTrainingMs: number;
  readonly preparedNodes: number;
  /** The compiled backend's plan for the prepareTraining result (schedule, buffers, fused loops). */
  readonly compileMs: number;
  /** Steps of that plan. */
  readonly planSteps: number;
  /** prepareTraining + compile: from the graph as written to a runnable training step. */
  readonly totalMs: number;
}

/** Hidden width of the G1 networks. */
const WIDTH = 32;
const CLASSES = 10;
const BATCH = 32;

/**
 * Default depths of G1.
 * @example
 * ```ts
 * GRAPH_SCALE_DEPTHS; // [10, 100, 1000]
 * ```
 */
export const GRAPH_SCALE_DEPTHS: readonly number[] = [10, 100, 1000];

/**
 * Measures one depth, `reps` times, keeping the median of each phase.
 * @example
 * ```ts
 * measureGraphScale(10, 1).forwardNodes; // about 4 nodes per layer plus the loss
 * ```
 */
export function measureGraphScale(layers: number, reps: number): GraphScaleRow {
  const runs = Array.from({ length: reps }, () => measureOnce(layers));
  const median = (pick: (r: GraphScaleRow) => number): number => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    ...runs[0]!,
    buildMs: median((r) => r.buildMs),
    stabilizeMs: median((r) => r.stabilizeMs),
    gradMs: median((r) => r.gradMs),
    prepareTrainingMs: median((r) => r.prepareTrainingMs),
    compileMs: median((r) => r.compileMs),
    totalMs: median((r) => r.totalMs),
  };
}

function measureOnce(layers: number): GraphScaleRow {
  let start = performance.now();
  const { loss, params } = buildDeepMlp(layers);
  const buildMs = performance.now() - start;

  start = performance.now();
  const stabilized = stabilize({ loss });
  const stabilizeMs = performance.now() - start;
  const stableLoss = stabilized.graph.outputs[0]!;

  start = performance.now();
  const gradients = grad(stableLoss, params);
  const gradMs = performance.now() - start;

  start = performance.now();
  const prepared = prepareTraining({ loss, params });
  const prepareTrainingMs = performance.now() - start;

  start = performance.now();
  const executable = compile([prepared.loss, ...prepared.gradients]);
  const feeds = new Map(prepared.graph.nodes.filter((n) => n.op === 'input').map((n) => [n, zeros(n.shape as number[], n.dtype)]));
  const plan = executable.prepare(feeds);
  const compileMs = performance.now() - start;

  return {
    layers, width: WIDTH, buildMs, forwardNodes: topoSort([loss]).length,
    stabilizeMs, stabilizedNodes: stabilized.graph.nodes.length, firings: stabilized.report.firings.length,
    gradMs, gradientNodes: topoSort([stableLoss, ...gradients]).length,
    prepareTrainingMs, preparedNodes: prepared.graph.nodes.length,
    compileMs, planSteps: plan.steps, totalMs: prepareTrainingMs + compileMs,
  };
}

// layers dense layers: WIDTH -> WIDTH (ReLU) ... -> CLASSES, naive categorical cross-entropy.
function buildDeepMlp(layers: number): { loss: Node; params: Node[] } {
  const rng = seededRandom(layers);
  const x = input([BATCH, WIDTH], { name: 'x' });
  const y = input([BATCH, CLASSES], { name: 'y' });
  const params: Node[] = [];
  let h = x;
  for (let i = 0; i < layers; i++) {
    const outputs = i === layers - 1 ? CLASSES : WIDTH;
    const scale = Math.sqrt(6 / (WIDTH + outputs));
    const W = param(tensor(Float32Array.from({ length: WIDTH * outputs }, () => (2 * rng.uniform() - 1) * scale), { shape: [WIDTH, outputs] }), { name: `W${i + 1}` });
    const b = param(tensor(new Float32Array(outputs)), { name: `b${i + 1}` });
    params.push(W, b);
    h = h.matmul(W).add(b);
    if (i < layers - 1) h = h.relu();
  }
  const loss = y.mul(h.softmax().log()).sum({ axis: -1 }).neg().mean();
  return { loss, params };
}
