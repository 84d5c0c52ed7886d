// The accuracy contract of weightedSigmoidCrossEntropyWithLogits (posWeight) and its gradient op,
// as seeded properties: over random and extreme logits, labels and weights in both float dtypes
// (a third of the labels put sigmoid(z) at the optimum pw y / (1 + (pw - 1) y), where the
// gradient's two terms cancel), losses are within 4 ULP (float64) / 2 ULP (float32) of the
// 60-digit reference, gradients within 8 ULP wherever the true value is normal, and nothing is
// Infinity or NaN where the truth is finite. The references are checked against the textbook
// formula `-(pw y log s + (1 - y) log(1 - s))`, s = 1 / (1 + e^-z), at adaptive precision.
import { afterAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  constant, evaluate, grad, input, sigmoidCrossEntropyGrad, sigmoidCrossEntropyWithLogits, tensor, weightedSigmoidCrossEntropyGrad,
  weightedSigmoidCrossEntropyWithLogits,
} from '@stablegrad/core';
import { createDecimalMath, type FloatDType, propertyRuns, toDecimal, ulpDistance } from '@stablegrad/testing';
import { contract, isNormal, label, logit, roundTo, runNode, type Run, sigmoid } from './cross-entropy-support.js';

const runs = propertyRuns();
const dtypes: readonly FloatDType[] = ['float64', 'float32'];
const worst = new Map<string, number>();

afterAll(() => {
  const lines = [...worst.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, u]) => `${k.padEnd(22)} max ${u} ULP`);
  console.log(`weightedSigmoidCE accuracy (max ULP vs 60-digit reference):\n${lines.join('\n')}`);
});

function check(quantity: 'loss' | 'grad', dtype: FloatDType, run: Run, inputs: unknown): string[] {
  const key = `${dtype} ${quantity}`;
  const failures: string[] = [];
  run.got.forEach((got, i) => {
    const want = roundTo(run.want[i]!, dtype);
    if (Number.isFinite(want) && !Number.isFinite(got)) failures.push(`${key}: got ${got}, want ${want} for ${JSON.stringify(inputs)}`);
    if (quantity === 'grad' && !isNormal(want, dtype)) return;
    const d = ulpDistance(got, want, dtype);
    worst.set(key, Math.max(worst.get(key) ?? 0, d));
    if (d > contract(quantity, dtype)) failures.push(`${key}: ${d} ULP (got ${got}, want ${want}) for ${JSON.stringify(inputs)}`);
  });
  return failures;
}

/** Positive weights: 1 (the unweighted op), typical class-imbalance ratios, tiny and huge ones. */
function posWeight(dtype: FloatDType): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(1, 2, 0.5, 3, 10, 0.1, 1e-3, 1e3, 1e-30, 1e30),
    fc.double({ min: 0.01, max: 100, noNaN: true }),
  ).map((v) => roundTo(v, dtype));
}

/** (z, y, pw); in mode 0 y is the rounded optimum label s / (pw (1 - s) + s), nudged by a few ULP. */
function weightedCase(dtype: FloatDType): fc.Arbitrary<[number, number, number]> {
  return fc.tuple(logit(dtype), label(dtype), posWeight(dtype), fc.integer({ min: 0, max: 2 }), fc.integer({ min: -3, max: 3 }))
    .map(([z, y, pw, mode, nudge]): [number, number, number] => {
      if (mode !== 0) return [z, y, pw];
      const s = sigmoid(z);
      const step = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
      const optimum = roundTo(s / (pw * (1 - s) + s), dtype);
      return [z, Math.min(1, Math.max(0, roundTo(optimum * (1 + nudge * step), dtype))), pw];
    });
}

function runWeighted(z: number, y: number, pw: number, dtype: FloatDType): { loss: Run; grad: Run } {
  const [zi, yi, wi] = ['z', 'y', 'pw'].map((name) => input([1], { dtype, name })) as [ReturnType<typeof input>, ReturnType<typeof input>, ReturnType<typeof input>];
  const values = [z, y, pw].map((v) => tensor([v], { dtype, shape: [1] }));
  return {
    loss: runNode(weightedSigmoidCrossEntropyWithLogits(zi, yi, wi), values),
    grad: runNode(weightedSigmoidCrossEntropyGrad(zi, yi, wi), values),
  };
}

/**
 * The textbook formulas with s = 1 / (1 + e^-z): loss `-(pw y ln s + (1 - y) ln(1 - s))`,
 * gradient `(1 - y) s - pw y (1 - s)`, with enough digits that 1 - s keeps e^-|z| and the
 * gradient's difference keeps 50 digits after cancelling.
 */
function plainWeighted(z: number, y: number, pw: number): { loss: number; grad: number } {
  const D = createDecimalMath(120 + Math.ceil(Math.abs(z) / 2.3)).Decimal;
  const [Z, Y, W] = [z, y, pw].map((v) => toDecimal(v, D));
  const one = new D(1);
  const s = one.div(one.add(Z!.neg().exp()));
  const loss = W!.mul(Y!).mul(s.ln()).add(one.sub(Y!).mul(one.sub(s).ln())).neg();
  const g = one.sub(Y!).mul(s).sub(W!.mul(Y!).mul(one.sub(s)));
  return { loss: Number(loss.toString()), grad: Number(g.toString()) };
}

describe.each(dtypes)('%s', (dtype) => {
  const params = { seed: dtype === 'float64' ? 20240611 : 20240612, numRuns: runs * 3 };

  test.prop([weightedCase(dtype)], params)('weightedSigmoidCrossEntropyWithLogits and its gradient are within contract', ([z, y, pw]) => {
    const { loss, grad: g } = runWeighted(z, y, pw, dtype);
    expect([...check('loss', dtype, loss, { z, y, pw }), ...check('grad', dtype, g, { z, y, pw })]).toEqual([]);
  });
});

describe('the references agree with the textbook formulas at high precision', () => {
  const params = { seed: 4243, numRuns: Math.max(20, runs) };
  // |z| <= 700: the textbook ln(1 - s) needs about |z| / 2.3 digits
  const moderate = weightedCase('float64').filter(([z]) => Math.abs(z) <= 700);

  test.prop([moderate], params)('weighted sigmoid cross-entropy', ([z, y, pw]) => {
    const { loss, grad: g } = runWeighted(z, y, pw, 'float64');
    const plain = plainWeighted(z, y, pw);
    expect(ulpDistance(loss.want[0]!, plain.loss, 'float64')).toBeLessThanOrEqual(1);
    if (isNormal(plain.grad, 'float64')) expect(ulpDistance(g.want[0]!, plain.grad, 'float64')).toBeLessThanOrEqual(1);
  });
});

describe('weightedSigmoidCrossEntropyWithLogits', () => {
  it('is sigmoidCrossEntropyWithLogits at posWeight 1, value and gradient, bit for bit', () => {
    const z = input([6], { dtype: 'float64', name: 'z' });
    const y = input([6], { dtype: 'float64', name: 'y' });
    const feeds = new Map([[z, tensor([-40, -3, -0.5, 0, 2, 40], { dtype: 'float64' })], [y, tensor([0, 1, 0.3, 0.5, 0.9, 1], { dtype: 'float64' })]]);
    const [a, b] = [weightedSigmoidCrossEntropyWithLogits(z, y, 1), sigmoidCrossEntropyWithLogits(z, y)].map((n) => Array.from(evaluate(n, feeds).data));
    expect(a).toEqual(b);
    const [ga, gb] = [weightedSigmoidCrossEntropyGrad(z, y, 1), sigmoidCrossEntropyGrad(z, y)].map((n) => Array.from(evaluate(n, feeds).data));
    ga!.forEach((v, i) => expect(ulpDistance(v, gb![i]!, 'float64')).toBeLessThanOrEqual(2));
  });

  it('is finite at extreme logits in float32, and its graph gradient is the fused op', () => {
    const z = input([4], { dtype: 'float32', name: 'z' });
    const y = input([4], { dtype: 'float32', name: 'y' });
    const pw = input([4], { dtype: 'float32', name: 'pw' });
    const loss = weightedSigmoidCrossEntropyWithLogits(z, y, pw).sum();
    const [dz] = grad(loss, [z]);
    expect(dz!.inputs.map((n) => n.op)).toContain('weightedSigmoidCrossEntropyGrad');
    const feeds = new Map([
      [z, tensor([-1e30, -200, 200, 3e38], { dtype: 'float32' })],
      [y, tensor([1, 1, 0, 0.5], { dtype: 'float32' })],
      [pw, tensor([5, 5, 5, 5], { dtype: 'float32' })],
    ]);
    const [l, g] = evaluate([loss, dz!], feeds);
    expect(Number.isFinite(l!.data[0])).toBe(true);
    expect(Array.from(g!.data)).toEqual([-5, -5, 1, 0.5]);
  });

  it('broadcasts a per-unit weight against [batch, units]', () => {
    const z = input([2, 3], { dtype: 'float64', name: 'z' });
    const out = evaluate(weightedSigmoidCrossEntropyWithLogits(z, 1, constant([1, 2, 3], { dtype: 'float64' })), new Map([[z, tensor([0, 0, 0, 0, 0, 0], { dtype: 'float64', shape: [2, 3] })]]));
    // y = 1, z = 0: pw log 2
    expect(Array.from(out.data)).toEqual([1, 2, 3, 1, 2, 3].map((w) => w * Math.LN2));
  });
});
