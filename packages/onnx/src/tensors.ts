/**
 * ONNX TensorProto <-> stablegrad tensors, with every size checked before anything is allocated.
 * @module
 */
import { MAX_ELEMENTS, tensor, type DType, type Tensor } from '@stablegrad/core';
import { OnnxFormatError } from './errors.js';
import { ONNX_TYPE, type TensorProto } from './proto.js';

/**
 * A tensor read from ONNX: float tensors as stablegrad tensors; int64/int32 values kept as plain
 * numbers for shape-like inputs (Reshape's shape, reduction axes).
 * @example
 * ```ts
 * const t = readTensor(model.graph.initializer[0], 'model.onnx');
 * t.dims; // [25, 64]
 * ```
 */
export interface OnnxTensor {
  readonly dims: readonly number[];
  /** stablegrad dtype (int64 is read as int32 when every value fits). */
  readonly dtype: DType;
  readonly data: Float32Array | Float64Array | Int32Array;
}

const ELEMENT_BYTES: { readonly [type: number]: number } = { [ONNX_TYPE.float]: 4, [ONNX_TYPE.double]: 8, [ONNX_TYPE.int32]: 4, [ONNX_TYPE.int64]: 8, [ONNX_TYPE.bool]: 1 };

/**
 * Reads a TensorProto, checking its dims, its element type and that its data holds exactly the
 * number of elements the dims declare (huge declared sizes are refused before allocation).
 * @example
 * ```ts
 * readTensor(proto, "initializer 'l1.weight'").data; // Float32Array(1600)
 * ```
 */
export function readTensor(t: TensorProto, where: string): OnnxTensor {
  const dims = t.dims.map((d) => {
    if (d < 0n || d > BigInt(MAX_ELEMENTS)) throw new OnnxFormatError(`${where}: dimension ${d} is out of range`);
    return Number(d);
  });
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_ELEMENTS) throw new OnnxFormatError(`${where}: ${size} elements is more than stablegrad's limit of ${MAX_ELEMENTS}`);
  if (t.dataLocation === 1 || t.externalData.length > 0) throw new OnnxFormatError(`${where}: tensor '${t.name}' stores its data in an external file, which fromOnnx does not read`);
  const width = ELEMENT_BYTES[t.dataType];
  if (width === undefined) throw new OnnxFormatError(`${where}: tensor '${t.name}' has ONNX element type ${t.dataType}; stablegrad reads float, double, int32, int64 and bool`);
  const raw = t.rawData.length > 0;
  const count = raw ? t.rawData.length / width : fieldLength(t);
  if (count !== size) throw new OnnxFormatError(`${where}: tensor '${t.name}' declares dims [${dims.join(', ')}] (${size} elements) but holds ${count}`);
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  switch (t.dataType) {
    case ONNX_TYPE.float:
      return { dims, dtype: 'float32', data: raw ? Float32Array.from({ length: size }, (_, i) => view.getFloat32(i * 4, true)) : Float32Array.from(t.floatData) };
    case ONNX_TYPE.double:
      return { dims, dtype: 'float64', data: raw ? Float64Array.from({ length: size }, (_, i) => view.getFloat64(i * 8, true)) : Float64Array.from(t.doubleData) };
    case ONNX_TYPE.int32:
    case ONNX_TYPE.bool:
      return { dims, dtype: 'int32', data: raw ? Int32Array.from({ length: size }, (_, i) => (width === 1 ? view.getUint8(i) : view.getInt32(i * 4, true))) : Int32Array.from(t.int32Data) };
    default: {
      const values = raw ? Array.from({ length: size }, (_, i) => view.getBigInt64(i * 8, true)) : t.int64Data;
      return { dims, dtype: 'int32', data: Int32Array.from(values, (v) => clampInt32(v, where, t.name)) };
    }
  }
}

/** int64 values (shapes, axes, class labels) must fit int32; INT64_MAX/MIN (Slice's "to the end") saturate. */
function clampInt32(v: bigint, where: string, name: string): number {
  if (v >= 2n ** 31n) return 2 ** 31 - 1;
  if (v < -(2n ** 31n)) {
    if (v === -(2n ** 63n)) return -(2 ** 31);
    throw new OnnxFormatError(`${where}: tensor '${name}' holds the int64 ${v}, out of stablegrad's int32 range`);
  }
  return Number(v);
}

function fieldLength(t: TensorProto): number {
  switch (t.dataType) {
    case ONNX_TYPE.float: return t.floatData.length;
    case ONNX_TYPE.double: return t.doubleData.length;
    case ONNX_TYPE.int64: return t.int64Data.length;
    default: return t.int32Data.length;
  }
}

/**
 * A read tensor as a stablegrad tensor.
 * @example
 * ```ts
 * toTensor(readTensor(proto, 'x')).shape; // [25, 64]
 * ```
 */
export function toTensor(t: OnnxTensor): Tensor {
  return tensor(t.data, { dtype: t.dtype, shape: t.dims });
}

/**
 * The ONNX element type of a stablegrad dtype.
 * @example
 * ```ts
 * onnxType('float64'); // 11
 * ```
 */
export function onnxType(dtype: DType): number {
  switch (dtype) {
    case 'float32': return ONNX_TYPE.float;
    case 'float64': return ONNX_TYPE.double;
    case 'int32': return ONNX_TYPE.int32;
    default: return dtype satisfies never;
  }
}

/**
 * Little-endian raw bytes of a typed array (ONNX's raw_data layout).
 * @example
 * ```ts
 * rawBytes(new Float32Array([1])).length; // 4
 * ```
 */
export function rawBytes(data: Float32Array | Float64Array | Int32Array | BigInt64Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v: number | bigint, i: number) => {
    if (data instanceof Float32Array) view.setFloat32(i * 4, Number(v), true);
    else if (data instanceof Float64Array) view.setFloat64(i * 8, Number(v), true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, Number(v), true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  });
  return out;
}
