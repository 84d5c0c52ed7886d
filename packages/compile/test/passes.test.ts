/**
 * The compiler's passes, each alone on a small graph: what the schedule knows, which transposes
 * fold, the groups fusion forms and where it splits them, that a view shares its input's buffer,
 * which kernel the table picks, when liveness lets a buffer go and who takes it next. The
 * end-to-end promises (stats, bits against the interpreter) are in plan.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  type DimBindings, input, max, type Node, param, ShapeError, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyGrad,
  sparseSoftmaxCrossEntropyWithLogits, sumTo, tensor, topoSort,
} from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { assignBuffers } from '../src/passes/assign-buffers.js';
import { chooseKernels, type Unit } from '../src/passes/choose-kernels.js';
import { foldTransposes, readThrough } from '../src/passes/fold-transposes.js';
import { fuseElementwise, MAX_FUSED_MEMBERS } from '../src/passes/fuse.js';
import { KERNELS, pickKernel } from '../src/passes/kernels/index.js';
import type { KernelContext } from '../src/passes/kernels/kernel.js';
import { lastUse } from '../src/passes/liveness.js';
import { schedule, type Schedule } from '../src/passes/schedule.js';
import { isView, viewRoots } from '../src/passes/views.js';

/** Schedules `outputs` with each source's declared shape, symbolic dimensions bound by `dims`. */
function scheduleOf(outputs: readonly Node[], dims: DimBindings = new Map()): Schedule {
  const nodes = topoSort(outputs);
  const types = nodes.map((n) => (n.inputs.length > 0 ? undefined : {
    shape: n.shape.map((d) => (typeof d === 'number' ? d : dims.get(d!)!)),
    dtype: n.dtype,
  }));
  return schedule(nodes, outputs, types, dims);
}

/** The units of a schedule after the passes before the kernel pass. */
function unitsOf(s: Schedule): Unit[] {
  return chooseKernels(s, foldTransposes(s), fuseElementwise(s), 'exact');
}

/** The kernel pass's context for a schedule (what the table's guards may read). */
function contextOf(s: Schedule): KernelContext {
  const folded = foldTransposes(s);
  const { loops, inlined } = fuseElementwise(s);
  return { schedule: s, folded, loops, matmul: 'exact', runs: (i) => !s.isSource(i) && !inlined.has(i) && !folded.has(i) && !isView(s.nodes[i]!) };
}

const filled = (shape: number[], seed = 1) => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 37 + seed) % 11) / 4 - 1), { shape });

describe('schedule', () => {
  it('gives positions in topological order, readers per edge, outputs and concrete shapes', () => {
    const x = input(['batch', 3], { name: 'x' });
    const W = param(filled([3, 2]), { name: 'W' });
    const h = x.matmul(W);
    const r = h.relu();
    const out = r.add(h);
    const s = scheduleOf([out, h], new Map([['batch', 5]]));
    expect(s.nodes.indexOf(h)).toBe(s.at(h));
    expect(s.at(x)).toBeLessThan(s.at(h));
    expect(s.shapes[s.at(h)]).toEqual([5, 2]);
    expect(s.shapes[s.at(out)]).toEqual([5, 2]);
    // h is read by the relu and by the add.
    expect([...s.users[s.at(h)]!].sort()).toEqual([s.at(r), s.at(out)].sort());
    expect(s.users[s.at(out)]).toEqual([]);
    expect(s.outputs).toEqual([s.at(out), s.at(h)]);
    expect(s.isSource(s.at(x)) && s.isSource(s.at(W)) && !s.isSource(s.at(h))).toBe(true);
  });

  it('names the node whose shape does not hold for these dimensions', () => {
    const a = input(['n', 3], { name: 'a' });
    const b = input(['m', 3], { name: 'b' });
    const sum = a.add(b);
    expect(() => scheduleOf([sum], new Map([['n', 2], ['m', 4]]))).toThrow(ShapeError);
    expect(() => scheduleOf([sum], new Map([['n', 2], ['m', 4]]))).toThrow(String(sum));
  });
});

describe('fold transposes', () => {
  const a = input([4, 3], { name: 'a' });
  const b = input([4, 5], { name: 'b' });
  const c = input([5, 3], { name: 'c' });
  const square = input([3, 3], { name: 'square' });

  it('folds a swap read only by 2-D float matmuls, and reads through it', () => {
    const aT = a.transpose();
    const product = aT.matmul(b);
    const s = scheduleOf([product, aT.matmul(b.sub(1))]);
    expect([...foldTransposes(s)]).toEqual([s.at(aT)]);
    expect(readThrough(s, foldTransposes(s), aT)).toBe(s.at(a));
    expect(readThrough(s, foldTransposes(s), b)).toBe(s.at(b));
  });

  it('keeps a transpose read by anything else, an output, the identity permutation and an int32 product', () => {
    const cT = c.transpose();
    const other = a.transpose();
    const identity = square.transpose([0, 1]);
    const ints = input([2, 3], { dtype: 'int32', name: 'ints' });
    const intT = ints.transpose();
    const s = scheduleOf([a.matmul(cT), cT.exp(), b.matmul(c).matmul(other), other, identity.matmul(square), intT.matmul(ints)]);
    expect(foldTransposes(s).size).toBe(0);
  });
});

describe('fuse', () => {
  const x = input([3, 4], { name: 'x' });
  const bias = input([4], { name: 'bias' });

  it('inlines a chain into one loop at its last node, reading the bias as a repeated suffix', () => {
    const scaled = x.mul(2);
    const shifted = scaled.add(bias);
    const out = shifted.exp();
    const s = scheduleOf([out]);
    const { loops, inlined } = fuseElementwise(s);
    expect([...loops.keys()]).toEqual([s.at(out)]);
    const loop = loops.get(s.at(out))!;
    expect(loop.members).toEqual([scaled, shifted, out]);
    expect(loop.leaves).toContain(x);
    expect(loop.modes[loop.leaves.indexOf(bias)]).toEqual({ kind: 'suffix', size: 4 });
    expect([...inlined].sort()).toEqual([s.at(scaled), s.at(shifted)].sort());
  });

  it('ends a group at a value read twice, at an output, and at a change of size', () => {
    const h = x.exp();
    const twice = h.mul(h).sigmoid();
    const small = bias.exp();
    const grown = x.add(small);
    const shown = x.neg();
    const s = scheduleOf([twice, grown, shown.abs(), shown]);
    const { loops, inlined } = fuseElementwise(s);
    for (const root of [h, twice, small, grown, shown]) expect(loops.has(s.at(root)), String(root)).toBe(true);
    expect(inlined.has(s.at(h))).toBe(false);
    expect(inlined.has(s.at(small))).toBe(false);
    expect(inlined.has(s.at(shown))).toBe(false);
    expect(inlined.has(s.at(twice.inputs[0]!))).toBe(true);
  });

  it(`splits a long chain into loops of at most ${MAX_FUSED_MEMBERS} members, filled from the start`, () => {
    const length = 2 * MAX_FUSED_MEMBERS + 44;
    const chain: Node[] = [];
    let h: Node = x;
    for (let k = 0; k < length; k++) chain.push(h = k % 2 === 0 ? h.neg() : h.tanh());
    const s = scheduleOf([h]);
    const { loops } = fuseElementwise(s);
    const sizes = [...loops.values()].map((loop) => loop.members.length);
    expect(sizes).toEqual([MAX_FUSED_MEMBERS, MAX_FUSED_MEMBERS, 44]);
    // Every node of the chain is in exactly one loop, in order.
    expect([...loops.values()].flatMap((loop) => loop.members)).toEqual(chain);
  });

  it('runs a group whose broadcast has no read mode node by node', () => {
    const p = input([2, 1, 3], { name: 'p' });
    const q = input([1, 4, 1], { name: 'q' });
    const e = p.exp();
    const sq = q.square();
    const sum = e.add(sq);
    const out = sum.relu();
    const s = scheduleOf([out]);
    const { loops, inlined } = fuseElementwise(s);
    expect(inlined.size).toBe(0);
    expect(loops.has(s.at(sum))).toBe(false);
    for (const single of [e, sq, out]) expect(loops.get(s.at(single))?.members).toEqual([single]);
  });
});

describe('views', () => {
  it('share the buffer of the first value up the chain that is not a view', () => {
    const x = input([2, 3], { name: 'x' });
    const h = x.exp();
    const flat = h.reshape([6]);
    const back = flat.reshape([3, 2]);
    const ofSource = x.reshape([6]);
    const s = scheduleOf([back.add(1), ofSource.neg()]);
    const roots = viewRoots(s);
    expect(roots[s.at(flat)]).toBe(s.at(h));
    expect(roots[s.at(back)]).toBe(s.at(h));
    expect(roots[s.at(h)]).toBe(s.at(h));
    expect(roots[s.at(ofSource)]).toBe(s.at(x));
    expect(isView(flat) && !isView(h) && !isView(x)).toBe(true);
  });
});

describe('the kernel table', () => {
  it('has named, documented entries and ends with one that matches every node', () => {
    const names = KERNELS.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    for (const k of KERNELS) {
      expect(k.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(k.doc.length).toBeGreaterThan(10);
    }
    expect(KERNELS.at(-1)!.pattern.kind).toBe('capture');
  });

  it('picks the special kernel for a 2-D float matmul, a sum, a mean, a sumTo and the sparse cross-entropy; the core kernel otherwise', () => {
    const a = input([4, 3], { name: 'a' });
    const b = input([3, 5], { name: 'b' });
    const batched = input([2, 4, 3], { name: 'batched' });
    const ints = input([4, 3], { dtype: 'int32', name: 'ints' });
    const labels = input([4], { dtype: 'int32', name: 'labels' });
    const probabilities = input([4, 5], { name: 'probabilities' });
    const z = a.matmul(b);
    const expected = new Map<Node, string>([
      [z, 'matmul-2d'],
      [a.transpose().matmul(a), 'matmul-2d'],
      [batched.matmul(b), 'core-kernel'],
      [ints.matmul(ints.transpose()), 'core-kernel'],
      [z.sum({ axis: 1 }), 'sum-or-mean'],
      [z.mean(), 'sum-or-mean'],
      [sumTo(z, input([5], { name: 'like' })), 'sum-to'],
      [max(z, { axis: 0 }), 'core-kernel'],
      [sparseSoftmaxCrossEntropyWithLogits(z, labels), 'sparse-cross-entropy'],
      [sparseSoftmaxCrossEntropyGrad(z, labels), 'sparse-cross-entropy'],
      [softmaxCrossEntropyWithLogits(z, probabilities), 'core-kernel'],
    ]);
    const s = scheduleOf([...expected.keys()]);
    const ctx = contextOf(s);
    for (const [node, name] of expected) expect(pickKernel(s.at(node), ctx).kernel.name, String(node)).toBe(name);
  });
});

describe('kernels pass', () => {
  const z = input([6, 5], { name: 'z' });
  const labels = input([6], { dtype: 'int32', name: 'labels' });

  it('gives each node that runs one unit: fused loops, table entries; views, sources and folded transposes run none', () => {
    const W = param(filled([5, 5]), { name: 'W' });
    const h = z.transpose().matmul(z).relu();
    const flat = h.reshape([25]);
    const out = flat.sum();
    const s = scheduleOf([out.add(W.sum())]);
    const units = unitsOf(s);
    expect(units.map((u) => u.kernel)).toEqual(['matmul-2d', 'fused-loop', 'sum-or-mean', 'sum-or-mean', 'fused-loop']);
    expect(units.map((u) => u.at)).toEqual([...units.map((u) => u.at)].sort((p, q) => p - q));
    // The matmul reads z twice (its transpose folded), the sum reads its input through the view.
    expect(units[0]!.reads).toEqual([s.at(z), s.at(z)]);
    expect(units.find((u) => u.at === s.at(out))!.reads).toEqual([s.at(flat)]);
  });

  it('computes a cross-entropy and its gradient in one step: the second writes nothing', () => {
    const loss = sparseSoftmaxCrossEntropyWithLogits(z, labels);
    const gradient = sparseSoftmaxCrossEntropyGrad(z, labels);
    const s = scheduleOf([gradient, loss]);
    const units = unitsOf(s);
    const [first, second] = units as [Unit, Unit];
    expect(first.kernel).toBe('sparse-cross-entropy');
    expect(first.writes).toEqual([first.at, second.at]);
    expect(second.kernel).toBe('computed-earlier');
    expect(second.writes).toEqual([]);
  });

  it('computes a lone cross-entropy by itself', () => {
    const s = scheduleOf([sparseSoftmaxCrossEntropyWithLogits(z, labels).mul(2)]);
    const [alone] = unitsOf(s) as [Unit];
    expect(alone.kernel).toBe('sparse-cross-entropy');
    expect(alone.writes).toEqual([alone.at]);
  });

  it('folds the mean\'s 1 / n into the gradient: the kernel writes the product, which runs no loop', () => {
    const training = prepareTraining({ loss: sparseSoftmaxCrossEntropyWithLogits(z, labels).mean(), params: [z] });
    const s = scheduleOf([training.loss, ...training.gradients]);
    const units = unitsOf(s);
    const pair = units.find((u) => u.kernel === 'sparse-cross-entropy')!;
    const gradient = s.nodes.findIndex((n) => n.op === 'sparseSoftmaxCrossEntropyGrad');
    const product = training.gradients[0]!;
    expect(s.nodes[s.at(product)]!.op).toBe('mul');
    expect(s.nodes[s.at(product)]!.inputs).toContain(s.nodes[gradient]);
    expect(pair.writes).toEqual([pair.at, s.at(product)]);
    expect(units.filter((u) => u.kernel === 'computed-earlier').map((u) => u.at).sort()).toEqual([gradient, s.at(product)].sort());
    expect(units.some((u) => u.kernel === 'fused-loop')).toBe(false);
  });
});

describe('liveness and buffers', () => {
  const x = input([4, 4], { name: 'x' });
  const W = Array.from({ length: 3 }, (_, k) => param(filled([4, 4], k + 2), { name: `W${k}` }));

  function passes(outputs: readonly Node[]) {
    const s = scheduleOf(outputs);
    const units = unitsOf(s);
    const roots = viewRoots(s);
    const last = lastUse(s, units, roots);
    return { s, units, last, ...assignBuffers(s, units, roots, last) };
  }

  it('a value dies at its last reader, also when read through a view; outputs never die', () => {
    const h1 = x.matmul(W[0]!);
    const h2 = h1.matmul(W[1]!);
    const late = h1.reshape([2, 8]).sum({ axis: 1 });
    const { s, last } = passes([h2, late]);
    expect(s.at(late)).toBeGreaterThan(s.at(h2));
    expect(last.get(s.at(h1))).toBe(s.at(late));
    expect(last.get(s.at(h2))).toBe(Infinity);
    expect(last.get(s.at(late))).toBe(Infinity);
  });

  it('a dead value\'s buffer is taken by the next value of its size; a kernel never writes over its input', () => {
    const h1 = x.matmul(W[0]!);
    const h2 = h1.matmul(W[1]!);
    const h3 = h2.matmul(W[2]!);
    const { s, buffers, peakBytes, bufferBytes } = passes([h3]);
    const bytes = 16 * 4;
    expect(buffers[s.at(h2)]).not.toBe(buffers[s.at(h1)]);
    expect(buffers[s.at(h3)]).toBe(buffers[s.at(h1)]); // h1 died at h2
    expect(peakBytes).toBe(2 * bytes);
    expect(bufferBytes).toBe(2 * bytes);
    expect(buffers[s.at(x)]).toBeUndefined();
  });

  it('an elementwise loop reading its inputs whole writes over one that dies there; reading a block, it does not', () => {
    const b = x.exp();
    const c = b.mul(b); // b read twice: its own loop, dying at c
    const inPlace = passes([c]);
    expect(inPlace.units.map((u) => u.inPlace)).toEqual([true, true]);
    expect(inPlace.buffers[inPlace.s.at(c)]).toBe(inPlace.buffers[inPlace.s.at(b)]);

    const row = input([4], { name: 'row' }).exp();
    const d = b.add(row).mul(b); // reads row as a repeated suffix, b whole
    const blocked = passes([d]);
    const unit = blocked.units.find((u) => u.at === blocked.s.at(d))!;
    expect(unit.inPlace).toBe(false);
    expect(blocked.buffers[blocked.s.at(d)]).not.toBe(blocked.buffers[blocked.s.at(b)]);
  });
});
