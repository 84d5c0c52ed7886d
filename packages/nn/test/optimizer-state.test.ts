/**
 * The optimizer state in model files (issue 13): every optimizer, in both conventions and both
 * dtypes, saves and loads its slots, scalars (Nadam's `muProduct`), step count and current
 * learning rate exactly, and a loaded model trains on exactly as the original; files written
 * before issue 13 still load and resume with Keras' updates; and the loader checks the new
 * fields of a hostile file (ModelFormatError naming the JSON path), as it checks the others.
 */
import { readFileSync } from 'node:fs';
import {
  adagrad, adam, adamW, cosineDecay, dense, loadModel, ModelError, modelFromJSON, ModelFormatError, modelToJSON, nadam, type Optimizer, rmsprop,
  type Sequential, sequential, sgd,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { blobs, expectClose, expectSameBits, thrown } from './helpers.js';

type Json = { [key: string]: unknown };
const DATA = blobs(12, 3, 3, 5);

const OPTIMIZERS: readonly [string, () => Optimizer][] = [
  ['keras sgd nesterov', () => sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['pytorch sgd dampening', () => sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.9, dampening: 0.2, clipNorm: 1 })],
  ['keras adam amsgrad', () => adam({ learningRate: 0.05, amsgrad: true, globalClipNorm: 2 })],
  ['pytorch adam', () => adam({ convention: 'pytorch', learningRate: 0.05, weightDecay: 0.01 })],
  ['keras adamW', () => adamW({ learningRate: 0.05 })],
  ['pytorch adamW amsgrad', () => adamW({ convention: 'pytorch', learningRate: 0.05, amsgrad: true })],
  ['keras rmsprop centered momentum', () => rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5, clipValue: 0.5 })],
  ['pytorch rmsprop centered momentum', () => rmsprop({ convention: 'pytorch', centered: true, momentum: 0.5 })],
  ['keras adagrad', () => adagrad({ learningRate: 0.1 })],
  ['pytorch adagrad', () => adagrad({ convention: 'pytorch', learningRate: 0.1, learningRateDecay: 0.01 })],
  ['keras nadam', () => nadam({ learningRate: 0.01 })],
  ['pytorch nadam on a schedule', () => nadam({ convention: 'pytorch', learningRate: cosineDecay({ initialLearningRate: 0.02, decaySteps: 20, warmupTarget: 0.05, warmupSteps: 3 }) })],
];

function model(optimizer: Optimizer, dtype: 'float32' | 'float64'): Sequential {
  const m = sequential([dense({ units: 4, activation: 'tanh' }), dense({ units: 3, activation: 'softmax' })], { inputShape: [3], seed: 6, dtype });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer, metrics: ['accuracy'] });
  return m;
}
const roundTrip = (m: Sequential) => modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(m))));
const stateOf = (m: Sequential) => {
  const { iterations, learningRate, slots, scalars } = m.compiled!.state;
  return { iterations, learningRate, scalars, slots: Object.fromEntries(Object.entries(slots).map(([k, arrays]) => [k, arrays.map((a) => Array.from(a))])) };
};

describe('every optimizer\'s state round-trips exactly, and training resumes bit for bit', () => {
  it.each(OPTIMIZERS.flatMap(([name, make]) => (['float32', 'float64'] as const).map((dtype) => [`${name}, ${dtype}`, make, dtype] as const)))('%s', async (_name, make, dtype) => {
    const fit = { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 } as const;
    const original = model(make(), dtype);
    await original.fit(DATA.x, DATA.y, fit);
    if (original.optimizer.schedule === undefined) original.optimizer.learningRate *= 0.5; // as a callback would
    const loaded = roundTrip(original);
    expect(loaded.compiled!.optimizer.config).toEqual(original.compiled!.optimizer.config);
    expect(stateOf(loaded)).toEqual(stateOf(original));
    for (const [slot, arrays] of Object.entries(original.compiled!.state.slots)) expectSameBits(loaded.compiled!.state.slots[slot]!.map((a) => Array.from(a)), arrays.map((a) => Array.from(a)));
    await original.fit(DATA.x, DATA.y, fit);
    await loaded.fit(DATA.x, DATA.y, fit);
    expectSameBits(loaded.getWeights(), original.getWeights());
    expect(stateOf(loaded)).toEqual(stateOf(original));
  });

  it('the file holds the slots of each form, the rate, and Nadam\'s product', async () => {
    const file = async (optimizer: Optimizer) => {
      const m = model(optimizer, 'float64');
      await m.fit(DATA.x, DATA.y, { batchSize: 6, verbose: 0 });
      return JSON.parse(JSON.stringify(modelToJSON(m))) as { optimizerState: { learningRate?: number; slots: Json; scalars?: Json } };
    };
    expect(Object.keys((await file(sgd({ momentum: 0.9 }))).optimizerState.slots)).toEqual(['velocity']);
    expect(Object.keys((await file(sgd({ convention: 'pytorch', momentum: 0.9 }))).optimizerState.slots)).toEqual(['momentumBuffer']);
    expect(Object.keys((await file(rmsprop({ centered: true, momentum: 0.5 }))).optimizerState.slots)).toEqual(['meanSquare', 'meanGradient', 'momentum']);
    const nadamFile = await file(nadam());
    expect(nadamFile.optimizerState.learningRate).toBe(0.001);
    // Two steps of Keras' product: b1 (1 - 0.5 * 0.96^1) * b1 (1 - 0.5 * 0.96^2).
    expectClose(nadamFile.optimizerState.scalars!.muProduct as number, 0.9 * 0.52 * 0.9 * (1 - 0.5 * 0.9216), 1e-15);
  });
});

describe('files written before issue 13 still load, as Keras\' optimizers, and resume with Keras\' updates', () => {
  const fixture = (name: string) => new URL(`fixtures/${name}`, import.meta.url).pathname;

  it('adam: config, state, and one more step by Keras\' formula from the loaded moments', () => {
    const m = loadModel(fixture('v1-adam.model.json'));
    expect(m.compiled!.optimizer.config).toMatchObject({ name: 'adam', convention: 'keras', learningRate: 0.01, epsilon: 1e-7, amsgrad: false, weightDecay: 0 });
    expect(m.optimizer.learningRate).toBe(0.01);
    const t = m.optimizer.iterations + 1;
    expect(t).toBe(7); // 3 epochs of 2 batches were saved
    // Copies: the state's arrays are updated in place by the step.
    const [m0, v0] = [Float32Array.from(m.compiled!.state.slots.m![0]!), Float32Array.from(m.compiled!.state.slots.v![0]!)];
    const [w0] = m.getWeights();
    const x = [[0.1, 0.2, 0.3], [-1, 0.5, 0]];
    const { gradients: [g] } = m.computeGradients(x, [2, 0]);
    m.trainOnBatch(x, [2, 0]);
    const alpha = (0.01 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
    const [w1] = m.getWeights();
    for (let i = 0; i < w1!.data.length; i++) {
      const mi = Math.fround(0.9 * m0![i]! + 0.1 * g!.data[i]!);
      const vi = Math.fround(0.999 * v0![i]! + 0.001 * g!.data[i]! ** 2);
      expect(w1!.data[i], `kernel ${i}`).toBe(Math.fround(w0!.data[i]! - (alpha * mi) / (Math.sqrt(vi) + 1e-7)));
    }
  });

  it('sgd with Nesterov momentum: config, velocity, and one more step by Keras\' formula', () => {
    const m = loadModel(fixture('v1-sgd-momentum.model.json'));
    expect(m.compiled!.optimizer.config).toMatchObject({ name: 'sgd', convention: 'keras', learningRate: 0.05, momentum: 0.9, nesterov: true });
    const velocity = Array.from(m.compiled!.state.slots.velocity![1]!);
    const [, b0] = m.getWeights();
    const x = [[1, 2, 3]];
    const y = [[0.5, -0.5]];
    const { gradients: [, g] } = m.computeGradients(x, y);
    m.trainOnBatch(x, y);
    const [, b1] = m.getWeights();
    velocity.forEach((v, i) => {
      const next = 0.9 * v - 0.05 * g!.data[i]!;
      expect(b1!.data[i]).toBe(b0!.data[i]! + 0.9 * next - 0.05 * g!.data[i]!);
    });
  });
});

describe('hostile optimizer state and settings are ModelFormatErrors naming the JSON path', () => {
  const fileOf = async (optimizer: Optimizer): Promise<Json> => {
    const m = model(optimizer, 'float32');
    await m.fit(DATA.x, DATA.y, { batchSize: 6, verbose: 0 });
    return JSON.parse(JSON.stringify(modelToJSON(m))) as Json;
  };
  const state = (json: Json) => json.optimizerState as Json;
  const formatError = (json: unknown): string => {
    const error = thrown(() => modelFromJSON(json, 'file.json'));
    if (!(error instanceof ModelFormatError)) return expect.fail(`expected a ModelFormatError, got ${String(error)}`);
    return error.message;
  };

  it.each([
    ['a negative learning rate', (j: Json) => { state(j).learningRate = -0.1; }, /^file\.json: \$\.optimizerState\.learningRate: expected the learning rate of the next step \(a finite number > 0\), found number -0\.1$/],
    ['a learning rate of 0', (j: Json) => { state(j).learningRate = 0; }, /\$\.optimizerState\.learningRate: .*found number 0$/],
    ['an infinite learning rate', (j: Json) => { state(j).learningRate = JSON.parse('1e400') as number; }, /\$\.optimizerState\.learningRate: .*found number Infinity$/],
    ['a learning rate as text', (j: Json) => { state(j).learningRate = '0.1'; }, /\$\.optimizerState\.learningRate: .*found the string "0\.1"$/],
    ['scalars on an optimizer that keeps none', (j: Json) => { state(j).scalars = { muProduct: 0.5 }; }, /\$\.optimizerState\.scalars: adam keeps the scalars \[\], found \[muProduct\]/],
    ['an unknown state field', (j: Json) => { state(j).lr = 0.1; }, /\$\.optimizerState\.lr: unknown field/],
    ['a convention no one has', (j: Json) => { ((j.compile as Json).optimizer as Json).convention = 'tensorflow'; }, /\$\.compile\.optimizer: adam: convention must be 'keras' or 'pytorch', got "tensorflow"/],
    ['two clippings', (j: Json) => { Object.assign((j.compile as Json).optimizer as Json, { clipNorm: 1, clipValue: 1 }); }, /\$\.compile\.optimizer: adam: only one of clipNorm, globalClipNorm and clipValue can be set/],
    ['a negative clipNorm', (j: Json) => { ((j.compile as Json).optimizer as Json).clipNorm = -1; }, /\$\.compile\.optimizer: adam: clipNorm must be a number in \(0, Infinity\), got -1/],
    ['a schedule with a bad field', (j: Json) => { ((j.compile as Json).optimizer as Json).learningRate = { name: 'cosineDecay', initialLearningRate: 0.1, decaySteps: -5 }; }, /\$\.compile\.optimizer: cosineDecay: decaySteps must be an integer >= 1, got number -5/],
    ['a schedule that is code', (j: Json) => { ((j.compile as Json).optimizer as Json).learningRate = { name: 'cosineDecay', at: 'process.exit()' }; }, /\$\.compile\.optimizer: cosineDecay: unknown option 'at'/],
  ] as const)('adam: %s', async (_name, mutate, message) => {
    const json = await fileOf(adam({ learningRate: 0.01 }));
    mutate(json);
    expect(formatError(json)).toMatch(message);
  });

  it('a rate for an optimizer on a schedule, and Nadam\'s product missing, out of [0, 1] or not a number', async () => {
    const scheduled = await fileOf(sgd({ learningRate: cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }) }));
    state(scheduled).learningRate = 0.1;
    expect(formatError(scheduled)).toMatch(/\$\.optimizerState\.learningRate: sgd's learning rate follows a schedule \(cosineDecay\); a file holds no rate for it/);
    for (const [value, message] of [
      [undefined, /\$\.optimizerState\.scalars: nadam keeps the scalars \[muProduct\], found \[\]/],
      [{ muProduct: 1.5 }, /\$\.optimizerState\.scalars\.muProduct: 1\.5: nadam's 'muProduct' is a product of factors in \[0, 1\], so in \[0, 1\] itself/],
      [{ muProduct: -0.1 }, /\$\.optimizerState\.scalars\.muProduct: -0\.1: /],
      [{ muProduct: '0.5' }, /\$\.optimizerState\.scalars\.muProduct: expected a finite number, found the string "0\.5"/],
      [{ muProduct: 0.5, other: 1 }, /\$\.optimizerState\.scalars: nadam keeps the scalars \[muProduct\], found \[muProduct, other\]/],
      [[0.5], /\$\.optimizerState\.scalars: expected an object, found an array/],
    ] as const) {
      const json = await fileOf(nadam());
      if (value === undefined) delete state(json).scalars;
      else state(json).scalars = value;
      expect(formatError(json)).toMatch(message);
    }
  });

  it('slots outside their kinds: a negative mean square or accumulator; a pytorch slot in a Keras file', async () => {
    const negative = (n: number) => Buffer.from(new Float32Array(n).fill(-1).buffer).toString('base64');
    const rms = await fileOf(rmsprop({ centered: true }));
    ((state(rms).slots as Json).meanSquare as string[])[1] = negative(4);
    expect(formatError(rms)).toMatch(/\$\.optimizerState\.slots\.meanSquare\[1\]: value 0 is -1; rmsprop's 'meanSquare' is a mean of squares, never negative/);
    const ada = await fileOf(adagrad());
    ((state(ada).slots as Json).accumulator as string[])[3] = negative(3);
    expect(formatError(ada)).toMatch(/\$\.optimizerState\.slots\.accumulator\[3\]: value 0 is -1; adagrad's 'accumulator'/);
    const keras = await fileOf(sgd({ momentum: 0.9 }));
    ((keras.compile as Json).optimizer as Json).convention = 'pytorch';
    expect(formatError(keras)).toMatch(/\$\.optimizerState\.slots: sgd keeps the slots \[momentumBuffer\], found \[velocity\]/);
  });

  it('save refuses a state a file could not hold back (a ModelError, nothing written)', () => {
    const m = model(nadam(), 'float64');
    m.compiled!.state.scalars!.muProduct = NaN;
    expect(thrown(() => modelToJSON(m)).message).toMatch(/^save: the optimizer's scalar 'muProduct' is NaN/);
    const other = model(sgd(), 'float64');
    other.compiled!.state.learningRate = -1;
    const error = thrown(() => modelToJSON(other));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/^save: the optimizer's learning rate is -1, not a finite number > 0/);
  });

  it('the fixtures are the old format: no convention, no learning rate in the state', () => {
    const old = JSON.parse(readFileSync(new URL('fixtures/v1-adam.model.json', import.meta.url), 'utf8')) as Json;
    expect(Object.keys((old.compile as Json).optimizer as Json)).toEqual(['name', 'learningRate', 'beta1', 'beta2', 'epsilon']);
    expect(Object.keys(old.optimizerState as Json)).toEqual(['iterations', 'slots']);
  });
});
