// The fused cross-entropy ops and their gradient ops: shapes and dtypes, tiny losses to full
// precision, extreme logits, label range errors, broadcasting, and VJPs (first and second order)
// against decimal.js and central differences.
import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import {
  DTypeError, evaluate, grad, input, type Node, scope, ShapeError, sigmoidCrossEntropyGrad, sigmoidCrossEntropyWithLogits,
  softmaxCrossEntropyGrad, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyGrad, sparseSoftmaxCrossEntropyWithLogits,
  sum, tensor, ValueError,
} from '@stablegrad/core';
import { assertGradClose, checkGrad, decimalMath as M60, propertyParams, tensorOf, toDecimal, ulpDistance } from '@stablegrad/testing';
import { plainSigmoid, plainSoftmax, sigmoid } from './cross-entropy-support.js';
import { f64Tensor, gradCheck, log1pDec, weightedSum } from './op-check.js';

const f64 = { dtype: 'float64' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);
/** log1p(e^-t) to about 60 digits, rounded to float64. */
const log1pExpNeg = (t: number): number => log1pDec(M60.exp(M60.fromNumber(-t))).toNumber();

describe('shapes and dtypes', () => {
  it('sigmoidCrossEntropyWithLogits broadcasts labels against logits', () => {
    expect(sigmoidCrossEntropyWithLogits(input([2, 3]), input([3])).shape).toEqual([2, 3]);
    expect(sigmoidCrossEntropyWithLogits(input(['batch', 1]), 1).shape).toEqual(['batch', 1]);
    expect(() => sigmoidCrossEntropyWithLogits(input([2, 3]), input([2]))).toThrow(ShapeError);
    expect(() => sigmoidCrossEntropyWithLogits(input([2]), input([2], f64))).toThrow(DTypeError);
    expect(() => sigmoidCrossEntropyWithLogits(input([2], { dtype: 'int32' }), input([2], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(sigmoidCrossEntropyGrad(input([2, 3]), input([3])).shape).toEqual([2, 3]);
  });

  it('softmaxCrossEntropyWithLogits reduces its axis; logits and labels share one shape', () => {
    expect(softmaxCrossEntropyWithLogits(input(['batch', 10]), input(['batch', 10])).shape).toEqual(['batch']);
    expect(softmaxCrossEntropyWithLogits(input([4, 10]), input([4, 10]), 0).shape).toEqual([10]);
    expect(softmaxCrossEntropyWithLogits(input([null, 10]), input([4, 10])).shape).toEqual([4]);
    expect(softmaxCrossEntropyGrad(input([4, 10]), input([4, 10]), 0).shape).toEqual([4, 10]);
    expect(() => softmaxCrossEntropyWithLogits(input([4, 10]), input([10]))).toThrow(ShapeError);
    expect(() => softmaxCrossEntropyWithLogits(input([4, 10]), input([4, 9]))).toThrow(/same shape/);
    expect(() => softmaxCrossEntropyWithLogits(input([4, 10]), input([4, 10], f64))).toThrow(DTypeError);
    expect(() => softmaxCrossEntropyWithLogits(input([4, 10]), input([4, 10]), 2)).toThrow(ShapeError);
  });

  it('sparseSoftmaxCrossEntropyWithLogits takes int32 labels shaped like the logits without their last axis', () => {
    const labels = input(['batch'], { dtype: 'int32' });
    expect(sparseSoftmaxCrossEntropyWithLogits(input(['batch', 10], f64), labels).shape).toEqual(['batch']);
    expect(sparseSoftmaxCrossEntropyWithLogits(input(['batch', 10], f64), labels).dtype).toBe('float64');
    expect(sparseSoftmaxCrossEntropyGrad(input(['batch', 10]), labels).shape).toEqual(['batch', 10]);
    expect(() => sparseSoftmaxCrossEntropyWithLogits(input([4, 10]), input([4]))).toThrow(/int32 class indices/);
    expect(() => sparseSoftmaxCrossEntropyWithLogits(input([4, 10]), input([5], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => sparseSoftmaxCrossEntropyWithLogits(input([]), input([], { dtype: 'int32' }))).toThrow(/class axis/);
  });
});

describe('tiny losses keep every digit', () => {
  it('softmaxCrossEntropyWithLogits([20, 0], [1, 0]) is log1p(e^-20)', () => {
    const z = input([2], { ...f64, name: 'z' });
    const y = input([2], { ...f64, name: 'y' });
    const got = values(softmaxCrossEntropyWithLogits(z, y), { z: [20, 0], y: [1, 0] })[0]!;
    expect(ulpDistance(got, log1pExpNeg(20), 'float64')).toBeLessThanOrEqual(1);
    // the textbook lse - z loses the 8th digit here
    expect(ulpDistance(Math.log(Math.exp(20) + 1) - 20, log1pExpNeg(20), 'float64')).toBeGreaterThan(1000);
    const sparse = sparseSoftmaxCrossEntropyWithLogits(z.expandDims(0), input([1], { dtype: 'int32', name: 'label' }));
    expect(ulpDistance(values(sparse, { z: [20, 0], label: [0] })[0]!, log1pExpNeg(20), 'float64')).toBeLessThanOrEqual(1);
  });

  it('sigmoidCrossEntropyWithLogits(40, 1) is log1p(e^-40), in both dtypes', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const z = input([], { dtype, name: 'z' });
      const got = values(sigmoidCrossEntropyWithLogits(z, 1), { z: 40 })[0]!;
      const want = dtype === 'float32' ? Math.fround(log1pExpNeg(40)) : log1pExpNeg(40);
      expect(ulpDistance(got, want, dtype)).toBeLessThanOrEqual(1);
    }
  });

  it('losses beyond the exp underflow are exactly 0 or the linear term', () => {
    const z = input([4], { ...f64, name: 'z' });
    const y = input([4], { ...f64, name: 'y' });
    const got = values(sigmoidCrossEntropyWithLogits(z, y), { z: [800, -800, 1e300, -1e300], y: [1, 0, 0, 0.25] });
    expect(got).toEqual([0, 0, 1e300, 0.25e300]);
  });
});

describe('extreme logits', () => {
  it('huge spreads stay finite where the true loss is finite', () => {
    const z = input([1, 2], { ...f64, name: 'z' });
    const y = input([1, 2], { ...f64, name: 'y' });
    const loss = softmaxCrossEntropyWithLogits(z, y);
    // m - z_1 overflows float64 (3.4e308) but 0.1 of it does not
    const big = values(loss, { z: [[1.7e308, -1.7e308]], y: [[0.9, 0.1]] })[0]!;
    expect(ulpDistance(big, plainSoftmax([1.7e308, -1.7e308], [0.9, 0.1]).loss, 'float64')).toBeLessThanOrEqual(1);
    expect(values(loss, { z: [[1e300, -1e300]], y: [[0.5, 0.5]] })).toEqual([1e300]);
    expect(values(loss, { z: [[709.8, -745.2]], y: [[1, 0]] })).toEqual([0]);
    const g = values(softmaxCrossEntropyGrad(z, y), { z: [[1.7e308, -1.7e308]], y: [[0.9, 0.1]] });
    // softmax = [1, 0] and the labels sum to 1 + 2.8e-17 exactly: (0.9 + 0.1) - 0.9 is the double 0.1
    expect(g).toEqual([0.1, -0.1]);
  });

  it('float32 logits at the float32 exp edges give float32 results computed in float64', () => {
    const z = input([1, 3], { name: 'z' });
    const y = input([1, 3], { name: 'y' });
    const row = [88.72, -103.97, 0];
    const got = evaluate(softmaxCrossEntropyWithLogits(z, y), { z: [row], y: [[0, 0.5, 0.5]] });
    expect(got.dtype).toBe('float32');
    const zf = row.map(Math.fround);
    const want = Math.fround(plainSoftmax(zf, [0, 0.5, 0.5]).loss);
    expect(ulpDistance(got.data[0]!, want, 'float32')).toBeLessThanOrEqual(1);
  });

  it('a NaN logit poisons its own row only', () => {
    const z = input([2, 2], { ...f64, name: 'z' });
    const y = input([2, 2], { ...f64, name: 'y' });
    const loss = values(softmaxCrossEntropyWithLogits(z, y), { z: [[NaN, 0], [1, 2]], y: [[1, 0], [0, 1]] });
    expect(loss[0]).toBeNaN();
    expect(Number.isFinite(loss[1])).toBe(true);
    const g = values(softmaxCrossEntropyGrad(z, y), { z: [[NaN, 0], [1, 2]], y: [[1, 0], [0, 1]] });
    expect(g.slice(0, 2)).toEqual([NaN, NaN]);
    expect(g.slice(2).every(Number.isFinite)).toBe(true);
    expect(values(sigmoidCrossEntropyWithLogits(input([], f64), NaN), { input: 1 })).toEqual([NaN]);
  });

  it('reduces any axis: axis 0 equals the transposed problem on the last axis', () => {
    const z = input([3, 2], { ...f64, name: 'z' });
    const y = input([3, 2], { ...f64, name: 'y' });
    const zt = input([2, 3], { ...f64, name: 'zt' });
    const yt = input([2, 3], { ...f64, name: 'yt' });
    const zv = [[1, -2], [0.5, 3], [-1, 0]];
    const yv = [[0.2, 0], [0.3, 1], [0.5, 0]];
    const tr = (m: number[][]): number[][] => m[0]!.map((_, j) => m.map((r) => r[j]!));
    expect(values(softmaxCrossEntropyWithLogits(z, y, 0), { z: zv, y: yv })).toEqual(values(softmaxCrossEntropyWithLogits(zt, yt), { zt: tr(zv), yt: tr(yv) }));
    const g = values(softmaxCrossEntropyGrad(z, y, 0), { z: zv, y: yv });
    const gt = values(softmaxCrossEntropyGrad(zt, yt), { zt: tr(zv), yt: tr(yv) });
    expect(g).toEqual(tr([gt.slice(0, 3), gt.slice(3)]).flat());
  });
});

describe('cancelling gradients', () => {
  it('sigmoid(z) - y where y is the rounded sigmoid(z) is the rounding error itself', () => {
    const z = input([4], { ...f64, name: 'z' });
    const y = input([4], { ...f64, name: 'y' });
    const zs = [3, -30, 0.1, 1e-200];
    const ys = zs.map(sigmoid);
    const got = values(sigmoidCrossEntropyGrad(z, y), { z: zs, y: ys });
    zs.forEach((zi, i) => {
      const want = plainSigmoid(zi, ys[i]!).grad;
      expect(Math.abs(want)).toBeLessThan(4e-16 * ys[i]!); // a few ULP of y: everything cancels
      expect(ulpDistance(got[i]!, want, 'float64')).toBeLessThanOrEqual(1);
    });
  });

  it('softmax(z) - y for labels equal to the rounded softmax, and for ties with a tiny third class', () => {
    const z = input([1, 3], { ...f64, name: 'z' });
    const y = input([1, 3], { ...f64, name: 'y' });
    const cases: [number[], number[]][] = [
      [[0, 0, -104.27088598023887], [0.5, 0.5, 2.5983616633386634e-46]],
      [[1e-300, -1e-300, 0], [1 / 3, 1 / 3, 1 / 3]],
      [[2, 1, 0], [0.6652409557748219, 0.24472847105479764, 0.09003057317038046]],
    ];
    for (const [zv, yv] of cases) {
      const got = values(softmaxCrossEntropyGrad(z, y), { z: [zv], y: [yv] });
      const want = plainSoftmax(zv, yv).grad;
      got.forEach((g, i) => expect(ulpDistance(g, want[i]!, 'float64'), `${zv}[${i}]`).toBeLessThanOrEqual(1));
    }
  });

  it('softmax(z) sum(y) - y for labels that do not sum to 1 keeps every digit where softmax(z) sum(y) is close to y', () => {
    // z = [20, 0, 0]: softmax = [1, e^-20, e^-20] / S with S = 1 + 2 e^-20; for y = [c, 0, 0] the
    // gradient is c (softmax(z) - [1, 0, 0]) = c [-2 e^-20, e^-20, e^-20] / S.
    const e20 = M60.exp(M60.fromNumber(-20));
    const S = e20.mul(2).add(1);
    for (const dtype of ['float64', 'float32'] as const) {
      const z = input([1, 3], { dtype, name: 'z' });
      const y = input([1, 3], { dtype, name: 'y' });
      for (const c of [2, 0.5, 1 + 2 ** -23, 3]) {
        const got = values(softmaxCrossEntropyGrad(z, y), { z: [[20, 0, 0]], y: [[c, 0, 0]] });
        const want = [e20.mul(-2), e20, e20].map((v) => M60.toNumber(v.mul(c).div(S)));
        got.forEach((g, i) => expect(ulpDistance(g, dtype === 'float32' ? Math.fround(want[i]!) : want[i]!, dtype), `${dtype} c=${c} [${i}]`).toBeLessThanOrEqual(1));
      }
    }
  });

  it('softmax(z) - oneHot(label) at the label is -(sum of the other probabilities)', () => {
    const z = input([1, 3], { ...f64, name: 'z' });
    const label = input([1], { dtype: 'int32', name: 'label' });
    const got = values(sparseSoftmaxCrossEntropyGrad(z, label), { z: [[40, 0, -3]], label: [0] });
    const want = plainSoftmax([40, 0, -3], [1, 0, 0]).grad;
    got.forEach((g, i) => expect(ulpDistance(g, want[i]!, 'float64')).toBeLessThanOrEqual(1));
    expect(got[0]).toBeLessThan(0);
  });
});

describe('label range', () => {
  it('a label outside [0, k) is a ValueError naming the node, the label and its position', () => {
    const z = input([2, 3], { ...f64, name: 'z' });
    const labels = input([2], { dtype: 'int32', name: 'labels' });
    const loss = scope('head', () => sparseSoftmaxCrossEntropyWithLogits(z, labels, { name: 'xent' }));
    const feeds = { z: [[1, 2, 3], [4, 5, 6]], labels: [0, 3] };
    expect(() => evaluate(loss, feeds)).toThrow(ValueError);
    expect(() => evaluate(loss, feeds)).toThrow(/'head\/xent'.*label 3 at position \[1\] is outside \[0, 3\)/);
    expect(() => evaluate(loss, { ...feeds, labels: [-1, 0] })).toThrow(/label -1 at position \[0\]/);
    expect(() => evaluate(sparseSoftmaxCrossEntropyGrad(z, labels), feeds)).toThrow(ValueError);
  });
});

describe('gradients', () => {
  it('grad of sigmoidCrossEntropyWithLogits is sigmoid(z) - y for z and -z for y, with broadcast labels', () => {
    const z = input([2, 3], { ...f64, name: 'z' });
    const y = input([3], { ...f64, name: 'y' });
    const [dz, dy] = grad(sum(sigmoidCrossEntropyWithLogits(z, y)), [z, y]);
    expect(dy!.shape).toEqual([3]);
    const zv = [[40, -2, 0.5], [-40, 3, 0]];
    const yv = [1, 0.25, 0.5];
    const [gz, gy] = evaluate([dz!, dy!], { z: zv, y: yv });
    zv.flat().forEach((zi, i) => {
      const want = plainSigmoid(zi, yv[i % 3]!).grad;
      expect(ulpDistance(gz!.data[i]!, want, 'float64')).toBeLessThanOrEqual(1);
    });
    expect(Array.from(gy!.data)).toEqual([0, -1, -0.5]);
  });

  it('d2/dz2 sigmoidCrossEntropyWithLogits = sigmoid(z) sigmoid(-z), finite far out', () => {
    const z = input([5], { ...f64, name: 'z' });
    const y = input([5], { ...f64, name: 'y' });
    const dz = grad(sum(sigmoidCrossEntropyWithLogits(z, y)), z);
    const d2z = grad(sum(dz), z);
    const zv = [0, 2, -2, 40, -700];
    const got = values(d2z, { z: zv, y: [1, 0, 0.5, 1, 0] });
    zv.forEach((zi, i) => {
      const e = M60.exp(M60.fromNumber(-Math.abs(zi)));
      const want = M60.toNumber(e.div(e.add(1).pow(2)));
      expect(ulpDistance(got[i]!, want, 'float64')).toBeLessThanOrEqual(4);
    });
  });

  it('VJPs match central differences', () => {
    const zv = f64Tensor([2, 3], 3);
    // labels that sum to 1 along the last axis, and labels that do not (the z-gradient is softmax(z) sum(y) - y)
    const yv = tensor([[0.2, 0.5, 0.3], [0, 1, 0]], f64);
    const unnormalised = tensor([[0.2, 1.5, 0.3], [0, 0.25, 0]], f64);
    for (const labels of [yv, unnormalised]) {
      gradCheck(([z, y]) => weightedSum(softmaxCrossEntropyWithLogits(z!, y!), [2]), [zv, labels]);
      gradCheck(([z, y]) => weightedSum(softmaxCrossEntropyGrad(z!, y!), [2, 3]), [zv, labels]);
    }
    gradCheck(([z, y]) => weightedSum(sigmoidCrossEntropyWithLogits(z!, y!), [2, 3]), [zv, tensor([[0.2, 0.5, 0.3], [0, 1, 0.9]], f64)]);
    gradCheck(([z, y]) => weightedSum(sigmoidCrossEntropyGrad(z!, y!), [2, 3]), [zv, tensor([[0.2, 0.5, 0.3], [0, 1, 0.9]], f64)]);
    gradCheck(([z]) => weightedSum(sigmoidCrossEntropyGrad(z!, 0.3), [2, 3]), [zv]);
    // sparse ops: int32 labels are fed alongside, and get no gradient
    const labels = input([2], { dtype: 'int32', name: 'labels' });
    const zIn = input([2, 3], { ...f64, name: 'zs' });
    const lossS = weightedSum(sparseSoftmaxCrossEntropyWithLogits(zIn, labels), [2]);
    const gradS = weightedSum(sparseSoftmaxCrossEntropyGrad(zIn, labels), [2, 3]);
    for (const y of [lossS, gradS]) assertGradClose(y, [zIn], [{ zs: zv, labels: [2, 0] }]);
  });

  // The op sweep's check of the two softmax ops (test/op-sweep.test.ts), with labels drawn
  // independently in [0, 2] per element instead of distributions: first and second derivatives
  // with respect to logits and labels against central differences of the reference.
  test.prop([tensorOf([2, 3], 'float64', { min: -20, max: 20, extremes: false }), tensorOf([2, 3], 'float64', { min: 0, max: 2, extremes: false })], propertyParams(3))(
    'VJPs match central differences for labels that do not sum to 1',
    (zv, yv) => {
      const z = input([2, 3], { ...f64, name: 'z' });
      const y = input([2, 3], { ...f64, name: 'y' });
      const point = [new Map([[z, zv], [y, yv]])];
      const loss = checkGrad(weightedSum(softmaxCrossEntropyWithLogits(z, y, -1), [2]), [z, y], point);
      expect(loss.ok, JSON.stringify({ ...loss.worst, node: loss.worst?.node.path })).toBe(true);
      // second derivatives are composed of graph ops with cancellation: the sweep's tolerance
      const second = checkGrad(weightedSum(softmaxCrossEntropyGrad(z, y, 1), [2, 3]), [z, y], point, { rtol: 1e-6 });
      expect(second.ok, JSON.stringify({ ...second.worst, node: second.worst?.node.path })).toBe(true);
    },
  );

  it('grad of softmax and sparse cross-entropy are the fused gradient ops, scaled by the cotangent', () => {
    const z = input([2, 3], { ...f64, name: 'z' });
    const y = input([2, 3], { ...f64, name: 'y' });
    const labels = input([2], { dtype: 'int32', name: 'labels' });
    const zv = [[20, 0, -5], [1, 2, 3]];
    const dz = grad(sum(softmaxCrossEntropyWithLogits(z, y).mul(2)), z);
    const got = values(dz, { z: zv, y: [[1, 0, 0], [0.2, 0.3, 0.5]] });
    const want = [plainSoftmax(zv[0]!, [1, 0, 0]).grad, plainSoftmax(zv[1]!, [0.2, 0.3, 0.5]).grad].flat().map((v) => 2 * v);
    got.forEach((g, i) => expect(ulpDistance(g, want[i]!, 'float64')).toBeLessThanOrEqual(1));
    const ds = values(grad(sum(sparseSoftmaxCrossEntropyWithLogits(z, labels)), z), { z: zv, labels: [0, 2] });
    const wantS = [plainSoftmax(zv[0]!, [1, 0, 0]).grad, plainSoftmax(zv[1]!, [0, 0, 1]).grad].flat();
    ds.forEach((g, i) => expect(ulpDistance(g, wantS[i]!, 'float64')).toBeLessThanOrEqual(1));
  });
});

describe('references', () => {
  it('are exact where the float64 formula is not', () => {
    // sigmoid(z) - 1/2 for a tiny z is z/4: the reference keeps it, 1/(1 + e^-z) - 1/2 at 60 digits would not
    const z = input([1], { ...f64, name: 'z' });
    const y = input([1], { ...f64, name: 'y' });
    const got = values(sigmoidCrossEntropyGrad(z, y), { z: [-1.5e-60], y: [0.5] })[0]!;
    expect(ulpDistance(got, -3.75e-61, 'float64')).toBeLessThanOrEqual(1);
    expect(toDecimal(0.1).toString()).toBe('0.1000000000000000055511151231257827021181583404541015625');
  });
});
