// What the playground computes, checked in Node against the high-precision reference: for each
// example loss, the stabilized value and gradient along the swept variable are within a few ULP
// of the exact loss (the loss as written, evaluated at 60 digits), in float32 and float64; the
// loss as written breaks down in float32 where the page says it does.
import { describe, expect, it } from 'vitest';
import { type DType, ExpressionError, input, parseExpression, tensor } from '@stablegrad/core';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { analyze, curves, EXAMPLES, nonFinite, PlaygroundError } from '../playground/src/analysis.js';

const example = (id: string) => EXAMPLES.find((e) => e.id === id)!;
/** The exact loss each example stands for (Keras' clip and epsilon are guards; stabilize drops them). */
const EXACT_TEXT: { readonly [id: string]: string } = {
  'naive-bce': example('naive-bce').text,
  'keras-clipped': example('naive-bce').text,
  'seed-cancellation': example('seed-cancellation').text,
};
/** Largest error accepted, in ULP of the dtype (measured: at most 1, value and gradient, both dtypes). */
const MAX_ULP = 2;

describe.each(['float32', 'float64'] as const)('the playground examples in %s', (dtype: DType) => {
  it.each(EXAMPLES.map((e) => [e.id, e] as const))('%s: the stabilized curves are accurate everywhere', (id, ex) => {
    const analysis = analyze(ex.text, dtype);
    for (const label of [1, 0, 0.3]) {
      const c = curves(analysis, { from: ex.from, to: ex.to, points: 41, label });
      // The exact loss and its derivative, from the loss as written, in 60-digit arithmetic.
      const exact = analyze(EXACT_TEXT[id]!, dtype);
      let worst = 0;
      c.x.forEach((x, i) => {
        const feeds = new Map([[exact.sweep, tensor(x, { dtype })], [exact.label, tensor(label, { dtype })]]);
        const [value, gradient] = referenceEvaluate([exact.naive, exact.naiveGradient], feeds);
        for (const [got, want] of [[c.stableValue[i]!, value!.values[0]!], [c.stableGradient[i]!, gradient!.values[0]!]] as const) {
          expect(Number.isFinite(got), `${id} at ${x}, y = ${label}: ${got}`).toBe(true);
          worst = Math.max(worst, ulpDistance(got, want, dtype));
        }
      });
      expect(worst, `${id}, y = ${label}: worst error ${worst} ULP`).toBeLessThanOrEqual(MAX_ULP);
    }
  });
});

describe('what the page shows', () => {
  it('the naive BCE in float32 is NaN from z ~ 17 on (y = 1): 1 - sigmoid(z) rounds to 0', () => {
    const c = curves(analyze(example('naive-bce').text, 'float32'), { from: -40, to: 40, points: 401, label: 1 });
    const broken = nonFinite(c.naiveValue, c.x);
    // float32 sigmoid(z) rounds to 1 once e^-z < 2^-25, i.e. z > 25 log 2 ~ 17.3.
    expect(broken.firstX).toBeGreaterThan(16);
    expect(broken.firstX).toBeLessThan(18);
    expect(broken.count).toBe(c.x.filter((x) => x >= broken.firstX!).length);
    expect(nonFinite(c.stableValue, c.x).count).toBe(0);
    expect(nonFinite(c.naiveGradient, c.x).count).toBeGreaterThan(0);
  });

  it('the explain report names the fusing rules', () => {
    expect(analyze(example('naive-bce').text, 'float32').rules).toContain('binary-cross-entropy');
    expect(analyze(example('keras-clipped').text, 'float32').rules).toEqual(expect.arrayContaining(['keras-log-epsilon', 'binary-cross-entropy']));
    expect(analyze(example('seed-cancellation').text, 'float64').explanation).not.toBe('No rewrites: the graph was left as it was.');
  });

  it('the seed example is 2a without cancellation, where the loss as written loses every digit', () => {
    const c = curves(analyze(example('seed-cancellation').text, 'float64'), { from: -1e-6, to: 1e-6, points: 21, label: 0 });
    c.x.forEach((a, i) => expect(c.stableValue[i]).toBe(2 * a));
    const worstNaive = Math.max(...c.x.map((a, i) => ulpDistance(c.naiveValue[i]!, 2 * a)));
    expect(worstNaive).toBeGreaterThan(1e6);
  });

  it('the before/after picture is DOT with the fused op', () => {
    const dot = analyze(example('naive-bce').text, 'float32').diffDot;
    expect(dot.startsWith('digraph')).toBe(true);
    expect(dot).toContain('rule: binary-cross-entropy');
  });

  it('bad text is an ExpressionError, a loss without z or a a PlaygroundError, a bad range too', () => {
    expect(() => analyze('log(sigmoid(z)', 'float32')).toThrow(ExpressionError);
    expect(() => analyze('y * 2', 'float32')).toThrow(PlaygroundError);
    const analysis = analyze('z.sigmoid()', 'float32');
    expect(() => curves(analysis, { from: 1, to: -1, points: 10, label: 1 })).toThrow(PlaygroundError);
    expect(() => curves(analysis, { from: -1, to: 1, points: 1e9, label: 1 })).toThrow(PlaygroundError);
    expect(() => curves(analysis, { from: -1, to: 1, points: 10, label: NaN })).toThrow(PlaygroundError);
  });

  it('the variables are scalars of the chosen dtype, so softmax needs a vector and says so', () => {
    const z = input([], { name: 'z', dtype: 'float64' });
    expect(() => parseExpression('softmax(z)', { z })).toThrow(ExpressionError);
    expect(analyze('z * y + a', 'float64').sweep.dtype).toBe('float64');
  });
});
