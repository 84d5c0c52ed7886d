/**
 * `toDiffDot`: one picture of a graph before and after a rewrite. Identity is by node object:
 * nodes in both graphs are unchanged, only-before nodes removed, only-after nodes added. The
 * end-to-end case is the reason this package exists: a hand-written binary cross-entropy,
 * stabilized, drawn with the fused node named by its rule.
 */
import { describe, expect, it } from 'vitest';
import { abs, exp, graph, input, neg } from '@stablegrad/core';
import { stabilize, stabilizeRules } from '@stablegrad/rewrite';
import { renderSvg, toDiffDot } from '@stablegrad/dot';
import { mlp, naiveBce } from './graphs.js';
import { checkWellFormed, decode, nodeClasses, texts } from './svg.js';

function statement(dot: string, id: string): string {
  const line = dot.split('\n').find((l) => l.trimStart().startsWith(`${id} [`));
  if (line === undefined) throw new Error(`no statement for ${id}`);
  return line.trim();
}

describe('toDiffDot', () => {
  it('styles removed, added and unchanged nodes and edges apart', () => {
    const x = input([3], { name: 'x' });
    const e = exp(x);
    const before = graph({ out: neg(e) });
    const after = graph({ out: abs(e) });
    expect(toDiffDot(before, after)).toMatchInlineSnapshot(`
      "digraph stablegrad {
        graph [rankdir=TB, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.4];
        node [fontname="Helvetica", fontsize=11, margin="0.12,0.04"];
        edge [fontname="Helvetica", fontsize=9, color="#6b7280", arrowsize=0.7];
        n0 [class="input unchanged", shape=ellipse, style="filled", fillcolor="#dbeafe", color="#2563eb", label="input\\nx\\n[3] float32"];
        n1 [class="op unchanged", shape=box, style="filled,rounded", fillcolor="#ffffff", color="#374151", label="exp\\n[3] float32"];
        n2 [class="op output removed", shape=box, style="filled,rounded,dashed", fillcolor="#f3f4f6", color="#9ca3af", fontcolor="#9ca3af", peripheries=2, label="neg\\n[3] float32\\noutput: out"];
        n3 [class="op output added", shape=box, style="filled,rounded", fillcolor="#bbf7d0", color="#15803d", penwidth=2, peripheries=2, label="abs\\n[3] float32\\noutput: out"];
        n0 -> n1 [class="unchanged"];
        n1 -> n2 [class="removed", color="#9ca3af", style=dashed];
        n1 -> n3 [class="added", color="#15803d", penwidth=1.5];
        subgraph cluster_looks {
          graph [label="legend", class="legend looks", style="rounded", color="#9ca3af", fontcolor="#111827"];
          look_removed [class="legend look-removed", shape=box, style="filled,rounded,dashed", fillcolor="#f3f4f6", color="#9ca3af", fontcolor="#9ca3af", fontsize=10, label="removed"];
          look_added [class="legend look-added", shape=box, style="filled,rounded", fillcolor="#bbf7d0", color="#15803d", penwidth=2, fontsize=10, label="added"];
          look_removed -> look_added [style=invis];
        }
      }
      "
    `);
  });

  it('end to end: a naive BCE, stabilized, shows the fused node with its rule', async () => {
    const z = input(['batch'], { name: 'z' });
    const y = input(['batch'], { name: 'y' });
    const before = graph({ loss: naiveBce(z, y) });
    const { graph: after, report } = stabilize(before);
    const dot = toDiffDot(before, after, { report });

    const union = [...before.nodes, ...after.nodes.filter((n) => !before.nodes.includes(n))];
    const k = union.findIndex((n) => n.op === 'sigmoidCrossEntropyWithLogits');
    expect(k).toBeGreaterThanOrEqual(before.nodes.length); // an added node
    const fused = statement(dot, `n${k}`);
    expect(fused).toContain('class="op fused added"');
    expect(fused).toContain('label="sigmoidCrossEntropy\\n[batch] float32\\nrule: binary-cross-entropy"');
    const doc = stabilizeRules.find((r) => r.name === 'binary-cross-entropy')!.doc;
    expect(fused).toContain(`tooltip="binary-cross-entropy: ${doc}"`);

    union.forEach((node, i) => {
      const expected = !after.nodes.includes(node) ? 'removed' : before.nodes.includes(node) ? 'unchanged' : 'added';
      expect(statement(dot, `n${i}`)).toMatch(new RegExp(`class="[^"]*\\b${expected}"`));
    });
    for (const op of ['sigmoid', 'log']) {
      union.forEach((n, i) => n.op === op && expect(statement(dot, `n${i}`)).toContain('removed'));
    }
    expect(statement(dot, 'n0')).toContain('class="input unchanged"');

    const svg = await renderSvg(dot);
    checkWellFormed(svg);
    const classes = nodeClasses(svg);
    expect(classes.filter((c) => !c.split(' ').includes('legend'))).toHaveLength(union.length);
    // The legend: one box per look the picture uses.
    expect(classes.filter((c) => c.split(' ').includes('legend')).map((c) => decode(c))).toEqual([
      'node legend look-fused', 'node legend look-rewritten', 'node legend look-removed', 'node legend look-added',
    ]);
    expect(nodeClasses(svg)).toContain('node op fused added');
    expect(texts(svg)).toEqual(expect.arrayContaining(['sigmoidCrossEntropy', 'rule: binary-cross-entropy']));
  });

  it('collapsed: a scope whose nodes changed says how many were removed and added', () => {
    const { loss } = mlp();
    const before = graph({ loss });
    const { graph: after, report } = stabilize(before);
    const dot = toDiffDot(before, after, { report, collapseScopes: true });
    const removed = before.nodes.filter((n) => n.scope[0] === 'loss' && !after.nodes.includes(n)).length;
    const added = after.nodes.filter((n) => n.scope[0] === 'loss' && !before.nodes.includes(n)).length;
    expect(removed).toBeGreaterThan(0);
    expect(added).toBeGreaterThan(0);
    const box = dot.split('\n').find((l) => l.includes('label="loss\\n'))!;
    expect(box).toContain('class="scope output fused changed"');
    expect(box).toContain(`\\n${removed} removed, ${added} added`);
    expect(box).toContain('binary-cross-entropy');
    // The layers are untouched.
    expect(dot.split('\n').find((l) => l.includes('label="dense_1\\n'))).toContain('class="scope unchanged"');
  });

  it('collapsed: a box holding the removed and the added output node names the output once', () => {
    const { loss } = mlp();
    const before = graph({ loss });
    const { graph: after, report } = stabilize(before);
    // Both sides name an output `loss`, on different nodes of the same box.
    expect(after.outputs[0]).not.toBe(before.outputs[0]);
    expect([before.outputs[0]!.scope[0], after.outputs[0]!.scope[0]]).toEqual(['loss', 'loss']);
    const dot = toDiffDot(before, after, { report, collapseScopes: true });
    const box = dot.split('\n').find((l) => l.includes('label="loss\\n'))!;
    expect(box).toMatch(/\\noutput: loss"/);
    expect(box).not.toContain('loss, loss');
  });
});
