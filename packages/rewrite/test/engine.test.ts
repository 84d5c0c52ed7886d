// Unit tests of the matcher and the rewrite engine, with small rules written here so that the
// behaviour under test does not depend on the shipped rule sets (except where a test says so).
import { describe, expect, it } from 'vitest';
import {
  add, constant, exp, graph, input, log, logSigmoid, mean, mul, neg, type Node, printGraph, scope, sigmoid, softplus, sub, topoSort,
} from '@stablegrad/core';
import {
  attr, c, explain, match, matches, op, P, type Phase, rewrite, RewriteError, rule, stabilize, v,
} from '@stablegrad/rewrite';

const scalar = (name: string): Node => input([], { name });

const logOfSigmoid = rule({
  name: 'log-sigmoid',
  doc: 'log(sigmoid(z)) is logSigmoid(z)',
  pattern: P.log(P.sigmoid(v('z'))),
  replace: (m) => logSigmoid(m.z),
  examples: [],
});
const phase = (...rules: Phase['rules']): Phase[] => [{ name: 'test', rules }];

describe('match: captures', () => {
  it('binds the same name to the same node, and fails for two different nodes', () => {
    const x = scalar('x');
    const y = scalar('y');
    const square = P.mul(v('x'), v('x'));
    expect(match(square, mul(x, x))?.x).toBe(x);
    expect(match(square, mul(x, y))).toBeNull();
    // Equal-looking but distinct nodes are different nodes.
    expect(match(square, mul(x, scalar('x')))).toBeNull();
  });

  it('reports the root and nothing else besides the captures', () => {
    const z = scalar('z');
    const root = log(sigmoid(z));
    const m = match(P.log(P.sigmoid(v('z'))), root)!;
    expect(m.$root).toBe(root);
    expect(m.z).toBe(z);
    expect(Object.keys(m).sort()).toEqual(['$attrs', '$root', 'z']);
  });

  it('runs a capture test', () => {
    const x = scalar('x');
    expect(match(P.exp(v('x', (n) => n.dtype === 'float64')), exp(x))).toBeNull();
    expect(match(P.exp(v('x', (n) => n.dtype === 'float32')), exp(x))?.x).toBe(x);
  });
});

describe('match: attributes', () => {
  const x = input([2, 3], { name: 'x' });

  it('captures attribute values and checks literal ones', () => {
    const rowSums = x.sum({ axis: 1 });
    expect(match(op('sum', [v('x')], { axes: attr('axes') }), rowSums)?.$attrs).toEqual({ axes: [1] });
    expect(match(op('sum', [v('x')], { axes: [1], keepDims: false }), rowSums)).not.toBeNull();
    expect(match(op('sum', [v('x')], { axes: [0] }), rowSums)).toBeNull();
    expect(match(op('sum', [v('x')], { keepDims: true }), rowSums)).toBeNull();
    expect(match(op(['sum', 'mean'], [v('x')], { axes: [1] }), x.mean({ axis: 1 }))).not.toBeNull();
  });

  it('requires an attribute captured twice to have equal values', () => {
    const y = input([3, 2], { name: 'y' });
    const bothSums = P.add(op('sum', [v('a')], { axes: attr('axes') }), op('sum', [v('b')], { axes: attr('axes') }));
    // x summed over axis 1 and y over axis 0 both have shape [2], but the axes differ.
    expect(match(bothSums, add(x.sum({ axis: 1 }), y.sum({ axis: 0 })))).toBeNull();
    const x2 = input([2, 3], { name: 'x2' });
    expect(match(bothSums, add(x.sum({ axis: 1 }), x2.sum({ axis: 1 })))?.$attrs).toEqual({ axes: [1] });
  });
});

describe('match: constants', () => {
  it('match within a relative tolerance, so a float32-rounded epsilon still matches', () => {
    const eps32 = constant(1e-7); // float32: stored as Math.fround(1e-7)
    expect(eps32.value!.data[0]).toBe(Math.fround(1e-7));
    expect(Math.fround(1e-7)).not.toBe(1e-7);
    // |fround(1e-7) - 1e-7| / 1e-7 is about 1.2e-8, within 1e-6.
    expect(match(c(1e-7, { tolerance: 1e-6 }), eps32)).not.toBeNull();
    expect(match(c(1e-7), eps32)).toBeNull();
    expect(match(c(1e-7, { tolerance: 1e-6 }), constant(2e-7))).toBeNull();
    expect(match(c(1e-7, { tolerance: 1e-6 }), scalar('eps'))).toBeNull();
  });

  it('require every element to be near the value', () => {
    expect(match(c(1), constant([1, 1, 1]))).not.toBeNull();
    expect(match(c(1), constant([1, 2, 1]))).toBeNull();
  });
});

describe('match: commutative ops', () => {
  const y = scalar('y');
  const z = scalar('z');

  it('match either order of add, and only the written order of sub', () => {
    const pattern = P.add(P.sigmoid(v('z')), v('y'));
    for (const node of [add(sigmoid(z), y), add(y, sigmoid(z))]) {
      const m = match(pattern, node);
      expect(m?.z).toBe(z);
      expect(m?.y).toBe(y);
    }
    expect(match(P.sub(P.sigmoid(v('z')), v('y')), sub(sigmoid(z), y))).not.toBeNull();
    expect(match(P.sub(P.sigmoid(v('z')), v('y')), sub(y, sigmoid(z)))).toBeNull();
  });

  it('backtrack into an inner swap when a later capture forces it', () => {
    const a = scalar('a');
    const pattern = P.add(P.mul(v('y'), v('a')), v('y'));
    // In order, the inner mul binds y := a, and the outer y then sees the node y: only the
    // inner swap (y := y, a := a) matches.
    for (const node of [add(mul(a, y), y), add(y, mul(a, y)), add(mul(y, a), y)]) {
      const m = match(pattern, node);
      expect(m?.y).toBe(y);
      expect(m?.a).toBe(a);
    }
    expect(match(pattern, add(mul(a, y), a))?.y).toBe(a);
    expect(match(pattern, add(mul(a, a), y))).toBeNull();
  });

  it('enumerate all matches in a fixed order: written order first, then swapped', () => {
    const both = [...matches(P.add(v('p'), v('q')), add(y, z))].map((m) => [m.p.name, m.q.name]);
    expect(both).toEqual([['y', 'z'], ['z', 'y']]);
    // Two commutative nodes: the outer choice varies slowest.
    const a = scalar('a');
    const nested = [...matches(P.mul(P.add(v('p'), v('q')), v('r')), mul(add(y, z), a))].map((m) => `${m.p.name}${m.q.name}${m.r.name}`);
    expect(nested).toEqual(['yza', 'zya']);
    // add(y, y) swapped is the same match, listed once.
    expect([...matches(P.add(v('p'), v('q')), add(y, y))]).toHaveLength(1);
  });

  it('let a rule guard choose the order', () => {
    const x = scalar('x');
    const subtractFromY = rule({
      name: 'add-to-sub', doc: 'test rule: a + b -> a - b, only when a is y',
      pattern: P.add(v('a'), v('b')), guard: (m) => m.a.name === 'y',
      replace: (m) => sub(m.a, m.b), examples: [],
    });
    const { graph: out, report } = rewrite({ out: add(x, y) }, phase(subtractFromY));
    expect(report.firings.map((f) => [f.before, f.after, f.captures])).toEqual([['add(b, a)', 'sub(a, b)', { a: 'y', b: 'x' }]]);
    const [first, second] = out.outputs[0]!.inputs;
    expect(first).toBe(y);
    expect(second).toBe(x);
  });
});

describe('rewrite: errors', () => {
  const a = scalar('a');
  const b = scalar('b');

  it('names the rule of a rule set that keeps firing at one node', () => {
    const swap = rule({ name: 'swap-add', doc: 'test rule: a + b -> b + a', pattern: P.add(v('a'), v('b')), replace: (m) => add(m.b, m.a), examples: [] });
    expect(() => rewrite({ s: add(a, b) }, phase(swap))).toThrow(RewriteError);
    expect(() => rewrite({ s: add(a, b) }, phase(swap))).toThrow(/swap-add/);
  });

  it('names both rules of a ping-pong', () => {
    const toMul = rule({ name: 'neg-to-mul', doc: 'test rule: -x -> x * -1', pattern: P.neg(v('x')), replace: (m) => mul(m.x, -1), examples: [] });
    const toNeg = rule({ name: 'mul-to-neg', doc: 'test rule: x * -1 -> -x', pattern: P.mul(v('x'), c(-1)), replace: (m) => neg(m.x), examples: [] });
    let error: unknown;
    try {
      rewrite({ s: neg(a) }, phase(toMul, toNeg));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RewriteError);
    expect((error as Error).message).toMatch(/neg-to-mul/);
    expect((error as Error).message).toMatch(/mul-to-neg/);
  });

  it('rejects a replacement of another shape', () => {
    const dropSum = rule({ name: 'drop-sum', doc: 'test rule: sum(x) -> x (wrong)', pattern: P.sum(v('x')), replace: (m) => m.x, examples: [] });
    const x = input([3], { name: 'x' });
    expect(() => rewrite({ s: x.sum() }, phase(dropSum))).toThrow(RewriteError);
    expect(() => rewrite({ s: x.sum() }, phase(dropSum))).toThrow(/drop-sum.*shape or dtype differs/);
  });

  it('rejects a replacement of another dtype', () => {
    const toInt = rule({ name: 'exp-to-int', doc: 'test rule: exp(x) -> an int32 constant (wrong)', pattern: P.exp(v('x')), replace: () => constant(1, { dtype: 'int32' }), examples: [] });
    expect(() => rewrite({ s: exp(a) }, phase(toInt))).toThrow(/exp-to-int.*shape or dtype differs/);
  });
});

describe('rewrite: results', () => {
  // A hand-written binary cross-entropy, rewritten by the shipped phases.
  function bce(): Node {
    const z = input([4], { name: 'z' });
    const y = input([4], { name: 'y' });
    const p = sigmoid(z);
    return mean(neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
  }
  const firingsOf = (r: ReturnType<typeof stabilize>) => JSON.stringify(r.report.firings);

  it('is deterministic: the same graph gives the same printed graph and firings', () => {
    const loss = bce();
    const first = stabilize({ loss });
    const again = stabilize({ loss });
    const rebuilt = stabilize({ loss: bce() });
    expect(first.report.firings.length).toBeGreaterThan(0);
    for (const other of [again, rebuilt]) {
      expect(printGraph(other.graph)).toBe(printGraph(first.graph));
      expect(firingsOf(other)).toBe(firingsOf(first));
    }
  });

  it('keeps untouched nodes as the same objects', () => {
    const z = scalar('z');
    const w = input([3], { name: 'w' });
    const other = exp(w).sum();
    const hidden = exp(z);
    const g = graph({ loss: log(sigmoid(hidden)), other });
    const { graph: out } = rewrite(g, phase(logOfSigmoid));
    expect(out.outputs[1]).toBe(other);
    expect(out.outputs[0]!.op).toBe('logSigmoid');
    expect(out.outputs[0]!.inputs[0]).toBe(hidden);
    expect(out.outputNames).toEqual(['loss', 'other']);
    // Nothing to do: the very same output nodes come back.
    const { graph: same, report } = rewrite({ other }, phase(logOfSigmoid));
    expect(same.outputs[0]).toBe(other);
    expect(report.firings).toEqual([]);
    expect(report.phases).toEqual([{ name: 'test', passes: 1, firings: 0 }]);
  });

  it("gives the replacement the matched node's name and scope", () => {
    const z = scope('dense', () => input([3], { name: 'z' }));
    const loss = scope('head', () => log(sigmoid(z)));
    // log(sigmoid(z)) = -log(1 + exp(-z)) = -softplus(-z): a replacement of three new nodes.
    const viaSoftplus = rule({
      name: 'log-sigmoid-softplus', doc: 'test rule: log(sigmoid(z)) -> -softplus(-z)',
      pattern: P.log(P.sigmoid(v('z'))), replace: (m) => neg(softplus(neg(m.z))), examples: [],
    });
    const { graph: out } = rewrite({ loss }, phase(viaSoftplus));
    const root = out.outputs[0]!;
    expect(root.op).toBe('neg');
    expect(root.name).toBe('log');
    expect(root.scope).toEqual(['head']);
    expect(root.path).toBe('head/log');
    // Nodes the rule built inside the replacement are in the matched node's scope too.
    const inner = topoSort([root]).filter((n) => n !== root && n !== z);
    expect(inner.map((n) => [n.op, n.path])).toEqual([['neg', 'head/neg'], ['softplus', 'head/softplus']]);
  });

  it('keeps a node that other outputs still use', () => {
    const z = input([3], { name: 'z' });
    const p = sigmoid(z);
    const { graph: out } = stabilize({ prediction: p, loss: log(p).mean() });
    const [prediction, loss] = out.outputs;
    expect(prediction).toBe(p);
    expect(topoSort([loss!]).map((n) => n.op)).toEqual(['input', 'logSigmoid', 'mean']);
  });
});

describe('explain', () => {
  it('prints one block per firing: rule, path, phase, doc, before, after, captures', () => {
    const z = scope('dense', () => input([3], { name: 'z' }));
    const loss = scope('head', () => log(sigmoid(z)));
    const { report } = rewrite({ loss }, phase(logOfSigmoid));
    expect(explain(report)).toBe([
      "1. log-sigmoid at 'head/log' (test) — log(sigmoid(z)) is logSigmoid(z)",
      '     before: log(sigmoid(z))',
      '     after:  logSigmoid(z)',
      '     where:  z = dense/z',
    ].join('\n'));
    expect(explain(report, { phases: ['other'] })).toBe('No rewrites: the graph was left as it was.');
  });
});
