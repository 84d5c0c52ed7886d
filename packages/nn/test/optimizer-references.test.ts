/**
 * Every optimizer in both conventions against a reference written here from the published
 * formulas (Keras 3's keras/src/optimizers/*.py and base_optimizer.py, PyTorch's torch.optim
 * documentation), in plain float64 JS with its own state, in the textbook arrangement where it
 * differs from the library's (PyTorch's Adam and Nadam with the bias-corrected moments, Nadam's
 * product recomputed from the start at every step). Ten steps on two weight tensors whose
 * gradients depend on the weights (so an error propagates), with a learning rate that changes
 * mid-run; trajectories must agree to 1e-12 relative. Then the properties the formulas imply:
 * the two SGD momentum forms agree until the rate changes, Adam's epsilon placements differ
 * where the second moment is small, and float32 runs stay within float32 rounding.
 */
import { type DType, type TypedArray } from '@stablegrad/core';
import {
  adagrad, adam, adamW, type Convention, cosineDecay, nadam, type Optimizer, piecewiseConstant, rmsprop, sgd,
} from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';

const W0 = [[0.8, -1.3, 2.1, 0.05, 1.7], [0.4, -0.9]];
const STEPS = 10;

/** Gradients of the current weights; weight 0.4 of the first tensor gets a tiny one (epsilon matters there). */
function gradientsOf(w: readonly ArrayLike<number>[]): number[][] {
  const [a, b] = w as [ArrayLike<number>, ArrayLike<number>];
  const ga = Array.from({ length: 5 }, (_, i) => (i === 3 ? 1e-6 : 1) * ((i + 1) * 0.4 * (a[i]! - 0.3 * i) + 0.2 * Math.sin(3 * a[i]!)));
  const gb = [0, 1].map((j) => 0.9 * b[j]! - 0.1 * a[j]!);
  return [ga, gb];
}

/** A reference step: updates `w` in place from `g` at step `t` (from 1) with rate `lr`. */
type Reference = (w: number[][], g: number[][], lr: number, t: number) => void;

/** The library optimizer's trajectory; the rate is multiplied by `change` before step `at` (0-based). */
function ours(optimizer: Optimizer, dtype: DType = 'float64', change?: { at: number; factor: number }): number[][] {
  const make = (v: readonly number[]): TypedArray => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v));
  const w = W0.map(make);
  const state = optimizer.createState(w.map((p) => ({ size: p.length, dtype })));
  return Array.from({ length: STEPS }, (_, t) => {
    if (change !== undefined && t === change.at) state.learningRate = state.learningRate! * change.factor;
    optimizer.step(state, w, gradientsOf(w).map(make));
    return w.flatMap((p) => Array.from(p));
  });
}

/** The reference's trajectory under the same rates. */
function reference(step: Reference, lr: (t: number) => number, change?: { at: number; factor: number }): number[][] {
  const w = W0.map((p) => [...p]);
  return Array.from({ length: STEPS }, (_, t) => {
    const rate = change !== undefined && t >= change.at ? lr(t) * change.factor : lr(t);
    step(w, gradientsOf(w), rate, t + 1);
    return w.flat();
  });
}

function maxRelative(actual: readonly number[][], expected: readonly number[][]): number {
  let worst = 0;
  actual.forEach((row, t) => row.forEach((a, i) => {
    const e = expected[t]![i]!;
    worst = Math.max(worst, Math.abs(a - e) / Math.max(Math.abs(e), 1e-300));
  }));
  return worst;
}

const zeros = () => W0.map((p) => p.map(() => 0));
const each = (w: number[][], f: (p: number, i: number) => void) => w.forEach((param, p) => param.forEach((_, i) => f(p, i)));

// --- Keras 3 (keras/src/optimizers) --------------------------------------------------------

/** SGD: m = momentum m - lr g; w += m (Nesterov: w += momentum m - lr g); plain: w -= lr g. */
function kerasSgd(momentum: number, nesterov: boolean): Reference {
  const m = zeros();
  return (w, g, lr) => each(w, (p, i) => {
    if (momentum === 0) {
      w[p]![i]! -= lr * g[p]![i]!;
      return;
    }
    m[p]![i] = momentum * m[p]![i]! - lr * g[p]![i]!;
    w[p]![i] = nesterov ? w[p]![i]! + momentum * m[p]![i]! - lr * g[p]![i]! : w[p]![i]! + m[p]![i]!;
  });
}

/** Adam: alpha = lr sqrt(1 - b2^t) / (1 - b1^t); w -= alpha m / (sqrt(v) + eps), v its running max with AMSGrad. */
function kerasAdam(b1: number, b2: number, eps: number, amsgrad = false): Reference {
  const [m, v, vHat] = [zeros(), zeros(), zeros()];
  return (w, g, lr, t) => {
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    each(w, (p, i) => {
      m[p]![i]! += (g[p]![i]! - m[p]![i]!) * (1 - b1);
      v[p]![i]! += (g[p]![i]! ** 2 - v[p]![i]!) * (1 - b2);
      vHat[p]![i] = Math.max(vHat[p]![i]!, v[p]![i]!);
      w[p]![i]! -= (m[p]![i]! * alpha) / (Math.sqrt(amsgrad ? vHat[p]![i]! : v[p]![i]!) + eps);
    });
  };
}

/** RMSprop: s = rho s + (1 - rho) g^2 (centered: a likewise of g, s - a^2); inc = lr g / sqrt(s + eps); momentum buffer includes lr. */
function kerasRmsprop(rho: number, momentum: number, eps: number, centered: boolean): Reference {
  const [s, a, buf] = [zeros(), zeros(), zeros()];
  return (w, g, lr) => each(w, (p, i) => {
    const gi = g[p]![i]!;
    s[p]![i] = rho * s[p]![i]! + (1 - rho) * gi * gi;
    a[p]![i] = rho * a[p]![i]! + (1 - rho) * gi;
    const inc = (lr * gi) / Math.sqrt((centered ? s[p]![i]! - a[p]![i]! ** 2 : s[p]![i]!) + eps);
    if (momentum > 0) {
      buf[p]![i] = momentum * buf[p]![i]! + inc;
      w[p]![i]! -= buf[p]![i]!;
    } else {
      w[p]![i]! -= inc;
    }
  });
}

/** Adagrad: acc (from initial) += g^2; w -= lr g / sqrt(acc + eps). */
function kerasAdagrad(initial: number, eps: number): Reference {
  const acc = W0.map((p) => p.map(() => initial));
  return (w, g, lr) => each(w, (p, i) => {
    acc[p]![i]! += g[p]![i]! ** 2;
    w[p]![i]! -= (lr * g[p]![i]!) / Math.sqrt(acc[p]![i]! + eps);
  });
}

/**
 * Nadam, textbook: u_t = b1 (1 - 0.5 * 0.96^(t psi)); m_hat = u_{t+1} m / (1 - prod_{i<=t+1} u_i)
 * + (1 - u_t) g / (1 - prod_{i<=t} u_i); w -= lr m_hat / (sqrt(v / (1 - b2^t)) + eps). Keras: psi = 1.
 * The products are recomputed from step 1 each time.
 */
function textbookNadam(b1: number, b2: number, eps: number, psi: number): Reference {
  const [m, v] = [zeros(), zeros()];
  const u = (t: number) => b1 * (1 - 0.5 * 0.96 ** (t * psi));
  const product = (t: number) => Array.from({ length: t }, (_, k) => u(k + 1)).reduce((x, y) => x * y, 1);
  return (w, g, lr, t) => each(w, (p, i) => {
    const gi = g[p]![i]!;
    m[p]![i] = b1 * m[p]![i]! + (1 - b1) * gi;
    v[p]![i] = b2 * v[p]![i]! + (1 - b2) * gi * gi;
    const mHat = (u(t + 1) * m[p]![i]!) / (1 - product(t + 1)) + ((1 - u(t)) * gi) / (1 - product(t));
    w[p]![i]! -= (lr * mHat) / (Math.sqrt(v[p]![i]! / (1 - b2 ** t)) + eps);
  });
}

// --- PyTorch (torch.optim documentation) ---------------------------------------------------

/** SGD: b = g at t = 1, then b = momentum b + (1 - dampening) g; w -= lr (Nesterov: g + momentum b, else b). */
function torchSgd(momentum: number, dampening: number, nesterov: boolean): Reference {
  const b = zeros();
  return (w, g, lr, t) => each(w, (p, i) => {
    const gi = g[p]![i]!;
    if (momentum === 0) {
      w[p]![i]! -= lr * gi;
      return;
    }
    b[p]![i] = t === 1 ? gi : momentum * b[p]![i]! + (1 - dampening) * gi;
    w[p]![i]! -= lr * (nesterov ? gi + momentum * b[p]![i]! : b[p]![i]!);
  });
}

/** Adam, the documented algorithm: m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t); w -= lr m_hat / (sqrt(v_hat) + eps). */
function torchAdam(b1: number, b2: number, eps: number, amsgrad = false): Reference {
  const [m, v, vMax] = [zeros(), zeros(), zeros()];
  return (w, g, lr, t) => each(w, (p, i) => {
    const gi = g[p]![i]!;
    m[p]![i] = b1 * m[p]![i]! + (1 - b1) * gi;
    v[p]![i] = b2 * v[p]![i]! + (1 - b2) * gi * gi;
    vMax[p]![i] = Math.max(vMax[p]![i]!, v[p]![i]!);
    const mHat = m[p]![i]! / (1 - b1 ** t);
    const vHat = (amsgrad ? vMax[p]![i]! : v[p]![i]!) / (1 - b2 ** t);
    w[p]![i]! -= (lr * mHat) / (Math.sqrt(vHat) + eps);
  });
}

/** RMSprop: s = alpha s + (1 - alpha) g^2; d = sqrt(s [- a^2]) + eps; buf = momentum buf + g / d, w -= lr buf (or lr g / d). */
function torchRmsprop(alpha: number, momentum: number, eps: number, centered: boolean): Reference {
  const [s, a, buf] = [zeros(), zeros(), zeros()];
  return (w, g, lr) => each(w, (p, i) => {
    const gi = g[p]![i]!;
    s[p]![i] = alpha * s[p]![i]! + (1 - alpha) * gi * gi;
    a[p]![i] = alpha * a[p]![i]! + (1 - alpha) * gi;
    const d = Math.sqrt(centered ? s[p]![i]! - a[p]![i]! ** 2 : s[p]![i]!) + eps;
    if (momentum > 0) {
      buf[p]![i] = momentum * buf[p]![i]! + gi / d;
      w[p]![i]! -= lr * buf[p]![i]!;
    } else {
      w[p]![i]! -= (lr * gi) / d;
    }
  });
}

/** Adagrad: clr = lr / (1 + (t - 1) lr_decay); sum (from initial) += g^2; w -= clr g / (sqrt(sum) + eps). */
function torchAdagrad(initial: number, eps: number, lrDecay: number): Reference {
  const sum = W0.map((p) => p.map(() => initial));
  return (w, g, lr, t) => each(w, (p, i) => {
    sum[p]![i]! += g[p]![i]! ** 2;
    w[p]![i]! -= ((lr / (1 + (t - 1) * lrDecay)) * g[p]![i]!) / (Math.sqrt(sum[p]![i]!) + eps);
  });
}

// --- What the base optimizers add: weight decay and clipping -------------------------------

/** Keras' base optimizer: w -= w wd lr before the update. */
function decoupled(wd: number, inner: Reference, form: Convention): Reference {
  return (w, g, lr, t) => {
    each(w, (p, i) => { w[p]![i] = form === 'keras' ? w[p]![i]! - w[p]![i]! * wd * lr : w[p]![i]! * (1 - lr * wd); });
    inner(w, g, lr, t);
  };
}

/** PyTorch's weight_decay: g += wd w. */
function l2(wd: number, inner: Reference): Reference {
  return (w, g, lr, t) => inner(w, g.map((gp, p) => gp.map((gi, i) => gi + wd * w[p]![i]!)), lr, t);
}

const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function clipped(kind: 'clipNorm' | 'globalClipNorm' | 'clipValue', c: number, form: Convention, inner: Reference): Reference {
  return (w, g, lr, t) => {
    let out: number[][];
    if (kind === 'clipValue') out = g.map((gp) => gp.map((x) => Math.min(c, Math.max(-c, x))));
    else if (kind === 'clipNorm') out = g.map((gp) => gp.map((x) => (form === 'keras' ? (x * c) / Math.max(norm(gp), c) : x * Math.min(1, c / (norm(gp) + 1e-6)))));
    else {
      const total = form === 'keras' ? Math.sqrt(g.reduce((s, gp) => s + norm(gp) ** 2, 0)) : norm(g.map(norm));
      const scale = form === 'keras' ? c * Math.min(1 / total, 1 / c) : Math.min(1, c / (total + 1e-6));
      out = g.map((gp) => gp.map((x) => x * scale));
    }
    inner(w, out, lr, t);
  };
}

const constant = (lr: number) => () => lr;
const CHANGE = { at: 4, factor: 0.25 };

const CASES: readonly [string, () => Optimizer, () => Reference, (t: number) => number, { at: number; factor: number } | undefined][] = [
  ['keras sgd', () => sgd({ learningRate: 0.1 }), () => kerasSgd(0, false), constant(0.1), CHANGE],
  ['keras sgd momentum, rate changed', () => sgd({ learningRate: 0.1, momentum: 0.9 }), () => kerasSgd(0.9, false), constant(0.1), CHANGE],
  ['keras sgd nesterov, rate changed', () => sgd({ learningRate: 0.1, momentum: 0.8, nesterov: true }), () => kerasSgd(0.8, true), constant(0.1), CHANGE],
  ['keras sgd momentum, decoupled weight decay', () => sgd({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.2 }), () => decoupled(0.2, kerasSgd(0.9, false), 'keras'), constant(0.1), undefined],
  ['pytorch sgd', () => sgd({ convention: 'pytorch', learningRate: 0.1 }), () => torchSgd(0, 0, false), constant(0.1), CHANGE],
  ['pytorch sgd momentum, rate changed', () => sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.9 }), () => torchSgd(0.9, 0, false), constant(0.1), CHANGE],
  ['pytorch sgd nesterov, rate changed', () => sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.8, nesterov: true }), () => torchSgd(0.8, 0, true), constant(0.1), CHANGE],
  ['pytorch sgd dampening', () => sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.9, dampening: 0.5 }), () => torchSgd(0.9, 0.5, false), constant(0.1), undefined],
  ['pytorch sgd momentum, L2 weight decay', () => sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.9, weightDecay: 0.2 }), () => l2(0.2, torchSgd(0.9, 0, false)), constant(0.1), undefined],
  ['keras adam, rate changed', () => adam({ learningRate: 0.05 }), () => kerasAdam(0.9, 0.999, 1e-7), constant(0.05), CHANGE],
  ['keras adam amsgrad, decoupled weight decay', () => adam({ learningRate: 0.05, amsgrad: true, weightDecay: 0.1, beta1: 0.7, beta2: 0.9 }), () => decoupled(0.1, kerasAdam(0.7, 0.9, 1e-7, true), 'keras'), constant(0.05), undefined],
  ['pytorch adam, rate changed', () => adam({ convention: 'pytorch', learningRate: 0.05 }), () => torchAdam(0.9, 0.999, 1e-8), constant(0.05), CHANGE],
  ['pytorch adam amsgrad, L2 weight decay', () => adam({ convention: 'pytorch', learningRate: 0.05, amsgrad: true, weightDecay: 0.1, beta1: 0.7, beta2: 0.9 }), () => l2(0.1, torchAdam(0.7, 0.9, 1e-8, true)), constant(0.05), undefined],
  ['keras adamW', () => adamW({ learningRate: 0.05 }), () => decoupled(0.004, kerasAdam(0.9, 0.999, 1e-7), 'keras'), constant(0.05), CHANGE],
  ['pytorch adamW', () => adamW({ convention: 'pytorch', learningRate: 0.05, amsgrad: true }), () => decoupled(0.01, torchAdam(0.9, 0.999, 1e-8, true), 'pytorch'), constant(0.05), CHANGE],
  ['keras rmsprop', () => rmsprop({ learningRate: 0.01 }), () => kerasRmsprop(0.9, 0, 1e-7, false), constant(0.01), CHANGE],
  ['keras rmsprop momentum, rate changed', () => rmsprop({ learningRate: 0.01, momentum: 0.9 }), () => kerasRmsprop(0.9, 0.9, 1e-7, false), constant(0.01), CHANGE],
  ['keras rmsprop centered', () => rmsprop({ learningRate: 0.01, centered: true, rho: 0.8 }), () => kerasRmsprop(0.8, 0, 1e-7, true), constant(0.01), undefined],
  ['keras rmsprop centered momentum', () => rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 }), () => kerasRmsprop(0.9, 0.5, 1e-7, true), constant(0.01), CHANGE],
  ['pytorch rmsprop', () => rmsprop({ convention: 'pytorch' }), () => torchRmsprop(0.99, 0, 1e-8, false), constant(0.01), CHANGE],
  ['pytorch rmsprop momentum, rate changed', () => rmsprop({ convention: 'pytorch', momentum: 0.9 }), () => torchRmsprop(0.99, 0.9, 1e-8, false), constant(0.01), CHANGE],
  ['pytorch rmsprop centered', () => rmsprop({ convention: 'pytorch', centered: true, rho: 0.8 }), () => torchRmsprop(0.8, 0, 1e-8, true), constant(0.01), undefined],
  ['pytorch rmsprop centered momentum, L2', () => rmsprop({ convention: 'pytorch', centered: true, momentum: 0.5, weightDecay: 0.05 }), () => l2(0.05, torchRmsprop(0.99, 0.5, 1e-8, true)), constant(0.01), CHANGE],
  ['keras adagrad', () => adagrad({ learningRate: 0.1 }), () => kerasAdagrad(0.1, 1e-7), constant(0.1), CHANGE],
  ['pytorch adagrad', () => adagrad({ convention: 'pytorch', learningRate: 0.1 }), () => torchAdagrad(0, 1e-10, 0), constant(0.1), CHANGE],
  ['pytorch adagrad lr_decay, initial accumulator', () => adagrad({ convention: 'pytorch', learningRate: 0.1, learningRateDecay: 0.1, initialAccumulatorValue: 0.5 }), () => torchAdagrad(0.5, 1e-10, 0.1), constant(0.1), undefined],
  ['keras nadam', () => nadam({ learningRate: 0.05 }), () => textbookNadam(0.9, 0.999, 1e-7, 1), constant(0.05), CHANGE],
  ['pytorch nadam', () => nadam({ convention: 'pytorch', learningRate: 0.05 }), () => textbookNadam(0.9, 0.999, 1e-8, 0.004), constant(0.05), CHANGE],
  ['pytorch nadam momentumDecay 0.3, L2', () => nadam({ convention: 'pytorch', learningRate: 0.05, momentumDecay: 0.3, weightDecay: 0.1 }), () => l2(0.1, textbookNadam(0.9, 0.999, 1e-8, 0.3)), constant(0.05), undefined],
  ['keras adam clipNorm', () => adam({ learningRate: 0.05, clipNorm: 0.5 }), () => clipped('clipNorm', 0.5, 'keras', kerasAdam(0.9, 0.999, 1e-7)), constant(0.05), undefined],
  ['keras sgd globalClipNorm', () => sgd({ learningRate: 0.1, momentum: 0.9, globalClipNorm: 1 }), () => clipped('globalClipNorm', 1, 'keras', kerasSgd(0.9, false)), constant(0.1), undefined],
  ['keras rmsprop clipValue', () => rmsprop({ clipValue: 0.3 }), () => clipped('clipValue', 0.3, 'keras', kerasRmsprop(0.9, 0, 1e-7, false)), constant(0.001), undefined],
  ['pytorch sgd clipNorm', () => sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.9, clipNorm: 0.5 }), () => clipped('clipNorm', 0.5, 'pytorch', torchSgd(0.9, 0, false)), constant(0.1), undefined],
  ['pytorch adam globalClipNorm', () => adam({ convention: 'pytorch', learningRate: 0.05, globalClipNorm: 1 }), () => clipped('globalClipNorm', 1, 'pytorch', torchAdam(0.9, 0.999, 1e-8)), constant(0.05), undefined],
  ['pytorch adagrad clipValue', () => adagrad({ convention: 'pytorch', clipValue: 0.3 }), () => clipped('clipValue', 0.3, 'pytorch', torchAdagrad(0, 1e-10, 0)), constant(0.01), undefined],
  ['keras sgd momentum on a cosine schedule with warm-up', () => sgd({ momentum: 0.9, learningRate: cosineDecay({ initialLearningRate: 0, warmupTarget: 0.2, warmupSteps: 3, decaySteps: 5, alpha: 0.1 }) }), () => kerasSgd(0.9, false),
    (t) => (t < 3 ? (0.2 * t) / 3 : 0.2 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t - 3, 5)) / 5)) + 0.1)), undefined],
  ['pytorch adam on a piecewise constant schedule', () => adam({ convention: 'pytorch', learningRate: piecewiseConstant({ boundaries: [2, 6], values: [0.1, 0.03, 0.01] }) }), () => torchAdam(0.9, 0.999, 1e-8),
    (t) => (t <= 2 ? 0.1 : t <= 6 ? 0.03 : 0.01), undefined],
];

describe('each optimizer follows its published formula (float64, 10 steps, 1e-12 relative)', () => {
  it.each(CASES)('%s', (_name, make, makeReference, rate, change) => {
    const actual = ours(make(), 'float64', change);
    const expected = reference(makeReference(), rate, change);
    const deviation = maxRelative(actual, expected);
    expect(deviation, `max relative deviation ${deviation}`).toBeLessThanOrEqual(1e-12);
    expect(maxRelative([actual.at(-1)!], [W0.flat()]), 'the weights moved').toBeGreaterThan(1e-4);
  });

  it.each(CASES)('%s: in float32, within float32 rounding of the float64 run', (_name, make, _reference, _rate, change) => {
    const single = ours(make(), 'float32', change);
    const double = ours(make(), 'float64', change);
    expect(single.flat().every((v) => Math.fround(v) === v)).toBe(true);
    // A few float32 roundings per step, compounded over 10 steps: well under 1e-4 of each value.
    single.forEach((row, t) => row.forEach((v, i) => expect(Math.abs(v - double[t]![i]!)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(double[t]![i]!), 1e-3))));
  });
});

describe('where the conventions differ, and where they agree', () => {
  it('SGD momentum: Keras and PyTorch take the same steps at a constant rate, and part once it changes', () => {
    const keras = ours(sgd({ learningRate: 0.1, momentum: 0.9 }), 'float64', CHANGE);
    const pytorch = ours(sgd({ convention: 'pytorch', learningRate: 0.1, momentum: 0.9 }), 'float64', CHANGE);
    expect(maxRelative(keras.slice(0, CHANGE.at), pytorch.slice(0, CHANGE.at))).toBeLessThanOrEqual(1e-12);
    // After the change Keras' velocity still carries the old rate: the next step is larger.
    expect(maxRelative(keras.slice(CHANGE.at), pytorch.slice(CHANGE.at))).toBeGreaterThan(1e-3);
  });

  it('Adam: the epsilon placements differ by far more than rounding where the gradient is tiny, and agree where it is large', () => {
    const keras = ours(adam({ learningRate: 0.05, epsilon: 1e-7 }));
    const pytorch = ours(adam({ convention: 'pytorch', learningRate: 0.05, epsilon: 1e-7 }));
    const column = (run: number[][], i: number) => run.map((row) => row[i]!);
    // Weight 3 has gradients near 1e-6: sqrt(v_hat) is comparable to epsilon.
    expect(maxRelative([column(keras, 3)], [column(pytorch, 3)])).toBeGreaterThan(1e-3);
    expect(maxRelative([column(keras, 0)], [column(pytorch, 0)])).toBeLessThan(1e-5);
  });

  it('the defaults of each convention', () => {
    const defaults = (o: Optimizer) => o.config;
    expect(defaults(adam({ convention: 'pytorch' }))).toMatchObject({ learningRate: 0.001, epsilon: 1e-8 });
    expect(defaults(sgd({ convention: 'pytorch' }))).toMatchObject({ learningRate: 0.001, dampening: 0 });
    expect(defaults(adamW())).toMatchObject({ learningRate: 0.001, weightDecay: 0.004, epsilon: 1e-7 });
    expect(defaults(adamW({ convention: 'pytorch' }))).toMatchObject({ learningRate: 0.001, weightDecay: 0.01, epsilon: 1e-8 });
    expect(defaults(rmsprop())).toMatchObject({ learningRate: 0.001, rho: 0.9, epsilon: 1e-7, momentum: 0, centered: false });
    expect(defaults(rmsprop({ convention: 'pytorch' }))).toMatchObject({ learningRate: 0.01, rho: 0.99, epsilon: 1e-8 });
    expect(defaults(adagrad())).toMatchObject({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
    expect(defaults(adagrad({ convention: 'pytorch' }))).toMatchObject({ learningRate: 0.01, initialAccumulatorValue: 0, epsilon: 1e-10, learningRateDecay: 0 });
    expect(defaults(nadam())).toMatchObject({ learningRate: 0.001, epsilon: 1e-7 });
    expect(defaults(nadam({ convention: 'pytorch' }))).toMatchObject({ learningRate: 0.002, epsilon: 1e-8, momentumDecay: 0.004 });
    expect(Object.keys(defaults(nadam()))).not.toContain('momentumDecay');
  });

  it('clipping never changes the gradient arrays it is given', () => {
    const optimizer = sgd({ learningRate: 0.1, globalClipNorm: 0.1 });
    const w = [Float64Array.of(1, 2)];
    const g = [Float64Array.of(3, 4)];
    optimizer.step(optimizer.createState([{ size: 2, dtype: 'float64' }]), w, g);
    expect(Array.from(g[0]!)).toEqual([3, 4]);
    // Keras' scale: 0.1 * min(1 / 5, 1 / 0.1) = 0.02; w = [1 - 0.1 * 0.06, 2 - 0.1 * 0.08].
    expect(Array.from(w[0]!).map((v) => +v.toFixed(12))).toEqual([0.994, 1.992]);
  });
});
