/**
 * The model's own account of itself and its misuse: `summary` (names, output shapes, parameter
 * counts computed here as (inputs + 1) * units), the Keras-style warnings of `compile`, the
 * graphs of `toGraph`, and the ModelErrors of layer and weight mistakes.
 */
import { tensor } from '@stablegrad/core';
import {
  binaryCrossentropy, categoricalCrossentropy, dense, type DenseOptions, type Loss, meanSquaredError, ModelError, sequential,
  type SequentialOptions, sparseCategoricalCrossentropy,
} from '@stablegrad/nn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectSameBits, snapshot, thrown } from './helpers.js';

describe('summary', () => {
  const layers: readonly DenseOptions[] = [
    { units: 5, activation: 'relu' }, { units: 4, activation: 'tanh', useBias: false }, { units: 2, activation: 'softmax', name: 'out' },
  ];
  const m = sequential(layers.map(dense), { inputShape: [3], seed: 9, name: 'toy' });
  // Parameters by hand: a kernel of inputs * units, plus units for a bias.
  const inputs = [3, 5, 4];
  const counts = layers.map((l, i) => inputs[i]! * l.units + (l.useBias === false ? 0 : l.units));

  it('counts parameters as (inputs + 1) * units per layer (inputs * units without a bias)', () => {
    expect(counts).toEqual([20, 20, 10]);
    expect(m.countParams()).toBe(50);
  });

  it('has a row per layer: name, activation, output shape, parameters', () => {
    const text = m.summary();
    const rows = text.split('\n');
    const names = ['dense_1', 'dense_2', 'out'];
    names.forEach((name, i) => {
      const row = rows.find((r) => r.startsWith(`${name} `));
      expect(row).toBeDefined();
      expect(row).toMatch(new RegExp(`^${name} \\(dense, ${layers[i]!.activation}\\)\\s+\\[batch, ${layers[i]!.units}\\]\\s+${counts[i]}$`));
    });
    expect(text).toMatch(/^Model: "toy" \(input \[batch, 3\], float32, seed 9\)/);
    expect(text).toContain('Total params: 50 (200 B)'); // 4 bytes per float32
  });

  it('writes large counts with thousands separators, and float64 at 8 bytes a value', () => {
    const big = sequential([dense({ units: 1000 })], { inputShape: [100], dtype: 'float64', seed: 1 });
    expect(big.summary()).toMatch(/\[batch, 1000\]\s+101,000$/m);
    expect(big.summary()).toContain(`Total params: 101,000 (${(101_000 * 8 / 1024).toFixed(2)} KB)`);
  });

  it('names layers dense_1, dense_2, ... by position, and scopes their weights', () => {
    const three = sequential([dense({ units: 2 }), dense({ units: 2, name: 'middle' }), dense({ units: 1 })], { inputShape: [2], seed: 1 });
    expect(three.layers.map((l) => l.name)).toEqual(['dense_1', 'middle', 'dense_3']);
    expect(three.params.map((p) => p.path)).toEqual(['dense_1/kernel', 'dense_1/bias', 'middle/kernel', 'middle/bias', 'dense_3/kernel', 'dense_3/bias']);
    expect(three.output.shape).toEqual(['batch', 1]);
  });
});

describe('compile warnings (Keras\')', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  function warningsOf(activation: 'linear' | 'sigmoid' | 'softmax' | 'relu', loss: Loss, units = 3): string[] {
    const m = sequential([dense({ units: 4 }), dense({ units, activation, name: 'head' })], { inputShape: [2], seed: 1 });
    const seen: string[] = [];
    m.compile({ loss, optimizer: 'adam', onWarning: (message) => { seen.push(message); } });
    expect(m.warnings).toEqual(seen);
    return seen;
  }

  it('fromLogits: true on a softmax layer warns, naming fromLogits and the layer', () => {
    const [warning, ...rest] = warningsOf('softmax', sparseCategoricalCrossentropy({ fromLogits: true }));
    expect(rest).toEqual([]);
    expect(warning).toMatch(/fromLogits: true/);
    expect(warning).toMatch(/'head'/);
    expect(warning).toMatch(/softmax/);
  });

  it('fromLogits: true on a sigmoid layer warns too', () => {
    expect(warningsOf('sigmoid', binaryCrossentropy({ fromLogits: true }), 1)).toEqual([expect.stringMatching(/fromLogits: true.*'head'.*sigmoid/)]);
  });

  it('a probability loss on a linear layer warns, suggesting fromLogits: true', () => {
    const [warning] = warningsOf('linear', categoricalCrossentropy());
    expect(warning).toMatch(/categoricalCrossentropy expects probabilities, but 'head' has activation 'linear'; pass fromLogits: true/);
  });

  it('a categorical loss on a sigmoid output warns that only softmax is fused', () => {
    expect(warningsOf('sigmoid', categoricalCrossentropy())).toEqual([expect.stringMatching(/pairs with a softmax output, but 'head' uses sigmoid/)]);
  });

  it.each([
    ['sigmoid + binary', 'sigmoid', binaryCrossentropy(), 1],
    ['softmax + sparse', 'softmax', sparseCategoricalCrossentropy(), 3],
    ['linear + fromLogits', 'linear', categoricalCrossentropy({ fromLogits: true }), 3],
    ['relu + mean squared error', 'relu', meanSquaredError(), 3],
  ] as const)('%s: no warning', (_name, activation, loss, units) => {
    expect(warningsOf(activation, loss, units)).toEqual([]);
  });

  it('without onWarning, warnings go to console.warn', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [2], seed: 1 });
    m.compile({ loss: sparseCategoricalCrossentropy({ fromLogits: true }), optimizer: 'adam' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/fromLogits/);
  });
});

describe('toGraph', () => {
  it('before compile: the prediction only; the compiled stage is a ModelError', () => {
    const m = sequential([dense({ units: 2, activation: 'softmax' })], { inputShape: [3], seed: 1 });
    expect(m.toGraph().outputNames).toEqual(['prediction']);
    expect(thrown(() => m.toGraph({ stage: 'compiled' }))).toBeInstanceOf(ModelError);
  });

  it('after compile: the written loss and prediction; the compiled stage adds a gradient per param', () => {
    const m = sequential([dense({ units: 2, activation: 'softmax' })], { inputShape: [3], seed: 1 });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'sgd' });
    expect(m.toGraph().outputNames).toEqual(['loss', 'prediction']);
    const compiled = m.toGraph({ stage: 'compiled' });
    expect(compiled.outputs.length).toBe(2 + m.params.length);
    expect(compiled.report.firings.length).toBeGreaterThan(0);
    expect(compiled.forward.length).toBeGreaterThan(0);
  });

  it('carries the current weights', () => {
    const m = sequential([dense({ units: 1 })], { inputShape: [1], seed: 1 });
    m.setWeights([tensor([[2.5]]), tensor([-1])]);
    const params = m.toGraph().nodes.filter((n) => n.op === 'param');
    expect(params.map((p) => Array.from(p.value!.data))).toEqual([[2.5], [-1]]);
  });
});

describe('model misuse: ModelError', () => {
  const build = (layers: readonly DenseOptions[], options: Partial<SequentialOptions> = {}) => () =>
    sequential(layers.map(dense), { inputShape: [2], seed: 1, ...options });

  it('numbers unnamed layers around the names users took', () => {
    const model = build([{ units: 2 }, { units: 2, name: 'dense_1' }, { units: 1 }])();
    expect(model.layers.map((l) => l.name)).toEqual(['dense_2', 'dense_1', 'dense_3']);
  });

  it.each([
    ['inputShape []', build([{ units: 1 }], { inputShape: [] }), /inputShape must be \[features\]/],
    ['inputShape [2, 2] under a dense layer', build([{ units: 1 }], { inputShape: [2, 2] }), /dense_1: dense expects inputs of shape \[batch, features\], got \[batch, 2, 2\]; put flatten\(\) before it/],
    ['inputShape [0]', build([{ units: 1 }], { inputShape: [0] }), /inputShape/],
    ['inputShape [1.5]', build([{ units: 1 }], { inputShape: [1.5] }), /inputShape/],
    ['no layers', build([]), /at least one layer/],
    ['duplicate layer names', build([{ units: 2, name: 'a' }, { units: 1, name: 'a' }]), /two layers are named 'a'/],
    ['two layers given the same name', build([{ units: 2, name: 'hidden' }, { units: 1, name: 'hidden' }]), /two layers are named 'hidden'/],
    ['a reserved name', build([{ units: 1, name: 'loss' }]), /'x', 'y' and 'loss'/],
    ['a name with a space', build([{ units: 1, name: 'my layer' }]), /a layer name is letters/],
    ['units 0', build([{ units: 0 }]), /units must be a positive integer, got 0/],
    ['units 2.5', build([{ units: 2.5 }]), /units must be a positive integer, got 2.5/],
    ['an unknown activation', build([{ units: 1, activation: 'gelu' as 'relu' }]), /unknown activation "gelu"; known: linear, relu/],
    ['dtype int32', build([{ units: 1 }], { dtype: 'int32' as 'float32' }), /dtype must be 'float32' or 'float64'/],
    ['a seed of 0.5', build([{ units: 1 }], { seed: 0.5 }), /seed must be an integer/],
  ])('%s', (_name, make, message) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });

  describe('setWeights', () => {
    const m = sequential([dense({ units: 3 })], { inputShape: [2], seed: 1 });
    const kernel = tensor([[1, 2, 3], [4, 5, 6]]);
    const bias = tensor([0, 0, 0]);

    it.each([
      ['one tensor too few', [kernel], /expected 2 tensors \(dense_1\/kernel, dense_1\/bias\), got 1/],
      ['a transposed kernel', [tensor([[1, 2], [3, 4], [5, 6]]), bias], /'dense_1\/kernel' is \[2, 3\] float32 \(6 values\), got \[3, 2\] float32 with 6 values/],
      ['a float64 bias', [kernel, tensor([0, 0, 0], { dtype: 'float64' })], /'dense_1\/bias' is \[3\] float32 \(3 values\), got \[3\] float64 with 3 values/],
      ['a kernel of the right shape but too few values', [{ dtype: 'float32', shape: [2, 3], data: new Float32Array(2) }, bias], /'dense_1\/kernel' is \[2, 3\] float32 \(6 values\), got \[2, 3\] float32 with 2 values/],
      ['a NaN', [kernel, tensor([0, NaN, 0])], /'dense_1\/bias' has a value that is not finite/],
    ] as const)('%s is a ModelError and changes nothing', (_name, weights, message) => {
      const before = snapshot(m.getWeights());
      const error = thrown(() => m.setWeights(weights));
      expect(error).toBeInstanceOf(ModelError);
      expect(error.message).toMatch(message);
      expectSameBits(m.getWeights(), before);
    });

    it('getWeights returns copies', () => {
      const [k] = m.getWeights();
      k!.data[0] = 1234;
      expect(m.getWeights()[0]!.data[0]).not.toBe(1234);
    });
  });
});
