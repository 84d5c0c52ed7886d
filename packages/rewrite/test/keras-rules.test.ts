/**
 * Keras-style guard rules: clipped, epsilon-shifted and renormalised probabilities of sigmoid
 * and softmax outputs lose their guards and end as logit forms. Structure (expected
 * expressions written from the math), the cases that must not fire, and seeded properties:
 * where the clip is active the rewritten graph computes the exact (unclipped) loss, accurately
 * and finitely; where it is not, the two graphs mean the same thing.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, clip, div, evaluate, gather, grad, input, log, maximum, mul, neg, type Node, sigmoid, softmax, sub, sum, tensor,
} from '@stablegrad/core';
import { formatExpression, PHASES, type Phase, rewrite, stabilize, stabilizeRules } from '@stablegrad/rewrite';
import { floatOf, logitVector, probabilityVector, propertyParams, referenceEvaluate, tensorOf } from '@stablegrad/testing';
import { expectRewriteValues } from './rewrite-values.js';

const KERAS = /^keras-/;
const LOGITS = new Set(['log-sigmoid', 'one-minus-sigmoid', 'log-softmax', 'log-through-movement', 'log-clamped', 'log-clip-clamped', 'logit-of-sigmoid', 'log-maximum-guarded']);
/** Canonicalize, then only the Keras, sigmoid and softmax rules. */
const KERAS_ONLY: readonly Phase[] = [
  PHASES[0]!, { name: 'stabilize', rules: stabilizeRules.filter((r) => KERAS.test(r.name) || LOGITS.has(r.name)) },
];

function rewritten(node: Node): { sexpr: string; rules: string[] } {
  const { graph, report } = rewrite(node, KERAS_ONLY);
  return { sexpr: formatExpression(graph.outputs[0]!), rules: report.firings.map((f) => f.rule) };
}

function stabilized(node: Node): { node: Node; rules: string[] } {
  const { graph, report } = stabilize(node);
  return { node: graph.outputs[0]!, rules: report.firings.map((f) => f.rule) };
}

const EPS = 1e-7;
const z3 = () => input([3], { name: 'z' });
const z23 = () => input([2, 3], { name: 'z' });
const CLIP = 'clip{lo=1e-7, hi=0.9999999}';

describe('structure', () => {
  it('log(clip(p, eps, 1 - eps)) becomes the logit form', () => {
    expect(rewritten(log(clip(sigmoid(z3()), EPS, 1 - EPS)))).toEqual({ sexpr: 'logSigmoid(z)', rules: ['keras-log-clipped', 'log-sigmoid'] });
    expect(rewritten(log(clip(softmax(z23(), 0), EPS, 1 - EPS))).sexpr).toBe('logSoftmax{axis=0}(z)');
    // Bounds rounded to float32, as a float32 Keras model stores them.
    expect(rewritten(log(clip(sigmoid(z3()), Math.fround(EPS), Math.fround(1 - EPS)))).sexpr).toBe('logSigmoid(z)');
    // Up to the guard bound (guardEpsilon, 1e-6 by default) a bound is a guard; above, a modelling choice kept as written.
    expect(rewritten(log(clip(sigmoid(z3()), 1e-6, 1 - 1e-6))).sexpr).toBe('logSigmoid(z)');
    expect(rewritten(log(clip(sigmoid(z3()), 1e-3, 1 - 1e-3))).sexpr).toBe('log(clip{lo=0.001, hi=0.999}(sigmoid(z)))');
    expect(formatExpression(stabilize({ l: log(clip(sigmoid(z3()), 1e-3, 1 - 1e-3)) }, { guardEpsilon: 1e-3 }).graph.outputs[0]!)).toBe('logSigmoid(z)');
  });

  it('an epsilon above the guard bound is kept, and the rest is still stabilized', () => {
    // -log(sigmoid(x) + 1e-3) at x = -10 is 6.86; dropping the 1e-3 would give 10.0.
    expect(formatExpression(stabilize({ l: neg(log(add(sigmoid(z3()), 1e-3))) }).graph.outputs[0]!)).toBe('neg(log(add(sigmoid(z), 0.0010000000474974513)))');
    expect(formatExpression(stabilize({ l: log(add(sigmoid(z3()), 1e-7)) }).graph.outputs[0]!)).toBe('logSigmoid(z)');
    expect(() => stabilize({ l: log(sigmoid(z3())) }, { guardEpsilon: 0.5 })).toThrow(/guardEpsilon/);
  });

  it('maximum(p, eps) and minimum(p, 1 - eps) guards, and clamps of the log (PyTorch BCELoss: -100)', () => {
    expect(rewritten(log(maximum(softmax(z23(), 1), 1e-12))).sexpr).toBe('logSoftmax{axis=1}(z)');
    expect(rewritten(log(maximum(sigmoid(z3()), 1e-3))).sexpr).toBe('log(maximum(sigmoid(z), 0.0010000000474974513))');
    expect(rewritten(maximum(log(sigmoid(z3())), -100)).sexpr).toBe('logSigmoid(z)');
    // a clamp at -5 is a modelling choice (it is active for p below 0.7%): kept
    expect(rewritten(maximum(log(sigmoid(z3())), -5)).sexpr).toBe('maximum(logSigmoid(z), -5)');
  });

  it('log(1 - clip(sigmoid z)) becomes logSigmoid(-z)', () => {
    expect(rewritten(log(sub(1, clip(sigmoid(z3()), EPS, 1 - EPS))))).toEqual({
      sexpr: 'logSigmoid(neg(z))', rules: ['sub-to-add-neg', 'keras-log-one-minus-clipped', 'one-minus-sigmoid', 'log-sigmoid'],
    });
  });

  it('clip reached through a gather (sparse categorical)', () => {
    const labels = input([2], { name: 'labels', dtype: 'int32' });
    const picked = gather(softmax(z23(), 1), labels, { axis: 1, batchDims: 1 });
    expect(rewritten(log(clip(picked, EPS, 1 - EPS))).sexpr).toBe('gather{axis=1, batchDims=1}(logSoftmax{axis=1}(z), labels)');
  });

  it('Keras categorical cross-entropy: renormalise, clip, log', () => {
    const y = input([2, 3], { name: 'y' });
    const p = softmax(z23(), 1);
    const renormalised = div(p, sum(p, { axis: 1, keepDims: true }));
    const loss = neg(sum(mul(y, log(clip(renormalised, EPS, 1 - EPS))), { axis: 1 }));
    expect(rewritten(loss)).toEqual({
      sexpr: 'neg(sum{axes=[1]}(mul(y, logSoftmax{axis=1}(z))))',
      rules: ['keras-renormalized-softmax', 'keras-log-clipped', 'log-softmax'],
    });
  });

  it('tf.keras binary cross-entropy: clip, then epsilon inside the log', () => {
    const y = input([3], { name: 'y' });
    const p = clip(sigmoid(z3()), EPS, 1 - EPS);
    const loss = neg(add(mul(y, log(add(p, EPS))), mul(sub(1, y), log(add(sub(1, p), EPS)))));
    expect(rewritten(loss).sexpr).toBe('neg(add(mul(y, logSigmoid(z)), mul(add(1, neg(y)), logSigmoid(neg(z)))))');
    // The same with the constants folded: (1 + eps) - p.
    expect(rewritten(log(sub(1 + EPS, p))).sexpr).toBe('logSigmoid(neg(z))');
    // Epsilon without a clip, on either side.
    expect(rewritten(log(add(EPS, sigmoid(z3())))).sexpr).toBe('logSigmoid(z)');
    expect(rewritten(log(add(sub(1, sigmoid(z3())), EPS))).sexpr).toBe('logSigmoid(neg(z))');
  });
});

describe('must not fire', () => {
  it('a clip of something that only looks like a probability', () => {
    const x = input([3], { name: 'x' });
    expect(rewritten(log(clip(x, EPS, 1 - EPS)))).toEqual({ sexpr: `log(${CLIP}(x))`, rules: [] });
    expect(rewritten(log(sub(1, clip(x, EPS, 1 - EPS)))).sexpr).toBe(`log(add(1, neg(${CLIP}(x))))`);
    expect(rewritten(log(add(x, EPS))).rules).toEqual([]);
  });

  it('bounds that clip a real part of the range, or an epsilon that is not small', () => {
    expect(rewritten(log(clip(sigmoid(z3()), 0.1, 0.9))).sexpr).toBe('log(clip{lo=0.1, hi=0.9}(sigmoid(z)))');
    expect(rewritten(log(clip(sigmoid(z3()), EPS, 0.5))).sexpr).toBe('log(clip{lo=1e-7, hi=0.5}(sigmoid(z)))');
    expect(rewritten(log(clip(sigmoid(z3()), 0, 1))).rules).toEqual([]);
    expect(rewritten(log(add(sigmoid(z3()), 0.5))).sexpr).toBe('log(add(sigmoid(z), 0.5))');
  });

  it('log(1 - clip(softmax)): no logit form, so the clip stays', () => {
    expect(rewritten(log(sub(1, clip(softmax(z23(), 1), EPS, 1 - EPS)))).sexpr)
      .toBe(`log(add(1, neg(${CLIP}(softmax{axis=1}(z)))))`);
  });

  it('renormalisation over another axis than the softmax', () => {
    const p = softmax(z23(), 1);
    expect(rewritten(div(p, sum(p, { axis: 0, keepDims: true }))).sexpr)
      .toBe('div(softmax{axis=1}(z), sum{axes=[0], keepDims=true}(softmax{axis=1}(z)))');
    // ...and then its clip is not a guard of a softmax output either.
    expect(rewritten(log(clip(div(p, sum(p, { axis: 0, keepDims: true })), EPS, 1 - EPS))).rules).toEqual([]);
  });
});

const DTYPES = ['float32', 'float64'] as const;
/** A few ULP: logSigmoid, the float32 kernels, and the float64 softmax kernels (TwoSum; see softmax-rules.test.ts). */
const ULP = 4;

describe.each(DTYPES)('values (%s)', (dtype) => {
  const z = (shape: number[]) => input(shape, { name: 'z', dtype });
  // Where eps <= sigmoid(z) <= 1 - eps in both dtypes: |z| <= 15 (sigmoid(15) = 1 - 3.06e-7).
  const inside = tensorOf([6], dtype, { min: -15, max: 15 });
  const anywhere = tensorOf([6], dtype);

  const cases: readonly [string, (p: Node) => Node, string][] = [
    ['log(clip(sigmoid z))', (p) => log(clip(p, EPS, 1 - EPS)), 'logSigmoid(z)'],
    ['log(1 - clip(sigmoid z))', (p) => log(sub(1, clip(p, EPS, 1 - EPS))), 'logSigmoid(neg(z))'],
  ];
  describe.each(cases)('%s', (_name, build, after) => {
    test.prop([anywhere], propertyParams(40))('is the exact loss, accurate and finite everywhere', (zv) => {
      const original = build(sigmoid(z([6])));
      const result = stabilized(original);
      expect(formatExpression(result.node)).toBe(after);
      expectRewriteValues(original, result.node, { z: zv }, { ulp: ULP, exactMeaning: false });
    });
    test.prop([inside], propertyParams(40))('means the same where the clip is not active', (zv) => {
      const original = build(sigmoid(z([6])));
      expectRewriteValues(original, stabilized(original).node, { z: zv }, { ulp: ULP, exactMeaning: true });
    });
  });

  test.prop([logitVector(4, dtype, { batch: 2 })], propertyParams(40))('log(clip(softmax z)) is the exact loss everywhere', (zv) => {
    const original = log(clip(softmax(z([2, 4]), 1), EPS, 1 - EPS));
    const result = stabilized(original);
    expect(formatExpression(result.node)).toBe('logSoftmax{axis=1}(z)');
    expectRewriteValues(original, result.node, { z: zv }, { ulp: ULP, exactMeaning: false });
  });

  // Logits in [-5, 5] over 4 classes: every probability is at least e^-10 / 4 > 1e-5, none above 1 - 1e-5.
  test.prop([tensorOf([2, 4], dtype, { min: -5, max: 5 })], propertyParams(40))(
    'log(clip(softmax z)) means the same where the clip is not active',
    (zv) => {
      const original = log(clip(softmax(z([2, 4]), 1), EPS, 1 - EPS));
      expectRewriteValues(original, stabilized(original).node, { z: zv }, { ulp: ULP, exactMeaning: true });
    },
  );

  test.prop([logitVector(4, dtype, { batch: 2 })], propertyParams(40))('renormalised softmax is the softmax', (zv) => {
    const p = softmax(z([2, 4]), 1);
    const original = div(p, sum(p, { axis: 1, keepDims: true }));
    const result = stabilized(original);
    expect(formatExpression(result.node)).toBe('softmax{axis=1}(z)');
    expectRewriteValues(original, result.node, { z: zv }, { ulp: ULP, exactMeaning: true });
  });

  test.prop([logitVector(4, dtype, { batch: 2 }), probabilityVector(4, { dtype, batch: 2 })], propertyParams(30))(
    'Keras categorical cross-entropy becomes the exact loss',
    (zv, yv) => {
      const p = softmax(z([2, 4]), 1);
      const y = input([2, 4], { name: 'y', dtype });
      const original = neg(sum(mul(y, log(clip(div(p, sum(p, { axis: 1, keepDims: true })), EPS, 1 - EPS))), { axis: 1 }));
      const result = stabilized(original);
      expect(result.rules).toEqual(expect.arrayContaining(['keras-renormalized-softmax', 'keras-log-clipped']));
      expect(formatExpression(result.node)).not.toMatch(/clip|\blog\(/);
      // A sum of same-signed terms: a few ULP more than its terms.
      expectRewriteValues(original, result.node, { z: zv, y: yv }, { ulp: ULP + 4, exactMeaning: false });
    },
  );

  test.prop([anywhere, fc.constantFrom(EPS, Math.fround(EPS), 1e-6)], propertyParams(40))('tf.keras epsilon forms are the exact loss', (zv, eps) => {
    const p = clip(sigmoid(z([6])), eps, 1 - eps);
    for (const [original, after] of [[log(add(p, eps)), 'logSigmoid(z)'], [log(add(sub(1, p), eps)), 'logSigmoid(neg(z))']] as const) {
      const result = stabilized(original);
      expect(formatExpression(result.node)).toBe(after);
      expectRewriteValues(original, result.node, { z: zv }, { ulp: ULP, exactMeaning: false });
    }
  });
});

describe('what dropping the guard changes', () => {
  test.prop([floatOf('float64', { min: -15, max: 15 })], propertyParams(40))(
    'the epsilon inside the log shifts the loss by at most eps / p',
    (zv) => {
      const z = input([], { name: 'z', dtype: 'float64' });
      const p = sigmoid(z);
      const original = log(add(p, EPS));
      const [shifted, exact] = referenceEvaluate([original, stabilized(original).node], { z: zv }).map((r) => r.values[0]!);
      const pv = 1 / (1 + Math.exp(-zv));
      expect(shifted! - exact!).toBeGreaterThanOrEqual(0);
      expect(shifted! - exact!).toBeLessThanOrEqual((EPS / pv) * (1 + 1e-9));
    },
  );

  it('the clipped loss saturates at -log(1e-7) with zero gradient; the exact one keeps growing and pointing the right way', () => {
    const z = input([], { name: 'z', dtype: 'float64' });
    const clipped = neg(log(clip(sigmoid(z), EPS, 1 - EPS)));
    const exact = stabilized(clipped).node;
    expect(formatExpression(exact)).toBe('neg(logSigmoid(z))');
    const at = { z: tensor(-30, { dtype: 'float64' }) };
    const [lossClipped, lossExact] = evaluate([clipped, exact], at).map((t) => t.data[0]!);
    expect(lossClipped).toBeCloseTo(7 * Math.LN10, 12); // -log(1e-7) = 16.118...
    expect(lossExact).toBeCloseTo(30, 12); // softplus(30) = 30 + log1p(e^-30)
    const [gradClipped, gradExact] = evaluate([grad(clipped, z), grad(exact, z)], at).map((t) => t.data[0]!);
    expect(gradClipped).toBe(0);
    expect(gradExact).toBeCloseTo(-1, 12); // sigmoid(-30) - 1
  });
});
