/**
 * A small WebAssembly binary emitter: just enough of the format to build compute kernels at run
 * time without an external toolchain. A module has function types, an imported memory, functions
 * and exports; a function body is written instruction by instruction through {@link FunctionBuilder},
 * whose methods take named opcodes from the tables below. Only numbers and these fixed opcode
 * tables ever reach the binary.
 *
 * Encoding follows the WebAssembly core specification 2.0 (binary format, chapter 5) and its
 * fixed-width SIMD proposal; relaxed SIMD opcodes are listed for callers that feature-detect them.
 * @module
 */

/**
 * Value types (spec 5.3.1).
 * @example
 * ```ts
 * const type: FuncType = { params: [ValType.i32, ValType.i32], results: [ValType.f32] };
 * ```
 */
export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
/**
 * One of the {@link ValType} codes.
 * @example
 * ```ts
 * const accumulator: ValType = ValType.v128;
 * ```
 */
export type ValType = (typeof ValType)[keyof typeof ValType];

/**
 * Plain (unprefixed) opcodes used by the kernels.
 * @example
 * ```ts
 * body.get(0).get(1).op(Op.i32Add); // local 0 + local 1
 * ```
 */
export const Op = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  f32Load: 0x2a,
  i32Store: 0x36,
  i64Store: 0x37,
  f32Store: 0x38,
  memorySize: 0x3f,
  memoryGrow: 0x40,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivU: 0x6e,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i32ShrU: 0x76,
} as const;
/**
 * One of the plain opcodes in {@link Op}.
 * @example
 * ```ts
 * const add: Op = Op.i32Add;
 * ```
 */
export type Op = (typeof Op)[keyof typeof Op];

/**
 * Opcodes after the 0xFD (SIMD) prefix, from the fixed-width SIMD proposal.
 * @example
 * ```ts
 * body.get(a).get(b).simd(SimdOp.f32x4Mul); // lane-wise a * b
 * ```
 */
export const SimdOp = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i8x16Shuffle: 0x0d,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f32x4ReplaceLane: 0x20,
  v128Store32Lane: 0x5a,
  v128Store64Lane: 0x5b,
  v128Load32Zero: 0x5c,
  v128Load64Zero: 0x5d,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  /** Relaxed SIMD: `a * b + c`, fused or not at the engine's choice. */
  f32x4RelaxedMadd: 0x105,
} as const;
/**
 * One of the SIMD opcodes in {@link SimdOp}.
 * @example
 * ```ts
 * const splatLoad: SimdOp = SimdOp.v128Load32Splat;
 * ```
 */
export type SimdOp = (typeof SimdOp)[keyof typeof SimdOp];

const SIMD_PREFIX = 0xfd;
const BLOCK_TYPE_EMPTY = 0x40;
const FUNC_TYPE = 0x60;
const EXTERNAL_FUNC = 0x00;
const EXTERNAL_MEMORY = 0x02;
const Section = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;

/**
 * A growable byte buffer with the LEB128 encoders of the binary format (spec 5.2.2).
 * @example
 * ```ts
 * new ByteWriter().u32(624485).toBytes(); // [0xe5, 0x8e, 0x26]
 * new ByteWriter().s32(-1).toBytes();     // [0x7f]
 * ```
 */
export class ByteWriter {
  private readonly buf: number[] = [];

  /** Number of bytes written so far. */
  get length(): number {
    return this.buf.length;
  }

  /** Appends raw bytes (each 0..255). */
  byte(...values: number[]): this {
    for (const v of values) this.buf.push(v & 0xff);
    return this;
  }

  /** Appends a run of raw bytes (no spread, so bodies of any size are fine). */
  bytes(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.buf.push(values[i]! & 0xff);
    return this;
  }

  /** Appends an unsigned LEB128 integer (u32). */
  u32(value: number): this {
    let v = value >>> 0;
    do {
      const low = v & 0x7f;
      v >>>= 7;
      this.buf.push(v === 0 ? low : low | 0x80);
    } while (v !== 0);
    return this;
  }

  /** Appends a signed LEB128 integer (i32). */
  s32(value: number): this {
    let v = value | 0;
    for (;;) {
      const low = v & 0x7f;
      v >>= 7;
      // Done when the remaining bits are all copies of the sign bit of `low`.
      if ((v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0)) {
        this.buf.push(low);
        return this;
      }
      this.buf.push(low | 0x80);
    }
  }

  /** Appends a float32 in little-endian order. */
  f32(value: number): this {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.buf.push(view.getUint8(i));
    return this;
  }

  /** Appends a UTF-8 name prefixed by its byte length. */
  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    this.u32(utf8.length);
    for (const b of utf8) this.buf.push(b);
    return this;
  }

  /** Appends another writer's bytes prefixed by their length (how sections and bodies are framed). */
  sized(inner: ByteWriter): this {
    this.u32(inner.length);
    for (const b of inner.buf) this.buf.push(b);
    return this;
  }

  /** The bytes written so far. */
  toBytes(): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.buf);
  }
}

/**
 * A function signature.
 * @example
 * ```ts
 * const binary: FuncType = { params: [ValType.f32, ValType.f32], results: [ValType.f32] };
 * ```
 */
export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/**
 * Writes one function body. Parameters are locals `0..params.length-1`; {@link FunctionBuilder.local}
 * declares more. Methods append instructions in stack-machine order and return `this`.
 * @example
 * ```ts
 * const f = new ModuleBuilder().func({ params: [ValType.i32], results: [ValType.i32] }, 'double');
 * f.get(0).i32Const(2).op(Op.i32Mul); // the final `end` is added when the module is written
 * ```
 */
export class FunctionBuilder {
  readonly code = new ByteWriter();
  private readonly locals: ValType[] = [];

  constructor(readonly type: FuncType) {}

  /** Declares a new local of the given type and returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.type.params.length + this.locals.length - 1;
  }

  /** A plain instruction without immediates (`i32.add`, `end`, `drop`, ...). */
  op(code: Op): this {
    this.code.byte(code);
    return this;
  }

  /** `i32.const value`. */
  i32Const(value: number): this {
    this.code.byte(Op.i32Const).s32(value);
    return this;
  }

  /** `f32.const value`. */
  f32Const(value: number): this {
    this.code.byte(Op.f32Const).f32(value);
    return this;
  }

  /** `local.get index`. */
  get(index: number): this {
    this.code.byte(Op.localGet).u32(index);
    return this;
  }

  /** `local.set index`. */
  set(index: number): this {
    this.code.byte(Op.localSet).u32(index);
    return this;
  }

  /** `local.tee index`. */
  tee(index: number): this {
    this.code.byte(Op.localTee).u32(index);
    return this;
  }

  /** `local[index] += delta` for an i32 local. */
  addTo(index: number, delta: number): this {
    return this.get(index).i32Const(delta).op(Op.i32Add).set(index);
  }

  /**
   * A scalar load or store with its memarg: `alignLog2` is the alignment hint (log2 of bytes) and
   * `offset` a constant byte offset added to the address on the stack.
   */
  mem(code: Op, alignLog2: number, offset = 0): this {
    this.code.byte(code).u32(alignLog2).u32(offset);
    return this;
  }

  /** `block` / `loop` / `if` with an empty block type; close it with `end()`. */
  begin(code: typeof Op.block | typeof Op.loop | typeof Op.if): this {
    this.code.byte(code, BLOCK_TYPE_EMPTY);
    return this;
  }

  /** `end` of the innermost block (and of the body, last). */
  end(): this {
    return this.op(Op.end);
  }

  /** `br depth` (0 = innermost enclosing block or loop). */
  br(depth: number): this {
    this.code.byte(Op.br).u32(depth);
    return this;
  }

  /** `br_if depth`. */
  brIf(depth: number): this {
    this.code.byte(Op.brIf).u32(depth);
    return this;
  }

  /** `call index`. */
  call(index: number): this {
    this.code.byte(Op.call).u32(index);
    return this;
  }

  /** A SIMD instruction without immediates (`f32x4.add`, `f32x4.splat`, ...). */
  simd(code: SimdOp): this {
    this.code.byte(SIMD_PREFIX).u32(code);
    return this;
  }

  /** A SIMD load or store with its memarg (`v128.load`, `v128.load32_splat`, `v128.store`). */
  simdMem(code: SimdOp, alignLog2: number, offset = 0): this {
    this.code.byte(SIMD_PREFIX).u32(code).u32(alignLog2).u32(offset);
    return this;
  }

  /** A SIMD store of one lane with its memarg (`v128.store32_lane`, `v128.store64_lane`). */
  simdMemLane(code: SimdOp, alignLog2: number, offset: number, lane: number): this {
    this.code.byte(SIMD_PREFIX).u32(code).u32(alignLog2).u32(offset).byte(lane);
    return this;
  }

  /** A SIMD lane instruction (`f32x4.extract_lane`, `f32x4.replace_lane`). */
  simdLane(code: SimdOp, lane: number): this {
    this.code.byte(SIMD_PREFIX).u32(code).byte(lane);
    return this;
  }

  /** `v128.const` of four float32 lanes. */
  f32x4Const(lanes: readonly [number, number, number, number]): this {
    this.code.byte(SIMD_PREFIX).u32(SimdOp.v128Const);
    for (const v of lanes) this.code.f32(v);
    return this;
  }

  /** `i8x16.shuffle` with 16 lane indices (0..31 over the two operands' bytes). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new RangeError(`i8x16.shuffle needs 16 lane indices, got ${lanes.length}`);
    this.code.byte(SIMD_PREFIX).u32(SimdOp.i8x16Shuffle).byte(...lanes);
    return this;
  }

  /** The encoded body: local declarations (runs of equal types), instructions, and a final `end`. */
  encode(): ByteWriter {
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const body = new ByteWriter().u32(runs.length);
    for (const [count, t] of runs) body.u32(count).byte(t);
    body.bytes(this.code.toBytes()).byte(Op.end);
    return new ByteWriter().sized(body);
  }
}

/**
 * An imported linear memory: `(import module name (memory min))`.
 * @example
 * ```ts
 * new ModuleBuilder().importMemory({ module: 'env', name: 'memory', minPages: 1 });
 * ```
 */
export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  /** Initial size in 64 KiB pages. */
  readonly minPages: number;
}

/**
 * Collects types, an imported memory, functions and exports, and writes the module binary.
 * @example
 * ```ts
 * const mod = new ModuleBuilder();
 * const add = mod.func({ params: [ValType.i32, ValType.i32], results: [ValType.i32] }, 'add');
 * add.get(0).get(1).op(Op.i32Add);
 * const { instance } = await WebAssembly.instantiate(mod.toBytes());
 * (instance.exports.add as (a: number, b: number) => number)(2, 3); // 5
 * ```
 */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly funcs: { typeIndex: number; builder: FunctionBuilder }[] = [];
  private readonly exports: { name: string; index: number }[] = [];
  private memory: MemoryImport | undefined;

  /** Imports the module's single linear memory (memory index 0). */
  importMemory(memory: MemoryImport): this {
    this.memory = memory;
    return this;
  }

  /**
   * Adds a function and returns its body builder; exported under `exportName` if given.
   * Function indices follow the order of `func` calls (no function imports).
   */
  func(type: FuncType, exportName?: string): FunctionBuilder {
    const builder = new FunctionBuilder(type);
    const index = this.funcs.length;
    this.funcs.push({ typeIndex: this.typeIndex(type), builder });
    if (exportName !== undefined) this.exports.push({ name: exportName, index });
    return builder;
  }

  /** Exports a function (again) under another name. */
  exportFunc(name: string, builder: FunctionBuilder): this {
    this.exports.push({ name, index: this.indexOf(builder) });
    return this;
  }

  /** Index of a function builder returned by {@link ModuleBuilder.func}, for `call`. */
  indexOf(builder: FunctionBuilder): number {
    const index = this.funcs.findIndex((f) => f.builder === builder);
    if (index < 0) throw new RangeError('function does not belong to this module');
    return index;
  }

  /** The module binary. */
  toBytes(): Uint8Array<ArrayBuffer> {
    const out = new ByteWriter().byte(0x00, 0x61, 0x73, 0x6d).byte(0x01, 0x00, 0x00, 0x00); // "\0asm", version 1
    out.byte(Section.type).sized(this.vector(this.types, (w, t) => {
      w.byte(FUNC_TYPE).u32(t.params.length).byte(...t.params).u32(t.results.length).byte(...t.results);
    }));
    if (this.memory !== undefined) {
      const m = this.memory;
      // Limits flag 0: a minimum only, so the memory can grow without bound (up to 4 GiB).
      out.byte(Section.import).sized(this.vector([m], (w) => w.name(m.module).name(m.name).byte(EXTERNAL_MEMORY, 0x00).u32(m.minPages)));
    }
    out.byte(Section.function).sized(this.vector(this.funcs, (w, f) => w.u32(f.typeIndex)));
    out.byte(Section.export).sized(this.vector(this.exports, (w, e) => w.name(e.name).byte(EXTERNAL_FUNC).u32(e.index)));
    out.byte(Section.code).sized(this.vector(this.funcs, (w, f) => w.bytes(f.builder.encode().toBytes())));
    return out.toBytes();
  }

  private typeIndex(type: FuncType): number {
    const same = (a: readonly ValType[], b: readonly ValType[]) => a.length === b.length && a.every((v, i) => v === b[i]);
    const found = this.types.findIndex((t) => same(t.params, type.params) && same(t.results, type.results));
    if (found >= 0) return found;
    this.types.push(type);
    return this.types.length - 1;
  }

  private vector<T>(items: readonly T[], write: (w: ByteWriter, item: T) => void): ByteWriter {
    const w = new ByteWriter().u32(items.length);
    for (const item of items) write(w, item);
    return w;
  }
}
