// Graphs of any size: every walk over a graph (collecting, printing, JSON, DOT, formatted expressions,
// grad, stabilize, simplify, evaluate, compile) keeps its own stack, so a chain far deeper than
// the call stack and scopes nested 10,000 deep give results, never a RangeError.
//
// Sizes: the cheap walks run on a 1,000,000-node chain; the others on STABLEGRAD_CHAIN nodes
// (150,000 by default: more than ten times the depth at which a recursive walk overflows here,
// which the first test checks). `STABLEGRAD_CHAIN=1000000 npx vitest run test/graph-size.test.ts`
// runs everything at a million nodes (about 75 s on a loaded two-core machine: printGraph 5 s,
// toJSON 3 s, fromJSON 8 s, toDot 10 s, toDiffDot 11 s, grad 8 s, stabilize 13 s, simplify 5 s,
// compile and run 13 s).
import {
  evaluate, fromJSON, type Graph, grad, graph, input, type Node, printGraph, tensor, toJSON, topoSort, withScopePath,
} from '@stablegrad/core';
import { compile } from '@stablegrad/compile';
import { toDiffDot, toDot } from '@stablegrad/dot';
import { formatExpression, simplify, stabilize } from '@stablegrad/rewrite';
import { beforeAll, describe, expect, it } from 'vitest';

const MILLION = 1_000_000;
const CHAIN = Number(process.env['STABLEGRAD_CHAIN'] ?? 100_000);
const SCOPES = 10_000;

/** `exp`, `neg`, `exp`, ... `n` times over a float64 input, then summed: n + 2 nodes deep. */
function chain(n: number): { x: Node; loss: Node } {
  const x = input([2], { name: 'x', dtype: 'float64' });
  let y = x;
  for (let i = 0; i < n; i++) y = i % 2 === 0 ? y.exp() : y.neg();
  return { x, loss: y.sum() };
}

/** What the chain computes, in plain arithmetic (exp(-exp(...)) settles fast). */
function chainValue(n: number, x: readonly number[]): number {
  return x.map((v) => {
    let y = v;
    for (let i = 0; i < n; i++) y = i % 2 === 0 ? Math.exp(y) : -y;
    return y;
  }).reduce((a, b) => a + b, 0);
}

/** The depth of a node, computed the naive recursive way (what the library must not do). */
function recursiveDepth(node: Node): number {
  return node.inputs.length === 0 ? 0 : 1 + recursiveDepth(node.inputs[0]!);
}

const feeds = { x: [0.25, -3] };

describe(`a chain of ${MILLION} nodes: the cheap walks`, () => {
  let big: { x: Node; loss: Node };
  beforeAll(() => {
    big = chain(MILLION);
  });

  it('is far deeper than the call stack allows a recursive walk', () => {
    expect(() => recursiveDepth(big.loss)).toThrow(RangeError);
  });

  it('graph / topoSort collect every node, inputs first', () => {
    const nodes = topoSort([big.loss]);
    expect(nodes.length).toBe(MILLION + 2);
    expect(nodes[0]).toBe(big.x);
    expect(graph({ loss: big.loss }).nodes.at(-1)).toBe(big.loss);
  });

  it('formatExpression stops at its default depth', () => {
    expect(formatExpression(big.loss)).toBe(`sum{axes=[0]}(neg(exp(neg(exp(neg(exp(neg(…))))))))`);
  });
});

describe(`a chain of ${CHAIN} nodes: every other walk`, () => {
  let x: Node;
  let loss: Node;
  let g: Graph;
  const want = chainValue(CHAIN, feeds.x);
  beforeAll(() => {
    ({ x, loss } = chain(CHAIN));
    g = graph({ loss });
    expect(() => recursiveDepth(loss)).toThrow(RangeError);
  });

  it('evaluate gives the value', () => {
    expect(evaluate(loss, feeds).data[0]).toBeCloseTo(want, 12);
  });

  it('formatExpression prints to any depth asked for', () => {
    const text = formatExpression(loss, new Map(), Infinity);
    expect(text.endsWith(`(x${')'.repeat(CHAIN + 1)}`)).toBe(true);
  });

  it('printGraph prints one line per node', () => {
    const text = printGraph(g);
    expect(text.split('\n').length).toBe(CHAIN + 3);
  });

  it('toJSON and fromJSON round-trip it', () => {
    const again = fromJSON(JSON.stringify(toJSON(g)));
    expect(again.nodes.length).toBe(CHAIN + 2);
    expect(evaluate(again.outputs[0]!, feeds).data[0]).toBe(evaluate(loss, feeds).data[0]);
  });

  it('toDot, toDiffDot and the collapsed view draw every node and edge', () => {
    const dot = toDot(g);
    expect(dot.match(/ -> /g)?.length).toBe(CHAIN + 1);
    expect(toDiffDot(g, g).length).toBeGreaterThan(dot.length / 2);
    expect(toDot(g, { collapseScopes: true }).match(/ -> /g)?.length).toBe(CHAIN + 1);
  });

  it('grad differentiates it', () => {
    const dx = grad(loss, x);
    expect(topoSort([dx]).length).toBeGreaterThan(CHAIN);
  });

  it('stabilize and simplify rewrite it, keeping its value', () => {
    for (const pass of [stabilize, simplify]) {
      const out = pass(g).graph;
      expect(evaluate(out.outputs[0]!, feeds).data[0]).toBeCloseTo(want, 12);
    }
  });

  it('compile plans and runs it (fused loops of bounded size)', () => {
    const [value] = compile(g).run(new Map([[x, tensor(feeds.x, { dtype: 'float64' })]]));
    expect(value!.data[0]).toBe(evaluate(loss, feeds).data[0]);
  });
});

describe(`${SCOPES} nested scopes`, () => {
  const path = Array.from({ length: SCOPES }, (_, i) => `s${i}`);
  const x = input([2], { name: 'x', dtype: 'float64' });
  const deep = withScopePath(path, () => x.exp().mul(x).sum());
  const g = graph({ deep });

  it('toDot draws one cluster per scope, indented at most 32 levels', () => {
    const dot = toDot(g);
    expect(dot.match(/subgraph cluster_/g)?.length).toBe(SCOPES);
    const deepest = dot.split('\n').reduce((most, l) => Math.max(most, l.length - l.trimStart().length), 0);
    expect(deepest).toBeLessThanOrEqual(2 * 33);
    expect(toDot(g, { forward: [deep] }).match(/subgraph cluster_/g)?.length).toBe(SCOPES);
    expect(toDiffDot(g, stabilize(g).graph).match(/subgraph cluster_/g)?.length).toBe(SCOPES);
    expect(toDot(g, { collapseScopes: true })).toContain('s0');
  });

  it('printGraph, JSON, grad, stabilize, evaluate and compile handle them', () => {
    expect(printGraph(g)).toContain(`${path.join('/')}/sum`);
    const again = fromJSON(JSON.stringify(toJSON(g)));
    expect(again.outputs[0]!.scope.length).toBe(SCOPES);
    const dx = grad(deep, x);
    expect(topoSort([dx]).some((n) => n.scope.length === SCOPES + 1 && n.scope[0] === 'grad')).toBe(true);
    const value = evaluate(deep, feeds).data[0]!;
    expect(evaluate(stabilize(g).graph.outputs[0]!, feeds).data[0]).toBe(value);
    expect(compile(again).run(new Map([[again.nodes[0]!, tensor(feeds.x, { dtype: 'float64' })]]))[0]!.data[0]).toBe(value);
  });
});
