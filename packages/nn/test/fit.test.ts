/**
 * `fit`, `evaluate` and `predict` on tiny models: the history's shape, learning on a separable
 * problem, bit-for-bit determinism by seed, batching and shuffling (seen through a metric that
 * records the labels of each batch), Keras' validation split (the last rows), losses and
 * predictions against forward passes computed by hand, and the TrainingError on a loss that
 * overflows.
 */
import { type Tensor, tensor } from '@stablegrad/core';
import {
  adam, binaryCrossentropy, dense, meanSquaredError, type Metric, sequential, sgd, sparseCategoricalCrossentropy, TrainingError,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { blobs, differ, expectClose, expectSameBits, f64, rejection, separable, SILENT, snapshot } from './helpers.js';

/** A metric that records the labels of every batch it sees (training batches, then validation). */
function labelRecorder(): { metric: Metric; batches: number[][] } {
  const batches: number[][] = [];
  return {
    batches,
    metric: { name: 'recorded', measure: (yTrue) => { batches.push(Array.from(yTrue.data)); return { sum: 0, count: 1 }; } },
  };
}

/** A regression model whose label is the row's index, so a batch's labels say which rows it holds. */
function indexedRegression(rows: number) {
  const x = Array.from({ length: rows }, (_, r) => [r / rows, 1 - r / rows]);
  const y = Array.from({ length: rows }, (_, r) => r);
  const recorder = labelRecorder();
  const m = sequential([dense({ units: 1 })], { inputShape: [2], seed: 3 });
  m.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 1e-4 }), metrics: [recorder.metric] });
  return { m, x, y, batches: recorder.batches };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);

describe('history', () => {
  it('has loss, accuracy, val_loss, val_accuracy per epoch, and the run\'s params', async () => {
    const { x, y } = blobs(30, 3, 3, 1);
    const m = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [3], seed: 1 });
    m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
    const history = await m.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.2, ...SILENT });
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.history.learning_rate).toEqual([0.05, 0.05, 0.05]);
    for (const values of Object.values(history.history)) {
      expect(values.length).toBe(3);
      expect(values.every(Number.isFinite)).toBe(true);
    }
    expect(history.epoch).toEqual([0, 1, 2]);
    // 30 rows, 20% held out: 24 to train on, in ceil(24 / 8) = 3 steps.
    expect(history.params).toEqual({ epochs: 3, batchSize: 8, samples: 24, steps: 3 });
    for (const a of [...history.history.accuracy!, ...history.history.val_accuracy!]) expect(a >= 0 && a <= 1).toBe(true);
  });

  it('without validation there are no val_ keys (the loss, and the learning rate)', async () => {
    const { x, y } = separable(10, 2, 1);
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 1 });
    m.compile({ loss: binaryCrossentropy(), optimizer: 'sgd' });
    const history = await m.fit(x, y, SILENT);
    expect(Object.keys(history.history)).toEqual(['loss', 'learning_rate']);
    expect(history.epoch).toEqual([0]); // Keras' default: one epoch
    expect(history.params.batchSize).toBe(32); // Keras' default batch size
  });
});

describe('learning', () => {
  it('the loss falls and the accuracy reaches 1 on a separable problem', async () => {
    const { x, y } = separable(40, 2, 2);
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 4 });
    m.compile({ loss: binaryCrossentropy(), optimizer: adam({ learningRate: 0.1 }), metrics: ['accuracy'] });
    const { history } = await m.fit(x, y, { epochs: 15, batchSize: 8, ...SILENT });
    const loss = history.loss!;
    expect(loss[14]!).toBeLessThan(loss[0]! / 3);
    expect(history.accuracy![14]).toBe(1);
    expect(m.evaluate(x, y).accuracy).toBe(1);
  });

  it('the first batch\'s logged loss is the loss at the initial weights', async () => {
    const { x, y } = separable(12, 2, 3);
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 4 });
    m.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.5 }) });
    const firstBatch = m.evaluate(x.slice(0, 4), y.slice(0, 4)).loss!;
    const seen: number[] = [];
    await m.fit(x, y, { batchSize: 4, shuffle: false, ...SILENT, callbacks: [{ onBatchEnd: (_b, logs) => { seen.push(logs.loss!); } }] });
    expectClose(seen[0]!, firstBatch, 1e-6);
  });
});

describe('determinism', () => {
  async function run(seed: number) {
    const { x, y } = blobs(24, 3, 3, 9);
    const m = sequential([dense({ units: 5, activation: 'relu' }), dense({ units: 3, activation: 'softmax' })], { inputShape: [3], seed });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
    const history = await m.fit(x, y, { epochs: 3, batchSize: 5, validationSplit: 0.25, ...SILENT });
    return { history: history.history, weights: m.getWeights() };
  }

  it('the same seed gives the same history and weights, bit for bit', async () => {
    const [a, b] = [await run(21), await run(21)];
    expect(a.history).toEqual(b.history);
    Object.entries(a.history).forEach(([key, values]) => values.forEach((v, i) => expect(Object.is(v, b.history[key]![i])).toBe(true)));
    expectSameBits(a.weights, b.weights);
  });

  it('a different seed gives a different run', async () => {
    const [a, b] = [await run(21), await run(22)];
    expect(differ(a.weights, b.weights)).toBe(true);
    expect(a.history.loss).not.toEqual(b.history.loss);
  });
});

describe('batches and shuffling', () => {
  it('shuffle: false takes the rows in order, with a last partial batch', async () => {
    const { m, x, y, batches } = indexedRegression(10);
    const history = await m.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, ...SILENT });
    expect(history.params.steps).toBe(3);
    const epoch = [range(0, 4), range(4, 8), range(8, 10)];
    expect(batches).toEqual([...epoch, ...epoch]);
  });

  it('shuffle: true (the default) visits every row once per epoch, in a new order each epoch', async () => {
    const { m, x, y, batches } = indexedRegression(12);
    await m.fit(x, y, { epochs: 3, batchSize: 5, ...SILENT });
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2, 5, 5, 2, 5, 5, 2]);
    const epochs = [0, 1, 2].map((e) => batches.slice(3 * e, 3 * e + 3).flat());
    for (const order of epochs) expect(sorted(order)).toEqual(range(0, 12));
    expect(epochs[0]).not.toEqual(range(0, 12));
    expect(epochs[1]).not.toEqual(epochs[0]);
    expect(epochs[2]).not.toEqual(epochs[1]);
  });

  it('a second fit call does not repeat the first one\'s shuffles', async () => {
    const { m, x, y, batches } = indexedRegression(12);
    await m.fit(x, y, { batchSize: 12, ...SILENT });
    await m.fit(x, y, { batchSize: 12, ...SILENT });
    expect(batches[1]).not.toEqual(batches[0]);
  });

  it.each([false, true])('validationSplit holds out the LAST rows, before any shuffling (shuffle %s)', async (shuffle) => {
    const { m, x, y, batches } = indexedRegression(10);
    const history = await m.fit(x, y, { epochs: 2, batchSize: 3, shuffle, validationSplit: 0.3, ...SILENT });
    // 10 rows, 30% held out: rows 0-6 train in 3 batches, rows 7-9 validate (one batch).
    expect(history.params.samples).toBe(7);
    for (let e = 0; e < 2; e++) {
      const epoch = batches.slice(4 * e, 4 * e + 4);
      expect(sorted(epoch.slice(0, 3).flat())).toEqual(range(0, 7));
      expect(epoch[3]).toEqual([7, 8, 9]);
    }
  });
});

// A float64 two-layer model with known weights: relu hidden layer, softmax output.
const W1 = [[0.5, -0.25, 1], [-1, 0.75, 0.5]];
const B1 = [0.1, 0, -0.2];
const W2 = [[1, -1], [0.5, 2], [-1.5, 0.25]];
const B2 = [0.05, -0.05];
const X = [[1, 2], [-0.5, 0.3], [2, -1], [0, 0], [1.5, 1.5]];
const Y = [1, 0, 0, 1, 1];

/** The forward pass by hand: logits of each row. */
function logits(x: readonly number[]): number[] {
  const h = B1.map((b, j) => Math.max(0, b + x[0]! * W1[0]![j]! + x[1]! * W1[1]![j]!));
  return B2.map((b, k) => b + h.reduce((s, hj, j) => s + hj * W2[j]![k]!, 0));
}
const logSumExp = (z: readonly number[]) => Math.max(...z) + Math.log(z.reduce((s, v) => s + Math.exp(v - Math.max(...z)), 0));

function knownModel(dtype: 'float32' | 'float64') {
  const m = sequential([dense({ units: 3, activation: 'relu' }), dense({ units: 2, activation: 'softmax' })], { inputShape: [2], dtype, seed: 1 });
  const t = (values: number[] | number[][]): Tensor => tensor(values, { dtype });
  m.setWeights([t(W1), t(B1), t(W2), t(B2)]);
  m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: 'sgd', metrics: ['accuracy'] });
  return m;
}

describe('evaluate and predict against a forward pass by hand', () => {
  const expectedLoss = X.reduce((s, x, r) => s + logSumExp(logits(x)) - logits(x)[Y[r]!]!, 0) / X.length;
  const expectedAccuracy = X.filter((x, r) => {
    const z = logits(x);
    return (z[1]! > z[0]! ? 1 : 0) === Y[r];
  }).length / X.length;

  it('evaluate: the mean cross-entropy and the accuracy (float64)', () => {
    const result = knownModel('float64').evaluate(X, Y);
    expectClose(result.loss!, expectedLoss, 1e-13);
    expect(result.accuracy).toBe(expectedAccuracy);
  });

  it('evaluate in float32 agrees to float32 precision, whatever the batch size', () => {
    const m = knownModel('float32');
    expectClose(m.evaluate(X, Y).loss!, expectedLoss, 1e-6);
    expectClose(m.evaluate(X, Y, { batchSize: 2 }).loss!, expectedLoss, 1e-6);
  });

  it('predict returns the softmax probabilities: rows sum to 1 and match the hand pass', () => {
    const p = knownModel('float64').predict(X);
    expect(p.shape).toEqual([5, 2]);
    X.forEach((x, r) => {
      const z = logits(x);
      const row = [p.data[2 * r]!, p.data[2 * r + 1]!];
      expectClose(row[0]! + row[1]!, 1, 1e-15);
      z.forEach((zk, k) => expectClose(row[k]!, Math.exp(zk - logSumExp(z)), 1e-13, `row ${r}, class ${k}`));
    });
  });

  it('predict in batches gives the same bits as one batch', () => {
    const m = knownModel('float32');
    expectSameBits([m.predict(X, { batchSize: 2 })], [m.predict(X)]);
    expect(m.predict(X).data).toBeInstanceOf(Float32Array);
  });
});

describe('TrainingError when the loss stops being finite', () => {
  it('names the epoch and batch, and leaves the weights of before the bad batch', async () => {
    // A learning rate of 1e30 sends the weights to ~1e30 after the first batch; the next batch's
    // squared error is ~1e60, beyond float32: Infinity.
    const x = Array.from({ length: 8 }, (_, r) => [1 + r / 8]);
    const y = Array.from({ length: 8 }, (_, r) => 2 - r / 8);
    const m = sequential([dense({ units: 1 })], { inputShape: [1], seed: 2 });
    m.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 1e30 }) });
    let afterLastGoodBatch: number[][] = snapshot(m.getWeights());
    let goodBatches = 0;
    const error = await rejection(m.fit(x, y, {
      epochs: 3, batchSize: 2, ...SILENT,
      callbacks: [{ onBatchEnd: (_batch, _logs, model) => { afterLastGoodBatch = snapshot(model.getWeights()); goodBatches++; } }],
    }));
    expect(error).toBeInstanceOf(TrainingError);
    expect(goodBatches).toBeGreaterThanOrEqual(1);
    expect(goodBatches).toBeLessThan(4); // it failed in the first epoch
    expect(error.message).toMatch(new RegExp(`^the (loss|gradient of '.*') became (NaN|Infinity|-Infinity).* at epoch 1, batch ${goodBatches + 1} `));
    expect(error.message).toMatch(/the weights are those before this batch/);
    expectSameBits(m.getWeights(), afterLastGoodBatch);
    expect(m.getWeights().every((w) => w.data.every(Number.isFinite))).toBe(true);
  });

  it('an update that steps the weights beyond float32 stops training at once, naming the param', async () => {
    // Finite loss and gradients, but lr 1e39 times a gradient of order 1 is beyond float32's 3.4e38.
    const x = Array.from({ length: 4 }, (_, r) => [1 + r / 4]);
    const y = Array.from({ length: 4 }, (_, r) => 2 - r / 4);
    const m = sequential([dense({ units: 1 })], { inputShape: [1], seed: 2 });
    m.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 1e39 }) });
    const error = await rejection(m.fit(x, y, { epochs: 1, batchSize: 4, ...SILENT }));
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.message).toMatch(/^the update at epoch 1, batch 1 made 'dense_1\/(kernel|bias)' -?Infinity/);
  });

  it('the same run in float64 has the headroom to stay finite', async () => {
    const x = Array.from({ length: 8 }, (_, r) => [1 + r / 8]);
    const y = Array.from({ length: 8 }, (_, r) => 2 - r / 8);
    const m = sequential([dense({ units: 1 })], { inputShape: [1], dtype: 'float64', seed: 2 });
    m.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 1e30 }) });
    const history = await m.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, ...SILENT });
    expect(Number.isFinite(history.history.loss![0])).toBe(true);
  });
});

describe('the hand-built model helper', () => {
  it('really has the weights the hand pass uses', () => {
    expectSameBits(knownModel('float64').getWeights(), [f64(W1), tensor(B1, { dtype: 'float64' }), f64(W2), tensor(B2, { dtype: 'float64' })]);
  });
});
