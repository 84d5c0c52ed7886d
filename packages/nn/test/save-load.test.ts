/**
 * Saving and loading: a bit-exact round trip of weights, predictions and optimizer state (so a
 * loaded model resumes training exactly as the original goes on), float64 and uncompiled models;
 * every malformed file a `ModelFormatError` naming the file and the JSON path; and nothing read
 * from a file is ever run as code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adam, dense, type DenseConfig, loadModel, MODEL_FORMAT, MODEL_VERSION, modelFromJSON, ModelFormatError, modelToJSON, type Sequential, sequential, sgd,
  sparseCategoricalCrossentropy, binaryAccuracy, binaryCrossentropy, meanSquaredError,
} from '@stablegrad/nn';
import { afterAll, describe, expect, it } from 'vitest';
import { blobs, expectSameBits, SILENT, thrown } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (name = 'model') => join(dir, `${name}-${++files}.json`);

const DATA = blobs(20, 3, 3, 4);

function classifier(options: { dtype?: 'float32' | 'float64'; optimizer?: 'adam' | 'momentum' } = {}): Sequential {
  const m = sequential([
    dense({ units: 4, activation: 'relu', kernelInitializer: 'heNormal' }),
    dense({ units: 3, activation: 'softmax', useBias: false, name: 'classes' }),
  ], { inputShape: [3], dtype: options.dtype ?? 'float32', seed: 17, name: 'tiny' });
  const optimizer = options.optimizer === 'momentum' ? sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }) : adam({ learningRate: 0.05 });
  m.compile({ loss: sparseCategoricalCrossentropy({ labelSmoothing: 0.1 }), optimizer, metrics: ['accuracy'] });
  return m;
}

/** Every optimizer slot, flattened, for bit comparisons. */
function slots(m: Sequential): number[][] {
  const state = m.compiled!.state;
  return Object.keys(state.slots).sort().flatMap((name) => state.slots[name]!.map((a) => Array.from(a)));
}

describe('round trip', () => {
  it.each([
    ['float32', 'adam'], ['float64', 'adam'], ['float32', 'momentum'],
  ] as const)('%s with %s: weights, predictions and optimizer state bit for bit; training resumes identically', async (dtype, optimizer) => {
    const original = classifier({ dtype, optimizer });
    await original.fit(DATA.x, DATA.y, { epochs: 2, batchSize: 6, ...SILENT });
    const path = freshPath();
    original.save(path);
    const loaded = loadModel(path);

    expect([loaded.name, loaded.dtype, loaded.seed, loaded.inputShape]).toEqual(['tiny', dtype, 17, [3]]);
    expect(loaded.layers.map((l) => [l.name, (l.config as DenseConfig).activation, (l.config as DenseConfig).useBias, (l.config as DenseConfig).kernelInitializer.name])).toEqual([
      ['dense_1', 'relu', true, 'heNormal'], ['classes', 'softmax', false, 'glorotUniform'],
    ]);
    expectSameBits(loaded.getWeights(), original.getWeights());
    expectSameBits([loaded.predict(DATA.x)], [original.predict(DATA.x)]);
    expect(loaded.compiled!.loss.config).toEqual(original.compiled!.loss.config);
    expect(loaded.compiled!.optimizer.config).toEqual(original.compiled!.optimizer.config);
    expect(loaded.compiled!.metrics.map((m) => m.name)).toEqual(['accuracy']);
    expect(loaded.compiled!.state.iterations).toBe(original.compiled!.state.iterations);
    expect(slots(loaded).length).toBeGreaterThan(0);
    expectSameBits(slots(loaded), slots(original));

    // One more epoch on both, same options (shuffled, as by default): the same weights.
    const next = { epochs: 1, batchSize: 6, ...SILENT };
    const a = await original.fit(DATA.x, DATA.y, next);
    const b = await loaded.fit(DATA.x, DATA.y, next);
    expect(b.history).toEqual(a.history);
    expectSameBits(loaded.getWeights(), original.getWeights());
    expectSameBits(slots(loaded), slots(original));
  });

  it('an uncompiled model: layers and weights, no compile settings', () => {
    const m = sequential([dense({ units: 2, activation: 'tanh' })], { inputShape: [3], seed: 8 });
    const path = freshPath();
    m.save(path);
    const loaded = loadModel(path);
    expect(loaded.compiled).toBeUndefined();
    expectSameBits(loaded.getWeights(), m.getWeights());
    expectSameBits([loaded.predict(DATA.x)], [m.predict(DATA.x)]);
    expect(modelToJSON(loaded).compile).toBeNull();
  });

  it('modelToJSON / modelFromJSON: plain JSON data, the same model', () => {
    const m = classifier();
    const json = JSON.parse(JSON.stringify(modelToJSON(m))) as ReturnType<typeof modelToJSON>;
    expect(json.format).toBe(MODEL_FORMAT);
    expect(json.version).toBe(MODEL_VERSION);
    expect(json.weights.map((w) => [w.path, w.shape])).toEqual([['dense_1/kernel', [3, 4]], ['dense_1/bias', [4]], ['classes/kernel', [4, 3]]]);
    expectSameBits(modelFromJSON(json).getWeights(), m.getWeights());
    // Base64 of little-endian float32: 4 bytes per value.
    expect(Buffer.from(json.weights[0]!.data, 'base64').length).toBe(12 * 4);
  });
});

// ---- malformed files -----------------------------------------------------------------------------

type Json = { [key: string]: unknown };
/** A valid saved model as mutable JSON, with optimizer state. */
async function savedJSON(): Promise<Json> {
  const m = classifier();
  await m.fit(DATA.x, DATA.y, { epochs: 1, batchSize: 10, ...SILENT });
  return JSON.parse(JSON.stringify(modelToJSON(m))) as Json;
}
const base = await savedJSON();
const edited = (edit: (json: Json) => void): Json => {
  const json = structuredClone(base);
  edit(json);
  return json;
};
const at = (json: Json, ...keys: (string | number)[]): Json => keys.reduce<Json>((o, k) => o[k] as Json, json);
const base64Of = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');

/** Writes `contents` to a file and loads it: the ModelFormatError, starting with the file and `path`. */
function loadError(contents: string | Json): ModelFormatError {
  const file = freshPath('broken');
  writeFileSync(file, typeof contents === 'string' ? contents : JSON.stringify(contents));
  const error = thrown(() => loadModel(file));
  if (!(error instanceof ModelFormatError)) return expect.fail(`expected a ModelFormatError, got ${String(error)}`);
  expect(error.message.startsWith(`${file}: `)).toBe(true);
  return error;
}

describe('malformed files: ModelFormatError naming the file and the JSON path', () => {
  it('the base file loads (the cases below change one thing each)', () => {
    const file = freshPath();
    writeFileSync(file, JSON.stringify(base));
    expect(loadModel(file).compiled?.state.iterations).toBe(2);
  });

  it('a missing file', () => {
    const error = thrown(() => loadModel(join(dir, 'nowhere.json')));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toMatch(/nowhere\.json: cannot read the file/);
  });

  it('not JSON', () => {
    expect(loadError('{"format": "stablegrad-model", ').message).toMatch(/: not JSON: /);
  });

  const cases: readonly [string, (json: Json) => void, string, RegExp?][] = [
    ['a wrong format tag', (j) => { j.format = 'keras'; }, '$.format', /expected "stablegrad-model", found the string "keras"/],
    ['a wrong version', (j) => { j.version = 3; }, '$.version', /reads versions 1 and 2, found number 3/],
    ['missing layers', (j) => { delete j.layers; }, '$.layers', /expected an array, found nothing/],
    ['a layer that is not an object', (j) => { (j.layers as unknown[])[1] = 'dense'; }, '$.layers[1]', /expected an object/],
    ['an unknown layer type', (j) => { at(j, 'layers', 0).type = 'noSuchLayer'; }, '$.layers[0].type', /the layer type the string "noSuchLayer" is not registered/],
    ['an unknown activation', (j) => { at(j, 'layers', 0).activation = 'gelu'; }, '$.layers[0].activation', /unknown activation "gelu"/],
    ['units 0', (j) => { at(j, 'layers', 0).units = 0; }, '$.layers[0].units', /positive integer/],
    ['units 2.5', (j) => { at(j, 'layers', 0).units = 2.5; }, '$.layers[0].units'],
    ['an unknown initializer', (j) => { at(j, 'layers', 0).kernelInitializer = 'orthogonal'; }, '$.layers[0].kernelInitializer'],
    ['useBias "yes"', (j) => { at(j, 'layers', 0).useBias = 'yes'; }, '$.layers[0].useBias'],
    ['an input shape of 0 features', (j) => { j.inputShape = [0]; }, '$.inputShape[0]'],
    ['a dtype of int32', (j) => { j.dtype = 'int32'; }, '$.dtype'],
    ['a seed of 1.5', (j) => { j.seed = 1.5; }, '$.seed'],
    ['a missing weight', (j) => { (j.weights as unknown[]).pop(); }, '$.weights', /expected 3 weights for these layers \(dense_1\/kernel, dense_1\/bias, classes\/kernel\), found 2/],
    ['a weight of the wrong shape', (j) => { at(j, 'weights', 0).shape = [4, 3]; }, '$.weights[0].shape', /'dense_1\/kernel' is \[3, 4\]/],
    ['a weight of another dtype', (j) => { at(j, 'weights', 0).dtype = 'float64'; }, '$.weights[0].dtype'],
    ['weight data of the wrong length', (j) => { at(j, 'weights', 1).data = base64Of(new Float32Array(3)); }, '$.weights[1].data', /expected 4 float32 values \(16 bytes, 24 base64 characters\), found 16 characters/],
    ['weight data that is not base64', (j) => { at(j, 'weights', 1).data = 'not base64!~~~~~~~~~~~~~'; }, '$.weights[1].data', /expected base64 text/],
    ['a NaN weight', (j) => { at(j, 'weights', 1).data = base64Of(Float32Array.of(0, 1, NaN, 2)); }, '$.weights[1].data', /value 2 is NaN/],
    ['an infinite weight', (j) => { at(j, 'weights', 1).data = base64Of(Float32Array.of(0, -Infinity, 1, 2)); }, '$.weights[1].data', /value 1 is -Infinity/],
    ['an unknown loss name', (j) => { at(j, 'compile', 'loss').name = 'hinge'; }, '$.compile.loss', /unknown loss "hinge"/],
    ['a loss field of the wrong type', (j) => { at(j, 'compile', 'loss').labelSmoothing = '0.1'; }, '$.compile.loss', /labelSmoothing/],
    ['a bad optimizer field', (j) => { at(j, 'compile', 'optimizer').learningRate = -1; }, '$.compile.optimizer', /adam: learningRate must be a number in \(0, Infinity\), got -1/],
    ['an optimizer field of the wrong type', (j) => { at(j, 'compile', 'optimizer').beta1 = '0.9'; }, '$.compile.optimizer', /adam: beta1/],
    ['an unknown optimizer', (j) => { at(j, 'compile', 'optimizer').name = 'adadelta'; }, '$.compile.optimizer', /unknown optimizer "adadelta"/],
    ['an unknown metric', (j) => { at(j, 'compile').metrics = ['f1']; }, '$.compile.metrics[0]'],
    ['stabilize "no"', (j) => { at(j, 'compile').stabilize = 'no'; }, '$.compile.stabilize'],
    ['an optimizer slot of the wrong length', (j) => { (at(j, 'optimizerState', 'slots').m as string[])[0] = base64Of(new Float32Array(2)); }, '$.optimizerState.slots.m[0]'],
    ['an optimizer slot for a missing weight', (j) => { (at(j, 'optimizerState', 'slots').m as string[]).push(base64Of(new Float32Array(1))); }, '$.optimizerState.slots.m', /expected one array per weight \(3\), found 4/],
    ['a slot this optimizer does not have', (j) => { at(j, 'optimizerState', 'slots').velocity = at(j, 'optimizerState', 'slots').m; }, '$.optimizerState.slots', /adam keeps the slots \[m, v\], found \[m, v, velocity\]/],
    ['a missing optimizer slot', (j) => { delete at(j, 'optimizerState', 'slots').v; }, '$.optimizerState.slots', /adam keeps the slots \[m, v\], found \[m\]/],
    ['iterations 1.5', (j) => { at(j, 'optimizerState').iterations = 1.5; }, '$.optimizerState.iterations'],
  ];
  it.each(cases)('%s', (_name, edit, path, detail) => {
    const error = loadError(edited(edit));
    expect(error.message).toContain(`: ${path}: `);
    if (detail !== undefined) expect(error.message).toMatch(detail);
  });

  it('a root that is not an object', () => {
    expect(loadError('[1, 2]').message).toMatch(/: \$: expected an object, found an array/);
  });
});

describe('loading never executes code', () => {
  it('code in an activation, an initializer or a layer name is rejected as an unknown value', () => {
    const code = 'process.exit(1)';
    for (const [field, path] of [['activation', 'activation'], ['kernelInitializer', 'kernelInitializer'], ['name', '']] as const) {
      const error = loadError(edited((j) => { at(j, 'layers', 0)[field] = code; }));
      expect(error.message).toContain(`$.layers[0]${path === '' ? '' : `.${path}`}: `);
    }
  });

  it('prototype names are not found on prototypes', () => {
    for (const [edit, path] of [
      [(j: Json) => { at(j, 'layers', 0).activation = 'constructor'; }, '$.layers[0].activation'],
      [(j: Json) => { at(j, 'layers', 0).biasInitializer = '__proto__'; }, '$.layers[0].biasInitializer'],
      [(j: Json) => { at(j, 'compile', 'loss').name = 'toString'; }, '$.compile.loss'],
      [(j: Json) => { at(j, 'compile').metrics = ['constructor']; }, '$.compile.metrics[0]'],
      [(j: Json) => { at(j, 'optimizerState', 'slots')['constructor'] = [at(j, 'weights', 0).data]; }, '$.optimizerState.slots'],
      [(j: Json) => { at(j, 'optimizerState', 'slots')['toString'] = []; }, '$.optimizerState.slots'],
    ] as const) {
      expect(loadError(edited(edit)).message).toContain(`: ${path}: `);
    }
  });

  it('a free-text field holding code is kept as text, and a __proto__ key pollutes nothing (it is an unknown field)', () => {
    const code = "require('child_process').execSync('touch /tmp/pwned')";
    const file = freshPath();
    writeFileSync(file, JSON.stringify(edited((j) => { j.name = code; })));
    expect(loadModel(file).name).toBe(code);
    writeFileSync(file, JSON.stringify(edited((j) => { j.name = code; })).replace(/^\{/, '{"__proto__": {"polluted": true}, '));
    expect(loadError(readFileSync(file, 'utf8')).message).toContain(': $.__proto__: unknown field');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('compile settings that are objects or run-time choices', () => {
  it('keeps backend, matmul and library metric objects (a binaryAccuracy with its threshold and name)', async () => {
    const x = DATA.x.map((row) => row.map((v) => v / 4));
    const y = DATA.y.map((label) => (label === 0 ? 1 : 0));
    const m = sequential([dense({ units: 2, activation: 'relu' }), dense({ units: 1, activation: 'sigmoid' })], { inputShape: [3], seed: 5 });
    m.compile({ loss: binaryCrossentropy(), optimizer: adam(), metrics: [binaryAccuracy({ threshold: 0.7, name: 'acc70' }), 'accuracy'], backend: 'compiled', matmul: 'exact' });
    await m.fit(x, y, { epochs: 1, batchSize: 5, ...SILENT });
    const path = freshPath();
    m.save(path);
    const loaded = loadModel(path);
    expect([loaded.compiled!.backend, loaded.compiled!.matmul]).toEqual(['compiled', 'exact']);
    expect(loaded.compiled!.metrics.map((metric) => metric.name)).toEqual(['acc70', 'accuracy']);
    expect(loaded.compiled!.metrics[0]!.config).toEqual({ kind: 'binaryAccuracy', name: 'acc70', threshold: 0.7 });
    expect(loaded.evaluate(x, y)).toEqual(m.evaluate(x, y));
  });

  it('refuses a custom loss or metric object, which the file could not rebuild, naming it', () => {
    const custom = sequential([dense({ units: 1 })], { inputShape: [3], seed: 5 });
    const mse = meanSquaredError();
    custom.compile({ loss: { ...mse, build: (t, p) => p.sub(t).abs().mean() }, optimizer: adam() });
    expect(() => custom.save(freshPath())).toThrow(/save: the loss is a custom object/);
    const withMetric = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [3], seed: 5 });
    withMetric.compile({ loss: binaryCrossentropy(), optimizer: adam(), metrics: [{ name: 'mine', measure: () => ({ sum: 0, count: 1 }) }] });
    expect(() => withMetric.save(freshPath())).toThrow(/save: the metric 'mine' is a custom object/);
  });
});
