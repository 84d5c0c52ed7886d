/**
 * Model files that cannot hurt the process, and saves that cannot lose a checkpoint (issue 11):
 * hostile sizes are refused by arithmetic before any allocation, the optimizer state is checked,
 * `save` refuses what `loadModel` would refuse and leaves the old file untouched, unwritable
 * paths are a typed error, and custom optimizers are saved only under a registered name.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adam, dense, FileWriteError, loadModel, ModelError, modelFromJSON, ModelFormatError, modelToJSON, type Optimizer, registerOptimizer,
  type Sequential, sequential, sgd,
} from '@stablegrad/nn';
import { afterAll, describe, expect, it } from 'vitest';
import { blobs, expectSameBits, SILENT, thrown } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (name = 'model') => join(dir, `${name}-${++files}.json`);
const DATA = blobs(12, 3, 2, 9);

type Json = { [key: string]: unknown };

function trained(): Sequential {
  const m = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 2, activation: 'softmax' })], { inputShape: [3], seed: 3 });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: adam({ learningRate: 0.01 }) });
  return m;
}

function fileOf(m: Sequential): Json {
  return JSON.parse(JSON.stringify(modelToJSON(m))) as Json;
}

function formatError(json: unknown, options = {}): ModelFormatError {
  const error = thrown(() => modelFromJSON(json, 'file.json', options));
  if (!(error instanceof ModelFormatError)) return expect.fail(`expected a ModelFormatError, got ${String(error)}`);
  return error;
}

function base64Of(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

describe('sizes are checked by arithmetic before anything is allocated', () => {
  // The file of the issue: under 1 KB, declaring a 20000 x 20000 kernel (1.6 GB of float32).
  const hostile = (): Json => {
    const json = fileOf(trained());
    json.inputShape = [20000];
    json.layers = [{ ...(json.layers as Json[])[0], units: 20000 }];
    json.weights = (json.weights as Json[]).slice(0, 2);
    json.optimizerState = null;
    return json;
  };

  it('the 1 KB file declaring inputShape [20000] and units 20000 is a ModelFormatError at the limit', () => {
    const file = freshPath('hostile');
    writeFileSync(file, JSON.stringify(hostile()));
    expect(readFileSync(file).length).toBeLessThan(1024);
    const error = thrown(() => loadModel(file));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toBe(`${file}: $.layers[0].units: 'dense_1/kernel' [20000, 20000] brings the model to 400,000,000 weights or more, above maxParams = 100,000,000 (a load option)`);
  });

  it('with a limit raised past it, the weights the file holds do not match the sizes it declares', () => {
    const json = hostile();
    json.inputShape = [10000];
    expect(formatError(json, { maxParams: 1e9 }).message).toBe("file.json: $.weights[0].shape: 'dense_1/kernel' is [10000, 20000] in these layers, found [3, 4]");
    (json.weights as Json[])[0]!.shape = [10000, 20000];
    expect(formatError(json, { maxParams: 1e9 }).message).toBe('file.json: $.weights[0].data: expected 200000000 float32 values (800000000 bytes, 1066666668 base64 characters), found 64 characters');
    // The over-limit file still names the tensor limit.
    expect(formatError(hostile(), { maxParams: 1e9 }).message).toMatch(/\$\.layers\[0\]\.units: 'dense_1\/kernel' \[20000, 20000\] would hold 400,000,000 values, more than one tensor may hold/);
  });

  it('a kernel above what one tensor may hold is refused even under a huge maxParams', () => {
    const json = hostile();
    json.inputShape = [1e9];
    expect(formatError(json, { maxParams: 2 ** 52 }).message).toMatch(/\$\.inputShape\[0\]: 'dense_1\/kernel' \[1000000000, 20000\] would hold .* more than one tensor may hold/);
  });

  it('maxBytes is checked before the file is read, maxLayers before the layers are built', () => {
    const file = freshPath();
    trained().save(file);
    expect(thrown(() => loadModel(file, { maxBytes: 100 })).message).toMatch(/: the file is [\d,]+ bytes, above maxBytes = 100 \(a loadModel option\)$/);
    expect(formatError(fileOf(trained()), { maxLayers: 1 }).message).toBe('file.json: $.layers: 2 layers, above maxLayers = 1 (a load option)');
    expect(thrown(() => loadModel(file, { maxParams: -1 }))).toBeInstanceOf(ModelError);
    expect(thrown(() => loadModel(file, { maxWeights: 1 } as object)).message).toMatch(/loadModel: unknown option 'maxWeights'/);
  });

  it.each([
    ['inputShape [1e9]', () => sequential([dense({ units: 25 })], { inputShape: [1e9] }), /sequential: 'dense_1\/kernel' \[1000000000, 25\] brings the model to 25,000,000,000 weights or more, above maxParams = 100,000,000/],
    ['units 1e9', () => sequential([dense({ units: 1e9 })], { inputShape: [1] }), /'dense_1\/kernel' \[1, 1000000000\] brings the model to 1,000,000,000 weights/],
    ['units 1e9 under a huge maxParams', () => sequential([dense({ units: 1e9 })], { inputShape: [1], maxParams: 2 ** 52 }), /'dense_1\/kernel' \[1, 1000000000\] would hold 1,000,000,000 values, more than the 268,435,456 one tensor may hold/],
    ['units 1e20', () => dense({ units: 1e20 }), /dense: units must be a positive integer, got 100000000000000000000/],
    ['a small maxParams', () => sequential([dense({ units: 3 })], { inputShape: [4], maxParams: 10 }), /'dense_1\/kernel' \[4, 3\] brings the model to 12 weights or more, above maxParams = 10/],
  ])('%s is a ModelError, not a RangeError', (_name, make, message) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });

  it('the model is built once, from the file (a file whose seed would draw other weights loads its own)', () => {
    const m = trained();
    const json = fileOf(m);
    json.seed = 999;
    expectSameBits(modelFromJSON(json).getWeights(), m.getWeights());
  });
});

describe('optimizer state is checked on load', () => {
  const withState = async (): Promise<Json> => {
    const m = trained();
    await m.fit(DATA.x, DATA.y, { epochs: 1, batchSize: 4, ...SILENT });
    return fileOf(m);
  };
  const slots = (json: Json) => (json.optimizerState as Json).slots as { [slot: string]: string[] };

  it('iterations -1 is a ModelFormatError (it turned every weight NaN on the next fit)', async () => {
    const json = await withState();
    (json.optimizerState as Json).iterations = -1;
    expect(formatError(json).message).toBe('file.json: $.optimizerState.iterations: expected the number of steps taken (an integer >= 0), found -1');
  });

  it('a negative Adam second moment is a ModelFormatError; a negative first moment is fine', async () => {
    const json = await withState();
    slots(json).v![1] = base64Of(Float32Array.of(0, -1e-8, 0, 0));
    expect(formatError(json).message).toBe("file.json: $.optimizerState.slots.v[1]: value 1 is -9.99999993922529e-9; adam's 'v' is a mean of squares, never negative");
    const fine = await withState();
    slots(fine).m![1] = base64Of(Float32Array.of(0, -1e-8, 0, 0));
    expect(modelFromJSON(fine).compiled!.state.slots.m![1]![1]).toBe(Math.fround(-1e-8));
  });

  it('a NaN or infinite moment, or a slot without compile settings, is a ModelFormatError', async () => {
    const json = await withState();
    slots(json).m![0] = base64Of(new Float32Array(12).fill(Infinity));
    expect(formatError(json).message).toMatch(/\$\.optimizerState\.slots\.m\[0\]: value 0 is Infinity/);
    const orphan = await withState();
    orphan.compile = null;
    expect(formatError(orphan).message).toMatch(/\$\.optimizerState: optimizer state without compile settings/);
  });
});

describe('save refuses what load would refuse, and leaves the old file untouched', () => {
  it('non-finite weights (after a TrainingError) are a ModelError; the last good file survives byte for byte', async () => {
    const m = trained();
    const file = freshPath();
    m.save(file);
    const good = readFileSync(file);
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: sgd({ learningRate: 1e38 }) });
    await expect(m.fit(DATA.x.map((r) => r.map((v) => v * 1e30)), DATA.y, { epochs: 3, ...SILENT })).rejects.toThrow(/TrainingError|became|update/);
    const error = thrown(() => m.save(file));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/^save: 'dense_1\/(kernel|bias)' has (NaN|-?Infinity) at element \d+; a model file holds finite values only .* the model is not saved and the file is untouched$/);
    expect(readFileSync(file).equals(good)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a missing directory, a directory as the path and a file as the directory are FileWriteErrors', () => {
    const m = trained();
    const missing = join(dir, 'no-such-dir', 'm.json');
    const error = thrown(() => m.save(missing));
    expect(error).toBeInstanceOf(FileWriteError);
    expect(error.message).toBe(`save: cannot write ${missing}: the directory ${join(dir, 'no-such-dir')} does not exist`);
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect(thrown(() => m.save(sub)).message).toBe(`save: cannot write ${sub}: it is a directory`);
    const plain = freshPath();
    writeFileSync(plain, 'x');
    expect(thrown(() => m.save(join(plain, 'm.json'))).message).toBe(`save: cannot write ${join(plain, 'm.json')}: ${plain} is not a directory`);
    expect(existsSync(sub)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a save over an existing file replaces it whole', () => {
    const file = freshPath();
    trained().save(file);
    const other = sequential([dense({ units: 1 })], { inputShape: [3], seed: 4 });
    other.save(file);
    expectSameBits(loadModel(file).getWeights(), other.getWeights());
  });
});

describe('custom optimizers: saved by a registered name, or refused', () => {
  const custom = (name: string, learningRate = 0.1): Optimizer => ({
    config: { name, learningRate } as unknown as Optimizer['config'],
    createState: () => ({ iterations: 0, slots: {} }),
    step(state, values, gradients) {
      values.forEach((w, p) => { for (let i = 0; i < w.length; i++) w[i] = w[i]! - learningRate * gradients[p]![i]! * 0.5; });
      state.iterations++;
    },
  });

  it("a custom optimizer named 'adam' is refused at save (it would resume as the library's Adam)", () => {
    const m = trained();
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: custom('adam') });
    const file = freshPath();
    const error = thrown(() => m.save(file));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/^save: the optimizer is a custom object whose config is named 'adam', but adam\(\) did not make it/);
    expect(existsSync(file)).toBe(false);
  });

  it('an unregistered one is refused; a registered one round-trips and resumes with its own update', async () => {
    const m = trained();
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: custom('halfSgd') });
    expect(thrown(() => m.save(freshPath())).message).toMatch(/the optimizer 'halfSgd' is a custom object that is not registered.*registerOptimizer\('halfSgd', fromConfig\)/);
    registerOptimizer('halfSgd', (config) => custom('halfSgd', Number(config.learningRate)));
    await m.fit(DATA.x, DATA.y, { epochs: 1, batchSize: 4, ...SILENT });
    const file = freshPath();
    m.save(file);
    const loaded = loadModel(file);
    expect(loaded.compiled!.optimizer.config).toEqual({ name: 'halfSgd', learningRate: 0.1 });
    const next = { epochs: 1, batchSize: 4, ...SILENT };
    await m.fit(DATA.x, DATA.y, next);
    await loaded.fit(DATA.x, DATA.y, next);
    expectSameBits(loaded.getWeights(), m.getWeights());
  });

  it("the library's names cannot be registered; a file naming an unknown optimizer is a ModelFormatError", () => {
    expect(thrown(() => registerOptimizer('adam', () => adam())).message).toMatch(/'adam' is the library's optimizer/);
    const json = fileOf(trained());
    (json.compile as Json).optimizer = { name: 'adadelta', learningRate: 0.1 };
    expect(formatError(json).message).toMatch(/\$\.compile\.optimizer: unknown optimizer "adadelta"/);
  });

  it('a file cannot smuggle an object with code where a config belongs', () => {
    const json = fileOf(trained());
    (json.compile as Json).loss = { name: 'meanSquaredError', build: 'process.exit(1)' };
    expect(formatError(json).message).toBe('file.json: $.compile.loss.build: a saved loss is a config (name and options)');
    const other = fileOf(trained());
    (other.compile as Json).optimizer = { name: 'adam', step: 'process.exit(1)' };
    expect(formatError(other).message).toBe('file.json: $.compile.optimizer.step: a saved optimizer is a config (name and settings)');
  });

  it('unknown settings in a saved optimizer config are refused, not ignored', () => {
    const json = fileOf(trained());
    (json.compile as Json).optimizer = { name: 'adam', learningRate: 0.01, beta_1: 0.5 };
    expect(formatError(json).message).toMatch(/\$\.compile\.optimizer: adam: unknown option 'beta_1'/);
  });
});
