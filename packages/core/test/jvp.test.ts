import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import {
  constant, evaluate, grad, GradError, hessian, hvp, input, jacobian, jvp, linearize, logsumexp, matmul, type Node, param, slice, softmax, tensor, vjp,
} from '@stablegrad/core';
import { propertyParams } from '@stablegrad/testing';

const f64 = { dtype: 'float64' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1]): number[] => Array.from(evaluate(n, feeds).data);

describe('jvp', () => {
  it('differentiates along a tangent (checked against calculus by hand)', () => {
    const x = input([3], { ...f64, name: 'x' });
    const t = input([3], { ...f64, name: 't' });
    // y = x^2 e^x elementwise -> dy = (2x + x^2) e^x t
    const [dy] = jvp([x.square().mul(x.exp())], [x], [t]);
    const xs = [0.5, -1, 2];
    const ts = [1, 3, -0.25];
    const want = xs.map((v, i) => (2 * v + v * v) * Math.exp(v) * ts[i]!);
    values(dy!, { x: xs, t: ts }).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 13));
  });

  it('gives softmax\'s JVP p * (t - <p, t>)', () => {
    const z = input([4], { ...f64, name: 'z' });
    const t = input([4], { ...f64, name: 't' });
    const [dp] = jvp([softmax(z, 0)], [z], [t]);
    const zs = [0.3, -2, 1.5, 0];
    const ts = [1, -1, 0.5, 2];
    const e = zs.map(Math.exp);
    const p = e.map((v) => v / e.reduce((a, b) => a + b, 0));
    const pt = p.reduce((s, pi, i) => s + pi * ts[i]!, 0);
    values(dp!, { z: zs, t: ts }).forEach((g, i) => expect(g).toBeCloseTo(p[i]! * (ts[i]! - pt), 14));
  });

  it('sums the contributions of several inputs, and gives zeros for an output that depends on none', () => {
    const a = input([2], { ...f64, name: 'a' });
    const b = input([2], { ...f64, name: 'b' });
    const other = input([2], { ...f64, name: 'other' });
    const [d, unrelated] = jvp([a.mul(b), other.exp()], [a, b], [constant(tensor([1, 2], f64)), constant(tensor([3, 4], f64))]);
    // d(ab) = b da + a db
    expect(values(d!, { a: [5, 6], b: [7, 8] })).toEqual([7 * 1 + 5 * 3, 8 * 2 + 6 * 4]);
    expect(values(unrelated!, { other: [1, 2] })).toEqual([0, 0]);
  });

  it('needs no feed beyond the forward graph\'s and the tangents\'', () => {
    const x = input([2], { ...f64, name: 'x' });
    const [d] = jvp([x.sum().square()], [x], [constant(tensor([1, 1], f64))]);
    expect(values(d!, { x: [1, 2] })).toEqual([12]); // 2 (x1 + x2) (t1 + t2)
  });

  it('refuses mismatched tangents, integer inputs and non-nodes with a GradError naming them', () => {
    const x = input([3], { ...f64, name: 'x' });
    const labels = input([3], { dtype: 'int32', name: 'labels' });
    expect(() => jvp([x.exp()], [x], [input([2], { ...f64, name: 't' })])).toThrow(/tangent .*'t'.*does not match input .*'x'.*\[3\]/);
    expect(() => jvp([x.exp()], [x], [input([3], { name: 't32' })])).toThrow(/float64/);
    expect(() => jvp([x.exp()], [x], [])).toThrow(GradError);
    expect(() => jvp([x.exp()], [labels], [input([3], { dtype: 'int32' })])).toThrow(/only float32 and float64/);
    expect(() => jvp([x.exp()], [3 as unknown as Node], [x])).toThrow(/not a graph node/);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 })], propertyParams(60))('agrees with vjp on random graphs: <u, J v> = <J^T u, v>', (seed) => {
    const { graph, x, w } = randomGraph(seed);
    const v = input(x.shape, { ...f64, name: 'v' });
    const u = input(graph.shape, { ...f64, name: 'u' });
    const [jv] = jvp([graph], [x, w], [v, constant(tensor(new Array(6).fill(0.5), { ...f64, shape: [3, 2] }))]);
    const [gx, gw] = vjp([graph], [x, w], [u]);
    const rng = mulberry(seed);
    const draw = (n: number) => Array.from({ length: n }, () => rng() * 4 - 2);
    const outSize = graph.shape.reduce<number>((n, d) => n * (d as number), 1);
    const feeds = {
      x: tensor(draw(8), { ...f64, shape: [4, 2] }), w: tensor(draw(6), { ...f64, shape: [3, 2] }),
      v: tensor(draw(8), { ...f64, shape: [4, 2] }), u: tensor(draw(outSize), { ...f64, shape: graph.shape as number[] }),
    };
    const [jvValue, gxValue, gwValue] = evaluate([jv!, gx!, gw!], feeds);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, ai, i) => s + ai * b[i]!, 0);
    const left = dot(feeds.u.data, jvValue!.data);
    const right = dot(gxValue!.data, feeds.v.data) + dot(gwValue!.data, new Array(6).fill(0.5));
    const scale = Math.abs(left) + Math.abs(right) + 1;
    expect(Math.abs(left - right), `seed ${seed}: ${left} vs ${right}`).toBeLessThan(1e-10 * scale);
  });
});

describe('linearize', () => {
  it('is one graph, linear in its tangent inputs', () => {
    const x = input([2], { ...f64, name: 'x' });
    const { tangents, jvps } = linearize([x.exp().sum()], [x]);
    expect(tangents[0]!.name).toBe('tangent_x');
    expect(tangents[0]!.shape).toEqual([2]);
    const at = (t: number[]) => values(jvps[0]!, { x: [0, 1], tangent_x: t })[0]!;
    expect(at([1, 0])).toBeCloseTo(1, 15);
    expect(at([0, 1])).toBeCloseTo(Math.E, 15);
    expect(at([2, -3])).toBeCloseTo(2 * at([1, 0]) - 3 * at([0, 1]), 14);
  });
});

describe('hvp, jacobian and hessian', () => {
  const x = input([3], { ...f64, name: 'x' });
  // f = (sum x^2)^2: grad 4 s x, Hessian 8 x x^T + 4 s I with s = sum x^2
  const f = x.square().sum().square();
  const xs = [1, -2, 0.5];
  const s = xs.reduce((a, b) => a + b * b, 0);
  const exactHessian = xs.flatMap((xi, i) => xs.map((xj, j) => 8 * xi * xj + (i === j ? 4 * s : 0)));

  it('hessian matches the formula, and is symmetric', () => {
    const H = hessian(f, x);
    expect(H.shape).toEqual([3, 3]);
    const h = values(H, { x: xs });
    h.forEach((hk, k) => expect(hk).toBeCloseTo(exactHessian[k]!, 12));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(h[i * 3 + j]).toBeCloseTo(h[j * 3 + i]!, 12);
  });

  it('hvp is H v for every v, from one graph', () => {
    const v = input([3], { ...f64, name: 'v' });
    const [hv] = hvp(f, [x], [v]);
    for (const vs of [[1, 0, 0], [0.5, -1, 2]]) {
      const want = [0, 1, 2].map((i) => [0, 1, 2].reduce((acc, j) => acc + exactHessian[i * 3 + j]! * vs[j]!, 0));
      values(hv!, { x: xs, v: vs }).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 12));
    }
  });

  it('jacobian in forward and reverse mode agree, with the shape [...y, ...x]', () => {
    const W = param(tensor([[1, 2, 3], [-1, 0.5, 2]], f64), { name: 'W' });
    const y = logsumexp(matmul(W, x.reshape([3, 1])).mul(x.sum()), { axis: 1 });
    const forward = jacobian(y, x, { mode: 'forward' });
    const reverse = jacobian(y, x, { mode: 'reverse' });
    expect(forward.shape).toEqual([2, 3]);
    const a = values(forward, { x: xs });
    values(reverse, { x: xs }).forEach((r, k) => expect(r).toBeCloseTo(a[k]!, 12));
    // each row is the gradient of one output element
    const row1 = values(grad(y.reshape([2]).mul(constant(tensor([0, 1], f64))).sum(), x), { x: xs });
    row1.forEach((g, j) => expect(a[3 + j]!).toBeCloseTo(g, 12));
  });

  it('a Jacobian of a matmul is the matrix', () => {
    const M = [[2, -1], [0.5, 3], [4, 0]];
    const y = matmul(constant(tensor(M, f64)), slice(x, [0], [2]).reshape([2, 1])).reshape([3]);
    expect(values(jacobian(y, x), { x: xs })).toEqual([2, -1, 0, 0.5, 3, 0, 4, 0, 0]);
  });

  it('refuses what it cannot build, naming the node', () => {
    const batch = input(['batch', 3], { ...f64, name: 'batch_x' });
    expect(() => jacobian(batch.exp(), batch)).toThrow(/concrete shapes, but the output exp .*\[batch, 3\]/);
    expect(() => jacobian(x.sum(), batch)).toThrow(/concrete shapes, but the input .*'batch_x' \[batch, 3\]/);
    const big = input([2000], { ...f64, name: 'big' });
    expect(() => jacobian(big.exp(), big)).toThrow(/2000 VJPs.*maxPasses 1024/);
    expect(() => jacobian(big.exp(), big, { maxPasses: -1 })).toThrow(/maxPasses/);
    expect(() => hessian(x.exp(), x)).toThrow(/scalar output/);
    expect(() => hvp(x.exp(), [x], [x])).toThrow(/scalar output/);
    expect(() => hvp(f, [x], [input([2], { ...f64, name: 'v2' })])).toThrow(/vector .*'v2'.* does not match/);
  });
});

// ---------------------------------------------------------------- random graphs

/** A random smooth graph of x [4, 2] and w [3, 2]: matmuls, elementwise ops, softmax, reductions. */
function randomGraph(seed: number): { graph: Node; x: Node; w: Node } {
  const rng = mulberry(seed ^ 0x9e3779b9);
  const x = input([4, 2], { ...f64, name: 'x' });
  const w = input([3, 2], { ...f64, name: 'w' });
  let h: Node = matmul(x, w.transpose()); // [4, 3]
  const steps = 2 + Math.floor(rng() * 4);
  const unary = [
    (n: Node) => n.tanh(), (n: Node) => n.sigmoid(), (n: Node) => n.softplus(), (n: Node) => n.square().mul(0.1),
    (n: Node) => softmax(n, 1), (n: Node) => n.logSigmoid(), (n: Node) => n.mul(n.sigmoid()),
  ];
  for (let i = 0; i < steps; i++) {
    const pick = Math.floor(rng() * (unary.length + 2));
    if (pick < unary.length) h = unary[pick]!(h);
    else if (pick === unary.length) h = h.add(matmul(x, w.transpose()).mul(0.5));
    else h = h.mul(logsumexp(h, { axis: 1, keepDims: true }).tanh());
  }
  return { graph: rng() < 0.5 ? h : h.sum({ axis: 0 }), x, w };
}

function mulberry(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
