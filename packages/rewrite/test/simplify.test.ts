/**
 * The simplify phase: constant folding, common-subexpression elimination (the engine's `cse`
 * phase option), identities and readable forms; and, as a property, that simplifying the
 * gradient graph of a small MLP changes no value while leaving fewer (or as many) nodes.
 * Expected values are worked out by hand; the property compares against the unsimplified graph.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, broadcastLike, constant, evaluate, exp, expandDims, grad, input, matmul, mean, mul, neg, type Node, param, relu, sigmoid,
  sigmoidCrossEntropyWithLogits, sub, sum, sumTo, type Tensor, tensor, topoSort, div,
} from '@stablegrad/core';
import { formatExpression, simplify } from '@stablegrad/rewrite';
import { floatOf, propertyParams } from '@stablegrad/testing';

function simplified(outputs: Node | readonly Node[] | Record<string, Node>): { outputs: readonly Node[]; nodes: readonly Node[]; rules: string[]; passes: number } {
  const { graph, report } = simplify(outputs);
  return { outputs: graph.outputs, nodes: graph.nodes, rules: report.firings.map((f) => f.rule), passes: report.phases[0]!.passes };
}
const sexpr = (node: Node): string => formatExpression(simplified(node).outputs[0]!);
const vec = (name: string, shape: readonly (number | string | null)[] = [3]) => input(shape, { name });

describe('constant folding', () => {
  it('folds an op of constants into the constant it computes', () => {
    expect(sexpr(add(constant(2), constant(3)))).toBe('5');
    expect(sexpr(neg(constant(2)))).toBe('-2');
    expect(sexpr(add(vec('x'), mul(constant(2), constant(3))))).toBe('add(x, 6)');
  });

  it('folds chains, keeping the shape: expandDims(1 / 4, 0) is a [1] constant 0.25', () => {
    const { outputs } = simplified(expandDims(div(constant(1), constant(4)), 0));
    expect(outputs[0]!.op).toBe('constant');
    expect(outputs[0]!.shape).toEqual([1]);
    expect(Array.from(outputs[0]!.value!.data)).toEqual([0.25]);
  });

  it('rounds like the graph would: float32 1 + 1e-8 is 1', () => {
    // 1e-8 is below half an ULP of 1 in float32 (2^-24 ~ 6e-8).
    expect(sexpr(add(constant(1), constant(1e-8)))).toBe('1');
    expect(sexpr(add(constant(1, { dtype: 'float64' }), constant(1e-8, { dtype: 'float64' })))).toBe('1.00000001');
  });

  it('folds small results of large constants, but not large results', () => {
    const big = constant(new Float32Array(2000).fill(1));
    expect(sexpr(sum(big))).toBe('2000');
    const { outputs } = simplified(add(big, 1));
    expect(outputs[0]!.op).toBe('add');
  });

  it('never folds params or inputs', () => {
    const w = param(2, { name: 'w' });
    expect(sexpr(mul(w, 3))).toBe('mul(w, 3)');
    expect(sexpr(exp(vec('x')))).toBe('exp(x)');
  });
});

describe('common subexpressions', () => {
  it('two identical subexpressions become one node', () => {
    const x = vec('x');
    const out = mul(exp(x).add(1), exp(x).add(1));
    // x, exp, 1, add twice over, and mul.
    expect(topoSort([out])).toHaveLength(8);
    const { outputs, nodes, rules } = simplified(out);
    expect(nodes.map((n) => n.op)).toEqual(['input', 'exp', 'constant', 'add', 'mul']);
    expect(outputs[0]!.inputs[0]).toBe(outputs[0]!.inputs[1]);
    expect(rules.filter((r) => r === 'common-subexpression')).toHaveLength(3);
  });

  it('merges across outputs', () => {
    const x = vec('x');
    const { outputs } = simplified({ a: sigmoid(x), b: sigmoid(x) });
    expect(outputs[0]).toBe(outputs[1]);
  });

  it('keeps apart what differs: inputs, attributes, dtypes, values, -0 and 0', () => {
    const [x1, x2] = [vec('x'), vec('x')];
    expect(simplified(add(exp(x1), exp(x2))).nodes).toHaveLength(5);
    const m = vec('m', [2, 2]);
    expect(simplified(add(sum(m, { axis: 0 }), sum(m, { axis: 1 }))).nodes).toHaveLength(4);
    const y = vec('y');
    const k = (v: number, dtype: 'float32' | 'float64' = 'float32') => constant(v, { dtype });
    expect(simplified([mul(y, k(2)), mul(y, k(3))]).nodes).toHaveLength(5);
    expect(simplified([k(2), k(2, 'float64')]).nodes).toHaveLength(2);
    expect(simplified([k(0), k(-0)]).nodes).toHaveLength(2);
    expect(simplified([k(NaN), k(NaN)]).nodes).toHaveLength(1);
  });
});

describe('identities', () => {
  const x = vec('x');
  it('x + 0, x * 1, x / 1, -(-x), cast to the same dtype', () => {
    expect(sexpr(add(constant(0), x))).toBe('x');
    expect(sexpr(mul(x, 1))).toBe('x');
    expect(sexpr(div(x, 1))).toBe('x');
    expect(sexpr(neg(neg(x)))).toBe('x');
    // A scalar 1 broadcasts nothing, even along an unknown dimension.
    expect(sexpr(mul(vec('u', [null, 3]), 1))).toBe('u');
  });

  it('not when the constant broadcasts the result larger', () => {
    const s = vec('s', []);
    expect(sexpr(add(s, constant([0, 0, 0])))).toBe('add(s, const[3])');
    expect(sexpr(mul(s, constant([1, 1, 1])))).toBe('mul(s, const[3])');
  });

  it('broadcastLike, sumTo to the shape a value has; not along unknown dimensions', () => {
    expect(sexpr(broadcastLike(x, vec('y')))).toBe('x');
    expect(sexpr(sumTo(x, vec('y')))).toBe('x');
    expect(sexpr(broadcastLike(vec('b', ['batch']), vec('c', ['batch'])))).toBe('b');
    // Two unknown sizes may differ at run time.
    expect(sexpr(broadcastLike(vec('p', [null]), vec('q', [null])))).toBe('broadcastLike(p, q)');
    expect(sexpr(sumTo(vec('p', [null]), vec('q', [null])))).toBe('sumTo(p, q)');
  });

  it('a broadcast that an elementwise op would do itself is dropped', () => {
    const s = vec('s', []);
    expect(sexpr(mul(broadcastLike(s, x), x))).toBe('mul(s, x)');
    expect(sexpr(sub(x, broadcastLike(s, x)))).toBe('sub(x, s)');
    // Not when the other operand is smaller than the broadcast shape.
    expect(sexpr(mul(broadcastLike(s, x), s))).toBe('mul(broadcastLike(s, x), s)');
  });

  it('readable forms: a + (-b) is a - b, -(a - b) is b - a, x + (-2) is x - 2', () => {
    const [a, b] = [vec('a'), vec('b')];
    expect(sexpr(add(a, neg(b)))).toBe('sub(a, b)');
    expect(sexpr(add(neg(b), a))).toBe('sub(a, b)');
    expect(sexpr(neg(sub(a, b)))).toBe('sub(b, a)');
    expect(sexpr(add(a, neg(constant(2))))).toBe('sub(a, 2)');
  });
});

describe('gradient graphs', () => {
  // A small MLP: 4 samples, 3 features, 5 hidden units, one logit.
  const x = input([4, 3], { name: 'x' });
  const y = input([4, 1], { name: 'y' });
  const zeros = (shape: readonly number[]) => tensor(new Float32Array(shape.reduce((p, d) => p * d, 1)), { shape });
  const W1 = param(zeros([3, 5]), { name: 'W1' });
  const b1 = param(zeros([5]), { name: 'b1' });
  const W2 = param(zeros([5, 1]), { name: 'W2' });
  const b2 = param(zeros([1]), { name: 'b2' });
  const hidden = relu(add(matmul(x, W1), b1));
  const logits = add(matmul(hidden, W2), b2);
  const loss = mean(sigmoidCrossEntropyWithLogits(logits, y));
  const params = [W1, b1, W2, b2];
  const gradients = grad(loss, params);
  const outputs = [loss, ...gradients];
  const { outputs: simple, nodes } = simplified(outputs);

  it('have fewer nodes after simplify, and the MLP gradients are the fused sigmoid(z) - y op', () => {
    expect(nodes.length).toBeLessThan(topoSort(outputs).length);
    expect(nodes.some((n) => n.op === 'sigmoidCrossEntropyGrad')).toBe(true);
    expect(nodes.some((n) => n.op === 'broadcastLike')).toBe(false);
  });

  const values = (shape: readonly number[], min: number, max: number): fc.Arbitrary<Tensor> => {
    const n = shape.reduce((p, d) => p * d, 1);
    return fc.array(floatOf('float32', { min, max }), { minLength: n, maxLength: n }).map((v) => tensor(v, { shape }));
  };
  test.prop(
    [values([4, 3], -5, 5), values([4, 1], 0, 1), values([3, 5], -3, 3), values([5], -3, 3), values([5, 1], -3, 3), values([1], -3, 3)],
    propertyParams(20),
  )('evaluate to the same values as before simplify', (xs, ys, W1s, b1s, W2s, b2s) => {
    const feeds = { x: xs, y: ys, W1: W1s, b1: b1s, W2: W2s, b2: b2s };
    const before = evaluate(outputs, feeds);
    const after = evaluate(simple, feeds);
    before.forEach((t, i) => {
      expect(after[i]!.shape).toEqual(t.shape);
      // Identical values: folding runs the same kernels, and the other rewrites are exact.
      Array.from(t.data).forEach((v, j) => expect(after[i]!.data[j] === v || (Number.isNaN(v) && Number.isNaN(after[i]!.data[j]!))).toBe(true));
    });
  });

  it('stay cheap: a deep chain simplifies in a few passes', () => {
    let h: Node = input([8], { name: 'h' });
    const ws: Node[] = [];
    for (let i = 0; i < 200; i++) {
      const w = param(new Float32Array(8).fill(0.5), { name: `w${i}` });
      ws.push(w);
      h = sigmoid(add(mul(h, w), 1));
    }
    const deep = grad(mean(h), ws);
    const result = simplified(deep);
    expect(result.passes).toBeLessThanOrEqual(3);
    expect(result.nodes.length).toBeLessThan(topoSort(deep).length);
  });
});
