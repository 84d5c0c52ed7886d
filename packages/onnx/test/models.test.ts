/**
 * Whole graphs in ONNX Runtime against the interpreter: the digits model's stabilized loss and
 * gradients, seeded random MLPs, and random stabilized loss graphs at extreme logits (finite
 * where a naive export overflows), in float32 and float64.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gather, gatherGrad, graph, grad, input, mean, param, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits, sum, tensor, type DType, type Node } from '@stablegrad/core';
import { adam, dense, sequential, sparseCategoricalCrossentropy } from '@stablegrad/nn';
import { stabilize } from '@stablegrad/rewrite';
import { modelToOnnx, OnnxExportError, toOnnx } from '@stablegrad/onnx';
import { runOrt, runOurs, worst, type Feed } from './ort.js';

const EPS = { float32: 2 ** -23, float64: 2 ** -52 };

/** A seeded generator (mulberry32), so every run draws the same graphs and rows. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first `n` rows of the UCI digits shipped with the examples: 64 features and a label. */
function digitsRows(n: number): { x: number[]; labels: number[] } {
  const lines = gunzipSync(readFileSync(new URL('../../../examples/data/digits.csv.gz', import.meta.url))).toString('utf8').trim().split('\n').slice(0, n);
  const rows = lines.map((l) => l.split(',').map(Number));
  return { x: rows.flatMap((r) => r.slice(0, 64)), labels: rows.map((r) => r[64]!) };
}

describe.each(['float32', 'float64'] as const)('the digits model in ONNX Runtime, %s', (dtype) => {
  const A = dtype === 'float32' ? Float32Array : Float64Array;
  const model = sequential([
    dense({ units: 25, activation: 'relu' }),
    dense({ units: 15, activation: 'relu' }),
    dense({ units: 10, activation: 'softmax' }),
  ], { inputShape: [64], seed: 42, dtype });
  model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.01 }) });
  const { x, labels } = digitsRows(32);

  it('gives our stabilized loss, gradients and prediction (matmul: float32 sums of 64 products)', async () => {
    const g = model.toGraph({ stage: 'compiled' });
    const names = g.nodes.filter((n) => n.op === 'input').map((n) => n.name);
    const feeds: Record<string, Feed> = {};
    for (const n of g.nodes.filter((m) => m.op === 'input')) {
      feeds[n.name] = n.rank === 2 ? { data: A.from(x), dims: [32, 64] } : { data: n.dtype === 'int32' ? Int32Array.from(labels) : A.from(labels), dims: [32] };
    }
    expect(names.length).toBe(2);
    const theirs = await runOrt(modelToOnnx(model, { stage: 'training' }), feeds);
    const ours = runOurs(g, feeds);
    expect(Object.keys(theirs).sort()).toEqual([...g.outputNames].sort());
    expect(g.outputNames.filter((n) => n.startsWith('grad(')).length).toBe(6);
    for (const name of g.outputNames) {
      // Relative to the largest entry: ONNX Runtime sums products in the dtype, stablegrad in float64.
      const scale = Math.max(...Array.from(ours[name]!.data, Math.abs));
      expect(worst(theirs[name]!, ours[name]!.data, 64 * EPS[dtype] * scale, 0), name).toBeLessThanOrEqual(1);
    }
  });

  it('model.toOnnx() is modelToOnnx(model), for both stages', () => {
    expect(model.toOnnx()).toEqual(modelToOnnx(model));
    expect(model.toOnnx({ stage: 'training' })).toEqual(modelToOnnx(model, { stage: 'training' }));
  });

  it('serves the prediction with batch as a dim param', async () => {
    const bytes = modelToOnnx(model);
    for (const rows of [1, 7]) {
      const feeds = { x: { data: A.from(x.slice(0, rows * 64)), dims: [rows, 64] } };
      const ours = model.predict(tensor(feeds.x.data, { dtype, shape: [rows, 64] }));
      expect(worst((await runOrt(bytes, feeds)).prediction!, ours.data, 64 * EPS[dtype], 0)).toBeLessThanOrEqual(1);
    }
  });
});

/** A seeded random MLP: 1 to 3 dense layers with random widths and activations. */
function randomMlp(seed: number, dtype: DType): { out: Node; width: number } {
  const rand = random(seed);
  const width = 2 + Math.floor(rand() * 6);
  let h: Node = input(['batch', width], { name: 'x', dtype });
  const layers = 1 + Math.floor(rand() * 3);
  for (let l = 0; l < layers; l++) {
    const units = 1 + Math.floor(rand() * 8);
    const w = param(tensor(Array.from({ length: h.shape[1] as number }, () => Array.from({ length: units }, () => rand() * 4 - 2)), { dtype }), { name: `w${l}` });
    const b = param(tensor(Array.from({ length: units }, () => rand() - 0.5), { dtype }), { name: `b${l}` });
    h = h.matmul(w).add(b);
    const act = ['relu', 'tanh', 'sigmoid', 'softmax', 'logSoftmax', 'softplus'][Math.floor(rand() * 6)]!;
    h = act === 'relu' ? h.relu() : act === 'tanh' ? h.tanh() : act === 'sigmoid' ? h.sigmoid() : act === 'softmax' ? h.softmax() : act === 'logSoftmax' ? h.logSoftmax() : h.softplus();
  }
  return { out: h, width };
}

describe.each(['float32', 'float64'] as const)('random MLPs in ONNX Runtime, %s', (dtype) => {
  it.each(Array.from({ length: 20 }, (_, i) => i))('seed %i', async (seed) => {
    const { out, width } = randomMlp(seed, dtype);
    const rand = random(1000 + seed);
    const rows = 1 + Math.floor(rand() * 9);
    const A = dtype === 'float32' ? Float32Array : Float64Array;
    const feeds = { x: { data: A.from(Array.from({ length: rows * width }, () => rand() * 20 - 10)), dims: [rows, width] } };
    const g = graph({ y: out });
    const ours = runOurs(g, feeds).y!.data;
    const scale = Math.max(1, ...Array.from(ours, Math.abs));
    expect(worst((await runOrt(toOnnx(g), feeds)).y!, ours, 32 * EPS[dtype] * scale, 0)).toBeLessThanOrEqual(1);
  });
});

/** Naive cross-entropies written on probabilities, as a user would, on random logits. */
function naiveLoss(kind: number, z: Node, y: Node): Node {
  switch (kind) {
    case 0: { // binary, by hand: -(y log p + (1 - y) log(1 - p))
      const p = z.sigmoid();
      return mean(y.mul(p.log()).add(y.neg().add(1).mul(p.neg().add(1).log())).neg());
    }
    case 1: // categorical, by hand: -sum(y log softmax(z))
      return mean(sum(y.mul(z.softmax().log()), { axis: -1 }).neg());
    default: // log-sum-exp by hand
      return mean(sum(z.exp(), { axis: -1 }).log().sub(sum(y.mul(z), { axis: -1 })));
  }
}

describe.each(['float32', 'float64'] as const)('stabilized loss graphs at extreme logits, %s', (dtype) => {
  it.each(Array.from({ length: 12 }, (_, i) => i))('seed %i: finite and equal to ours, where the naive export is not finite', async (seed) => {
    const rand = random(seed);
    const k = 2 + Math.floor(rand() * 4);
    const z = input(['batch', k], { name: 'z', dtype });
    const y = input(['batch', k], { name: 'y', dtype });
    const naive = naiveLoss(seed % 3, z, y);
    const stable = stabilize(graph({ loss: naive })).graph;
    const loss = stable.outputs[0]!;
    const stableWithGrad = graph({ loss, dz: grad(loss, z) });
    const rows = 4;
    const A = dtype === 'float32' ? Float32Array : Float64Array;
    const logits = A.from(Array.from({ length: rows * k }, () => (rand() < 0.5 ? -1 : 1) * (rand() < 0.5 ? 1e3 + rand() * 1e4 : rand() * 50)));
    const labels = A.from(Array.from({ length: rows * k }, (_, i) => (seed % 3 === 0 ? Math.round(rand()) : i % k === 0 ? 1 : 0)));
    const feeds = { z: { data: logits, dims: [rows, k] }, y: { data: labels, dims: [rows, k] } };
    const theirs = await runOrt(toOnnx(stableWithGrad), feeds);
    const ours = runOurs(stableWithGrad, feeds);
    expect(Number.isFinite(theirs.loss![0])).toBe(true);
    expect(Array.from(theirs.dz!).every(Number.isFinite)).toBe(true);
    const scale = Math.max(1, Math.abs(ours.loss!.data[0]!));
    expect(worst(theirs.loss!, ours.loss!.data, 16 * EPS[dtype] * scale, 0)).toBeLessThanOrEqual(1);
    expect(worst(theirs.dz!, ours.dz!.data, 16 * EPS[dtype], 0)).toBeLessThanOrEqual(1);
    const naiveOut = (await runOrt(toOnnx(graph({ loss: naive })), feeds)).loss![0]!;
    expect(Number.isFinite(naiveOut)).toBe(false);
  });
});

describe('ops without a faithful mapping', () => {
  it('name the op and the node', () => {
    const x = input([3, 2], { name: 'x' });
    const i = input([4], { name: 'i', dtype: 'int32' });
    const g = gatherGrad(gather(x, i), i, x, { axis: 0, batchDims: 0 });
    expect(() => toOnnx(g)).toThrow(OnnxExportError);
    expect(() => toOnnx(g)).toThrow(/gatherGrad '.*' has no faithful ONNX mapping/);
    expect(() => toOnnx(g, { opset: 13 })).toThrow(/opset 18 or later/);
  });
});

describe.each(['float32', 'float64'] as const)('tiny softmax cross-entropies, %s', (dtype) => {
  it('keep every digit, as stablegrad does (LogSoftmax would round them to 0)', async () => {
    const A = dtype === 'float32' ? Float32Array : Float64Array;
    const z = input(['batch', 3], { name: 'z', dtype });
    const y = input(['batch', 3], { name: 'y', dtype });
    const labels = input(['batch'], { name: 'labels', dtype: 'int32' });
    const g = graph({ dense: softmaxCrossEntropyWithLogits(z, y), sparse: sparseSoftmaxCrossEntropyWithLogits(z, labels) });
    // [20, 0, -5] with label 0: log(1 + e^-20 + e^-25), about 2e-9; ties and a large gap too.
    const feeds = {
      z: { data: A.from([20, 0, -5, 3, 3, -40, 0, 60, 1]), dims: [3, 3] },
      y: { data: A.from([1, 0, 0, 0.5, 0.5, 0, 0, 1, 0]), dims: [3, 3] },
      labels: { data: Int32Array.from([0, 1, 1]), dims: [3] },
    };
    const theirs = await runOrt(toOnnx(g), feeds);
    const ours = runOurs(g, feeds);
    expect(ours.sparse!.data[0]).toBeGreaterThan(1e-9);
    for (const name of ['dense', 'sparse']) expect(worst(theirs[name]!, ours[name]!.data, Number.MIN_VALUE, EPS[dtype]), name).toBeLessThanOrEqual(4);
  });
});
