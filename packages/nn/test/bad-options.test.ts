/**
 * Every bad input a typed error (issue 11): for each public option of `sequential`, `dense`,
 * `compile`, `fit`, `evaluate`, `predict`, `setWeights`, the optimizers and the callbacks, a
 * wrong type, an out-of-range value and an unknown key are a `ModelError` naming the option,
 * never a TypeError from deep inside; and `setWeights` takes Keras' nested arrays.
 */
import { tensor } from '@stablegrad/core';
import {
  adagrad, adam, adamW, dense, earlyStopping, ModelError, modelCheckpoint, nadam, resolveOptimizer, rmsprop, type Sequential, sequential, sgd,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { blobs, expectSameBits, SILENT, thrown } from './helpers.js';

const DATA = blobs(8, 3, 2, 5);

function model(dtype: 'float32' | 'float64' = 'float32'): Sequential {
  const m = sequential([dense({ units: 2, activation: 'softmax' })], { inputShape: [3], seed: 1, dtype });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'sgd' });
  return m;
}

// Options objects built from user data are untyped; the casts say what a JS caller may pass.
const bad = <T>(value: unknown) => value as T;

describe('a ModelError naming the option', () => {
  const m = model();
  it.each([
    // sequential
    ['sequential: unknown key', () => sequential([dense({ units: 1 })], bad({ inputShape: [3], dtyp: 'float64' })), /sequential: unknown option 'dtyp'/],
    ['sequential: layers not an array', () => sequential(bad(dense({ units: 1 })), { inputShape: [3] }), /sequential: the layers must be an array/],
    ['sequential: a layer that is not one', () => sequential(bad([{ units: 3 }]), { inputShape: [3] }), /sequential: layer 0 is an object, not a layer made by dense/],
    ['sequential: name 5', () => sequential([dense({ units: 1 })], bad({ inputShape: [3], name: 5 })), /sequential: name must be a string, got number 5/],
    ['sequential: options missing', () => sequential([dense({ units: 1 })], bad(undefined)), /sequential: options must be an object/],
    ['sequential: inputShape [0]', () => sequential([dense({ units: 1 })], { inputShape: [0] }), /inputShape must be \[features\]/],
    ['sequential: maxParams 0', () => sequential([dense({ units: 1 })], { inputShape: [3], maxParams: 0 }), /maxParams must be a positive integer/],
    // dense
    ['dense: unknown key', () => dense(bad({ units: 3, activaton: 'relu' })), /dense: unknown option 'activaton'/],
    ['dense: units "3"', () => dense(bad({ units: '3' })), /units must be a positive integer, got 3/],
    ['dense: useBias "yes"', () => dense(bad({ units: 3, useBias: 'yes' })), /useBias must be true or false, got yes/],
    ['dense: name 7', () => dense(bad({ units: 3, name: 7 })), /a layer name is letters/],
    ['dense: kernelInitializer 5', () => dense(bad({ units: 3, kernelInitializer: 5 })), /an initializer is a name .* or an object \{ name, fill \}, got number/],
    ['dense: options 3', () => dense(bad(3)), /dense: options must be an object, got 3/],
    // compile
    ['compile: unknown key', () => model().compile(bad({ loss: 'meanSquaredError', optimizer: 'sgd', metric: ['accuracy'] })), /compile: unknown option 'metric'/],
    ['compile: no loss', () => model().compile(bad({ optimizer: 'sgd' })), /compile: a loss is needed/],
    ['compile: no optimizer', () => model().compile(bad({ loss: 'meanSquaredError' })), /compile: an optimizer is needed/],
    ['compile: metrics "accuracy"', () => model().compile(bad({ loss: 'meanSquaredError', optimizer: 'sgd', metrics: 'accuracy' })), /compile: metrics must be an array/],
    ['compile: stabilize 1', () => model().compile(bad({ loss: 'meanSquaredError', optimizer: 'sgd', stabilize: 1 })), /compile: stabilize must be true or false/],
    ['compile: onWarning "log"', () => model().compile(bad({ loss: 'meanSquaredError', optimizer: 'sgd', onWarning: 'log' })), /compile: onWarning must be a function/],
    ['compile: optimizer 42', () => model().compile(bad({ loss: 'meanSquaredError', optimizer: 42 })), /unknown optimizer 42/],
    ['compile: optimizer {}', () => model().compile(bad({ loss: 'meanSquaredError', optimizer: {} })), /unknown optimizer/],
    ['compile: optimizer { step: 1 }', () => model().compile(bad({ loss: 'meanSquaredError', optimizer: { step: 1 } })), /optimizer: expected an object with config/],
    // optimizers
    ['adam: unknown key', () => adam(bad({ learning_rate: 0.1 })), /adam: unknown option 'learning_rate'/],
    ['adam: beta2 1', () => adam({ beta2: 1 }), /adam: beta2 must be a number in \[0, 1\), got 1/],
    ['adam: learningRate Infinity', () => adam({ learningRate: Infinity }), /adam: learningRate must be a number in \(0, Infinity\)/],
    ['adam: epsilon "1e-7"', () => adam(bad({ epsilon: '1e-7' })), /adam: epsilon must be a number/],
    ['sgd: unknown key', () => sgd(bad({ lr: 0.1 })), /sgd: unknown option 'lr'/],
    ['sgd: momentum -0.1', () => sgd({ momentum: -0.1 }), /sgd: momentum must be a number in \[0, 1\)/],
    ['sgd: nesterov 1', () => sgd(bad({ nesterov: 1 })), /sgd: nesterov must be true or false/],
    ['sgd: options null', () => sgd(bad(null)), /sgd: options must be an object, got null/],
    ['resolveOptimizer: unknown setting', () => resolveOptimizer(bad({ name: 'sgd', learningRate: 0.1, decay: 0.1 })), /sgd: unknown option 'decay'/],
    // the optimizers of issue 13: common options, each one's own, PyTorch-only options under Keras, PyTorch names
    ['sgd: convention "torch"', () => sgd(bad({ convention: 'torch' })), /sgd: convention must be 'keras' or 'pytorch', got "torch"/],
    ['sgd: lr (PyTorch\'s name)', () => sgd(bad({ lr: 0.1 })), /sgd: unknown option 'lr' \(did you mean 'learningRate'\?\)/],
    ['sgd: weightDecay -1', () => sgd({ weightDecay: -1 }), /sgd: weightDecay must be a number in \[0, Infinity\), got -1/],
    ['sgd: weight_decay', () => sgd(bad({ weight_decay: 0.1 })), /sgd: unknown option 'weight_decay' \(did you mean 'weightDecay'\?\)/],
    ['sgd: dampening under Keras', () => sgd({ momentum: 0.9, dampening: 0.1 }), /sgd: dampening is PyTorch's \(convention: 'pytorch'\); Keras' SGD has none, got dampening 0.1/],
    ['sgd: dampening 2', () => sgd({ convention: 'pytorch', momentum: 0.9, dampening: 2 }), /sgd: dampening must be a number in \[0, 1\], got 2/],
    ['sgd: PyTorch Nesterov without momentum', () => sgd({ convention: 'pytorch', nesterov: true }), /sgd: Nesterov momentum needs a momentum > 0 and dampening 0 \(as in PyTorch\), got momentum 0, dampening 0/],
    ['sgd: clipNorm 0', () => sgd({ clipNorm: 0 }), /sgd: clipNorm must be a number in \(0, Infinity\), got 0/],
    ['sgd: clipnorm (Keras\' spelling)', () => sgd(bad({ clipnorm: 1 })), /sgd: unknown option 'clipnorm' \(did you mean 'clipNorm'\?\)/],
    ['sgd: two clippings', () => sgd({ clipNorm: 1, globalClipNorm: 1 }), /sgd: only one of clipNorm, globalClipNorm and clipValue can be set \(as in Keras\), got clipNorm 1 and globalClipNorm 1/],
    ['sgd: globalClipNorm NaN', () => sgd({ globalClipNorm: NaN }), /sgd: globalClipNorm must be a number in \(0, Infinity\), got NaN/],
    ['sgd: clipValue "1"', () => sgd(bad({ clipValue: '1' })), /sgd: clipValue must be a number in \(0, Infinity\), got 1/],
    ['adam: amsgrad "yes"', () => adam(bad({ amsgrad: 'yes' })), /adam: amsgrad must be true or false, got yes/],
    ['adam: eps (PyTorch\'s name)', () => adam(bad({ eps: 1e-8 })), /adam: unknown option 'eps' \(did you mean 'epsilon'\?\)/],
    ['adam: betas (PyTorch\'s pair)', () => adam(bad({ betas: [0.9, 0.999] })), /adam: unknown option 'betas' \(did you mean 'beta1'\?\)/],
    ['adam: an object whose toString is not a function', () => adam(bad({ beta1: { toString: 0 } })), /adam: beta1 must be a number in \[0, 1\), got an object/],
    ['adamW: weightDecay Infinity', () => adamW({ weightDecay: Infinity }), /adamW: weightDecay must be a number in \[0, Infinity\), got Infinity/],
    ['adamW: momentum', () => adamW(bad({ momentum: 0.9 })), /adamW: unknown option 'momentum'/],
    ['rmsprop: rho 1', () => rmsprop({ rho: 1 }), /rmsprop: rho must be a number in \[0, 1\), got 1/],
    ['rmsprop: alpha (PyTorch\'s name)', () => rmsprop(bad({ alpha: 0.99 })), /rmsprop: unknown option 'alpha' \(did you mean 'rho'\?\)/],
    ['rmsprop: centered 1', () => rmsprop(bad({ centered: 1 })), /rmsprop: centered must be true or false, got 1/],
    ['rmsprop: momentum -0.1', () => rmsprop({ momentum: -0.1 }), /rmsprop: momentum must be a number in \[0, 1\), got -0.1/],
    ['adagrad: initialAccumulatorValue -1', () => adagrad({ initialAccumulatorValue: -1 }), /adagrad: initialAccumulatorValue must be a number in \[0, Infinity\), got -1/],
    ['adagrad: learningRateDecay under Keras', () => adagrad({ learningRateDecay: 0.1 }), /adagrad: learningRateDecay is PyTorch's lr_decay \(convention: 'pytorch'\)/],
    ['adagrad: lr_decay', () => adagrad(bad({ convention: 'pytorch', lr_decay: 0.1 })), /adagrad: unknown option 'lr_decay' \(did you mean 'learningRateDecay'\?\)/],
    ['nadam: momentumDecay under Keras', () => nadam({ momentumDecay: 0.004 }), /nadam: momentumDecay is PyTorch's momentum_decay \(convention: 'pytorch'\); Keras' schedule is fixed at 0.96\^t/],
    ['nadam: momentumDecay -1', () => nadam({ convention: 'pytorch', momentumDecay: -1 }), /nadam: momentumDecay must be a number in \[0, Infinity\), got -1/],
    ['nadam: epsilon NaN', () => nadam({ epsilon: NaN }), /nadam: epsilon must be a number in \[0, Infinity\), got NaN/],
    ['the step API: testOnBatch options', () => m.testOnBatch(DATA.x, DATA.y, bad({ batchSize: 4 })), /testOnBatch: unknown option 'batchSize'; known: sampleWeight/],
    ['the step API: computeGradients options', () => m.computeGradients(DATA.x, DATA.y, bad({ weights: [1] })), /computeGradients: unknown option 'weights'; known: sampleWeight/],
    // evaluate, predict
    ['evaluate: unknown key', () => m.evaluate(DATA.x, DATA.y, bad({ batch_size: 4 })), /evaluate: unknown option 'batch_size'/],
    ['evaluate: batchSize 0', () => m.evaluate(DATA.x, DATA.y, { batchSize: 0 }), /batchSize must be a positive integer, got 0/],
    ['predict: unknown key', () => m.predict(DATA.x, bad({ verbose: 0 })), /predict: unknown option 'verbose'/],
    ['predict: batchSize 2.5', () => m.predict(DATA.x, { batchSize: 2.5 }), /predict: batchSize must be a positive integer, got 2.5/],
    // callbacks
    ['earlyStopping: unknown key', () => earlyStopping(bad({ patiance: 2 })), /earlyStopping: unknown option 'patiance'/],
    ['earlyStopping: patience -1', () => earlyStopping({ patience: -1 }), /patience must be an integer >= 0/],
    ['earlyStopping: mode "up"', () => earlyStopping(bad({ mode: 'up' })), /mode must be 'min', 'max' or 'auto'/],
    ['modelCheckpoint: no filepath', () => modelCheckpoint(bad({})), /modelCheckpoint: filepath must be a non-empty string/],
    ['modelCheckpoint: save_best_only', () => modelCheckpoint(bad({ filepath: 'm.json', save_best_only: true })), /modelCheckpoint: unknown option 'save_best_only'/],
    ['modelCheckpoint: a bad format', () => modelCheckpoint({ filepath: 'm-{epoch:x}.json' }), /the placeholder '\{epoch:x\}' has format 'x'/],
  ] as const)('%s', (_name, make, message) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });
});

describe('fit options: checked before any data is read or step run', () => {
  it.each([
    ['callbacks: 5', { callbacks: 5 }, /fit: callbacks must be an array of callback objects, got number 5/],
    ['callbacks: [5]', { callbacks: [5] }, /fit: callbacks\[0\] must be an object with hooks .*, got number/],
    ['a hook that is not a function', { callbacks: [{ onEpochEnd: 'save' }] }, /fit: callbacks\[0\]\.onEpochEnd must be a function, got string/],
    ['a misspelt hook', { callbacks: [{ onEpochEnds: () => {} }] }, /fit: callbacks\[0\] has a hook 'onEpochEnds' that fit never calls/],
    ['verbose: 7', { verbose: 7 }, /fit: verbose must be 'auto' \(a bar in a terminal, a line per epoch elsewhere\), 0 \(silent\), 1 \(progress bar\) or 2 \(one line per epoch\), got 7/],
    ['verbose: true', { verbose: true }, /fit: verbose must be 'auto'.*got true/],
    ['verbose: "2"', { verbose: '2' }, /fit: verbose must be 'auto'.*got "2"/],
    ['an unknown key', { epoch: 3 }, /fit: unknown option 'epoch'/],
    ['epochs 0', { epochs: 0 }, /fit: epochs must be a positive integer, got 0/],
    ['batchSize "32"', { batchSize: '32' }, /fit: batchSize must be a positive integer, got 32/],
    ['shuffle "no"', { shuffle: 'no' }, /fit: shuffle must be true or false, got no/],
    ['validationSplit "0.2"', { validationSplit: '0.2' }, /fit: validationSplit must be in \(0, 1\)/],
    ['validationData [x]', { validationData: [DATA.x] }, /fit: validationData must be \[x, y\] or \[x, y, sampleWeight\]/],
    ['stream 1', { stream: 1 }, /fit: stream must be an object with a write\(text\) method/],
    ['options 5', 5, /fit: options must be an object, got 5/],
  ] as const)('%s', async (_name, options, message) => {
    const m = model();
    const before = m.getWeights();
    const error = await m.fit(DATA.x, DATA.y, bad(options)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as Error).message).toMatch(message);
    expectSameBits(m.getWeights(), before);
  });

  it('a second fit while one runs is a ModelError, and so is compile; the first fit is unharmed', async () => {
    const m = model();
    const reference = model();
    const first = m.fit(DATA.x, DATA.y, { epochs: 2, batchSize: 2, ...SILENT });
    expect(m.training).toBe(true);
    await expect(m.fit(DATA.x, DATA.y, SILENT)).rejects.toThrow(/fit: the model is already training \(a fit call has not finished\); await it before fitting again/);
    expect(() => m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' })).toThrow(/compile: the model is training/);
    await first;
    expect(m.training).toBe(false);
    await reference.fit(DATA.x, DATA.y, { epochs: 2, batchSize: 2, ...SILENT });
    expectSameBits(m.getWeights(), reference.getWeights());
    // Once it is over, fitting again is fine; a failed fit frees the model too.
    await m.fit(DATA.x, DATA.y, SILENT);
    await expect(m.fit(DATA.x, [0, 1], SILENT)).rejects.toThrow();
    expect(m.training).toBe(false);
  });
});

describe('setWeights: Keras nested arrays, casts on request, everything checked first', () => {
  const kernel = [[0.5, -1], [2, 0.25], [1, 3]];
  const bias = [0.125, -0.5];

  it("takes Keras' get_weights() layout: a kernel as rows, a bias as a list", () => {
    const m = model();
    m.setWeights([kernel, bias]);
    const [k, b] = m.getWeights();
    expect(Array.from(k!.data)).toEqual(kernel.flat());
    expect(k!.shape).toEqual([3, 2]);
    expect(Array.from(b!.data)).toEqual(bias);
  });

  it('float64 into a float32 model: refused without cast, rounded to nearest with it (and the other way)', () => {
    const m = model('float32');
    const k64 = tensor(kernel.map((row) => row.map((v) => v + 1e-12)), { dtype: 'float64' });
    expect(thrown(() => m.setWeights([k64, tensor(bias, { dtype: 'float64' })])).message)
      .toMatch(/'dense_1\/kernel' is \[3, 2\] float32 \(6 values\), got \[3, 2\] float64 with 6 values; pass \{ cast: true \} to round it to float32/);
    m.setWeights([k64, tensor(bias, { dtype: 'float64' })], { cast: true });
    expect(Array.from(m.getWeights()[0]!.data)).toEqual(Array.from(Float32Array.from(k64.data)));
    const m64 = model('float64');
    m64.setWeights(m.getWeights(), { cast: true });
    expect(m64.getWeights()[0]!.dtype).toBe('float64');
    expect(Array.from(m64.getWeights()[0]!.data)).toEqual(Array.from(m.getWeights()[0]!.data));
  });

  it.each([
    ['a flat kernel', [kernel.flat(), bias], /'dense_1\/kernel' is \[3, 2\] float32 \(6 values\), got \[6\] with 6 values \(a flat array: give it as rows/],
    ['ragged rows', [[[1, 2], [3], [4, 5]], bias], /'dense_1\/kernel' is \[3, 2\] float32; the array given is ragged: a row of 1 where 2 belong/],
    ['a string in a row', [[[1, 2], ['3', 4], [5, 6]], bias], /the array given has the string "3" where a number belongs/],
    ['a number where a weight belongs', [5, bias], /'dense_1\/kernel' must be a tensor or a nested array of numbers, got number 5/],
    ['not an array', 'weights', /setWeights: expected an array of 2 weights, got the string "weights"/],
    ['a value beyond float32', [[[1e300, 0], [0, 0], [0, 0]], bias], /'dense_1\/kernel' has a value that is not finite: element 0 is 1e\+300, beyond float32's range/],
    ['an int32 tensor even with cast', [tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'int32' }), bias], /got \[3, 2\] int32 with 6 values$/],
    ['cast "yes"', [kernel, bias], /setWeights: cast must be true or false/, { cast: 'yes' }],
    ['an unknown option', [kernel, bias], /setWeights: unknown option 'dtype'/, { dtype: 'float32' }],
  ] as const)('%s is a ModelError and changes nothing', (_name, weights, message, options: unknown = { cast: true }) => {
    const m = model();
    const before = m.getWeights();
    const error = thrown(() => m.setWeights(bad(weights), bad(options)));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
    expectSameBits(m.getWeights(), before);
  });
});
