// createMixedPrecisionMath against exactDecimalMath (2000 digits) where values near 1 later
// cancel: the cases 60-digit arithmetic gets wrong; and against 100 digits for ordinary values
// (decimal.js cannot take logs at 2000 digits).
import { describe, expect, it } from 'vitest';
import { createDecimalMath, createMixedPrecisionMath, decimalMath, type DecimalMath, exactDecimalMath as E } from '@stablegrad/testing';

const M = createMixedPrecisionMath(30);

type Case = readonly [name: string, f: (m: DecimalMath) => ReturnType<DecimalMath['add']>];
const one = (m: DecimalMath): ReturnType<DecimalMath['add']> => m.fromNumber(1);
const cases: readonly Case[] = [
  ['(1 + 1e-300) - 1', (m) => m.sub(m.add(one(m), m.fromNumber(1e-300)), one(m))],
  ['1 - 1/(1 + e^-100)', (m) => m.sub(one(m), m.div(one(m), m.add(one(m), m.exp(m.fromNumber(-100)))))],
  ['1 - 1/(1 + e^-700)', (m) => m.sub(one(m), m.div(one(m), m.add(one(m), m.exp(m.fromNumber(-700)))))],
  ['exp(1e-200) - 1', (m) => m.sub(m.exp(m.fromNumber(1e-200)), one(m))],
  ['exp(-3e-11) - 1', (m) => m.sub(m.exp(m.fromNumber(-3e-11)), one(m))],
  ['log(1 + 1e-250)', (m) => m.log(m.add(one(m), m.fromNumber(1e-250)))],
  ['log(1 - 2e-11)', (m) => m.log(m.sub(one(m), m.fromNumber(2e-11)))],
  ['sqrt(1 + 1e-100) - 1', (m) => m.sub(m.sqrt(m.add(one(m), m.fromNumber(1e-100))), one(m))],
];
const ordinary: readonly Case[] = [
  ['exp(3.5)', (m) => m.exp(m.fromNumber(3.5))],
  ['log(7e-300)', (m) => m.log(m.fromNumber(7e-300))],
  ['sqrt(2)', (m) => m.sqrt(m.fromNumber(2))],
  ['1/3', (m) => m.div(one(m), m.fromNumber(3))],
];
const D100 = createDecimalMath(100);

describe('createMixedPrecisionMath', () => {
  for (const [name, f, reference] of [...cases.map((c) => [...c, E] as const), ...ordinary.map((c) => [...c, D100] as const)]) {
    it(`${name}: 25 correct digits`, () => {
      const want = f(reference);
      const got = f(M);
      const relative = E.abs(E.div(E.sub(got, want), want));
      expect(relative.lt(1e-25)).toBe(true);
    });
  }

  it('60-digit arithmetic gets the first cases wrong (so they test something)', () => {
    const wrong = cases.slice(0, 4).filter(([, f]) => {
      const want = f(E);
      return !E.abs(E.div(E.sub(f(decimalMath), want), want)).lt(1e-25);
    });
    expect(wrong).toHaveLength(4);
  });
});
