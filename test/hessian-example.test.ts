// The Hessian example (npm run hessian): its Hessian against the closed form of a softmax
// cross-entropy's curvature in the logits' bias, power iteration against the explicit matrix's
// eigenvalues, and the Jacobi helper against a matrix with known eigenvalues.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { biasCurvature, jacobiEigenvalues } from '../examples/src/bias-hessian.js';
import { splitTrainTest } from '../examples/src/data/dataset.js';
import { DIGITS_PATH, loadDigits } from '../examples/src/data/digits.js';
import { trainDigits } from '../examples/src/train-digits.js';

describe('the bias Hessian of the digits model', () => {
  it('matches the closed form, and power iteration finds the explicit matrix\'s extreme eigenvalues', async () => {
    const { model } = await trainDigits({ epochs: 2, fit: { verbose: 0 } });
    const { train } = splitTrainTest(loadDigits(DIGITS_PATH), { testFraction: 0.2, seed: 42 });
    const c = biasCurvature(model, train.features, Int32Array.from(train.labels));
    const scale = Math.max(...c.closedForm.flat().map(Math.abs));
    c.hessian.forEach((row, i) => row.forEach((h, j) => expect(Math.abs(h - c.closedForm[i]![j]!), `[${i}][${j}]`).toBeLessThan(1e-5 * scale)));
    expect(c.eigenvalues).toHaveLength(10);
    expect(Math.abs(c.largest.value - c.eigenvalues[0]!) / c.eigenvalues[0]!).toBeLessThan(1e-4);
    // Softmax is unchanged by a shift of all logits: the loss is flat along (1, ..., 1).
    expect(Math.abs(c.eigenvalues[9]!)).toBeLessThan(1e-6 * c.eigenvalues[0]!);
    expect(Math.abs(c.smallest.value)).toBeLessThan(1e-4 * c.largest.value);
    expect(c.eigenvalues[8]!).toBeGreaterThan(0);
  });

  it('jacobiEigenvalues recovers the eigenvalues of Q diag(d) Q^T', () => {
    // Q: a rotation by 0.3 in the (0, 1) plane and by 1.1 in the (1, 2) plane
    const r = (a: number, i: number, j: number) => {
      const m = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
      m[i]![i] = Math.cos(a); m[j]![j] = Math.cos(a); m[i]![j] = -Math.sin(a); m[j]![i] = Math.sin(a);
      return m;
    };
    const mul = (a: number[][], b: number[][]) => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
    const q = mul(r(0.3, 0, 1), r(1.1, 1, 2));
    const d = [[5, 0, 0], [0, -2, 0], [0, 0, 0.5]];
    const qt = q[0]!.map((_, j) => q.map((row) => row[j]!));
    const got = jacobiEigenvalues(mul(mul(q, d), qt));
    [5, 0.5, -2].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 12));
  });

  it('runs as a command line (npm run hessian)', () => {
    const run = spawnSync(process.execPath, ['examples/dist/hessian.js', '--epochs', '1'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/largest eigenvalue \d/);
    expect(run.stdout).toMatch(/eigenvalues of the explicit matrix \(Jacobi\): /);
  });
});
