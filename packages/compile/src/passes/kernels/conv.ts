/**
 * Float32 convolutions as matrix products on the WebAssembly SIMD kernel (im2col): conv2d is
 * `patches @ filter`, its filter gradient `patches^T @ dy`, its input gradient `dy @ filter^T`
 * added back through col2im. Sums are float32 (as TensorFlow.js' XNNPACK convolutions), within
 * the matmul's documented bound of the interpreter's float64-accumulated loops (each output is
 * one dot product of length kH*kW*inC, or batch*outH*outW for the filter gradient; padded taps
 * add exact zeros). Float64, `matmul: 'exact'` and products too small to pay for the copies run
 * core's kernel instead, with the interpreter's bits.
 * @module
 */
import type { Node } from '@stablegrad/core';
import { convGeometry, type WindowGeometry } from '@stablegrad/core/kernels';
import { op, P, v } from '@stablegrad/rewrite';
import { col2imAdd, im2col } from '../../kernels/im2col.js';
import { WASM_MIN_WORK, wasmMatmulStep } from '../../kernels/wasm-matmul.js';
import { wasmSimdSupported } from '../../wasm/matmul.js';
import { type BuiltStep, type KernelContext, specialKernel, writesItself } from './kernel.js';

type Conv2dAttrs = Parameters<typeof convGeometry>[2];

/** The geometry of a convolution node: conv2d(x, f), conv2dBackpropInput(dy, f, x), conv2dBackpropFilter(x, dy, f). */
function geometryOf(node: Node, ctx: KernelContext): WindowGeometry {
  const s = ctx.schedule;
  const shape = (k: number) => s.shapes[s.at(node.inputs[k]!)]!;
  const attrs = node.attrs as unknown as Conv2dAttrs;
  switch (node.op) {
    case 'conv2d': return convGeometry(shape(0), shape(1), attrs);
    case 'conv2dBackpropInput': return convGeometry(shape(2), shape(1), attrs);
    default: return convGeometry(shape(0), shape(2), attrs);
  }
}

/** Multiply-adds of the convolution as a matmul: rows x patch length x output channels. */
function work(g: WindowGeometry): number {
  return g.batch * g.outH * g.outW * g.kH * g.kW * g.inC * g.outC;
}

/** Worth the SIMD matmul: float32, 'simd' mode, WebAssembly SIMD present and enough work to pay for the copies. */
function worthSimd(node: Node, ctx: KernelContext): boolean {
  return ctx.matmul === 'simd' && node.dtype === 'float32' && work(geometryOf(node, ctx)) >= WASM_MIN_WORK && wasmSimdSupported();
}

/** conv2d in float32 through im2col and the SIMD matmul. */
export const conv2dSimd = specialKernel({
  name: 'conv2d-simd',
  doc: 'float32 conv2d as an im2col matrix product on the WebAssembly SIMD kernel',
  pattern: P.conv2d(v('x'), v('filter')),
  guard: (m, ctx) => worthSimd(m.$root, ctx),
  plan: (m, i, ctx) => writesItself(i, (out) => simdStep(m.$root, ctx, out as Float32Array)),
});

/** The two gradients of conv2d in float32 through im2col and the SIMD matmul. */
export const conv2dGradSimd = specialKernel({
  name: 'conv2d-grad-simd',
  doc: 'float32 input and filter gradients of conv2d as im2col matrix products on the WebAssembly SIMD kernel',
  pattern: op(['conv2dBackpropInput', 'conv2dBackpropFilter'], [v('a'), v('b'), v('like')]),
  guard: (m, ctx) => worthSimd(m.$root, ctx),
  plan: (m, i, ctx) => writesItself(i, (out) => simdStep(m.$root, ctx, out as Float32Array)),
});

/** The step (the guard made sure WebAssembly SIMD is there). */
function simdStep(node: Node, ctx: KernelContext, out: Float32Array): BuiltStep {
  const s = ctx.schedule;
  const i = s.at(node);
  const [a, b] = [s.at(node.inputs[0]!), s.at(node.inputs[1]!)];
  const g = geometryOf(node, ctx);
  const rows = g.batch * g.outH * g.outW;
  const patchLength = g.kH * g.kW * g.inC;
  const tally = { simdMatmuls: 1 };
  if (node.op === 'conv2d') {
    const run = wasmMatmulStep(rows, patchLength, g.outC, false, false);
    if (run === null) throw new Error('WebAssembly SIMD disappeared after the guard saw it');
    const patches = new Float32Array(rows * patchLength);
    return { tally, step: (values) => { im2col(values[a]!, g, patches); run(patches, values[b] as Float32Array, out); values[i] = out; } };
  }
  if (node.op === 'conv2dBackpropFilter') {
    // dFilter [patchLength, outC] = patches^T [patchLength, rows] @ dy [rows, outC]
    const run = wasmMatmulStep(patchLength, rows, g.outC, true, false);
    if (run === null) throw new Error('WebAssembly SIMD disappeared after the guard saw it');
    const patches = new Float32Array(rows * patchLength);
    return { tally, step: (values) => { im2col(values[a]!, g, patches); run(patches, values[b] as Float32Array, out); values[i] = out; } };
  }
  // dPatches [rows, patchLength] = dy [rows, outC] @ filter^T (filter stored [patchLength, outC])
  const run = wasmMatmulStep(rows, g.outC, patchLength, false, true);
  if (run === null) throw new Error('WebAssembly SIMD disappeared after the guard saw it');
  const dPatches = new Float32Array(rows * patchLength);
  const acc = new Float64Array(out.length);
  return { tally, step: (values) => { run(values[a] as Float32Array, values[b] as Float32Array, dPatches); col2imAdd(dPatches, g, acc, out); values[i] = out; } };
}
