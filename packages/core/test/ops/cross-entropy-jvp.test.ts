/**
 * The fused cross-entropies' JVPs meet the contract their VJPs meet: along a unit tangent (one
 * derivative) within 8 ULP of the exact value wherever it is a normal number, for every finite
 * logit, extremes included. Along a general tangent the JVP is a dot product, whose rounding is
 * bounded by the sizes of its terms, not of its sum: within 8 ULP of sum |g_i t_i|.
 * Exact values come from the 60-digit reference evaluator run on the same JVP graph (that the
 * graph is the derivative is checked against central differences in the op sweep).
 */
import { describe, expect } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import {
  evaluate, grad, input, jvp, type Node, sigmoidCrossEntropyWithLogits, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits,
  tensor, weightedSigmoidCrossEntropyWithLogits,
} from '@stablegrad/core';
import { propertyParams, referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { isNormal, label, logit, sigmoidCase, softmaxCase, sparseCase } from './cross-entropy-support.js';

const CONTRACT_ULP = 8;
const EPS = 2 ** -52;

/** The JVP of `loss` along unit tangent j of z, for every j: the float values and the exact ones. */
function unitJvps(loss: Node, z: Node, feeds: Map<Node, ReturnType<typeof tensor>>, size: number): { got: number[]; exact: number[] } {
  const t = input(z.shape, { dtype: 'float64', name: 't' });
  const [d] = jvp([loss], [z], [t]);
  const got: number[] = [];
  const exact: number[] = [];
  for (let j = 0; j < size; j++) {
    const unit = Array.from({ length: size }, (_, i) => (i === j ? 1 : 0));
    const at = new Map(feeds).set(t, tensor(unit, { shape: z.shape as number[], dtype: 'float64' }));
    got.push(...evaluate(d!, at).data);
    exact.push(...referenceEvaluate(d!, at).values);
  }
  return { got, exact };
}

function expectWithinContract(got: readonly number[], exact: readonly number[], where: string): void {
  exact.forEach((e, i) => {
    if (!isNormal(e, 'float64') && e !== 0) return;
    expect(ulpDistance(got[i]!, e, 'float64'), `${where} [${i}]: jvp ${got[i]}, exact ${e}`).toBeLessThanOrEqual(CONTRACT_ULP);
  });
}

describe('JVPs of the fused cross-entropies (float64)', () => {
  test.prop([fc.array(sigmoidCase('float64'), { minLength: 1, maxLength: 4 })], propertyParams(200))('sigmoid: along each logit', (cases) => {
    const n = cases.length;
    const z = input([n], { dtype: 'float64', name: 'z' });
    const y = input([n], { dtype: 'float64', name: 'y' });
    const feeds = new Map([[z, tensor(cases.map((c) => c[0]), { dtype: 'float64' })], [y, tensor(cases.map((c) => c[1]), { dtype: 'float64' })]]);
    const { got, exact } = unitJvps(sigmoidCrossEntropyWithLogits(z, y).sum(), z, feeds, n);
    expectWithinContract(got, exact, `z=${cases.map((c) => c[0])}`);
  });

  test.prop([fc.array(fc.tuple(logit('float64'), label('float64'), fc.double({ min: 0.01, max: 100, noNaN: true })), { minLength: 1, maxLength: 4 })], propertyParams(200))(
    'weighted sigmoid: along each logit',
    (cases) => {
      const n = cases.length;
      const z = input([n], { dtype: 'float64', name: 'z' });
      const y = input([n], { dtype: 'float64', name: 'y' });
      const w = input([n], { dtype: 'float64', name: 'w' });
      const feeds = new Map([
        [z, tensor(cases.map((c) => c[0]), { dtype: 'float64' })], [y, tensor(cases.map((c) => c[1]), { dtype: 'float64' })],
        [w, tensor(cases.map((c) => c[2]), { dtype: 'float64' })],
      ]);
      const { got, exact } = unitJvps(weightedSigmoidCrossEntropyWithLogits(z, y, w).sum(), z, feeds, n);
      expectWithinContract(got, exact, `z=${cases.map((c) => c[0])}`);
    },
  );

  test.prop([softmaxCase('float64')], propertyParams(200))('softmax: along each logit', ([zv, yv]) => {
    const z = input([1, zv.length], { dtype: 'float64', name: 'z' });
    const y = input([1, zv.length], { dtype: 'float64', name: 'y' });
    const feeds = new Map([[z, tensor([zv], { dtype: 'float64' })], [y, tensor([yv], { dtype: 'float64' })]]);
    const { got, exact } = unitJvps(softmaxCrossEntropyWithLogits(z, y).sum(), z, feeds, zv.length);
    expectWithinContract(got, exact, `z=${zv} y=${yv}`);
  });

  test.prop([sparseCase('float64')], propertyParams(200))('sparse softmax: along each logit', ([zv, l]) => {
    const z = input([1, zv.length], { dtype: 'float64', name: 'z' });
    const labels = input([1], { dtype: 'int32', name: 'labels' });
    const feeds = new Map([[z, tensor([zv], { dtype: 'float64' })], [labels, tensor([l], { dtype: 'int32' })]]);
    const { got, exact } = unitJvps(sparseSoftmaxCrossEntropyWithLogits(z, labels).sum(), z, feeds, zv.length);
    expectWithinContract(got, exact, `z=${zv} label=${l}`);
  });

  test.prop([softmaxCase('float64'), fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 6, maxLength: 6 })], propertyParams(200))(
    'softmax: along any tangent, within 8 ULP of the sum of the terms\' sizes',
    ([zv, yv], tv) => {
      const k = zv.length;
      const z = input([1, k], { dtype: 'float64', name: 'z' });
      const y = input([1, k], { dtype: 'float64', name: 'y' });
      const t = input([1, k], { dtype: 'float64', name: 't' });
      const loss = softmaxCrossEntropyWithLogits(z, y).sum();
      const [d] = jvp([loss], [z], [t]);
      const g = grad(loss, z);
      const feeds = new Map([[z, tensor([zv], { dtype: 'float64' })], [y, tensor([yv], { dtype: 'float64' })], [t, tensor([tv.slice(0, k)], { dtype: 'float64' })]]);
      const got = evaluate(d!, feeds).data[0]!;
      const exact = referenceEvaluate(d!, feeds).values[0]!;
      const gradient = referenceEvaluate(g, feeds).values;
      const scale = gradient.reduce((s, gi, i) => s + Math.abs(gi * tv[i]!), 0);
      expect(Math.abs(got - exact), `z=${zv} y=${yv} t=${tv.slice(0, k)}: jvp ${got}, exact ${exact}`).toBeLessThanOrEqual(CONTRACT_ULP * (EPS * scale + 2 ** -1074)); // an ULP below the normal range is 2^-1074
    },
  );
});
