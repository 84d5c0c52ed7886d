/**
 * The planner's promises, one by one: transposes read only by matmuls are folded, elementwise
 * chains fuse (and fall back where a broadcast has no read mode), buffers are reused by liveness
 * (a chain of equal values needs at most two), nothing grows across runs, feeds are checked
 * with errors that name the input, and no user string reaches generated code. Every graph's
 * values are also checked against the interpreter, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import {
  OP_NAMES, apply, evaluate, FeedError, input, type Node, opDef, param, scope, sizeOf, sparseSoftmaxCrossEntropyGrad, sparseSoftmaxCrossEntropyWithLogits,
  type Tensor, tensor, topoSort,
} from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { compile, type PlanStats } from '@stablegrad/compile';
import { expectSameResults, snapshot } from './compare.js';

/** Deterministic values in [-2, 2) for a shape. */
function filled(shape: readonly number[], dtype: 'float32' | 'float64' = 'float32', seed = 1): Tensor {
  const n = sizeOf(shape);
  return tensor(Array.from({ length: n }, (_, i) => (((i + 1) * 7919 * seed) % 401) / 100 - 2), { dtype, shape: [...shape] });
}

/** Compiles `outputs`, runs them on `feeds`, checks the interpreter's bits and returns the plan's stats. */
function planOf(outputs: readonly Node[], feeds: ReadonlyMap<Node, Tensor>): PlanStats {
  const executable = compile(outputs);
  expectSameResults(snapshot(executable.run(feeds)), evaluate(outputs, feeds));
  const plans = Object.values(executable.stats());
  expect(plans).toHaveLength(1);
  return plans[0]!;
}

const bytesOf = (node: Node, shape: readonly number[]) => sizeOf(shape) * (node.dtype === 'float64' ? 8 : 4);

describe('transposes', () => {
  const a = input([4, 3], { name: 'a' });
  const b = input([4, 5], { name: 'b' });
  const c = input([5, 3], { name: 'c' });
  const feeds = new Map([[a, filled([4, 3])], [b, filled([4, 5], 'float32', 2)], [c, filled([5, 3], 'float32', 3)]]);

  it('read only by matmuls are folded: no transpose kernel runs', () => {
    // a^T b, b c, and b^T-free: (a c^T) has c^T folded too.
    const stats = planOf([a.transpose().matmul(b), a.matmul(c.transpose())], feeds);
    expect(stats.foldedTransposes).toBe(2);
    expect(stats.kernelOps).toBe(0);
    expect(stats.steps).toBe(2);
  });

  it('of a dense layer\'s backward pass are all folded', () => {
    const x = input(['batch', 3], { name: 'x' });
    const y = input(['batch', 2], { name: 'y' });
    const W = param(filled([3, 2]), { name: 'W' });
    const V = param(filled([2, 2], 'float32', 5), { name: 'V' });
    const training = prepareTraining({ loss: x.matmul(W).tanh().matmul(V).sub(y).square().mean(), params: [W, V] });
    const outputs = [training.loss, ...training.gradients];
    const transposes = topoSort(outputs).filter((n) => n.op === 'transpose').length;
    expect(transposes).toBeGreaterThan(0);
    const stats = planOf(outputs, new Map([[x, filled([6, 3])], [y, filled([6, 2], 'float32', 7)]]));
    expect(stats.foldedTransposes).toBe(transposes);
  });

  it('are materialised when something else reads them, when they are outputs, or when they do not swap', () => {
    const t = a.transpose();
    expect(planOf([t.matmul(b), t.exp()], feeds).foldedTransposes).toBe(0);
    expect(planOf([t.matmul(b), t], feeds).foldedTransposes).toBe(0);
    const square = input([3, 3], { name: 'square' });
    const identity = square.transpose([0, 1]);
    const stats = planOf([identity.matmul(c.transpose())], new Map([[square, filled([3, 3])], [c, filled([5, 3])]]));
    expect(stats.foldedTransposes).toBe(1); // c^T only
  });
});

describe('elementwise fusion', () => {
  const x = input(['batch', 4], { name: 'x' });
  const bias = input([4], { name: 'bias' });
  const feeds = new Map([[x, filled([3, 4])], [bias, filled([4], 'float32', 2)]]);

  it('fuses a chain into one loop', () => {
    const stats = planOf([x.mul(2).add(bias).exp().tanh().neg()], feeds);
    expect(stats).toMatchObject({ fusedLoops: 1, fusedOps: 5, kernelOps: 0, steps: 1 });
    expect(stats.loops[0]).toContain('% p'); // the bias is read as a repeated suffix
  });

  it('ends a loop at a value read twice, or at a change of size', () => {
    const h = x.exp();
    expect(planOf([h.mul(h).sigmoid()], feeds)).toMatchObject({ fusedLoops: 2, fusedOps: 3 });
    // exp(bias) is [4], its reader [batch, 4]: two loops, not one.
    expect(planOf([x.add(bias.exp())], feeds)).toMatchObject({ fusedLoops: 2, fusedOps: 2 });
  });

  it('falls back to kernels for broadcasts no read mode covers', () => {
    const p = input([2, 1, 3], { name: 'p' });
    const q = input([1, 4, 1], { name: 'q' });
    const values = new Map([[p, filled([2, 1, 3])], [q, filled([1, 4, 1], 'float32', 3)]]);
    // Both operands of the add are middle broadcasts against [2, 4, 3].
    const stats = planOf([p.exp().add(q.square()).relu()], values);
    expect(stats.kernelOps).toBe(1);
    expect(stats.fusedOps).toBe(3); // exp, square and relu, each alone
  });
});

describe('buffers', () => {
  const n = 8;
  const x = input([n, n], { name: 'x' });
  const feeds = new Map([[x, filled([n, n])]]);
  const buffer = n * n * 4;

  it('a chain of elementwise values of equal size lives in at most two buffers', () => {
    // Each value is read twice, so none is inlined: four loops, four values of n * n.
    const b = x.exp();
    const c = b.mul(b);
    const d = c.mul(c);
    const e = d.mul(d);
    const stats = planOf([e], feeds);
    expect(stats.fusedLoops).toBe(4);
    expect(stats.peakBytes).toBeLessThanOrEqual(2 * buffer);
  });

  it('a chain of matmuls lives in at most two buffers, far less than all its values', () => {
    const weights = Array.from({ length: 6 }, (_, k) => param(filled([n, n], 'float32', k + 2), { name: `W${k}` }));
    const values: Node[] = [];
    let h: Node = x;
    for (const W of weights) {
      h = h.matmul(W);
      values.push(h);
    }
    const stats = planOf([h], feeds);
    const all = values.reduce((total, v) => total + bytesOf(v, [n, n]), 0);
    expect(stats.peakBytes).toBeLessThanOrEqual(2 * buffer);
    expect(stats.peakBytes).toBeLessThan(all);
    expect(stats.bufferBytes).toBeLessThanOrEqual(2 * buffer);
  });

  it('of logits read by a sparse cross-entropy and its gradient (one pass) are freed after both', () => {
    const rows = 6;
    const features = input([rows, 4], { name: 'features' });
    const labels = input([rows], { dtype: 'int32', name: 'labels' });
    const z = features.matmul(param(filled([4, n], 'float32', 2), { name: 'W' }));
    const loss = sparseSoftmaxCrossEntropyWithLogits(z, labels);
    const gradient = sparseSoftmaxCrossEntropyGrad(z, labels);
    const next = gradient.matmul(param(filled([n, n], 'float32', 3), { name: 'V' }));
    const values = new Map([[features, filled([rows, 4])], [labels, tensor([0, 7, 3, 3, 1, 5], { dtype: 'int32' })]]);
    const stats = planOf([loss, next], values);
    // z, the loss and the gradient; `next` takes z's buffer, which died at the gradient.
    expect(stats.bufferBytes).toBe(bytesOf(z, [rows, n]) + bytesOf(loss, [rows]) + bytesOf(gradient, [rows, n]));
  });

  it('do not grow across runs: same plan, same buffers, same stats', () => {
    const W = param(filled([n, n], 'float32', 3), { name: 'W' });
    const v = input(['batch', n], { name: 'v' });
    const out = v.matmul(W).relu().sum({ axis: 1 });
    const executable = compile([out]);
    const feedsOf = (batch: number, seed: number) => new Map([[v, filled([batch, n], 'float32', seed)]]);
    const first = executable.run(feedsOf(5, 1))[0]!.data;
    const before = JSON.stringify(executable.stats());
    for (let run = 2; run < 30; run++) {
      const feedsNow = feedsOf(5, run);
      const [result] = executable.run(feedsNow);
      // The result is written into the same buffer each time (no new array per run).
      expect(result!.data).toBe(first);
      if (run % 9 === 0) expectSameResults([result!], [evaluate(out, feedsNow)]);
    }
    expect(JSON.stringify(executable.stats())).toBe(before);
    expect(Object.keys(executable.stats())).toEqual(['batch=5']);
  });
});

describe('feeds', () => {
  const x = input(['batch', 3], { name: 'x' });
  const labels = input(['batch'], { dtype: 'int32', name: 'labels' });
  const rowSums = x.sum({ axis: 1 });
  const out = rowSums.add(labels.cast('float32'));
  const executable = compile([out]);
  const ok = { x: filled([2, 3]), labels: tensor([1, 0], { dtype: 'int32' }) };
  const run = (feeds: [Node, Tensor][]) => () => executable.run(new Map(feeds));

  it('a missing input is a FeedError naming it', () => {
    expect(run([[x, ok.x]])).toThrow(FeedError);
    expect(run([[x, ok.x]])).toThrow(/'labels'/);
  });

  it('a wrong dtype, rank, static dimension or number of values is a FeedError', () => {
    expect(run([[x, filled([2, 3], 'float64')], [labels, ok.labels]])).toThrow(/'x' expects float32, got a float64/);
    expect(run([[x, filled([6])], [labels, ok.labels]])).toThrow(/'x' expects shape \[batch, 3\]/);
    expect(run([[x, filled([2, 4])], [labels, ok.labels]])).toThrow(/'x' expects shape \[batch, 3\], got \[2, 4\]/);
    expect(run([[x, { ...ok.x, shape: [3, 3] }], [labels, ok.labels]])).toThrow(/6 values for that shape/);
  });

  it('a symbolic dimension fed two sizes is a FeedError', () => {
    expect(run([[x, ok.x], [labels, tensor([1, 0, 2], { dtype: 'int32' })]])).toThrow(/dimension 'batch' is already 2/);
  });

  it('a computed node cannot be fed (as in the interpreter); nodes of other graphs are ignored', () => {
    const other = input([1], { name: 'other' });
    expect(run([[x, ok.x], [labels, ok.labels], [rowSums, tensor([0, 0])]])).toThrow(/is not an input or param/);
    expect(() => evaluate(out, new Map([[x, ok.x], [labels, ok.labels], [rowSums, tensor([0, 0])]]))).toThrow(FeedError);
    expect(run([[x, ok.x], [labels, ok.labels], [other, tensor([1])]])).not.toThrow();
  });

  it('unnamed (null) dimensions select the plan like named ones', () => {
    const u = input([null, 2], { name: 'u' });
    const y = u.exp().add(1);
    const unnamed = compile([y]);
    for (const rows of [1, 3, 1]) {
      const feeds = new Map([[u, filled([rows, 2])]]);
      expectSameResults(snapshot(unnamed.run(feeds)), [evaluate(y, feeds)]);
    }
    expect(Object.keys(unnamed.stats())).toHaveLength(2);
  });

  it('prepare builds the plan without running it', () => {
    const prepared = compile([out]);
    const stats = prepared.prepare(new Map([[x, filled([4, 3])], [labels, tensor([0, 1, 2, 3], { dtype: 'int32' })]]));
    expect(Object.keys(prepared.stats())).toEqual(['batch=4']);
    expect(prepared.stats()['batch=4']).toBe(stats);
  });
});

describe('generated code', () => {
  const evil = "x'); process.exit(1); ('";
  // Op names appear in comments, so that loops of other ops are other functions.
  const words = new Set(['return', 'function', 'fused', 'f', 'out', 'n', 'const', 'let', 'for', 'i', 'Math', ...OP_NAMES,
    ...Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')]);

  it('never contains node names, only our variables, op names, numbers and operators', () => {
    const { outputs, feeds } = scope(evil, () => {
      const x = input([2, 3], { name: evil });
      const y = input([3], { name: `${evil}"\`\${}` });
      const w = param(filled([2, 1]), { name: evil });
      const z = apply(opDef('mul'), [x.add(y), w], {}, { name: evil });
      const out = apply(opDef('tanh'), [z.sigmoid().add(1).log()], {}, { name: `${evil}\n*/` });
      const cmp = apply(opDef('where'), [x.less(y), x, y.exp()], {}, { name: evil });
      return { outputs: [out, cmp], feeds: new Map([[x, filled([2, 3])], [y, filled([3], 'float32', 2)]]) };
    });
    expect(outputs[0]!.path).toContain(evil);
    const stats = planOf(outputs, feeds);
    expect(stats.loops.length).toBeGreaterThan(0);
    for (const source of stats.loops) {
      expect(source).not.toMatch(/['"`\\$#@]/);
      expect(source).not.toContain('process');
      for (const word of source.match(/[A-Za-z_]\w*/g) ?? []) {
        if (!/^[alpvf]\d+$/.test(word)) expect(words, `'${word}' in\n${source}`).toContain(word);
      }
      expect(source.replace(/[A-Za-z_]\w*|\d+(\.\d+)?(e[+-]?\d+)?/g, '')).toMatch(/^[\s()[\]{},;.=<>!?:%|&*+\-/]*$/);
    }
  });
});

describe('results fed back as inputs', () => {
  it('are copied first: a state updated run after run gives the interpreter\'s values', () => {
    // out = x^T W reads x transposed while writing rows of out; fed its own output, the plan
    // must not read the buffer it is overwriting.
    const x = input([8, 8], { name: 'x' });
    const W = param(tensor(Array.from({ length: 64 }, (_, i) => (i % 3) - 2), { shape: [8, 8] }), { name: 'W' });
    const out = x.transpose().matmul(W).mul(0.125);
    const executable = compile([out]);
    let state = tensor(Array.from({ length: 64 }, (_, i) => i), { shape: [8, 8] });
    let reference = state;
    for (let step = 0; step < 3; step++) {
      [state] = executable.run(new Map([[x, state]])) as [Tensor];
      [reference] = evaluate([out], new Map([[x, reference]])) as [Tensor];
      expectSameResults([state], [reference]);
    }
  });

  it('keep at most eight plans, the most recently used', () => {
    const x = input(['batch', 2], { name: 'x' });
    const executable = compile([x.mul(2)]);
    for (let rows = 1; rows <= 10; rows++) executable.run(new Map([[x, filled([rows, 2])]]));
    executable.run(new Map([[x, filled([3, 2])]]));
    const keys = Object.keys(executable.stats());
    expect(keys).toHaveLength(8);
    expect(keys).toContain('batch=3');
    expect(keys).not.toContain('batch=1');
    expect(keys).not.toContain('batch=2');
  });
});

describe('the mean\'s 1 / n folded into the sparse cross-entropy gradient', () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 6);
  it('with a static batch the scaling runs inside the kernel (no loop), with the interpreter\'s bits', () => {
    const z = input([6, 5], { name: 'z' });
    const y = input([6], { name: 'y', dtype: 'int32' });
    const training = prepareTraining({ loss: sparseSoftmaxCrossEntropyWithLogits(z, y).mean(), params: [z] });
    const feeds = new Map<Node, Tensor>([[z, tensor(values(30), { shape: [6, 5] })], [y, tensor([0, 4, 2, 1, 3, 0], { dtype: 'int32' })]]);
    const stats = planOf([training.loss, ...training.gradients], feeds);
    expect(stats.foldedScales).toBe(1);
    expect(stats.fusedLoops).toBe(0);
  });

  it('with a symbolic batch the 1 / n is computed after the loss: no fold, same bits', () => {
    const z = input(['batch', 5], { name: 'z' });
    const y = input(['batch'], { name: 'y', dtype: 'int32' });
    const training = prepareTraining({ loss: sparseSoftmaxCrossEntropyWithLogits(z, y).mean(), params: [z] });
    const feeds = new Map<Node, Tensor>([[z, tensor(values(30), { shape: [6, 5] })], [y, tensor([0, 4, 2, 1, 3, 0], { dtype: 'int32' })]]);
    expect(planOf([training.loss, ...training.gradients], feeds).foldedScales).toBe(0);
  });
});
