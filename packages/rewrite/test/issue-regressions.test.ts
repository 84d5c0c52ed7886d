/**
 * Regressions of the defects issue 10 reported against stabilize: a rewrite that changed the
 * meaning of a hand-written softmax whose numerator and denominator were shifted by different
 * maxima, and a rewrite that threw (or changed the shape) where a -1 tensor broadcast its operand.
 */
import { describe, expect, it } from 'vitest';
import { constant, div, evaluate, exp, full, input, max, mul, sub, sum, tensor } from '@stablegrad/core';
import { formatExpression, prepareTraining, stabilize } from '@stablegrad/rewrite';
import { referenceEvaluate } from '@stablegrad/testing';

describe('issue 10 regressions', () => {
  it('exp(x - rowmax) / sum(exp(x - globalmax)) is not a softmax, and keeps its values', () => {
    const x = input([2, 3], { name: 'x', dtype: 'float64' });
    const written = div(exp(sub(x, max(x, { axis: 1, keepDims: true }))), sum(exp(sub(x, max(x))), { axis: 1, keepDims: true }));
    const stable = stabilize({ written }).graph.outputs[0]!;
    expect(formatExpression(stable)).not.toContain('softmax');
    const feeds = { x: tensor([[1, 2, 3], [10, 0, -1]], { dtype: 'float64' }) };
    const truth = referenceEvaluate(written, feeds).values;
    // The first row: e^(x - 3) / (sum e^(x - 10)) = 98.7, 268.4, 729.5 (a softmax would give 0.090, 0.245, 0.665).
    expect(truth[0]).toBeCloseTo(98.7, 1);
    Array.from(evaluate(stable, feeds).data).forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 9));
  });

  it('(-1) * x with a -1 tensor larger than x keeps the broadcast shape and never throws', () => {
    const x = input([1, 3], { name: 'x' });
    const written = mul(constant(full([2, 3], -1)), x);
    const stable = stabilize({ written }).graph.outputs[0]!;
    expect(stable.shape).toEqual([2, 3]);
    const feeds = { x: [[1, 2, 3]] };
    expect(Array.from(evaluate(stable, feeds).data)).toEqual([-1, -2, -3, -1, -2, -3]);
    // The same with a scalar -1 is the negation.
    expect(formatExpression(stabilize({ n: mul(-1, x) }).graph.outputs[0]!)).toBe('neg(x)');
  });

  it('a tensor where a node belongs is a TypeError naming the op, not a scalar', () => {
    expect(() => mul(full([2, 3], -1) as never, input([1, 3], { name: 'x' }))).toThrow(/mul 'mul': operand 0 is a tensor of shape \[2, 3\].*constant/);
  });
});

describe('options', () => {
  it('stabilize and prepareTraining refuse unknown options and out-of-range guard bounds', () => {
    const z = input([3], { name: 'z' });
    const loss = sum(z);
    expect(() => stabilize({ loss }, { guardEpsilom: 1e-4 } as never)).toThrow(/stabilize: unknown option 'guardEpsilom'; known options: .*guardEpsilon/);
    expect(() => prepareTraining({ loss, params: [z] }, { stabilise: false } as never)).toThrow(/prepareTraining: unknown option 'stabilise'/);
    expect(() => stabilize({ loss }, { guardEpsilon: -1 })).toThrow(/guardEpsilon must be a number in \[0, 0.01\]/);
    expect(() => stabilize({ loss }, { guardEpsilon: Number.NaN })).toThrow(/guardEpsilon/);
  });
});
