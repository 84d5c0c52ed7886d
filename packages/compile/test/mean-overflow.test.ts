// A mean of finite values near the largest float is finite (their sum overflows, the mean does
// not): the interpreter and the compiled backend give the correctly rounded mean, checked
// against the high-precision reference.
import { describe, expect, it } from 'vitest';
import { evaluate, input, mean, tensor } from '@stablegrad/core';
import { compile } from '@stablegrad/compile';
import { referenceEvaluate, ulpDistance } from '@stablegrad/testing';

const MAX = Number.MAX_VALUE;

describe('mean near the largest float', () => {
  const cases: readonly { name: string; rows: number[][] }[] = [
    { name: 'all at the largest float', rows: [[MAX, MAX, MAX], [1, 2, 3]] },
    { name: 'mixed magnitudes', rows: [[MAX, MAX / 2, -1e300], [-MAX, -MAX, 5]] },
    { name: 'an infinity stays infinite', rows: [[MAX, Infinity, 1], [0, 0, 0]] },
  ];
  for (const { name, rows } of cases) {
    it(`${name}: within 2 ULP of the exact mean per row, interpreter and compiled`, () => {
      const x = input([2, 3], { dtype: 'float64', name: 'x' });
      const m = mean(x, { axis: 1 });
      const feeds = { x: tensor(rows, { dtype: 'float64' }) };
      const exact = referenceEvaluate(m, feeds).values;
      const interpreted = Array.from(evaluate(m, feeds).data);
      const compiled = Array.from(compile([m]).run(new Map([[x, feeds.x]]))[0]!.data);
      exact.forEach((want, i) => {
        expect(ulpDistance(interpreted[i]!, want, 'float64')).toBeLessThanOrEqual(2);
        // ulpDistance puts the largest float 1 step from Infinity: finiteness is checked apart.
        expect(Number.isFinite(interpreted[i])).toBe(Number.isFinite(want));
        expect(compiled[i]).toBe(interpreted[i]);
      });
    });
  }
});
