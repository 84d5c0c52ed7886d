/**
 * `toDot`: the exact text for small graphs (worked out by hand from the format: ids from graph
 * order, root nodes before clusters, edges last), escaping of hostile names, and the classes
 * that mark each view (kinds, outputs, forward + gradient, rewritten nodes, collapsed scopes).
 */
import { describe, expect, it } from 'vitest';
import { exp, grad, graph, input, logSigmoid, neg, type Node, param, scope, sigmoidCrossEntropyWithLogits, sum, tensor } from '@stablegrad/core';
import { type Firing, prepareTraining, type RewriteReport, stabilize } from '@stablegrad/rewrite';
import { toDot } from '@stablegrad/dot';
import { mlp } from './graphs.js';

/** The `class="..."` of the statement defining `id`. */
function classOf(dot: string, id: string): string {
  const line = dot.split('\n').find((l) => l.trimStart().startsWith(`${id} [`));
  if (line === undefined) throw new Error(`no statement for ${id}`);
  return /class="([^"]*)"/.exec(line)![1]!;
}

/** The whole statement defining `id`. */
function statement(dot: string, id: string): string {
  const line = dot.split('\n').find((l) => l.trimStart().startsWith(`${id} [`));
  if (line === undefined) throw new Error(`no statement for ${id}`);
  return line.trim();
}

/** The ops the package highlights as fused (DESIGN.md's fused ops and the fused gradients). */
const FUSED_OPS = [
  'logSigmoid', 'softplus', 'logSoftmax', 'logsumexp', 'log1p', 'expm1',
  'sigmoidCrossEntropyWithLogits', 'softmaxCrossEntropyWithLogits', 'sparseSoftmaxCrossEntropyWithLogits',
  'sigmoidCrossEntropyGrad', 'softmaxCrossEntropyGrad', 'sparseSoftmaxCrossEntropyGrad',
];

/** A report of hand-made firings: each builds `replacement` in place of `matched`. */
function reportOf(firings: readonly { phase: string; rule: string; doc: string; matched: Node; replacement: Node }[]): RewriteReport {
  const list: Firing[] = firings.map((f) => ({ ...f, path: f.matched.path, scope: f.matched.scope, before: '', after: '', captures: {} }));
  return { firings: list, phases: [] };
}

/** The ids of the node statements (`n3 [...]`, `s0 [...]`). */
function nodeIds(dot: string): string[] {
  return [...dot.matchAll(/^\s*([ns]\d+) \[/gm)].map((m) => m[1]!);
}

describe('toDot', () => {
  it('draws inputs, params, constants and ops apart, with scopes as clusters', () => {
    const x = input([2], { name: 'x', dtype: 'float64' });
    const W = param(tensor([1, 2], { dtype: 'float64' }), { name: 'W' });
    const h = scope('layer', () => exp(x.mul(W)).add(1));
    const y = sum(h);
    expect(toDot({ y })).toMatchInlineSnapshot(`
      "digraph stablegrad {
        graph [rankdir=TB, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.4];
        node [fontname="Helvetica", fontsize=11, margin="0.12,0.04"];
        edge [fontname="Helvetica", fontsize=9, color="#6b7280", arrowsize=0.7];
        n0 [class="input", shape=ellipse, style="filled", fillcolor="#dbeafe", color="#2563eb", label="input\\nx\\n[2] float64"];
        n1 [class="param", shape=cylinder, style="filled", fillcolor="#fef3c7", color="#b45309", label="param\\nW\\n[2] float64"];
        n6 [class="op output", shape=box, style="filled,rounded", fillcolor="#ffffff", color="#374151", peripheries=2, label="sum axes=[0]\\n[] float64\\noutput: y"];
        subgraph cluster_0 {
          graph [label="layer", class="scope", style="rounded", color="#9ca3af", fontcolor="#4b5563"];
          n2 [class="op", shape=box, style="filled,rounded", fillcolor="#ffffff", color="#374151", label="*\\n[2] float64"];
          n3 [class="op", shape=box, style="filled,rounded", fillcolor="#ffffff", color="#374151", label="exp\\n[2] float64"];
          n4 [class="constant", shape=note, style="filled", fillcolor="#f3f4f6", color="#6b7280", label="const\\n1\\n[] float64"];
          n5 [class="op", shape=box, style="filled,rounded", fillcolor="#ffffff", color="#374151", label="+\\n[2] float64"];
          { rank=same; n4; n5; }
        }
        n0 -> n2;
        n1 -> n2;
        n2 -> n3;
        n3 -> n5;
        n4 -> n5;
        n5 -> n6;
      }
      "
    `);
  });

  it('escapes names, dimensions and titles, nests scopes, and writes shapes on edges', () => {
    const a = scope('outer', () => scope('inner', () => input(['n "1"'], { name: 'a\\b "q" <x> {y}|&\n é' })));
    const b = neg(a);
    expect(toDot(b, { rankdir: 'LR', edgeShapes: true, title: 'T "t"' })).toMatchInlineSnapshot(`
      "digraph stablegrad {
        graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.4];
        node [fontname="Helvetica", fontsize=11, margin="0.12,0.04"];
        edge [fontname="Helvetica", fontsize=9, color="#6b7280", arrowsize=0.7];
        label="T &quot;t&quot;";
        labelloc=t;
        n1 [class="op output", shape=box, style="filled,rounded", fillcolor="#ffffff", color="#374151", peripheries=2, label="neg\\n[n &quot;1&quot;] float32\\noutput: output_0"];
        subgraph cluster_0 {
          graph [label="outer", class="scope", style="rounded", color="#9ca3af", fontcolor="#4b5563"];
          subgraph cluster_1 {
            graph [label="inner", class="scope", style="rounded", color="#9ca3af", fontcolor="#4b5563"];
            n0 [class="input", shape=ellipse, style="filled", fillcolor="#dbeafe", color="#2563eb", label="input\\na&#92;&#92;b &quot;q&quot; <x> {y}|&amp;&#92;&#92;n é\\n[n &quot;1&quot;] float32"];
          }
        }
        n0 -> n1 [label="[n &quot;1&quot;]"];
      }
      "
    `);
  });

  it('is deterministic: the same graph built twice gives the same text', () => {
    expect(toDot(mlp().loss)).toBe(toDot(mlp().loss));
  });

  it('rejects a rankdir it does not know (it is written unquoted)', () => {
    const x = input([1], { name: 'x' });
    expect(() => toDot(x, { rankdir: 'TB]; evil [' as 'TB' })).toThrow(/rankdir must be one of TB, LR, BT, RL/);
  });
});

describe('views', () => {
  it('forward + gradient: nodes outside the forward graph, and the grad scope, are gradient', () => {
    const { loss, params } = mlp();
    const forward = graph({ loss });
    const grads = grad(loss, params);
    const whole = graph([loss, ...grads]);
    const dot = toDot(whole, { forward });
    const ids = nodeIds(dot);
    expect(ids).toHaveLength(whole.nodes.length);
    const gradient = whole.nodes.map((n, i) => [n, `n${i}`] as const).filter(([n]) => !forward.nodes.includes(n));
    expect(gradient.length).toBeGreaterThan(0);
    for (const [node, id] of gradient) {
      expect(classOf(dot, id).split(' ')).toContain('gradient');
      expect(node.scope[0]).toBe('grad');
    }
    forward.nodes.forEach((_, i) => expect(classOf(dot, `n${i}`).split(' ')).not.toContain('gradient'));
    expect(dot).toMatch(/graph \[label="grad", class="scope gradient", style="rounded,dashed"/);
    expect(dot).toMatch(/-> n\d+ \[class="gradient", color="#6d28d9", style=dashed\];/);
    // Without `forward` nothing is a gradient node.
    expect(toDot(whole)).not.toContain('gradient');
  });

  it('a stabilize report marks the fused node with the rule name and doc, other rewritten nodes lightly', () => {
    const { loss } = mlp();
    const { graph: after, report } = stabilize(graph({ loss }));
    const dot = toDot(after, { report });
    const i = after.nodes.findIndex((n) => n.op === 'sigmoidCrossEntropyWithLogits');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(classOf(dot, `n${i}`)).toBe('op fused');
    const firing = report.firings.find((f) => f.rule === 'binary-cross-entropy')!;
    const line = statement(dot, `n${i}`);
    expect(line).toContain('label="sigmoidCrossEntropy\\n[batch, 1] float32\\nrule: binary-cross-entropy"');
    expect(line).toContain(`tooltip="binary-cross-entropy: ${firing.doc}`);
    // The mean was rebuilt by negation-out-of-reduction (mean(-x) -> -mean(x), whose negation
    // double-negation then removed): rewritten, not fused, still named by its rule.
    expect(report.firings.map((f) => f.rule)).toContain('negation-out-of-reduction');
    const m = after.nodes.indexOf(after.outputs[0]!);
    expect(after.nodes[m]!.op).toBe('mean');
    expect(classOf(dot, `n${m}`)).toBe('op output rewritten');
    expect(statement(dot, `n${m}`)).toContain('\\nrule: negation-out-of-reduction\\noutput: loss"');
    expect(statement(dot, `n${m}`)).toContain('fillcolor="#fff7ed", color="#fb923c"');
    // Only fused ops are fused; inputs and params are never rewritten.
    after.nodes.forEach((n, k) => {
      if (classOf(dot, `n${k}`).split(' ').includes('fused')) expect(FUSED_OPS).toContain(n.op);
      if (n.op === 'input' || n.op === 'param') expect(classOf(dot, `n${k}`)).toBe(n.op);
    });
  });

  it('fused only for a fused op that the stabilize phase built; any other firing gives rewritten', () => {
    const x = input([2], { name: 'x', dtype: 'float64' });
    const matched = exp(x); // older than the replacements, as a rule's match is
    const fused = logSigmoid(x);
    const tidied = neg(x);
    const report = reportOf([
      { phase: 'stabilize', rule: 'fuse', doc: 'doc one', matched, replacement: fused },
      { phase: 'simplify', rule: 'tidy', doc: 'doc two', matched, replacement: tidied },
    ]);
    // By hand: x, then the outputs in order; fused is orange with penwidth 2, rewritten light
    // orange with the default pen; both carry their rule and its doc.
    expect(toDot({ a: fused, b: tidied }, { report })).toMatchInlineSnapshot(`
      "digraph stablegrad {
        graph [rankdir=TB, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.4];
        node [fontname="Helvetica", fontsize=11, margin="0.12,0.04"];
        edge [fontname="Helvetica", fontsize=9, color="#6b7280", arrowsize=0.7];
        n0 [class="input", shape=ellipse, style="filled", fillcolor="#dbeafe", color="#2563eb", label="input\\nx\\n[2] float64"];
        n1 [class="op output fused", shape=box, style="filled,rounded", fillcolor="#fed7aa", color="#c2410c", penwidth=2, peripheries=2, label="logSigmoid\\n[2] float64\\nrule: fuse\\noutput: a", tooltip="fuse: doc one"];
        n2 [class="op output rewritten", shape=box, style="filled,rounded", fillcolor="#fff7ed", color="#fb923c", peripheries=2, label="neg\\n[2] float64\\nrule: tidy\\noutput: b", tooltip="tidy: doc two"];
        n0 -> n1;
        n0 -> n2;
        subgraph cluster_looks {
          graph [label="legend", class="legend looks", style="rounded", color="#9ca3af", fontcolor="#111827"];
          look_fused [class="legend look-fused", shape=box, style="filled,rounded", fillcolor="#fed7aa", color="#c2410c", penwidth=2, fontsize=10, label="fused (stable op)"];
          look_rewritten [class="legend look-rewritten", shape=box, style="filled,rounded", fillcolor="#fff7ed", color="#fb923c", fontsize=10, label="rewritten by a rule"];
          look_fused -> look_rewritten [style=invis];
        }
      }
      "
    `);
    // The same fused op built in another phase is only rewritten.
    const late = reportOf([{ phase: 'simplify', rule: 'fuse', doc: 'doc one', matched, replacement: fused }]);
    expect(classOf(toDot(fused, { report: late }), 'n1')).toBe('op output rewritten');
  });

  it('forward + gradient: fused cross-entropies and fused gradients are fused, the gradient with its formula', () => {
    const { loss, params } = mlp();
    const training = prepareTraining({ loss, params });
    const nodes = training.graph.nodes;
    const dot = toDot(training.graph, { forward: [training.loss], report: training.report });
    const g = nodes.findIndex((n) => n.op === 'sigmoidCrossEntropyGrad');
    expect(g).toBeGreaterThanOrEqual(0);
    expect(classOf(dot, `n${g}`)).toBe('op fused gradient');
    expect(statement(dot, `n${g}`)).toContain('tooltip="fused gradient: sigmoid(z) - y"');
    expect(classOf(dot, `n${nodes.findIndex((n) => n.op === 'sigmoidCrossEntropyWithLogits')}`)).toBe('op fused');
    // simplify rebuilt gradient nodes (an explicit broadcast dropped from a product): rewritten.
    const simplified = training.report.firings.filter((f) => f.phase === 'simplify').map((f) => f.rule);
    expect(simplified).toContain('broadcast-into-operation');
    const rewritten = nodes.filter((_, k) => classOf(dot, `n${k}`).split(' ').includes('rewritten'));
    expect(rewritten.map((n) => n.op)).toEqual(expect.arrayContaining(['mean', 'mul']));
    nodes.forEach((n, k) => {
      const classes = classOf(dot, `n${k}`).split(' ');
      expect(classes.includes('fused')).toBe(['sigmoidCrossEntropyWithLogits', 'sigmoidCrossEntropyGrad'].includes(n.op));
    });
    // Outside a gradient view, an op that grad (not a rule) built is plain.
    expect(classOf(toDot(training.graph), `n${g}`)).toBe('op');
  });

  it('forward + gradient without a report: a fused loss called directly and its gradient are fused', () => {
    const z = input([3], { name: 'z' });
    const y = input([3], { name: 'y' });
    const loss = sum(sigmoidCrossEntropyWithLogits(z, y));
    const [dz] = grad(loss, [z]);
    const whole = graph({ loss, dz: dz! });
    const dot = toDot(whole, { forward: [loss] });
    const at = (op: string) => `n${whole.nodes.findIndex((n) => n.op === op)}`;
    expect(classOf(dot, at('sigmoidCrossEntropyWithLogits'))).toBe('op fused');
    expect(classOf(dot, at('sigmoidCrossEntropyGrad'))).toMatch(/^op (output )?fused gradient$/);
    expect(statement(dot, at('sigmoidCrossEntropyWithLogits'))).not.toContain('tooltip');
    expect(toDot(whole)).not.toContain('fused');
  });

  it('a rule that returns one of its captures marks nothing', () => {
    const x = input([2], { name: 'x' });
    const { graph: after, report } = stabilize(neg(neg(x)));
    expect(report.firings.map((f) => f.rule)).toContain('double-negation');
    expect(after.outputs[0]).toBe(x);
    expect(toDot(after, { report })).not.toMatch(/fused|rewritten/);
  });

  it('collapseScopes: a 3-layer MLP with its gradient is a few boxes, edges drawn once', () => {
    const { loss, params } = mlp();
    const forward = graph({ loss });
    const whole = graph([loss, ...grad(loss, params)]);
    const dot = toDot(whole, { forward, collapseScopes: true, edgeShapes: true });
    // x and y stay nodes; dense_1, dense_2, dense_3, loss and grad become boxes.
    expect(nodeIds(dot)).toEqual(['n0', 'n1', 's0', 's1', 's2', 's3', 's4']);
    expect(classOf(dot, 's0')).toBe('scope');
    // Without scope summaries a box says what the graph tells: its ops, the shape leaving it,
    // and the size of its params (W is 4 x 3, b is 3: 15 values).
    expect(dot).toContain('label="dense_1\\nmatmul, +, relu\\n[batch, 3] · 15 params"');
    expect(dot).toMatch(/s0 \[[^\n]*tooltip="5 nodes\\nops: param, matmul, \+, relu\\nparams: W, b"/);
    expect(classOf(dot, 's4')).toBe('scope output gradient');
    const edges = [...dot.matchAll(/^\s*(\w+) -> (\w+)/gm)].map((m) => `${m[1]}->${m[2]}`);
    expect(new Set(edges).size).toBe(edges.length);
    expect(edges).toEqual(expect.arrayContaining(['n0->s0', 's0->s1', 's1->s2', 's2->s3', 'n1->s3', 's3->s4']));
    expect(edges.every((e) => !/^(\w+)->\1$/.test(e))).toBe(true);
    expect(dot).toMatch(/n0 -> s0 \[label="\[batch, 4\]"\];/);
  });
});
