/**
 * The canonicalize rules for negation, subtraction and log1p on values: each spelling, once
 * canonicalized, means the same thing. The sign moves (`a - b` to `a + (-b)`, negations out of
 * products, quotients, sums and reductions, `(y - 1) L` to `-((1 - y) L)`) are exact in IEEE
 * arithmetic too (rounding to nearest is symmetric), so the float results must be identical;
 * `log1p(x)` to `log(1 + x)` and the factoring `L - y L` to `(1 - y) L` only keep the meaning, checked
 * with 400-digit references (60 digits lose `1 + 1e-300`).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { add, constant, div, evaluate, input, log, log1p, mean, mul, neg, type Node, sub, sum, type Tensor } from '@stablegrad/core';
import { formatExpression, PHASES, rewrite } from '@stablegrad/rewrite';
import { createDecimalMath, type FloatDType, propertyParams, referenceEvaluate, tensorOf, ulpDistance } from '@stablegrad/testing';

const canonical = (node: Node): Node => rewrite(node, [PHASES[0]!]).graph.outputs[0]!;
const PRECISE = { math: createDecimalMath(400) };

type Inputs = { a: Node; b: Node; x: Node; y: Node; q: Node };
/** Spellings whose canonical form is exact in floating point, with the rule each exercises. */
const EXACT: readonly { readonly rule: string; readonly build: (i: Inputs) => Node }[] = [
  { rule: 'sub-to-add-neg', build: ({ a, b }) => sub(a, b) },
  { rule: 'double-negation', build: ({ x }) => neg(neg(x)) },
  { rule: 'minus-one-times', build: ({ x }) => mul(-1, x) },
  { rule: 'negation-out-of-product', build: ({ a, b }) => mul(b, neg(a)) },
  { rule: 'negation-out-of-quotient', build: ({ a, b }) => div(neg(a), b) },
  { rule: 'negation-out-of-sum', build: ({ a, b }) => add(neg(a), neg(b)) },
  { rule: 'negation-out-of-reduction', build: ({ x }) => add(sum(neg(x)), mean(neg(x))) },
  { rule: 'label-difference-to-negation', build: ({ y, q }) => mul(sub(y, 1), log(q)) },
];
/** Spellings whose canonical form rounds differently but means the same. */
const MEANING: readonly { readonly rule: string; readonly build: (i: Inputs) => Node }[] = [
  { rule: 'log1p-to-log', build: ({ x }) => log1p(x) },
  { rule: 'factor-log-term', build: ({ y, q }) => sub(add(mul(y, log(q)), log(q)), mul(y, log(q))) },
];

describe.each(['float32', 'float64'] as const)('%s', (dtype: FloatDType) => {
  const inputs = (): Inputs => {
    const at = (name: string) => input([4], { name, dtype });
    return { a: at('a'), b: at('b'), x: at('x'), y: at('y'), q: at('q') };
  };
  const any = tensorOf([4], dtype);
  const feedsOf = fc.record({
    a: any, b: any, x: tensorOf([4], dtype, { min: -0.999, max: 1e30 }), y: any, q: tensorOf([4], dtype, { min: 0, max: 1e30 }),
  });

  for (const { rule, build } of EXACT) {
    test.prop([feedsOf], propertyParams(40))(`${rule}: the same floats`, (feeds: Record<string, Tensor>) => {
      const original = build(inputs());
      const result = rewrite(original, [PHASES[0]!]);
      expect(result.report.firings.map((f) => f.rule)).toContain(rule);
      const [before, after] = [evaluate(original, feeds).data, evaluate(result.graph.outputs[0]!, feeds).data];
      // === equates 0 and -0 (the sign of a zero sum may differ) and fails on NaN; compare NaN by position.
      Array.from(before).forEach((v, i) => expect(Number.isNaN(v) ? Number.isNaN(after[i]!) : v === after[i], `element ${i}: ${v} vs ${after[i]}`).toBe(true));
    });
  }

  for (const { rule, build } of MEANING) {
    test.prop([feedsOf], propertyParams(30))(`${rule}: the same meaning`, (feeds: Record<string, Tensor>) => {
      const original = build(inputs());
      const result = rewrite(original, [PHASES[0]!]);
      expect(result.report.firings.map((f) => f.rule)).toContain(rule);
      const [truth, truthAfter] = referenceEvaluate([original, result.graph.outputs[0]!], feeds, PRECISE);
      truth!.values.forEach((v, i) => expect(ulpDistance(v, truthAfter!.values[i]!, dtype), `element ${i}`).toBeLessThanOrEqual(0));
    });
  }

  it('canonical forms, written from the rules', () => {
    const i = inputs();
    expect(formatExpression(canonical(sub(i.a, i.b)))).toBe('add(a, neg(b))');
    expect(formatExpression(canonical(mul(i.b, neg(i.a))))).toBe('neg(mul(b, a))');
    expect(formatExpression(canonical(log1p(i.x)))).toBe('log(add(1, x))');
    expect(formatExpression(canonical(mul(sub(i.y, 1), log(i.q))))).toBe('neg(mul(add(1, neg(y)), log(q)))');
    // a constant "y" is folding's business, not this rule's (and 1 - 1 would match again)
    expect(formatExpression(canonical(mul(sub(constant(1, { dtype }), 1), log(i.q))))).toBe('mul(add(1, neg(1)), log(q))');
  });
});
