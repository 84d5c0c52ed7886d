// The committed example graph files are exactly what `npm run graphs` writes, and they load.
// Every example's graph is drawn in each view the `stablegrad dot` command offers (as written,
// --stabilize, --diff, --grad all, --grad all --stabilize) and rendered to well-formed SVG
// with one node group per node drawn; fused ops are highlighted only where they should be.
import { readFileSync } from 'node:fs';
import { fromJSON, type Graph, type Node } from '@stablegrad/core';
import { type DotOptions, renderSvg, toDiffDot, toDot } from '@stablegrad/dot';
import { prepareTraining, stabilize } from '@stablegrad/rewrite';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_GRAPHS, exampleGraphPath, graphFileText } from '../examples/src/graphs.js';
import { checkWellFormed, drawnBoxes, graphNodeClasses, nodeClasses } from '../packages/dot/test/svg.js';

function load(name: string): Graph {
  return fromJSON(JSON.parse(readFileSync(exampleGraphPath(name), 'utf8')));
}

describe('example graph files', () => {
  it('there is more than one example: the binary and the categorical cross-entropy, the logistic regression, the digits model', () => {
    expect(Object.keys(EXAMPLE_GRAPHS).sort()).toEqual(['digits-model', 'keras-cce', 'logistic-regression', 'naive-bce']);
  });

  it.each(Object.keys(EXAMPLE_GRAPHS))('examples/graphs/%s.json is in sync with its script (run npm run graphs)', (name) => {
    const committed = readFileSync(exampleGraphPath(name), 'utf8');
    expect(committed).toBe(graphFileText(EXAMPLE_GRAPHS[name]!()));
    const g = fromJSON(JSON.parse(committed));
    expect(g.outputNames).toEqual(name === 'digits-model' ? ['loss', 'prediction'] : ['loss']);
    expect(g.outputs[0]!.shape).toEqual([]);
  });

  it('naive-bce stabilizes to the fused sigmoid cross-entropy', () => {
    const g = load('naive-bce');
    expect(g.nodes.map((n) => n.op)).toContain('sigmoid');
    const { graph, report } = stabilize(g);
    const ops = graph.nodes.map((n) => n.op);
    expect(ops).toContain('sigmoidCrossEntropyWithLogits');
    expect(ops).not.toContain('log');
    expect(ops).not.toContain('sigmoid');
    expect(report.firings.map((f) => f.rule)).toContain('binary-cross-entropy');
  });

  it('keras-cce stabilizes to the fused softmax cross-entropy, clip and all', () => {
    const g = load('keras-cce');
    expect(g.nodes.map((n) => n.op)).toEqual(expect.arrayContaining(['softmax', 'clip', 'log']));
    const { graph, report } = stabilize(g);
    const ops = graph.nodes.map((n) => n.op);
    expect(ops).toContain('softmaxCrossEntropyWithLogits');
    for (const op of ['softmax', 'clip', 'log']) expect(ops).not.toContain(op);
    expect(report.firings.map((f) => f.rule)).toEqual(expect.arrayContaining(['keras-log-clipped', 'categorical-cross-entropy']));
  });

  it('digits-model (model.toGraph() of npm start) stabilizes to the sparse fused softmax cross-entropy', () => {
    const g = load('digits-model');
    expect(g.nodes.map((n) => n.op)).toEqual(expect.arrayContaining(['softmax', 'clip', 'log', 'oneHot']));
    const { graph, report } = stabilize(g);
    const lossOps = graph.nodes.filter((n) => n !== graph.outputs[1]).map((n) => n.op);
    expect(lossOps).toContain('sparseSoftmaxCrossEntropyWithLogits');
    for (const op of ['clip', 'log', 'oneHot']) expect(lossOps).not.toContain(op);
    expect(report.firings.map((f) => f.rule)).toEqual(expect.arrayContaining(['keras-renormalized-softmax', 'one-hot-cross-entropy-to-sparse']));
  });

  it('logistic-regression is already stable: stabilize changes nothing', () => {
    const g = load('logistic-regression');
    const { graph, report } = stabilize(g);
    expect(report.firings).toEqual([]);
    expect(graph.outputs[0]).toBe(g.outputs[0]);
  });
});

/** The cross-entropy op of each example, and the fused gradient `grad` makes of it. */
const FUSED: { readonly [name: string]: readonly [loss: string, gradient: string] } = {
  'naive-bce': ['sigmoidCrossEntropyWithLogits', 'sigmoidCrossEntropyGrad'],
  'keras-cce': ['softmaxCrossEntropyWithLogits', 'softmaxCrossEntropyGrad'],
  'logistic-regression': ['sigmoidCrossEntropyWithLogits', 'sigmoidCrossEntropyGrad'],
  'digits-model': ['sparseSoftmaxCrossEntropyWithLogits', 'sparseSoftmaxCrossEntropyGrad'],
};

/** One view: its DOT, the nodes it draws in id order, and the ops expected to be highlighted as fused. */
interface View {
  readonly dot: string;
  readonly nodes: readonly Node[];
  readonly fused: readonly string[];
}

/** The views of `stablegrad dot`, built with the same calls as the command. */
function views(name: string): { readonly [view: string]: View } {
  const g = load(name);
  const [loss, gradient] = FUSED[name]!;
  const { graph: after, report } = stabilize(g);
  const params = g.nodes.filter((n) => n.op === 'param');
  const training = (stable: boolean): View => {
    const compiled = prepareTraining({ loss: g.outputs[0]!, params }, { stabilize: stable });
    const options: DotOptions = stable ? { forward: [compiled.loss], report: compiled.report } : { forward: [compiled.loss] };
    const ops: readonly string[] = compiled.graph.nodes.map((n) => n.op);
    return { dot: toDot(compiled.graph, options), nodes: compiled.graph.nodes, fused: [loss, gradient].filter((op) => ops.includes(op)) };
  };
  const union = [...g.nodes, ...after.nodes.filter((n) => !g.nodes.includes(n))];
  // A fused op only counts as fused where the stabilize phase built it.
  const built = report.firings.length > 0 ? [loss] : [];
  return {
    plain: { dot: toDot(g), nodes: g.nodes, fused: [] },
    stabilized: { dot: toDot(after, { report }), nodes: after.nodes, fused: built },
    diff: { dot: toDiffDot(g, after, { report }), nodes: union, fused: built },
    'grad all': training(false),
    'grad all --stabilize': training(true),
  };
}

/** The class list of each node statement of a DOT text, by id. */
function dotClasses(dot: string): Map<string, string[]> {
  return new Map([...dot.matchAll(/^\s*(n\d+) \[class="([^"]*)"/gm)].map((m) => [m[1]!, m[2]!.split(' ')]));
}

describe.each(Object.keys(EXAMPLE_GRAPHS))('the graph of %s', (name) => {
  it('renders in every view to well-formed SVG, one node group per node drawn, fused nodes where due', async () => {
    const all = views(name);
    expect(Object.keys(all)).toHaveLength(5);
    for (const [view, { dot, nodes, fused }] of Object.entries(all)) {
      const svg = await renderSvg(dot);
      expect(() => checkWellFormed(svg), `${name}, ${view}`).not.toThrow();
      // One group per node, a constant read by several nodes once per user, and the legend's boxes.
      const groups = svg.match(/<g [^>]*class="node[ "]/g) ?? [];
      const legend = nodeClasses(svg).length - graphNodeClasses(svg).length;
      expect(groups, `${name}, ${view}`).toHaveLength(drawnBoxes(nodes) + legend);
      expect(graphNodeClasses(svg), `${name}, ${view}`).toHaveLength(drawnBoxes(nodes));

      const classes = dotClasses(dot);
      expect(classes.size).toBe(nodes.length);
      const highlighted = nodes.filter((_, i) => classes.get(`n${i}`)!.includes('fused')).map((n) => n.op);
      expect(highlighted.sort(), `${name}, ${view}`).toEqual([...fused].sort());
    }
  });
});
