/**
 * Optimizers against updates computed by hand from Keras' formulas: plain SGD, momentum,
 * Nesterov, and Adam with the bias correction folded into the step size (epsilon 1e-7). Values
 * are stored in the parameter's dtype, so the float32 expectations round each stored value
 * (weights and slots) with Math.fround, exactly where the optimizer keeps it.
 */
import { type DType, type TypedArray } from '@stablegrad/core';
import { adam, dense, meanSquaredError, ModelError, type Optimizer, resolveOptimizer, sequential, sgd } from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { expectClose, f64, SILENT, thrown } from './helpers.js';

const W0 = [0.5, -1.25, 3];
/** Three steps of gradients (exact in float32, so both dtypes see the same numbers). */
const GRADIENTS = [[0.25, -0.5, 1.5], [0.125, 0.75, -2], [-0.375, 0.0625, 0.5]];

/** Runs `steps` optimizer steps on one parameter of `dtype`; returns the weights after each step. */
function run(optimizer: Optimizer, dtype: DType, steps = GRADIENTS.length): number[][] {
  const make = (values: readonly number[]): TypedArray => (dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values));
  const w = make(W0);
  const state = optimizer.createState([{ size: w.length, dtype }]);
  const after: number[][] = [];
  for (let t = 0; t < steps; t++) {
    optimizer.step(state, [w], [make(GRADIENTS[t]!)]);
    after.push(Array.from(w));
  }
  expect(state.iterations).toBe(steps);
  return after;
}

/** How the dtype stores a float64 result. */
const storeFor = (dtype: DType) => (dtype === 'float32' ? Math.fround : (v: number) => v);

/** Keras SGD by hand: `v = momentum v - lr g; w += nesterov ? momentum v - lr g : v` (plain: `w -= lr g`). */
function sgdByHand(lr: number, momentum: number, nesterov: boolean, dtype: DType): number[][] {
  const store = storeFor(dtype);
  const w = W0.map(store);
  const velocity = W0.map(() => 0);
  return GRADIENTS.map((g) => {
    for (let i = 0; i < w.length; i++) {
      if (momentum === 0) {
        w[i] = store(w[i]! - lr * g[i]!);
        continue;
      }
      velocity[i] = store(momentum * velocity[i]! - lr * g[i]!);
      w[i] = store(nesterov ? w[i]! + momentum * velocity[i]! - lr * g[i]! : w[i]! + velocity[i]!);
    }
    return [...w];
  });
}

/** Keras Adam by hand: `m, v` moments; `w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)`. */
function adamByHand(lr: number, b1: number, b2: number, eps: number, dtype: DType): number[][] {
  const store = storeFor(dtype);
  const w = W0.map(store);
  const m = W0.map(() => 0);
  const v = W0.map(() => 0);
  return GRADIENTS.map((g, step) => {
    const t = step + 1;
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < w.length; i++) {
      m[i] = store(b1 * m[i]! + (1 - b1) * g[i]!);
      v[i] = store(b2 * v[i]! + (1 - b2) * g[i]! * g[i]!);
      w[i] = store(w[i]! - (alpha * m[i]!) / (Math.sqrt(v[i]!) + eps));
    }
    return [...w];
  });
}

function expectBitsEqual(actual: number[][], expected: number[][]): void {
  actual.forEach((row, t) => row.forEach((value, i) => {
    if (!Object.is(value, expected[t]![i])) expect.fail(`step ${t + 1}, weight ${i}: ${value} !== ${expected[t]![i]}`);
  }));
}

describe.each(['float32', 'float64'] as const)('optimizer steps in %s', (dtype) => {
  it('sgd without momentum: w -= lr g', () => {
    const after = run(sgd({ learningRate: 0.1 }), dtype);
    expectBitsEqual(after, sgdByHand(0.1, 0, false, dtype));
    // An independent glance at the first step: 0.5 - 0.1 * 0.25 = 0.475.
    expect(after[0]![0]).toBe(storeFor(dtype)(0.475));
  });

  it('sgd with momentum: velocity accumulates', () => {
    expectBitsEqual(run(sgd({ learningRate: 0.1, momentum: 0.9 }), dtype), sgdByHand(0.1, 0.9, false, dtype));
  });

  it('sgd with Nesterov momentum', () => {
    const after = run(sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }), dtype);
    expectBitsEqual(after, sgdByHand(0.1, 0.9, true, dtype));
    // Nesterov looks ahead: it differs from plain momentum from the first step on.
    expect(after[0]).not.toEqual(sgdByHand(0.1, 0.9, false, dtype)[0]);
  });

  it('adam over 3 steps, bias correction folded into the step size, eps 1e-7', () => {
    const after = run(adam({ learningRate: 0.01 }), dtype);
    expectBitsEqual(after, adamByHand(0.01, 0.9, 0.999, 1e-7, dtype));
  });

  it('adam with other hyperparameters', () => {
    const options = { learningRate: 0.05, beta1: 0.5, beta2: 0.75, epsilon: 0.01 };
    expectBitsEqual(run(adam(options), dtype), adamByHand(0.05, 0.5, 0.75, 0.01, dtype));
  });
});

describe('optimizer invariants', () => {
  it("adam's first step is lr g / (|g| + eps / sqrt(1 - b2)): about lr against the gradient's sign", () => {
    // m1 = (1 - b1) g and sqrt(v1) = sqrt(1 - b2) |g|; the step size lr sqrt(1 - b2) / (1 - b1)
    // cancels both factors, leaving eps rescaled by 1 / sqrt(1 - b2).
    const [first] = run(adam({ learningRate: 0.01 }), 'float64', 1);
    first!.forEach((w, i) => {
      const g = GRADIENTS[0]![i]!;
      expectClose(W0[i]! - w, (0.01 * g) / (Math.abs(g) + 1e-7 / Math.sqrt(1 - 0.999)), 1e-12, `weight ${i}`);
      expectClose(W0[i]! - w, 0.01 * Math.sign(g), 1e-4, `weight ${i}`);
    });
  });

  it('float32 stored values differ from the float64 run only by float32 rounding', () => {
    const single = run(adam({ learningRate: 0.01 }), 'float32');
    const double = run(adam({ learningRate: 0.01 }), 'float64');
    single.forEach((row, t) => row.forEach((v, i) => {
      expect(Math.fround(v)).toBe(v);
      expectClose(v, double[t]![i]!, 1e-6, `step ${t + 1}, weight ${i}`);
    }));
  });

  it('the defaults are Keras\': sgd lr 0.01; adam lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7', () => {
    const common = { convention: 'keras', weightDecay: 0, clipNorm: null, globalClipNorm: null, clipValue: null };
    expect(resolveOptimizer('sgd').config).toEqual({ name: 'sgd', ...common, learningRate: 0.01, momentum: 0, nesterov: false });
    expect(resolveOptimizer('adam').config).toEqual({ name: 'adam', ...common, learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false });
  });

  it('a saved config rebuilds the same optimizer; a config saved before conventions existed is Keras\'', () => {
    const config = { name: 'sgd', learningRate: 0.3, momentum: 0.5, nesterov: true } as const;
    expect(resolveOptimizer(config).config).toEqual({ ...config, convention: 'keras', weightDecay: 0, clipNorm: null, globalClipNorm: null, clipValue: null });
    const full = resolveOptimizer({ name: 'rmsprop', convention: 'pytorch', learningRate: 0.02, momentum: 0.5, centered: true }).config;
    expect(resolveOptimizer(full).config).toEqual(full);
  });
});

describe('optimizers inside fit, against gradients computed by hand', () => {
  // y = w x + b, mean squared error over one batch of N rows:
  // dL/dw = 2/N sum (w x + b - y) x,  dL/db = 2/N sum (w x + b - y).
  const x = [[1], [2], [-1], [0.5]];
  const y = [[3], [-1], [2], [0]];
  const gradient = (w: number, b: number): [number, number] => {
    let dw = 0;
    let db = 0;
    x.forEach(([xi], r) => {
      const residual = w * xi! + b - y[r]![0]!;
      dw += (2 / x.length) * residual * xi!;
      db += (2 / x.length) * residual;
    });
    return [dw, db];
  };
  const model = () => {
    const m = sequential([dense({ units: 1 })], { inputShape: [1], dtype: 'float64', seed: 1 });
    m.setWeights([f64([[0.7]]), { dtype: 'float64', shape: [1], data: Float64Array.of(-0.2) }]);
    return m;
  };

  it('sgd: three full-batch steps', async () => {
    const m = model();
    m.compile({ loss: meanSquaredError(), optimizer: sgd({ learningRate: 0.1 }) });
    await m.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, ...SILENT });
    let [w, b] = [0.7, -0.2];
    for (let t = 0; t < 3; t++) {
      const [dw, db] = gradient(w, b);
      [w, b] = [w - 0.1 * dw, b - 0.1 * db];
    }
    const [kernel, bias] = m.getWeights();
    expectClose(kernel!.data[0]!, w, 1e-12, 'kernel');
    expectClose(bias!.data[0]!, b, 1e-12, 'bias');
  });

  it('adam: three full-batch steps', async () => {
    const m = model();
    m.compile({ loss: meanSquaredError(), optimizer: adam({ learningRate: 0.1 }) });
    await m.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, ...SILENT });
    const w = [0.7, -0.2];
    const moments = [[0, 0], [0, 0]];
    for (let t = 1; t <= 3; t++) {
      const g = gradient(w[0]!, w[1]!);
      const alpha = (0.1 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      for (let i = 0; i < 2; i++) {
        const mv = moments[i]!;
        mv[0] = 0.9 * mv[0]! + 0.1 * g[i]!;
        mv[1] = 0.999 * mv[1]! + 0.001 * g[i]! ** 2;
        w[i] = w[i]! - (alpha * mv[0]) / (Math.sqrt(mv[1]) + 1e-7);
      }
    }
    const [kernel, bias] = m.getWeights();
    expectClose(kernel!.data[0]!, w[0]!, 1e-12, 'kernel');
    expectClose(bias!.data[0]!, w[1]!, 1e-12, 'bias');
    expect(m.compiled?.state.iterations).toBe(3);
  });
});

describe('hyperparameter validation', () => {
  const cases: readonly [string, () => unknown, RegExp][] = [
    ['sgd learningRate 0', () => sgd({ learningRate: 0 }), /sgd: learningRate .*got 0/],
    ['sgd learningRate -1', () => sgd({ learningRate: -1 }), /sgd: learningRate .*got -1/],
    ['sgd learningRate NaN', () => sgd({ learningRate: NaN }), /sgd: learningRate .*got NaN/],
    ['sgd learningRate Infinity', () => sgd({ learningRate: Infinity }), /sgd: learningRate .*got Infinity/],
    ['sgd momentum 1', () => sgd({ momentum: 1 }), /sgd: momentum .*\[0, 1\).*got 1/],
    ['sgd momentum -0.5', () => sgd({ momentum: -0.5 }), /sgd: momentum .*got -0.5/],
    ['sgd nesterov "yes"', () => sgd({ nesterov: 'yes' as unknown as boolean }), /sgd: nesterov/],
    ['adam learningRate 0', () => adam({ learningRate: 0 }), /adam: learningRate .*got 0/],
    ['adam beta1 1', () => adam({ beta1: 1 }), /adam: beta1 .*\[0, 1\).*got 1/],
    ['adam beta2 -0.1', () => adam({ beta2: -0.1 }), /adam: beta2 .*got -0.1/],
    ['adam epsilon -1e-7', () => adam({ epsilon: -1e-7 }), /adam: epsilon .*got -1e-7/],
    ['adam learningRate "0.1"', () => adam({ learningRate: '0.1' as unknown as number }), /adam: learningRate .*got 0.1/],
    ['an unknown optimizer name', () => resolveOptimizer('adadelta' as 'sgd'), /unknown optimizer "adadelta"/],
    ['a misspelt optimizer name', () => resolveOptimizer('adamw' as 'sgd'), /unknown optimizer "adamw" \(did you mean 'adamW'\?\)/],
  ];
  it.each(cases)('%s is a ModelError naming the optimizer and field', (_name, make, message) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });

  it('accepts the edges of the ranges: momentum 0, beta 0, epsilon 0', () => {
    expect(sgd({ momentum: 0 }).config).toMatchObject({ momentum: 0 });
    expect(adam({ beta1: 0, beta2: 0, epsilon: 0 }).config).toMatchObject({ beta1: 0, beta2: 0, epsilon: 0 });
  });
});
