// End-to-end claims of the layers package (issue #5): a loss written on probabilities trains
// like the same loss from logits, because the stabilize pass fuses it; and where a loss written
// naively produces NaN or Infinity with the pass turned off, the default pipeline trains on.
import { evaluate, type Node, tensor } from '@stablegrad/core';
import {
  adam, binaryCrossentropy, dense, type Loss, sequential, sgd, sparseCategoricalCrossentropy, TrainingError,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../examples/src/data/random.js';

/** Seeded blobs: `classes` clusters in `features` dimensions, `rows` rows, labels 0..classes-1. */
function blobs(rows: number, features: number, classes: number, seed: number, scale = 1): { x: Float32Array; y: Int32Array } {
  const random = mulberry32(seed);
  const centres = Array.from({ length: classes * features }, () => 4 * random() - 2);
  const x = new Float32Array(rows * features);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const label = r % classes;
    y[r] = label;
    for (let f = 0; f < features; f++) x[r * features + f] = scale * (centres[label * features + f]! + 0.6 * (random() - 0.5));
  }
  return { x, y };
}

const silent = { verbose: 0 } as const;

describe('a probability-space loss trains like the same loss from logits', () => {
  it('softmax + sparse categorical cross-entropy vs linear + fromLogits: same loss curves and weights', async () => {
    const { x, y } = blobs(120, 6, 4, 1);
    const build = (activation: 'softmax' | 'linear') => sequential([
      dense({ units: 8, activation: 'relu' }), dense({ units: 4, activation }),
    ], { inputShape: [6], seed: 7 });
    const probabilities = build('softmax');
    const logits = build('linear');
    expect(probabilities.getWeights().map((w) => Array.from(w.data))).toEqual(logits.getWeights().map((w) => Array.from(w.data)));
    probabilities.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.02 }) });
    logits.compile({ loss: sparseCategoricalCrossentropy({ fromLogits: true }), optimizer: adam({ learningRate: 0.02 }) });
    const a = await probabilities.fit(x, y, { epochs: 8, batchSize: 16, ...silent });
    const b = await logits.fit(x, y, { epochs: 8, batchSize: 16, ...silent });
    const curveA = a.history.loss!;
    const curveB = b.history.loss!;
    expect(curveA.length).toBe(8);
    expect(curveA[7]!).toBeLessThan(curveA[0]! / 2); // it learned
    curveA.forEach((loss, i) => expect(Math.abs(loss - curveB[i]!)).toBeLessThanOrEqual(1e-5 * curveB[i]!));
    const [wa, wb] = [probabilities.getWeights(), logits.getWeights()];
    wa.forEach((w, i) => w.data.forEach((v, j) => expect(Math.abs(v - wb[i]!.data[j]!)).toBeLessThanOrEqual(1e-4)));
  });

  it('sigmoid + binary cross-entropy vs linear + fromLogits: same loss curves', async () => {
    const { x, y } = blobs(100, 4, 2, 3);
    const labels = Float32Array.from(y);
    const build = (activation: 'sigmoid' | 'linear') => sequential([dense({ units: 1, activation })], { inputShape: [4], seed: 11 });
    const probabilities = build('sigmoid');
    const logits = build('linear');
    probabilities.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.5 }) });
    logits.compile({ loss: binaryCrossentropy({ fromLogits: true }), optimizer: sgd({ learningRate: 0.5 }) });
    const a = (await probabilities.fit(x, labels, { epochs: 6, batchSize: 25, ...silent })).history.loss!;
    const b = (await logits.fit(x, labels, { epochs: 6, batchSize: 25, ...silent })).history.loss!;
    a.forEach((loss, i) => expect(Math.abs(loss - b[i]!)).toBeLessThanOrEqual(1e-5 * b[i]!));
  });
});

/** Cross-entropy written by hand with no guard at all: `-mean(sum(oneHot(y) log(softmax)))`. */
function naiveSparseLoss(): Loss {
  const keras = sparseCategoricalCrossentropy();
  return {
    ...keras,
    build: (yTrue: Node, yPred: Node) => yTrue.oneHot(yPred.shape[1] as number).mul(yPred.log()).sum({ axis: -1 }).neg().mean(),
  };
}

describe('where the loss as written breaks, the stabilized pipeline trains on', () => {
  // Inputs a thousand times larger than usual: the first layer's logits are in the thousands,
  // the softmax saturates to exact 0 and 1, and log(0) is -Infinity.
  const { x, y } = blobs(64, 5, 3, 5, 1000);
  const model = () => sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [5], seed: 3 });

  it('with the stabilize pass off, a hand-written softmax cross-entropy stops with a TrainingError', async () => {
    const m = model();
    m.compile({ loss: naiveSparseLoss(), optimizer: adam({ learningRate: 0.1 }), stabilize: false, onWarning: () => {} });
    const before = m.getWeights();
    const error = await m.fit(x, y, { epochs: 3, batchSize: 16, ...silent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as Error).message).toMatch(/became (NaN|Infinity|-Infinity) at epoch 1, batch 1 /);
    // The weights are those before the failing batch: here, the initial ones.
    m.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i]!.data)));
  });

  it('the default pipeline fuses the same hand-written loss and trains to finite, falling losses', async () => {
    const m = model();
    m.compile({ loss: naiveSparseLoss(), optimizer: adam({ learningRate: 0.1 }), metrics: ['accuracy'] });
    expect(m.explain()).toContain('fused into sparseSoftmaxCrossEntropyWithLogits');
    const { history } = await m.fit(x, y, { epochs: 10, batchSize: 16, ...silent });
    expect(history.loss!.every(Number.isFinite)).toBe(true);
    expect(history.loss![9]!).toBeLessThan(history.loss![0]!);
    expect(history.accuracy![9]!).toBeGreaterThan(0.9);
  });

  it('a learning rate that sends the logits to +-1e4 keeps the stabilized loss finite', async () => {
    const small = blobs(64, 5, 3, 9);
    const m = model();
    m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: sgd({ learningRate: 1000 }) });
    const { history } = await m.fit(small.x, small.y, { epochs: 5, batchSize: 16, ...silent });
    expect(history.loss!.every(Number.isFinite)).toBe(true);
    const layer = m.layers[0]!;
    const weights = m.getWeights();
    const z = evaluate(layer.preActivation!, new Map([[m.input, tensor(small.x, { shape: [64, 5] })], [layer.weights.kernel!, weights[0]!], [layer.weights.bias!, weights[1]!]]));
    expect(Math.max(...Array.from(z.data, Math.abs))).toBeGreaterThan(100); // far beyond where softmax saturates
    const logs = m.toGraph({ stage: 'compiled' }).nodes.filter((n) => n.op === 'log');
    expect(logs).toEqual([]); // nothing left that could take log(0)
  });
});
