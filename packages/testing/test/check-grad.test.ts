// checkGrad passes right gradients, and reports wrong ones (through the `analytic` override)
// with the component that is off.
import { describe, expect, it } from 'vitest';
import { type Feeds, GradError, input, param, tensor, type Tensor } from '@stablegrad/core';
import { assertGradClose, checkGrad } from '@stablegrad/testing';

const f64 = { dtype: 'float64' } as const;

/** d/dx sum(exp(x)) = exp(x), by hand. */
function expGradient(feeds: Feeds, dtype: 'float32' | 'float64' = 'float64'): Tensor[] {
  const x = (feeds as { x: number[] }).x;
  return [tensor(x.map(Math.exp), { dtype })];
}

describe('checkGrad', () => {
  const x = input([3], { ...f64, name: 'x' });
  const y = x.exp().sum();
  const points: Feeds[] = [{ x: [0, 1, -2] }, { x: [700, -30, 1] }, { x: [-1e-300, 5e-324, 30] }];

  it('accepts the gradient core computes', () => {
    const report = checkGrad(y, [x], points);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(9);
    expect(report.failed).toBe(0);
    expect(report.maxUlp).toBeLessThanOrEqual(1); // exp in float64: within an ULP of exact
    expect(report.maxRelError).toBeLessThan(1e-15);
  });

  it('accepts a hand-written correct gradient and rejects a wrong one', () => {
    expect(checkGrad(y, [x], points, { analytic: (feeds) => expGradient(feeds) }).ok).toBe(true);
    // wrong by a relative 1e-6 in one component of the first point
    const wrong = (feeds: Feeds, point: number): Tensor[] => {
      const [g] = expGradient(feeds);
      if (point === 0) g!.data[2] = g!.data[2]! * (1 + 1e-6);
      return [g!];
    };
    const report = checkGrad(y, [x], points, { analytic: wrong });
    expect(report.ok).toBe(false);
    expect(report.failed).toBe(1);
    expect(report.worst).toMatchObject({ point: 0, node: x, index: 2, numeric: Math.exp(-2) });
    expect(report.worst!.relError).toBeCloseTo(1e-6, 12);
    expect(report.worst!.excess).toBeGreaterThan(1);
    // a looser tolerance lets it through
    expect(checkGrad(y, [x], points, { analytic: wrong, rtol: 1e-5 }).ok).toBe(true);
    // by default, components are judged at the scale of the largest one (here exp(700)), so an
    // error of 1e-6 in the component of size e at the second point passes; in ULP it does not
    const tiny = (feeds: Feeds, point: number): Tensor[] => {
      const [g] = expGradient(feeds);
      if (point === 1) g!.data[2] = g!.data[2]! * (1 + 1e-6);
      return [g!];
    };
    expect(checkGrad(y, [x], points, { analytic: tiny }).ok).toBe(true);
    const inUlp = checkGrad(y, [x], points, { analytic: tiny, ulp: 1 });
    expect(inUlp.ok).toBe(false);
    expect(inUlp.worst).toMatchObject({ point: 1, index: 2, numeric: Math.E });
  });

  it('uses rtol 1e-4 for float32 and the ulp option when given', () => {
    const x32 = input([2], { name: 'x' });
    const y32 = x32.exp().sum();
    const at: Feeds[] = [{ x: [0.5, -3] }];
    expect(checkGrad(y32, [x32], at).ok).toBe(true);
    const off = (rel: number) => (feeds: Feeds): Tensor[] => {
      const g = (feeds as { x: number[] }).x.map((v) => Math.exp(v) * (1 + rel));
      return [tensor(g)];
    };
    expect(checkGrad(y32, [x32], at, { analytic: off(5e-5) }).ok).toBe(true);
    expect(checkGrad(y32, [x32], at, { analytic: off(5e-4) }).ok).toBe(false);
    // 5e-5 relative is ~400 float32 ULP
    expect(checkGrad(y32, [x32], at, { analytic: off(5e-5), ulp: 4 }).ok).toBe(false);
    expect(checkGrad(y32, [x32], at, { ulp: 1 }).ok).toBe(true);
  });

  it('assertGradClose throws a readable message', () => {
    const wrong = (feeds: Feeds): Tensor[] => expGradient(feeds).map((g) => tensor(Array.from(g.data, (v) => 2 * v), f64));
    expect(() => assertGradClose(y, [x], points.slice(0, 1), { analytic: wrong })).toThrow(
      /gradient check failed: 3 of 3 components out of tolerance[\s\S]*d 'sum' \/ d input 'x' \[3\] float64 at index 1, point 0 \(x = \[0,1,-2\]\)[\s\S]*analytic 5\.43656365691809, numeric 2\.718281828459045/,
    );
    expect(assertGradClose(y, [x], points).ok).toBe(true);
  });

  it('handles several inputs, params, unconnected inputs and intermediate nodes', () => {
    const a = input([2], { ...f64, name: 'a' });
    const b = param(tensor([0.5, -1.5], f64), { name: 'b' });
    const unused = input([2], { ...f64, name: 'unused' });
    const e = a.add(b).exp();
    const loss = e.sum();
    const at: Feeds[] = [{ a: [1, 2], unused: [0, 0] }];
    const report = checkGrad(loss, [a, b, unused, e], at);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(8);
    // a wrong gradient for b alone is pinned on b
    const wrongB = (feeds: Feeds): Tensor[] => {
      const av = (feeds as { a: number[] }).a;
      const g = tensor([Math.exp(av[0]! + 0.5), Math.exp(av[1]! - 1.5)], f64);
      return [g, tensor([g.data[0]!, 0], f64)];
    };
    const bad = checkGrad(loss, [a, b], at, { analytic: wrongB });
    expect(bad.ok).toBe(false);
    expect(bad.worst).toMatchObject({ node: b, index: 1, analytic: 0 });
  });

  it('finds derivatives to an ULP at tiny steps and next to huge values', () => {
    // exp(1e-300) rounds to 1 at 60 digits, so the step 1e-325 needs ~350 digits; exp(-30) next
    // to exp(700) needs ~370; log at 5e-324 has derivative 2e323.
    const report = checkGrad(y, [x], [{ x: [1e-300, -30, 700] }], { ulp: 1 });
    expect(report.ok).toBe(true);
    expect(report.worst!.ulp).toBeLessThanOrEqual(1);
    const z = input([2], { ...f64, name: 'z' });
    const logs = checkGrad(z.log().sum(), [z], [{ z: [5e-324, 1e300] }], { ulp: 0 });
    expect(logs.ok).toBe(true);
    const wrong = checkGrad(y, [x], [{ x: [1e-300, -30, 700] }], {
      // 4 ULP above Math.exp(-30) (itself within an ULP of the truth)
      ulp: 1, analytic: (feeds) => expGradient(feeds).map((g) => tensor(Array.from(g.data, (v, i) => (i === 1 ? v + 4 * 2 ** (Math.floor(Math.log2(v)) - 52) : v)), f64)),
    });
    expect(wrong.ok).toBe(false);
    expect(wrong.worst).toMatchObject({ index: 1 });
    expect(Math.abs(wrong.worst!.ulp - 4)).toBeLessThanOrEqual(1);
    expect(Math.abs(wrong.worst!.numeric - Math.exp(-30))).toBeLessThanOrEqual(2 ** -96);
  });

  it('refuses non-scalar outputs', () => {
    expect(() => checkGrad(x.exp(), [x], points)).toThrow(GradError);
  });
});
