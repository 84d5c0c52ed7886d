// The new layers in ONNX: models with convolution and pooling, reshape, flatten, layer and batch normalization (their
// inference form: moving statistics), dropout (absent in inference) and embedding export with
// model.toOnnx() and give predict's values in ONNX Runtime.
import * as ort from 'onnxruntime-node';
import {
  averagePooling2d, batchNormalization, dense, dropout, embedding, flatten, type Layer, layerNormalization, layers, maxPooling2d, OnnxExportError, type Sequential, sequential, tensor,
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

  // Core's NHWC convolution and pooling have no ONNX mapping yet: a typed error naming the layer.
  it('conv2d and pooling: ONNX Runtime gives predict\'s values, or the export names the layer it cannot write', async () => {
    for (const [first, type] of [
      [layers.conv2d({ filters: 3, kernelSize: 3, strides: [1, 2], padding: 'same', activation: 'relu' }), 'conv2d'],
      [maxPooling2d({ padding: 'same' }), 'maxPooling2d'],
      [averagePooling2d({ poolSize: [2, 1], padding: 'same' }), 'averagePooling2d'],
    ] as const) {
      const model = sequential([first, flatten(), dense({ units: 2, activation: 'softmax' })], { inputShape: [7, 6, 2], dtype: 'float64', seed: 5 });
      let bytes: Uint8Array | undefined;
      try {
        bytes = model.toOnnx();
      } catch (e) {
        expect(e).toBeInstanceOf(OnnxExportError);
        expect((e as Error).message).toMatch(new RegExp(`^layer '${type}_1' \\(${type}\\) cannot be exported to ONNX: `));
      }
      if (bytes === undefined) continue;
      const x = values(2 * 84, 12);
      const ours = model.predict(tensor(x, { dtype: 'float64', shape: [2, 7, 6, 2] })).data;
      const theirs = await runOnnx(model, x, 2);
      theirs.forEach((v, i) => expect(Math.abs(v - ours[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(ours[i]!))));
    }
  });
});
