/**
 * The PyTorch convention against PyTorch itself: trajectories computed once by torch.optim in
 * float64 (fixtures/make-pytorch-trajectories.py wrote fixtures/pytorch-trajectories.json; no
 * test needs torch). SGD (momentum, dampening, Nesterov, weight decay, a learning rate changed
 * mid-run, a per-step ExponentialLR), Adam (epsilon 1e-8 and 1e-7, AMSGrad, L2 weight decay),
 * AdamW, RMSprop (centered, momentum), Adagrad (lr_decay, initial accumulator), and the three
 * clippings of torch.nn.utils, each 12 steps to 1e-12 relative; then a small network trained by
 * `fit` with PyTorch's batch order, initial weights and Adam, batch losses and weights compared
 * epoch by epoch.
 */
import { readFileSync } from 'node:fs';
import { tensor } from '@stablegrad/core';
import {
  adam, dense, type Logs, type OptimizerConfig, resolveOptimizer, sequential, sparseCategoricalCrossentropy,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';

interface Fixture {
  readonly torch: string;
  readonly c: number[];
  readonly d: number[];
  readonly w0: number[];
  readonly b0: number[];
  readonly optimizers: { readonly id: string; readonly ours: { readonly name: string }; readonly lrChanges: { readonly [step: string]: number }; readonly trajectory: number[][] }[];
  readonly model: {
    readonly x: number[][]; readonly y: number[]; readonly initial: (number[] | number[][])[]; readonly orders: number[][]; readonly batchSize: number;
    readonly learningRate: number; readonly losses: number[]; readonly weights: (number[] | number[][])[][];
  };
}

const fixture = JSON.parse(readFileSync(new URL('fixtures/pytorch-trajectories.json', import.meta.url), 'utf8')) as Fixture;

/** The gradients of the fixture's script, in float64: the same formula PyTorch was fed. */
function gradients(w: ArrayLike<number>, b: ArrayLike<number>): [Float64Array, Float64Array] {
  const gw = Float64Array.from({ length: 4 }, (_, i) => fixture.d[i]! * (w[i]! - fixture.c[i]!) + (i < 3 ? 0.3 * Math.cos(w[i]!) : 0));
  const gb = Float64Array.from({ length: 2 }, (_, j) => 1.4 * b[j]! + 0.2 * w[j]!);
  return [gw, gb];
}

/** |a - e| / max(|e|, 1e-300), the largest over a trajectory. */
function maxRelative(actual: readonly number[][], expected: readonly number[][]): number {
  let worst = 0;
  actual.forEach((row, t) => row.forEach((a, i) => {
    const e = expected[t]![i]!;
    worst = Math.max(worst, Math.abs(a - e) / Math.max(Math.abs(e), 1e-300));
  }));
  return worst;
}

describe(`torch.optim ${fixture.torch}, float64, 12 steps`, () => {
  it.each(fixture.optimizers.map((run) => [run.id, run] as const))('%s matches to 1e-12', (_id, run) => {
    const optimizer = resolveOptimizer({ ...run.ours, convention: 'pytorch' } as OptimizerConfig);
    expect(optimizer.config.convention).toBe('pytorch');
    const w = Float64Array.from(fixture.w0);
    const b = Float64Array.from(fixture.b0);
    const state = optimizer.createState([{ size: 4, dtype: 'float64' }, { size: 2, dtype: 'float64' }]);
    const trajectory = run.trajectory.map((_, t) => {
      if (Object.hasOwn(run.lrChanges, String(t))) state.learningRate = run.lrChanges[String(t)]!;
      optimizer.step(state, [w, b], gradients(w, b));
      return [...w, ...b];
    });
    const deviation = maxRelative(trajectory, run.trajectory);
    expect(deviation, `max relative deviation from PyTorch: ${deviation}`).toBeLessThanOrEqual(1e-12);
    // The run moved: a wrong update could not pass by standing still.
    expect(maxRelative([trajectory.at(-1)!], [[...fixture.w0, ...fixture.b0]])).toBeGreaterThan(1e-3);
  });

  it('the fixture separates the conventions: the Keras forms of the same runs do not match it', () => {
    for (const id of ['adam', 'sgd-momentum-lr-change', 'rmsprop', 'adagrad', 'sgd-global-clip']) {
      const run = fixture.optimizers.find((r) => r.id === id)!;
      const optimizer = resolveOptimizer({ ...run.ours, convention: 'keras' } as OptimizerConfig);
      const w = Float64Array.from(fixture.w0);
      const b = Float64Array.from(fixture.b0);
      const state = optimizer.createState([{ size: 4, dtype: 'float64' }, { size: 2, dtype: 'float64' }]);
      const trajectory = run.trajectory.map((_, t) => {
        if (Object.hasOwn(run.lrChanges, String(t))) state.learningRate = run.lrChanges[String(t)]!;
        optimizer.step(state, [w, b], gradients(w, b));
        return [...w, ...b];
      });
      expect(maxRelative(trajectory, run.trajectory), id).toBeGreaterThan(1e-9);
    }
  });
});

describe('a network trained by fit in PyTorch\'s batch order, with its initial weights and Adam', () => {
  it('gives PyTorch\'s batch losses and weights after each epoch, in float64', async () => {
    const m = fixture.model;
    const model = sequential([dense({ units: 5, activation: 'relu' }), dense({ units: 3 })], { inputShape: [3], dtype: 'float64', seed: 1 });
    model.compile({ loss: sparseCategoricalCrossentropy({ fromLogits: true }), optimizer: adam({ convention: 'pytorch', learningRate: m.learningRate }) });
    // torch.nn.Linear keeps [out, in] weights; a dense kernel is [in, out].
    const transpose = (rows: number[][]) => rows[0]!.map((_, j) => rows.map((r) => r[j]!));
    const ours = (params: (number[] | number[][])[]) => params.map((p) => (Array.isArray(p[0]) ? transpose(p as number[][]) : p));
    model.setWeights(ours(m.initial).map((p) => tensor(p as number[], { dtype: 'float64' })));
    const losses: number[] = [];
    const weights: number[][] = [];
    await model.fit(m.x, m.y, {
      epochs: m.orders.length, batchSize: m.batchSize, batchOrder: m.orders, verbose: 0,
      callbacks: [{
        onBatchEnd: (_b, logs: Logs) => { losses.push(logs.loss!); },
        onEpochEnd: () => { weights.push(model.getWeights().flatMap((w) => Array.from(w.data))); },
      }],
    });
    expect(losses.length).toBe(m.losses.length);
    const lossDeviation = maxRelative([losses], [m.losses]);
    const weightDeviation = maxRelative(weights, m.weights.map((epoch) => ours(epoch).flat(2)));
    expect(lossDeviation, `batch losses: ${lossDeviation}`).toBeLessThanOrEqual(1e-12);
    expect(weightDeviation, `weights: ${weightDeviation}`).toBeLessThanOrEqual(1e-12);
  });
});
