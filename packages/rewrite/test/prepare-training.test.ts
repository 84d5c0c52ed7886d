/**
 * prepareTraining: stabilize the forward graph, differentiate, simplify. A hand-written naive
 * cross-entropy must come out with the fused gradient op (`sigmoid(z) - y`, `softmax(z) - y`)
 * times the mean's 1/n, finite and accurate at saturating logits in float32, where the
 * unstabilized gradient (`stabilize: false`) is NaN. Expected gradients are computed here with
 * decimal.js from the textbook formulas, independently of the ops' kernels and references.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, evaluate, type Feeds, gather, input, log, mean, mul, neg, type Node, oneHot, sigmoid, softmax, sub, sum, type Tensor, tensor, topoSort,
} from '@stablegrad/core';
import { compileTraining, type CompiledTraining, formatExpression, prepareTraining } from '@stablegrad/rewrite';
import { type Decimal, decimalMath as M, floatOf, propertyParams, roundToDType, ulpDistance } from '@stablegrad/testing';

const d = (x: number): Decimal => M.fromNumber(x);
const sigmoidExact = (z: number): Decimal => M.div(d(1), M.add(d(1), M.exp(M.neg(d(z)))));
function softmaxExact(row: readonly number[]): Decimal[] {
  const exps = row.map((v) => M.exp(d(v)));
  const total = exps.reduce((a, b) => M.add(a, b));
  return exps.map((e) => M.div(e, total));
}
/** Largest ULP distance of `got` from the exact values rounded to float32. */
function maxUlp32(got: ArrayLike<number>, exact: readonly Decimal[]): number {
  return exact.reduce((worst, e, i) => Math.max(worst, ulpDistance(got[i]!, roundToDType(e, 'float32'), 'float32')), 0);
}
const data = (t: Tensor): number[] => Array.from(t.data);

describe('binary cross-entropy written by hand', () => {
  const z = input([4], { name: 'z' });
  const y = input([4], { name: 'y' });
  const p = sigmoid(z);
  const loss = mean(neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
  const stable = prepareTraining({ loss, params: [z], outputs: { prediction: p } });
  const naive = prepareTraining({ loss, params: [z], outputs: { prediction: p } }, { stabilize: false });

  it('has the gradient sigmoid(z) - y, as the fused op, times the mean 1/4', () => {
    expect(formatExpression(stable.loss)).toBe('mean{axes=[0]}(sigmoidCrossEntropyWithLogits(z, y))');
    expect(formatExpression(stable.gradients[0]!)).toBe('mul(0.25, sigmoidCrossEntropyGrad(z, y))');
    // The prediction keeps its sigmoid; the loss and gradient use the logits.
    expect(formatExpression(stable.outputs.prediction!)).toBe('sigmoid(z)');
    expect(topoSort([stable.loss, stable.gradients[0]!]).some((n) => n.op === 'sigmoid')).toBe(false);
    expect(stable.graph.outputNames).toEqual(['loss', 'grad(z)', 'prediction']);
    expect(stable.report.phases.map((ph) => ph.name)).toEqual(['canonicalize', 'stabilize', 'simplify']);
  });

  it('is finite and accurate at z = +-1e4 in float32, where the unstabilized gradient is NaN', () => {
    const zs = [1e4, -1e4, 3, -0.5];
    const ys = [0, 1, 1, 0.25];
    const feeds = { z: zs, y: ys };
    // d/dz mean(bce) = (sigmoid(z) - y) / 4
    const exact = zs.map((zi, i) => M.div(M.sub(sigmoidExact(zi), d(ys[i]!)), d(4)));
    const got = evaluate(stable.gradients[0]!, feeds).data;
    expect(Array.from(got).every(Number.isFinite)).toBe(true);
    expect(maxUlp32(got, exact)).toBeLessThanOrEqual(1);
    expect(data(evaluate(stable.gradients[0]!, feeds))).toEqual([0.25, -0.25, expect.any(Number), expect.any(Number)]);

    const unstable = evaluate(naive.gradients[0]!, feeds).data;
    expect(Number.isNaN(unstable[0])).toBe(true);
    expect(Number.isNaN(unstable[1])).toBe(true);
    expect(Number.isFinite(evaluate(stable.loss, feeds).data[0])).toBe(true);
    expect(evaluate(naive.loss, feeds).data[0]).toBe(Infinity);
  });

  it('stabilize: false differentiates the graph as written, and still simplifies', () => {
    expect(naive.report.phases.map((ph) => ph.name)).toEqual(['simplify']);
    expect(formatExpression(naive.loss)).toBe('mean{axes=[0]}(neg(add(mul(y, log(sigmoid(z))), mul(sub(1, y), log(sub(1, sigmoid(z)))))))');
    expect(topoSort([naive.gradients[0]!]).some((n) => n.op === 'div')).toBe(true);
    expect(topoSort([naive.gradients[0]!]).some((n) => n.op === 'sigmoidCrossEntropyGrad')).toBe(false);
  });

  test.prop(
    [fc.array(floatOf('float32'), { minLength: 4, maxLength: 4 }), fc.array(floatOf('float32', { min: 0, max: 1 }), { minLength: 4, maxLength: 4 })],
    propertyParams(30),
  )('the stabilized gradient is finite and within 2 ULP of (sigmoid(z) - y) / 4 for any float32 z', (zs, ys) => {
    const got = evaluate(stable.gradients[0]!, { z: zs, y: ys }).data;
    const exact = zs.map((zi, i) => M.div(M.sub(sigmoidExact(Math.fround(zi)), d(Math.fround(ys[i]!))), d(4)));
    expect(Array.from(got).every(Number.isFinite)).toBe(true);
    expect(maxUlp32(got, exact)).toBeLessThanOrEqual(2);
  });
});

describe('softmax cross-entropy written by hand', () => {
  const z = input([2, 3], { name: 'z' });
  const zs = [[1e4, -1e4, 0], [3, 1, -2]];
  const categorical = (labels: Node) => mean(neg(sum(mul(labels, log(softmax(z, 1))), { axis: 1 })));

  /** (softmax(z) - y) / 2, row by row. */
  const expected = (ys: readonly (readonly number[])[]): Decimal[] =>
    zs.flatMap((row, r) => softmaxExact(row).map((s, j) => M.div(M.sub(s, d(ys[r]![j]!)), d(2))));

  function check(loss: Node, sexpr: string, feeds: Feeds, ys: readonly (readonly number[])[]): void {
    const stable = prepareTraining({ loss, params: [z] });
    expect(formatExpression(stable.gradients[0]!)).toBe(sexpr);
    const got = evaluate(stable.gradients[0]!, feeds).data;
    expect(Array.from(got).every(Number.isFinite)).toBe(true);
    expect(maxUlp32(got, expected(ys))).toBeLessThanOrEqual(2);
    const unstable = evaluate(prepareTraining({ loss, params: [z] }, { stabilize: false }).gradients[0]!, feeds);
    expect(data(unstable).slice(0, 3).every(Number.isNaN)).toBe(true);
  }

  it('categorical, with soft labels known to sum to 1 (a softmax): softmax(z) - y', () => {
    const t = input([2, 3], { name: 't' });
    const ts = [[0, 1, 2], [-1, 0, 5]];
    const ys = ts.map((row) => softmaxExact(row).map((v) => roundToDType(v, 'float32')));
    check(categorical(softmax(t, 1)), 'mul(0.5, softmaxCrossEntropyGrad{axis=1}(z, softmax{axis=1}(t)))', { z: zs, t: ts }, ys);
  });

  it('categorical with one-hot labels, and sparse through gather: the sparse fused gradient', () => {
    const k = input([2], { name: 'k', dtype: 'int32' });
    const ys = [[0, 1, 0], [0, 0, 1]];
    const feeds = { z: zs, k: tensor([1, 2], { dtype: 'int32' }) };
    check(categorical(oneHot(k, 3)), 'mul(0.5, sparseSoftmaxCrossEntropyGrad(z, k))', feeds, ys);
    const sparse = mean(neg(log(gather(softmax(z, 1), k, { axis: 1, batchDims: 1 }))));
    check(sparse, 'mul(0.5, sparseSoftmaxCrossEntropyGrad(z, k))', feeds, ys);
  });
});

describe('prepareTraining', () => {
  it('gives one gradient per param, in order, and keeps params as they are', () => {
    const x = input([2], { name: 'x' });
    const a = input([2], { name: 'a' });
    const b = input([2], { name: 'b' });
    const { gradients } = prepareTraining({ loss: sum(mul(mul(a, x), b)), params: [a, b, x] });
    // d/da sum(a x b) = x b, d/db = a x, d/dx = a b (each product in the order the VJPs build it)
    expect(gradients.map((g) => formatExpression(g))).toEqual(['mul(b, x)', 'mul(a, x)', 'mul(b, a)']);
  });

  it('refuses output names that the loss or a gradient uses', () => {
    const x = input([2], { name: 'x' });
    const loss = sum(x);
    expect(() => prepareTraining({ loss, params: [x], outputs: { loss: x } })).toThrow(/output name 'loss'/);
    expect(() => prepareTraining({ loss, params: [x], outputs: { 'grad(x)': x } })).toThrow(/taken/);
  });

  it('keeps its former name, compileTraining, which names itself in errors', () => {
    const x = input([2], { name: 'x' });
    const loss = sum(mul(x, x));
    const before: CompiledTraining = compileTraining({ loss, params: [x] });
    expect(before.gradients.map((g) => formatExpression(g))).toEqual(prepareTraining({ loss, params: [x] }).gradients.map((g) => formatExpression(g)));
    expect(() => compileTraining({ loss, params: [x] }, { stabilise: false } as never)).toThrow(/compileTraining: unknown option 'stabilise'/);
    expect(() => compileTraining({ loss, params: [x], outputs: { loss: x } })).toThrow(/compileTraining: the output name 'loss'/);
  });
});
