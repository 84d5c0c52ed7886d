/**
 * The execution backends give what they promise: the compiled backend with `matmul: 'exact'`
 * trains to the interpreter's bits, the default SIMD matmul to within float32 summation error.
 */
import { dense, sequential, sparseCategoricalCrossentropy, adam, type Backend } from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { blobs, expectSameBits, SILENT } from './helpers.js';

// 40 features and 24 hidden units at batch 16: the products are above the SIMD threshold.
const DATA = blobs(64, 40, 4, 9);

async function train(backend: Backend, matmul: 'simd' | 'exact') {
  const m = sequential([dense({ units: 24, activation: 'relu' }), dense({ units: 4, activation: 'softmax' })], { inputShape: [40], seed: 3 });
  m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.01 }), metrics: ['accuracy'], backend, matmul });
  const history = await m.fit(DATA.x, DATA.y, { epochs: 3, batchSize: 16, ...SILENT });
  return { weights: m.getWeights(), history: history.history, prediction: m.predict(DATA.x) };
}

describe('backends', () => {
  it('interpreter and compiled with exact matmuls: the same bits, history and predictions included', async () => {
    const interpreted = await train('interpreter', 'exact');
    const compiled = await train('compiled', 'exact');
    expectSameBits(compiled.weights, interpreted.weights);
    expectSameBits([compiled.prediction], [interpreted.prediction]);
    expect(compiled.history).toEqual(interpreted.history);
  });

  it('the default SIMD matmul stays within float32 summation error of the interpreter', async () => {
    const interpreted = await train('interpreter', 'exact');
    const simd = await train('compiled', 'simd');
    interpreted.history.loss!.forEach((loss, i) => expect(Math.abs(simd.history.loss![i]! - loss)).toBeLessThanOrEqual(1e-4 * loss));
    simd.weights.forEach((w, i) => w.data.forEach((v, j) => expect(Math.abs(v - interpreted.weights[i]!.data[j]!)).toBeLessThanOrEqual(1e-4)));
  });
});
