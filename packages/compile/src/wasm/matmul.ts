/**
 * The WebAssembly SIMD matmul of the compiled backend: feature detection, one compiled module per
 * tiling configuration (generated at first use by matmul-module.ts), and instances that each own
 * a growable `WebAssembly.Memory`.
 *
 * Numerics: products and sums are float32 (like XNNPACK and tfjs), in an order that depends on the
 * tiling, so results differ from the interpreter's float64-accumulated matmul (see
 * {@link matmulJs}) by rounding only. For each output element `c = sum_p a_p b_p` computed with
 * separate multiply and add roundings (unit roundoff u = 2^-24), the standard bound (Higham,
 * *Accuracy and Stability of Numerical Algorithms*, eq. 3.5; any summation order) is
 * `|c_wasm - c_exact| <= gamma_k * sum_p |a_p b_p|` with `gamma_k = k u / (1 - k u)`; the
 * interpreter's result is within `u |c_exact| + gamma_k(2^-53) * sum_p |a_p b_p|` of exact, so
 * `|c_wasm - c_interpreter| <= (gamma_k + u + k 2^-52) * sum_p |a_p b_p|`, about `(k + 1) 2^-24`
 * times the sum of absolute products (plus `k 2^-149` where products underflow to float32
 * subnormals). Blocking over k only shortens the summation chains, and a
 * fused multiply-add (relaxed SIMD, where the engine supports it) only removes roundings, so the
 * bound covers every configuration. Relative to |c| it can be large when the terms cancel.
 * @module
 */
import { ModuleBuilder, SimdOp, ValType } from './emit.js';
import { defaultKernelConfig, type MatmulKernelConfig, matmulModuleBytes, memoryImport } from './matmul-module.js';
import { type WasmApi, type WasmMemory, type WasmModule, webAssemblyApi } from './wasm-api.js';
export { matmulJs } from '@stablegrad/core/kernels';

/**
 * A matmul running in WebAssembly over its own linear memory. Operands and output are float32
 * arrays stored row-major at byte offsets (pointers) into {@link WasmMatmul.memory}.
 *
 * - Pointers must be multiples of 4 (float32 alignment); multiples of 16 are recommended so
 *   vector loads never straddle cache lines.
 * - Each call packs its operands into a scratch area at the top of the memory, which must not
 *   overlap the operands: lay buffers out from low addresses and
 *   `reserve(end of your buffers + scratchBytes(...))` before multiplying.
 * - Growing the memory (`reserve`) replaces `memory.buffer`: typed-array views over the old buffer
 *   become detached (length 0), so re-create views after every `reserve`.
 * @example
 * ```ts
 * const mm = wasmMatmul()!;
 * // x [128, 784] at 0, W [784, 256] after it, y [128, 256] after that (all 16-byte aligned).
 * const [x, w, y] = [0, 128 * 784 * 4, 128 * 784 * 4 + 784 * 256 * 4];
 * mm.reserve(y + 128 * 256 * 4 + mm.scratchBytes(128, 784, 256, false, false));
 * new Float32Array(mm.memory.buffer, x, 128 * 784).set(xData);
 * new Float32Array(mm.memory.buffer, w, 784 * 256).set(wData);
 * mm.matmul(x, w, y, 128, 784, 256, false, false);
 * const result = new Float32Array(mm.memory.buffer, y, 128 * 256);
 * ```
 */
export interface WasmMatmul {
  /** The linear memory holding operands, outputs and scratch. */
  readonly memory: WasmMemory;
  /** Which kernel this instance runs. */
  readonly config: MatmulKernelConfig;
  /** Grows the memory (never shrinks it) to at least `bytes` bytes; detaches existing views if it grows. */
  reserve(bytes: number): void;
  /** Scratch bytes one {@link WasmMatmul.matmul} call with these sizes needs above its operands. */
  scratchBytes(m: number, k: number, n: number, transA: boolean, transB: boolean): number;
  /**
   * `out = op(A) @ op(B)`: op(A) is m x k (A stored `[m, k]`, or `[k, m]` when `transA`), op(B)
   * is k x n (B stored `[k, n]`, or `[n, k]` when `transB`), `out` is `[m, n]` and overwritten.
   * `out` must not overlap A or B. Throws a RangeError when the scratch does not fit.
   */
  matmul(aPtr: number, bPtr: number, outPtr: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
}

type MatmulExport = (...args: number[]) => void;

const PAGE = 65536;
const SCRATCH_ALIGN = 64; // a cache line

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/** Validates a module with one function `() -> v128` built by `body`. */
function validates(body: (f: ReturnType<ModuleBuilder['func']>) => void): boolean {
  const api = webAssemblyApi();
  if (api === undefined) return false;
  const mod = new ModuleBuilder();
  body(mod.func({ params: [], results: [ValType.v128] }));
  return api.validate(mod.toBytes());
}

/**
 * True when this engine runs WebAssembly with fixed-width SIMD.
 * @example
 * ```ts
 * const kernel = wasmSimdSupported() ? 'wasm' : 'js';
 * ```
 */
export function wasmSimdSupported(): boolean {
  return validates((f) => f.f32x4Const([1, 2, 3, 4]).f32x4Const([1, 2, 3, 4]).simd(SimdOp.f32x4Mul));
}

/**
 * True when this engine also accepts relaxed SIMD (`f32x4.relaxed_madd`); Node 20 needs
 * `--experimental-wasm-relaxed-simd`.
 * @example
 * ```ts
 * const mm = wasmMatmul({ fma: wasmRelaxedSimdSupported() });
 * ```
 */
export function wasmRelaxedSimdSupported(): boolean {
  return validates((f) => f.f32x4Const([1, 1, 1, 1]).f32x4Const([2, 2, 2, 2]).f32x4Const([3, 3, 3, 3]).simd(SimdOp.f32x4RelaxedMadd));
}

const compiled = new Map<string, WasmModule>();

/** Compiles (once per configuration) the module for `config`. */
function moduleFor(api: WasmApi, config: MatmulKernelConfig): WasmModule {
  const key = JSON.stringify(config);
  let module = compiled.get(key);
  if (module === undefined) {
    module = new api.Module(matmulModuleBytes(config));
    compiled.set(key, module);
  }
  return module;
}

/** Byte offsets of the packed operands and the edge tile inside the scratch area. */
function scratchLayout(c: MatmulKernelConfig, m: number, k: number, n: number) {
  const kPad = roundUp(k, c.unroll);
  const packedA = 0;
  const packedB = roundUp(roundUp(m, c.mr) * kPad * 4, SCRATCH_ALIGN);
  const tile = packedB + roundUp(roundUp(n, c.nr) * kPad * 4, SCRATCH_ALIGN);
  const bytes = tile + roundUp(c.mr * c.nr * 4, SCRATCH_ALIGN);
  return { kPad, packedA, packedB, tile, bytes };
}

function checkArgs(aPtr: number, bPtr: number, outPtr: number, m: number, k: number, n: number): void {
  for (const [name, v] of Object.entries({ m, k, n })) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`wasm matmul: ${name} must be a non-negative integer, got ${v}`);
  }
  for (const [name, v] of Object.entries({ aPtr, bPtr, outPtr })) {
    if (!Number.isInteger(v) || v < 0 || v % 4 !== 0) throw new RangeError(`wasm matmul: ${name} must be a non-negative multiple of 4, got ${v}`);
  }
}

/**
 * A new wasm matmul instance with its own memory, or `null` when WebAssembly or its SIMD
 * extension is unavailable (then use {@link matmulJs}). The module is generated and compiled
 * synchronously at the first call and shared by later instances. `config` overrides the tiling;
 * `{ fma: true }` asks for relaxed SIMD multiply-add and returns `null` where the engine lacks it
 * (it is off by default: on the development machine it is no faster, and whether it fuses
 * differs between engines, so results would too).
 * @example
 * ```ts
 * const mm = wasmMatmul();
 * if (mm) {
 *   const [a, b, out] = [0, 16, 32]; // byte offsets: A 1x2, B 2x1, out 1x1
 *   mm.reserve(48 + mm.scratchBytes(1, 2, 1, false, false));
 *   const f32 = new Float32Array(mm.memory.buffer); // after reserve: it may have replaced the buffer
 *   f32.set([1, 2], a / 4);
 *   f32.set([3, 4], b / 4);
 *   mm.matmul(a, b, out, 1, 2, 1, false, false);
 *   f32[out / 4]; // 11
 * }
 * ```
 */
export function wasmMatmul(config: Partial<MatmulKernelConfig> = {}): WasmMatmul | null {
  const api = webAssemblyApi();
  if (api === undefined || !wasmSimdSupported()) return null;
  const full: MatmulKernelConfig = { ...defaultKernelConfig, ...config };
  if (full.fma && !wasmRelaxedSimdSupported()) return null;
  const memory = new api.Memory({ initial: 1 });
  const instance = new api.Instance(moduleFor(api, full), { [memoryImport.module]: { [memoryImport.name]: memory } });
  const run = instance.exports['matmul'] as MatmulExport;

  return {
    memory,
    config: full,
    reserve(bytes) {
      const missing = Math.ceil((bytes - memory.buffer.byteLength) / PAGE);
      if (missing > 0) memory.grow(missing);
    },
    scratchBytes(m, k, n) {
      return scratchLayout(full, m, k, n).bytes + SCRATCH_ALIGN;
    },
    matmul(aPtr, bPtr, outPtr, m, k, n, transA, transB) {
      checkArgs(aPtr, bPtr, outPtr, m, k, n);
      if (m === 0 || n === 0) return;
      if (k === 0) {
        new Float32Array(memory.buffer, outPtr, m * n).fill(0);
        return;
      }
      const layout = scratchLayout(full, m, k, n);
      const size = memory.buffer.byteLength;
      const scratch = Math.floor((size - layout.bytes) / SCRATCH_ALIGN) * SCRATCH_ALIGN;
      const operandsEnd = Math.max(aPtr + m * k * 4, bPtr + k * n * 4, outPtr + m * n * 4);
      if (scratch < operandsEnd) {
        throw new RangeError(
          `wasm matmul ${m}x${k}x${n} needs ${layout.bytes} scratch bytes above its operands (which end at byte ${operandsEnd}), ` +
            `but the memory has ${size} bytes: call reserve(${operandsEnd + layout.bytes + SCRATCH_ALIGN}) first`,
        );
      }
      run(aPtr, bPtr, outPtr, m, k, n, transA ? 1 : 0, transB ? 1 : 0, scratch + layout.packedA, scratch + layout.packedB, scratch + layout.tile, layout.kPad);
    },
  };
}
