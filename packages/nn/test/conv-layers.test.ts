/**
 * conv2d, maxPooling2d and averagePooling2d as layers: output shapes by Keras' padding
 * arithmetic, parameter counts by Keras' formula, forward values against loops written here
 * (NHWC, HWIO, TensorFlow's 'same' padding with the odd row after), gradients against
 * high-precision central differences, file round trips and hostile configs.
 */
import { constant, type Node, type Tensor, tensor } from '@stablegrad/core';
import {
  averagePooling2d, dense, flatten, layers, maxPooling2d, ModelError, modelFromJSON, ModelFormatError, modelToJSON, type Sequential, sequential,
} from '@stablegrad/nn';
import { checkGrad } from '@stablegrad/testing';
import { describe, expect, it } from 'vitest';
import { expectSameBits, testRandom, thrown } from './helpers.js';

function randomValues(n: number, seed: number): number[] {
  const random = testRandom(seed);
  return Array.from({ length: n }, () => 2 * random() - 1);
}

function feedsOf(model: Sequential, x: Tensor): Map<Node, Tensor> {
  const weights = model.getWeights();
  return new Map<Node, Tensor>([[model.input, x], ...model.weightNodes.map((node, i) => [node, weights[i]!] as [Node, Tensor])]);
}

// Keras' (TensorFlow's) output size and leading pad along one axis.
function geometry(size: number, k: number, stride: number, dilation: number, padding: 'valid' | 'same'): { out: number; before: number } {
  const span = (k - 1) * dilation + 1;
  if (padding === 'valid') return { out: Math.floor((size - span) / stride) + 1, before: 0 };
  const out = Math.ceil(size / stride);
  return { out, before: Math.floor(Math.max((out - 1) * stride + span - size, 0) / 2) };
}

/** A plain-loop convolution: x [n, h, w, c], kernel [kh, kw, c, f], NHWC out. */
function convolve(
  x: readonly number[], [n, h, w, c]: readonly [number, number, number, number], kernel: readonly number[], [kh, kw, , f]: readonly [number, number, number, number],
  strides: readonly [number, number], dilation: readonly [number, number], padding: 'valid' | 'same',
): { values: number[]; shape: number[] } {
  const gy = geometry(h, kh, strides[0], dilation[0], padding);
  const gx = geometry(w, kw, strides[1], dilation[1], padding);
  const values: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < gy.out; oy++) {
      for (let ox = 0; ox < gx.out; ox++) {
        for (let o = 0; o < f!; o++) {
          let total = 0;
          for (let i = 0; i < kh!; i++) {
            for (let j = 0; j < kw!; j++) {
              const y = oy * strides[0] - gy.before + i * dilation[0];
              const xx = ox * strides[1] - gx.before + j * dilation[1];
              if (y < 0 || y >= h! || xx < 0 || xx >= w!) continue;
              for (let ch = 0; ch < c!; ch++) total += x[((b * h! + y) * w! + xx) * c! + ch]! * kernel[((i * kw! + j) * c! + ch) * f! + o]!;
            }
          }
          values.push(total);
        }
      }
    }
  }
  return { values, shape: [n, gy.out, gx.out, f] };
}

/** A plain-loop pooling: the max or the mean of the real (unpadded) values of each window. */
function pool(
  x: readonly number[], [n, h, w, c]: readonly number[], size: readonly [number, number], strides: readonly [number, number], padding: 'valid' | 'same', kind: 'max' | 'mean',
): number[] {
  const gy = geometry(h!, size[0], strides[0], 1, padding);
  const gx = geometry(w!, size[1], strides[1], 1, padding);
  const out: number[] = [];
  for (let b = 0; b < n!; b++) {
    for (let oy = 0; oy < gy.out; oy++) {
      for (let ox = 0; ox < gx.out; ox++) {
        for (let ch = 0; ch < c!; ch++) {
          const seen: number[] = [];
          for (let i = 0; i < size[0]; i++) {
            for (let j = 0; j < size[1]; j++) {
              const y = oy * strides[0] - gy.before + i;
              const xx = ox * strides[1] - gx.before + j;
              if (y >= 0 && y < h! && xx >= 0 && xx < w!) seen.push(x[((b * h! + y) * w! + xx) * c! + ch]!);
            }
          }
          out.push(kind === 'max' ? Math.max(...seen) : seen.reduce((a, v) => a + v, 0) / seen.length);
        }
      }
    }
  }
  return out;
}

describe('shapes and parameters (Keras)', () => {
  it.each([
    // [inputShape, options, output shape]
    [[8, 8, 1], { filters: 16, kernelSize: 3 }, [6, 6, 16]],
    [[8, 8, 1], { filters: 16, kernelSize: 3, padding: 'same' }, [8, 8, 16]],
    [[7, 9, 3], { filters: 4, kernelSize: [2, 3], strides: 2 }, [3, 4, 4]],
    [[7, 9, 3], { filters: 4, kernelSize: [2, 3], strides: [2, 3], padding: 'same' }, [4, 3, 4]],
    [[9, 9, 2], { filters: 5, kernelSize: 3, dilationRate: 2 }, [5, 5, 5]],
  ] as const)('conv2d on %j with %j is %j, (kh * kw * in + 1) * filters parameters', (inputShape, options, output) => {
    const m = sequential([layers.conv2d(options)], { inputShape, seed: 1 });
    expect(m.layers[0]!.outputShape).toEqual(output);
    const kernel = typeof options.kernelSize === 'number' ? [options.kernelSize, options.kernelSize] : options.kernelSize;
    expect(m.countParams()).toBe((kernel[0]! * kernel[1]! * inputShape[2] + 1) * options.filters);
    expect(m.getWeights()[0]!.shape).toEqual([kernel[0], kernel[1], inputShape[2], options.filters]);
  });

  it.each([
    [[6, 6, 2], {}, [3, 3, 2]],
    [[7, 7, 2], {}, [3, 3, 2]],
    [[7, 7, 2], { padding: 'same' }, [4, 4, 2]],
    [[8, 8, 3], { poolSize: 3, strides: 1 }, [6, 6, 3]],
    [[8, 5, 1], { poolSize: [2, 3], strides: [2, 1], padding: 'same' }, [4, 5, 1]],
  ] as const)('pooling %j with %j is %j, no parameters', (inputShape, options, output) => {
    for (const make of [maxPooling2d, averagePooling2d]) {
      const m = sequential([make(options)], { inputShape, seed: 1 });
      expect(m.layers[0]!.outputShape).toEqual(output);
      expect(m.countParams()).toBe(0);
    }
  });

  it('Keras defaults: strides 1, valid padding, glorotUniform kernel with Keras fans, zero bias; pools of 2 with strides of the pool', () => {
    const conv = layers.conv2d({ filters: 8, kernelSize: 3 });
    expect(conv.config).toMatchObject({ strides: [1, 1], padding: 'valid', dilationRate: [1, 1], activation: 'linear', useBias: true });
    expect(conv.config.kernelInitializer.name).toBe('glorotUniform');
    expect(maxPooling2d().config).toEqual({ poolSize: [2, 2], strides: [2, 2], padding: 'valid' });
    expect(averagePooling2d({ poolSize: 3 }).config).toEqual({ poolSize: [3, 3], strides: [3, 3], padding: 'valid' });
    // Glorot uniform's limit sqrt(6 / (fanIn + fanOut)) with fans 3*3*2 and 3*3*8.
    const m = sequential([layers.conv2d({ filters: 8, kernelSize: 3 })], { inputShape: [5, 5, 2], seed: 3 });
    const limit = Math.sqrt(6 / (9 * 2 + 9 * 8));
    const kernel = Array.from(m.getWeights()[0]!.data);
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(0.8 * limit);
    expect(Array.from(m.getWeights()[1]!.data).every((v) => v === 0)).toBe(true);
  });

  it('inputs that do not fit are ModelErrors naming the layer', () => {
    expect(thrown(() => sequential([layers.conv2d({ filters: 2, kernelSize: 5 })], { inputShape: [4, 4, 1] })).message)
      .toMatch(/conv2d_1: a window of 5 \(5 with dilation 1\) does not fit the input's height of 4 with padding 'valid'/);
    expect(thrown(() => sequential([layers.conv2d({ filters: 2, kernelSize: 3 })], { inputShape: [64] })).message)
      .toMatch(/conv2d_1: conv2d expects inputs of shape \[batch, height, width, channels\], got \[batch, 64\]/);
    expect(thrown(() => sequential([maxPooling2d({ poolSize: 3 })], { inputShape: [2, 8, 1] })).message).toMatch(/maxPooling2d_1: a window of 3/);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: 0 }))).toBeInstanceOf(ModelError);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: [3, 3, 3] as unknown as [number, number] })).message).toMatch(/kernelSize must be a positive integer or a pair of them/);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal' as 'same' })).message).toMatch(/padding must be one of 'valid', 'same', got "causal"/);
    expect(thrown(() => maxPooling2d({ poolSize: 2, stride: 1 } as never)).message).toMatch(/maxPooling2d: unknown option 'stride'; known: name, poolSize, strides, padding/);
  });
});

describe('forward values against loops', () => {
  it.each([
    [[2, 5, 6, 2], { filters: 3, kernelSize: 3, padding: 'valid' }],
    [[2, 5, 6, 2], { filters: 3, kernelSize: [2, 3], strides: [2, 2], padding: 'same' }],
    [[1, 7, 7, 1], { filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same' }],
    [[1, 6, 5, 3], { filters: 2, kernelSize: [3, 2], strides: [1, 2], padding: 'valid' }],
  ] as const)('conv2d on %j with %j', ([n, h, w, c], options) => {
    const m = sequential([layers.conv2d({ ...options, biasInitializer: 'zeros' })], { inputShape: [h, w, c], dtype: 'float64', seed: 4 });
    const [kh, kw] = typeof options.kernelSize === 'number' ? [options.kernelSize, options.kernelSize] : options.kernelSize;
    const kernelShape = [kh, kw, c, options.filters] as [number, number, number, number];
    const kernel = randomValues(kh * kw * c * options.filters, 5);
    const bias = randomValues(options.filters, 6);
    m.setWeights([tensor(kernel, { dtype: 'float64', shape: kernelShape }), bias]);
    const x = randomValues(n * h * w * c, 7);
    const pair = (v: number | readonly number[] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : [v[0]!, v[1]!]);
    const want = convolve(x, [n, h, w, c], kernel, kernelShape, pair('strides' in options ? options.strides : undefined), pair('dilationRate' in options ? options.dilationRate : undefined), options.padding);
    const got = m.predict(tensor(x, { dtype: 'float64', shape: [n, h, w, c] }));
    expect(got.shape).toEqual(want.shape);
    want.values.forEach((v, i) => {
      const withBias = v + bias[i % options.filters]!;
      expect(Math.abs(got.data[i]! - withBias)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(withBias)));
    });
  });

  it.each([
    [[2, 6, 6, 2], { poolSize: 2 }],
    [[1, 7, 7, 3], { poolSize: 2, padding: 'same' }],
    [[2, 5, 8, 1], { poolSize: [3, 2], strides: [1, 3], padding: 'same' }],
  ] as const)('pooling %j with %j: max, and the mean of the real values', ([n, h, w, c], options) => {
    const x = randomValues(n * h * w * c, 8);
    const size: [number, number] = typeof options.poolSize === 'number' ? [options.poolSize, options.poolSize] : [options.poolSize[0], options.poolSize[1]];
    const strides: [number, number] = 'strides' in options ? [options.strides[0], options.strides[1]] : size;
    const padding = 'padding' in options ? options.padding : 'valid';
    for (const [make, kind] of [[maxPooling2d, 'max'], [averagePooling2d, 'mean']] as const) {
      const m = sequential([make(options)], { inputShape: [h, w, c], dtype: 'float64', seed: 1 });
      const got = m.predict(tensor(x, { dtype: 'float64', shape: [n, h, w, c] })).data;
      const want = pool(x, [n, h, w, c], size, strides, padding, kind);
      expect(got.length).toBe(want.length);
      want.forEach((v, i) => expect(Math.abs(got[i]! - v), `${kind} ${i}`).toBeLessThanOrEqual(1e-14));
    }
  });
});

describe('gradients against high-precision central differences', () => {
  it('conv2d (same padding, strides) -> max pool -> average pool -> dense, through every weight and the input', () => {
    const m = sequential([
      layers.conv2d({ filters: 2, kernelSize: 3, strides: [1, 2], padding: 'same', activation: 'tanh' }),
      maxPooling2d({ poolSize: 2, padding: 'same' }),
      averagePooling2d({ poolSize: [1, 2], padding: 'same' }),
      flatten(),
      dense({ units: 2 }),
    ], { inputShape: [5, 6, 2], dtype: 'float64', seed: 9 });
    m.setWeights(m.getWeights().map((w, i) => tensor(randomValues(w.data.length, 20 + i), { dtype: 'float64', shape: w.shape })));
    const rows = 2;
    const x = tensor(randomValues(rows * 60, 10), { dtype: 'float64', shape: [rows, 5, 6, 2] });
    const weights = constant(tensor(randomValues(rows * 2, 11), { dtype: 'float64', shape: [rows, 2] }));
    const report = checkGrad(m.output.mul(weights).sum(), [m.input, ...m.params], [feedsOf(m, x)], { rtol: 1e-7 });
    expect(report.ok, JSON.stringify(report.worst)).toBe(true);
  });
});

describe('files', () => {
  it('conv and pooling layers round-trip; hostile configs are ModelFormatErrors at the field', () => {
    const m = sequential([
      layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: 1, padding: 'same', dilationRate: [1, 2], activation: 'relu' }),
      averagePooling2d({ poolSize: 2, padding: 'same' }), maxPooling2d({ poolSize: [2, 1] }), flatten(), dense({ units: 2, activation: 'softmax' }),
    ], { inputShape: [6, 6, 1], seed: 12 });
    const json = JSON.parse(JSON.stringify(modelToJSON(m))) as { layers: Record<string, unknown>[] };
    expect(json.layers[0]).toEqual({
      type: 'conv2d', name: 'conv2d_1', filters: 3, kernelSize: [3, 2], strides: [1, 1], padding: 'same', dilationRate: [1, 2], activation: 'relu', useBias: true,
      kernelInitializer: 'glorotUniform', biasInitializer: 'zeros',
    });
    const copy = modelFromJSON(structuredClone(json));
    const x = randomValues(2 * 36, 13);
    expectSameBits([copy.predict(tensor(x, { shape: [2, 6, 6, 1] }))], [m.predict(tensor(x, { shape: [2, 6, 6, 1] }))]);
    const broken = (edit: (layers: Record<string, unknown>[]) => void): Error => {
      const j = structuredClone(json);
      edit(j.layers);
      return thrown(() => modelFromJSON(j, 'cnn.json'));
    };
    for (const [edit, path, detail] of [
      [(l: Record<string, unknown>[]) => { l[0]!.kernelSize = [3, 0]; }, '$.layers[0].kernelSize', /positive integer or a pair/],
      [(l: Record<string, unknown>[]) => { l[0]!.filters = 1e12; }, '$.layers[0]', /brings the model to/],
      [(l: Record<string, unknown>[]) => { l[0]!.padding = 'full'; }, '$.layers[0].padding', /must be one of 'valid', 'same'/],
      [(l: Record<string, unknown>[]) => { l[0]!.kernelSize = [30, 2]; l[0]!.padding = 'valid'; }, '$.layers[0]', /does not fit the input's height of 6/],
      [(l: Record<string, unknown>[]) => { l[1]!.strides = '2'; }, '$.layers[1].strides', /positive integer or a pair/],
      [(l: Record<string, unknown>[]) => { delete l[2]!.strides; }, '$.layers[2].strides', /missing/],
    ] as const) {
      const error = broken(edit);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect(error.message).toContain(`cnn.json: ${path}: `);
      expect(error.message).toMatch(detail);
    }
  });
});
