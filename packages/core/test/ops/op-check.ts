// Helpers for the reduction, matmul, movement and softmax op tests: run one node's reference on
// decimal.js, and check gradients against central finite differences in float64.
import { Decimal } from 'decimal.js';
import { expect } from 'vitest';
import { type BigMath, constant, evaluate, grad, input, type Node, opDef, type RefTensor, sum, type Tensor, tensor } from '@stablegrad/core';

/** decimal.js at 60 significant digits. */
export const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
/** A decimal of D. */
export type Dec = InstanceType<typeof D>;

/** The float64 `x` exactly (not its shortest decimal string): x = m * 2^e with m an integer. */
export function dec(x: number): Dec {
  if (!Number.isFinite(x) || x === 0) return new D(x);
  let m = x;
  let e = 0;
  while (!Number.isInteger(m)) { m *= 2; e--; }
  while (Math.abs(m) >= 2 ** 53) { m /= 2; e++; }
  const Exact = D.clone({ precision: 1100 });
  return new D(new Exact(m).mul(new Exact(2).pow(e)));
}

/** log(1 + r) for r >= 0, accurate relative to the result even when r is below 1e-60. */
export function log1pDec(r: Dec): Dec {
  // r - r^2/2 + r^3/3 - r^4/4: the next term is below 1e-80 relative to r
  if (r.lt('1e-20')) return r.sub(r.pow(2).div(2)).add(r.pow(3).div(3)).sub(r.pow(4).div(4));
  return r.add(1).ln();
}

/** log(sum(exp(x))) of finite values to ~60 digits: m + log1p(sum of exp(x_i - m), i != argmax). */
export function logsumexpDec(x: readonly number[]): Dec {
  const m = Math.max(...x);
  const k = x.indexOf(m);
  const rest = D.sum(0, ...x.filter((_, i) => i !== k).map((v) => dec(v).sub(dec(m)).exp()));
  return dec(m).add(log1pDec(rest));
}

/** The nearest float64 of a decimal. */
export const nearest = (d: Dec): number => Number(d.toString());

/** BigMath over D; inputs converted exactly. */
export const decimalMath: BigMath<Dec> = {
  fromNumber: dec,
  toNumber: nearest,
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  neg: (a) => a.neg(),
  abs: (a) => a.abs(),
  exp: (a) => a.exp(),
  log: (a) => a.ln(),
  sqrt: (a) => a.sqrt(),
  pow: (a, b) => a.pow(b),
  trunc: (a) => a.trunc(),
  cmp: (a, b) => a.cmp(b),
  isNaN: (a) => a.isNaN(),
};

/** Distance in units in the last place between two float64 values (0 for equal, incl. +-0). */
export function ulpDistance(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const ordered = (x: number): bigint => {
    const bits = new BigInt64Array(new Float64Array([x]).buffer)[0]!;
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

/** Runs `node`'s reference on decimal.js with the given input values; returns float64 numbers. */
export function referenceValues(node: Node, inputs: readonly Tensor[]): number[] {
  const out = evaluate(node, new Map(node.inputs.map((n, i) => [n, inputs[i]!])));
  const refInputs: RefTensor<Dec>[] = inputs.map((t) => ({
    dtype: t.dtype, shape: t.shape, data: Array.from(t.data, (v) => decimalMath.fromNumber(v)),
  }));
  return opDef(node.op).reference(refInputs, node.attrs, decimalMath, { shape: out.shape, dtype: out.dtype }, node).map((d) => decimalMath.toNumber(d));
}

/** Sum of `y` times fixed, distinct weights (so that a wrong permutation of gradients shows). */
export function weightedSum(y: Node, shape: readonly number[]): Node {
  const n = shape.reduce((a, b) => a * b, 1);
  const w = constant(tensor(Float64Array.from({ length: n }, (_, i) => 0.5 + ((i * 7) % 11) / 10), { shape }), { dtype: 'float64' });
  return sum(y.mul(w));
}

/**
 * Checks grad(f) at `values` (float64) against central differences with step `h`:
 * |analytic - numeric| <= tol * max(1, |numeric|).
 */
export function gradCheck(f: (xs: Node[]) => Node, values: readonly Tensor[], { h = 1e-6, tol = 1e-6 } = {}): void {
  const xs = values.map((v, i) => input(v.shape, { dtype: 'float64', name: `x${i}` }));
  const y = f(xs);
  const grads = evaluate(grad(y, xs), new Map(xs.map((x, i) => [x, values[i]!])));
  const at = (vs: readonly Tensor[]): number => evaluate(y, new Map(xs.map((x, i) => [x, vs[i]!]))).data[0]!;
  values.forEach((v, i) => {
    expect(grads[i]!.shape).toEqual(v.shape);
    for (let k = 0; k < v.data.length; k++) {
      const shifted = (d: number): Tensor[] => values.map((u, j) => {
        if (j !== i) return u;
        const data = Float64Array.from(u.data);
        data[k]! += d;
        return { dtype: 'float64', shape: u.shape, data };
      });
      const numeric = (at(shifted(h)) - at(shifted(-h))) / (2 * h);
      const analytic = grads[i]!.data[k]!;
      expect(Math.abs(analytic - numeric), `input ${i} element ${k}: analytic ${analytic}, numeric ${numeric}`)
        .toBeLessThanOrEqual(tol * Math.max(1, Math.abs(numeric)));
    }
  });
}

/** A float64 tensor of `shape` with deterministic, varied values. */
export function f64Tensor(shape: readonly number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  const data = Float64Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 4 - 2;
  });
  return { dtype: 'float64', shape: [...shape], data };
}
