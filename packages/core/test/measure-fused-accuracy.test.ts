// Measures the worst ULP error of the fused cross-entropy ops and their gradient ops against the
// 60-digit reference, per op, dtype and quantity, and prints the table (the numbers the project
// reports). Run alone with:
//   npx tsc -b && npx vitest run packages/core/test/measure-fused-accuracy.test.ts
// STABLEGRAD_MEASURE_RUNS sets the number of sampled cases per op and dtype (default 200; the
// typical-input table samples a quarter as many rows of 10).
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import {
  type FloatDType, roundTo, runSigmoid, runSoftmax, runSparse, sigmoidCase, softmax, softmaxCase, sparseCase, UlpRecorder,
} from './ops/cross-entropy-support.js';

const cases = Number(process.env.STABLEGRAD_MEASURE_RUNS ?? 200);
const dtypes: readonly FloatDType[] = ['float64', 'float32'];

/** Everyday inputs: logits in [-10, 10], soft or one-hot labels, rows of 10 classes. */
function typicalSoftmax(dtype: FloatDType): fc.Arbitrary<[number[], number[]]> {
  // uniform in [-10, 10] (fc.double would favour tiny and extreme values)
  const uniform = fc.integer({ min: -(2 ** 30), max: 2 ** 30 }).map((v) => roundTo((v / 2 ** 30) * 10, dtype));
  const row = fc.array(uniform, { minLength: 10, maxLength: 10 });
  return fc.tuple(row, fc.nat(9), fc.integer({ min: 0, max: 2 })).map(([z, t, mode]): [number[], number[]] => {
    const y = mode === 0 ? z.map((_, i) => (i === t ? 1 : 0)) : mode === 1 ? z.map((_, i) => (i === t ? 0.9 : 0) + 0.01) : softmax(z.map((v) => v / 2));
    return [z, y.map((v) => roundTo(v, dtype))];
  });
}

function measure(name: string, build: (dtype: FloatDType, recorder: UlpRecorder, seed: number) => string[]): void {
  it(name, () => {
    const recorder = new UlpRecorder();
    const failures = dtypes.flatMap((dtype, d) => build(dtype, recorder, 1000 + d));
    console.log(`${name} (max ULP vs 60-digit reference, ${cases} cases per op and dtype):\n${recorder.table()}\nworst cases:\n${recorder.worstCases()}`);
    expect(failures).toEqual([]);
  });
}

describe('fused cross-entropy accuracy', () => {
  measure('extreme and random inputs', (dtype, recorder, seed) => [
    ...fc.sample(sigmoidCase(dtype), { seed, numRuns: cases }).flatMap(([z, y]) => {
      const { loss, grad } = runSigmoid([z], [y], dtype);
      return [...recorder.check('sigmoidCE', 'loss', dtype, loss, { z, y }), ...recorder.check('sigmoidCE', 'grad', dtype, grad, { z, y })];
    }),
    ...fc.sample(softmaxCase(dtype), { seed, numRuns: cases }).flatMap(([z, y]) => {
      const { loss, grad } = runSoftmax(z, y, dtype);
      return [...recorder.check('softmaxCE', 'loss', dtype, loss, { z, y }), ...recorder.check('softmaxCE', 'grad', dtype, grad, { z, y })];
    }),
    ...fc.sample(sparseCase(dtype), { seed, numRuns: cases }).flatMap(([z, label]) => {
      const { loss, grad } = runSparse(z, label, dtype);
      return [...recorder.check('sparseCE', 'loss', dtype, loss, { z, label }), ...recorder.check('sparseCE', 'grad', dtype, grad, { z, label })];
    }),
  ]);

  measure('typical inputs (10 classes, logits in [-10, 10])', (dtype, recorder, seed) => {
    const n = Math.ceil(cases / 4);
    return fc.sample(typicalSoftmax(dtype), { seed, numRuns: n }).flatMap(([z, y]) => {
      const label = y.indexOf(Math.max(...y));
      const soft = runSoftmax(z, y, dtype);
      const sparse = runSparse(z, label, dtype);
      const sig = runSigmoid(z, y, dtype);
      return [
        ...recorder.check('softmaxCE', 'loss', dtype, soft.loss, { z, y }), ...recorder.check('softmaxCE', 'grad', dtype, soft.grad, { z, y }),
        ...recorder.check('sparseCE', 'loss', dtype, sparse.loss, { z, label }), ...recorder.check('sparseCE', 'grad', dtype, sparse.grad, { z, label }),
        ...recorder.check('sigmoidCE', 'loss', dtype, sig.loss, { z, y }), ...recorder.check('sigmoidCE', 'grad', dtype, sig.grad, { z, y }),
      ];
    });
  });
});
