/**
 * `npm run graphs`: writes the example graph files under examples/graphs/ (read by the
 * `stablegrad` command line, e.g. `npx stablegrad explain examples/graphs/naive-bce.json`).
 * The files are generated, never edited by hand; a test regenerates them in memory and
 * compares them with the committed ones.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { add, type Graph, graph, input, log, mean, mul, neg, param, scope, sigmoid, sub, tensor, toJSON } from '@stablegrad/core';

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

/** The example graphs by file name (without `.json`). */
export const EXAMPLE_GRAPHS: { readonly [name: string]: () => Graph } = {
  'naive-bce': naiveBce,
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
