/**
 * `npm run graphs`: writes the example graph files under examples/graphs/ (read by the
 * `stablegrad` command line, e.g. `npx stablegrad explain examples/graphs/naive-bce.json`).
 * The files are generated, never edited by hand; a test regenerates them in memory and
 * compares them with the committed ones.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { digitsModel } from './digits-model.js';
import {
  add, clip, type Graph, graph, input, log, mean, mul, neg, param, scope, sigmoid, sigmoidCrossEntropyWithLogits, softmax, sub,
  sum, tensor, toJSON, zeros,
} from '@stablegrad/core';

/**
 * Binary cross-entropy written by hand in probability space, the way it is often copied from a
 * textbook: a dense layer `z = x W + b`, `p = sigmoid(z)`, and
 * `loss = -mean(y log(p) + (1 - y) log(1 - p))`. In float32 it is Infinity as soon as some
 * |z| > ~17; `stabilize` rewrites it to `mean(sigmoidCrossEntropyWithLogits(z, y))`.
 * @example
 * ```ts
 * const { report } = stabilize(naiveBce());
 * ```
 */
export function naiveBce(): Graph {
  const x = input(['batch', 4], { name: 'x' });
  const y = input(['batch'], { name: 'y' });
  const z = scope('dense', () => {
    const W = param(tensor([[0.5], [-0.25], [0.75], [-1]]), { name: 'W' });
    const b = param(tensor([0.125]), { name: 'b' });
    return x.matmul(W).add(b).reshape(['batch']);
  });
  const loss = scope('bce', () => {
    const p = sigmoid(z);
    const perExample = add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))));
    return neg(mean(perExample));
  });
  return graph({ loss });
}

/**
 * Categorical cross-entropy the way Keras computes it from probabilities: a dense layer
 * `z = x W + b` with 3 classes, `p = softmax(z)` clipped to `[1e-7, 1 - 1e-7]`, and
 * `loss = -mean(sum(y log(p), axis -1))`. The clip caps the loss of a confident mistake at
 * `-log(1e-7)` and zeroes its gradient; `stabilize` rewrites it to
 * `mean(softmaxCrossEntropyWithLogits(z, y))`.
 * @example
 * ```ts
 * const { report } = stabilize(kerasCce());
 * ```
 */
export function kerasCce(): Graph {
  const x = input(['batch', 4], { name: 'x' });
  const y = input(['batch', 3], { name: 'y' });
  const z = scope('dense', () => {
    const W = param(tensor([[0.5, -0.25, 0], [0.75, 0, -1], [-0.5, 1, 0.25], [0, -0.75, 0.5]]), { name: 'W' });
    const b = param(tensor([0, 0.125, -0.125]), { name: 'b' });
    return x.matmul(W).add(b);
  });
  const loss = scope('cce', () => {
    const p = clip(softmax(z), 1e-7, 1 - 1e-7);
    return neg(mean(sum(mul(y, log(p)), { axis: -1 })));
  });
  return graph({ loss });
}

/**
 * The model of examples/src/train-logistic-regression.ts: 30 features, zero-initialised
 * weights `W` `[30, 1]` and bias `b`, logits `x W + b`, and the mean of the fused
 * `sigmoidCrossEntropyWithLogits` (already stable: `stabilize` leaves it as it is).
 * @example
 * ```ts
 * const [dW, db] = grad(logisticRegression().outputs[0]!, params);
 * ```
 */
export function logisticRegression(): Graph {
  const x = input(['batch', 30], { name: 'x' });
  const y = input(['batch'], { name: 'y' });
  const logits = scope('linear', () => {
    const W = param(zeros([30, 1]), { name: 'W' });
    const b = param(0, { name: 'b' });
    return x.matmul(W).add(b).reshape(['batch']);
  });
  const loss = scope('loss', () => sigmoidCrossEntropyWithLogits(logits, y).mean());
  return graph({ loss });
}

/**
 * The flagship digits model of `npm start` (examples/src/digits-model.ts) as `model.toGraph()`
 * gives it: the network with its seeded initial weights and the loss as written, Keras-style, on
 * probabilities. `npx stablegrad explain examples/graphs/digits-model.json` shows the fusion.
 * @example
 * ```ts
 * const { report } = stabilize(digitsModelGraph());
 * ```
 */
export function digitsModelGraph(): Graph {
  return digitsModel(42).toGraph();
}

/** The example graphs by file name (without `.json`). */
export const EXAMPLE_GRAPHS: { readonly [name: string]: () => Graph } = {
  'naive-bce': naiveBce,
  'keras-cce': kerasCce,
  'logistic-regression': logisticRegression,
  'digits-model': digitsModelGraph,
};

/**
 * The text of a graph file: `toJSON` with one node per line (readable diffs), a final newline.
 * @example
 * ```ts
 * writeFileSync('naive-bce.json', graphFileText(naiveBce()));
 * ```
 */
export function graphFileText(g: Graph): string {
  const { format, version, nodes, outputs } = toJSON(g);
  return [
    '{',
    `  "format": ${JSON.stringify(format)},`,
    `  "version": ${JSON.stringify(version)},`,
    '  "nodes": [',
    nodes.map((node) => `    ${JSON.stringify(node)}`).join(',\n'),
    '  ],',
    `  "outputs": ${JSON.stringify(outputs)}`,
    '}',
    '',
  ].join('\n');
}

/** Where the example graph files live: examples/graphs/<name>.json. */
export function exampleGraphPath(name: string): string {
  return fileURLToPath(new URL(`../graphs/${name}.json`, import.meta.url));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, build] of Object.entries(EXAMPLE_GRAPHS)) {
    const file = exampleGraphPath(name);
    writeFileSync(file, graphFileText(build()));
    console.log(`written ${file}`);
  }
}
