/**
 * Initializers: the same seed gives the same weights bit for bit, and each random initializer
 * stays within Keras' bounds with Keras' spread. The truncated-normal constant is recomputed
 * here by integrating the unit normal, not taken from the code.
 */
import {
  dense, glorotNormal, glorotUniform, heNormal, heUniform, initializers, ModelError, seededRandom, sequential,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { differ, expectClose, expectSameBits, testRandom, thrown } from './helpers.js';

/** Seeds of the generator for the sweeps below (fast-check's import cost is not worth it here). */
const SEEDS = Array.from({ length: 40 }, (_, i) => (i * 2654435761) >>> 0);

/** The standard deviation of a unit normal truncated to [-2, 2], by Simpson's rule. */
function truncatedUnitStd(): number {
  const density = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
  const n = 20_000;
  const h = 4 / n;
  let mass = 0;
  let second = 0;
  for (let i = 0; i <= n; i++) {
    const z = -2 + i * h;
    const weight = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    mass += weight * density(z);
    second += weight * z * z * density(z);
  }
  return Math.sqrt(second / mass);
}

function stats(values: ArrayLike<number>): { mean: number; std: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(values[i]!));
  }
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length), maxAbs };
}

const twoLayers = (seed: number) => sequential([
  dense({ units: 16, activation: 'relu' }), dense({ units: 3, activation: 'softmax', kernelInitializer: 'heNormal' }),
], { inputShape: [8], seed });

describe('determinism by seed', () => {
  it('the same seed gives the same weights bit for bit', () => {
    expectSameBits(twoLayers(42).getWeights(), twoLayers(42).getWeights());
  });

  it('a different seed gives different weights', () => {
    expect(differ(twoLayers(42).getWeights(), twoLayers(43).getWeights())).toBe(true);
  });

  it('a model without a seed reports the one it drew, and that seed repeats it', () => {
    const unseeded = sequential([dense({ units: 4 })], { inputShape: [3] });
    expect(Number.isInteger(unseeded.seed)).toBe(true);
    const again = sequential([dense({ units: 4 })], { inputShape: [3], seed: unseeded.seed });
    expectSameBits(again.getWeights(), unseeded.getWeights());
  });

  it('an initializer fed the same generator seed fills the same values', () => {
    for (const seed of SEEDS) {
      for (const make of [glorotUniform, glorotNormal, heNormal, heUniform]) {
        const fans = { fanIn: 5, fanOut: 7 };
        expect(make().fill(35, fans, seededRandom(seed))).toEqual(make().fill(35, fans, seededRandom(seed)));
      }
    }
  });
});

describe('bounds and spread', () => {
  it('glorotUniform stays in [-sqrt(6 / (fanIn + fanOut)), +...] and fills it uniformly', () => {
    const m = sequential([dense({ units: 40 })], { inputShape: [60], seed: 3 });
    const kernel = m.getWeights()[0]!.data;
    const limit = Math.sqrt(6 / (60 + 40));
    const { mean, std, maxAbs } = stats(kernel);
    expect(maxAbs).toBeLessThanOrEqual(Math.fround(limit));
    expect(maxAbs).toBeGreaterThan(0.99 * limit); // 2400 draws reach close to the edge
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expectClose(std, limit / Math.sqrt(3), 0.05, 'std of a uniform on [-l, l] is l / sqrt(3)');
  });

  it('glorotUniform and heUniform stay within their limits for any fans', () => {
    const random = testRandom(2);
    for (const seed of SEEDS) {
      const fanIn = 1 + Math.floor(30 * random());
      const fanOut = 1 + Math.floor(30 * random());
      const glorot = glorotUniform().fill(fanIn * fanOut, { fanIn, fanOut }, seededRandom(seed));
      const he = heUniform().fill(fanIn * fanOut, { fanIn, fanOut }, seededRandom(seed));
      expect(stats(glorot).maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / (fanIn + fanOut)));
      expect(stats(he).maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / fanIn));
    }
  });

  it('the truncation constant is the std of a unit normal truncated at 2 (0.8796...)', () => {
    expectClose(truncatedUnitStd(), 0.87962566103423978, 1e-9);
  });

  it('heNormal is truncated at 2 sqrt(2 / fanIn) / 0.8796... and has std sqrt(2 / fanIn) on a big layer', () => {
    const fanIn = 400;
    const m = sequential([dense({ units: 250, kernelInitializer: heNormal() })], { inputShape: [fanIn], seed: 11 });
    const kernel = m.getWeights()[0]!.data;
    const { mean, std, maxAbs } = stats(kernel);
    const target = Math.sqrt(2 / fanIn);
    expect(maxAbs).toBeLessThanOrEqual(Math.fround((2 * target) / truncatedUnitStd()) * (1 + 1e-7));
    expect(maxAbs).toBeGreaterThan(0.98 * (2 * target) / truncatedUnitStd()); // the truncation is reached
    expect(Math.abs(mean)).toBeLessThan(0.01 * target);
    expectClose(std, target, 0.02, 'heNormal std');
  });

  it('glorotNormal has std sqrt(2 / (fanIn + fanOut)), truncated at two of its widened stds', () => {
    const m = sequential([dense({ units: 200, kernelInitializer: 'glorotNormal' })], { inputShape: [300], seed: 5 });
    const { std, maxAbs } = stats(m.getWeights()[0]!.data);
    const target = Math.sqrt(2 / 500);
    expect(maxAbs).toBeLessThanOrEqual(((2 * target) / truncatedUnitStd()) * (1 + 1e-6));
    expectClose(std, target, 0.02, 'glorotNormal std');
  });
});

describe('constant initializers and names', () => {
  it('biases default to zeros', () => {
    const [, bias] = sequential([dense({ units: 5 })], { inputShape: [3], seed: 1 }).getWeights();
    expect(Array.from(bias!.data)).toEqual([0, 0, 0, 0, 0]);
  });

  it("'zeros' and 'ones' by name or from the namespace", () => {
    const m = sequential([
      dense({ units: 2, kernelInitializer: 'zeros', biasInitializer: 'ones' }),
      dense({ units: 3, kernelInitializer: initializers.ones(), biasInitializer: initializers.zeros() }),
    ], { inputShape: [4], seed: 1 });
    const [k1, b1, k2, b2] = m.getWeights().map((w) => Array.from(w.data));
    expect(k1).toEqual(new Array(8).fill(0));
    expect(b1).toEqual([1, 1]);
    expect(k2).toEqual(new Array(6).fill(1));
    expect(b2).toEqual([0, 0, 0]);
  });

  it('an unknown initializer name is a ModelError listing the known ones', () => {
    const error = thrown(() => dense({ units: 2, kernelInitializer: 'lecunNormal' as 'zeros' }));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(/unknown initializer "lecunNormal"; known: .*glorotUniform/);
    const proto = thrown(() => dense({ units: 2, biasInitializer: 'constructor' as 'zeros' }));
    expect(proto).toBeInstanceOf(ModelError);
  });
});
