/**
 * Generates the WebAssembly SIMD matmul module: packing routines, a register-tiled micro-kernel
 * and the loop nest that drives them (GotoBLAS-style, single-threaded).
 *
 * - **Packing.** Both operands are copied into a scratch area first: A into row panels of `mr`
 *   rows laid out `[p][mr]`, B into column panels of `nr` columns laid out `[p][nr]`, each zero
 *   padded to full panels and to `kPad` (k rounded up to the unroll factor). After packing, all four
 *   transpose variants run the same kernel over two sequential streams, which is why transA and
 *   transB cost the same as the plain product. When the source is stored the other way round,
 *   packing transposes 4x4 blocks (and column pairs) with shuffles. Packing costs 1-3% of the
 *   W2 products.
 * - **Micro-kernel.** An `mr` x `nr` block of the output lives in `mr * nr / 4` v128 locals for the
 *   whole k loop; each step loads `nr / 4` vectors of B, splat-loads one A value per row
 *   (`v128.load32_splat`), and does `mr * nr / 4` multiply-adds. The k loop can be unrolled with
 *   constant memarg offsets, but V8 then hoists loads and spills accumulators, so the default
 *   does not unroll.
 * - **Blocking.** The loop nest is k-block (`kc`) -> column panel -> row panel: a `kc` x `nr` slice
 *   of packed B (24 KiB with the defaults) stays in L1 while it meets every row panel of A.
 *   Later k-blocks add to the output instead of overwriting it.
 * - **Edges.** A tile that sticks out of the output (m or n not a multiple of the tile) is computed
 *   into a scratch tile and its valid part copied; the zero padding makes the extra lanes harmless.
 * @module
 */
import { type FunctionBuilder, ModuleBuilder, Op, SimdOp, ValType } from './emit.js';

/**
 * Tiling parameters of the generated kernel.
 * @example
 * ```ts
 * const wide: MatmulKernelConfig = { ...defaultKernelConfig, mr: 4, nr: 8 };
 * ```
 */
export interface MatmulKernelConfig {
  /** Output rows per micro-tile. */
  readonly mr: number;
  /** Output columns per micro-tile (a multiple of 4: whole v128 lanes). */
  readonly nr: number;
  /** Depth of a k-block (a multiple of `unroll`). */
  readonly kc: number;
  /** Unroll factor of the k loop; k is zero-padded to a multiple of it. */
  readonly unroll: number;
  /** Use relaxed SIMD `f32x4.relaxed_madd` (one fused or unfused op) instead of `mul` + `add`. */
  readonly fma: boolean;
}

/**
 * The tiling measured fastest on the development machine (AMD EPYC, Node 20; see
 * bench/src/matmul-kernel.ts): 2 x 16 tiles keep 8 accumulators, 4 B vectors, a splat and a product in 14 of
 * V8's 15 allocatable xmm registers; unrolling the k loop only made V8 spill.
 * @example
 * ```ts
 * defaultKernelConfig.mr * defaultKernelConfig.nr; // 32 outputs per micro-tile
 * ```
 */
export const defaultKernelConfig: MatmulKernelConfig = { mr: 2, nr: 16, kc: 384, unroll: 1, fma: false };

/**
 * Name of the imported memory: `(import "env" "memory" (memory 1))`.
 * @example
 * ```ts
 * const imports = { [memoryImport.module]: { [memoryImport.name]: memory } };
 * ```
 */
export const memoryImport = { module: 'env', name: 'memory' } as const;

const { i32, v128 } = ValType;
const F32 = 4; // bytes per float32

/** Emits `for (i = from; i < to; i += step) body()`; `from` and `to` each push one i32. */
function forLoop(f: FunctionBuilder, i: number, from: () => void, to: () => void, step: number, body: () => void): void {
  from();
  f.set(i).begin(Op.block).begin(Op.loop);
  f.get(i);
  to();
  f.op(Op.i32GeS).brIf(1);
  body();
  f.addTo(i, step).br(0).end().end();
}

/** Emits `if (cond) then() else otherwise()`; `cond` pushes one i32. */
function ifElse(f: FunctionBuilder, cond: () => void, then: () => void, otherwise?: () => void): void {
  cond();
  f.begin(Op.if);
  then();
  if (otherwise !== undefined) {
    f.op(Op.else);
    otherwise();
  }
  f.end();
}

/** Pushes `min(a, b)` of two i32 locals (signed). */
function minOf(f: FunctionBuilder, a: () => void, b: () => void): void {
  a();
  b();
  a();
  b();
  f.op(Op.i32LtS).op(Op.select);
}

/**
 * `micro(aP, bP, cP, ldc, steps, accumulate)`: one `mr` x `nr` output tile at byte address `cP`
 * with row stride `ldc` bytes, from `steps` (> 0, a multiple of `unroll`) packed k-steps. Adds to
 * the tile when `accumulate` is non-zero, else overwrites it.
 */
function emitMicroKernel(mod: ModuleBuilder, c: MatmulKernelConfig): FunctionBuilder {
  const f = mod.func({ params: [i32, i32, i32, i32, i32, i32], results: [] });
  const [aP, bP, cP, ldc, steps, accumulate] = [0, 1, 2, 3, 4, 5];
  const vectors = c.nr / 4;
  const acc = Array.from({ length: c.mr }, () => Array.from({ length: vectors }, () => f.local(v128)));
  const b = Array.from({ length: vectors }, () => f.local(v128));
  const a = f.local(v128);
  const row = f.local(i32);

  const eachRow = (body: (r: number) => void) => {
    f.get(cP).set(row);
    for (let r = 0; r < c.mr; r++) {
      body(r);
      f.get(row).get(ldc).op(Op.i32Add).set(row);
    }
  };
  ifElse(
    f,
    () => f.get(accumulate),
    () => eachRow((r) => acc[r]!.forEach((v, j) => f.get(row).simdMem(SimdOp.v128Load, 2, j * 16).set(v))),
    () => acc.flat().forEach((v) => f.f32x4Const([0, 0, 0, 0]).set(v)),
  );

  f.begin(Op.loop);
  for (let u = 0; u < c.unroll; u++) {
    b.forEach((v, j) => f.get(bP).simdMem(SimdOp.v128Load, 4, (u * c.nr + j * 4) * F32).set(v));
    for (let r = 0; r < c.mr; r++) {
      f.get(aP).simdMem(SimdOp.v128Load32Splat, 2, (u * c.mr + r) * F32).set(a);
      acc[r]!.forEach((v, j) => {
        // acc += a * b, in float32: either one relaxed multiply-add or a rounded product then a sum.
        if (c.fma) f.get(a).get(b[j]!).get(v).simd(SimdOp.f32x4RelaxedMadd).set(v);
        else f.get(v).get(a).get(b[j]!).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(v);
      });
    }
  }
  f.addTo(aP, c.unroll * c.mr * F32).addTo(bP, c.unroll * c.nr * F32);
  f.get(steps).i32Const(c.unroll).op(Op.i32Sub).tee(steps).brIf(0);
  f.end();

  eachRow((r) => acc[r]!.forEach((v, j) => f.get(row).get(v).simdMem(SimdOp.v128Store, 2, j * 16)));
  return f;
}

/**
 * `pack(src, dst, k, len, kPad, transposed)`: copies a k x len operand into panels of `width`
 * columns laid out `[panel][p][width]`, zero-padded to whole panels and to `kPad` rows. Element
 * (p, j) is at `src + (p * len + j) * 4`, or at `src + (j * k + p) * 4` when `transposed`.
 */
function emitPack(mod: ModuleBuilder, width: number): FunctionBuilder {
  const f = mod.func({ params: [i32, i32, i32, i32, i32, i32], results: [] });
  const [src, dst, k, len, kPad, transposed] = [0, 1, 2, 3, 4, 5];
  const [j0, p, q, col, kBytes] = [f.local(i32), f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const rs = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)] as const;
  const ts = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)] as const;
  const zero = () => f.i32Const(0);
  const advance = (steps: number) => f.addTo(dst, steps * width * F32);
  /** Pushes `src + index * 4` for the index pushed by `index`. */
  const address = (index: () => void) => {
    index();
    f.i32Const(2).op(Op.i32Shl).get(src).op(Op.i32Add);
  };
  // Byte lanes of i8x16.shuffle picking float32 lanes: 0-3 from the first operand, 4-7 from the second.
  const lanes = (...fl: number[]) => fl.flatMap((l) => [0, 1, 2, 3].map((byte) => l * 4 + byte));

  /**
   * Transposed source: 4 steps at a time, q walking the columns. Groups of 4 columns are 4x4
   * transposes (two rounds of shuffles); a pair of columns is one interleave stored as 64-bit
   * lanes; a last single column is stored lane by lane.
   */
  const packTransposedBlocks = () =>
    forLoop(f, p, zero, () => f.get(k).i32Const(3).op(Op.i32Sub), 4, () => {
      address(() => f.get(j0).get(k).op(Op.i32Mul).get(p).op(Op.i32Add));
      f.set(q);
      const loadColumns = (count: number) => {
        for (const r of rs.slice(0, count)) f.get(q).simdMem(SimdOp.v128Load, 2).set(r).get(q).get(kBytes).op(Op.i32Add).set(q);
      };
      /** Byte offset in the packed panel of step `step` (0..3), column `c`. */
      const at = (step: number, c: number) => (step * width + c) * F32;
      let c0 = 0;
      for (; c0 + 4 <= width; c0 += 4) {
        loadColumns(4);
        f.get(rs[0]).get(rs[1]).shuffle(lanes(0, 4, 1, 5)).set(ts[0]);
        f.get(rs[0]).get(rs[1]).shuffle(lanes(2, 6, 3, 7)).set(ts[1]);
        f.get(rs[2]).get(rs[3]).shuffle(lanes(0, 4, 1, 5)).set(ts[2]);
        f.get(rs[2]).get(rs[3]).shuffle(lanes(2, 6, 3, 7)).set(ts[3]);
        const halves = [[ts[0], ts[2], lanes(0, 1, 4, 5)], [ts[0], ts[2], lanes(2, 3, 6, 7)], [ts[1], ts[3], lanes(0, 1, 4, 5)], [ts[1], ts[3], lanes(2, 3, 6, 7)]] as const;
        halves.forEach(([x, y, sel], step) => f.get(dst).get(x).get(y).shuffle(sel).simdMem(SimdOp.v128Store, 2, at(step, c0)));
      }
      if (c0 + 2 <= width) {
        loadColumns(2);
        f.get(rs[0]).get(rs[1]).shuffle(lanes(0, 4, 1, 5)).set(ts[0]);
        f.get(rs[0]).get(rs[1]).shuffle(lanes(2, 6, 3, 7)).set(ts[1]);
        [ts[0], ts[0], ts[1], ts[1]].forEach((t, step) => f.get(dst).get(t).simdMemLane(SimdOp.v128Store64Lane, 2, at(step, c0), step % 2));
        c0 += 2;
      }
      if (c0 < width) {
        loadColumns(1);
        for (let step = 0; step < 4; step++) f.get(dst).get(rs[0]).simdMemLane(SimdOp.v128Store32Lane, 2, at(step, c0), step);
      }
      advance(4);
    });

  /** Transposed source, one step at a time from `from` to k. */
  const packTransposedSteps = (from: () => void) =>
    forLoop(f, p, from, () => f.get(k), 1, () => {
      address(() => f.get(j0).get(k).op(Op.i32Mul).get(p).op(Op.i32Add));
      f.set(q);
      for (let c = 0; c < width; c++) f.get(dst).get(q).mem(Op.i32Load, 2).mem(Op.i32Store, 2, c * F32).get(q).get(kBytes).op(Op.i32Add).set(q);
      advance(1);
    });

  /** Direct source: row p of the panel is `width` contiguous floats, copied as vectors then floats. */
  const packDirect = () => {
    address(() => f.get(j0));
    f.set(q);
    forLoop(f, p, zero, () => f.get(k), 1, () => {
      let c = 0;
      for (; c + 4 <= width; c += 4) f.get(dst).get(q).simdMem(SimdOp.v128Load, 2, c * F32).simdMem(SimdOp.v128Store, 2, c * F32);
      // Two floats move as one i64 (loads and stores copy bits exactly, NaN payloads included).
      for (; c + 2 <= width; c += 2) f.get(dst).get(q).mem(Op.i64Load, 2, c * F32).mem(Op.i64Store, 2, c * F32);
      for (; c < width; c++) f.get(dst).get(q).mem(Op.i32Load, 2, c * F32).mem(Op.i32Store, 2, c * F32);
      f.get(q).get(len).i32Const(2).op(Op.i32Shl).op(Op.i32Add).set(q);
      advance(1);
    });
  };

  /** The last, partial panel: element by element, zeros past the edge. */
  const packPartial = () =>
    forLoop(f, p, zero, () => f.get(k), 1, () => {
      forLoop(f, col, zero, () => f.i32Const(width), 1, () => {
        ifElse(
          f,
          () => f.get(j0).get(col).op(Op.i32Add).get(len).op(Op.i32LtS),
          () => {
            ifElse(
              f,
              () => f.get(transposed),
              () => f.get(j0).get(col).op(Op.i32Add).get(k).op(Op.i32Mul).get(p).op(Op.i32Add).set(q),
              () => f.get(p).get(len).op(Op.i32Mul).get(j0).op(Op.i32Add).get(col).op(Op.i32Add).set(q),
            );
            f.get(col).i32Const(2).op(Op.i32Shl).get(dst).op(Op.i32Add);
            address(() => f.get(q));
            f.mem(Op.i32Load, 2).mem(Op.i32Store, 2);
          },
          () => f.get(col).i32Const(2).op(Op.i32Shl).get(dst).op(Op.i32Add).f32Const(0).mem(Op.f32Store, 2),
        );
      });
      advance(1);
    });

  f.get(k).i32Const(2).op(Op.i32Shl).set(kBytes);
  forLoop(f, j0, zero, () => f.get(len), width, () => {
    ifElse(
      f,
      () => f.get(j0).i32Const(width).op(Op.i32Add).get(len).op(Op.i32LeS),
      () =>
        ifElse(
          f,
          () => f.get(transposed),
          () => {
            packTransposedBlocks();
            packTransposedSteps(() => f.get(k).get(k).i32Const(3).op(Op.i32And).op(Op.i32Sub));
          },
          packDirect,
        ),
      packPartial,
    );
    // Rows k..kPad of the panel are zero.
    forLoop(f, p, () => f.get(k), () => f.get(kPad), 1, () => {
      for (let c = 0; c < width; c++) f.get(dst).f32Const(0).mem(Op.f32Store, 2, c * F32);
      advance(1);
    });
  });
  return f;
}

/** `copy(src, srcLd, dst, dstLd, rows, cols)`: copies a rows x cols float32 block (strides in bytes). */
function emitCopyBlock(mod: ModuleBuilder): FunctionBuilder {
  const f = mod.func({ params: [i32, i32, i32, i32, i32, i32], results: [] });
  const [src, srcLd, dst, dstLd, rows, cols] = [0, 1, 2, 3, 4, 5];
  const [r, c] = [f.local(i32), f.local(i32)];
  forLoop(f, r, () => f.i32Const(0), () => f.get(rows), 1, () => {
    forLoop(f, c, () => f.i32Const(0), () => f.get(cols), 1, () => {
      const at = (base: number) => f.get(c).i32Const(2).op(Op.i32Shl).get(base).op(Op.i32Add);
      at(dst);
      at(src);
      f.mem(Op.i32Load, 2).mem(Op.i32Store, 2);
    });
    f.get(src).get(srcLd).op(Op.i32Add).set(src);
    f.get(dst).get(dstLd).op(Op.i32Add).set(dst);
  });
  return f;
}

/**
 * The exported driver: `matmul(aPtr, bPtr, outPtr, m, k, n, transA, transB, packedA, packedB,
 * tile, kPad)`. The caller (matmul.ts) lays out the scratch area and passes its addresses.
 */
function emitDriver(mod: ModuleBuilder, c: MatmulKernelConfig, micro: FunctionBuilder, packA: FunctionBuilder, packB: FunctionBuilder, copy: FunctionBuilder): void {
  const f = mod.func({ params: Array.from({ length: 12 }, () => i32), results: [] }, 'matmul');
  const [aPtr, bPtr, outPtr, m, k, n, transA, transB, packedA, packedB, tile, kPad] = Array.from({ length: 12 }, (_, i) => i) as [
    number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const [pc, kc, j0, i0, aP, bP, rows, cols, cAt] = Array.from({ length: 9 }, () => f.local(i32)) as [number, number, number, number, number, number, number, number, number];
  const bytes = (x: () => void) => {
    x();
    f.i32Const(2).op(Op.i32Shl);
  };

  // A is k x m "direct" when stored transposed ([k, m]); B is k x n direct unless transB.
  f.get(aPtr).get(packedA).get(k).get(m).get(kPad).get(transA).op(Op.i32Eqz).call(mod.indexOf(packA));
  f.get(bPtr).get(packedB).get(k).get(n).get(kPad).get(transB).call(mod.indexOf(packB));

  forLoop(f, pc, () => f.i32Const(0), () => f.get(kPad), c.kc, () => {
    minOf(f, () => f.i32Const(c.kc), () => f.get(kPad).get(pc).op(Op.i32Sub));
    f.set(kc);
    forLoop(f, j0, () => f.i32Const(0), () => f.get(n), c.nr, () => {
      // Panel j0 / nr starts at j0 * kPad floats; k-block pc at pc * nr floats into it.
      bytes(() => f.get(j0).get(kPad).op(Op.i32Mul).get(pc).i32Const(c.nr).op(Op.i32Mul).op(Op.i32Add));
      f.get(packedB).op(Op.i32Add).set(bP);
      forLoop(f, i0, () => f.i32Const(0), () => f.get(m), c.mr, () => {
        bytes(() => f.get(i0).get(kPad).op(Op.i32Mul).get(pc).i32Const(c.mr).op(Op.i32Mul).op(Op.i32Add));
        f.get(packedA).op(Op.i32Add).set(aP);
        bytes(() => f.get(i0).get(n).op(Op.i32Mul).get(j0).op(Op.i32Add));
        f.get(outPtr).op(Op.i32Add).set(cAt);
        const accumulate = () => f.get(pc).i32Const(0).op(Op.i32Ne);
        const ldc = () => bytes(() => f.get(n));
        ifElse(
          f,
          () => f.get(i0).i32Const(c.mr).op(Op.i32Add).get(m).op(Op.i32LeS).get(j0).i32Const(c.nr).op(Op.i32Add).get(n).op(Op.i32LeS).op(Op.i32And),
          () => {
            f.get(aP).get(bP).get(cAt);
            ldc();
            f.get(kc);
            accumulate();
            f.call(mod.indexOf(micro));
          },
          () => {
            minOf(f, () => f.i32Const(c.mr), () => f.get(m).get(i0).op(Op.i32Sub));
            f.set(rows);
            minOf(f, () => f.i32Const(c.nr), () => f.get(n).get(j0).op(Op.i32Sub));
            f.set(cols);
            ifElse(f, accumulate, () => {
              f.get(cAt);
              ldc();
              f.get(tile).i32Const(c.nr * F32).get(rows).get(cols).call(mod.indexOf(copy));
            });
            f.get(aP).get(bP).get(tile).i32Const(c.nr * F32).get(kc);
            accumulate();
            f.call(mod.indexOf(micro));
            f.get(tile).i32Const(c.nr * F32).get(cAt);
            ldc();
            f.get(rows).get(cols).call(mod.indexOf(copy));
          },
        );
      });
    });
  });
}

/** Throws unless the configuration can be generated. */
function checkConfig(c: MatmulKernelConfig): void {
  const ok = c.mr >= 1 && c.nr >= 4 && c.nr % 4 === 0 && c.unroll >= 1 && c.kc >= c.unroll && c.kc % c.unroll === 0;
  if (!ok) throw new RangeError(`bad matmul kernel config ${JSON.stringify(c)}: need mr >= 1, nr a multiple of 4, kc a multiple of unroll`);
}

/**
 * The module binary for one tiling configuration. It imports `env.memory` and exports `matmul`,
 * `packA` and `packB`.
 * @example
 * ```ts
 * const bytes = matmulModuleBytes(defaultKernelConfig);
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 * ```
 */
export function matmulModuleBytes(config: MatmulKernelConfig = defaultKernelConfig): Uint8Array<ArrayBuffer> {
  checkConfig(config);
  const mod = new ModuleBuilder().importMemory({ ...memoryImport, minPages: 1 });
  const micro = emitMicroKernel(mod, config);
  const packA = emitPack(mod, config.mr);
  const packB = config.nr === config.mr ? packA : emitPack(mod, config.nr);
  const copy = emitCopyBlock(mod);
  emitDriver(mod, config, micro, packA, packB, copy);
  // The packing routines are exported too, so tests and benchmarks can look at them alone.
  mod.exportFunc('packA', packA).exportFunc('packB', packB);
  return mod.toBytes();
}
