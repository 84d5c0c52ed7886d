/**
 * The 2-D float matmul: transposed operands folded in (the fold-transposes pass), float32 on the
 * WebAssembly SIMD kernel when the product is large enough and `matmul: 'simd'` (float32 sums,
 * within a documented bound), else core's JavaScript kernel (float64 sums, the interpreter's bits).
 * @module
 */
import type { Node, TypedArray } from '@stablegrad/core';
import { matmulInto } from '@stablegrad/core/kernels';
import { P, v } from '@stablegrad/rewrite';
import { WASM_MIN_WORK, wasmMatmulStep } from '../../kernels/wasm-matmul.js';
import type { Schedule } from '../schedule.js';
import { type BuiltStep, type KernelContext, specialKernel, writesItself } from './kernel.js';

/**
 * True for a matmul of two matrices of floats (the kernel below; transposes fold only into these).
 * @example
 * ```ts
 * isMatmul2d(a.matmul(b), s); // true for a [4, 3] and b [3, 5] of float32
 * ```
 */
export function isMatmul2d(node: Node, s: Schedule): boolean {
  return node.op === 'matmul' && node.dtype !== 'int32' && node.inputs.every((input) => s.shapes[s.at(input)]!.length === 2);
}

/** 2-D float matmul, transposes folded in: WebAssembly SIMD (float32, large) or core's exact JS kernel. */
export const matmul2d = specialKernel({
  name: 'matmul-2d',
  doc: '2-D float matmul reading folded transposes as they are: WebAssembly SIMD for large float32 products, else the exact JS kernel',
  pattern: P.matmul(v('a'), v('b')),
  guard: (m, ctx) => isMatmul2d(m.$root, ctx.schedule),
  plan: (m, i, ctx) => writesItself(i, (out) => matmulStep(m.$root, i, ctx, out)),
});

function matmulStep(node: Node, i: number, ctx: KernelContext, out: TypedArray): BuiltStep {
  const s = ctx.schedule;
  const [a, b] = node.inputs.map((input) => {
    const j = s.at(input);
    return ctx.folded.has(j) ? { source: s.at(input.inputs[0]!), transposed: true } : { source: j, transposed: false };
  }) as [{ source: number; transposed: boolean }, { source: number; transposed: boolean }];
  const [m, n] = s.shapes[i]! as [number, number];
  const k = s.shapes[s.at(node.inputs[0]!)]![1]!;
  const simd = ctx.matmul === 'simd' && node.dtype === 'float32' && m * k * n >= WASM_MIN_WORK ? wasmMatmulStep(m, k, n, a.transposed, b.transposed) : null;
  if (simd !== null) {
    return {
      tally: { simdMatmuls: 1 },
      step: (values) => {
        simd(values[a.source] as Float32Array, values[b.source] as Float32Array, out as Float32Array);
        values[i] = out;
      },
    };
  }
  const rows = new Float64Array(4 * n);
  return {
    step: (values) => {
      matmulInto(values[a.source]!, values[b.source]!, out, m, k, n, a.transposed, b.transposed, rows);
      values[i] = out;
    },
  };
}
