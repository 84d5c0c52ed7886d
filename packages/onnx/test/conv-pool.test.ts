/**
 * Convolutions and pooling (issue #14) exported to ONNX and run in ONNX Runtime, against the
 * interpreter: conv2d with strides, dilations and both paddings (Keras' odd padding at the end
 * becoming explicit pads), max and average pooling with 'same' padding (padding never wins or
 * counts), and the normalization ops rsqrt and variance, in float32 and float64 (float64 without
 * Conv and AveragePool, which ONNX Runtime's CPU provider does not implement for doubles).
 */
import { describe, expect, it } from 'vitest';
import { avgPool2d, conv2d, graph, input, maxPool2d, param, tensor, type Node } from '@stablegrad/core';
import { OnnxExportError, toOnnx } from '@stablegrad/onnx';
import { runOrt, runOurs, worst, type Feed } from './ort.js';

const EPS = { float32: 2 ** -23, float64: 2 ** -52 };

/** Seeded values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 48271) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  });
}

describe.each(['float32', 'float64'] as const)('a small CNN in ONNX Runtime, %s', (dtype) => {
  const A = dtype === 'float32' ? Float32Array : Float64Array;
  const cases = [
    { strides: [2, 1], dilations: [1, 2], padding: 'same', poolSize: [3, 2], poolStrides: [2, 1], poolPadding: 'same' },
    { strides: [1, 1], dilations: [1, 1], padding: 'same', poolSize: [2, 2], poolStrides: [2, 2], poolPadding: 'valid' },
    { strides: [1, 2], dilations: [2, 1], padding: 'valid', poolSize: [2, 3], poolStrides: [1, 1], poolPadding: 'same' },
  ] as const;

  it.each(cases.map((c, i) => [i, c] as const))('case %i: conv2d, relu, maxPool2d, avgPool2d, rsqrt of variance', async (i, c) => {
    const x = input(['batch', 9, 8, 2], { dtype, name: 'x' });
    const filter = param(tensor(values(3 * 3 * 2 * 4, 11 + i), { shape: [3, 3, 2, 4], dtype }), { name: 'filter' });
    // ONNX Runtime's CPU provider has no float64 Conv (the exported model is valid ONNX): float64 pools x itself.
    const y = dtype === 'float32' ? conv2d(x, filter, { strides: c.strides, dilations: c.dilations, padding: c.padding }).relu() : x.relu();
    const maxed = maxPool2d(y, { poolSize: c.poolSize, strides: c.poolStrides, padding: c.poolPadding });
    const averaged = avgPool2d(y, { poolSize: c.poolSize, strides: c.poolStrides, padding: c.poolPadding });
    const scale = y.variance({ axis: [0, 1, 2], keepDims: true }).add(1e-3).rsqrt();
    // ... nor AveragePool: float64 checks MaxPool and the normalization only.
    const g = graph(dtype === 'float32' ? { maxed, averaged, normalized: y.mul(scale) } : { maxed, normalized: y.mul(scale) });
    const feeds: Record<string, Feed> = { x: { data: A.from(values(3 * 9 * 8 * 2, 5 + i)), dims: [3, 9, 8, 2] } };
    const theirs = await runOrt(toOnnx(g), feeds);
    const ours = runOurs(g, feeds);
    for (const name of g.outputNames) {
      expect(theirs[name]!.length, name).toBe(ours[name]!.data.length);
      // Sums of 18 products (float32 in ONNX Runtime): a relative bound with an absolute floor for values near 0.
      expect(worst(theirs[name]!, ours[name]!.data, 64 * EPS[dtype], 64 * EPS[dtype]), name).toBeLessThanOrEqual(1);
    }
  });
});

describe('what cannot be exported', () => {
  it("says so for 'same' padding over a symbolic height", () => {
    const x: Node = input(['batch', 'h', 8, 1], { name: 'x' });
    const f = param(tensor(values(9, 1), { shape: [3, 3, 1, 1] }), { name: 'f' });
    expect(() => toOnnx(graph({ y: conv2d(x, f, { padding: 'same' }) }))).toThrow(OnnxExportError);
    expect(() => toOnnx(graph({ y: conv2d(x, f, { padding: 'same' }) }))).toThrow(/static height and width/);
  });
});
