// log1mexp: the domain's ends against hand math, seeded properties that the kernel is within
// 4 ULP (float64) / 2 ULP (float32) of the 60-digit reference for every x <= 0, and gradients
// within 8 ULP of the reference gradient, near 0 and for very negative x included.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type DType, evaluate, grad, input, log1mexp } from '@stablegrad/core';
import { checkGrad, createDecimalMath, floatOf, propertyParams, referenceEvaluate, toDecimal, ulpDistance } from '@stablegrad/testing';

const params = propertyParams();
const D = createDecimalMath(80).Decimal;

function run(values: readonly number[], dtype: DType = 'float64') {
  const x = input([values.length], { dtype, name: 'x' });
  const out = log1mexp(x);
  const feeds = { x: [...values] };
  return { x, out, feeds, got: Array.from(evaluate(out, feeds).data), want: referenceEvaluate(out, feeds).values };
}

/** log(1 - e^x) at 80 digits, independently of the op's reference (x not tiny). */
const log1mexpDec = (x: number): number => new D(1).sub(toDecimal(x, D).exp()).ln().toNumber();

describe('log1mexp edge cases (float64)', () => {
  it('is -Infinity at either zero, -0 at -Infinity, NaN above 0 and for NaN', () => {
    const { got, want } = run([0, -0, -Infinity, 1e-300, 1, Infinity, NaN]);
    expect(got.slice(0, 2)).toEqual([-Infinity, -Infinity]);
    expect(Object.is(got[2], -0)).toBe(true);
    expect(Object.is(want[2], -0) || want[2] === 0).toBe(true);
    for (const v of got.slice(3)) expect(v).toBeNaN();
    for (const v of want.slice(3)) expect(v).toBeNaN();
  });

  it('keeps its digits near 0 (log(-x)) and for very negative x (-e^x)', () => {
    const { got } = run([-1e-300, -Number.MIN_VALUE, -1e-20, -40, -745, -800]);
    expect(got[0]).toBe(Math.log(1e-300));
    expect(got[1]).toBe(Math.log(Number.MIN_VALUE));
    expect(ulpDistance(got[2]!, Math.log(1e-20))).toBeLessThanOrEqual(1);
    expect(ulpDistance(got[3]!, -Math.exp(-40))).toBeLessThanOrEqual(1);
    expect(got[4]).toBe(-Number.MIN_VALUE); // -e^-745 = -4.9e-324, the smallest subnormal
    expect(Object.is(got[5], -0)).toBe(true);
  });

  it('is accurate on both sides of the split at -log 2', () => {
    const around = [-Math.LN2, -0.6931471805599452, -0.6931471805599454, -0.5, -1, -2];
    const { got } = run(around);
    got.forEach((g, i) => expect(ulpDistance(g, log1mexpDec(around[i]!)), `log1mexp(${around[i]})`).toBeLessThanOrEqual(2));
  });
});

describe('log1mexp against the 60-digit reference', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const allowed = dtype === 'float64' ? 4 : 2;
    test.prop([fc.array(floatOf(dtype, { max: 0 }), { minLength: 1, maxLength: 8 })], params)(
      `every x <= 0, within ${allowed} ULP (${dtype})`,
      (xs) => {
        const { got, want } = run(xs, dtype);
        got.forEach((g, i) => {
          expect(Number.isNaN(g)).toBe(Number.isNaN(want[i]!));
          expect(Number.isFinite(g)).toBe(Number.isFinite(want[i]!));
          expect(ulpDistance(g, want[i]!, dtype), `log1mexp(${xs[i]}) = ${g}, reference ${want[i]}`).toBeLessThanOrEqual(allowed);
        });
      },
    );
  }
});

describe('log1mexp gradients', () => {
  test.prop([fc.array(floatOf('float64', { max: -Number.MIN_VALUE }), { minLength: 1, maxLength: 8 })], params)(
    'e^x / expm1(x), within 8 ULP of the reference where normal (near 0 and below -709 included)',
    (xs) => {
      const { x, out, feeds } = run(xs);
      const g = grad(out.sum(), x);
      const got = Array.from(evaluate(g, feeds).data);
      const want = referenceEvaluate(g, feeds).values;
      got.forEach((v, i) => {
        expect(Number.isNaN(v)).toBe(false);
        if (Math.abs(want[i]!) >= 2 ** -1022) expect(ulpDistance(v, want[i]!), `at ${xs[i]}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(8);
        else expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(4 * Number.MIN_VALUE);
      });
    },
  );

  it('agrees with central differences', () => {
    const x = input([5], { dtype: 'float64', name: 'x' });
    const feeds = [new Map([[x, { dtype: 'float64' as const, shape: [5], data: Float64Array.from([-1e-3, -0.3, -0.7, -2, -30]) }]])];
    const report = checkGrad(log1mexp(x).sum(), [x], feeds);
    expect(report.ok, JSON.stringify(report.worst)).toBe(true);
  });

  it('is -1/x near 0 and -e^x far left, as the calculus says', () => {
    const x = input([], { dtype: 'float64', name: 'x' });
    const d = (v: number) => evaluate(grad(log1mexp(x), x), { x: v }).data[0]!;
    expect(ulpDistance(d(-1e-300), 1 / -1e-300)).toBeLessThanOrEqual(1);
    expect(ulpDistance(d(-720), -Math.exp(-720))).toBeLessThanOrEqual(1);
  });
});
