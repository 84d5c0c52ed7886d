// The accuracy contract of the fused cross-entropy ops, as seeded properties: over random and
// extreme inputs in both float dtypes, losses are within 4 ULP (float64) / 2 ULP (float32) of the
// 60-digit reference, gradient ops within 8 ULP wherever the true value is a normal number, and
// nothing is Infinity or NaN where the true value is finite. The references themselves are
// checked against the textbook formulas evaluated with as many digits as they need.
import { afterAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { type FloatDType, propertyRuns, ulpDistance } from '@stablegrad/testing';
import {
  plainSigmoid, plainSoftmax, runSigmoid, runSoftmax, runSparse, sigmoidCase, softmaxCase, sparseCase, UlpRecorder,
} from './cross-entropy-support.js';

const runs = propertyRuns();

const recorder = new UlpRecorder();
const dtypes: readonly FloatDType[] = ['float64', 'float32'];

afterAll(() => {
  console.log(`fused cross-entropy accuracy (max ULP vs 60-digit reference):\n${recorder.table()}`);
});

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

  test.prop([sparseCase('float64')], params)('sparse softmax cross-entropy', ([z, label]) => {
    const { loss, grad } = runSparse(z, label, 'float64');
    const plain = plainSoftmax(z, z.map((_, i) => (i === label ? 1 : 0)));
    expect(ulpDistance(loss.want[0]!, plain.loss, 'float64')).toBeLessThanOrEqual(1);
    grad.want.forEach((w, i) => expect(ulpDistance(w, plain.grad[i]!, 'float64')).toBeLessThanOrEqual(1));
  });
});

// fc is re-exported for custom arbitraries in this file's properties
void fc;
