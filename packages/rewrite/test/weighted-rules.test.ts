/**
 * The positive-weighted binary cross-entropy rule (stabilize/weighted.ts): the structure after
 * rewriting for the spellings users and the nn losses write, the cases it must leave alone, and
 * a seeded property: on random and extreme logits, labels and weights, the fused loss means what
 * the written one means, within 4 ULP of the reference and finite wherever the truth is, with a
 * gradient that is the fused op.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { add, grad, input, log, mul, neg, type Node, sigmoid, sub, tensor } from '@stablegrad/core';
import { formatExpression, stabilize } from '@stablegrad/rewrite';
import { propertyParams } from '@stablegrad/testing';
import { expectRewriteValues } from './rewrite-values.js';

const floats = (name: string, shape: readonly (number | string)[] = [3]) => input(shape, { name, dtype: 'float64' });
/** pw y log(sigmoid z) + (1 - y) log(1 - sigmoid z), as written by hand. */
const weightedLikelihood = (z: Node, y: Node, pw: Node | number) => add(mul(mul(y, pw), log(sigmoid(z))), mul(sub(1, y), log(sub(1, sigmoid(z)))));
const stabilized = (loss: Node) => {
  const { graph, report } = stabilize({ loss });
  return { sexpr: formatExpression(graph.outputs[0]!), node: graph.outputs[0]!, rules: report.firings.map((f) => f.rule) };
};

describe('positive-weighted-binary-cross-entropy', () => {
  it('fuses the loss written by hand, negated, scaled, with weights common to both terms or a per-unit weight', () => {
    const [z, y, pw, w] = [floats('z'), floats('y'), floats('pw'), floats('w')];
    const result = stabilized(neg(weightedLikelihood(z, y, pw)));
    expect(result.sexpr).toBe('weightedSigmoidCrossEntropyWithLogits(z, y, pw)');
    expect(result.rules).toContain('positive-weighted-binary-cross-entropy');
    expect(stabilized(neg(weightedLikelihood(z, y, 4))).sexpr).toBe('weightedSigmoidCrossEntropyWithLogits(z, y, 4)');
    const common = add(mul(w, mul(mul(pw, y), log(sigmoid(z)))), mul(mul(sub(1, y), w), log(sub(1, sigmoid(z)))));
    expect(stabilized(neg(common)).sexpr).toBe('mul(w, weightedSigmoidCrossEntropyWithLogits(z, y, pw))');
    const t = floats('t');
    expect(stabilized(neg(weightedLikelihood(neg(t), y, pw))).sexpr).toBe('weightedSigmoidCrossEntropyWithLogits(neg(t), y, pw)');
  });

  it('leaves the unweighted and the both-terms-weighted losses to their own rules, and different logits alone', () => {
    const [z, y, w, v] = [floats('z'), floats('y'), floats('w'), floats('v')];
    expect(stabilized(neg(weightedLikelihood(z, y, 1))).sexpr).toMatch(/^weightedSigmoidCrossEntropyWithLogits\(z, y, 1\)$|^sigmoidCrossEntropyWithLogits\(z, y\)$/);
    const both = add(mul(mul(w, y), log(sigmoid(z))), mul(mul(sub(1, y), w), log(sub(1, sigmoid(z)))));
    expect(stabilized(neg(both)).sexpr).toBe('mul(w, sigmoidCrossEntropyWithLogits(z, y))');
    const other = add(mul(mul(y, 2), log(sigmoid(z))), mul(sub(1, y), log(sub(1, sigmoid(v)))));
    expect(stabilized(neg(other)).rules).not.toContain('positive-weighted-binary-cross-entropy');
  });

  it('gives the fused gradient', () => {
    const [z, y, pw] = [floats('z', ['batch', 3]), floats('y', ['batch', 3]), floats('pw', [3])];
    const { node } = stabilized(neg(weightedLikelihood(z, y, pw)).mean());
    const [dz] = grad(node, [z]);
    const ops: string[] = [];
    const walk = (n: Node, seen = new Set<Node>()): void => { if (!seen.has(n)) { seen.add(n); ops.push(n.op); n.inputs.forEach((i) => walk(i, seen)); } };
    walk(dz!);
    expect(ops).toContain('weightedSigmoidCrossEntropyGrad');
    expect(ops).not.toContain('sigmoid');
  });

  const logit = fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -800, max: 800, noNaN: true }));
  const label = fc.oneof(fc.constantFrom(0, 1, 0.5), fc.double({ min: 0, max: 1, noNaN: true }));
  const weight = fc.oneof(fc.constantFrom(0.5, 2, 10), fc.double({ min: 0.01, max: 100, noNaN: true }));
  test.prop([fc.array(fc.tuple(logit, label, weight), { minLength: 4, maxLength: 4 })], propertyParams(50))(
    'means what the written loss means, within 4 ULP and finite wherever the truth is', (rows) => {
      const [z, y, pw] = [floats('z', [4]), floats('y', [4]), floats('pw', [4])];
      const written = neg(weightedLikelihood(z, y, pw));
      const { node } = stabilized(written);
      const column = (k: 0 | 1 | 2) => tensor(rows.map((r) => r[k]), { dtype: 'float64' });
      expectRewriteValues(written, node, new Map([[z, column(0)], [y, column(1)], [pw, column(2)]]), { ulp: 4 });
    },
  );
});
