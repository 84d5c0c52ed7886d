// The new layers in ONNX: models with convolution and pooling (float32), reshape, flatten, layer and batch normalization (their
// inference form: moving statistics), dropout (absent in inference) and embedding export with
// model.toOnnx() and give predict's values in ONNX Runtime.
import * as ort from 'onnxruntime-node';
import {
  averagePooling2d, batchNormalization, dense, dropout, embedding, flatten, type Layer, layerNormalization, layers, maxPool2dGrad, maxPooling2d, OnnxExportError, registerLayer,
  type Sequential, sequential, tensor,
} from 'stablegrad';
import { describe, expect, it } from 'vitest';

async function runOnnx(model: Sequential, x: Float64Array, rows: number): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(model.toOnnx(), { executionProviders: ['cpu'] });
  try {
    const out = await session.run({ x: new ort.Tensor('float64', x, [rows, ...model.inputShape]) });
    return out.prediction!.data as Float64Array;
  } finally {
    await session.release();
  }
}

function values(n: number, seed: number, integers = 0): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return integers > 0 ? s % integers : (s / 2147483648) * 4 - 2;
  });
}

const MODELS: readonly [string, () => Layer[], readonly number[], number][] = [
  ['reshape, layerNormalization, flatten', () => [layers.reshape({ targetShape: [3, 4] }), layerNormalization(), flatten(), dense({ units: 3, activation: 'softmax' })], [12], 0],
  ['batchNormalization and dropout (inference form)', () => [dense({ units: 6, activation: 'relu' }), batchNormalization(), dropout({ rate: 0.5 }), dense({ units: 2, activation: 'sigmoid' })], [5], 0],
  ['embedding', () => [embedding({ inputDim: 9, outputDim: 3 }), flatten(), dense({ units: 2 })], [4], 9],
];

describe('layers exported to ONNX', () => {
  it.each(MODELS)('%s: ONNX Runtime gives predict\'s values', async (_name, make, inputShape, ids) => {
    const model = sequential(make(), { inputShape, dtype: 'float64', seed: 5 });
    // Moving statistics away from their initial values, so the export must carry them.
    if (model.layers.some((l) => l.type === 'batchNormalization')) {
      model.setWeights(model.getWeights().map((w, i) => (model.weightNodes[i]!.name.startsWith('moving_') ? tensor(values(w.data.length, 30 + i).map((v) => Math.abs(v) + 0.5), { dtype: 'float64', shape: w.shape }) : w)));
    }
    const rows = 4;
    const size = rows * inputShape.reduce((a, b) => a * b, 1);
    const x = values(size, 11, ids);
    const ours = model.predict(tensor(x, { dtype: 'float64', shape: [rows, ...inputShape] })).data;
    const theirs = await runOnnx(model, x, rows);
    expect(theirs.length).toBe(ours.length);
    theirs.forEach((v, i) => expect(Math.abs(v - ours[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(ours[i]!))));
  });

  // ONNX Runtime's CPU provider has no double Conv or AveragePool: float32, within float32's rounding.
  it('conv2d and pooling (float32): ONNX Runtime gives predict\'s values', async () => {
    const model = sequential([
      layers.conv2d({ filters: 3, kernelSize: 3, strides: [1, 2], padding: 'same', activation: 'relu' }), maxPooling2d({ padding: 'same' }),
      averagePooling2d({ poolSize: [2, 1], padding: 'same' }), flatten(), dense({ units: 2, activation: 'softmax' }),
    ], { inputShape: [7, 6, 2], seed: 5 });
    const x = Float32Array.from(values(2 * 84, 12));
    const ours = model.predict(tensor(x, { shape: [2, 7, 6, 2] })).data;
    const session = await ort.InferenceSession.create(model.toOnnx(), { executionProviders: ['cpu'] });
    try {
      const theirs = (await session.run({ x: new ort.Tensor('float32', x, [2, 7, 6, 2]) })).prediction!.data as Float32Array;
      expect(theirs.length).toBe(ours.length);
      theirs.forEach((v, i) => expect(Math.abs(v - ours[i]!)).toBeLessThanOrEqual(1e-5));
    } finally {
      await session.release();
    }
  });

  it('a layer whose op has no ONNX mapping is an OnnxExportError naming the layer and its type', () => {
    const noOnnx = registerLayer({
      type: 'testNoOnnx',
      configure: () => ({}),
      toJSON: () => ({}),
      outputShape: (_c, inputShape) => [...inputShape],
      // A gradient op in a forward pass: there is no ONNX for it.
      forward: (_c, x) => ({ output: maxPool2dGrad(x, x, { poolSize: 1 }) }),
    });
    const model = sequential([noOnnx(), flatten(), dense({ units: 2 })], { inputShape: [4, 4, 1], seed: 5 });
    const error = (() => { try { model.toOnnx(); } catch (e) { return e as Error; } return undefined; })();
    expect(error).toBeInstanceOf(OnnxExportError);
    expect(error!.message).toMatch(/^layer 'testNoOnnx_1' \(testNoOnnx\) cannot be exported to ONNX: maxPool2dGrad 'testNoOnnx_1\/maxPool2dGrad' has no faithful ONNX mapping/);
  });
});
