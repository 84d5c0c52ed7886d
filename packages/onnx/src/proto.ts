/**
 * Reading and writing ONNX protobuf bytes with the generated ONNX descriptors of `onnx-buf`
 * (onnx.proto of ONNX 1.20, compiled by protoc-gen-es) and `@bufbuild/protobuf`: no hand-written
 * wire format, no code generation at run time, no Node built-in (runs in browsers).
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { OnnxFormatError } from './errors.js';

export type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';

/**
 * ONNX's element types (TensorProto.DataType) that stablegrad reads or writes.
 * @example
 * ```ts
 * ONNX_TYPE.float; // 1
 * ```
 */
export const ONNX_TYPE = { float: 1, int32: 6, int64: 7, bool: 9, double: 11 } as const;

/**
 * Decodes ONNX model bytes. Anything the protobuf reader refuses (truncated data, a length past
 * the end, invalid wire types, nesting deep enough to exhaust the stack) becomes an
 * `OnnxFormatError` naming `where`.
 * @example
 * ```ts
 * const model = decodeModel(bytes, 'model.onnx');
 * model.graph?.node.length;
 * ```
 */
export function decodeModel(bytes: Uint8Array, where: string): ModelProto {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (error) {
    throw new OnnxFormatError(`${where}: not a readable ONNX model: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (model.graph === undefined || model.irVersion === 0n) {
    throw new OnnxFormatError(`${where}: not an ONNX model: it has no ${model.graph === undefined ? 'graph' : 'ir_version'}`);
  }
  return model;
}

/**
 * Encodes a model message built with `create(ModelProtoSchema, ...)` to bytes.
 * @example
 * ```ts
 * const bytes = encodeModel(create(ModelProtoSchema, { irVersion: 8n }));
 * ```
 */
export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

export { create, ModelProtoSchema };
