/**
 * stablegrad -> ONNX: `toOnnx` writes a graph (forward, stabilized loss or gradient) as an ONNX
 * model for ONNX Runtime, each op through its entry of `EXPORTS`.
 * @module
 */
import { graph as makeGraph, isGraph, type Dim, type DType, type Graph, type GraphOutputs, type Node } from '@stablegrad/core';
import { OnnxExportError } from './errors.js';
import type { Emit, OnnxAttrs } from './emit.js';
import { EXPORTS } from './export-table.js';
import {
  create, encodeModel, ModelProtoSchema, ONNX_TYPE,
  type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from './proto.js';
import { onnxType, rawBytes } from './tensors.js';
import { AttributeProtoSchema, GraphProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema, TensorProtoSchema, TensorShapeProto_DimensionSchema, TensorShapeProtoSchema, TypeProto_TensorSchema, TypeProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';

/**
 * The ONNX opset `toOnnx` writes by default (reductions take their axes as inputs from 18 on).
 * @example
 * ```ts
 * toOnnx(g, { opset: ONNX_OPSET }); // the default
 * ```
 */
export const ONNX_OPSET = 18;

/**
 * Options of `toOnnx`.
 * @example
 * ```ts
 * toOnnx(loss, { name: 'digits-loss', docString: 'stabilized cross-entropy' });
 * ```
 */
export interface ToOnnxOptions {
  /** The ONNX graph's name (default `stablegrad`). */
  readonly name?: string;
  /** Opset to declare, 18 or later (default `ONNX_OPSET`). */
  readonly opset?: number;
  /** A description stored in the model. */
  readonly docString?: string;
}

/**
 * Exports a stablegrad graph (or output nodes) to ONNX model bytes: `input` nodes become graph
 * inputs (named dimensions such as `batch` become dim params), `param` and `constant` nodes
 * become initializers named by their paths, every other op becomes the ONNX operators of its
 * `EXPORTS` entry: fused losses and their gradients as stable decompositions. Outputs keep the
 * graph's output names. An op with no faithful mapping throws `OnnxExportError` naming the op
 * and the node.
 * @example
 * ```ts
 * const x = input(['batch', 4], { name: 'x' });
 * const y = input(['batch', 4], { name: 'y' });
 * const bytes = toOnnx({ loss: sigmoidCrossEntropyWithLogits(x, y).mean() });
 * await InferenceSession.create(bytes); // onnxruntime-node or onnxruntime-web
 * ```
 */
export function toOnnx(target: Graph | GraphOutputs, options: ToOnnxOptions = {}): Uint8Array {
  const g = isGraph(target) ? target : makeGraph(target);
  const opset = options.opset ?? ONNX_OPSET;
  if (!Number.isInteger(opset) || opset < ONNX_OPSET) throw new OnnxExportError('toOnnx', `toOnnx writes opset ${ONNX_OPSET} or later, not ${opset}`);
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const inputs: ValueInfoProto[] = [];
  const names = new Map<Node, string>();
  const used = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  // Where each named dimension can be read at run time: the first graph input that has it.
  const dimSources = new Map<string, { input: string; axis: number }>();
  let constants = 0;

  const constantTensor = (values: readonly number[], dtype: DType | 'int64', dims: readonly number[]): string => {
    const name = unique(`const_${constants++}`);
    const data = dtype === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v))
      : dtype === 'float64' ? Float64Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    initializers.push(create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: dtype === 'int64' ? ONNX_TYPE.int64 : onnxType(dtype), rawData: rawBytes(data) }));
    return name;
  };

  for (const [index, node] of g.nodes.entries()) {
    const mapping = EXPORTS[node.op];
    if ('source' in mapping) {
      const name = unique(node.op === 'input' ? node.name : node.path);
      names.set(node, name);
      if (node.op === 'input') {
        if (name !== node.name) throw new OnnxExportError('input', `two inputs are named '${node.name}': ONNX graph inputs need distinct names`);
        inputs.push(valueInfo(name, node.dtype, node.shape));
        node.shape.forEach((d, axis) => {
          if (typeof d === 'string' && !dimSources.has(d)) dimSources.set(d, { input: name, axis });
        });
      } else {
        const value = node.value!;
        initializers.push(create(TensorProtoSchema, { name, dims: value.shape.map(BigInt), dataType: onnxType(value.dtype), rawData: rawBytes(value.data) }));
      }
      continue;
    }
    if (mapping.onnx === null) throw new OnnxExportError(node.op, `${node.op} '${node.path}' has no faithful ONNX mapping: ${mapping.reason}`);
    const prefix = `${node.path}#${index}`;
    let count = 0;
    const e: Emit = {
      node,
      inputs: node.inputs.map((n) => names.get(n)!),
      op: (type, ins, attrs = {}) => {
        const out = unique(`${prefix}/${type}${count === 0 ? '' : `_${count}`}`);
        count++;
        nodes.push(create(NodeProtoSchema, { name: out, opType: type, input: [...ins], output: [out], attribute: attributes(attrs) }));
        return out;
      },
      ints: (values) => constantTensor(values, 'int64', [values.length]),
      scalar: (value, dtype) => constantTensor([value], dtype ?? (node.dtype === 'int32' ? node.inputs.find((n) => n.dtype !== 'int32')?.dtype ?? 'float32' : node.dtype), []),
      dims: (shape: readonly Dim[]) => {
        if (shape.every((d) => typeof d === 'number')) return e.ints(shape);
        const parts = shape.map((d) => {
          if (typeof d === 'number') return e.ints([d]);
          const source = d === null ? undefined : dimSources.get(d);
          if (source === undefined) return e.fail(`dimension ${String(d)} of its target shape is not a dimension of any graph input, so it cannot be read at run time`);
          return e.op('Shape', [source.input], { start: source.axis, end: source.axis + 1 });
        });
        return e.op('Concat', parts, { axis: 0 });
      },
      fail: (reason) => {
        throw new OnnxExportError(node.op, `${node.op} '${node.path}' cannot be exported to ONNX: ${reason}`);
      },
    };
    names.set(node, mapping.emit(e));
  }

  const outputs: ValueInfoProto[] = g.outputs.map((node, i) => {
    const name = g.outputNames[i]!;
    if (used.has(name) && names.get(node) !== name) throw new OnnxExportError(node.op, `output name '${name}' is also the name of an input or initializer`);
    used.add(name);
    nodes.push(create(NodeProtoSchema, { name: `output/${name}`, opType: 'Identity', input: [names.get(node)!], output: [name] }));
    return valueInfo(name, node.dtype, node.shape);
  });

  const model = create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'stablegrad',
    producerVersion: '0.1.0',
    docString: options.docString ?? '',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
    graph: create(GraphProtoSchema, { name: options.name ?? 'stablegrad', node: nodes, initializer: initializers, input: inputs, output: outputs }),
  });
  return encodeModel(model);
}

function valueInfo(name: string, dtype: DType, shape: readonly Dim[]): ValueInfoProto {
  const dim = shape.map((d) => create(TensorShapeProto_DimensionSchema, {
    value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : d === null ? { case: undefined } : { case: 'dimParam', value: d },
  }));
  const tensorType = create(TypeProto_TensorSchema, { elemType: onnxType(dtype), shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

function attributes(attrs: OnnxAttrs): AttributeProto[] {
  return Object.entries(attrs).map(([name, v]) => {
    if (typeof v === 'number') return create(AttributeProtoSchema, { name, type: 2, i: BigInt(v) });
    if ('float' in v) return create(AttributeProtoSchema, { name, type: 1, f: v.float });
    return create(AttributeProtoSchema, { name, type: 7, ints: (v as readonly number[]).map(BigInt) });
  });
}
