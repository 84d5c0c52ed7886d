/**
 * Every operator `fromOnnx` reads, in small hand-built ONNX models run both in ONNX Runtime (the
 * independent reference) and, imported, in stablegrad's interpreter. Attributes and constant
 * inputs in both the old (attribute) and new (input) opset spellings.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema, TensorProtoSchema, TensorShapeProto_DimensionSchema, TensorShapeProtoSchema, TypeProto_TensorSchema, TypeProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { evaluate, tensor } from '@stablegrad/core';
import { fromOnnx, IMPORTERS, OnnxImportError } from '@stablegrad/onnx';
import { runOrt, worst } from './ort.js';

type Attr = number | number[] | { float: number };
interface Step { readonly op: string; readonly inputs: readonly string[]; readonly attrs?: { readonly [name: string]: Attr }; readonly value?: readonly number[] }
interface Case {
  readonly name: string;
  readonly opset?: number;
  readonly steps: readonly Step[];
  readonly floats?: { readonly [name: string]: readonly [number[], number[]] };
  readonly ints?: { readonly [name: string]: readonly number[] };
}

/** A model on input `x` [2, 3] float32; step i writes `v<i>`, the last one is the output `y`. */
function build(c: Case): Uint8Array {
  const info = (name: string, dims: (number | string)[], type = 1) => create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: type, shape: create(TensorShapeProtoSchema, { dim: dims.map((d) => create(TensorShapeProto_DimensionSchema, { value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } })) }) }) } }),
  });
  const attrs = (a: Step['attrs'] = {}) => Object.entries(a).map(([name, v]) => (typeof v === 'number'
    ? create(AttributeProtoSchema, { name, type: 2, i: BigInt(v) })
    : Array.isArray(v) ? create(AttributeProtoSchema, { name, type: 7, ints: v.map(BigInt) }) : create(AttributeProtoSchema, { name, type: 1, f: (v as { float: number }).float })));
  const nodes = c.steps.map((s, i) => create(NodeProtoSchema, { name: `${s.op}_${i}`, opType: s.op, input: [...s.inputs], output: [i === c.steps.length - 1 ? 'y' : `v${i}`],
    // A Constant's value: a 1-D int64 tensor.
    attribute: s.value === undefined ? attrs(s.attrs) : [create(AttributeProtoSchema, { name: 'value', type: 4, t: create(TensorProtoSchema, { dims: [BigInt(s.value.length)], dataType: 7, int64Data: s.value.map(BigInt) }) })] }));
  const initializer = [
    ...Object.entries(c.floats ?? {}).map(([name, [dims, values]]) => create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: 1, floatData: values })),
    ...Object.entries(c.ints ?? {}).map(([name, values]) => create(TensorProtoSchema, { name, dims: [BigInt(values.length)], dataType: 7, int64Data: values.map(BigInt) })),
  ];
  const graph = create(GraphProtoSchema, { name: c.name, node: nodes, initializer, input: [info('x', ['batch', 3])], output: [create(ValueInfoProtoSchema, { name: 'y' })] });
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [create(OperatorSetIdProtoSchema, { version: BigInt(c.opset ?? 18) })], graph }));
}

const W = [[3, 4], [0.5, -1, 2, 0.25, 1, -0.5, 1.5, 2, -2, 0.75, 0.1, -0.3]] as const;
const B = [[4], [0.1, -0.2, 0.3, 0]] as const;
const CASES: readonly Case[] = [
  { name: 'MatMul, Add', steps: [{ op: 'MatMul', inputs: ['x', 'w'] }, { op: 'Add', inputs: ['v0', 'b'] }], floats: { w: [[...W[0]], [...W[1]]], b: [[...B[0]], [...B[1]]] } },
  { name: 'Gemm with alpha, beta, transB', steps: [{ op: 'Gemm', inputs: ['x', 'w', 'b'], attrs: { alpha: { float: 0.5 }, beta: { float: 2 }, transB: 1 } }], floats: { w: [[4, 3], [...W[1]]], b: [[...B[0]], [...B[1]]] } },
  { name: 'Gemm with transA', steps: [{ op: 'Transpose', inputs: ['x'] }, { op: 'Gemm', inputs: ['v0', 'w'], attrs: { transA: 1 } }], floats: { w: [[...W[0]], [...W[1]]] } },
  { name: 'Reshape with 0 and -1, Transpose', steps: [{ op: 'Reshape', inputs: ['x', 's'] }, { op: 'Transpose', inputs: ['v0'], attrs: { perm: [1, 0] } }], ints: { s: [0, -1] } },
  { name: 'Flatten, Identity, Dropout', steps: [{ op: 'Flatten', inputs: ['x'] }, { op: 'Identity', inputs: ['v0'] }, { op: 'Dropout', inputs: ['v1'] }] },
  { name: 'ReduceSum (axes input), keepdims 0', steps: [{ op: 'ReduceSum', inputs: ['x', 'a'], attrs: { keepdims: 0 } }], ints: { a: [1] } },
  { name: 'ReduceMean, ReduceMax, ReduceMin, ReduceLogSumExp', steps: [{ op: 'ReduceMean', inputs: ['x', 'a'] }, { op: 'ReduceMax', inputs: ['x', 'a'] }, { op: 'ReduceMin', inputs: ['x', 'a'] }, { op: 'Add', inputs: ['v0', 'v1'] }, { op: 'Sub', inputs: ['v3', 'v2'] }, { op: 'ReduceLogSumExp', inputs: ['x', 'a'] }, { op: 'Mul', inputs: ['v4', 'v5'] }], ints: { a: [-1] } },
  { name: 'ReduceMean with the axes attribute (opset 13)', opset: 13, steps: [{ op: 'ReduceMean', inputs: ['x'], attrs: { axes: [0], keepdims: 0 } }] },
  { name: 'ReduceSum over everything', steps: [{ op: 'ReduceSum', inputs: ['x'], attrs: { keepdims: 0 } }] },
  { name: 'Unsqueeze, Squeeze, Concat', steps: [{ op: 'Unsqueeze', inputs: ['x', 'a'] }, { op: 'Squeeze', inputs: ['v0', 'a'] }, { op: 'Concat', inputs: ['v1', 'x'], attrs: { axis: 1 } }], ints: { a: [0, -1] } },
  { name: 'Unsqueeze with the axes attribute (opset 11)', opset: 11, steps: [{ op: 'Unsqueeze', inputs: ['x'], attrs: { axes: [1] } }] },
  { name: 'Softmax on axis 0, LogSoftmax', steps: [{ op: 'Softmax', inputs: ['x'], attrs: { axis: 0 } }, { op: 'LogSoftmax', inputs: ['x'] }, { op: 'Add', inputs: ['v0', 'v1'] }] },
  { name: 'Clip with constant bounds', steps: [{ op: 'Clip', inputs: ['x', 'lo', 'hi'] }], floats: { lo: [[], [-0.5]], hi: [[], [0.75]] } },
  { name: 'unary: Exp, Abs, Log, Sqrt, Neg, Tanh, Sigmoid, Relu, Softplus, Sign', steps: [{ op: 'Abs', inputs: ['x'] }, { op: 'Log', inputs: ['v0'] }, { op: 'Sqrt', inputs: ['v0'] }, { op: 'Exp', inputs: ['x'] }, { op: 'Neg', inputs: ['v3'] }, { op: 'Tanh', inputs: ['x'] }, { op: 'Sigmoid', inputs: ['x'] }, { op: 'Relu', inputs: ['x'] }, { op: 'Softplus', inputs: ['x'] }, { op: 'Sign', inputs: ['x'] }, { op: 'Max', inputs: ['v1', 'v2', 'v4'] }, { op: 'Min', inputs: ['v5', 'v6', 'v7'] }, { op: 'Add', inputs: ['v10', 'v11'] }, { op: 'Mul', inputs: ['v12', 'v8'] }, { op: 'Div', inputs: ['v13', 'v3'] }, { op: 'Add', inputs: ['v14', 'v9'] }] },
  { name: 'Pow, Cast to double and back', steps: [{ op: 'Abs', inputs: ['x'] }, { op: 'Pow', inputs: ['v0', 'x'] }, { op: 'Cast', inputs: ['v1'], attrs: { to: 11 } }, { op: 'Cast', inputs: ['v2'], attrs: { to: 1 } }] },
  {
    name: 'Conv with bias and same pads, MaxPool and AveragePool (NCHW)',
    steps: [
      { op: 'Reshape', inputs: ['x', 's'] },
      { op: 'Conv', inputs: ['v0', 'w', 'b'], attrs: { pads: [0, 0, 1, 1], kernel_shape: [2, 2] } },
      { op: 'MaxPool', inputs: ['v1'], attrs: { kernel_shape: [2, 2], pads: [0, 0, 1, 1] } },
      { op: 'AveragePool', inputs: ['v1'], attrs: { kernel_shape: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1] } },
      { op: 'Add', inputs: ['v2', 'v3'] },
    ],
    ints: { s: [1, 1, 2, 3] },
    floats: { w: [[2, 1, 2, 2], [0.5, -1, 2, 0.25, 1, -0.5, 1.5, 2]], b: [[2], [0.1, -0.2]] },
  },
  {
    name: 'Conv with strides and dilations, no padding',
    steps: [{ op: 'Reshape', inputs: ['x', 's'] }, { op: 'Conv', inputs: ['v0', 'w'], attrs: { strides: [1, 2], dilations: [1, 2] } }],
    ints: { s: [1, 1, 2, 3] },
    floats: { w: [[1, 1, 1, 2], [0.5, -1.5]] },
  },
  { name: 'a Constant node as the shape of a Reshape', steps: [{ op: 'Constant', inputs: [], value: [-1] }, { op: 'Reshape', inputs: ['x', 'v0'] }] },
];

describe('every imported operator against ONNX Runtime', () => {
  const feeds = { x: { data: Float32Array.from([0.5, -1.25, 2, 0.75, -0.1, 3]), dims: [2, 3] } };

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const bytes = build(c);
    const theirs = (await runOrt(bytes, feeds)).y!;
    const g = fromOnnx(bytes, { file: c.name });
    const ours = evaluate(g.outputs[0]!, { x: tensor(feeds.x.data, { shape: feeds.x.dims }) });
    expect(ours.data.length).toBe(theirs.length);
    expect(worst(theirs, ours.data, 1e-6, 4 * 2 ** -23)).toBeLessThanOrEqual(1);
  });

  it('refuses windows stablegrad cannot express, naming the node', () => {
    const conv = (attrs: NonNullable<Step['attrs']>) => build({ name: 'bad', steps: [{ op: 'Reshape', inputs: ['x', 's'] }, { op: 'Conv', inputs: ['v0', 'w'], attrs }], ints: { s: [1, 1, 2, 3] }, floats: { w: [[1, 1, 2, 2], [1, 2, 3, 4]] } });
    expect(() => fromOnnx(conv({ pads: [1, 1, 0, 0] }), { file: 'bad.onnx' })).toThrow(/bad\.onnx.*Conv.*pads \[1,1,0,0\].*neither none nor Keras' 'same'/);
    expect(() => fromOnnx(conv({ group: 2 }), { file: 'bad.onnx' })).toThrow(OnnxImportError);
    const pool = build({ name: 'bad', steps: [{ op: 'Reshape', inputs: ['x', 's'] }, { op: 'MaxPool', inputs: ['v0'], attrs: { kernel_shape: [2, 2], ceil_mode: 1 } }], ints: { s: [1, 1, 2, 3] } });
    expect(() => fromOnnx(pool, { file: 'bad.onnx' })).toThrow(/ceil_mode/);
  });

  it('covers every entry of IMPORTERS', () => {
    const used = new Set(CASES.flatMap((c) => c.steps.map((s) => s.op)));
    expect(used.has('Constant')).toBe(true);
    expect(Object.keys(IMPORTERS).filter((op) => !used.has(op))).toEqual([]);
  });
});
