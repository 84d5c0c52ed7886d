/**
 * Issue #14: convolutions, pooling, rsqrt and variance on the compiled backend. Where the
 * compiled step runs core's kernel (float64; float32 with `matmul: 'exact'`; pooling, variance,
 * rsqrt in fused loops) the promise is the interpreter's bits. The float32 SIMD convolutions
 * (im2col + the WebAssembly matmul, float32 sums) are checked against the matmul's rounding bound
 * instead: `|got - exact| <= (k + 2) 2^-24 * sum |a_p b_p|`, the sum of absolute products
 * computed exactly enough by the same op on |inputs| in float64.
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import {
  avgPool2d, conv2d, conv2dBackpropFilter, conv2dBackpropInput, type DType, evaluate, grad, input, maxPool2d, type Node, relu, sum, type Tensor, tensor, variance,
} from '@stablegrad/core';
import { propertyParams } from '@stablegrad/testing';
import { compile, wasmSimdSupported } from '@stablegrad/compile';
import { expectSameResults, snapshot } from './compare.js';

interface ConvCase {
  readonly dtype: 'float32' | 'float64';
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inC: number;
  readonly outC: number;
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: 'valid' | 'same';
  readonly pool: 'max' | 'avg';
  readonly poolSize: readonly [number, number];
  readonly poolPadding: 'valid' | 'same';
  readonly seed: number;
}

const pair = (lo: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi }));

const convCase: fc.Arbitrary<ConvCase> = fc.record({
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  batch: fc.integer({ min: 1, max: 3 }),
  height: fc.integer({ min: 3, max: 9 }),
  width: fc.integer({ min: 3, max: 9 }),
  inC: fc.integer({ min: 1, max: 3 }),
  outC: fc.integer({ min: 1, max: 4 }),
  kernel: pair(1, 3),
  strides: pair(1, 3),
  dilations: pair(1, 2),
  padding: fc.constantFrom('valid' as const, 'same' as const),
  pool: fc.constantFrom('max' as const, 'avg' as const),
  poolSize: pair(1, 2),
  poolPadding: fc.constantFrom('valid' as const, 'same' as const),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
}).filter((c) => c.height >= (c.kernel[0] - 1) * c.dilations[0] + 1 + 1 && c.width >= (c.kernel[1] - 1) * c.dilations[1] + 1 + 1);

/** Seeded values in [-1, 1), distinct enough that max-pool ties are rare (and identical in both runs anyway). */
function values(shape: readonly number[], dtype: DType, seed: number): Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => {
    s = (s * 48271) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  }), { shape: [...shape], dtype });
}

/** A small CNN training graph: loss = sum(w * pool(relu(conv2d(x, f)))) + variance, and its gradients. */
function buildCnn(c: ConvCase) {
  const x = input(['batch', c.height, c.width, c.inC], { dtype: c.dtype, name: 'x' });
  const f = input([c.kernel[0], c.kernel[1], c.inC, c.outC], { dtype: c.dtype, name: 'f' });
  const y = relu(conv2d(x, f, { strides: c.strides, dilations: c.dilations, padding: c.padding }));
  // 'valid' pooling only where the window fits the convolution's output
  const fits = (y.shape[1] as number) >= c.poolSize[0] && (y.shape[2] as number) >= c.poolSize[1];
  const padding = fits ? c.poolPadding : 'same';
  const pooled = c.pool === 'max' ? maxPool2d(y, { poolSize: c.poolSize, strides: 1, padding }) : avgPool2d(y, { poolSize: c.poolSize, padding });
  const loss = sum(pooled.mul(pooled)).add(sum(variance(y, { axis: [0, 1, 2] }).add(1).rsqrt()));
  const [dx, df] = grad(loss, [x, f]);
  const feeds = new Map<Node, Tensor>([[x, values([c.batch, c.height, c.width, c.inC], c.dtype, c.seed)], [f, values(f.shape as number[], c.dtype, c.seed + 1)]]);
  return { outputs: [loss, pooled, dx!, df!], labels: ['loss', 'pooled', 'dx', 'df'], feeds, x, f };
}

describe('a CNN training step compiled', () => {
  it("gives the interpreter's bits (core kernels: float64, and float32 with matmul 'exact')", () => {
    fc.assert(fc.property(convCase, (c) => {
      const { outputs, labels, feeds } = buildCnn(c);
      const executable = compile(outputs, { matmul: 'exact' });
      expectSameResults(snapshot(executable.run(feeds)), evaluate(outputs, feeds), labels);
      const kernels = Object.values(executable.stats())[0]!;
      expect(kernels.simdMatmuls).toBe(0);
    }), propertyParams(40));
  });

  it('runs at another batch size in the same executable', () => {
    const c: ConvCase = { dtype: 'float32', batch: 2, height: 7, width: 6, inC: 2, outC: 3, kernel: [3, 2], strides: [2, 1], dilations: [1, 2], padding: 'same', pool: 'max', poolSize: [2, 2], poolPadding: 'same', seed: 7 };
    const { outputs, labels, feeds, x } = buildCnn(c);
    const executable = compile(outputs, { matmul: 'exact' });
    for (const batch of [2, 5, 2]) {
      const at = new Map(feeds);
      at.set(x, values([batch, 7, 6, 2], 'float32', batch));
      expectSameResults(snapshot(executable.run(at)), evaluate(outputs, at), labels);
    }
  });
});

describe.runIf(wasmSimdSupported())('float32 convolutions on the SIMD matmul', () => {
  it('stay within the float32 summation bound of exact, for conv2d and both gradients', () => {
    let simd = 0;
    fc.assert(fc.property(convCase.map((c) => ({ ...c, dtype: 'float32' as const, batch: c.batch + 4, outC: c.outC + 12 })), (c) => {
      const x = input([c.batch, c.height, c.width, c.inC], { dtype: 'float32', name: 'x' });
      const f = input([c.kernel[0], c.kernel[1], c.inC, c.outC], { dtype: 'float32', name: 'f' });
      const options = { strides: c.strides, dilations: c.dilations, padding: c.padding };
      const y = conv2d(x, f, options);
      const dy = input(y.shape, { dtype: 'float32', name: 'dy' });
      const ops = [y, conv2dBackpropInput(dy, f, x, options), conv2dBackpropFilter(x, dy, f, options)];
      const feeds = new Map<Node, Tensor>([[x, values(x.shape as number[], 'float32', c.seed)], [f, values(f.shape as number[], 'float32', c.seed + 1)], [dy, values(y.shape as number[], 'float32', c.seed + 2)]]);
      const executable = compile(ops);
      const got = snapshot(executable.run(feeds));
      simd += Object.values(executable.stats())[0]!.simdMatmuls;
      // The same ops in float64: the exact values (to float64 rounding) and the sums of |products|.
      const x64 = input(x.shape, { dtype: 'float64', name: 'x' });
      const f64 = input(f.shape, { dtype: 'float64', name: 'f' });
      const dy64 = input(y.shape, { dtype: 'float64', name: 'dy' });
      const ops64 = [conv2d(x64, f64, options), conv2dBackpropInput(dy64, f64, x64, options), conv2dBackpropFilter(x64, dy64, f64, options)];
      const as64 = (t: Tensor, abs: boolean) => tensor(Array.from(t.data, (v) => (abs ? Math.abs(v) : v)), { shape: [...t.shape], dtype: 'float64' });
      const feeds64 = (abs: boolean) => new Map<Node, Tensor>([[x64, as64(feeds.get(x)!, abs)], [f64, as64(feeds.get(f)!, abs)], [dy64, as64(feeds.get(dy)!, abs)]]);
      const exact = evaluate(ops64, feeds64(false));
      const magnitude = evaluate(ops64, feeds64(true));
      const lengths = [c.kernel[0] * c.kernel[1] * c.inC, c.outC * c.kernel[0] * c.kernel[1], (y.shape[0] as number) * (y.shape[1] as number) * (y.shape[2] as number)];
      got.forEach((t, k) => {
        const bound = (lengths[k]! + 2) * 2 ** -24;
        t.data.forEach((v, i) => {
          const err = Math.abs(v - exact[k]!.data[i]!);
          expect(err, `${['conv2d', 'input grad', 'filter grad'][k]} element ${i}`).toBeLessThanOrEqual(bound * magnitude[k]!.data[i]! + 2 ** -126);
        });
      });
    }), propertyParams(30));
    // The cases are big enough that the SIMD kernel ran, not the JS fallback.
    expect(simd).toBeGreaterThan(0);
  });
});
