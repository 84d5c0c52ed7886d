/**
 * The step-level API, for loops written by hand (the PyTorch habit) and for tests:
 * `trainOnBatch`, `testOnBatch`, `predictOnBatch`, `computeGradients` and
 * `model.optimizer.apply` / `.learningRate`; `fit`'s `batchOrder`; and `onBatchEnd` receiving the
 * batch's own loss. Gradients and updates are checked against a linear regression done by hand;
 * the pieces are checked against each other bit for bit (a loop of `trainOnBatch` is `fit` with
 * the same batch order; `computeGradients` + `apply` is `trainOnBatch`).
 */
import { tensor } from '@stablegrad/core';
import {
  adam, DataError, dense, type Logs, meanSquaredError, type Metric, ModelError, sequential, sgd, sparseCategoricalCrossentropy, TrainingError,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { blobs, expectClose, expectSameBits, rejection, snapshot, thrown } from './helpers.js';

// y = w x + b with known weights, mean squared error: dL/dw = 2/N sum (w x + b - y) x, dL/db = 2/N sum (w x + b - y).
const X = [[1], [2], [-1], [0.5], [3], [-2]];
const Y = [[3], [-1], [2], [0], [1], [0.5]];
function linear(optimizer = sgd({ learningRate: 0.1 })) {
  const m = sequential([dense({ units: 1 })], { inputShape: [1], dtype: 'float64', seed: 1 });
  m.setWeights([[[0.7]], [-0.2]]);
  m.compile({ loss: meanSquaredError(), optimizer });
  return m;
}
function byHand(w: number, b: number, rows: readonly number[]): { loss: number; dw: number; db: number } {
  let [loss, dw, db] = [0, 0, 0];
  for (const r of rows) {
    const residual = w * X[r]![0]! + b - Y[r]![0]!;
    loss += residual ** 2 / rows.length;
    dw += (2 / rows.length) * residual * X[r]![0]!;
    db += (2 / rows.length) * residual;
  }
  return { loss, dw, db };
}
const rowsOf = <T>(data: readonly T[], rows: readonly number[]) => rows.map((r) => data[r]!);

const CLASSES = blobs(12, 3, 3, 4);
function classifier() {
  const m = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 3, activation: 'softmax' })], { inputShape: [3], seed: 9 });
  m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
  return m;
}

describe('computeGradients', () => {
  it('is the gradient of the batch\'s loss, by hand, and changes nothing', () => {
    const m = linear();
    const { loss, gradients } = m.computeGradients(rowsOf(X, [0, 2, 4]), rowsOf(Y, [0, 2, 4]));
    const expected = byHand(0.7, -0.2, [0, 2, 4]);
    expectClose(loss, expected.loss, 1e-14, 'loss');
    expect(gradients.map((g) => g.shape)).toEqual([[1, 1], [1]]);
    expectClose(gradients[0]!.data[0]!, expected.dw, 1e-14, 'dw');
    expectClose(gradients[1]!.data[0]!, expected.db, 1e-14, 'db');
    expectSameBits(m.getWeights(), [[0.7], [-0.2]]);
    expect(m.optimizer.iterations).toBe(0);
  });

  it('returns copies: a later call does not change an earlier result', () => {
    const m = linear();
    const first = m.computeGradients(rowsOf(X, [0]), rowsOf(Y, [0]));
    const before = snapshot(first.gradients);
    m.computeGradients(rowsOf(X, [1, 3]), rowsOf(Y, [1, 3]));
    expectSameBits(first.gradients, before);
  });

  it('weights rows by sampleWeight as fit does: sum(w l) / rows', () => {
    const m = linear();
    const weighted = m.computeGradients(rowsOf(X, [0, 1]), rowsOf(Y, [0, 1]), { sampleWeight: [2, 0] });
    const first = byHand(0.7, -0.2, [0]);
    expectClose(weighted.loss, first.loss, 1e-14); // (2 l0 + 0 l1) / 2
    expectClose(weighted.gradients[0]!.data[0]!, first.dw, 1e-14);
  });
});

describe('model.optimizer.apply', () => {
  it('computeGradients + apply is trainOnBatch, bit for bit, and each counts a step', () => {
    const [a, b] = [classifier(), classifier()];
    for (const rows of [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]) {
      const { gradients } = a.computeGradients(rowsOf(CLASSES.x, rows), rowsOf(CLASSES.y, rows));
      a.optimizer.apply(gradients);
      b.trainOnBatch(rowsOf(CLASSES.x, rows), rowsOf(CLASSES.y, rows));
    }
    expectSameBits(a.getWeights(), b.getWeights());
    expect([a.optimizer.iterations, b.optimizer.iterations]).toEqual([3, 3]);
  });

  it('applies gradients computed any way: sgd by hand', () => {
    const m = linear();
    m.optimizer.apply([tensor([[0.5]], { dtype: 'float64' }), Float64Array.of(-1)]);
    expectSameBits(m.getWeights(), [[0.7 - 0.1 * 0.5], [-0.2 + 0.1]]);
  });

  it('checks count, shapes and dtypes (ModelError) and finiteness (TrainingError) before changing anything', () => {
    const m = linear();
    const before = snapshot(m.getWeights());
    const cases: [unknown, typeof ModelError | typeof TrainingError, RegExp][] = [
      [[Float64Array.of(1)], ModelError, /optimizer.apply: expected 2 gradients \(dense_1\/kernel, dense_1\/bias\), got 1/],
      [[tensor([[1, 2]], { dtype: 'float64' }), Float64Array.of(1)], ModelError, /the gradient of 'dense_1\/kernel' must be \[1, 1\] float64, got \[1, 2\] float64/],
      [[Float32Array.of(1), Float64Array.of(1)], ModelError, /the gradient of 'dense_1\/kernel' must be a tensor or a Float64Array of 1 values \(\[1, 1\] float64\), got a Float32Array of 1 values/],
      [[[1], Float64Array.of(1)], ModelError, /must be a tensor or a Float64Array .*got an array/],
      ['gradients', ModelError, /expected 2 gradients .*got string/],
      [[Float64Array.of(1), Float64Array.of(NaN)], TrainingError, /the gradient of 'dense_1\/bias' is NaN \(element 0\) given to optimizer.apply; the weights are unchanged/],
    ];
    for (const [gradients, type, message] of cases) {
      const error = thrown(() => m.optimizer.apply(gradients as never));
      expect(error).toBeInstanceOf(type);
      expect(error.message).toMatch(message);
    }
    expectSameBits(m.getWeights(), before);
    expect(m.optimizer.iterations).toBe(0);
    // A finite gradient that steps a weight out of range is named too.
    m.optimizer.learningRate = 1e10;
    const error = thrown(() => m.optimizer.apply([Float64Array.of(-1e300), Float64Array.of(0)]));
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.message).toMatch(/^the update by optimizer.apply made 'dense_1\/kernel' Infinity \(element 0\): the step was too large for float64/);
  });

  it('the learning rate can be read and set; the next steps use the new rate', () => {
    const m = linear();
    expect(m.optimizer.learningRate).toBe(0.1);
    m.optimizer.learningRate = 0.03;
    m.trainOnBatch(rowsOf(X, [0, 1]), rowsOf(Y, [0, 1]));
    const { dw, db } = byHand(0.7, -0.2, [0, 1]);
    expectSameBits(m.getWeights(), [[0.7 - 0.03 * dw], [-0.2 - 0.03 * db]]);
    expect(m.compiled!.state.learningRate).toBe(0.03);
    for (const bad of [0, -1, NaN, Infinity, '0.1']) {
      const error = thrown(() => { m.optimizer.learningRate = bad as number; });
      expect(error).toBeInstanceOf(ModelError);
      expect(error.message).toMatch(/optimizer: learningRate must be a number in \(0, Infinity\)/);
    }
    expect(m.optimizer.learningRate).toBe(0.03);
  });

  it('needs a compiled model, and waits for a running fit', async () => {
    const bare = sequential([dense({ units: 1 })], { inputShape: [1] });
    expect(thrown(() => bare.optimizer).message).toMatch(/optimizer: the model is not compiled/);
    const m = linear();
    const running = m.fit(X, Y, { epochs: 2, batchSize: 1, verbose: 0 });
    expect(thrown(() => m.optimizer.apply([Float64Array.of(0), Float64Array.of(0)])).message).toMatch(/optimizer.apply: the model is training/);
    expect(thrown(() => m.trainOnBatch(X, Y)).message).toMatch(/trainOnBatch: the model is training/);
    await running;
    m.trainOnBatch(X, Y);
  });
});

describe('trainOnBatch, testOnBatch, predictOnBatch', () => {
  it('trainOnBatch: the loss before the update, then one sgd step, by hand', () => {
    const m = linear();
    const logs = m.trainOnBatch(rowsOf(X, [1, 3, 5]), rowsOf(Y, [1, 3, 5]));
    const { loss, dw, db } = byHand(0.7, -0.2, [1, 3, 5]);
    expect(Object.keys(logs)).toEqual(['loss']);
    expectClose(logs.loss!, loss, 1e-14);
    const [kernel, bias] = m.getWeights();
    expectClose(kernel!.data[0]!, 0.7 - 0.1 * dw, 1e-15);
    expectClose(bias!.data[0]!, -0.2 - 0.1 * db, 1e-15);
  });

  it('a loop of trainOnBatch is fit with the same batch order, bit for bit, and onBatchEnd gets what trainOnBatch returns', async () => {
    const order = [5, 0, 11, 3, 7, 2, 9, 1, 10, 4, 8, 6];
    const [looped, fitted] = [classifier(), classifier()];
    const returned: Logs[] = [];
    for (let start = 0; start < order.length; start += 5) {
      const rows = order.slice(start, start + 5);
      returned.push(looped.trainOnBatch(rowsOf(CLASSES.x, rows), rowsOf(CLASSES.y, rows)));
    }
    const seen: Logs[] = [];
    const { history } = await fitted.fit(CLASSES.x, CLASSES.y, { batchSize: 5, batchOrder: [order], verbose: 0, callbacks: [{ onBatchEnd: (_b, logs) => { seen.push(logs); } }] });
    expectSameBits(fitted.getWeights(), looped.getWeights());
    expect(seen).toEqual(returned.map((logs) => ({ ...logs, learning_rate: 0.05 })));
    // The epoch's loss is the rows-weighted mean of the batches' (5, 5 and 2 rows).
    expectClose(history.loss![0]!, (5 * returned[0]!.loss! + 5 * returned[1]!.loss! + 2 * returned[2]!.loss!) / 12, 1e-15);
  });

  it('onBatchEnd gets the batch\'s own loss, not the epoch\'s running mean', async () => {
    const m = linear();
    const seen: number[] = [];
    await m.fit(X, Y, { batchSize: 2, shuffle: false, verbose: 0, callbacks: [{ onBatchEnd: (_b, logs) => { seen.push(logs.loss!); } }] });
    const reference = linear();
    const own = [[0, 1], [2, 3], [4, 5]].map((rows) => {
      const loss = reference.testOnBatch(rowsOf(X, rows), rowsOf(Y, rows)).loss!;
      reference.trainOnBatch(rowsOf(X, rows), rowsOf(Y, rows));
      return loss;
    });
    own.forEach((loss, i) => expectClose(seen[i]!, loss, 1e-14, `batch ${i}`));
    expect(Math.abs(seen[1]! - (own[0]! + own[1]!) / 2)).toBeGreaterThan(1e-3);
  });

  it('testOnBatch is evaluate on one batch; predictOnBatch is predict', () => {
    const m = classifier();
    const rows = [1, 4, 6, 9];
    const tested = m.testOnBatch(rowsOf(CLASSES.x, rows), rowsOf(CLASSES.y, rows));
    expect(tested).toEqual(m.evaluate(rowsOf(CLASSES.x, rows), rowsOf(CLASSES.y, rows)));
    expect(Object.keys(tested)).toEqual(['loss', 'accuracy']);
    expectSameBits([m.predictOnBatch(CLASSES.x)], [m.predict(CLASSES.x)]);
    expect(m.optimizer.iterations).toBe(0);
  });

  it('a loss that is not finite is a TrainingError, and nothing changes; bad data is a DataError', () => {
    const m = linear();
    const before = snapshot(m.getWeights());
    const error = thrown(() => m.trainOnBatch([[1e200]], [[0]]));
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.message).toMatch(/^the loss became Infinity in trainOnBatch; it starts at square 'loss\/square' .* gave Infinity .* from finite input 7e\+199; training stopped; the weights are those before this batch/);
    expectSameBits(m.getWeights(), before);
    expect(m.optimizer.iterations).toBe(0);
    expect(thrown(() => m.trainOnBatch([[1], [2]], [[1]]))).toBeInstanceOf(DataError);
    expect(thrown(() => m.trainOnBatch(X, Y, { sample_weight: [1] } as never)).message).toMatch(/trainOnBatch: unknown option 'sample_weight' \(did you mean 'sampleWeight'\?\)/);
    expect(thrown(() => sequential([dense({ units: 1 })], { inputShape: [1] }).trainOnBatch(X, Y)).message).toMatch(/trainOnBatch: the model is not compiled/);
  });
});

/** A metric that records the labels of every batch it sees (a regression's labels are row numbers). */
function rowRecorder(): { metric: Metric; batches: number[][] } {
  const batches: number[][] = [];
  return { batches, metric: { name: 'rows', measure: (yTrue) => { batches.push(Array.from(yTrue.data)); return { sum: 0, count: 1 }; } } };
}

describe('fit\'s batchOrder', () => {
  const x = Array.from({ length: 7 }, (_, r) => [r / 7]);
  const y = Array.from({ length: 7 }, (_, r) => r);
  const recorded = () => {
    const recorder = rowRecorder();
    const m = sequential([dense({ units: 1 })], { inputShape: [1], seed: 2 });
    m.compile({ loss: 'meanSquaredError', optimizer: sgd({ learningRate: 1e-3 }), metrics: [recorder.metric] });
    return { m, batches: recorder.batches };
  };

  it('takes each epoch\'s rows in the order given, batched by batchSize; rows may repeat or be left out', async () => {
    const { m, batches } = recorded();
    const { params } = await m.fit(x, y, { epochs: 2, batchSize: 3, batchOrder: [[6, 5, 4, 3, 2, 1, 0], [2, 2, 0]], verbose: 0 });
    expect(batches).toEqual([[6, 5, 4], [3, 2, 1], [0], [2, 2, 0]]);
    expect(params).toEqual({ epochs: 2, batchSize: 3, samples: 7, steps: 3 });
  });

  it('a function is called once per epoch with the epoch, as a sampler', async () => {
    const { m, batches } = recorded();
    const asked: number[] = [];
    await m.fit(x, y, { epochs: 3, batchSize: 7, batchOrder: (epoch) => { asked.push(epoch); return [epoch, 6 - epoch]; }, verbose: 0 });
    expect(asked).toEqual([0, 1, 2]);
    expect(batches).toEqual([[0, 6], [1, 5], [2, 4]]);
  });

  it('indices refer to the training rows after validationSplit', async () => {
    const { m } = recorded();
    const error = await rejection(m.fit(x, y, { validationSplit: 0.3, batchOrder: [[0, 5]], verbose: 0 }));
    // 7 rows, 30% held out: floor(7 * 0.7) = 4 train, rows 0 to 3.
    expect(error.message).toBe('fit: batchOrder[0][1] is 5, not a row index: the 4 training rows are 0 to 3');
  });

  it.each([
    ['too few epochs', { epochs: 2, batchOrder: [[0, 1]] }, /^fit: batchOrder has the rows of 1 epochs, but epochs is 2$/],
    ['a fraction', { batchOrder: [[0, 1.5]] }, /^fit: batchOrder\[0\]\[1\] is 1.5, not a row index/],
    ['a negative index', { batchOrder: (): number[] => [-1] }, /^fit: batchOrder\(0\)\[0\] is -1, not a row index/],
    ['an empty epoch', { batchOrder: [[]] }, /^fit: batchOrder\[0\] is empty; an epoch needs at least one row$/],
    ['a function returning a number', { batchOrder: (): number => 3 }, /^fit: batchOrder\(0\) must be an array of row indices, got number$/],
    ['not an array or function', { batchOrder: 'random' }, /^fit: batchOrder must be an array of row orders \(one per epoch\) or a function of the epoch, got string$/],
    ['with shuffle: true', { shuffle: true, batchOrder: [[0]] }, /^fit: give shuffle or batchOrder, not both/],
  ] as const)('%s is a ModelError', async (_name, options, message) => {
    const { m } = recorded();
    const error = await rejection(m.fit(x, y, { verbose: 0, ...options } as never));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });
});
