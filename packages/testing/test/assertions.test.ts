// accuracyReport / expectAccurate: kernels against the reference, in ULP and finiteness.
import { describe, expect, it } from 'vitest';
import { input } from '@stablegrad/core';
import { accuracyReport, expectAccurate } from '@stablegrad/testing';

const f64 = { dtype: 'float64' } as const;

describe('accuracyReport', () => {
  it('measures an accurate graph as within an ULP', () => {
    const x = input([4], { ...f64, name: 'x' });
    const report = accuracyReport(x.exp(), { x: [0, 1, -2, 700] });
    expect(report.outputs).toHaveLength(1);
    expect(report.maxUlp).toBeLessThanOrEqual(1); // Math.exp is within an ULP
    expect(report.finite).toBe(true);
    expect(report.outputs[0]!.dtype).toBe('float64');
  });

  it('finds cancellation: exp(x) - 1 at x = 1e-10', () => {
    const x = input([2], { ...f64, name: 'x' });
    const y = x.exp().add(-1);
    const report = accuracyReport([y, x.exp()], { x: [1, 1e-10] });
    const [diff, plain] = report.outputs;
    // exp(1e-10) = 1 + 1e-10 + 5e-21: float64 keeps 1 + 1.00000008274e-10, a relative error of
    // ~8e-9, i.e. ~8e-9 / 2^-52 ~ 3.7e7 ULP of the result 1.00000000005e-10.
    expect(diff!.index).toBe(1);
    expect(diff!.maxUlp).toBeGreaterThan(1e7);
    expect(diff!.expected).toBe(1.00000000005e-10);
    expect(plain!.maxUlp).toBeLessThanOrEqual(1);
    expect(report.maxUlp).toBe(diff!.maxUlp);
  });

  it('flags non-finite results where the truth is finite', () => {
    const x = input([3], { name: 'x' }); // float32
    // exp(89) overflows float32 (max ~3.4e38) but exp(89) - 3e38 ~ 1.49e38 does not
    const y = x.exp().add(-3e38);
    const report = accuracyReport(y, { x: [0, 89, 90] });
    expect(report.finite).toBe(false);
    expect(report.outputs[0]!.firstNonFinite).toBe(1); // exp(90) - 3e38 ~ 1.2e39 overflows in truth too
    // Infinity counts as the value after the largest float32, so the distance is large but finite
    expect(report.outputs[0]!.maxUlp).toBeGreaterThan(1e6);
  });
});

describe('expectAccurate', () => {
  it('passes accurate graphs and returns the report', () => {
    const x = input([3], { ...f64, name: 'x' });
    expect(expectAccurate(x.exp().sum(), { x: [0, 1, 2] }, { ulp: 2 }).maxUlp).toBeLessThanOrEqual(2);
  });

  it('throws with the output, the index, both values and the feeds', () => {
    const x = input([2], { ...f64, name: 'x' });
    expect(() => expectAccurate(x.exp().add(-1), { x: [1, 1e-10] }, { ulp: 4 })).toThrow(
      /output 0 add 'add' \[2\] float64 is \d+ ULP from the reference at index 1: got 1\.000000082740371e-10, expected 1\.00000000005e-10 \(allowed 4 ULP\)[\s\S]*x = \[1,1e-10\]/,
    );
  });

  it('throws on non-finite results unless told otherwise', () => {
    const x = input([2], { name: 'x' });
    const y = x.exp().add(-3e38);
    expect(() => expectAccurate(y, { x: [0, 89] }, { ulp: Infinity })).toThrow(/not finite at index 1 where the reference is finite/);
    expect(() => expectAccurate(y, { x: [0, 89] }, { ulp: Infinity, finite: false })).not.toThrow();
  });
});
