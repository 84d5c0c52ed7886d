/**
 * Accuracy rules (rules/stabilize/accuracy.ts): structure after canonicalize + stabilize, the
 * cases that must not fire, the points where the naive form is wrong (checked against values
 * worked out by hand), and seeded properties: on random inputs the rewritten graph agrees with
 * the high-precision reference of the original within a few ULP and is finite where it is.
 *
 * The properties stay where the 60-digit reference can resolve the naive form: log(1 + x),
 * exp(x) - 1 and log(exp x) for |x| >= 1e-40, log(1 + exp x) for x >= -90, and sums whose terms
 * differ by less than 1e40 in magnitude (at 1e-300, 1 + x is 1 even with 60 digits, and the
 * reference of the original would say 0).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, constant, type DType, evaluate, exp, input, log, log1p, type Node, sigmoid, sub, type Tensor, tensor,
} from '@stablegrad/core';
import { formatExpression, PHASES, rewrite, stabilize } from '@stablegrad/rewrite';
import { expectRewriteAccurate, type FloatDType, floatOf, propertyParams, ulpDistance } from '@stablegrad/testing';

const STABILIZE = PHASES.slice(0, 2);

function rewritten(node: Node): { node: Node; sexpr: string; rules: string[] } {
  const { graph, report } = rewrite(node, STABILIZE);
  return { node: graph.outputs[0]!, sexpr: formatExpression(graph.outputs[0]!), rules: report.firings.map((f) => f.rule) };
}

const vec = (name: string, dtype: DType = 'float64', n = 6) => input([n], { name, dtype });
const SIZE = 6;

/** Tensors of `SIZE` floats in [min, max], without magnitudes below `floor` (other than 0, unless `zero` is false). */
function floats(dtype: FloatDType, min: number, max: number, floor = 1e-40, zero = true): fc.Arbitrary<Tensor> {
  const element = floatOf(dtype, { min, max }).filter((v) => (zero && v === 0) || Math.abs(v) >= floor);
  return fc.array(element, { minLength: SIZE, maxLength: SIZE }).map((values) => tensor(values, { dtype, shape: [SIZE] }));
}

const one = (node: Node, feeds: Record<string, number[]>): number => evaluate(node, feeds).data[0]!;

describe('structure', () => {
  it('log(1 + exp x) is softplus, before the general log1p rule', () => {
    expect(rewritten(log(add(1, exp(vec('x'))))).sexpr).toBe('softplus(x)');
    expect(rewritten(log1p(exp(vec('x')))).sexpr).toBe('softplus(x)');
  });

  it('log(1 + x) is log1p, log(1 - x) is log1p(-x), exp(x) - 1 is expm1, log(exp x) is x', () => {
    expect(rewritten(log(add(vec('x'), 1))).sexpr).toBe('log1p(x)');
    expect(rewritten(log(sub(1, vec('x')))).sexpr).toBe('log1p(neg(x))');
    expect(rewritten(sub(exp(vec('x')), 1)).sexpr).toBe('expm1(x)');
    expect(rewritten(add(-1, exp(vec('x')))).sexpr).toBe('expm1(x)');
    expect(rewritten(log(exp(vec('x')))).sexpr).toBe('x');
  });

  it('1 - sigmoid(z) under a log still ends as logSigmoid(-z), not log1p(-sigmoid(z))', () => {
    const z = vec('z');
    expect(rewritten(log(sub(1, sigmoid(z)))).sexpr).toBe('logSigmoid(neg(z))');
  });

  it('cancellations', () => {
    const [a, b, c] = [vec('a'), vec('b'), vec('c')];
    expect(rewritten(sub(add(c, a), sub(c, a))).sexpr).toBe('mul(2, a)');
    expect(rewritten(sub(add(a, c), sub(c, a))).sexpr).toBe('mul(2, a)');
    expect(rewritten(sub(add(c, a), add(b, c))).sexpr).toBe('add(a, neg(b))');
    expect(rewritten(sub(add(a, b), a)).sexpr).toBe('b');
    expect(rewritten(sub(add(a, b), b)).sexpr).toBe('a');
    expect(rewritten(add(b, sub(a, b))).sexpr).toBe('a');
  });

  it('does not fire where the form differs or the shape would change', () => {
    const [a, b, c, x] = [vec('a'), vec('b'), vec('c'), vec('x')];
    expect(rewritten(log(add(2, x))).rules).toEqual([]);
    expect(rewritten(sub(exp(x), 2)).sexpr).toBe('add(exp(x), neg(2))');
    expect(rewritten(sub(add(a, b), c)).sexpr).toBe('add(add(a, b), neg(c))');
    // A constant that broadcasts the result larger than x: log1p(x) would have x's shape.
    const scalar = input([], { name: 's', dtype: 'float64' });
    const ones = constant([1, 1, 1], { dtype: 'float64' });
    expect(rewritten(log(add(ones, scalar))).sexpr).toBe('log(add(const[3], s))');
    // (a + b) - a with b scalar and a a vector: b alone would be a scalar.
    expect(rewritten(sub(add(a, scalar), a)).sexpr).toBe('add(add(a, s), neg(a))');
    // Different constants are different terms.
    const k = (v: number) => constant(v, { dtype: 'float64' });
    expect(rewritten(sub(add(k(1), a), sub(k(2), a))).rules).not.toContain('sum-minus-difference');
  });
});

describe('the classic cancellation (1 + 1e-4) - (1 - 1e-4)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`is exactly 2e-4 in ${dtype}, while the naive form is not`, () => {
      const k = (v: number) => constant(v, { dtype });
      const naive = sub(add(k(1), k(1e-4)), sub(k(1), k(1e-4)));
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      // 2 * 1e-4 rounds like 1e-4, scaled by 2 (exact in binary floating point).
      const exact = 2 * round(1e-4);
      expect(exact).toBe(round(2e-4));
      expect(evaluate(naive).data[0]).not.toBe(exact);

      const { graph, report } = stabilize(naive);
      expect(evaluate(graph.outputs[0]!).data[0]).toBe(exact);
      expect(graph.nodes.map((n) => n.op)).toEqual(['constant']);
      // Folding (simplify) comes after the cancellation rule (stabilize): 1 + 1e-4 was still a sum.
      const rules = report.firings.map((f) => f.rule);
      expect(rules).toContain('sum-minus-difference');
      expect(rules.indexOf('sum-minus-difference')).toBeLessThan(rules.findIndex((r) => r.startsWith('fold-')));
    });
  }
});

describe('where the naive form is wrong (values by hand)', () => {
  it('log(1 + x) at x = 1e-20: naive 0, log1p(x) = x - x^2/2 = 1e-20', () => {
    const x = vec('x', 'float64', 1);
    const naive = log(add(1, x));
    expect(one(naive, { x: [1e-20] })).toBe(0);
    expect(one(rewritten(naive).node, { x: [1e-20] })).toBe(1e-20);
  });

  it('log(1 + exp x): naive Infinity at x = 1000 and 0 at x = -50; softplus gives 1000 and e^-50', () => {
    const x = vec('x', 'float64', 1);
    const naive = log(add(1, exp(x)));
    const stable = rewritten(naive).node;
    expect(one(naive, { x: [1000] })).toBe(Infinity);
    expect(one(stable, { x: [1000] })).toBe(1000);
    expect(one(naive, { x: [-50] })).toBe(0);
    // softplus(-50) = log1p(e^-50) = e^-50 - e^-100/2 + ...: e^-50 to double precision.
    expect(ulpDistance(one(stable, { x: [-50] }), 1.9287498479639178e-22)).toBeLessThanOrEqual(1);
  });

  it('exp(x) - 1 at x = 1e-10: naive keeps 7 digits; expm1 = x + x^2/2 = 1.00000000005e-10', () => {
    const x = vec('x', 'float64', 1);
    const naive = sub(exp(x), 1);
    expect(Math.abs(one(naive, { x: [1e-10] }) / 1.00000000005e-10 - 1)).toBeGreaterThan(1e-9);
    expect(ulpDistance(one(rewritten(naive).node, { x: [1e-10] }), 1.00000000005e-10)).toBeLessThanOrEqual(1);
  });

  it('log(exp x) at x = +-1000: naive +-Infinity, rewritten x', () => {
    const x = vec('x', 'float64', 2);
    const naive = log(exp(x));
    expect(Array.from(evaluate(naive, { x: [1000, -1000] }).data)).toEqual([Infinity, -Infinity]);
    expect(Array.from(evaluate(rewritten(naive).node, { x: [1000, -1000] }).data)).toEqual([1000, -1000]);
  });

  it('(a + b) - a at a = 1, b = 1e-20: naive 0, rewritten b', () => {
    const [a, b] = [vec('a', 'float64', 1), vec('b', 'float64', 1)];
    const naive = sub(add(a, b), a);
    expect(one(naive, { a: [1], b: [1e-20] })).toBe(0);
    expect(one(rewritten(naive).node, { a: [1], b: [1e-20] })).toBe(1e-20);
  });
});

describe.each(['float64', 'float32'] as const)('values in %s', (dtype) => {
  const params = propertyParams(20);
  const ulp = dtype === 'float64' ? 2 : 1;
  const rewriteOf = (naive: Node, expected: string): Node => {
    const r = rewritten(naive);
    expect(r.sexpr).toBe(expected);
    return r.node;
  };
  const x = vec('x', dtype);
  const [a, b, c] = [vec('a', dtype), vec('b', dtype), vec('c', dtype)];

  const logOnePlus = log(add(1, x));
  const logOnePlusStable = rewriteOf(logOnePlus, 'log1p(x)');
  test.prop([floats(dtype, -1, 1e30)], params)('log(1 + x) -> log1p(x)', (xs) => {
    expectRewriteAccurate(logOnePlus, logOnePlusStable, { x: xs }, { ulp });
  });

  const softplusNaive = log(add(1, exp(x)));
  const softplusStable = rewriteOf(softplusNaive, 'softplus(x)');
  // Below -90, 1 + e^x needs more than 60 digits (softplus(-50) is checked by hand above).
  test.prop([floats(dtype, -90, 1e4)], params)('log(1 + exp x) -> softplus(x)', (xs) => {
    expectRewriteAccurate(softplusNaive, softplusStable, { x: xs }, { ulp });
  });

  const expMinusOne = sub(exp(x), 1);
  const expm1Stable = rewriteOf(expMinusOne, 'expm1(x)');
  test.prop([floats(dtype, -1e4, 700)], params)('exp(x) - 1 -> expm1(x)', (xs) => {
    expectRewriteAccurate(expMinusOne, expm1Stable, { x: xs }, { ulp });
  });

  const logExp = log(exp(x));
  const logExpStable = rewriteOf(logExp, 'x');
  test.prop([floats(dtype, -1e5, 1e5)], params)('log(exp x) -> x', (xs) => {
    expectRewriteAccurate(logExp, logExpStable, { x: xs }, { ulp: 0 });
  });

  // Nonzero terms within a factor 1e26 of each other: the reference rounds each sum to 60
  // digits, so its error (1e-60 of the largest term) stays far below an ULP of the result.
  const terms = () => floats(dtype, -1e6, 1e6, 1e-20, false);

  const sumDiff = sub(add(c, a), sub(c, a));
  const sumDiffStable = rewriteOf(sumDiff, 'mul(2, a)');
  test.prop([terms(), terms()], params)('(c + a) - (c - a) -> 2a, exactly', (cs, as) => {
    expectRewriteAccurate(sumDiff, sumDiffStable, { a: as, c: cs }, { ulp: 0 });
  });

  const common = sub(add(c, a), add(c, b));
  const commonStable = rewriteOf(common, 'add(a, neg(b))');
  // One rounding (float32: of the float64 difference, so twice at worst).
  test.prop([terms(), terms(), terms()], params)('(c + a) - (c + b) -> a - b, correctly rounded', (cs, as, bs) => {
    expectRewriteAccurate(common, commonStable, { a: as, b: bs, c: cs }, { ulp: dtype === 'float64' ? 0 : 1 });
  });

  const sumTerm = sub(add(a, b), a);
  const sumTermStable = rewriteOf(sumTerm, 'b');
  test.prop([terms(), terms()], params)('(a + b) - a -> b, exactly', (as, bs) => {
    expectRewriteAccurate(sumTerm, sumTermStable, { a: as, b: bs }, { ulp: 0 });
  });

  const diffTerm = add(sub(a, b), b);
  const diffTermStable = rewriteOf(diffTerm, 'a');
  test.prop([terms(), terms()], params)('(a - b) + b -> a, exactly', (as, bs) => {
    expectRewriteAccurate(diffTerm, diffTermStable, { a: as, b: bs }, { ulp: 0 });
  });
});
