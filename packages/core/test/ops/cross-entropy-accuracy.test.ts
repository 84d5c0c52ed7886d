// The accuracy contract of the fused cross-entropy ops, as seeded properties: over random and
// extreme inputs in both float dtypes (softmax labels summing to 1 or not), losses are within 4 ULP (float64) / 2 ULP (float32) of the
// 60-digit reference, gradient ops within 8 ULP wherever the true value is a normal number, and
// nothing is Infinity or NaN where the true value is finite. The references themselves are
// checked against the textbook formulas evaluated with as many digits as they need.
import { afterAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { type FloatDType, propertyRuns, ulpDistance } from '@stablegrad/testing';
import {
  plainSigmoid, plainSoftmax, roundTo, runSigmoid, runSoftmax, runSparse, sigmoidCase, softmax, softmaxCase, sparseCase, UlpRecorder,
} from './cross-entropy-support.js';

const runs = propertyRuns();

const recorder = new UlpRecorder();
/** softmaxCE with labels that do not sum to 1, where the gradient is softmax(z) sum(y) - y. */
const unnormalised = new UlpRecorder();
const dtypes: readonly FloatDType[] = ['float64', 'float32'];

afterAll(() => {
  console.log(`fused cross-entropy accuracy (max ULP vs 60-digit reference):\n${recorder.table()}`);
  console.log(`softmaxCE with labels not summing to 1:\n${unnormalised.table()}`);
});

/**
 * A softmax row and labels that do not sum to 1: a distribution scaled by c, independent labels
 * in [0, 2], c times the rounded softmax (every entry cancels: softmax(z) sum(y) is close to y),
 * and a distribution with one entry nudged by a few ULP (sum(y) - 1 is tiny).
 */
function unnormalisedCase(dtype: FloatDType): fc.Arbitrary<[number[], number[]]> {
  const free = fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 });
  return fc.tuple(softmaxCase(dtype), fc.integer({ min: 0, max: 3 }), fc.constantFrom(0.5, 0.9, 1.1, 2, 3), free, fc.nat(), fc.integer({ min: -4, max: 4 }))
    .map(([[z, y], mode, c, labels, pick, nudge]): [number[], number[]] => {
      if (mode === 0) return [z, y.map((v) => roundTo(c * v, dtype))];
      if (mode === 1) return [z, labels.slice(0, z.length).map((v) => roundTo(v, dtype))];
      if (mode === 2) return [z, softmax(z).map((v) => roundTo(c * v, dtype))];
      const step = dtype === 'float32' ? 2 ** -23 : 2 ** -52;
      return [z, y.map((v, i) => (i === pick % z.length ? roundTo(v * (1 + nudge * step), dtype) : v))];
    });
}

describe.each(dtypes)('%s', (dtype) => {
  const params = { seed: dtype === 'float64' ? 20240601 : 20240602, numRuns: runs };

  test.prop([sigmoidCase(dtype)], params)('sigmoidCrossEntropyWithLogits and its gradient are within contract', ([z, y]) => {
    const { loss, grad } = runSigmoid([z], [y], dtype);
    const failures = [
      ...recorder.check('sigmoidCE', 'loss', dtype, loss, { z, y }),
      ...recorder.check('sigmoidCE', 'grad', dtype, grad, { z, y }),
    ];
    expect(failures).toEqual([]);
  });

  test.prop([softmaxCase(dtype)], params)('softmaxCrossEntropyWithLogits and its gradient are within contract', ([z, y]) => {
    const { loss, grad } = runSoftmax(z, y, dtype);
    const failures = [
      ...recorder.check('softmaxCE', 'loss', dtype, loss, { z, y }),
      ...recorder.check('softmaxCE', 'grad', dtype, grad, { z, y }),
    ];
    expect(failures).toEqual([]);
  });

  test.prop([unnormalisedCase(dtype)], params)('softmaxCrossEntropyWithLogits and its gradient softmax(z) sum(y) - y are within contract for labels not summing to 1', ([z, y]) => {
    const { loss, grad } = runSoftmax(z, y, dtype);
    const failures = [
      ...unnormalised.check('softmaxCE', 'loss', dtype, loss, { z, y }),
      ...unnormalised.check('softmaxCE', 'grad', dtype, grad, { z, y }),
    ];
    expect(failures).toEqual([]);
  });

  test.prop([sparseCase(dtype)], params)('sparseSoftmaxCrossEntropyWithLogits and its gradient are within contract', ([z, label]) => {
    const { loss, grad } = runSparse(z, label, dtype);
    const failures = [
      ...recorder.check('sparseCE', 'loss', dtype, loss, { z, label }),
      ...recorder.check('sparseCE', 'grad', dtype, grad, { z, label }),
    ];
    expect(failures).toEqual([]);
  });
});

describe('the references agree with the textbook formulas at high precision', () => {
  const params = { seed: 4242, numRuns: Math.max(10, Math.ceil(runs / 4)) };

  test.prop([sigmoidCase('float64')], params)('sigmoid cross-entropy', ([z, y]) => {
    const { loss, grad } = runSigmoid([z], [y], 'float64');
    const plain = plainSigmoid(z, y);
    expect(ulpDistance(loss.want[0]!, plain.loss, 'float64')).toBeLessThanOrEqual(1);
    expect(ulpDistance(grad.want[0]!, plain.grad, 'float64')).toBeLessThanOrEqual(1);
  });

  test.prop([softmaxCase('float64')], params)('softmax cross-entropy', ([z, y]) => {
    const { loss, grad } = runSoftmax(z, y, 'float64');
    const plain = plainSoftmax(z, y);
    expect(ulpDistance(loss.want[0]!, plain.loss, 'float64')).toBeLessThanOrEqual(1);
    grad.want.forEach((w, i) => expect(ulpDistance(w, plain.grad[i]!, 'float64')).toBeLessThanOrEqual(1));
  });

  test.prop([unnormalisedCase('float64')], params)('softmax cross-entropy, labels not summing to 1', ([z, y]) => {
    const { loss, grad } = runSoftmax(z, y, 'float64');
    const plain = plainSoftmax(z, y);
    expect(ulpDistance(loss.want[0]!, plain.loss, 'float64')).toBeLessThanOrEqual(1);
    grad.want.forEach((w, i) => expect(ulpDistance(w, plain.grad[i]!, 'float64')).toBeLessThanOrEqual(1));
  });

  test.prop([sparseCase('float64')], params)('sparse softmax cross-entropy', ([z, label]) => {
    const { loss, grad } = runSparse(z, label, 'float64');
    const plain = plainSoftmax(z, z.map((_, i) => (i === label ? 1 : 0)));
    expect(ulpDistance(loss.want[0]!, plain.loss, 'float64')).toBeLessThanOrEqual(1);
    grad.want.forEach((w, i) => expect(ulpDistance(w, plain.grad[i]!, 'float64')).toBeLessThanOrEqual(1));
  });
});

// fc is re-exported for custom arbitraries in this file's properties
void fc;
