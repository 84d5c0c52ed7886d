/**
 * The other algebraic spellings of the binary cross-entropy (issue 3: "any of its algebraic
 * spellings"): `-y log p + (y - 1) log(1 - p)` (labels minus one) and the expanded
 * `y log p + log(1 - p) - y log(1 - p)`, plus negated logits. Structure after `stabilize`
 * (expected expressions written from the math: the first is the loss, the second the
 * log-likelihood, so its negation), values on extreme logits against the high-precision
 * reference, and the one behaviour change of `one-hot-cross-entropy-to-sparse` (labels out of range).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, evaluate, input, log, log1p, logSoftmax, mean, mul, neg, type Node, oneHot, sigmoid, sub, sum, tensor, ValueError,
} from '@stablegrad/core';
import { formatExpression, stabilize } from '@stablegrad/rewrite';
import { compareRewrite, floatOf, type FloatDType, propertyParams, tensorOf } from '@stablegrad/testing';

const stabilized = (loss: Node): Node => stabilize({ loss }).graph.outputs[0]!;
const sexpr = (loss: Node): string => formatExpression(stabilized(loss));
const floats = (name: string, dtype: FloatDType = 'float32', shape: readonly (number | string)[] = [4]) => input(shape, { name, dtype });

/** -y log p + (y - 1) log(1 - p): the loss, with the labels' difference flipped. */
const flipped = (z: Node, y: Node) => { const p = sigmoid(z); return add(mul(neg(y), log(p)), mul(sub(y, 1), log(sub(1, p)))); };
/** y log p + log(1 - p) - y log(1 - p): the log-likelihood, multiplied out. */
const expanded = (z: Node, y: Node) => { const p = sigmoid(z); return sub(add(mul(y, log(p)), log(sub(1, p))), mul(y, log(sub(1, p)))); };

const SCE = 'sigmoidCrossEntropyWithLogits(z, y)';

describe('structure', () => {
  it('(y - 1) log(1 - p) is -(1 - y) log(1 - p)', () => {
    const [z, y] = [floats('z'), floats('y')];
    expect(sexpr(flipped(z, y))).toBe(SCE);
    expect(sexpr(mean(flipped(z, y)))).toBe(`mean{axes=[0]}(${SCE})`);
    // y + (-1), log1p(-p), operands swapped
    const p = sigmoid(z);
    expect(sexpr(add(mul(log1p(neg(p)), add(y, -1)), mul(log(p), neg(y))))).toBe(SCE);
  });

  it('the expanded log-likelihood is factored, then fused', () => {
    const [z, y] = [floats('z'), floats('y')];
    expect(sexpr(expanded(z, y))).toBe(`neg(${SCE})`);
    expect(sexpr(neg(mean(expanded(z, y))))).toBe(`mean{axes=[0]}(${SCE})`);
    // the terms in another order, one log(1 - p) node shared by both terms
    const p = sigmoid(z);
    const logNotP = log(sub(1, p));
    expect(sexpr(neg(add(sub(mul(log(p), y), mul(logNotP, y)), logNotP)))).toBe(SCE);
  });

  it('negated logits: the sigmoid of -t, whose double negations cancel', () => {
    const [t, y] = [floats('t'), floats('y')];
    const p = sigmoid(neg(t));
    expect(sexpr(neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))))).toBe('sigmoidCrossEntropyWithLogits(neg(t), y)');
    expect(sexpr(flipped(mul(t, -1), y))).toBe('sigmoidCrossEntropyWithLogits(neg(t), y)');
  });

  it('leaves a log term minus a multiple of a different log alone', () => {
    const [q, r, y] = [floats('q'), floats('r'), floats('y')];
    expect(sexpr(sub(log(q), mul(y, log(r))))).toBe('sub(log(q), mul(y, log(r)))');
    // the same log added and subtracted cancels exactly (sum-minus-term: equal subexpressions are one node)
    expect(sexpr(sub(add(log(q), y), log(q)))).toBe('y');
  });
});

describe.each(['float32', 'float64'] as const)('values, %s', (dtype) => {
  const ulp = dtype === 'float32' ? 2 : 4;
  const big = dtype === 'float32' ? 3e38 : 1e300;
  const logits = fc.oneof(tensorOf([4], dtype, { min: -big, max: big }), tensorOf([4], dtype, { min: -30, max: 30 }));
  const labels = fc.array(fc.oneof(fc.constantFrom(0, 1), floatOf(dtype, { min: 0, max: 1 })), { minLength: 4, maxLength: 4 })
    .map((v) => tensor(v, { dtype, shape: [4] }));
  // The naive graph's 60-digit reference is exact only for moderate logits (1 - sigmoid(200) is 0 at 60 digits).
  const moderate = (zs: { data: ArrayLike<number> }) => Array.from(zs.data).every((v) => Math.abs(v) <= 30);

  test.prop([logits, labels], propertyParams(40))('both spellings: finite, within a few ULP, same meaning', (zs, ys) => {
    const [z, y] = [floats('z', dtype), floats('y', dtype)];
    for (const naive of [flipped(z, y), neg(expanded(z, y))]) {
      const fused = stabilized(naive);
      expect(formatExpression(fused)).toBe(SCE);
      const c = compareRewrite(naive, fused, { z: zs, y: ys }, ulp);
      expect(c.finite, JSON.stringify(c.worst)).toBe(true);
      expect(c.rewrittenUlp, JSON.stringify(c.worst)).toBeLessThanOrEqual(ulp);
      if (moderate(zs)) expect(c.semanticUlp, JSON.stringify(c.worst)).toBeLessThanOrEqual(ulp);
    }
  });

  it('the naive spellings overflow where the fused loss is finite', () => {
    const [z, y] = [floats('z', dtype), floats('y', dtype)];
    const feeds = { z: tensor([200, -200, 1e4, -1e4], { dtype }), y: tensor([0, 1, 0, 1], { dtype }) };
    for (const naive of [flipped(z, y), neg(expanded(z, y))]) {
      expect(Array.from(evaluate(naive, feeds).data).some((v) => !Number.isFinite(v))).toBe(true);
      // max(z, 0) - z y + log1p(e^-|z|): the log1p term is below half an ULP here.
      expect(Array.from(evaluate(stabilized(naive), feeds).data)).toEqual([200, 200, 1e4, 1e4]);
    }
  });
});

describe('one-hot-cross-entropy-to-sparse and labels out of range', () => {
  it('oneHot gives a zero row (loss 0); the sparse op throws a ValueError naming the node and the label', () => {
    const z = input([2, 3], { name: 'z', dtype: 'float64' });
    const labels = input([2], { name: 'labels', dtype: 'int32' });
    const naive = neg(sum(mul(oneHot(labels, 3, { dtype: 'float64' }), logSoftmax(z)), { axis: 1 }));
    const fused = stabilized(naive);
    expect(formatExpression(fused)).toBe('sparseSoftmaxCrossEntropyWithLogits(z, labels)');
    const feeds = { z: tensor([0, 0, 0, 1, 2, 3], { dtype: 'float64', shape: [2, 3] }), labels: tensor([0, 3], { dtype: 'int32' }) };
    // Row 0: -log(1/3); row 1: the label 3 has no class, oneHot is a zero row, the loss 0.
    const before = evaluate(naive, feeds).data;
    expect(before[0]).toBeCloseTo(Math.log(3), 14);
    expect(Math.abs(before[1]!)).toBe(0);
    let error: unknown;
    try { evaluate(fused, feeds); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValueError);
    const message = (error as Error).message;
    expect(message).toContain('sparseSoftmaxCrossEntropyWithLogits');
    expect(message).toContain('label 3');
    expect(message).toContain('[1]');
    expect(message).toContain('outside [0, 3)');
    // mean(...) over the batch: the error still names the fused node, not the mean.
    expect(() => evaluate(stabilized(mean(naive)), feeds)).toThrow(/sparseSoftmaxCrossEntropyWithLogits.*label 3/);
  });
});
