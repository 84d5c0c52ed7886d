/**
 * Layers in model files (version 2): every layer round-trips bit for bit, moving statistics
 * included; version 1 files still load; every config field of every layer is checked on load
 * (wrong types, huge sizes by arithmetic, unknown and missing fields); user layers round-trip
 * by their registered name, and a file naming an unregistered one is refused without running
 * anything. Also: softmax and sigmoid heads after these layers still fuse with their loss.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTrait } from '@stablegrad/core';
import {
  activation, adam, averagePooling2d, batchNormalization, binaryCrossentropy, dense, dropout, embedding, flatten, type Layer, layerNormalization, layers, loadModel,
  maxPooling2d, MODEL_VERSION, ModelError, modelFromJSON, ModelFormatError, modelToJSON, registerLayer, type Sequential, sequential, sparseCategoricalCrossentropy,
} from '@stablegrad/nn';
import { afterAll, describe, expect, it } from 'vitest';
import { blobs, expectSameBits, SILENT, thrown } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (name = 'model') => join(dir, `${name}-${++files}.json`);
type Json = { [key: string]: unknown };

const DATA = blobs(24, 12, 3, 5);

function everyLayer(seed = 7): Sequential {
  const m = sequential([
    layers.reshape({ targetShape: [3, 4] }),
    layerNormalization({ epsilon: 1e-4 }),
    batchNormalization({ momentum: 0.9 }),
    activation({ activation: 'tanh' }),
    flatten(),
    dropout({ rate: 0.25 }),
    dense({ units: 3, activation: 'softmax', name: 'head' }),
  ], { inputShape: [12], seed });
  m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.01 }), metrics: ['accuracy'] });
  return m;
}

describe('round trip of every layer (file version 2)', () => {
  it('weights, moving statistics, predictions and the next training steps are the same bits', async () => {
    const m = everyLayer();
    await m.fit(DATA.x, DATA.y, { epochs: 2, batchSize: 8, ...SILENT });
    const path = freshPath();
    m.save(path);
    const json = JSON.parse(readFileSync(path, 'utf8')) as Json;
    expect(json.version).toBe(MODEL_VERSION);
    expect(MODEL_VERSION).toBe(2);
    expect((json.layers as Json[]).map((l) => l.type)).toEqual(['reshape', 'layerNormalization', 'batchNormalization', 'activation', 'flatten', 'dropout', 'dense']);
    expect((json.weights as Json[]).map((w) => w.path)).toContain('batchNormalization_3/moving_mean');
    const loaded = loadModel(path);
    expect(loaded.layers.map((l) => [l.name, l.type])).toEqual(m.layers.map((l) => [l.name, l.type]));
    const configs = (model: Sequential) => model.layers.map((l) => l.layer.definition.toJSON(l.config));
    expect(configs(loaded)).toEqual(configs(m));
    expectSameBits(loaded.getWeights(), m.getWeights());
    expectSameBits([loaded.predict(DATA.x)], [m.predict(DATA.x)]);
    // Masks come from the seed and the step count: the loaded model goes on as the original.
    await m.fit(DATA.x, DATA.y, { epochs: 1, batchSize: 8, ...SILENT });
    await loaded.fit(DATA.x, DATA.y, { epochs: 1, batchSize: 8, ...SILENT });
    expectSameBits(loaded.getWeights(), m.getWeights());
  });

  it('an embedding model on a multi-dimensional input round-trips', () => {
    const m = sequential([embedding({ inputDim: 10, outputDim: 3 }), flatten(), dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2, 2], seed: 3 });
    const copy = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(m))));
    expect(copy.inputShape).toEqual([2, 2]);
    const ids = [[[1, 2], [3, 9]], [[0, 0], [5, 4]]];
    expectSameBits([copy.predict(ids)], [m.predict(ids)]);
  });

  it('the version 1 fixtures still load (dense layers on [features])', () => {
    for (const name of ['v1-adam.model.json', 'v1-sgd-momentum.model.json']) {
      const path = new URL(`fixtures/${name}`, import.meta.url).pathname;
      const json = JSON.parse(readFileSync(path, 'utf8')) as Json;
      expect(json.version).toBe(1);
      const loaded = loadModel(path);
      expect(loaded.layers.every((l) => l.type === 'dense')).toBe(true);
      expect(loaded.getWeights().map((w) => w.data.length)).toEqual((json.weights as Json[]).map((w) => (w.shape as number[]).reduce((a, b) => a * b, 1)));
    }
  });
});

describe('hostile layer configs: a ModelFormatError naming the file and the field', () => {
  const base = JSON.parse(JSON.stringify(modelToJSON(everyLayer()))) as Json;
  const layerAt = (json: Json, i: number): Json => (json.layers as Json[])[i]!;
  function loadError(edit: (json: Json) => void): ModelFormatError {
    const json = structuredClone(base);
    edit(json);
    const file = freshPath('hostile');
    writeFileSync(file, JSON.stringify(json));
    const error = thrown(() => loadModel(file));
    if (!(error instanceof ModelFormatError)) return expect.fail(`expected a ModelFormatError, got ${String(error)}`);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    return error;
  }

  it.each([
    ['reshape: targetShape a string', (j: Json) => { layerAt(j, 0).targetShape = '3,4'; }, '$.layers[0].targetShape', /targetShape must be a list/],
    ['reshape: a targetShape that does not fit', (j: Json) => { layerAt(j, 0).targetShape = [5, 5]; }, '$.layers[0]', /cannot reshape an example of \[12\]/],
    ['reshape: a huge targetShape', (j: Json) => { layerAt(j, 0).targetShape = [1e15, 1e15]; }, '$.layers[0]', /cannot reshape/],
    ['layerNormalization: epsilon -1', (j: Json) => { layerAt(j, 1).epsilon = -1; }, '$.layers[1].epsilon', /epsilon must be a finite number in \(0, Infinity\)/],
    ['layerNormalization: axis 7', (j: Json) => { layerAt(j, 1).axis = [7]; }, '$.layers[1]', /axis 7 is not a feature axis/],
    ['batchNormalization: momentum "0.9"', (j: Json) => { layerAt(j, 2).momentum = '0.9'; }, '$.layers[2].momentum', /momentum must be a finite number in \[0, 1\]/],
    ['batchNormalization: a missing field', (j: Json) => { delete layerAt(j, 2).movingVarianceInitializer; }, '$.layers[2].movingVarianceInitializer', /missing/],
    ['batchNormalization: a code initializer', (j: Json) => { layerAt(j, 2).gammaInitializer = 'process.exit(1)'; }, '$.layers[2].gammaInitializer', /unknown initializer/],
    ['activation: "constructor"', (j: Json) => { layerAt(j, 3).activation = 'constructor'; }, '$.layers[3].activation', /unknown activation/],
    ['flatten: an unknown field', (j: Json) => { layerAt(j, 4).dataFormat = 'channels_first'; }, '$.layers[4].dataFormat', /unknown option 'dataFormat'/],
    ['dropout: rate 1', (j: Json) => { layerAt(j, 5).rate = 1; }, '$.layers[5].rate', /rate must be below 1/],
    ['dropout: rate null', (j: Json) => { layerAt(j, 5).rate = null; }, '$.layers[5].rate', /rate must be a finite number/],
    ['an unregistered type', (j: Json) => { layerAt(j, 5).type = 'myDropout'; }, '$.layers[5].type', /"myDropout" is not registered \(known: dense, .*\); register a custom layer with registerLayer before loading/],
    ['a prototype name as the type', (j: Json) => { layerAt(j, 5).type = '__proto__'; }, '$.layers[5].type', /is not registered/],
    ['a type that is not a string', (j: Json) => { layerAt(j, 5).type = 7; }, '$.layers[5].type', /expected a string/],
    ['an input shape of two dims for a file of version 1', (j: Json) => { j.version = 1; }, '$.layers[0].type', /expected "dense", found the string "reshape"/],
    ['an input shape with 0', (j: Json) => { j.inputShape = [3, 0]; }, '$.inputShape[1]', /positive integer/],
  ])('%s', (_name, edit, path, detail) => {
    const error = loadError(edit);
    expect(error.message).toContain(`: ${path}: `);
    expect(error.message).toMatch(detail);
  });

  it('an embedding table above maxParams is refused by arithmetic, before anything is allocated', () => {
    const m = sequential([embedding({ inputDim: 10, outputDim: 3 }), flatten(), dense({ units: 1 })], { inputShape: [2], seed: 1 });
    const json = JSON.parse(JSON.stringify(modelToJSON(m))) as Json;
    layerAt(json, 0).inputDim = 1e12;
    const error = thrown(() => modelFromJSON(json, 'big.json'));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toBe("big.json: $.layers[0]: 'embedding_1/embeddings' [1000000000000, 3] brings the model to 3,000,000,000,000 weights or more, above maxParams = 100,000,000 (a load option)");
  });
});

describe('user layers: one definition, registered by name', () => {
  interface ScaleConfig { readonly factor: number }
  const scale = registerLayer<ScaleConfig>({
    type: 'testScale',
    configure: (r) => ({ factor: r.number('factor', { default: 2, min: -100, max: 100 }) }),
    toJSON: (c) => ({ factor: c.factor }),
    outputShape: (_c, inputShape) => [...inputShape],
    weights: (_c, inputShape) => [{ name: 'offset', shape: [...inputShape], initializer: { name: 'ones', fill: (size) => new Float64Array(size).fill(1) }, fans: { fanIn: 1, fanOut: 1 }, trainable: true }],
    forward: (c, x, { offset }) => ({ output: x.mul(c.factor).add(offset!) }),
  });

  it('builds, trains, and round-trips through a file by its registered name', async () => {
    const m = sequential([scale({ factor: 3 }), dense({ units: 3, activation: 'softmax' })], { inputShape: [12], seed: 4 });
    expect(m.layers[0]!.name).toBe('testScale_1');
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
    await m.fit(DATA.x, DATA.y, { epochs: 1, batchSize: 8, ...SILENT });
    const path = freshPath('custom');
    m.save(path);
    const loaded = loadModel(path);
    expect(loaded.layers[0]!.config).toEqual({ factor: 3 });
    expectSameBits(loaded.getWeights(), m.getWeights());
    expectSameBits([loaded.predict(DATA.x)], [m.predict(DATA.x)]);
  });

  it('its options are checked like a library layer\'s', () => {
    expect(thrown(() => scale({ factor: 1000 })).message).toMatch(/testScale: factor must be a finite number in \[-100, 100\], got 1000/);
    expect(thrown(() => scale({ factr: 1 })).message).toMatch(/unknown option 'factr'/);
  });

  it('an unregistered layer is refused at save, and library names or taken names cannot be registered', () => {
    const loose: Layer<ScaleConfig> = { ...scale({ factor: 2 }), definition: { ...scale().definition } };
    const m = sequential([loose, dense({ units: 1 })], { inputShape: [2], seed: 1 });
    expect(thrown(() => modelToJSON(m)).message).toMatch(/save: the layer 'testScale_1' is a testScale layer that is not registered/);
    expect(thrown(() => registerLayer({ ...scale().definition, type: 'dense' })).message).toMatch(/'dense' is a library layer/);
    expect(thrown(() => registerLayer({ ...scale().definition })).message).toMatch(/another layer is registered as 'testScale'/);
    expect(thrown(() => registerLayer({ ...scale().definition, type: 'bad name' })).message).toMatch(/a layer type is an identifier/);
  });

  it('a layer whose forward pass lies about its shape is a ModelError naming it', () => {
    const liar = registerLayer({
      type: 'testLiar', configure: () => ({}), toJSON: () => ({}), outputShape: (_c, s) => [...s, 2], forward: (_c, x) => ({ output: x }),
    });
    const error = thrown(() => sequential([liar()], { inputShape: [3], seed: 1 }));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/testLiar_1: the testLiar layer declared the output shape \[batch, 3, 2\] but built \[batch, 3\]/);
  });
});

describe('the stabilize pass sees through the layers: the head still fuses with its loss', () => {
  const fused = (m: Sequential): string[] => m.compiled!.training.graph.nodes.filter((n) => hasTrait(n.op, 'fusedLoss')).map((n) => n.op);
  const bodies: readonly [string, () => Layer[]][] = [
    ['flatten', () => [layers.reshape({ targetShape: [3, 4] }), flatten()]],
    ['conv2d and maxPooling2d', () => [layers.reshape({ targetShape: [3, 4, 1] }), layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu' }), maxPooling2d(), flatten()]],
    ['averagePooling2d', () => [layers.reshape({ targetShape: [4, 3, 1] }), averagePooling2d({ padding: 'same' }), flatten()]],
    ['dropout', () => [dense({ units: 5, activation: 'relu' }), dropout({ rate: 0.5 })]],
    ['layerNormalization', () => [dense({ units: 5 }), layerNormalization()]],
    ['batchNormalization', () => [dense({ units: 5 }), batchNormalization(), activation({ activation: 'relu' })]],
  ];
  it.each(bodies)('softmax head after %s: sparse categorical cross-entropy fuses, in training and in evaluate', (name, body) => {
    const m = sequential([...body(), dense({ units: 3, activation: 'softmax', name: 'head' })], { inputShape: [12], seed: 2 });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
    expect(fused(m)).toEqual(['sparseSoftmaxCrossEntropyWithLogits']);
    expect(m.compiled!.inference.graph.nodes.some((n) => n.op === 'sparseSoftmaxCrossEntropyWithLogits')).toBe(true);
    expect(m.explain()).toContain('head: softmax + sparse categorical cross-entropy fused into sparseSoftmaxCrossEntropyWithLogits');
    expect(name).toBeTruthy();
  });

  it.each(bodies)('sigmoid head after %s: binary cross-entropy fuses', (_name, body) => {
    const m = sequential([...body(), dense({ units: 1, activation: 'sigmoid', name: 'head' })], { inputShape: [12], seed: 2 });
    m.compile({ loss: binaryCrossentropy(), optimizer: 'adam' });
    expect(fused(m)).toEqual(['sigmoidCrossEntropyWithLogits']);
    expect(m.explain()).toContain('head: sigmoid + binary cross-entropy fused into sigmoidCrossEntropyWithLogits');
  });

  it('a softmax activation layer after dense fuses too, and is named in explain', () => {
    const m = sequential([dense({ units: 3 }), dropout({ rate: 0.1 }), activation({ activation: 'softmax', name: 'probs' })], { inputShape: [12], seed: 2 });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
    expect(fused(m)).toEqual(['sparseSoftmaxCrossEntropyWithLogits']);
    expect(m.explain()).toContain('probs: softmax + sparse categorical cross-entropy fused');
    expect(m.warnings).toEqual([]);
  });
});
