// Convolution and pooling (NHWC): Keras/TF output sizes and padding, values against an
// independent zero-padded direct convolution written here and against numbers TensorFlow.js
// printed, symbolic batch, max-pool ties and NaN, clear errors, hostile JSON attributes, and
// second derivatives through a small CNN. The registry sweep (test/op-sweep.test.ts) checks
// kernels against references and VJPs/JVPs against central differences.
import { describe, expect, it } from 'vitest';
import {
  avgPool2d, conv2d, conv2dBackpropFilter, conv2dBackpropInput, DTypeError, evaluate, fromJSON, gather, grad, graph, GraphError, hvp,
  input, maxPool2d, maxPool2dGrad, type Node, relu, ShapeError, sum, type Tensor, tensor, toJSON,
} from '@stablegrad/core';
import { assertGradClose } from '@stablegrad/testing';
import { f64Tensor, gradCheck, weightedSum } from './op-check.js';

const f64 = { dtype: 'float64' } as const;
const values = (n: Node, feeds: Parameters<typeof evaluate>[1] = {}): number[] => Array.from(evaluate(n, feeds).data);

/** Keras' output size, written from its documentation (not from the op's code). */
function kerasOut(size: number, k: number, stride: number, dilation: number, padding: 'valid' | 'same'): number {
  const span = (k - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - span) / stride) + 1;
}

/** Direct convolution on an explicitly zero-padded copy of x (TF's 'same': the odd pad at the bottom/right). */
function naiveConv(x: Tensor, f: Tensor, s: [number, number], d: [number, number], padding: 'valid' | 'same'): number[] {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw, , co] = f.shape as [number, number, number, number];
  const oh = kerasOut(h, kh, s[0], d[0], padding);
  const ow = kerasOut(w, kw, s[1], d[1], padding);
  const padH = padding === 'same' ? Math.max((oh - 1) * s[0] + (kh - 1) * d[0] + 1 - h, 0) : 0;
  const padW = padding === 'same' ? Math.max((ow - 1) * s[1] + (kw - 1) * d[1] + 1 - w, 0) : 0;
  const [top, left] = [Math.floor(padH / 2), Math.floor(padW / 2)];
  const at = (b: number, i: number, j: number, ch: number) => (i < 0 || j < 0 || i >= h || j >= w ? 0 : x.data[((b * h + i) * w + j) * c + ch]!);
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let o = 0; o < co; o++) {
          let acc = 0;
          for (let p = 0; p < kh; p++) {
            for (let q = 0; q < kw; q++) {
              for (let ch = 0; ch < c; ch++) acc += at(b, i * s[0] - top + p * d[0], j * s[1] - left + q * d[1], ch) * f.data[((p * kw + q) * c + ch) * co + o]!;
            }
          }
          out.push(acc);
        }
      }
    }
  }
  return out;
}

describe('conv2d', () => {
  it('has Keras output sizes for every small size, kernel, stride, dilation and padding', () => {
    const f = (kh: number) => input([kh, 2, 1, 1], f64);
    for (let size = 1; size <= 9; size++) {
      for (let k = 1; k <= 4; k++) {
        for (let s = 1; s <= 3; s++) {
          for (let d = 1; d <= 3; d++) {
            const x = input([2, size, 4, 1], f64);
            expect(conv2d(x, f(k), { strides: [s, 1], dilations: [d, 1], padding: 'same' }).shape).toEqual([2, kerasOut(size, k, s, d, 'same'), 3 + 1, 1]);
            if (size >= (k - 1) * d + 1) expect(conv2d(x, f(k), { strides: [s, 1], dilations: [d, 1] }).shape[1]).toBe(kerasOut(size, k, s, d, 'valid'));
            else expect(() => conv2d(x, f(k), { strides: [s, 1], dilations: [d, 1] })).toThrow(ShapeError);
          }
        }
      }
    }
  });

  it('agrees with a zero-padded direct convolution on odd sizes, strides, dilations and both paddings', () => {
    const cases: [number[], number[], [number, number], [number, number], 'valid' | 'same'][] = [
      [[2, 5, 7, 3], [3, 3, 3, 4], [1, 1], [1, 1], 'same'],
      [[1, 6, 5, 2], [2, 3, 2, 3], [2, 3], [1, 1], 'same'],
      [[2, 7, 7, 1], [3, 2, 1, 2], [2, 2], [2, 3], 'same'],
      [[1, 9, 8, 2], [3, 3, 2, 2], [3, 2], [2, 1], 'valid'],
      [[3, 4, 4, 2], [4, 4, 2, 1], [1, 1], [1, 1], 'valid'],
    ];
    cases.forEach(([xs, fs, s, d, padding], seed) => {
      const xv = f64Tensor(xs, seed + 1);
      const fv = f64Tensor(fs, seed + 11);
      const x = input(xs, { ...f64, name: 'x' });
      const f = input(fs, { ...f64, name: 'f' });
      const got = values(conv2d(x, f, { strides: s, dilations: d, padding }), new Map([[x, xv], [f, fv]]));
      const want = naiveConv(xv, fv, s, d, padding);
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    });
  });

  it('matches TensorFlow on a 4x4 image (tf.conv2d printed these)', () => {
    const x = input([1, 4, 4, 1], f64);
    const image = { [x.name]: tensor(Array.from({ length: 16 }, (_, i) => i + 1), { shape: [1, 4, 4, 1], dtype: 'float64' }) };
    const ones = input([2, 2, 1, 1], { ...f64, name: 'ones' });
    const feeds = new Map([[x, image[x.name]!], [ones, tensor([1, 1, 1, 1], { shape: [2, 2, 1, 1], dtype: 'float64' })]]);
    // tf.conv2d(x, ones([2, 2, 1, 1]), 1, 'same'): the last row and column see the bottom/right padding
    expect(values(conv2d(x, ones, { padding: 'same' }), feeds)).toEqual([14, 18, 22, 12, 30, 34, 38, 20, 46, 50, 54, 28, 27, 29, 31, 16]);
  });

  it('works with a symbolic batch, image by image', () => {
    const x = input(['batch', 5, 4, 2], { ...f64, name: 'x' });
    const fv = f64Tensor([3, 3, 2, 3], 5);
    const f = input([3, 3, 2, 3], { ...f64, name: 'f' });
    const y = conv2d(x, f, { strides: 2, padding: 'same' });
    expect(y.shape).toEqual(['batch', 3, 2, 3]);
    const xv = f64Tensor([3, 5, 4, 2], 6);
    const all = values(y, new Map([[x, xv], [f, fv]]));
    for (let b = 0; b < 3; b++) {
      const one = { dtype: 'float64' as const, shape: [1, 5, 4, 2], data: xv.data.slice(b * 40, (b + 1) * 40) };
      expect(all.slice(b * 18, (b + 1) * 18)).toEqual(values(y, new Map([[x, one], [f, fv]])));
    }
    // The gradients keep the symbolic batch and are right at run time.
    const loss = weightedSum(relu(y).sum({ axis: 0 }), [3, 2, 3]);
    assertGradClose(loss, [x, f], [new Map([[x, xv], [f, fv]])]);
  });

  it('gradients by central differences for strides, dilations and paddings', () => {
    for (const [s, d, padding] of [[1, 1, 'same'], [2, 1, 'same'], [1, 2, 'valid'], [[2, 3], [1, 1], 'valid'], [[1, 2], [2, 1], 'same']] as const) {
      const options = { strides: s, dilations: d, padding };
      gradCheck(([x, f]) => weightedSum(conv2d(x!, f!, options), conv2d(x!, f!, options).shape as number[]), [f64Tensor([2, 6, 5, 2], 3), f64Tensor([2, 3, 2, 3], 4)]);
    }
  });

  it('names the node and the shapes in errors', () => {
    const x = input(['batch', 8, 8, 3], { name: 'images' });
    const f = input([3, 3, 1, 4], { name: 'kernel' });
    expect(() => conv2d(x, f)).toThrow(ShapeError);
    expect(() => conv2d(x, f, {})).toThrow(/conv2d 'conv2d'.*input has 3 channels but the filter expects 1 \(input \[batch, 8, 8, 3\], filter \[3, 3, 1, 4\]/);
    const ok = input([3, 3, 3, 4]);
    for (const strides of [0, -1, 1.5, [1, 2, 3] as unknown as number, Infinity]) expect(() => conv2d(x, ok, { strides })).toThrow(/strides must be two integers/);
    expect(() => conv2d(x, ok, { dilations: 0 })).toThrow(/dilations must be two integers/);
    expect(() => conv2d(x, ok, { padding: 'SAME' as 'same' })).toThrow(/padding must be 'valid' or 'same', got "SAME"/);
    expect(() => conv2d(input([8, 8, 3]), ok)).toThrow(/rank 4 \(NHWC/);
    expect(() => conv2d(x, input([3, 3, 3]))).toThrow(/filter must have rank 4/);
    expect(() => conv2d(x, input([0, 3, 3, 4]))).toThrow(/kernel size must be at least 1x1/);
    expect(() => conv2d(x, input([3, 3, 3, 4], { dtype: 'float64' }))).toThrow(DTypeError);
    expect(() => conv2d(input([1, 8, 8, 3], { dtype: 'int32' }), ok)).toThrow(DTypeError);
    expect(() => conv2d(input([1, 2, 8, 3]), ok)).toThrow(/window's height \(3.*larger than the input's height 2/);
    const dy = input([1, 4, 4, 4]);
    expect(() => conv2dBackpropInput(dy, ok, input([1, 8, 8, 3]), { padding: 'same' })).toThrow(/gradient \[1, 4, 4, 4\] does not fit the conv2d output \[1, 8, 8, 4\]/);
    expect(() => conv2dBackpropFilter(input([1, 8, 8, 3]), dy, ok)).toThrow(/does not fit the conv2d output \[1, 6, 6, 4\]/);
  });
});

describe('pooling', () => {
  const x = input([1, 4, 4, 1], { ...f64, name: 'x' });
  const image = { x: tensor(Array.from({ length: 16 }, (_, i) => i + 1), { shape: [1, 4, 4, 1], dtype: 'float64' }) };

  it('matches TensorFlow with same padding (tf.maxPool / tf.avgPool printed these)', () => {
    expect(values(maxPool2d(x, { poolSize: 3, strides: 2, padding: 'same' }), image)).toEqual([11, 12, 15, 16]);
    // averages over the real cells only: the corner window has 4 of 9
    expect(values(avgPool2d(x, { poolSize: 3, strides: 2, padding: 'same' }), image)).toEqual([6, 7.5, 12, 13.5]);
    expect(values(maxPool2d(x, { poolSize: 2 }), image)).toEqual([6, 8, 14, 16]);
    expect(values(avgPool2d(x, { poolSize: [1, 4] }), image)).toEqual([2.5, 6.5, 10.5, 14.5]);
  });

  it('never lets padding win, even when every value is negative', () => {
    const neg = { x: tensor(Array.from({ length: 16 }, (_, i) => -(i + 1)), { shape: [1, 4, 4, 1], dtype: 'float64' }) };
    expect(values(maxPool2d(x, { poolSize: 3, strides: 2, padding: 'same' }), neg)).toEqual([-1, -3, -9, -11]);
    const minusInf = { x: tensor(new Array<number>(16).fill(-Infinity), { shape: [1, 4, 4, 1], dtype: 'float64' }) };
    expect(values(maxPool2d(x, { poolSize: 2, strides: 1, padding: 'same' }), minusInf).every((v) => v === -Infinity)).toBe(true);
  });

  it('sends the gradient to the first maximum of a window, and a NaN wins and takes it', () => {
    const t = input([1, 2, 2, 1], { ...f64, name: 't' });
    const g = grad(sum(maxPool2d(t, { poolSize: 2 })), t);
    expect(values(g, { t: tensor([5, 5, 5, 1], { shape: [1, 2, 2, 1], dtype: 'float64' }) })).toEqual([1, 0, 0, 0]);
    expect(values(g, { t: tensor([1, 7, 3, 7], { shape: [1, 2, 2, 1], dtype: 'float64' }) })).toEqual([0, 1, 0, 0]);
    const withNaN = { t: tensor([1, 7, NaN, NaN], { shape: [1, 2, 2, 1], dtype: 'float64' }) };
    expect(values(maxPool2d(t, { poolSize: 2 }), withNaN)).toEqual([NaN]);
    expect(values(g, withNaN)).toEqual([0, 0, 1, 0]);
  });

  it('adds the gradients of overlapping windows', () => {
    const t = input([1, 1, 3, 1], { ...f64, name: 't' });
    // windows [0, 1] and [1, 2] both pick the middle element
    const dx = maxPool2dGrad(input([1, 1, 2, 1], { ...f64, name: 'dy' }), t, { poolSize: [1, 2], strides: 1 });
    expect(values(dx, { t: tensor([1, 9, 2], { shape: [1, 1, 3, 1], dtype: 'float64' }), dy: tensor([0.25, 0.5], { shape: [1, 1, 2, 1], dtype: 'float64' }) })).toEqual([0, 0.75, 0]);
  });

  it('gradients by central differences (distinct values, so no ties)', () => {
    const distinct = (shape: number[]) => {
      const t = f64Tensor(shape, 9);
      return { ...t, data: t.data.map((v, i) => v + i * 1e-3) };
    };
    for (const options of [{ poolSize: 2 }, { poolSize: 3, strides: 2, padding: 'same' }, { poolSize: [2, 3], strides: [1, 2] }] as const) {
      gradCheck(([t]) => weightedSum(maxPool2d(t!, options), maxPool2d(t!, options).shape as number[]), [distinct([2, 5, 6, 2])]);
      gradCheck(([t]) => weightedSum(avgPool2d(t!, options), avgPool2d(t!, options).shape as number[]), [distinct([2, 5, 6, 2])]);
    }
  });

  it('rejects bad options with the node named', () => {
    expect(() => maxPool2d(x, { poolSize: 0 })).toThrow(/maxPool2d 'maxPool2d': poolSize must be two integers/);
    expect(() => avgPool2d(x, { poolSize: 2, strides: -1 })).toThrow(/strides must be two integers/);
    expect(() => maxPool2d(x, { poolSize: 5 })).toThrow(/larger than the input's height 4/);
    expect(() => maxPool2d(x, undefined as unknown as { poolSize: number })).toThrow(/poolSize/);
    expect(() => avgPool2d(x, { poolSize: 2, padding: 'full' as 'same' })).toThrow(/padding must be 'valid' or 'same'/);
  });
});

describe('JSON', () => {
  const x = input(['batch', 6, 6, 2], { ...f64, name: 'x' });
  const f = input([3, 3, 2, 4], { ...f64, name: 'f' });
  const y = maxPool2d(conv2d(x, f, { strides: 2, padding: 'same', dilations: 1 }), { poolSize: 2, padding: 'same' });
  const loss = sum(avgPool2d(y, { poolSize: 1 }));
  const text = JSON.stringify(toJSON(graph({ loss, dx: grad(loss, x) })));

  it('round-trips the attributes, forward and gradient', () => {
    const again = fromJSON(text);
    expect(again.nodes.map((n) => n.op)).toEqual(graph({ loss, dx: grad(loss, x) }).nodes.map((n) => n.op));
    const conv = again.nodes.find((n) => n.op === 'conv2d')!;
    expect(conv.attrs).toEqual({ strides: [2, 2], dilations: [1, 1], padding: 'same' });
  });

  it('gives a GraphError for hostile attributes', () => {
    const bad = (from: string, to: string) => () => fromJSON(text.replace(from, to));
    expect(bad('"strides":[2,2]', '"strides":[0,2]')).toThrow(/strides must be two integers/);
    expect(bad('"strides":[2,2]', '"strides":[-2,2]')).toThrow(GraphError);
    expect(bad('"strides":[2,2]', '"strides":[4294967296,2]')).toThrow(/strides must be two integers/);
    expect(bad('"strides":[2,2]', '"strides":[2]')).toThrow(/strides must be two integers/);
    expect(bad('"strides":[2,2]', '"strides":[2.5,2]')).toThrow(/expected an integer/);
    expect(bad('"padding":"same"', '"padding":"SAME"')).toThrow(/padding must be 'valid' or 'same'/);
    expect(bad('"padding":"same"', '"padding":3')).toThrow(/expected a string/);
    expect(bad('"padding":"same"', `"padding":"${'x'.repeat(100000)}"`)).toThrow(/at most 64 characters/);
    expect(bad('"poolSize":[2,2]', '"poolSize":[0,2]')).toThrow(/poolSize must be two integers/);
    expect(bad('"dilations":[1,1]', '"dilations":[1,1e9]')).not.toThrow();
    expect(bad('"dilations":[1,1]', '"dilations":[1,1e10]')).toThrow(/dilations must be two integers/);
  });
});

describe('second order', () => {
  it('hvp through conv2d, relu and max pooling agrees with differences of the gradient', () => {
    const x = input([1, 5, 5, 1], { ...f64, name: 'x' });
    const f = input([2, 2, 1, 2], { ...f64, name: 'f' });
    const y = maxPool2d(conv2d(x, f, { padding: 'same' }), { poolSize: 2, padding: 'same' });
    // a smooth loss of a piecewise linear network: curvature comes from the square
    const loss = sum(y.mul(y).mul(0.5));
    const v = input([2, 2, 1, 2], { ...f64, name: 'v' });
    const [hv] = hvp(loss, [f], [v]);
    const xv = f64Tensor([1, 5, 5, 1], 21);
    const fv = f64Tensor([2, 2, 1, 2], 22);
    const vv = f64Tensor([2, 2, 1, 2], 23);
    const got = values(hv!, new Map([[x, xv], [f, fv], [v, vv]]));
    const g = grad(loss, f);
    const h = 1e-6;
    const at = (sign: number) => values(g, new Map([[x, xv], [f, { ...fv, data: fv.data.map((w, i) => w + sign * h * vv.data[i]!) }]]));
    const [plus, minus] = [at(1), at(-1)];
    got.forEach((value, i) => expect(value).toBeCloseTo((plus[i]! - minus[i]!) / (2 * h), 6));
  });
});

describe('embedding lookups (gather on axis 0)', () => {
  it('scatter-adds the gradient of [batch, seq] ids into the table, repeats accumulating', () => {
    const table = input([5, 3], { ...f64, name: 'table' });
    const ids = input([2, 4], { dtype: 'int32', name: 'ids' });
    const w = input([2, 4, 3], { ...f64, name: 'w' });
    const looked = gather(table, ids, { axis: 0 });
    expect(looked.shape).toEqual([2, 4, 3]);
    const dTable = grad(sum(looked.mul(w)), table);
    const idv = [[1, 3, 1, 0], [3, 3, 4, 1]];
    const wv = f64Tensor([2, 4, 3], 31);
    const want = new Array<number>(15).fill(0);
    idv.flat().forEach((id, k) => { for (let j = 0; j < 3; j++) want[id * 3 + j]! += wv.data[k * 3 + j]!; });
    const got = values(dTable, new Map<Node, Tensor>([[table, f64Tensor([5, 3], 32)], [ids, tensor(idv, { dtype: 'int32' })], [w, wv]]));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 14));
    // row 2 is never looked up: exactly zero
    expect(got.slice(6, 9)).toEqual([0, 0, 0]);
    assertGradClose(sum(looked.mul(w)), [table], [new Map<Node, Tensor>([[table, f64Tensor([5, 3], 32)], [ids, tensor(idv, { dtype: 'int32' })], [w, wv]])]);
  });
});
