// logaddexp: edge cases against hand math, seeded properties that the kernel is within 4 ULP
// (float64) / 2 ULP (float32) of the 60-digit reference for every finite input, cancelling
// pairs (log-probabilities summing to about 1) included, and gradients within 8 ULP of the
// reference gradient and agreeing with central differences.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type DType, evaluate, grad, input, logaddexp, type Node } from '@stablegrad/core';
import { checkGrad, floatOf, type FloatDType, propertyParams, referenceEvaluate, ulpDistance } from '@stablegrad/testing';
import { createDecimalMath, toDecimal } from '@stablegrad/testing';
import { log1pDec } from './op-check.js';

const params = propertyParams();
const D = createDecimalMath(80).Decimal;

/** Runs logaddexp on two equal-length vectors of `dtype`; returns kernel values, reference values and the graph. */
function run(a: readonly number[], b: readonly number[], dtype: DType = 'float64') {
  const x = input([a.length], { dtype, name: 'a' });
  const y = input([b.length], { dtype, name: 'b' });
  const out = logaddexp(x, y);
  const feeds = { a: [...a], b: [...b] };
  return { x, y, out, feeds, got: Array.from(evaluate(out, feeds).data), want: referenceEvaluate(out, feeds).values };
}

/** log(e^a + e^b) at 80 digits, independently of the op's reference: m + log1p(e^-|a - b|). */
function logaddexpDec(a: number, b: number): number {
  const m = Math.max(a, b);
  const d = toDecimal(a, D).sub(toDecimal(b, D)).abs().neg();
  return toDecimal(m, D).add(log1pDec(d.exp())).toNumber();
}

describe('logaddexp edge cases (float64)', () => {
  it('handles infinities, NaN and huge values', () => {
    const { got } = run([-Infinity, Infinity, Infinity, -Infinity, NaN, 1, 1e308, -1e308, Number.MAX_VALUE], [-Infinity, Infinity, -Infinity, 3, 1, NaN, 1e308, -1e308, -Number.MAX_VALUE]);
    expect(got.slice(0, 4)).toEqual([-Infinity, Infinity, Infinity, 3]);
    expect(got[4]).toBeNaN();
    expect(got[5]).toBeNaN();
    expect(got.slice(6)).toEqual([1e308, -1e308 + Math.LN2, Number.MAX_VALUE]);
  });

  it('is log 2 at (0, 0), symmetric, and the max for far-apart arguments', () => {
    const { got } = run([0, 1, 3, -800, 40], [0, 3, 1, -800, -1e300]);
    expect(got[0]).toBe(Math.LN2);
    expect(got[1]).toBe(got[2]);
    expect(ulpDistance(got[3]!, -800 + Math.LN2)).toBeLessThanOrEqual(1);
    expect(got[4]).toBe(40);
  });

  it('keeps the digits of a result near 0 (log p + log q with p + q close to 1)', () => {
    // p = 0.3, q = 0.7 - 1e-12: log(p + q) = log(1 - 1e-12) ~ -1e-12
    const a = Math.log(0.3);
    const b = Math.log(0.7 - 1e-12);
    const { got, want } = run([a, -Math.LN2, -0.6931471805599453], [b, -Math.LN2, -0.6931471805599454]);
    got.forEach((g, i) => expect(ulpDistance(g, want[i]!), `${g} vs ${want[i]}`).toBeLessThanOrEqual(4));
    expect(ulpDistance(got[0]!, logaddexpDec(a, b))).toBeLessThanOrEqual(4);
  });
});

describe('logaddexp against the 60-digit reference', () => {
  const check = (dtype: FloatDType, arb: fc.Arbitrary<number>, arbB: fc.Arbitrary<number> = arb) =>
    fc.array(fc.tuple(arb, arbB), { minLength: 1, maxLength: 8 }).map((ps) => [ps.map((p) => p[0]), ps.map((p) => p[1])] as const);

  for (const dtype of ['float64', 'float32'] as const) {
    const allowed = dtype === 'float64' ? 4 : 2;
    test.prop([check(dtype, floatOf(dtype))], params)(`every finite pair, within ${allowed} ULP (${dtype})`, ([a, b]) => {
      const { got, want } = run(a, b, dtype);
      got.forEach((g, i) => {
        expect(Number.isFinite(g)).toBe(Number.isFinite(want[i]!));
        expect(ulpDistance(g, want[i]!, dtype), `logaddexp(${a[i]}, ${b[i]}) = ${g}, reference ${want[i]}`).toBeLessThanOrEqual(allowed);
      });
    });
  }

  // Pairs whose result is near 0: log p and log(q) with p + q = 1 + tiny, or a = b near -log 2.
  const cancelling = fc.tuple(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: -1e-6, max: 1e-6, noNaN: true }))
    .map(([p, eps]) => [Math.log(p), Math.log1p(-p + eps)] as const);
  test.prop([fc.array(cancelling, { minLength: 1, maxLength: 8 })], params)('cancelling pairs, within 4 ULP (float64)', (pairs) => {
    const { got } = run(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    got.forEach((g, i) => {
      const [a, b] = pairs[i]!;
      expect(ulpDistance(g, logaddexpDec(a, b)), `logaddexp(${a}, ${b}) = ${g}`).toBeLessThanOrEqual(4);
    });
  });
});

describe('logaddexp gradients', () => {
  /** The gradient graph of sum(logaddexp(a, b)) and its value by the kernels and by the references. */
  function gradients(a: readonly number[], b: readonly number[]) {
    const { x, y, out, feeds } = run(a, b);
    const grads = grad(out.sum(), [x, y]);
    return grads.map((g: Node) => ({ got: Array.from(evaluate(g, feeds).data), want: referenceEvaluate(g, feeds).values }));
  }

  it('is sigmoid(a - b) and sigmoid(b - a), within 8 ULP where the gradient is normal, huge spreads included', () => {
    fc.assert(fc.property(fc.array(fc.tuple(floatOf('float64'), floatOf('float64')), { minLength: 1, maxLength: 6 }), (pairs) => {
      for (const { got, want } of gradients(pairs.map((p) => p[0]), pairs.map((p) => p[1]))) {
        got.forEach((g, i) => {
          expect(Number.isNaN(g)).toBe(false);
          if (Math.abs(want[i]!) >= 2 ** -1022) expect(ulpDistance(g, want[i]!), `${g} vs ${want[i]}`).toBeLessThanOrEqual(8);
          else expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(4 * Number.MIN_VALUE);
        });
      }
    }), params);
  });

  it('takes a - b exactly: a rounded difference would be |a - b| ULP off in the tail', () => {
    // 50 - (-3.7) = 53.7 rounds; sigmoid(-53.7) needs it exactly
    const [ga, gb] = gradients([50, -700.3], [-3.7, 0.1]);
    [...ga!.got, ...gb!.got].forEach((g, i) => {
      const want = [...ga!.want, ...gb!.want][i]!;
      expect(ulpDistance(g, want), `${g} vs ${want}`).toBeLessThanOrEqual(8);
    });
  });

  it('agrees with central differences, broadcasting included', () => {
    const a = input([2, 3], { dtype: 'float64', name: 'a' });
    const b = input([3], { dtype: 'float64', name: 'b' });
    const feeds = [new Map([[a, { dtype: 'float64' as const, shape: [2, 3], data: Float64Array.from([0.5, -2, 3, 0, 1e-3, -7]) }], [b, { dtype: 'float64' as const, shape: [3], data: Float64Array.from([1, -1.5, 2]) }]])];
    const report = checkGrad(logaddexp(a, b).mul(logaddexp(a, b)).sum(), [a, b], feeds);
    expect(report.ok, JSON.stringify(report.worst)).toBe(true);
  });
});
