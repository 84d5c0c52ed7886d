// The rewrite engine's cost is linear in the graph: the work it reports (nodes walked, nodes at
// which rules were tried, rule attempts, guard calls) per node of the input graph stays flat as
// the graph grows 4x. Work is counted, not timed, so the test is the same on a busy machine.
// (A guard's own work is not counted: a guard that walks far is caught by the bench, G1.)
import { describe, expect, it } from 'vitest';
import { add, input, log, log1p, mean, mul, neg, type Node, param, sigmoid, softmax, sub, sum, tensor } from '@stablegrad/core';
import { rewrite, type RewriteWork, rule, P, stabilize, v } from '@stablegrad/rewrite';

// ± y_i log sigmoid(z_i), chained left to right: every term is rewritten.
function lossSum(terms: number, batch: boolean): Node {
  const dims = batch ? ['batch'] : [];
  let total: Node | null = null;
  for (let i = 0; i < terms; i++) {
    let t: Node;
    if (batch && i % 50 === 7) {
      const z = input(['batch', 10], { name: `z${i}` });
      t = neg(mean(sum(mul(input(['batch', 10], { name: `y${i}` }), log(softmax(z))), { axis: -1 })));
    } else {
      t = mul(input(dims, { name: `y${i}` }), log(sigmoid(input(dims, { name: `z${i}` }))));
      if (batch) t = mean(t);
    }
    total = total === null ? t : i % 2 === 1 ? add(total, t) : sub(total, t);
  }
  return total!;
}

// The G1 network of the bench: dense layers with ReLU, a naive softmax cross-entropy.
function mlp(layers: number): Node {
  let h = input([4, 8], { name: 'x' });
  for (let i = 0; i < layers; i++) {
    const outputs = i === layers - 1 ? 3 : 8;
    h = h.matmul(param(tensor(new Float32Array(8 * outputs), { shape: [8, outputs] }), { name: `W${i}` }));
    h = h.add(param(tensor(new Float32Array(outputs)), { name: `b${i}` }));
    if (i < layers - 1) h = h.relu();
  }
  return input([4, 3], { name: 'y' }).mul(h.softmax().log()).sum({ axis: -1 }).neg().mean();
}

type PerNode = Record<Exclude<keyof RewriteWork, 'nodes'>, number>;

function perNode(work: RewriteWork | undefined): PerNode {
  expect(work).toBeDefined();
  const { nodes, ...counts } = work!;
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / nodes])) as PerNode;
}

/** Work per node at `size` and at `4 * size`: the larger may cost at most 5% more per node. */
function expectFlat(build: (size: number) => Node, size: number): PerNode {
  const small = perNode(stabilize({ loss: build(size) }).report.work);
  const large = perNode(stabilize({ loss: build(4 * size) }).report.work);
  for (const key of Object.keys(small) as (keyof PerNode)[]) {
    expect(large[key], `${key} per node`).toBeLessThanOrEqual(small[key] * 1.05 + 1e-9);
  }
  return large;
}

describe('stabilize costs a constant amount of work per node', () => {
  it('on a sum of 200 and 800 sigmoid cross-entropy terms', () => {
    const work = expectFlat((n) => lossSum(n, false), 200);
    // Each phase walks the graph in each of its passes (two here) and tries rules once per node.
    expect(work.walked).toBeLessThanOrEqual(8);
    expect(work.visits).toBeLessThanOrEqual(5);
  });

  it('on [batch] terms with softmax cross-entropies among them', () => {
    expectFlat((n) => lossSum(n, true), 200);
  });

  it('on the bench MLPs, 25 and 100 layers deep', () => {
    expectFlat(mlp, 25);
  });
});

describe('the work report', () => {
  it('tries only the rules whose pattern can match the op, and a settled node not again', () => {
    let guards = 0;
    const logSigmoidRule = rule({
      name: 'count-log-sigmoid', doc: 'log(sigmoid(z)), never rewritten',
      pattern: P.log(P.sigmoid(v('z'))), guard: () => (guards++, false), replace: (m) => m.z, examples: [],
    });
    const z = input([3], { name: 'z' });
    const loss = log(sigmoid(z)).sum();
    const { report } = rewrite({ loss }, [{ name: 'test', rules: [logSigmoidRule] }]);
    // 4 nodes, one pass; the rule is tried at the log only.
    expect(report.work).toEqual({ nodes: 4, walked: 4, visits: 4, attempts: 1, guards: 1 });
    expect(guards).toBe(1);
    expect(JSON.stringify(report)).not.toContain('work');
  });

  it('a second pass tries rules only where the first one changed something', () => {
    const x = input([], { name: 'x' });
    const y = input([], { name: 'y' });
    const loss = sub(mul(x, y), add(x, y));
    const subToAdd = rule({
      name: 'sub-to-add', doc: 'a - b is a + (-b)', pattern: P.sub(v('a'), v('b')), replace: (m) => add(m.a, neg(m.b)), examples: [],
    });
    const { report } = rewrite({ loss }, [{ name: 'test', rules: [subToAdd] }]);
    expect(report.phases).toEqual([{ name: 'test', passes: 2, firings: 1 }]);
    // Pass 1: the 5 nodes and the 2 the firing made; pass 2 walks the 6 nodes left and tries none.
    expect(report.work).toMatchObject({ nodes: 5, walked: 11, visits: 7, attempts: 1 });
  });

  it('runs the confirming pass when a replacement made a node equal to one already there', () => {
    // Here the second pass is known to find nothing (it is counted, not run); not so when a
    // replacement builds 1 + x next to an earlier 1 + x: only the second pass merges them.
    const x = input([], { name: 'x' });
    const expand = rule({
      name: 'log1p-expand', doc: 'log1p(x) is log(1 + x)', pattern: P.log1p(v('x')), replace: (m) => log(add(1, m.x)), examples: [],
    });
    const { graph, report } = rewrite({ loss: add(add(1, x), log1p(x)) }, [{ name: 'test', rules: [expand], cse: 'silent' }]);
    expect(report.phases).toEqual([{ name: 'test', passes: 2, firings: 1 }]);
    expect(graph.nodes.filter((n) => n.op === 'add' || n.op === 'constant')).toHaveLength(3);
    // Pass 1: the 5 nodes and the 3 the firing made; pass 2 walks the 7 nodes left, merges
    // the new 1 and 1 + x into the old ones and visits the 2 nodes it rebuilt.
    expect(report.work).toMatchObject({ nodes: 5, walked: 12, visits: 10 });
  });
});
