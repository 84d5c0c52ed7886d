// jvp, hvp, jacobian and hessian return ordinary graphs: the compiled backend runs them with the
// interpreter's bits, simplify and stabilize rewrite them without changing their values, and toDot
// draws them. Stabilize the loss first, then differentiate: the JVP of a stable loss is stable.
import { describe, expect, it } from 'vitest';
import {
  evaluate, hessian, hvp, input, jacobian, jvp, log, matmul, type Node, param, sigmoid, softmax, sub, tensor, type Tensor, topoSort,
} from '@stablegrad/core';
import { compile } from '@stablegrad/compile';
import { toDot } from '@stablegrad/dot';
import { simplify, stabilize } from '@stablegrad/rewrite';

const f64 = { dtype: 'float64' } as const;

// A two-layer model's cross-entropy written by hand, in float64.
const x = input([4, 3], { ...f64, name: 'x' });
const y = input([4, 2], { ...f64, name: 'y' });
const W1 = param(tensor([[0.3, -0.2, 0.5, 0.1], [0.7, 0.4, -0.6, 0.2], [-0.1, 0.9, 0.3, -0.4]], f64), { name: 'W1' });
const W2 = param(tensor([[0.5, -0.3], [0.2, 0.8], [-0.7, 0.1], [0.4, 0.6]], f64), { name: 'W2' });
const p = softmax(matmul(matmul(x, W1).tanh(), W2), 1);
const naiveLoss = y.mul(log(p)).sum().neg();
const feeds = new Map<Node, Tensor>([
  [x, tensor([[1, -2, 0.5], [0.1, 0.2, 0.3], [3, 1, -1], [-0.5, 0.5, 2]], f64)],
  [y, tensor([[1, 0], [0, 1], [0.5, 0.5], [1, 0]], f64)],
]);
const tangent = param(tensor([[1, 0, -1, 2], [0.5, 0.5, 0, 1], [-1, 2, 1, 0]], f64), { name: 't' });

describe('derivative graphs in the rest of the pipeline', () => {
  const [directional] = jvp([naiveLoss], [W1], [tangent]);
  const [curvature] = hvp(naiveLoss, [W2], [W2]);
  const J = jacobian(p, W2);
  const H = hessian(naiveLoss, W2);
  const all = [directional!, curvature!, J, H];

  it('the compiled backend gives the interpreter\'s bits', () => {
    const interpreted = evaluate(all, feeds);
    const compiled = compile(all).run(feeds);
    compiled.forEach((c, k) => {
      expect(c.shape).toEqual(interpreted[k]!.shape);
      expect(Array.from(c.data)).toEqual(Array.from(interpreted[k]!.data));
    });
  });

  it('simplify and stabilize keep their values', () => {
    const want = evaluate(all, feeds);
    for (const rewritten of [simplify({ d: directional!, c: curvature!, J, H }), stabilize({ d: directional!, c: curvature!, J, H })]) {
      const got = evaluate([...rewritten.graph.outputs], feeds);
      got.forEach((g, k) => g.data.forEach((v, i) => {
        const w = want[k]!.data[i]!;
        expect(Math.abs(v - w), `output ${k} [${i}]: ${v} vs ${w}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(w)));
      }));
    }
    expect(topoSort(simplify({ d: directional! }).graph.outputs).length).toBeLessThan(topoSort([directional!]).length);
  });

  it('the JVP of a stabilized loss is finite where the naive one is NaN', () => {
    const z = input([3], { ...f64, name: 'z' });
    const t = input([3], { ...f64, name: 't' });
    const naive = sub(0, log(sigmoid(z)).sum());
    const at = new Map<Node, Tensor>([[z, tensor([-800, 0, 30], f64)], [t, tensor([1, 1, 1], f64)]]);
    expect(Number.isNaN(evaluate(jvp([naive], [z], [t])[0]!, at).data[0])).toBe(true);
    const stable = stabilize({ loss: naive }).graph.outputs[0]!;
    const got = evaluate(jvp([stable], [z], [t])[0]!, at).data[0]!;
    // d/dz -log sigmoid(z) = sigmoid(z) - 1: -1, -1/2 and -e^-30 / (1 + e^-30)
    expect(got).toBeCloseTo(-1 - 0.5 - Math.exp(-30) / (1 + Math.exp(-30)), 14);
  });

  it('toDot draws them, with the construction\'s scopes', () => {
    const dot = toDot({ directional: directional! });
    expect(dot).toMatch(/^digraph/);
    expect(dot).toMatch(/jvp/);
    expect(toDot({ H })).toMatch(/jacobian/);
  });
});
