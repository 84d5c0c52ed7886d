/**
 * Softmax rules: structure after rewriting (expected expressions written from the math), the
 * cases that must not fire, and seeded properties on values: the rewritten graph agrees with the
 * high-precision reference of the original within a few ULP and is finite where the truth is.
 */
import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import {
  broadcastLike, div, evaluate, exp, expandDims, gather, input, log, max, type Node, reshape, sigmoid, slice, softmax, squeeze,
  sub, sum, type Tensor, transpose,
} from '@stablegrad/core';
import { formatExpression, PHASES, type Phase, rewrite, stabilize, stabilizeRules } from '@stablegrad/rewrite';
import { labelsOf, logitVector, propertyParams, tensorOf } from '@stablegrad/testing';
import { expectRewriteValues } from './rewrite-values.js';

const MINE = new Set([
  'log-softmax', 'log-through-movement', 'softmax-from-shifted-exp', 'softmax-from-exp', 'log-sum-exp', 'logsumexp-shifted',
]);
/** Canonicalize, then only the softmax rules: the structure these rules alone produce. */
const SOFTMAX_ONLY: readonly Phase[] = [PHASES[0]!, { name: 'stabilize', rules: stabilizeRules.filter((r) => MINE.has(r.name)) }];

function rewritten(node: Node, phases: readonly Phase[] = SOFTMAX_ONLY): { sexpr: string; rules: string[] } {
  const { graph, report } = rewrite(node, phases);
  return { sexpr: formatExpression(graph.outputs[0]!), rules: report.firings.map((f) => f.rule) };
}

/** The fully stabilized graph (all phases, all families) and the rules that fired. */
function stabilized(node: Node): { node: Node; rules: string[] } {
  const { graph, report } = stabilize(node);
  return { node: graph.outputs[0]!, rules: report.firings.map((f) => f.rule) };
}

const x23 = () => input([2, 3], { name: 'x' });

describe('structure', () => {
  it('log(softmax) becomes logSoftmax on the same axis', () => {
    expect(rewritten(log(softmax(x23(), 0))).sexpr).toBe('logSoftmax{axis=0}(x)');
    expect(rewritten(log(softmax(x23(), -1))).sexpr).toBe('logSoftmax{axis=1}(x)');
  });

  it('log moves inside every op that only moves elements', () => {
    const s = () => softmax(x23(), 1);
    expect(rewritten(log(transpose(s()))).sexpr).toBe('transpose{perm=[1,0]}(logSoftmax{axis=1}(x))');
    expect(rewritten(log(expandDims(s(), 0))).sexpr).toBe('expandDims{axis=0}(logSoftmax{axis=1}(x))');
    expect(rewritten(log(slice(s(), [0, 1], [2, 2]))).sexpr).toBe('slice{begin=[0,1], size=[2,2]}(logSoftmax{axis=1}(x))');
    expect(rewritten(log(squeeze(softmax(input([1, 3], { name: 'x' }), 1), 0))).sexpr).toBe('squeeze{axes=[0]}(logSoftmax{axis=1}(x))');
    const labels = input([2], { name: 'labels', dtype: 'int32' });
    // Nested movements are replayed in order, the outermost last.
    expect(rewritten(log(reshape(gather(s(), labels, { axis: 1, batchDims: 1 }), [2, 1]))).sexpr)
      .toBe('reshape{shape=[2,1]}(gather{axis=1, batchDims=1}(logSoftmax{axis=1}(x), labels))');
    expect(rewritten(log(transpose(sigmoid(x23())))).sexpr).toBe('transpose{perm=[1,0]}(logSigmoid(x))');
  });

  it('hand-written softmaxes become softmax', () => {
    const t = x23();
    expect(rewritten(div(exp(t), sum(exp(t), { axis: 1, keepDims: true }))).sexpr).toBe('softmax{axis=1}(x)');
    // Without keepDims the sums broadcast back correctly along the leading axis.
    expect(rewritten(div(exp(t), sum(exp(t), { axis: 0 }))).sexpr).toBe('softmax{axis=0}(x)');
    const e = exp(t);
    expect(rewritten(div(e, broadcastLike(sum(e, { axis: 1, keepDims: true }), e))).sexpr).toBe('softmax{axis=1}(x)');
    // The stable spelling, with the max subtracted (two separate but equal subtractions).
    const shifted = () => exp(sub(t, max(t, { axis: 1, keepDims: true })));
    // The two equal subtractions are one node (common subexpressions merge silently), so the
    // exponentials are the same and the shift, constant along the axis, drops out as a whole.
    expect(rewritten(div(shifted(), sum(shifted(), { axis: 1, keepDims: true })))).toEqual({
      sexpr: 'softmax{axis=1}(x)', rules: ['sub-to-add-neg', 'softmax-from-exp', 'softmax-shift-invariance'],
    });
    const global = exp(sub(t, max(t)));
    expect(rewritten(div(global, sum(global, { axis: 1, keepDims: true }))).sexpr).toBe('softmax{axis=1}(x)');
    // Restored with expandDims or a reshape instead of keepDims.
    expect(rewritten(div(exp(t), expandDims(sum(exp(t), { axis: 1 }), 1))).sexpr).toBe('softmax{axis=1}(x)');
    expect(rewritten(div(exp(t), reshape(sum(exp(t), { axis: 1 }), [2, 1]))).sexpr).toBe('softmax{axis=1}(x)');
    expect(rewritten(log(div(exp(t), sum(exp(t), { axis: 1, keepDims: true })))).sexpr).toBe('logSoftmax{axis=1}(x)');
  });

  it('log(sum(exp)) becomes logsumexp, with the same axes and keepDims', () => {
    const t = x23();
    expect(rewritten(log(sum(exp(t)))).sexpr).toBe('logsumexp{axes=[0,1]}(x)');
    expect(rewritten(log(sum(exp(t), { axis: 0, keepDims: true }))).sexpr).toBe('logsumexp{axes=[0], keepDims=true}(x)');
    const stable = max(t, { axis: 1, keepDims: true }).add(log(sum(exp(sub(t, max(t, { axis: 1, keepDims: true }))), { axis: 1, keepDims: true })));
    expect(rewritten(stable)).toEqual({
      sexpr: 'logsumexp{axes=[1], keepDims=true}(x)', rules: ['sub-to-add-neg', 'log-sum-exp', 'logsumexp-shifted'],
    });
  });

  it('keeps a softmax that something else still reads', () => {
    const t = x23();
    const probs = softmax(t, 1);
    const { graph } = rewrite({ loss: log(probs), probs }, SOFTMAX_ONLY);
    expect(graph.outputs.map((o) => formatExpression(o))).toEqual(['logSoftmax{axis=1}(x)', 'softmax{axis=1}(x)']);
  });
});

describe('must not fire', () => {
  it('log of a softmax reduced along another axis', () => {
    const n = log(sum(softmax(x23(), 1), { axis: 0 }));
    expect(rewritten(n)).toEqual({ sexpr: 'log(sum{axes=[0]}(softmax{axis=1}(x)))', rules: [] });
  });

  it('log moved over something that is not a softmax or sigmoid', () => {
    expect(rewritten(log(transpose(exp(x23())))).sexpr).toBe('log(transpose{perm=[1,0]}(exp(x)))');
  });

  it('exp(x) / sum(exp(y)) with different x and y', () => {
    const y = input([2, 3], { name: 'y' });
    const t = x23();
    expect(rewritten(div(exp(t), sum(exp(y), { axis: 1, keepDims: true }))).rules).toEqual([]);
  });

  it('sums that do not normalize along one axis', () => {
    const t = input([3, 3], { name: 'x' });
    // Without keepDims, sums over axis 1 broadcast along axis 0: e_ij / S_j, not a softmax.
    expect(rewritten(div(exp(t), sum(exp(t), { axis: 1 }))).rules).toEqual([]);
    // Two axes at once: a softmax over the whole matrix, which the op set has no single op for.
    expect(rewritten(div(exp(t), sum(exp(t), { keepDims: true }))).rules).toEqual([]);
  });

  it('a max over another axis is kept: softmax of the shifted input', () => {
    const t = x23();
    const e = exp(sub(t, max(t, { axis: 0, keepDims: true })));
    expect(rewritten(div(e, sum(e, { axis: 1, keepDims: true }))).sexpr)
      .toBe('softmax{axis=1}(add(x, neg(max{axes=[0], keepDims=true}(x))))');
  });
});

const DTYPES = ['float32', 'float64'] as const;

/** Largest difference between two finite feed values. */
function spread(t: Tensor): number {
  const finite = Array.from(t.data).filter(Number.isFinite);
  return finite.length === 0 ? 0 : Math.max(...finite) - Math.min(...finite);
}

/**
 * ULP allowed. float32: the kernels compute in float64 and round once. float64: the softmax
 * kernels carry the rounding of z_i - max into exp with TwoSum (core's _cross-entropy.ts
 * loadRow), so they stay within 2 ULP whatever the spread of the logits; a naive
 * exp(z_i - max) would be off by up to |z_i - max| / 2 ULP (hundreds).
 */
function tolerance(dtype: 'float32' | 'float64'): number {
  return dtype === 'float32' ? 2 : 4;
}

/**
 * The testing kit's reference takes exp(x) beyond |x| = 1e6 as 0 or Infinity, so the naive
 * graph's reference is exact only below that: compare meanings there, accuracy and finiteness
 * everywhere.
 */
const meaningComputable = (z: Tensor) => spread(z) < 9e5 && Array.from(z.data).every((v) => Math.abs(v) < 9e5);

describe.each(DTYPES)('values (%s)', (dtype) => {
  const z = () => input([2, 4], { name: 'z', dtype });
  const check = (original: Node, result: Node, feeds: { z: Tensor; labels?: Tensor }) =>
    expectRewriteValues(original, result, feeds, { ulp: tolerance(dtype), exactMeaning: meaningComputable(feeds.z) });

  test.prop([logitVector(4, dtype, { batch: 2 })], propertyParams(40))('log(softmax z)', (zv) => {
    const original = log(softmax(z(), 1));
    const result = stabilized(original);
    expect(formatExpression(result.node)).toBe('logSoftmax{axis=1}(z)');
    check(original, result.node, { z: zv });
  });

  test.prop([logitVector(4, dtype, { batch: 2 }), labelsOf(2, 4)], propertyParams(40))('log(gather(softmax z))', (zv, labels) => {
    const original = log(gather(softmax(z(), 1), input([2], { name: 'labels', dtype: 'int32' }), { axis: 1, batchDims: 1 }));
    const result = stabilized(original);
    expect(result.rules).toContain('log-through-movement');
    check(original, result.node, { z: zv, labels });
  });

  test.prop([tensorOf([2, 4], dtype)], propertyParams(40))('log(transpose(sigmoid z))', (zv) => {
    const original = log(transpose(sigmoid(z())));
    const result = stabilized(original);
    expect(result.rules).toContain('log-through-movement');
    // logSigmoid has no max to subtract: a few ULP whatever the spread.
    expectRewriteValues(original, result.node, { z: zv }, { ulp: 4, exactMeaning: meaningComputable(zv) });
  });

  // |z| <= 1000: exp overflows in both dtypes (the naive form gives NaN), while the reference
  // of the naive form is still exact.
  test.prop([logitVector(4, dtype, { batch: 2, maxMagnitude: 1000 })], propertyParams(40))('exp(z) / sum(exp(z))', (zv) => {
    const t = z();
    const original = div(exp(t), sum(exp(t), { axis: 1, keepDims: true }));
    const result = stabilized(original);
    expect(formatExpression(result.node)).toBe('softmax{axis=1}(z)');
    check(original, result.node, { z: zv });
  });

  test.prop([logitVector(4, dtype, { batch: 2 })], propertyParams(40))('exp(z - max z) / sum(exp(z - max z))', (zv) => {
    const t = z();
    const e = exp(sub(t, max(t, { axis: 1, keepDims: true })));
    const original = div(e, sum(e, { axis: 1, keepDims: true }));
    const result = stabilized(original);
    expect(formatExpression(result.node)).toBe('softmax{axis=1}(z)');
    check(original, result.node, { z: zv });
  });

  test.prop([logitVector(4, dtype, { batch: 2, maxMagnitude: 1000 })], propertyParams(40))('log(sum(exp z))', (zv) => {
    const original = log(sum(exp(z()), { axis: 1 }));
    const result = stabilized(original);
    expect(formatExpression(result.node)).toBe('logsumexp{axes=[1]}(z)');
    check(original, result.node, { z: zv });
  });

  test.prop([logitVector(4, dtype, { batch: 2 })], propertyParams(40))('max z + log(sum(exp(z - max z)))', (zv) => {
    const t = z();
    const original = max(t, { axis: 1 }).add(log(sum(exp(sub(t, max(t, { axis: 1, keepDims: true }))), { axis: 1 })));
    const result = stabilized(original);
    expect(formatExpression(result.node)).toBe('logsumexp{axes=[1]}(z)');
    check(original, result.node, { z: zv });
  });
});

describe('values at hand-computed points', () => {
  it('log(softmax) is finite where the naive form is -Infinity', () => {
    const z = input([3], { name: 'z', dtype: 'float32' });
    const original = log(softmax(z));
    const rewrittenNode = stabilized(original).node;
    const feeds = { z: [1000, 0, -1000] };
    expect(Array.from(evaluate(original, feeds).data)).toEqual([0, -Infinity, -Infinity]);
    // logSoftmax = z - 1000 - log(1 + e^-1000 + e^-2000), and the log term is far below float32 resolution.
    expect(Array.from(evaluate(rewrittenNode, feeds).data)).toEqual([0, -1000, -2000]);
  });

  it('exp(z) / sum(exp(z)) is NaN at z = 1000 naively and 1/2 after the rewrite', () => {
    const z = input([2], { name: 'z', dtype: 'float64' });
    const original = div(exp(z), sum(exp(z)));
    const feeds = { z: [1000, 1000] };
    expect(Array.from(evaluate(original, feeds).data).every(Number.isNaN)).toBe(true);
    expect(Array.from(evaluate(stabilized(original).node, feeds).data)).toEqual([0.5, 0.5]);
  });

  it('log(sum(exp(z))) at z = [1000, 1000] is 1000 + log 2', () => {
    const z = input([2], { name: 'z', dtype: 'float64' });
    const got = evaluate(stabilized(log(sum(exp(z)))).node, { z: [1000, 1000] }).data[0]!;
    expect(got).toBeCloseTo(1000 + Math.LN2, 12);
  });
});
