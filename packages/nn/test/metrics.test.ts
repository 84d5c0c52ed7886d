/**
 * Metrics on hand-made tensors: which accuracy 'accuracy' means for each loss, the binary
 * threshold in probability and in logit space, the first index winning argmax ties, and exact
 * counts over batches in `evaluate`.
 */
import { type Tensor, tensor } from '@stablegrad/core';
import {
  binaryAccuracy, binaryCrossentropy, categoricalAccuracy, dense, type LossName, type Metric, ModelError, resolveMetric, sequential,
  sparseCategoricalAccuracy,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { f32, thrown } from './helpers.js';

const measure = (metric: Metric, yTrue: Tensor, yPred: Tensor, fromLogits = false) => metric.measure(yTrue, yPred, { fromLogits });
const column = (values: readonly number[]) => f32(values.map((v) => [v]));

describe("'accuracy' resolves by the loss, as Keras", () => {
  // One prediction set read three ways: each accuracy gives a different count on it.
  const probabilities = f32([[0.1, 0.6, 0.3], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6]]);
  const oneHot = f32([[0, 1, 0], [0, 0, 1], [0, 0, 1]]);
  const classes = tensor([1, 2, 2], { dtype: 'int32' });

  it('binaryCrossentropy: the share of units on the right side of 0.5', () => {
    const metric = resolveMetric('accuracy', 'binaryCrossentropy');
    expect(metric.name).toBe('accuracy');
    // (p > 0.5) per unit is [0,1,0], [1,0,0], [0,0,1]; against the labels, unit by unit:
    // row 0: 3 right; row 1: units 0 and 2 wrong -> 1 right; row 2: 3 right.
    expect(measure(metric, oneHot, probabilities)).toEqual({ sum: 7, count: 9 });
  });

  it('categoricalCrossentropy: argmax of the prediction against argmax of the one-hot label', () => {
    const metric = resolveMetric('accuracy', 'categoricalCrossentropy');
    expect(metric.name).toBe('accuracy');
    expect(measure(metric, oneHot, probabilities)).toEqual({ sum: 2, count: 3 });
  });

  it('sparseCategoricalCrossentropy: argmax of the prediction against the class index', () => {
    const metric = resolveMetric('accuracy', 'sparseCategoricalCrossentropy');
    expect(metric.name).toBe('accuracy');
    expect(measure(metric, classes, probabilities)).toEqual({ sum: 2, count: 3 });
  });

  it('meanSquaredError has no accuracy: a ModelError asking for a named metric', () => {
    const error = thrown(() => resolveMetric('accuracy', 'meanSquaredError'));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/needs a classification loss/);
  });

  it('an unknown metric name is a ModelError', () => {
    const error = thrown(() => resolveMetric('f1' as 'accuracy', 'binaryCrossentropy' satisfies LossName));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/unknown metric "f1"/);
  });

  it('named metrics keep their own names', () => {
    expect(resolveMetric('binaryAccuracy', 'binaryCrossentropy').name).toBe('binaryAccuracy');
    expect(resolveMetric('sparseCategoricalAccuracy', 'sparseCategoricalCrossentropy').name).toBe('sparseCategoricalAccuracy');
  });
});

describe('binary accuracy thresholds', () => {
  it('a probability counts as 1 only when strictly above 0.5 (Keras: y_pred > threshold)', () => {
    expect(measure(binaryAccuracy(), column([0, 1, 1, 0]), column([0.3, 0.7, 0.5, 0.9]))).toEqual({ sum: 2, count: 4 });
  });

  it('with fromLogits the threshold 0.5 becomes the logit 0', () => {
    const logits = column([-0.1, 0.1, 0, 3]);
    const labels = column([0, 1, 0, 1]);
    expect(measure(binaryAccuracy(), labels, logits, true)).toEqual({ sum: 4, count: 4 });
    // Read as probabilities, 0.1 would be below 0.5: the context matters.
    expect(measure(binaryAccuracy(), labels, logits, false)).toEqual({ sum: 3, count: 4 });
  });

  it('a custom threshold maps to its logit log(t / (1 - t))', () => {
    const t = 0.7;
    const logitThreshold = Math.log(t / (1 - t)); // 0.847...
    const logits = column([logitThreshold - 0.01, logitThreshold + 0.01]);
    expect(measure(binaryAccuracy({ threshold: t }), column([0, 1]), logits, true)).toEqual({ sum: 2, count: 2 });
    // As probabilities, 0.69 is below 0.7 and 0.71 above.
    expect(measure(binaryAccuracy({ threshold: t }), column([0, 1]), column([0.69, 0.71]))).toEqual({ sum: 2, count: 2 });
    expect(measure(binaryAccuracy({ threshold: t }), column([1, 0]), column([0.69, 0.71]))).toEqual({ sum: 0, count: 2 });
  });

  it.each([0, 1, -0.5, NaN])('threshold %s is a ModelError', (threshold) => {
    expect(thrown(() => binaryAccuracy({ threshold }))).toBeInstanceOf(ModelError);
  });
});

describe('argmax ties take the first index', () => {
  // Each label is the first of the tied classes: right with the first index, wrong with any other.
  const tied = f32([[0.4, 0.4, 0.2], [0.1, 0.45, 0.45], [0.3, 0.3, 0.3]]);

  it('categorical accuracy', () => {
    expect(measure(categoricalAccuracy(), f32([[1, 0, 0], [0, 1, 0], [1, 0, 0]]), tied)).toEqual({ sum: 3, count: 3 });
    expect(measure(categoricalAccuracy(), f32([[0, 1, 0], [0, 0, 1], [0, 0, 1]]), tied)).toEqual({ sum: 0, count: 3 });
  });

  it('sparse categorical accuracy', () => {
    expect(measure(sparseCategoricalAccuracy(), tensor([0, 1, 0], { dtype: 'int32' }), tied)).toEqual({ sum: 3, count: 3 });
    expect(measure(sparseCategoricalAccuracy(), tensor([1, 2, 2], { dtype: 'int32' }), tied)).toEqual({ sum: 0, count: 3 });
  });
});

describe('metrics through a model', () => {
  // One linear unit with kernel [1, -1] and bias 0: the logit is x0 - x1.
  const x = [[1, 0], [0, 1], [2, 1], [1, 2], [0.5, 0.4], [3, 3.5], [-1, -2]];
  const y = [1, 0, 0, 1, 1, 0, 1];
  // Right (logit > 0 iff label 1): rows 0, 1, 4, 5, 6 -> 5 of 7.
  const model = () => {
    const m = sequential([dense({ units: 1 })], { inputShape: [2], seed: 1 });
    m.setWeights([f32([[1], [-1]]), tensor([0], { dtype: 'float32' })]);
    m.compile({ loss: binaryCrossentropy({ fromLogits: true }), optimizer: 'sgd', metrics: ['accuracy'], onWarning: () => {} });
    return m;
  };

  it('evaluate counts over all batches exactly, whatever the batch size', () => {
    const m = model();
    expect(m.evaluate(x, y).accuracy).toBe(5 / 7);
    expect(m.evaluate(x, y, { batchSize: 3 }).accuracy).toBe(5 / 7);
    expect(m.evaluate(x, y, { batchSize: 1 }).accuracy).toBe(5 / 7);
  });

  it('two metrics with the same name are a ModelError', () => {
    const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 1 });
    const error = thrown(() => m.compile({ loss: 'binaryCrossentropy', optimizer: 'sgd', metrics: ['accuracy', binaryAccuracy({ name: 'accuracy' })] }));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/two metrics are named 'accuracy'/);
  });
});
