import { describe, expect, it, vi } from 'vitest';
import type { OpDef } from '@stablegrad/core';

// checkJvp must be able to fail: this file swaps in a wrong VJP for tanh (1 - y instead of
// 1 - y^2), so tanh's JVP, its transpose, is wrong too; exp keeps its true rule.
vi.mock('../../core/dist/registry.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../core/dist/registry.js')>();
  const wrongTanh: Partial<OpDef> = { vjp: ({ output, cotangent }) => [cotangent.mul(output.neg().add(1))] };
  return { ...real, opDef: (name: string) => (name === 'tanh' ? { ...real.opDef('tanh'), ...wrongTanh } : real.opDef(name as never)) };
});

const { input } = await import('@stablegrad/core');
const { assertJvpClose, checkJvp } = await import('@stablegrad/testing');

describe('checkJvp', () => {
  const x = input([3], { dtype: 'float64', name: 'x' });
  const points = [{ x: [0.5, -1, 2] }, { x: [1e-3, 3, -0.25] }];

  it('passes a true JVP, to the ULP', () => {
    const report = checkJvp(x.exp().sum(), [x], points, { ulp: 1 });
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(6);
  });

  it('fails a wrong one and names the component', () => {
    const report = checkJvp(x.tanh().sum(), [x], points);
    expect(report.ok).toBe(false);
    expect(report.failed).toBeGreaterThan(0);
    expect(() => assertJvpClose(x.tanh().sum(), [x], points)).toThrow(/JVP check failed: \d+ of 6 components.*\n.*along unit \d+ of .*'x'/);
  });

  it('takes feeds as a Map too, and refuses a non-scalar output', () => {
    expect(checkJvp(x.exp().sum(), [x], [new Map([[x, [0.5, -1, 2]]])]).ok).toBe(true);
    expect(() => checkJvp(x.exp(), [x], points)).toThrow(/scalar output/);
  });
});
