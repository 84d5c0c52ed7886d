/**
 * Bad data and misuse are caught before a step runs: a `DataError` naming the argument and the
 * row (and feature), or a `ModelError` for options and order of calls; either way the weights
 * and the optimizer state are untouched.
 */
import { tensor, type TensorLike } from '@stablegrad/core';
import {
  binaryCrossentropy, categoricalCrossentropy, DataError, dense, type FitOptions, meanSquaredError, ModelError, sequential, type Sequential,
  sparseCategoricalCrossentropy,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { expectSameBits, rejection, SILENT, snapshot, thrown } from './helpers.js';

const X = [[0, 1], [1, 0], [1, 1], [0, 0], [0.5, 0.5]];

function sparseModel(classes = 10): Sequential {
  const m = sequential([dense({ units: classes, activation: 'softmax' })], { inputShape: [2], seed: 1 });
  m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}
function binaryModel(): Sequential {
  const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 1 });
  m.compile({ loss: binaryCrossentropy(), optimizer: 'sgd' });
  return m;
}
function categoricalModel(): Sequential {
  const m = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 1 });
  m.compile({ loss: categoricalCrossentropy(), optimizer: 'sgd' });
  return m;
}

/** fit must reject with `kind` and a message matching `message`, leaving the model as it was. */
async function expectFitRejected(
  m: Sequential, x: TensorLike, y: TensorLike, options: FitOptions, kind: typeof DataError | typeof ModelError, message: RegExp,
): Promise<void> {
  const before = snapshot(m.getWeights());
  const error = await rejection(m.fit(x, y, { ...SILENT, epochs: 2, ...options }));
  expect(error).toBeInstanceOf(kind);
  expect(error.message).toMatch(message);
  expectSameBits(m.getWeights(), before);
  expect(m.compiled?.state.iterations ?? 0).toBe(0);
}

describe('DataError before training, naming the argument and the row', () => {
  it('x and y row counts differ', async () => {
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3], {}, DataError, /^x has 5 rows but y has 4; they must have one row per example/);
  });

  it('a wrong feature count', async () => {
    await expectFitRejected(sparseModel(), [[1, 2, 3], [4, 5, 6]], [0, 1], {}, DataError, /x has shape \[2, 3\], but the model expects \[rows, 2\]/);
  });

  it('a flat typed array that is not a whole number of rows', async () => {
    await expectFitRejected(sparseModel(), Float32Array.of(1, 2, 3), [0], {}, DataError, /x is a flat array of 3 numbers, not a whole number of rows of 2 features/);
  });

  it.each([
    [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
  ])('%s in x names the row and the feature', async (bad, shown) => {
    const x = X.map((row) => [...row]);
    x[3]![1] = bad;
    await expectFitRejected(sparseModel(), x, [0, 1, 2, 3, 4], {}, DataError, new RegExp(`^x row 3, feature 1: ${shown} is not a finite number`));
  });

  it.each([
    ['10 with 10 classes', 10, 'label 10 is not a class index in \\[0, 10\\)'],
    ['-1', -1, 'label -1 is not a class index'],
    ['1.5', 1.5, 'label 1.5 is not a class index'],
  ])('sparse label %s', async (_name, bad, message) => {
    await expectFitRejected(sparseModel(), X, [0, 1, 2, bad, 4], {}, DataError, new RegExp(`^y row 3: ${message}.*sparseCategoricalCrossentropy`));
  });

  it('binary label 2', async () => {
    await expectFitRejected(binaryModel(), X, [0, 1, 2, 1, 0], {}, DataError, /^y row 2: 2 is not a binary label in \[0, 1\]/);
  });

  it('categorical label 1.5', async () => {
    const y = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1.5, 0]];
    await expectFitRejected(categoricalModel(), X, y, {}, DataError, /^y row 4: 1.5 is not a class probability in \[0, 1\]/);
  });

  it('a NaN regression target', async () => {
    const m = sequential([dense({ units: 1 })], { inputShape: [2], seed: 1 });
    m.compile({ loss: meanSquaredError(), optimizer: 'sgd' });
    await expectFitRejected(m, X, [0, 1, NaN, 1, 0], {}, DataError, /^y row 2: NaN is not a finite number/);
  });

  it('ragged nested arrays in x and in y', async () => {
    await expectFitRejected(sparseModel(), [[0, 1], [1], [1, 1]], [0, 1, 2], {}, DataError, /^x: /);
    await expectFitRejected(categoricalModel(), [[0, 1], [1, 0]], [[1, 0, 0], [0, 1]], {}, DataError, /^y: /);
  });

  it('one-hot labels for a sparse loss get a hint to use categoricalCrossentropy', async () => {
    const oneHot = [0, 1, 2, 0, 1].map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
    await expectFitRejected(sparseModel(3), X, oneHot, {}, DataError, /y has shape \[5, 3\].*\[rows\] \(class indices\); for one-hot labels use categoricalCrossentropy/);
  });

  it('labels of the wrong width for a categorical loss', async () => {
    await expectFitRejected(categoricalModel(), X, [[0, 1], [1, 0], [0, 1], [1, 0], [0, 1]], {}, DataError, /y has shape \[5, 2\], but categoricalCrossentropy with 3 output units expects \[rows, 3\]/);
    // One class index per row: the error says so.
    await expectFitRejected(categoricalModel(), X, [0, 1, 2, 0, 1], {}, DataError, /y looks like 5 class indices, but categoricalCrossentropy expects \[rows, 3\]/);
  });

  it('validationData with a bad row names validationData[0] or [1]', async () => {
    const bad = X.map((row) => [...row]);
    bad[1]![0] = NaN;
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3, 4], { validationData: [bad, [0, 1, 2, 3, 4]] }, DataError, /^validationData\[0\] row 1, feature 0: NaN/);
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3, 4], { validationData: [X, [0, 1, 2, 3, 11]] }, DataError, /^validationData\[1\] row 4: label 11/);
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3, 4], { validationData: [X, [0, 1]] }, DataError, /^validationData\[0\] has 5 rows but validationData\[1\] has 2/);
  });

  it('no rows at all', async () => {
    await expectFitRejected(sparseModel(), tensor(new Float32Array(0), { shape: [0, 2] }), tensor(new Int32Array(0), { shape: [0] }), {}, DataError, /x has no rows/);
  });

  it('evaluate and predict check their data too', () => {
    const m = sparseModel();
    expect(thrown(() => m.evaluate(X, [0, 1, 2, 3, 10]))).toBeInstanceOf(DataError);
    const error = thrown(() => m.predict([[1, 2, 3]]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(/^x has shape \[1, 3\]/);
  });
});

describe('ModelError for options and order of calls', () => {
  it.each([1, 1.5, -0.1, NaN])('validationSplit %s is outside (0, 1)', async (split) => {
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3, 4], { validationSplit: split }, ModelError, /validationSplit must be in \(0, 1\)/);
  });

  it('a validationSplit that leaves no row to train on', async () => {
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3, 4], { validationSplit: 0.9 }, ModelError, /validationSplit 0.9 of 5 rows leaves 0 to train on/);
  });

  it('validationSplit and validationData together', async () => {
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3, 4], { validationSplit: 0.2, validationData: [X, [0, 1, 2, 3, 4]] }, ModelError, /give validationSplit or validationData, not both/);
  });

  it.each([['epochs', 0], ['epochs', 1.5], ['batchSize', 0], ['batchSize', -4]] as const)('%s %s', async (name, value) => {
    await expectFitRejected(sparseModel(), X, [0, 1, 2, 3, 4], { [name]: value }, ModelError, new RegExp(`fit: ${name} must be a positive integer, got ${value}`));
  });

  it('fit and evaluate before compile', async () => {
    const m = sequential([dense({ units: 2, activation: 'softmax' })], { inputShape: [2], seed: 1 });
    const before = snapshot(m.getWeights());
    const error = await rejection(m.fit(X, [0, 1, 0, 1, 0], SILENT));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/^fit: the model is not compiled; call model.compile/);
    const evaluateError = thrown(() => m.evaluate(X, [0, 1, 0, 1, 0]));
    expect(evaluateError).toBeInstanceOf(ModelError);
    expect(evaluateError.message).toMatch(/^evaluate: the model is not compiled/);
    expect(thrown(() => m.explain())).toBeInstanceOf(ModelError);
    expectSameBits(m.getWeights(), before);
  });

  it('predict with a bad batchSize', () => {
    expect(thrown(() => sparseModel().predict(X, { batchSize: 0 }))).toBeInstanceOf(ModelError);
  });
});

describe('accepted data forms give the same results', () => {
  it('nested arrays, a flat typed array, a tensor; labels as arrays, Int32Array or [rows, 1]', () => {
    const m = sparseModel(3);
    const labels = [0, 1, 2, 0, 1];
    const reference = m.evaluate(X, labels).loss!;
    const flat = Float32Array.from(X.flat());
    expect(m.evaluate(flat, labels).loss).toBe(reference);
    expect(m.evaluate(tensor(flat, { shape: [5, 2] }), Int32Array.from(labels)).loss).toBe(reference);
    expect(m.evaluate(X, labels.map((l) => [l])).loss).toBe(reference);
    expect(m.evaluate(tensor(X, { dtype: 'float64' }), labels).loss).toBe(reference);
  });

  it('binary labels as [rows] for a one-unit model', () => {
    const m = binaryModel();
    expect(m.evaluate(X, [0, 1, 1, 0, 1]).loss).toBe(m.evaluate(X, [[0], [1], [1], [0], [1]]).loss);
  });
});

describe('hints for likely mistakes', () => {
  it('class indices given flat to categoricalCrossentropy: the error says what they look like', async () => {
    const m = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 1 });
    m.compile({ loss: categoricalCrossentropy(), optimizer: 'adam' });
    const error = await rejection(m.fit([[0, 1], [1, 0], [1, 1]], Int32Array.from([0, 2, 1]), SILENT));
    expect(error.message).toBe('y looks like 3 class indices, but categoricalCrossentropy expects [rows, 3]: use sparseCategoricalCrossentropy, or one-hot labels');
  });

  it('a finite feature that overflows float32 is reported as such, with the value given', async () => {
    const m = sequential([dense({ units: 1 })], { inputShape: [2], seed: 1 });
    m.compile({ loss: meanSquaredError(), optimizer: 'sgd' });
    const error = await rejection(m.fit([[0, 1], [1e39, 0]], [1, 2], SILENT));
    expect(error.message).toBe('x row 1, feature 0: 1e+39 overflows float32');
  });

  it('Python spellings of loss, metric and optimizer names get a did-you-mean', () => {
    const m = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 1 });
    expect(() => m.compile({ loss: 'sparse_categorical_crossentropy' as 'binaryCrossentropy', optimizer: 'adam' })).toThrow(/did you mean 'sparseCategoricalCrossentropy'\?/);
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'Adam' as 'adam' })).toThrow(/did you mean 'adam'\?/);
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', metrics: ['acc' as 'accuracy'] })).toThrow(/did you mean 'accuracy'\?/);
  });
});
