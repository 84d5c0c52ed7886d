/**
 * Issue #6: the compiled backend gives the interpreter's results. Where both use the same
 * kernel the promise is the same bits (fused loops apply each op's scalar form with a float32
 * rounding after every op; the JS matmul accumulates in float64 in core's order), so every
 * comparison here is bit for bit (`Object.is` per element, NaN equal to NaN). The comparison is
 * a parameter of `expectSameResults`: a kernel that rounds differently (a float32-accumulating
 * SIMD matmul) would be compared with a stated ULP tolerance instead.
 *
 * Properties: random elementwise programs over every read mode and unsupported broadcasts;
 * random MLP training graphs at changing batch sizes; the testing kit's random loss graphs
 * with their gradients. Then the awkward outputs: views, inputs, params, values both output and
 * read by a fused loop, duplicates.
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { evaluate, input, type Node, param, sparseSoftmaxCrossEntropyWithLogits, sum, type Tensor, tensor, topoSort } from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { buildLossGraph, lossCaseOf, propertyParams } from '@stablegrad/testing';
import { compile, wasmSimdSupported } from '@stablegrad/compile';
import { BITS, type Comparison, expectSameResults, firstMismatch, snapshot } from './compare.js';
import { buildProgram, elementwiseCase } from './random-elementwise.js';
import { buildMlp, mlpCase } from './random-mlp.js';

/** Runs `outputs` compiled on each feed set in turn and compares each run with a fresh evaluation. */
function expectCompiledMatches(outputs: readonly Node[], feedSets: readonly ReadonlyMap<Node, Tensor>[], labels: readonly string[] = [], mode: Comparison = BITS) {
  // Bits need the same kernels: the float64-accumulating JS matmul, not the float32 SIMD one.
  const executable = compile(outputs, mode.kind === 'bits' ? { matmul: 'exact' } : {});
  for (const feeds of feedSets) {
    // Snapshot first: evaluate must not see (or be able to disturb) the executable's buffers.
    const got = snapshot(executable.run(feeds));
    expectSameResults(got, evaluate(outputs, feeds), labels, mode);
  }
  return executable;
}

describe('the comparison', () => {
  const f32 = (...values: number[]) => Float32Array.from(values);
  it('is bit for bit by default: NaN equals NaN, -0 is not +0, one ULP is a difference', () => {
    expect(firstMismatch(f32(NaN, -0, 1), f32(NaN, -0, 1), 'float32')).toBeUndefined();
    expect(firstMismatch(f32(1, 0), f32(1, -0), 'float32')).toBe(1);
    expect(firstMismatch(f32(1 + 2 ** -23), f32(1), 'float32')).toBe(0);
    expect(firstMismatch(f32(1, 2), f32(1), 'float32')).toBe(-1);
  });
  it('takes a stated tolerance as a parameter; non-finite values must still match', () => {
    expect(firstMismatch(f32(1 + 2 ** -23), f32(1), 'float32', { kind: 'ulp', maxUlp: 1 })).toBeUndefined();
    expect(firstMismatch(f32(1 + 2 ** -22), f32(1), 'float32', { kind: 'ulp', maxUlp: 1 })).toBe(0);
    expect(firstMismatch(f32(100.5), f32(100), 'float32', { kind: 'relative', rtol: 1e-2, atol: 0 })).toBeUndefined();
    expect(firstMismatch(f32(Infinity), f32(3e38), 'float32', { kind: 'relative', rtol: 1, atol: 1 })).toBe(0);
  });
});

describe('random elementwise programs', () => {
  it('give the interpreter\'s bits, float32 and float64, with every read mode and the fallbacks', () => {
    const seen = { suffix: 0, outer: 0, scalar: 0, fallback: 0, float32: 0, float64: 0 };
    fc.assert(fc.property(elementwiseCase(), (c) => {
      const program = buildProgram(c);
      const executable = expectCompiledMatches(program.outputs, program.feeds);
      // Which paths the case took, so that the generator is known to reach all of them.
      const stats = Object.values(executable.stats())[0]!;
      const loops = stats.loops.join('\n');
      if (loops.includes('% p')) seen.suffix++;
      if (loops.includes('/ p')) seen.outer++;
      if (/= a\d+\[0\];/.test(loops)) seen.scalar++;
      const cuts = topoSort(program.outputs).filter((n) => n.op === 'clip' || n.op === 'sum').length;
      if (stats.kernelOps > cuts) seen.fallback++;
      seen[c.recipe.dtype]++;
    }), propertyParams(500));
    for (const [path, count] of Object.entries(seen)) expect(count, path).toBeGreaterThan(0);
  });
});

describe('random MLP training graphs', () => {
  it('give the interpreter\'s loss, gradients and prediction at batch sizes b1, b2, b1', () => {
    fc.assert(fc.property(mlpCase(), (c) => {
      const { outputs, labels, feeds } = buildMlp(c);
      const executable = expectCompiledMatches(outputs, feeds, labels);
      // One plan per batch size, reused when the first size comes back.
      expect(Object.keys(executable.stats())).toHaveLength(new Set(c.batches.map((b) => b.batch)).size);
    }), propertyParams(60));
  });

  it('do not leak state between plans: batch 8, then 5, then 8 again with the first data', () => {
    const [c] = fc.sample(mlpCase(fc.constant([8, 5])), { numRuns: 1, seed: propertyParams().seed });
    const { outputs, labels, feeds } = buildMlp(c!);
    const executable = compile(outputs, { matmul: 'exact' });
    const first = snapshot(executable.run(feeds[0]!));
    expectSameResults(first, evaluate(outputs, feeds[0]!), labels);
    expectSameResults(snapshot(executable.run(feeds[1]!)), evaluate(outputs, feeds[1]!), labels);
    expectSameResults(executable.run(feeds[0]!), first, labels);
    expect(Object.keys(executable.stats()).sort()).toEqual(['batch=5', 'batch=8']);
  });
});

describe('the WebAssembly SIMD matmul (the default for float32)', () => {
  it('gives a wide MLP\'s loss, gradients and prediction within float32 summation error of the interpreter', () => {
    // 64 -> 48 relu -> 10 at batch 32: every forward and weight-gradient product is above the
    // SIMD threshold. The kernel sums in float32: per element within about (k + 1) 2^-24 of
    // sum |a b| (wasm/matmul.ts); through two layers and the loss that stays below 1e-4 relative.
    const x = input(['batch', 64], { name: 'x' });
    const y = input(['batch'], { name: 'y', dtype: 'int32' });
    const random = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 0.5);
    const W1 = param(tensor(random(64 * 48, 1), { shape: [64, 48] }), { name: 'W1' });
    const b1 = param(tensor(random(48, 2)), { name: 'b1' });
    const W2 = param(tensor(random(48 * 10, 3), { shape: [48, 10] }), { name: 'W2' });
    const logits = x.matmul(W1).add(b1).relu().matmul(W2);
    const loss = sparseSoftmaxCrossEntropyWithLogits(logits, y).mean();
    const training = prepareTraining({ loss, params: [W1, b1, W2], outputs: { prediction: logits } });
    const outputs = [training.loss, ...training.gradients, training.outputs.prediction!];
    const feeds = new Map<Node, Tensor>([
      [x, tensor(random(32 * 64, 4), { shape: [32, 64] })],
      [y, tensor(Array.from({ length: 32 }, (_, i) => (i * 7) % 10), { dtype: 'int32' })],
    ]);
    const executable = expectCompiledMatches(outputs, [feeds], training.graph.outputNames, { kind: 'relative', rtol: 1e-4, atol: 1e-6 });
    const stats = Object.values(executable.stats())[0]!;
    expect(stats.foldedTransposes).toBeGreaterThan(0);
    if (wasmSimdSupported()) expect(stats.simdMatmuls).toBe(5); // x W1, h W2, h^T g, g W2^T, x^T g: all above the threshold
    // And it is a different kernel: exact mode gives the interpreter's bits, SIMD mode need not.
    expectSameResults(snapshot(compile(outputs, { matmul: 'exact' }).run(feeds)), evaluate(outputs, feeds), training.graph.outputNames);
  });
});

describe('random loss graphs of the testing kit, with their gradients', () => {
  it('give the interpreter\'s bits (prepareTraining, gradients with respect to every float input)', () => {
    fc.assert(fc.property(lossCaseOf(), (c) => {
      const g = buildLossGraph(c);
      const loss = g.output.rank === 0 ? g.output : sum(g.output);
      const wrt = Object.values(g.inputs).filter((x) => x.dtype !== 'int32');
      const training = prepareTraining({ loss, params: wrt });
      // The same kernels on both sides (fused loops, the float64-accumulating JS matmul, core's
      // kernels for the rest), so no tolerance.
      expectCompiledMatches([training.loss, ...training.gradients], [g.feeds], training.graph.outputNames);
    }), propertyParams(150));
  });
});

describe('awkward outputs', () => {
  const x = input(['batch', 3], { name: 'x' });
  const W = param(tensor([[0.5, -1, 2], [1.5, 0.25, -0.75], [-2, 1, 0.125]]), { name: 'W' });
  const feedsOf = (...rows: number[][]) => new Map<Node, Tensor>([[x, tensor(rows)]]);
  const feeds = [feedsOf([1, 2, 3], [-4, 0.5, 6]), feedsOf([0.1, -0.2, 0.3]), feedsOf([7, 8, 9], [1, 1, 1], [-1, 0, 1])];

  it('views of computed values (reshape, expandDims, squeeze), also when the value dies in place', () => {
    const h = x.mul(W.sum({ axis: 0 })).add(1);
    const flat = h.reshape([-1]);
    const column = flat.expandDims(1);
    // h's last reader is an elementwise loop that could write in place over h: the views must survive it.
    const after = h.exp().mul(2);
    expectCompiledMatches([flat, after, column.squeeze(1), column], feeds);
  });

  it('inputs and params as outputs, fed or not', () => {
    expectCompiledMatches([x, W, x.matmul(W)], feeds);
    expectCompiledMatches([W, x], [new Map([...feeds[0]!, [W, tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])]])]);
  });

  it('a value that is both an output and read by a fused loop', () => {
    const h = x.sub(0.5).square();
    const out = h.tanh().mul(h).add(x);
    expectCompiledMatches([h, out], feeds);
    expectCompiledMatches([out, h], feeds);
  });

  it('duplicated outputs', () => {
    const h = x.matmul(W).relu();
    expectCompiledMatches([h, h, x, x, h.sum(), h.sum()], feeds);
  });

  it('the output of a fused loop that reads an output of the same run', () => {
    const a = x.mul(3);
    const b = a.add(a.sigmoid()); // a is read twice, so it is a loop of its own
    expectCompiledMatches([b, a, b.neg()], feeds);
  });

  it('transposes that are not swaps: an identity permutation read by a matmul', () => {
    const m = input([3, 3], { name: 'm' });
    const identity = m.transpose([0, 1]);
    const values = new Map([[m, tensor([[1, 2, 3], [4, 5, 6], [7, 8, 10]])]]);
    expectCompiledMatches([identity.matmul(W), W.matmul(identity)], [values]);
  });
});

describe('the sparse cross-entropy split across two threads (large inputs)', () => {
  it('gives the interpreter\'s bits, with logits fed (staged into shared memory) or computed (pooled, shared)', () => {
    // 512 x 600 logits: above the two-thread threshold (2^18).
    const rows = 512;
    const k = 600;
    const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.731) * 9);
    const z = input([rows, k], { name: 'z' });
    const y = input([rows], { name: 'y', dtype: 'int32' });
    const labels = tensor(Array.from({ length: rows }, (_, i) => (i * 37) % k), { dtype: 'int32' });
    const fed = sparseSoftmaxCrossEntropyWithLogits(z, y);
    const [fedGrad] = prepareTraining({ loss: fed.mean(), params: [z] }).gradients;
    expectCompiledMatches([fed, fedGrad!], [new Map<Node, Tensor>([[z, tensor(values(rows * k, 1), { shape: [rows, k] })], [y, labels]])]);

    // Logits made inside the plan (an elementwise loop over a fed input): a pooled, shared buffer.
    const computed = sparseSoftmaxCrossEntropyWithLogits(z.mul(0.5).add(1), y);
    const [computedGrad] = prepareTraining({ loss: computed.sum(), params: [z] }).gradients;
    expectCompiledMatches([computed, computedGrad!], [new Map<Node, Tensor>([[z, tensor(values(rows * k, 2), { shape: [rows, k] })], [y, labels]])]);
  });
});
