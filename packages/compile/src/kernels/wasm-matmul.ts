/**
 * Matmul steps on the WebAssembly SIMD kernel (wasm/matmul.ts): float32 operands are copied
 * into the kernel's memory, multiplied there, and the result copied back. The kernel sums in
 * float32 (as TensorFlow.js' XNNPACK and jax-js do), so results differ from the interpreter's
 * float64-accumulated ones within the bound documented in wasm/matmul.ts; `matmul: 'exact'`
 * keeps the JavaScript kernel and the interpreter's bits.
 * @module
 */
import { type WasmMatmul, wasmMatmul } from '../wasm/matmul.js';

/** Below this many multiply-adds the JavaScript kernel wins (copies and call overhead). */
export const WASM_MIN_WORK = 8192;

let shared: WasmMatmul | null | undefined;

/** The one kernel instance of the process, or null without WebAssembly SIMD. */
function kernel(): WasmMatmul | null {
  if (shared === undefined) shared = wasmMatmul();
  return shared;
}

const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * Bytes of the SIMD kernel's memory (operand copies, packed panels, scratch): it grows to the
 * largest matmul run so far and is shared by every plan of the process.
 * @example
 * ```ts
 * wasmMemoryBytes(); // e.g. 2,555,904 after a 784-256-128-10 training step
 * ```
 */
export function wasmMemoryBytes(): number {
  return shared?.memory.buffer.byteLength ?? 0;
}

/**
 * A step `(a, b, out) => void` computing `out[m, n] = op(a) op(b)` on the wasm kernel, or null
 * when WebAssembly SIMD is unavailable (the caller then uses the JavaScript kernel).
 * @example
 * ```ts
 * const run = wasmMatmulStep(128, 784, 256, false, false);
 * run?.(x, W, out);
 * ```
 */
export function wasmMatmulStep(
  m: number, k: number, n: number, transA: boolean, transB: boolean,
): ((a: Float32Array, b: Float32Array, out: Float32Array) => void) | null {
  const w = kernel();
  if (w === null) return null;
  const aPtr = 0;
  const bPtr = align(m * k * 4);
  const outPtr = bPtr + align(k * n * 4);
  w.reserve(outPtr + align(m * n * 4) + w.scratchBytes(m, k, n, transA, transB));
  // Views are re-made when the memory grows (another plan may reserve more later).
  let buffer: ArrayBuffer | undefined;
  let views: { a: Float32Array; b: Float32Array; out: Float32Array } | undefined;
  return (a, b, out) => {
    if (views === undefined || w.memory.buffer !== buffer) {
      buffer = w.memory.buffer;
      views = { a: new Float32Array(buffer, aPtr, m * k), b: new Float32Array(buffer, bPtr, k * n), out: new Float32Array(buffer, outPtr, m * n) };
    }
    views.a.set(a);
    views.b.set(b);
    w.matmul(aPtr, bPtr, outPtr, m, k, n, transA, transB);
    out.set(views.out);
  };
}
