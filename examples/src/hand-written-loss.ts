/**
 * `npm run hand-written-loss`: a loss written by hand from core ops — a dense layer
 * `z = x W + b`, then `-mean(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z)))` — what `stabilize`
 * makes of it (the `explain` report, and the graph before, after, and both in one picture), then
 * a few steps of gradient descent with the prepared gradients on inputs in large units, where
 * logits reach the hundreds: the pipeline's loss and weights stay finite, the same loss
 * differentiated as written (`prepareTraining(..., { stabilize: false })`) is Infinity from the
 * first step and its weights turn NaN. Pictures go under out/hand-written-loss/.
 * Options: `--epochs N` (gradient steps, or STABLEGRAD_EPOCHS).
 * @module
 */
import { pathToFileURL } from 'node:url';
import {
  add, evaluate, graph, type Graph, input, log, mean, mul, neg, type Node, param, scope, sigmoid, sub, type Tensor,
  tensor, zeros,
} from '@stablegrad/core';
import { toDiffDot, toDot } from '@stablegrad/dot';
import { seededRandom } from '@stablegrad/nn';
import { explain, type PreparedTraining, prepareTraining, type RewriteReport, stabilize } from '@stablegrad/rewrite';
import { parseEpochs } from './cli-args.js';
import { writePicture } from './write-pictures.js';

/** The graph of the hand-written loss: inputs, params, logits and loss. */
export interface HandWrittenLoss {
  readonly x: Node;
  readonly y: Node;
  readonly W: Node;
  readonly b: Node;
  readonly logits: Node;
  readonly loss: Node;
}

/**
 * Builds `-mean(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z)))` with `z = x W + b`, float32,
 * `features` inputs, a symbolic batch. Scopes name the parts in reports and pictures.
 * @example
 * ```ts
 * const { loss, W, b } = handWrittenLoss(4);
 * const { report } = stabilize({ loss });
 * ```
 */
export function handWrittenLoss(features: number): HandWrittenLoss {
  const x = input(['batch', features], { name: 'x' });
  const y = input(['batch'], { name: 'y' });
  const W = param(zeros([features, 1]), { name: 'W' });
  const b = param(0, { name: 'b' });
  const logits = scope('dense', () => x.matmul(W).add(b).reshape(['batch']));
  const loss = scope('loss', () => {
    const p = sigmoid(logits);
    return neg(mean(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
  });
  return { x, y, W, b, logits, loss };
}

/** Options of `trainHandWrittenLoss`; every field has a default. */
export interface HandWrittenLossOptions {
  /** Full-batch gradient steps (default 20). */
  readonly steps?: number;
  /** Step size (default 0.02). */
  readonly learningRate?: number;
  /** Rows of data (default 200). */
  readonly rows?: number;
  /** Seeds the data and the initial weights (default 3). */
  readonly seed?: number;
}

/** One gradient step of both runs: the loss before the step. */
export interface StepLosses {
  readonly step: number;
  /** The loss as written, trained with the gradients of the graph as written. */
  readonly asWritten: number;
  /** The stabilized loss, trained with the pipeline's gradients. */
  readonly stabilized: number;
}

/** What the example found. */
export interface HandWrittenLossResult {
  /** The loss graph as written, and after `stabilize`. */
  readonly before: Graph;
  readonly after: Graph;
  /** The `stabilize` report and its `explain` text. */
  readonly report: RewriteReport;
  readonly explanation: string;
  /** Ops of the stabilized graph that are not in the graph as written (e.g. `sigmoidCrossEntropyWithLogits`). */
  readonly newOps: readonly string[];
  /** The whole training graph the pipeline prepared (loss, gradients), with its report. */
  readonly training: { readonly graph: Graph; readonly report: RewriteReport; readonly forward: readonly Node[] };
  readonly losses: readonly StepLosses[];
  /** Whether every weight of each run is finite after the last step. */
  readonly finiteWeights: { readonly asWritten: boolean; readonly stabilized: boolean };
  /** Share of the (training) rows the stabilized run classifies correctly after the last step. */
  readonly accuracy: number;
  /** Largest |logit| over the data with the initial weights. */
  readonly largestInitialLogit: number;
  /** Rows whose float32 `sigmoid(z)` is exactly 0 or 1 with the initial weights (where a log of it is -Infinity). */
  readonly saturatedRows: number;
}

/**
 * Seeded data in large units: 4 features of standard deviation 30, a label decided by a linear
 * rule. With initial weights of order 1 the logits reach the hundreds.
 * @example
 * ```ts
 * const { x, y } = largeUnitData(200, 3);
 * ```
 */
function largeUnitData(rows: number, seed: number): { x: Tensor; y: Tensor } {
  const random = seededRandom(seed);
  const features = 4;
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const f = Array.from({ length: features }, () => 30 * random.normal());
    x.set(f, r * features);
    y[r] = f[0]! - f[1]! + f[2]! / 2 > 0 ? 1 : 0;
  }
  return { x: tensor(x, { shape: [rows, features] }), y: tensor(y) };
}

/**
 * Stabilizes the hand-written loss, then trains it twice from the same seeded weights: with the
 * pipeline's gradients, and with the gradients of the graph as written.
 * @example
 * ```ts
 * const { losses, newOps } = trainHandWrittenLoss({ steps: 5 });
 * newOps; // ['sigmoidCrossEntropyWithLogits']
 * ```
 */
export function trainHandWrittenLoss(options: HandWrittenLossOptions = {}): HandWrittenLossResult {
  const steps = options.steps ?? 20;
  const learningRate = options.learningRate ?? 0.02;
  const seed = options.seed ?? 3;
  const data = largeUnitData(options.rows ?? 200, seed);
  const model = handWrittenLoss(data.x.shape[1]!);
  const { x, y, W, b, logits, loss } = model;

  const before = graph({ loss });
  const { graph: after, report } = stabilize(before);
  const writtenOps = new Set(before.nodes.map((n) => n.op));
  const newOps = [...new Set(after.nodes.map((n) => n.op).filter((op) => !writtenOps.has(op)))];

  const stable = prepareTraining({ loss, params: [W, b] });
  const naive = prepareTraining({ loss, params: [W, b] }, { stabilize: false });

  // Both runs start from the same seeded weights, of order 1 (the inputs are not standardized).
  const random = seededRandom(seed + 1);
  const initial = [tensor(Float32Array.from({ length: data.x.shape[1]! }, () => random.normal()), { shape: [data.x.shape[1]!, 1] }), tensor(0)];
  const feeds = (weights: readonly Tensor[]) => new Map<Node, Tensor>([[x, data.x], [y, data.y], [W, weights[0]!], [b, weights[1]!]]);
  const [initialLogits, initialProbabilities] = evaluate([logits, sigmoid(logits)], feeds(initial));
  const largestInitialLogit = Math.max(...Array.from(initialLogits!.data, Math.abs));
  const saturatedRows = initialProbabilities!.data.filter((p) => p === 0 || p === 1).length;

  const run = (prepared: PreparedTraining): { history: number[]; weights: Tensor[] } => {
    let weights = initial.map((w) => tensor(w));
    const history: number[] = [];
    for (let step = 0; step < steps; step++) {
      const [value, ...gradients] = evaluate([prepared.loss, ...prepared.gradients], feeds(weights));
      history.push(value!.data[0]!);
      weights = weights.map((w, i) => {
        const next = tensor(w);
        next.data.forEach((v, j) => { next.data[j] = v - learningRate * gradients[i]!.data[j]!; });
        return next;
      });
    }
    return { history, weights };
  };
  const stableRun = run(stable);
  const naiveRun = run(naive);
  const finite = (weights: readonly Tensor[]): boolean => weights.every((w) => w.data.every(Number.isFinite));
  const final = evaluate(logits, feeds(stableRun.weights)).data;
  const correct = Array.from(final).filter((z, i) => (z > 0 ? 1 : 0) === data.y.data[i]).length;

  return {
    before, after, report, explanation: explain(report), newOps,
    training: { graph: stable.graph, report: stable.report, forward: [stable.loss] },
    losses: stableRun.history.map((stabilized, i) => ({ step: i + 1, asWritten: naiveRun.history[i]!, stabilized })),
    finiteWeights: { asWritten: finite(naiveRun.weights), stabilized: finite(stableRun.weights) },
    accuracy: correct / final.length,
    largestInitialLogit,
    saturatedRows,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const steps = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 20, 'hand-written-loss');
  const started = performance.now();
  const settings = { steps, learningRate: 0.02, rows: 200 };
  const result = trainHandWrittenLoss(settings);
  console.log('stablegrad: a loss written by hand from core ops, and what the pipeline makes of it');
  console.log('  z = x W + b            (scope dense; x: [batch, 4] float32, W: [4, 1], b: scalar)');
  console.log('  loss = -mean(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z)))   (scope loss)');
  console.log('\nexplain(stabilize({ loss }).report):');
  console.log(result.explanation.split('\n').map((line) => `  ${line}`).join('\n'));
  console.log(`\nnew ops after stabilize: ${result.newOps.join(', ')}`);

  console.log(`\ntraining: ${steps} full-batch gradient steps, learning rate ${settings.learningRate}, ${settings.rows} rows of 4 features in large units (std 30);`);
  console.log(`with the initial weights the largest |z| is ${result.largestInitialLogit.toFixed(1)}, and sigmoid(z) rounds to exactly 0 or 1`);
  console.log(`in ${result.saturatedRows} of ${settings.rows} rows: there the loss as written takes log(0) = -Infinity, and the label's 0 times it is NaN.`);
  console.log('Loss before each step:');
  console.log('  step  as written (grad of the graph as written)  stabilized (prepareTraining)');
  for (const { step, asWritten, stabilized } of result.losses) {
    if (step > 5 && step % 5 !== 0 && step !== steps) continue;
    console.log(`  ${String(step).padStart(4)}  ${String(asWritten).padEnd(41)}  ${stabilized.toFixed(6)}`);
  }
  const state = (finite: boolean): string => (finite ? 'all finite' : 'NaN or Infinity');
  console.log(`weights after ${steps} steps: as written ${state(result.finiteWeights.asWritten)}, stabilized ${state(result.finiteWeights.stabilized)}`);
  console.log(`the stabilized run classifies ${(100 * result.accuracy).toFixed(1)}% of the training rows correctly`);

  const files = [
    ...(await writePicture('hand-written-loss', 'before', toDot(result.before, { title: 'the loss as written' }))),
    ...(await writePicture('hand-written-loss', 'after', toDot(result.after, { report: result.report, title: 'after stabilize (fused ops highlighted)' }))),
    ...(await writePicture('hand-written-loss', 'before-and-after', toDiffDot(result.before, result.after, { report: result.report, title: 'stabilize: removed nodes grey, added nodes green' }))),
    ...(await writePicture('hand-written-loss', 'training-graph', toDot(result.training.graph, { report: result.training.report, forward: result.training.forward, title: 'what training runs: the stabilized loss and its gradients' }))),
  ];
  console.log(`graphs: ${files.join(', ')}`);
  // Timing varies from run to run, so it goes to stderr and stdout stays reproducible.
  console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
}
