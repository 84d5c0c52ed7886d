// Helpers shared by the op tests of this directory, for what @stablegrad/testing does not offer:
// deterministic float64 tensors, a weighted sum that makes any output a scalar loss, a gradient
// check of a function of float64 inputs, and log1p / logsumexp on decimals as independent
// references (textbook series and identities, no op code involved).
import { expect } from 'vitest';
import { constant, evaluate, grad, input, type Node, sum, type Tensor, tensor } from '@stablegrad/core';
import { assertGradClose, type CheckGradOptions, type Decimal, decimalMath, toDecimal } from '@stablegrad/testing';

/** Sum of `y` times fixed, distinct weights (so that a wrong permutation of gradients shows). */
export function weightedSum(y: Node, shape: readonly number[]): Node {
  const n = shape.reduce((a, b) => a * b, 1);
  const w = constant(tensor(Float64Array.from({ length: n }, (_, i) => 0.5 + ((i * 7) % 11) / 10), { shape }), { dtype: 'float64' });
  return sum(y.mul(w));
}

/**
 * Checks grad(f) at `values` (float64 inputs named x0, x1, ...): each gradient has its input's
 * shape, and agrees with central differences of the high-precision reference (`checkGrad`,
 * default tolerance: relative 1e-9).
 */
export function gradCheck(f: (xs: Node[]) => Node, values: readonly Tensor[], options: Omit<CheckGradOptions, 'analytic'> = {}): void {
  const xs = values.map((v, i) => input(v.shape, { dtype: 'float64', name: `x${i}` }));
  const y = f(xs);
  const feeds = new Map(xs.map((x, i) => [x, values[i]!]));
  const grads = evaluate(grad(y, xs), feeds);
  grads.forEach((g, i) => expect(g.shape).toEqual(values[i]!.shape));
  assertGradClose(y, xs, [feeds], { ...options, analytic: () => grads });
}

/** A float64 tensor of `shape` with deterministic, varied values in [-2, 2). */
export function f64Tensor(shape: readonly number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  const data = Float64Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 4 - 2;
  });
  return { dtype: 'float64', shape: [...shape], data };
}

/**
 * log(1 + y) for y > -1, at the precision of y's constructor, keeping every digit of a tiny y:
 * below 1e-20 by the series y - y^2/2 + y^3/3 - y^4/4 (the next term is 1e-80 relative to y).
 */
export function log1pDec(y: Decimal): Decimal {
  if (y.abs().lt('1e-20')) return y.sub(y.pow(2).div(2)).add(y.pow(3).div(3)).sub(y.pow(4).div(4));
  return y.add(1).ln();
}

/** log(sum(exp(x))) of finite values to ~60 digits: m + log1p(sum of exp(x_i - m), i != argmax). */
export function logsumexpDec(x: readonly number[]): Decimal {
  const m = Math.max(...x);
  const k = x.indexOf(m);
  const rest = decimalMath.Decimal.sum(0, ...x.filter((_, i) => i !== k).map((v) => toDecimal(v).sub(toDecimal(m)).exp()));
  return toDecimal(m).add(log1pDec(rest));
}
