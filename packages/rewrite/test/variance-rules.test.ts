/**
 * The one-pass variance `E[x^2] - E[x]^2`, in its common spellings, becomes core's two-pass
 * `variance`: the structure after stabilize, the cases that must not fire, and the accuracy
 * against a 60-digit reference on data with a large mean (where the one-pass form keeps none
 * of the variance's digits and can come out negative).
 */
import { fc, test } from '@fast-check/vitest';
import { evaluate, input, mean, mul, type Node, pow, square, sub, tensor } from '@stablegrad/core';
import { formatExpression, stabilize } from '@stablegrad/rewrite';
import { propertyParams, referenceEvaluate } from '@stablegrad/testing';
import { describe, expect, it } from 'vitest';

const { numRuns, seed } = propertyParams(40);

type Spelling = (x: Node, axis: number | number[] | undefined, keepDims: boolean) => Node;
const m = (x: Node, axis: number | number[] | undefined, keepDims: boolean) => mean(x, { ...(axis === undefined ? {} : { axis }), keepDims });
const SECOND_MOMENTS: readonly [string, Spelling][] = [
  ['mean(square(x))', (x, a, k) => m(square(x), a, k)],
  ['mean(x * x)', (x, a, k) => m(mul(x, x), a, k)],
  ['mean(x ** 2)', (x, a, k) => m(pow(x, 2), a, k)],
];
const SQUARED_MEANS: readonly [string, Spelling][] = [
  ['square(mean(x))', (x, a, k) => square(m(x, a, k))],
  ['mean(x) * mean(x)', (x, a, k) => mul(m(x, a, k), m(x, a, k))],
  ['mean(x) ** 2', (x, a, k) => pow(m(x, a, k), 2)],
];
const SPELLINGS = SECOND_MOMENTS.flatMap(([a, first]) => SQUARED_MEANS.map(([b, second]) => [`${a} - ${b}`, first, second] as const));

describe('every spelling, over any axes, with or without keepDims, becomes variance', () => {
  it.each(SPELLINGS)('%s', (_name, first, second) => {
    for (const [axis, keepDims, expected] of [
      [1, false, 'variance{axes=[1]}(x)'],
      [-1, true, 'variance{axes=[1], keepDims=true}(x)'],
      [undefined, false, 'variance{axes=[0,1]}(x)'],
      [[0], true, 'variance{axes=[0], keepDims=true}(x)'],
    ] as const) {
      const x = input(['batch', 5], { name: 'x' });
      const axes: number | number[] | undefined = Array.isArray(axis) ? [...(axis as readonly number[])] : (axis as number | undefined);
      const { graph, report } = stabilize({ v: sub(first(x, axes, keepDims), second(x, axes, keepDims)) });
      expect(formatExpression(graph.outputs[0]!)).toBe(expected);
      expect(report.firings.map((f) => f.rule).some((r) => r.startsWith('variance-two-pass'))).toBe(true);
    }
  });
});

describe('what is not a variance is left alone', () => {
  const x = input([3, 3], { name: 'x' });
  const y = input([3, 3], { name: 'y' });
  it.each([
    ['means over different axes', sub(mean(square(x), { axis: 1 }), square(mean(x, { axis: 0 })))],
    ['the square of another node', sub(mean(square(x), { axis: 1 }), square(mean(y, { axis: 1 })))],
    ['a sum, not a mean', sub(square(x).sum({ axis: 1 }), square(mean(x, { axis: 1 })))],
    ['keepDims on one mean only', sub(mean(square(x), { axis: 1, keepDims: true }), square(mean(x, { axis: 1 })))],
    ['a cube, not a square', sub(mean(pow(x, 3), { axis: 1 }), square(mean(x, { axis: 1 })))],
  ] as const)('%s', (_name, g) => {
    const { report } = stabilize({ v: g });
    expect(report.firings.map((f) => f.rule).filter((r) => r.startsWith('variance'))).toEqual([]);
  });
});

describe('accuracy on data with a large mean, against a 60-digit reference', () => {
  // Rows of float32 values around `offset` with a spread of about 1: the variance is about 1/3.
  const noise = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 24, maxLength: 24 });
  test.prop([fc.integer({ min: 2, max: 6 }), fc.double({ min: 1e3, max: 1e5, noNaN: true }), noise], { numRuns, seed })(
    'float32: the rewritten variance is within 1e-5 of the reference and never negative',
    (rows, offset, noise) => {
      const x = input([rows, 4], { name: 'x', dtype: 'float32' });
      const naive = sub(mean(mul(x, x), { axis: 1 }), mul(mean(x, { axis: 1 }), mean(x, { axis: 1 })));
      const stable = stabilize({ v: naive }).graph.outputs[0]!;
      const data = Float32Array.from({ length: rows * 4 }, (_, i) => offset + noise[i]!);
      const feeds = { x: tensor(data, { shape: [rows, 4] }) };
      const reference = referenceEvaluate(naive, feeds).values;
      const got = evaluate(stable, feeds).data;
      reference.forEach((want, r) => {
        // Absolute, against the spread: a variance of a row may be exactly 0 (equal values).
        expect(Math.abs(got[r]! - want), `row ${r}`).toBeLessThanOrEqual(1e-5 * Math.max(want, 1e-3) + 1e-9);
        expect(got[r]!).toBeGreaterThanOrEqual(0);
      });
    },
  );

  it('float32 values of mean 1e4 and spread 1: the one-pass form is off by far more than the variance, the rewritten one exact to float32', () => {
    const x = input([1, 4], { name: 'x', dtype: 'float32' });
    const naive = sub(mean(square(x), { axis: 1 }), square(mean(x, { axis: 1 })));
    const data = Float32Array.of(10000, 10001, 10002, 10003);
    const feeds = { x: tensor(data, { shape: [1, 4] }) };
    // Exact: the values 0, 1, 2, 3 around their mean 1.5 give (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
    expect(referenceEvaluate(naive, feeds).values[0]).toBe(1.25);
    expect(Math.abs(evaluate(naive, feeds).data[0]! - 1.25)).toBeGreaterThan(1);
    expect(evaluate(stabilize({ v: naive }).graph.outputs[0]!, feeds).data[0]).toBe(1.25);
  });
});
