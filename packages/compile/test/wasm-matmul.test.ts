// The wasm emitter and the WebAssembly SIMD matmul: binary encoding, validation, exact results on
// small integers, the float32-accumulation error bound on random data, edges and misuse.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { evaluate, input, matmul, tensor, transpose } from '@stablegrad/core';
import { propertyParams } from '@stablegrad/testing';
import { ByteWriter, ModuleBuilder, Op, SimdOp, ValType } from '../src/wasm/emit.js';
import { defaultKernelConfig, type MatmulKernelConfig, matmulModuleBytes } from '../src/wasm/matmul-module.js';
import { matmulJs, type WasmMatmul, wasmMatmul, wasmRelaxedSimdSupported, wasmSimdSupported } from '../src/wasm/matmul.js';
import { webAssemblyApi } from '../src/wasm/wasm-api.js';

const params = propertyParams(40);
const simd = wasmSimdSupported();
// The ES2022 lib has no WebAssembly types; wasm-api.ts types the parts used here.
const WebAssembly = webAssemblyApi()!;

/** Seeded uniform generator (mulberry32). */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const randomFloats = (size: number, seed: number) => {
  const next = mulberry32(seed);
  return Float32Array.from({ length: size }, () => (next() * 2 - 1) * 2 ** Math.floor(next() * 8 - 4));
};
/** Small integers: every product and partial sum is exact in float32, so any order gives the same result. */
const randomInts = (size: number, seed: number) => {
  const next = mulberry32(seed);
  return Float32Array.from({ length: size }, () => Math.floor(next() * 7) - 3);
};

type Case = readonly [m: number, k: number, n: number];
const variants = [[false, false], [true, false], [false, true], [true, true]] as const;
const edgeShapes: readonly Case[] = [
  [1, 1, 1], [3, 5, 7], [17, 33, 9], [2, 3, 17], [1, 20, 1], [64, 1, 64], [5, 300, 13], [8, 257, 16], [33, 10, 31], [7, 4, 4],
  [128, 128, 10], [128, 10, 128],
];

/**
 * Runs the wasm matmul with operands at 16-byte aligned addresses and guard cells around the
 * output; returns the output and checks that the guards and the operands are untouched.
 */
function runWasm(mm: WasmMatmul, a: Float32Array, b: Float32Array, [m, k, n]: Case, transA: boolean, transB: boolean): Float32Array {
  const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const guard = 16;
  const aPtr = 16;
  const bPtr = aPtr + align(a.length * 4);
  const outPtr = bPtr + align(b.length * 4) + guard;
  const end = outPtr + align(m * n * 4) + guard;
  mm.reserve(end + mm.scratchBytes(m, k, n, transA, transB));
  const f32 = new Float32Array(mm.memory.buffer);
  f32.set(a, aPtr / 4);
  f32.set(b, bPtr / 4);
  f32.fill(-7.5, outPtr / 4 - guard / 4, end / 4); // stale output and guards
  mm.matmul(aPtr, bPtr, outPtr, m, k, n, transA, transB);
  const view = new Float32Array(mm.memory.buffer);
  const untouched = (from: number, to: number) => view.subarray(from / 4, to / 4).every((v) => v === -7.5);
  expect(untouched(outPtr - guard, outPtr), 'guard before out').toBe(true);
  expect(untouched(outPtr + m * n * 4, end), 'guard after out').toBe(true);
  expect(firstDifference(view.subarray(aPtr / 4, aPtr / 4 + a.length), a), 'A unchanged').toBe(-1);
  expect(firstDifference(view.subarray(bPtr / 4, bPtr / 4 + b.length), b), 'B unchanged').toBe(-1);
  return view.slice(outPtr / 4, outPtr / 4 + m * n);
}

/** Index of the first element where the arrays differ (Object.is), or -1 (toEqual is slow on big arrays). */
function firstDifference(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

function reference(a: Float32Array, b: Float32Array, [m, k, n]: Case, transA: boolean, transB: boolean): Float32Array {
  const out = new Float32Array(m * n);
  matmulJs(a, b, out, m, k, n, transA, transB);
  return out;
}

/**
 * The float32-accumulation bound per element (see matmul.ts): |wasm - interpreter| <=
 * (gamma_k + u + k 2^-52) * sum_p |a_p b_p|, plus k * 2^-149 for products that underflow.
 * sum |a||b| comes from matmulJs on absolute values (rounded to float32: a 2^-23 margin).
 */
function errorBounds(a: Float32Array, b: Float32Array, shape: Case, transA: boolean, transB: boolean): Float32Array {
  const k = shape[1];
  const u = 2 ** -24;
  const gamma = (k * u) / (1 - k * u);
  const abs = (x: Float32Array) => x.map(Math.abs);
  return reference(abs(a), abs(b), shape, transA, transB).map((s) => (gamma + u + k * 2 ** -52) * s * (1 + 2 ** -22) + k * 2 ** -149);
}

const configs: readonly Partial<MatmulKernelConfig>[] = [
  {}, // the default
  { mr: 4, nr: 8, kc: 8, unroll: 4 }, // k-blocks that accumulate, k padded to the unroll
  { mr: 3, nr: 12, kc: 6, unroll: 2 }, // odd panel widths: 4x4, pair and single-column packing
  { mr: 5, nr: 4, kc: 5, unroll: 1 },
];

describe('wasm emitter', () => {
  it('encodes LEB128 like the specification examples', () => {
    const u32 = (v: number) => Array.from(new ByteWriter().u32(v).toBytes());
    const s32 = (v: number) => Array.from(new ByteWriter().s32(v).toBytes());
    expect(u32(0)).toEqual([0]);
    expect(u32(127)).toEqual([0x7f]);
    expect(u32(128)).toEqual([0x80, 0x01]);
    expect(u32(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(u32(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(s32(-1)).toEqual([0x7f]);
    expect(s32(63)).toEqual([0x3f]);
    expect(s32(64)).toEqual([0xc0, 0x00]);
    expect(s32(-64)).toEqual([0x40]);
    expect(s32(-65)).toEqual([0xbf, 0x7f]);
    expect(s32(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(s32(-(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('builds modules that validate and run: arithmetic, a loop, memory', () => {
    const mod = new ModuleBuilder().importMemory({ module: 'env', name: 'memory', minPages: 1 });
    mod.func({ params: [ValType.i32, ValType.i32], results: [ValType.i32] }, 'add').get(0).get(1).op(Op.i32Add);
    // sum(n) = n + (n - 1) + ... + 1, with a loop and a local.
    const sum = mod.func({ params: [ValType.i32], results: [ValType.i32] }, 'sum');
    const acc = sum.local(ValType.i32);
    sum.begin(Op.block).get(0).op(Op.i32Eqz).brIf(0).begin(Op.loop);
    sum.get(acc).get(0).op(Op.i32Add).set(acc).get(0).i32Const(1).op(Op.i32Sub).tee(0).brIf(0).end().end().get(acc);
    // store(ptr, x): memory[ptr] = x * 2 as float32, with a constant offset of 4.
    mod.func({ params: [ValType.i32, ValType.f32], results: [] }, 'store').get(0).get(1).f32Const(2).op(Op.f32Mul).mem(Op.f32Store, 2, 4);
    const bytes = mod.toBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, (...args: number[]) => number>;
    expect(exports['add']!(2, 3)).toBe(5);
    expect(exports['sum']!(100)).toBe(5050);
    expect(exports['sum']!(0)).toBe(0);
    exports['store']!(8, 1.25);
    expect(new Float32Array(memory.buffer)[3]).toBe(2.5);
  });

  it.runIf(simd)('encodes SIMD instructions: splat-load, shuffle, lanes', () => {
    const mod = new ModuleBuilder().importMemory({ module: 'env', name: 'memory', minPages: 1 });
    // out[0..3] = reverse(splat(mem[0]) * [1, 2, 3, 4]); returns lane 3 of [1, 2, 3, 4] * 10.
    const f = mod.func({ params: [], results: [ValType.f32] }, 'run');
    f.i32Const(16).i32Const(0).simdMem(SimdOp.v128Load32Splat, 2).f32x4Const([1, 2, 3, 4]).simd(SimdOp.f32x4Mul);
    f.f32x4Const([0, 0, 0, 0]).shuffle([12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]).simdMem(SimdOp.v128Store, 4);
    f.f32x4Const([1, 2, 3, 4]).f32x4Const([10, 10, 10, 10]).simd(SimdOp.f32x4Mul).simdLane(SimdOp.f32x4ExtractLane, 3);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const run = new WebAssembly.Instance(new WebAssembly.Module(mod.toBytes()), { env: { memory } }).exports['run'] as () => number;
    new Float32Array(memory.buffer)[0] = 0.5;
    expect(run()).toBe(40);
    expect(Array.from(new Float32Array(memory.buffer, 16, 4))).toEqual([2, 1.5, 1, 0.5]);
  });

  it.runIf(simd)('generates matmul modules that validate for every tiling', () => {
    for (const config of configs) expect(WebAssembly.validate(matmulModuleBytes({ ...defaultKernelConfig, ...config }))).toBe(true);
    expect(WebAssembly.validate(matmulModuleBytes({ ...defaultKernelConfig, fma: true }))).toBe(wasmRelaxedSimdSupported());
    expect(() => matmulModuleBytes({ ...defaultKernelConfig, nr: 6 })).toThrow(/nr a multiple of 4/);
  });
});

describe('matmulJs', () => {
  it('is bit-identical to the interpreter for all four variants', () => {
    for (const [m, k, n] of [[3, 5, 7], [6, 33, 9], [9, 64, 5]] as const) {
      for (const [transA, transB] of variants) {
        const a = randomFloats(m * k, m + k);
        const b = randomFloats(k * n, k + n);
        const x = input(transA ? [k, m] : [m, k], { name: 'a' });
        const y = input(transB ? [n, k] : [k, n], { name: 'b' });
        const z = matmul(transA ? transpose(x) : x, transB ? transpose(y) : y);
        const feed = (data: Float32Array, node: typeof x) => tensor(data, { dtype: 'float32', shape: node.shape as number[] });
        const want = evaluate(z, { a: feed(a, x), b: feed(b, y) }).data;
        expect(reference(a, b, [m, k, n], transA, transB)).toEqual(want);
      }
    }
  });
});

describe.runIf(simd)('wasm matmul', () => {
  const instances = configs.map((config) => wasmMatmul(config)!);

  it('is exact on small integers for every variant, shape and tiling', () => {
    instances.forEach((mm, c) => {
      for (const shape of [...edgeShapes, [40, 120, 50] as const]) {
        for (const [transA, transB] of variants) {
          const [m, k, n] = shape;
          const [a, b] = [randomInts(m * k, c + m), randomInts(k * n, c + n)];
          const got = runWasm(mm, a, b, shape, transA, transB);
          const at = firstDifference(got, reference(a, b, shape, transA, transB));
          expect(at, `${JSON.stringify(mm.config)} ${shape} transA=${transA} transB=${transB}: first difference`).toBe(-1);
        }
      }
    });
  });

  it('stays within the float32-accumulation bound on the W2 shapes', () => {
    const mm = instances[0]!;
    const w2: readonly [Case, boolean, boolean][] = [
      [[128, 784, 256], false, false], [[784, 128, 256], true, false], [[128, 256, 784], false, true], [[128, 784, 256], true, true],
      [[128, 256, 128], false, false], [[128, 128, 10], true, false], [[128, 10, 128], false, true],
    ];
    for (const [shape, transA, transB] of w2) {
      const [m, k, n] = shape;
      const [a, b] = [randomFloats(m * k, 1), randomFloats(k * n, 2)];
      const got = runWasm(mm, a, b, shape, transA, transB);
      const want = reference(a, b, shape, transA, transB);
      const bound = errorBounds(a, b, shape, transA, transB);
      const worst = got.reduce((w, v, i) => Math.max(w, Math.abs(v - want[i]!) / bound[i]!), 0);
      expect(worst, `${shape} transA=${transA} transB=${transB}`).toBeLessThanOrEqual(1);
    }
  });

  test.prop(
    [fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.boolean(), fc.nat(configs.length - 1), fc.nat()],
    params,
  )('stays within the bound on random shapes, variants and tilings', (m, k, n, transA, transB, c, seed) => {
    const shape: Case = [m, k, n];
    const [a, b] = [randomFloats(m * k, seed), randomFloats(k * n, seed + 1)];
    const got = runWasm(instances[c]!, a, b, shape, transA, transB);
    const want = reference(a, b, shape, transA, transB);
    const bound = errorBounds(a, b, shape, transA, transB);
    const worst = got.reduce((w, v, i) => Math.max(w, Math.abs(v - want[i]!) / bound[i]!), 0);
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('propagates NaN and infinity like the reference', () => {
    const mm = instances[0]!;
    const shape: Case = [5, 6, 19];
    const [a, b] = [randomFloats(30, 3), randomFloats(6 * 19, 4)];
    a[2 * 6 + 1] = NaN; // row 2 of out
    b[3 * 19 + 17] = Infinity; // column 17 of out, in the edge panel
    const got = runWasm(mm, a, b, shape, false, false);
    const want = reference(a, b, shape, false, false);
    got.forEach((v, i) => expect(Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'finite' : v).toEqual(Number.isNaN(want[i]!) ? 'NaN' : Number.isFinite(want[i]!) ? 'finite' : want[i]));
    expect(got.filter(Number.isNaN)).toHaveLength(19);
  });

  it('writes zeros when k is 0 and nothing when m or n is 0', () => {
    const mm = instances[0]!;
    mm.reserve(4096);
    const f32 = new Float32Array(mm.memory.buffer);
    f32.fill(5, 0, 32);
    mm.matmul(0, 0, 0, 2, 0, 3, false, false);
    expect(Array.from(f32.subarray(0, 7))).toEqual([0, 0, 0, 0, 0, 0, 5]);
    mm.matmul(0, 0, 64, 0, 4, 3, false, false);
    expect(f32[16]).toBe(5);
  });

  it('refuses a scratch area that would overlap the operands, and bad arguments', () => {
    const mm = wasmMatmul()!; // one 64 KiB page
    const size = mm.memory.buffer.byteLength;
    expect(() => mm.matmul(0, 0, size - 4 * 100, 10, 10, 10, false, false)).toThrow(/needs \d+ scratch bytes above its operands.*call reserve\(\d+\)/);
    expect(() => mm.matmul(2, 0, 0, 1, 1, 1, false, false)).toThrow(/aPtr must be a non-negative multiple of 4/);
    expect(() => mm.matmul(0, 0, 0, 1.5, 1, 1, false, false)).toThrow(/m must be a non-negative integer/);
  });

  it('replaces memory.buffer when reserve grows it', () => {
    const mm = wasmMatmul()!;
    const before = new Float32Array(mm.memory.buffer);
    mm.reserve(mm.memory.buffer.byteLength + 1);
    expect(before.length).toBe(0); // detached: views must be re-created
    expect(mm.memory.buffer.byteLength).toBe(2 * 65536);
    mm.reserve(10); // never shrinks
    expect(mm.memory.buffer.byteLength).toBe(2 * 65536);
  });
});
