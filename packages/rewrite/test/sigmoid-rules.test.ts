/**
 * The sigmoid rules on values: `log-sigmoid`, `one-minus-sigmoid` and the `log1p(-sigmoid z)`
 * spelling (canonicalized to `log(1 - sigmoid z)`, then both rules). Seeded properties over any
 * float (with the extremes), float32 and float64: the rewritten graph is finite wherever the
 * truth is and within a few ULP of the high-precision reference; where the naive graph's 60-digit
 * reference resolves it (|z| <= 30: 1 - sigmoid(200) is 0 at 60 digits), the two graphs mean the same.
 */
import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import { evaluate, input, log, log1p, neg, type Node, sigmoid, sub, type Tensor, tensor } from '@stablegrad/core';
import { formatExpression, PHASES, type Phase, rewrite, stabilizeRules } from '@stablegrad/rewrite';
import { expectRewriteAccurate, type FloatDType, propertyParams, tensorOf } from '@stablegrad/testing';

const MINE = new Set(['log-sigmoid', 'one-minus-sigmoid']);
/** Canonicalize, then only the sigmoid rules. */
const SIGMOID_ONLY: readonly Phase[] = [PHASES[0]!, { name: 'stabilize', rules: stabilizeRules.filter((r) => MINE.has(r.name)) }];
const rewritten = (node: Node): Node => rewrite(node, SIGMOID_ONLY).graph.outputs[0]!;

const CASES: readonly { readonly name: string; readonly build: (z: Node) => Node; readonly after: string }[] = [
  { name: 'log(sigmoid z)', build: (z) => log(sigmoid(z)), after: 'logSigmoid(z)' },
  { name: '1 - sigmoid z', build: (z) => sub(1, sigmoid(z)), after: 'sigmoid(neg(z))' },
  { name: 'log(1 - sigmoid z)', build: (z) => log(sub(1, sigmoid(z))), after: 'logSigmoid(neg(z))' },
  { name: 'log1p(-sigmoid z)', build: (z) => log1p(neg(sigmoid(z))), after: 'logSigmoid(neg(z))' },
];

describe.each(['float32', 'float64'] as const)('%s', (dtype: FloatDType) => {
  const ulp = dtype === 'float32' ? 1 : 2;
  const big = dtype === 'float32' ? 3.4e38 : 1.7e308;
  const anyLogits = tensorOf([6], dtype, { min: -big, max: big });
  const moderateLogits = tensorOf([6], dtype, { min: -30, max: 30 });
  const z = input([6], { name: 'z', dtype });

  for (const c of CASES) {
    it(`${c.name} becomes ${c.after}`, () => expect(formatExpression(rewritten(c.build(z)))).toBe(c.after));

    test.prop([anyLogits], propertyParams(40))(`${c.name}: finite and accurate for any z`, (zs: Tensor) => {
      expectRewriteAccurate(c.build(z), rewritten(c.build(z)), { z: zs }, { ulp, exactMeaning: false });
    });

    test.prop([moderateLogits], propertyParams(30))(`${c.name}: same meaning for moderate z`, (zs: Tensor) => {
      expectRewriteAccurate(c.build(z), rewritten(c.build(z)), { z: zs }, { ulp });
    });
  }

  it('at the extremes the naive graphs break and the rewritten ones do not', () => {
    const far = (dtype === 'float32' ? [-200, 120, -3.4e38, 3.4e38] : [-800, 800, -1.7e308, 1.7e308]).map((v) => (dtype === 'float32' ? Math.fround(v) : v));
    const feeds = { z: tensor([...far, 0, 1e-30], { dtype }) };
    const logSig = evaluate(rewritten(log(sigmoid(z))), feeds).data;
    const logNot = evaluate(rewritten(log1p(neg(sigmoid(z)))), feeds).data;
    // logσ(z) = -softplus(-z): -|z| for very negative z, -e^-z (rounded to -0 or a subnormal) for very positive z.
    expect(logSig[0]).toBe(far[0]);
    expect(logSig[2]).toBe(far[2]);
    expect(logNot[1]).toBe(-far[1]!);
    expect(logNot[3]).toBe(-far[3]!);
    // logσ(0) = -log 2, rounded to the dtype
    expect(logSig[4]).toBe(dtype === 'float32' ? Math.fround(-Math.LN2) : -Math.LN2);
    expect(Array.from(evaluate(log(sigmoid(z)), feeds).data).some((v) => !Number.isFinite(v))).toBe(true);
    expect(Array.from(evaluate(log1p(neg(sigmoid(z))), feeds).data).some((v) => !Number.isFinite(v))).toBe(true);
  });
});
