import { describe, expect, it } from 'vitest';
import {
  constant, evaluate, grad, GradError, input, matmul, param, printGraph, softplus, sum, tensor, vjp,
} from '@stablegrad/core';

const f64 = { dtype: 'float64' } as const;

describe('grad', () => {
  it('differentiates a small expression (checked against calculus by hand)', () => {
    const x = input([], { ...f64, name: 'x' });
    // y = x^2 e^x  ->  y' = (2x + x^2) e^x
    const y = x.square().mul(x.exp());
    const dy = grad(y, x);
    for (const v of [-2, 0.5, 3]) {
      expect(evaluate(dy, { x: v }).data[0]).toBeCloseTo((2 * v + v * v) * Math.exp(v), 12);
    }
  });

  it('sums contributions of a node used several times', () => {
    const x = input([], { ...f64, name: 'x' });
    const y = x.mul(x).add(x); // y' = 2x + 1
    expect(evaluate(grad(y, x), { x: 4 }).data[0]).toBe(9);
  });

  it('unbroadcasts gradients of broadcast operands, also for symbolic batch sizes', () => {
    const x = input(['batch', 3], { ...f64, name: 'x' });
    const b = param([0, 0, 0], { ...f64, name: 'b' });
    const loss = sum(x.add(b).square());
    const gb = grad(loss, b);
    const feed = [[1, 2, 3], [4, 5, 6]];
    // d/db sum((x+b)^2) = 2 * column sums of (x + b), with b = 0
    expect(Array.from(evaluate(gb, { x: feed }).data)).toEqual([10, 14, 18]);
    expect(evaluate(gb, { x: feed }).shape).toEqual([3]);
  });

  it('takes second derivatives of its own output: d2/dz2 softplus = sigmoid(z) sigmoid(-z)', () => {
    const z = input([], { ...f64, name: 'z' });
    const d2 = grad(grad(softplus(z), z), z);
    for (const v of [-30, -2, 0, 0.7, 12]) {
      const s = 1 / (1 + Math.exp(-v));
      expect(evaluate(d2, { z: v }).data[0]).toBeCloseTo(s * (1 - s), 14);
    }
  });

  it('gives Hessian-vector products through vjp of a gradient', () => {
    const x = input([2], { ...f64, name: 'x' });
    const A = constant([[2, 1], [1, 3]], f64);
    // f(x) = 0.5 x^T A x  ->  grad = A x, Hessian = A
    const fx = sum(x.mul(matmul(A, x.reshape([2, 1])).reshape([2]))).mul(0.5);
    const g = grad(fx, x);
    const v = input([2], { ...f64, name: 'v' });
    const [hv] = vjp([g], [x], [v]);
    expect(Array.from(evaluate(hv!, { x: [0.3, -0.2], v: [1, 2] }).data)).toEqual([4, 7]);
  });

  it('returns zeros shaped like an input the output does not use, or throws on request', () => {
    const x = input(['batch', 2], { ...f64, name: 'x' });
    const unused = input(['batch', 3], { ...f64, name: 'unused' });
    const [, gu] = grad(sum(x), [x, unused]);
    const value = evaluate(gu!, { x: [[1, 2]], unused: [[1, 2, 3]] });
    expect(value.shape).toEqual([1, 3]);
    expect(Array.from(value.data)).toEqual([0, 0, 0]);
    expect(() => grad(sum(x), [unused], { unconnected: 'error' })).toThrow(/does not depend on input 'unused'/);
  });

  it('refuses integer inputs and non-scalar outputs with typed errors', () => {
    const labels = input([3], { dtype: 'int32', name: 'labels' });
    const x = input([3], { name: 'x' });
    expect(() => grad(sum(x.mul(labels.cast('float32'))), labels)).toThrow(GradError);
    expect(() => grad(sum(x.mul(labels.cast('float32'))), labels)).toThrow(/input 'labels'.*int32/);
    expect(() => grad(x.exp(), x)).toThrow(/needs a scalar output.*shape \[3\]/);
  });

  it('builds gradient nodes under a grad/ scope that mirrors the forward scopes', () => {
    const x = input([], { name: 'x' });
    const printed = printGraph(grad(x.exp(), x));
    expect(printed).toContain('# grad/mul');
    expect(printed).not.toContain('undefined');
  });

  it('keeps float32 gradients in float32', () => {
    const x = input([2], { name: 'x' });
    const g = grad(sum(x.exp()), x);
    expect(g.dtype).toBe('float32');
    expect(evaluate(g, { x: tensor([0, 1]) }).data).toBeInstanceOf(Float32Array);
  });
});

describe('vjp cotangents', () => {
  it('must have their output\'s shape and dtype', () => {
    const x = input([3], { ...f64, name: 'x' });
    const y = x.exp();
    expect(() => vjp([y], [x], [input([1], { ...f64, name: 'v' })])).toThrow(/cotangent .* does not match output .*shape \[3\]/);
    expect(() => vjp([y], [x], [input([3], { name: 'v32' })])).toThrow(GradError);
    const [g] = vjp([y], [x], [input([3], { ...f64, name: 'v' })]);
    expect(Array.from(evaluate(g!, { x: [0, 0, 0], v: [1, 2, 3] }).data)).toEqual([1, 2, 3]);
  });
});
