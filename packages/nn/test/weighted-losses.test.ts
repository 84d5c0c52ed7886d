/**
 * Weighted and masked losses: `posWeight`, `classWeights`, `ignoreClass` and sample weights,
 * checked against the TensorFlow / PyTorch / Keras conventions written out here in float64
 * (independently of the library's code); values and gradients against the 60-digit reference
 * at extreme logits; the stabilize pass fusing the Keras-way posWeight loss; unknown options
 * and bad values rejected at run time; the options saved and loaded; sample weights in `fit`.
 */
import { evaluate, grad, input, type Node, type Tensor, tensor } from '@stablegrad/core';
import {
  adam, binaryCrossentropy, categoricalCrossentropy, dense, meanSquaredError, modelFromJSON, ModelError, modelToJSON, resolveLoss,
  sequential, sgd, sparseCategoricalCrossentropy,
} from '@stablegrad/nn';
import { stabilize } from '@stablegrad/rewrite';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { describe, expect, it } from 'vitest';
import { blobs, expectClose, f64, SILENT, separable, thrown } from './helpers.js';

// ---- the conventions, written out -----------------------------------------------------------------

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logSoftmax = (z: readonly number[]) => {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
};
const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);

/** TF weighted_cross_entropy_with_logits / PyTorch BCEWithLogitsLoss(pos_weight): -(pw y log s + (1 - y) log(1 - s)). */
const weightedBce = (z: number, y: number, pw: number) => -(pw * y * Math.log(sigmoid(z)) + (1 - y) * Math.log(1 - sigmoid(z)));

/** Runs a loss graph on float64 logits (or probabilities) and labels. */
function lossValue(build: (y: Node, out: Node) => Node, out: Tensor, y: Tensor): number {
  const o = input(['batch', out.shape[1]!], { dtype: 'float64', name: 'out' });
  const l = input(y.shape.length === 1 ? ['batch'] : ['batch', y.shape[1]!], { dtype: y.dtype, name: 'y' });
  return evaluate(build(l, o), new Map([[o, out], [l, y]])).data[0]!;
}

const Z = [[0.3, -1.2, 2.5], [-0.7, 0.4, 1.1], [1.5, -2, 0.2], [0, 0.9, -0.4]];
const int = (labels: readonly number[]) => tensor([...labels], { dtype: 'int32' });

describe('binaryCrossentropy({ posWeight })', () => {
  const y = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]];
  for (const posWeight of [2.5, [1, 3, 0.5]] as const) {
    const pwOf = (j: number) => (typeof posWeight === 'number' ? posWeight : posWeight[j]!);
    const want = sum(Z.map((row, i) => sum(row.map((z, j) => weightedBce(z, y[i]![j]!, pwOf(j)))) / 3)) / Z.length;
    it(`is TF's weighted cross-entropy, mean over units and rows (posWeight ${JSON.stringify(posWeight)}, from logits)`, () => {
      expectClose(lossValue((l, o) => binaryCrossentropy({ fromLogits: true, posWeight }).build(l, o), f64(Z), f64(y)), want, 1e-14);
    });
    it(`is the same from probabilities (posWeight ${JSON.stringify(posWeight)})`, () => {
      const p = Z.map((row) => row.map(sigmoid));
      expectClose(lossValue((l, o) => binaryCrossentropy({ posWeight }).build(l, o), f64(p), f64(y)), want, 1e-12);
    });
  }

  it('is fused by stabilize when written the Keras way, and accurate at extreme logits (value 4 ULP, gradient 8 ULP)', () => {
    const z = input(['batch', 3], { dtype: 'float64', name: 'z' });
    const labels = input(['batch', 3], { dtype: 'float64', name: 'y' });
    const written = binaryCrossentropy({ posWeight: [1, 3, 0.5] }).build(labels, z.sigmoid());
    const { graph: g } = stabilize({ loss: written });
    const loss = g.outputs[0]!;
    const ops = g.nodes.map((n) => n.op);
    expect(ops).toContain('weightedSigmoidCrossEntropyWithLogits');
    expect(ops).not.toContain('log');
    const [dz] = grad(loss, [z]);
    const feeds = new Map([
      [z, f64([[-800, 40, 1e-300], [36.7, -36.7, 700], [0.5, -3, 20]])],
      [labels, f64([[1, 0, 1], [1, 0.3, 0], [0.25, 1, 0.9]])],
    ]);
    const got = evaluate([loss, dz!], feeds);
    const want = referenceEvaluate(loss, feeds).values[0]!;
    expect(Number.isFinite(got[0]!.data[0]!)).toBe(true);
    expect(ulpDistance(got[0]!.data[0]!, want, 'float64')).toBeLessThanOrEqual(4);
    const gradWant = referenceEvaluate(dz!, feeds).values;
    Array.from(got[1]!.data).forEach((v, i) => {
      expect(Number.isFinite(v)).toBe(true);
      if (Math.abs(gradWant[i]!) >= 2 ** -1022) expect(ulpDistance(v, gradWant[i]!, 'float64'), `element ${i}`).toBeLessThanOrEqual(8);
    });
  });
});

describe('categoricalCrossentropy({ classWeights })', () => {
  const w = [0.5, 2, 1];
  const y = [[1, 0, 0], [0, 1, 0], [0.2, 0.3, 0.5], [0, 0, 1]];
  // PyTorch CrossEntropyLoss(weight) with probability targets: l_n = -sum_c w_c y_nc log p_nc, mean = sum_n l_n / N
  const perRow = Z.map((row, n) => -sum(logSoftmax(row).map((lp, c) => w[c]! * y[n]![c]! * lp)));
  it('is -sum_c w_c y_c log p_c per row, the mean over the rows (PyTorch, probability targets)', () => {
    expectClose(lossValue((l, o) => categoricalCrossentropy({ fromLogits: true, classWeights: w }).build(l, o), f64(Z), f64(y)), sum(perRow) / 4, 1e-14);
    const p = Z.map((row) => logSoftmax(row).map(Math.exp));
    expectClose(lossValue((l, o) => categoricalCrossentropy({ classWeights: w }).build(l, o), f64(p), f64(y)), sum(perRow) / 4, 1e-12);
  });
});

describe('sparseCategoricalCrossentropy({ classWeights, ignoreClass })', () => {
  const w = [0.5, 2, 1];
  const nll = (n: number, label: number) => -logSoftmax(Z[n]!)[label]!;

  it('with classWeights is PyTorch\'s weighted mean sum_n w[y_n] l_n / sum_n w[y_n]', () => {
    const labels = [0, 1, 1, 2];
    const want = sum(labels.map((c, n) => w[c]! * nll(n, c))) / sum(labels.map((c) => w[c]!));
    for (const fromLogits of [true, false]) {
      const out = fromLogits ? f64(Z) : f64(Z.map((row) => logSoftmax(row).map(Math.exp)));
      expectClose(lossValue((l, o) => sparseCategoricalCrossentropy({ fromLogits, classWeights: w }).build(l, o), out, int(labels)), want, 1e-12);
    }
    // 'sum' and 'none': PyTorch's w[y_n] l_n, summed or per row
    expectClose(lossValue((l, o) => sparseCategoricalCrossentropy({ fromLogits: true, classWeights: w, reduction: 'sum' }).build(l, o), f64(Z), int(labels)),
      sum(labels.map((c, n) => w[c]! * nll(n, c))), 1e-14);
  });

  it('with ignoreClass -100 (outside the classes) leaves those rows out, the mean over the kept rows', () => {
    const labels = [0, -100, 2, -100];
    const want = (nll(0, 0) + nll(2, 2)) / 2;
    for (const fromLogits of [true, false]) {
      const out = fromLogits ? f64(Z) : f64(Z.map((row) => logSoftmax(row).map(Math.exp)));
      expectClose(lossValue((l, o) => sparseCategoricalCrossentropy({ fromLogits, ignoreClass: -100 }).build(l, o), out, int(labels)), want, 1e-12);
    }
    // with class weights: the kept rows' weights
    const weighted = (w[0]! * nll(0, 0) + w[2]! * nll(2, 2)) / (w[0]! + w[2]!);
    expectClose(lossValue((l, o) => sparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -100, classWeights: w }).build(l, o), f64(Z), int(labels)), weighted, 1e-14);
    // an ignored label inside the classes works the same way
    expectClose(lossValue((l, o) => sparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 1 }).build(l, o), f64(Z), int([0, 1, 2, 1])), want, 1e-14);
  });

  it('gives loss 0 and gradient 0 (not NaN) for a batch of ignored rows only', () => {
    const z = input(['batch', 3], { dtype: 'float64', name: 'z' });
    const labels = input(['batch'], { dtype: 'int32', name: 'y' });
    for (const options of [{ fromLogits: true, ignoreClass: -100 }, { ignoreClass: -100, classWeights: w, labelSmoothing: 0.1 }]) {
      const written = sparseCategoricalCrossentropy(options).build(labels, options.fromLogits === true ? z : z.softmax());
      const loss = stabilize({ loss: written }).graph.outputs[0]!;
      const [dz] = grad(loss, [z]);
      const [value, gradient] = evaluate([loss, dz!], new Map([[z, f64(Z)], [labels, int([-100, -100, -100, -100])]]));
      expect(value!.data[0]).toBe(0);
      expect(Array.from(gradient!.data).every((v) => v === 0)).toBe(true);
    }
  });

  it('with labelSmoothing weights the smoothed one-hot labels per class (PyTorch), the mean over sum_n w[y_n]', () => {
    const labels = [0, 1, 2, 1];
    const s = 0.2;
    const perRow = labels.map((c, n) => -sum(logSoftmax(Z[n]!).map((lp, k) => w[k]! * ((k === c ? 1 - s : 0) + s / 3) * lp)));
    const want = sum(perRow) / sum(labels.map((c) => w[c]!));
    expectClose(lossValue((l, o) => sparseCategoricalCrossentropy({ fromLogits: true, classWeights: w, labelSmoothing: s }).build(l, o), f64(Z), int(labels)), want, 1e-13);
  });
});

describe('class weights and ignoreClass keep the fused gradients', () => {
  const cases = [
    { what: 'sparse, classWeights and ignoreClass', sparse: true, build: (l: Node, p: Node) => sparseCategoricalCrossentropy({ classWeights: [0.5, 2, 1], ignoreClass: -100 }).build(l, p), fused: 'sparseSoftmaxCrossEntropyGrad' },
    { what: 'categorical, classWeights', sparse: false, build: (l: Node, p: Node) => categoricalCrossentropy({ classWeights: [0.5, 2, 1] }).build(l, p), fused: 'softmaxCrossEntropyGrad' },
  ];
  it.each(cases)('$what: written the Keras way, stabilized, value within 4 ULP and gradient within 8 ULP of the 60-digit reference at extreme logits', ({ sparse, build, fused }) => {
    const z = input(['batch', 3], { dtype: 'float64', name: 'z' });
    const labels = sparse ? input(['batch'], { dtype: 'int32', name: 'y' }) : input(['batch', 3], { dtype: 'float64', name: 'y' });
    const loss = stabilize({ loss: build(labels, z.softmax()) }).graph.outputs[0]!;
    const [dz] = grad(loss, [z]);
    const gradOps: string[] = [];
    const walk = (n: Node, seen = new Set<Node>()): void => { if (seen.has(n)) return; seen.add(n); gradOps.push(n.op); n.inputs.forEach((i) => walk(i, seen)); };
    walk(dz!);
    expect(gradOps).toContain(fused);
    expect(gradOps).not.toContain('log');
    const zs = f64([[800, -800, 0], [20, 0, 1e-300], [-36.7, 36.7, 36.7], [3, 2, 1]]);
    const ys = sparse ? int([0, -100, 1, 2]) : f64([[1, 0, 0], [0, 1, 0], [0.2, 0.3, 0.5], [0, 0, 1]]);
    const feeds = new Map([[z, zs], [labels, ys]]);
    const [value, gradient] = evaluate([loss, dz!], feeds);
    expect(ulpDistance(value!.data[0]!, referenceEvaluate(loss, feeds).values[0]!, 'float64')).toBeLessThanOrEqual(4);
    const want = referenceEvaluate(dz!, feeds).values;
    Array.from(gradient!.data).forEach((v, i) => {
      expect(Number.isFinite(v)).toBe(true);
      if (Math.abs(want[i]!) >= 2 ** -1022) expect(ulpDistance(v, want[i]!, 'float64'), `element ${i}`).toBeLessThanOrEqual(8);
    });
  });
});

describe('sample weights in loss.build', () => {
  const labels = [0, 1, 2, 1];
  const sw = [1, 0, 2.5, 0.5];
  const nll = labels.map((c, n) => -logSoftmax(Z[n]!)[c]!);
  const run = (reduction: 'mean' | 'sum' | 'none') => {
    const o = input(['batch', 3], { dtype: 'float64', name: 'out' });
    const l = input(['batch'], { dtype: 'int32', name: 'y' });
    const s = input(['batch'], { dtype: 'float64', name: 'sw' });
    return Array.from(evaluate(sparseCategoricalCrossentropy({ fromLogits: true, reduction }).build(l, o, s), new Map([[o, f64(Z)], [l, int(labels)], [s, tensor(sw, { dtype: 'float64' })]])).data);
  };
  it('multiply each row\'s loss; mean is sum(w l) / rows (Keras sum_over_batch_size), sum is sum(w l)', () => {
    const weighted = nll.map((v, n) => v * sw[n]!);
    expectClose(run('mean')[0]!, sum(weighted) / 4, 1e-14);
    expectClose(run('sum')[0]!, sum(weighted), 1e-14);
    run('none').forEach((v, n) => expectClose(v, weighted[n]!, 1e-14));
  });
});

describe('options the losses do not know, and bad values, are errors at run time', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['misspelt key', () => binaryCrossentropy({ posWieght: 2 } as never), /binaryCrossentropy: unknown option 'posWieght'.*known: fromLogits, labelSmoothing, axis, reduction, posWeight/],
    ['Python spelling', () => binaryCrossentropy({ pos_weight: 2 } as never), /unknown option 'pos_weight' \(did you mean 'posWeight'\?\)/],
    ['an option of another loss', () => categoricalCrossentropy({ ignoreClass: 0 } as never), /categoricalCrossentropy: unknown option 'ignoreClass'/],
    ['posWeight on sparse', () => sparseCategoricalCrossentropy({ posWeight: 2 } as never), /unknown option 'posWeight'/],
    ['fromLogits on mean squared error', () => meanSquaredError({ fromLogits: true } as never), /meanSquaredError: unknown option 'fromLogits'; known: reduction/],
    ['posWeight 0', () => binaryCrossentropy({ posWeight: 0 }), /posWeight must be a finite positive number, got 0/],
    ['posWeight negative', () => binaryCrossentropy({ posWeight: -1 }), /posWeight must be a finite positive number/],
    ['posWeight Infinity', () => binaryCrossentropy({ posWeight: Infinity }), /posWeight must be a finite positive number, got null/],
    ['posWeight NaN', () => binaryCrossentropy({ posWeight: NaN }), /posWeight must be a finite positive number/],
    ['posWeight a string', () => binaryCrossentropy({ posWeight: '2' as never }), /posWeight must be a finite positive number, got "2"/],
    ['posWeight vector with 0', () => binaryCrossentropy({ posWeight: [1, 0] }), /posWeight\[1\] must be a finite positive number/],
    ['classWeights negative', () => sparseCategoricalCrossentropy({ classWeights: [1, -1] }), /classWeights\[1\] must be a finite non-negative number/],
    ['classWeights empty', () => categoricalCrossentropy({ classWeights: [] }), /classWeights must be a non-empty array/],
    ['classWeights not an array', () => categoricalCrossentropy({ classWeights: 2 as never }), /classWeights must be a non-empty array/],
    ['ignoreClass not an integer', () => sparseCategoricalCrossentropy({ ignoreClass: 0.5 }), /ignoreClass must be an int32 label/],
    ['labelSmoothing above 1', () => categoricalCrossentropy({ labelSmoothing: 2 }), /labelSmoothing must be in \[0, 1\], got 2/],
    ['options not an object', () => binaryCrossentropy(3 as never), /binaryCrossentropy: options must be an object/],
    ['an unknown key in a saved config', () => resolveLoss({ name: 'binaryCrossentropy', posWeigth: 2 } as never), /unknown option 'posWeigth'/],
  ];
  it.each(cases)('%s', (_, run, message) => {
    const error = thrown(run);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });

  it('a weight list of the wrong length is an error at compile, naming the counts', () => {
    const model = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 1 });
    const error = thrown(() => model.compile({ loss: sparseCategoricalCrossentropy({ classWeights: [1, 2] }), optimizer: 'adam' }));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/classWeights has 2 weights, but the last layer has 3 units/);
  });
});

describe('models', () => {
  it('explain shows the posWeight fusion, and the trained loss is finite at extreme logits', async () => {
    const { x, y } = separable(16, 2, 3);
    const model = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 5, dtype: 'float32' });
    model.compile({ loss: binaryCrossentropy({ posWeight: 3 }), optimizer: sgd({ learningRate: 0.1 }) });
    expect(model.explain()).toMatch(/dense_\d+: sigmoid \+ weighted binary cross-entropy fused into weightedSigmoidCrossEntropyWithLogits/);
    // weights that push the logits to +-1e4: sigmoid rounds to 0 and 1, the fused loss stays finite
    const [kernel, bias] = model.getWeights();
    model.setWeights([tensor([-5000, -5000], { dtype: 'float32', shape: kernel!.shape }), tensor([0], { dtype: 'float32', shape: bias!.shape })]);
    const { loss } = model.evaluate(x, y);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(100);
    const history = await model.fit(x, y, { epochs: 1, batchSize: 16, ...SILENT });
    expect(Number.isFinite(history.history.loss![0])).toBe(true);
  });

  it('save and load keep posWeight, classWeights and ignoreClass', () => {
    const configs = [
      binaryCrossentropy({ posWeight: [2, 0.5] }),
      sparseCategoricalCrossentropy({ classWeights: [1, 2], ignoreClass: -100, reduction: 'sum' }),
      categoricalCrossentropy({ classWeights: [3, 1], labelSmoothing: 0.1 }),
    ];
    for (const loss of configs) {
      const model = sequential([dense({ units: 2, activation: loss.config.name === 'binaryCrossentropy' ? 'sigmoid' : 'softmax' })], { inputShape: [3], seed: 2 });
      model.compile({ loss, optimizer: adam() });
      const json = JSON.parse(JSON.stringify(modelToJSON(model)));
      const loaded = modelFromJSON(json);
      expect(loaded.compiled!.loss.config).toEqual(loss.config);
    }
    // a model file of a mean squared error (its config has the shared fields at their defaults) loads
    expect(resolveLoss({ name: 'meanSquaredError', fromLogits: false, labelSmoothing: 0, axis: -1, reduction: 'sum' }).config.reduction).toBe('sum');
  });

  it('sample weights of 0 leave training as without those rows (weights 2 on the others keep sum(w l) / rows the same)', async () => {
    const { x, y } = blobs(8, 2, 3, 11);
    const junk = { x: [[9, -9], [-7, 3], [4, 4], [0, 8]], y: [2, 0, 1, 2] };
    const build = () => {
      const m = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 9, dtype: 'float64' });
      m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: sgd({ learningRate: 0.5 }) });
      return m;
    };
    const plain = build();
    await plain.fit(x.slice(0, 4), y.slice(0, 4), { epochs: 5, batchSize: 4, shuffle: false, ...SILENT });
    const weighted = build();
    await weighted.fit([...x.slice(0, 4), ...junk.x], [...y.slice(0, 4), ...junk.y], {
      epochs: 5, batchSize: 8, shuffle: false, sampleWeight: [2, 2, 2, 2, 0, 0, 0, 0], ...SILENT,
    });
    const [a, b] = [plain.getWeights(), weighted.getWeights()];
    a.forEach((t, i) => Array.from(t.data).forEach((v, j) => expectClose(b[i]!.data[j]!, v, 1e-12, `weight ${i}[${j}]`)));
    // without the weights the junk rows change the result
    const unweighted = build();
    await unweighted.fit([...x.slice(0, 4), ...junk.x], [...y.slice(0, 4), ...junk.y], { epochs: 5, batchSize: 8, shuffle: false, ...SILENT });
    expect(Math.abs(unweighted.getWeights()[0]!.data[0]! - a[0]!.data[0]!)).toBeGreaterThan(1e-3);
  });

  it('evaluate with sampleWeight is sum(w l) / rows, and bad weights are a DataError naming the row', () => {
    const { x, y } = blobs(6, 2, 3, 4);
    const model = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 3, dtype: 'float64' });
    model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: 'adam' });
    const w = [1, 0, 3, 0.5, 2, 1];
    const perRow = x.map((row, i) => model.evaluate([row], [y[i]!]).loss!);
    expectClose(model.evaluate(x, y, { sampleWeight: w }).loss!, sum(perRow.map((l, i) => l * w[i]!)) / 6, 1e-12);
    expect(thrown(() => model.evaluate(x, y, { sampleWeight: [1, 1, -1, 1, 1, 1] })).message).toMatch(/sampleWeight row 2: -1 is not a finite non-negative weight/);
    expect(thrown(() => model.evaluate(x, y, { sampleWeight: [1, 1] })).message).toMatch(/sampleWeight has shape \[2\], but there are 6 rows/);
  });

  it('a custom loss that ignores the sample weights is an error when fit is given some', async () => {
    const { x, y } = blobs(6, 2, 3, 4);
    const model = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 3 });
    const library = sparseCategoricalCrossentropy();
    model.compile({ loss: { ...library, build: (yTrue: Node, yPred: Node) => library.build(yTrue, yPred) }, optimizer: 'adam' });
    const error = await model.fit(x, y, { sampleWeight: [1, 1, 1, 1, 1, 0], ...SILENT }).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error!.message).toMatch(/does not use the sample weights/);
  });

  it('fit accepts labels equal to ignoreClass outside the classes, and they do not train', async () => {
    const { x, y } = blobs(6, 2, 3, 8);
    const build = () => {
      const m = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 6, dtype: 'float64' });
      m.compile({ loss: sparseCategoricalCrossentropy({ ignoreClass: -100 }), optimizer: sgd({ learningRate: 0.3 }) });
      return m;
    };
    const kept = build();
    await kept.fit(x.slice(0, 3), y.slice(0, 3), { epochs: 3, batchSize: 6, shuffle: false, ...SILENT });
    const masked = build();
    await masked.fit(x, [...y.slice(0, 3), -100, -100, -100], { epochs: 3, batchSize: 6, shuffle: false, ...SILENT });
    const [a, b] = [kept.getWeights(), masked.getWeights()];
    a.forEach((t, i) => Array.from(t.data).forEach((v, j) => expectClose(b[i]!.data[j]!, v, 1e-12, `weight ${i}[${j}]`)));
  });
});
