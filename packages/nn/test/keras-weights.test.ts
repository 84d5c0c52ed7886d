// A Keras get_weights() dump (written as Python's json.dump of tolist() writes it) loads into a
// dense model bit for bit; malformed dumps are ModelFormatErrors with a JSON path.
import { describe, expect, it } from 'vitest';
import { kerasWeightsFromJSON, ModelFormatError, dense, sequential } from '@stablegrad/nn';
import { tensor } from '@stablegrad/core';

/** Seeded float32 values, as a Keras float32 model holds them. */
function float32s(n: number, seed: number): number[] {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return Math.fround((a / 2 ** 32 - 0.5) * 2);
  });
}

describe('kerasWeightsFromJSON', () => {
  // A Keras Sequential([Dense(3, relu), Dense(2)]) on 4 inputs: kernel [4][3], bias [3], kernel [3][2], bias [2].
  const [k1, b1, k2, b2] = [float32s(12, 1), float32s(3, 2), float32s(6, 3), float32s(2, 4)];
  const rows = (flat: number[], cols: number): number[][] => Array.from({ length: flat.length / cols }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
  // JSON.stringify prints the shortest decimal of each value, as Python's json module does.
  const dump = JSON.stringify([rows(k1, 3), b1, rows(k2, 2), b2]);

  it('loads the weights bit for bit, kernels as [inputs][units]', () => {
    const model = sequential([dense({ units: 3, activation: 'relu' }), dense({ units: 2 })], { inputShape: [4] });
    model.setWeights(kerasWeightsFromJSON(JSON.parse(dump), 'weights.json'));
    const weights = model.getWeights();
    expect(weights.map((w) => w.shape)).toEqual([[4, 3], [3], [3, 2], [2]]);
    expect(weights.map((w) => Array.from(w.data))).toEqual([k1, b1, k2, b2]);
    // The forward pass is relu(x K1 + b1) K2 + b2, computed here by hand in float64 and rounded.
    const x = [0.5, -1, 2, 0.25];
    const h = [0, 1, 2].map((j) => Math.max(0, Math.fround(Math.fround(x.reduce((s, v, i) => s + v * k1[i * 3 + j]!, 0)) + b1[j]!)));
    const y = [0, 1].map((j) => Math.fround(Math.fround(h.reduce((s, v, i) => s + v * k2[i * 2 + j]!, 0)) + b2[j]!));
    expect(Array.from(model.predict(tensor([x])).data)).toEqual(y);
  });

  it('reads { "weights": [...] } too', () => {
    expect(kerasWeightsFromJSON({ weights: JSON.parse(dump) as unknown[] })).toHaveLength(4);
  });

  it('names the file and the JSON path of a malformed weight', () => {
    expect(() => kerasWeightsFromJSON({ layers: [] }, 'w.json')).toThrow(ModelFormatError);
    expect(() => kerasWeightsFromJSON([[[1, 2], [3]]], 'w.json')).toThrow('w.json: $[0]: rows of different lengths or depths (not a rectangular array)');
    expect(() => kerasWeightsFromJSON([[1, 'a']], 'w.json')).toThrow('w.json: $[0][1]: expected a non-empty array or a number, found the string "a"');
    expect(() => kerasWeightsFromJSON([3], 'w.json')).toThrow('w.json: $[0]: expected a weight of rank 1 to 4 (a kernel or a bias), found rank 0');
  });
});
