/**
 * What pictures say about themselves: attributes by name (`axis=1`), one op name per node (a
 * fused op that inherited another op's name shows only its own), gradient nodes naming the
 * forward op they belong to, the legend of the looks a picture uses, and scope summaries.
 */
import { describe, expect, it } from 'vitest';
import {
  grad, graph, input, isOpName, log, mean, mul, neg, oneHot, param, relu, scope, softmax, sum, tensor, transpose,
} from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';
import { toDiffDot, toDot } from '@stablegrad/dot';
import { mlp } from './graphs.js';

/** The statement lines defining nodes (`n3 [...]`, `s0 [...]`), by id. */
function statements(dot: string): Map<string, string> {
  return new Map([...dot.matchAll(/^\s*([ns]\d+(?:_\d+)?) \[(.*)\];$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** The label lines of a statement. */
function labelLines(statement: string): string[] {
  return /label="([^"]*)"/.exec(statement)![1]!.split('\\n');
}

/** The entries of the legend of looks, in order. */
function legendEntries(dot: string): string[] {
  return [...dot.matchAll(/look_(\w+) \[class="legend look-\1"/g)].map((m) => m[1]!);
}

describe('node labels', () => {
  it('name each attribute: axis=1, axes=[0], perm=[1, 0], a true flag by its name', () => {
    const x = input(['batch', 3], { name: 'x' });
    const dot = toDot({ s: softmax(x, 1), t: transpose(x), k: sum(x, { axis: 0, keepDims: true }), r: sum(x, { axis: 1 }) });
    const firstLines = [...statements(dot).values()].map((s) => labelLines(s)[0]);
    expect(firstLines).toEqual(['input', 'softmax axis=1', 'transpose perm=[1, 0]', 'sum axes=[0] keepDims', 'sum axes=[1]']);
  });

  it('show one op name: a fused op named after the node it replaced does not show that name', () => {
    const x = input(['batch', 4], { name: 'x' });
    const labels = input(['batch'], { name: 'labels', dtype: 'int32' });
    const z = scope('dense', () => x.matmul(param(tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]), { name: 'W' })));
    const loss = scope('loss', () => neg(mean(sum(mul(oneHot(labels, 3), log(softmax(z))), { axis: -1 }))));
    const { graph: after, report } = stabilize(graph({ loss }));
    const fused = after.nodes.find((n) => n.op.endsWith('CrossEntropyWithLogits'));
    expect(fused).toBeDefined();
    // The fused op inherited the name of a node it replaced, which is an op's name.
    expect(isOpName(fused!.name)).toBe(true);
    const all = [...statements(toDot(after, { report })).values()];
    for (const statement of all) {
      const lines = labelLines(statement);
      expect(lines.slice(1).filter((line) => isOpName(line)), lines.join(' | ')).toEqual([]);
    }
    const fusedLabel = all.map(labelLines).find((lines) => lines[0]!.startsWith('sparseSoftmaxCrossEntropy') || lines[0]!.startsWith('softmaxCrossEntropy'));
    expect(fusedLabel).toBeDefined();
  });

  it('name the forward op of each gradient node (grad of relu, grad of +, grad of matmul, grad of exp, grad of sum)', () => {
    const x = input(['batch', 3], { name: 'x' });
    const { W, b, h } = scope('dense_1', () => {
      const W = param(tensor([[1, 2], [3, 4], [5, 6]]), { name: 'W' });
      const b = param(tensor([0, 0]), { name: 'b' });
      return { W, b, h: relu(x.matmul(W).add(b)) };
    });
    const loss = scope('loss', () => sum(h.exp()));
    const whole = graph([loss, ...grad(loss, [W, b])]);
    const dot = toDot(whole, { forward: [loss] });
    // What each VJP builds, from the op files: relu's is where(x > 0, c, 0); +'s sums the
    // cotangent to the bias' shape; matmul's is transpose(x) c; exp's is c * exp(z); sum's
    // broadcasts the cotangent back (expandDims, broadcastLike).
    const expected: { [op: string]: string } = {
      greater: 'relu', where: 'relu', sumTo: '+', transpose: 'matmul', matmul: 'matmul', mul: 'exp', expandDims: 'sum', broadcastLike: 'sum',
    };
    const shown = statements(dot);
    let checked = 0;
    whole.nodes.forEach((node, i) => {
      const lines = labelLines(shown.get(`n${i}`)!);
      const named = lines.filter((l) => l.startsWith('grad of '));
      if (node.scope[0] !== 'grad' || node.inputs.length === 0) {
        expect(named, `${node}`).toEqual([]);
        return;
      }
      expect(named, `${node}`).toEqual([`grad of ${expected[node.op]}`]);
      checked++;
    });
    expect(checked).toBeGreaterThanOrEqual(8);
    // Outside a forward + gradient view nothing is a gradient node.
    expect(toDot(whole)).not.toContain('grad of');
  });
});

describe('legend of looks', () => {
  it('lists only the looks the picture uses, and none for a plain picture', () => {
    const { loss, params } = mlp();
    const before = graph({ loss });
    expect(legendEntries(toDot(before))).toEqual([]);
    expect(toDot(before)).not.toContain('cluster_looks');
    const { graph: after, report } = stabilize(before);
    expect(legendEntries(toDot(after, { report }))).toEqual(['fused', 'rewritten']);
    expect(legendEntries(toDiffDot(before, after))).toEqual(['removed', 'added']);
    expect(legendEntries(toDiffDot(before, after, { report }))).toEqual(['fused', 'rewritten', 'removed', 'added']);
    const naive = graph([loss, ...grad(loss, params)]);
    expect(legendEntries(toDot(naive, { forward: [loss] }))).toEqual(['forward', 'gradient']);
    expect(legendEntries(toDot(naive, { forward: [loss], collapseScopes: true }))).toEqual(['forward', 'gradient']);
    expect(legendEntries(toDot(naive, { forward: [loss], legend: false }))).toEqual([]);
  });

  it('draws each sample box exactly as the nodes of its look', () => {
    const { loss, params } = mlp();
    const naive = graph([loss, ...grad(loss, params)]);
    const dot = toDot(naive, { forward: [loss] });
    const style = (statement: string) => ['shape', 'style', 'fillcolor', 'color'].map((a) => new RegExp(`${a}=("[^"]*"|\\w+)`).exec(statement)?.[1]);
    const gradientOp = [...statements(dot).values()].find((s) => s.startsWith('class="op gradient"'))!;
    const sample = /look_gradient \[(.*)\];/.exec(dot)![1]!;
    expect(style(sample)).toEqual(style(gradientOp));
  });
});

describe('scope summaries', () => {
  const scopes = {
    dense_1: { type: 'dense', activation: 'relu', outputShape: [null, 3], params: 1625 },
    dense_2: { type: 'dense', outputShape: ['batch', 3], params: 1234567 },
    constructor: { type: 'odd' },
  };

  it('label expanded clusters and collapsed boxes, with thousands separators', () => {
    const { loss } = mlp();
    const g = graph({ loss });
    const dot = toDot(g, { scopes });
    expect(dot).toContain('graph [label="dense_1 · dense, relu · [?, 3] · 1,625 params"');
    expect(dot).toContain('graph [label="dense_2 · dense · [batch, 3] · 1,234,567 params"');
    // A scope without an entry keeps its name.
    expect(dot).toContain('graph [label="dense_3"');
    const collapsed = toDot(g, { scopes, collapseScopes: true });
    expect(collapsed).toContain('label="dense_1\\ndense, relu\\n[?, 3] · 1,625 params"');
    // Without an entry: what the graph tells (W is 3 x 1, b is 1: 4 values).
    expect(collapsed).toContain('label="dense_3\\nmatmul, +\\n[batch, 1] · 4 params"');
  });

  it('read only own keys: a scope named like an Object property has no summary unless given', () => {
    const x = input([2], { name: 'x' });
    const y = scope('toString', () => x.exp());
    expect(toDot(y, { scopes })).toContain('graph [label="toString"');
    const z = scope('constructor', () => x.exp());
    expect(toDot(z, { scopes })).toContain('graph [label="constructor · odd"');
  });
});
