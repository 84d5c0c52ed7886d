/**
 * The layers one by one: output shapes and parameter counts against Keras' formulas, forward
 * values against plain loops written here (not the code under test), and gradients against
 * the testing kit's high-precision central differences.
 */
import { constant, evaluate, type Node, type Tensor, tensor } from '@stablegrad/core';
import {
  activation, batchNormalization, dense, dropout, embedding, flatten, layerNormalization, layers, type Layer, meanSquaredError, ModelError, type Sequential,
  sequential, sgd,
} from '@stablegrad/nn';
import { checkGrad } from '@stablegrad/testing';
import { describe, expect, it } from 'vitest';
import { testRandom, thrown } from './helpers.js';

/** Feeds for evaluating a model's nodes by hand: the input and every current weight. */
function feedsOf(model: Sequential, x: Tensor): Map<Node, Tensor> {
  const weights = model.getWeights();
  return new Map<Node, Tensor>([[model.input, x], ...model.weightNodes.map((node, i) => [node, weights[i]!] as [Node, Tensor])]);
}

function randomValues(n: number, seed: number, scale = 1, offset = 0): number[] {
  const random = testRandom(seed);
  return Array.from({ length: n }, () => offset + scale * (2 * random() - 1));
}

function model64(list: readonly Layer[], inputShape: readonly number[], seed = 3): Sequential {
  return sequential(list, { inputShape, dtype: 'float64', seed });
}

describe('output shapes and parameter counts (Keras formulas)', () => {
  const cases: readonly [string, () => Sequential, readonly (readonly number[])[], readonly number[]][] = [
    // [name, model, output shapes per layer, params per layer]
    ['dense: (inputs + 1) * units', () => model64([dense({ units: 7 })], [5]), [[7]], [(5 + 1) * 7]],
    ['flatten and reshape: no weights', () => model64([layers.reshape({ targetShape: [4, -1] }), flatten()], [12]), [[4, 3], [12]], [0, 0]],
    ['embedding: inputDim * outputDim', () => model64([embedding({ inputDim: 11, outputDim: 4 })], [6]), [[6, 4]], [11 * 4]],
    ['layerNormalization: 2 * features', () => model64([layerNormalization()], [3, 5]), [[3, 5]], [2 * 5]],
    ['layerNormalization over two axes: 2 * their product', () => model64([layerNormalization({ axis: [1, 2] })], [3, 5]), [[3, 5]], [2 * 15]],
    ['batchNormalization: 4 * channels (2 trainable)', () => model64([batchNormalization()], [4, 4, 6]), [[4, 4, 6]], [4 * 6]],
    ['batchNormalization without center and scale: the moving statistics only', () => model64([batchNormalization({ center: false, scale: false })], [6]), [[6]], [2 * 6]],
    ['dropout and activation: no weights', () => model64([dropout({ rate: 0.3 }), activation({ activation: 'tanh' })], [9]), [[9], [9]], [0, 0]],
  ];
  it.each(cases)('%s', (_name, make, shapes, params) => {
    const m = make();
    expect(m.layers.map((l) => l.outputShape)).toEqual(shapes);
    const summaries = m.layerSummaries();
    m.layers.forEach((l, i) => {
      expect(summaries[l.name]!.params).toBe(params[i]);
      expect(summaries[l.name]!.outputShape).toEqual(['batch', ...shapes[i]!]);
      expect(summaries[l.name]!.type).toBe(l.type);
    });
    expect(m.countParams()).toBe(params.reduce((a, b) => a + b, 0));
    expect(m.output.shape).toEqual(['batch', ...shapes.at(-1)!]);
  });

  it('counts trainable and non-trainable weights apart, and the summary says both', () => {
    const m = model64([dense({ units: 8 }), batchNormalization(), dense({ units: 2 })], [3]);
    expect(m.countParams()).toBe(4 * 8 + 4 * 8 + 9 * 2);
    expect(m.countTrainableParams()).toBe(4 * 8 + 2 * 8 + 9 * 2);
    expect(m.params.map((p) => p.path)).toEqual(['dense_1/kernel', 'dense_1/bias', 'batchNormalization_2/gamma', 'batchNormalization_2/beta', 'dense_3/kernel', 'dense_3/bias']);
    expect(m.weightNodes.map((p) => p.path)).toContain('batchNormalization_2/moving_variance');
    const text = m.summary();
    expect(text).toContain(`Total params: ${4 * 8 + 4 * 8 + 9 * 2}`);
    expect(text).toContain(`Trainable params: ${4 * 8 + 2 * 8 + 9 * 2}`);
    expect(text).toContain('Non-trainable params: 16');
    expect(text).toMatch(/^batchNormalization_2 \(batchNormalization\)\s+\[batch, 8\]\s+32$/m);
    expect(text).toMatch(/^dense_1 \(dense, linear\)\s+\[batch, 8\]\s+32$/m);
  });

  it('every node of a layer lives under its own top-level scope, named after the layer', () => {
    const m = model64([layers.reshape({ targetShape: [2, 3] }), layerNormalization(), flatten(), dropout({ rate: 0.5 }), dense({ units: 2, activation: 'softmax' })], [6]);
    const names = new Set(m.layers.map((l) => l.name));
    for (const node of [...m.layers.map((l) => l.output), m.trainingOutput]) {
      if (node === m.input) continue;
      expect(names.has(node.scope[0]!), node.path).toBe(true);
    }
    expect(m.layers.map((l) => l.output.scope[0])).toEqual(['reshape_1', 'layerNormalization_2', 'flatten_3', 'flatten_3', 'dense_5']); // dropout passes its input in inference
  });

  it('layers that cannot take their input are ModelErrors naming the layer', () => {
    expect(thrown(() => model64([dense({ units: 2 })], [2, 2])).message).toMatch(/dense_1: dense expects inputs of shape \[batch, features\], got \[batch, 2, 2\]/);
    expect(thrown(() => model64([layers.reshape({ targetShape: [5] })], [6])).message).toMatch(/reshape_1: cannot reshape an example of \[6\] \(6 values\) to \[5\]/);
    expect(thrown(() => model64([layerNormalization({ axis: 3 })], [6])).message).toMatch(/layerNormalization_1: axis 3 is not a feature axis/);
    expect(thrown(() => model64([batchNormalization({ axis: 0 })], [6])).message).toMatch(/axis 0 is not a feature axis/);
  });
});

describe('forward values against loops', () => {
  it('reshape and flatten keep the row-major order; activation applies per element', () => {
    const m = model64([layers.reshape({ targetShape: [3, 2] }), activation({ activation: 'relu' }), flatten()], [6]);
    const x = randomValues(12, 1);
    const out = m.predict(tensor(x, { dtype: 'float64', shape: [2, 6] }));
    expect(out.shape).toEqual([2, 6]);
    expect(Array.from(out.data)).toEqual(x.map((v) => Math.max(v, 0)));
  });

  it('embedding picks the rows of its ids', () => {
    const m = model64([embedding({ inputDim: 5, outputDim: 3 })], [4]);
    const table = m.getWeights()[0]!.data;
    for (const v of table) expect(Math.abs(v)).toBeLessThanOrEqual(0.05); // uniform(-0.05, 0.05)
    const ids = [0, 4, 4, 2, 1, 3, 0, 0];
    const out = m.predict(tensor(ids, { dtype: 'float64', shape: [2, 4] }));
    expect(out.shape).toEqual([2, 4, 3]);
    const expected = ids.flatMap((id) => [0, 1, 2].map((j) => table[id * 3 + j]!));
    expect(Array.from(out.data)).toEqual(expected);
  });

  it('an id outside the table is an error naming the gather, not a silent zero', () => {
    const m = model64([embedding({ inputDim: 5, outputDim: 3 })], [2]);
    expect(() => m.predict([[1, 5]])).toThrow(/gather|index/i);
  });

  it('layerNormalization: (x - mean) / sqrt(var + 1e-3) * gamma + beta per example, on data with a large mean', () => {
    const features = 6;
    const m = model64([layerNormalization()], [features]);
    const gamma = randomValues(features, 2);
    const beta = randomValues(features, 3);
    m.setWeights([gamma, beta]);
    const rows = 5;
    const x = randomValues(rows * features, 4, 1, 1e4);
    const out = m.predict(tensor(x, { dtype: 'float64', shape: [rows, features] })).data;
    for (let r = 0; r < rows; r++) {
      const row = x.slice(r * features, (r + 1) * features);
      const mean = row.reduce((a, b) => a + b, 0) / features;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / features;
      row.forEach((v, j) => {
        const want = ((v - mean) / Math.sqrt(variance + 1e-3)) * gamma[j]! + beta[j]!;
        expect(Math.abs(out[r * features + j]! - want)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want)));
      });
    }
  });

  it('float32 on values of mean 1e4 and spread 1: both normalizations keep the spread (the variance does not cancel)', () => {
    const features = 8;
    const rows = 6;
    const x = Float32Array.from(randomValues(rows * features, 40, 1, 1e4));
    for (const layer of [layerNormalization(), batchNormalization({ axis: -1 })]) {
      const m = sequential([layer], { inputShape: [features], seed: 1 });
      const training = layer.type === 'batchNormalization';
      const out = training
        ? evaluate(m.trainingOutput, feedsOf(m, tensor(x, { shape: [rows, features] }))).data
        : m.predict(tensor(x, { shape: [rows, features] })).data;
      // The float64 answer from the same float32 inputs: per row (layer) or per column (batch).
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < features; j++) {
          const group = training ? Array.from({ length: rows }, (_, q) => x[q * features + j]!) : Array.from(x.subarray(r * features, (r + 1) * features));
          const mean = group.reduce((a, b) => a + b, 0) / group.length;
          const variance = group.reduce((a, b) => a + (b - mean) ** 2, 0) / group.length;
          const want = (x[r * features + j]! - mean) / Math.sqrt(variance + 1e-3);
          expect(Math.abs(out[r * features + j]! - want), `${layer.type} [${r}, ${j}]`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
        }
      }
    }
  });

  it('batchNormalization in inference: the moving statistics, Keras epsilon 1e-3', () => {
    const channels = 3;
    const m = model64([batchNormalization()], [2, 2, channels]);
    const [gamma, beta, mean, variance] = [randomValues(channels, 5), randomValues(channels, 6), randomValues(channels, 7), randomValues(channels, 8, 0.5, 1)];
    m.setWeights([gamma, beta, mean, variance]);
    const x = randomValues(2 * 4 * channels, 9);
    const out = m.predict(tensor(x, { dtype: 'float64', shape: [2, 2, 2, channels] })).data;
    x.forEach((v, i) => {
      const c = i % channels;
      const want = ((v - mean[c]!) / Math.sqrt(variance[c]! + 1e-3)) * gamma[c]! + beta[c]!;
      expect(Math.abs(out[i]! - want)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want)));
    });
  });

  it('batchNormalization in training: the batch statistics over batch, height and width per channel', () => {
    const channels = 2;
    const m = model64([batchNormalization({ epsilon: 1e-5 })], [3, channels]);
    const rows = 4;
    const x = randomValues(rows * 3 * channels, 10, 2, 50);
    const out = evaluate(m.trainingOutput, feedsOf(m, tensor(x, { dtype: 'float64', shape: [rows, 3, channels] }))).data;
    for (let c = 0; c < channels; c++) {
      const values = x.filter((_, i) => i % channels === c);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
      x.forEach((v, i) => {
        if (i % channels !== c) return;
        const want = (v - mean) / Math.sqrt(variance + 1e-5);
        expect(Math.abs(out[i]! - want)).toBeLessThanOrEqual(1e-9);
      });
    }
  });
});

describe('gradients against high-precision central differences', () => {
  // A scalar that weighs every output value differently (rows too: a batch-normalized column
  // sums to zero whatever its inputs, so equal weights down a column would hide its gradient).
  function weightedSum(output: Node, rows: number): Node {
    const shape = [rows, ...output.shape.slice(1) as number[]];
    return output.mul(constant(tensor(randomValues(shape.reduce((a, b) => a * b, 1), 77), { dtype: 'float64', shape }))).sum();
  }

  it('layerNormalization: gamma, beta and the input', () => {
    const m = model64([layerNormalization()], [4]);
    m.setWeights([randomValues(4, 11), randomValues(4, 12)]);
    const x = tensor(randomValues(12, 13, 3), { dtype: 'float64', shape: [3, 4] });
    const report = checkGrad(weightedSum(m.output, 3), [m.input, ...m.params], [feedsOf(m, x)], { rtol: 1e-7 });
    expect(report.ok, JSON.stringify(report.worst)).toBe(true);
  });

  it('batchNormalization in training mode: through the batch mean and variance', () => {
    const m = model64([batchNormalization()], [3]);
    m.setWeights([randomValues(3, 14), randomValues(3, 15), [0, 0, 0], [1, 1, 1]]);
    const x = tensor(randomValues(15, 16, 2), { dtype: 'float64', shape: [5, 3] });
    const report = checkGrad(weightedSum(m.trainingOutput, 5), [m.input, ...m.params], [feedsOf(m, x)], { rtol: 1e-7 });
    expect(report.ok, JSON.stringify(report.worst)).toBe(true);
  });

  it('embedding: repeated ids add their gradients into one row', () => {
    const m = model64([embedding({ inputDim: 4, outputDim: 2 }), flatten(), dense({ units: 1 })], [3]);
    const x = tensor([1, 1, 3, 0, 1, 2], { dtype: 'float64', shape: [2, 3] });
    const report = checkGrad(m.output.square().sum(), m.params, [feedsOf(m, x)], { rtol: 1e-7 });
    expect(report.ok, JSON.stringify(report.worst)).toBe(true);
  });

  it('reshape, flatten and activations', () => {
    const m = model64([layers.reshape({ targetShape: [2, 3] }), activation({ activation: 'tanh' }), flatten(), dense({ units: 2, activation: 'sigmoid' })], [6]);
    const x = tensor(randomValues(12, 17), { dtype: 'float64', shape: [2, 6] });
    const report = checkGrad(weightedSum(m.output, 2), [m.input, ...m.params], [feedsOf(m, x)], { rtol: 1e-7 });
    expect(report.ok, JSON.stringify(report.worst)).toBe(true);
  });
});

describe('dropout: seeded, active only in training', () => {
  // 2000 ones through a dense layer of ones: the output is the mask itself.
  const make = (seed: number): Sequential => {
    const m = sequential([dense({ units: 2000, kernelInitializer: 'ones', useBias: false }), dropout({ rate: 0.5 })], { inputShape: [1], dtype: 'float64', seed });
    m.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 1e-12 }) });
    return m;
  };

  it('keeps each value with probability 1 - rate, scaled by 1 / (1 - rate), in training; passes it through in predict and evaluate', () => {
    const m = make(5);
    const x = [[1]];
    const y = [new Array(2000).fill(0)];
    expect(Array.from(m.predict(x).data).every((v) => v === 1)).toBe(true);
    expect(m.evaluate(x, y).loss).toBe(1);
    expect(m.testOnBatch(x, y).loss).toBe(1);
    const { loss } = m.trainOnBatch(x, y);
    // Each kept value is 2 (loss 4), each dropped one 0: loss = 4 * kept / 2000.
    const kept = (loss! * 2000) / 4;
    expect(Math.abs(kept - Math.round(kept))).toBeLessThan(1e-6);
    expect(Math.abs(kept - 1000)).toBeLessThan(150); // 6.7 standard deviations of Binomial(2000, 0.5)
  });

  it('the same seed gives the same masks; another seed, other masks; each step draws anew', () => {
    const x = [[1]];
    const y = [new Array(2000).fill(0)];
    const a = make(5);
    const b = make(5);
    const c = make(6);
    const first = a.trainOnBatch(x, y).loss;
    expect(b.trainOnBatch(x, y).loss).toBe(first);
    expect(c.trainOnBatch(x, y).loss).not.toBe(first);
    expect(a.trainOnBatch(x, y).loss).not.toBe(first);
  });

  it('rate must be in [0, 1)', () => {
    expect(thrown(() => dropout({ rate: 1 }))).toBeInstanceOf(ModelError);
    expect(thrown(() => dropout({ rate: -0.1 })).message).toMatch(/dropout: rate must be a finite number in \[0, 1\], got -0.1/);
    expect(thrown(() => dropout({ rate: '0.5' as unknown as number })).message).toMatch(/rate must be a finite number/);
  });
});

describe('batchNormalization: moving statistics (Keras: momentum 0.99)', () => {
  it('each training step moves them by moving = momentum * moving + (1 - momentum) * batch statistic; evaluate uses them', () => {
    const channels = 3;
    const m = sequential([batchNormalization(), dense({ units: 1 })], { inputShape: [channels], dtype: 'float64', seed: 2 });
    m.compile({ loss: 'meanSquaredError', optimizer: sgd({ learningRate: 0.01 }) });
    const rows = 8;
    const x = Array.from({ length: rows }, (_, r) => randomValues(channels, 20 + r, 3, 1000));
    const y = x.map((row) => [row[0]! - 1000]);
    let expectedMean = [0, 0, 0];
    let expectedVariance = [1, 1, 1];
    for (let step = 0; step < 3; step++) {
      m.trainOnBatch(x, y);
      const stats = [0, 1, 2].map((c) => {
        const column = x.map((row) => row[c]!);
        const mean = column.reduce((a, b) => a + b, 0) / rows;
        return { mean, variance: column.reduce((a, b) => a + (b - mean) ** 2, 0) / rows };
      });
      expectedMean = expectedMean.map((v, c) => 0.99 * v + 0.01 * stats[c]!.mean);
      expectedVariance = expectedVariance.map((v, c) => 0.99 * v + 0.01 * stats[c]!.variance);
      const [, , movingMean, movingVariance] = m.getWeights();
      expectedMean.forEach((v, c) => expect(Math.abs(movingMean!.data[c]! - v)).toBeLessThanOrEqual(1e-9 * Math.abs(v)));
      expectedVariance.forEach((v, c) => expect(Math.abs(movingVariance!.data[c]! - v)).toBeLessThanOrEqual(1e-9 * Math.abs(v)));
    }
    // Gradients never touch them: they are not params.
    expect(m.params.map((p) => p.name)).toEqual(['gamma', 'beta', 'kernel', 'bias']);
    // computeGradients changes nothing, moving statistics included.
    const before = m.getWeights().map((w) => Array.from(w.data));
    m.computeGradients(x, y);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  });

  it('momentum and epsilon are checked; PyTorch defaults are momentum 0.9 and epsilon 1e-5 here', () => {
    expect(thrown(() => batchNormalization({ momentum: 1.5 })).message).toMatch(/momentum must be a finite number in \[0, 1\], got 1.5/);
    expect(thrown(() => batchNormalization({ epsilon: 0 })).message).toMatch(/epsilon must be a finite number in \(0, Infinity\)/);
    expect(batchNormalization().config).toMatchObject({ momentum: 0.99, epsilon: 1e-3, axis: -1, center: true, scale: true });
    expect(layerNormalization().config).toMatchObject({ epsilon: 1e-3, axis: [-1], center: true, scale: true });
  });
});

describe('layer options are checked like Keras names', () => {
  it.each([
    ['a misspelt option', () => layerNormalization({ epsilom: 1 } as never), /layerNormalization: unknown option 'epsilom'/],
    ['embedding without outputDim', () => embedding({ inputDim: 3 } as never), /outputDim must be a positive integer, got undefined/],
    ['reshape with two -1', () => layers.reshape({ targetShape: [-1, -1] }), /targetShape may hold one -1/],
    ['reshape with a 0', () => layers.reshape({ targetShape: [0, 3] }), /targetShape must be a list of 1 to 8 positive integers/],
    ['an unknown activation', () => activation({ activation: 'gelu' as 'relu' }), /unknown activation "gelu"/],
    ['a bad name', () => flatten({ name: 'a b' }), /a layer name is letters/],
    ['options that are not an object', () => dropout(3 as never), /dropout: options must be an object/],
  ])('%s', (_name, make, message) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });
});
